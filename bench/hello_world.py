"""The ceiling bench/ceiling.py measures pages against: Flask's hello-world, served the same way as the app."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
