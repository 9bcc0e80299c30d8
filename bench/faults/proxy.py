"""nginx in front of the test server, as docs/deploy.md puts it in front of `make serve`.

`proxy_config()` gives the configuration: `deploy/nginx.conf` when the repository has it (its addresses and
placeholders filled by `adapt`; when that file changes shape, this is the one place to teach), else the
settings docs/deploy.md shows, over plain HTTP. Either way nginx buffers a request body before passing it on
(its default), which is what a slow upload needs.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import requests

from .servers import ROOT
from tests.support import free_port

DEPLOY_CONF = ROOT / "deploy" / "nginx.conf"
DOCS_SERVER = """
server {
    listen 127.0.0.1:%(port)d;
    client_max_body_size 260m;
    proxy_read_timeout 300s;
    keepalive_timeout 65s;
    location / {
        proxy_pass http://%(upstream)s;
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Forwarded-Proto $scheme;
    }
}
"""
MAIN = """
worker_processes 1;
pid %(prefix)s/nginx.pid;
error_log %(prefix)s/error.log warn;
events { worker_connections 512; }
http {
    access_log off;
    client_body_temp_path %(prefix)s/body;
    proxy_temp_path %(prefix)s/proxy;
    fastcgi_temp_path %(prefix)s/fastcgi;
    uwsgi_temp_path %(prefix)s/uwsgi;
    scgi_temp_path %(prefix)s/scgi;
%(servers)s
}
"""
# What a deployment file names and the test fills in. Add the placeholders of deploy/nginx.conf here.
APP_ADDRESS = "127.0.0.1:8000"
HOST_NAME = "journal.example.org"


def nginx_binary() -> str | None:
    return shutil.which("nginx")


def proxy_config(port: int, upstream: str, prefix: Path, source: Path | None = None) -> tuple[str, str]:
    """(nginx.conf text listening on `port` and passing to `upstream`, where its settings came from)."""
    source = source or (DEPLOY_CONF if DEPLOY_CONF.exists() else None)
    if source is None:
        servers = DOCS_SERVER % {"port": port, "upstream": upstream}
        label = "nginx, docs/deploy.md settings (no deploy/nginx.conf yet)"
    else:
        servers = adapt(source.read_text(), port, upstream)
        label = f"nginx, {source.relative_to(ROOT) if source.is_relative_to(ROOT) else source}"
    if re.search(r"^\s*http\s*\{", servers, re.M):
        raise ValueError(f"{source} is a whole nginx.conf: teach bench/faults/proxy.py:adapt to run it")
    return MAIN % {"prefix": prefix, "servers": servers}, label


def adapt(text: str, port: int, upstream: str) -> str:
    """A deployment's server blocks, made to run here: plain HTTP on `port`, passing to `upstream`.

    Drops the port-80 redirect block and TLS lines (no certificates here); fills the app's address and
    the host name.
    """
    text = re.sub(r"server\s*\{[^{}]*return\s+30[18][^{}]*\}", "", text)  # the plain-HTTP redirect
    text = re.sub(r"^\s*(ssl_\w+|http2)\b[^;]*;", "", text, flags=re.M)
    text = re.sub(r"^(\s*)listen\s+[^;]*;", rf"\g<1>listen 127.0.0.1:{port};", text, flags=re.M)
    text = re.sub(r"(listen 127\.0\.0\.1:\d+;)(\s*listen 127\.0\.0\.1:\d+;)+", r"\1", text)
    return text.replace(APP_ADDRESS, upstream).replace(HOST_NAME, "127.0.0.1")


@contextlib.contextmanager
def nginx(upstream: str, workdir: Path, source: Path | None = None):
    """nginx in front of `upstream`; yields (base URL, label). Stopped by its own id on leaving."""
    prefix = workdir / "nginx"
    prefix.mkdir(parents=True, exist_ok=True)
    os.chmod(prefix, 0o755)
    port = free_port()
    text, label = proxy_config(port, upstream, prefix, source)
    conf = prefix / "nginx.conf"
    conf.write_text(text)
    check = subprocess.run([nginx_binary(), "-t", "-p", str(prefix), "-c", str(conf)], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx refused {label}: {check.stderr.strip()[-300:]}")
    process = subprocess.Popen([nginx_binary(), "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not answer; see {prefix / 'error.log'}")
            time.sleep(0.1)
        yield base, label
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
