"""Production serving (`make serve`): gunicorn behind one reverse proxy that terminates TLS."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")  # only the proxy on this host reaches the app
# Threaded workers. The proxy in front receives request bodies whole before passing them on
# (deploy/nginx.conf), so a phone uploading slowly holds no thread here; a body that crawls in
# anyway is dropped after BODY_READ_SECONDS.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("THREADS", 8))
# Longer than a phone keeps an idle connection for reuse, and than the proxy's upstream keep-alive.
keepalive = 75
# A worker that stops answering its heartbeat for this long is restarted (threads keep it beating
# while requests run); on a reload, requests in flight get this long to finish, slow uploads included.
timeout = 120
graceful_timeout = 300
# %(U)s is the path without its query string; no path carries what a client wrote.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(D)sus'
limit_request_line = 8190
raw_env = [f"TRUSTED_PROXY_HOPS={os.environ.get('TRUSTED_PROXY_HOPS') or '1'}"]
