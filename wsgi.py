"""The WSGI entry point: `app` for any WSGI server."""

from journal import create_app

app = create_app()
