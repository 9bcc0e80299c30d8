"""The production serving stack on free ports, for tests and benchmarks: gunicorn with gunicorn.conf.py, and
nginx with deploy/nginx.conf in front of it (TLS with a certificate made here for 127.0.0.1).

    with production_gunicorn(workdir, "name", env={...}) as app_url:          # http://127.0.0.1:PORT
        with nginx_in_front(workdir, "name", app_url) as proxy:               # proxy.url: https://127.0.0.1:PORT
            requests.get(proxy.url + "/help", verify=proxy.certificate)
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .support import FAST_KDF, LOGS, ROOT, free_port, running

NGINX = "/usr/sbin/nginx"
NGINX_CONFIG = ROOT / "deploy" / "nginx.conf"


@contextlib.contextmanager
def production_gunicorn(
    workdir: Path, name: str, *, env: dict | None = None, database_url: str | None = None
) -> Iterator[str]:
    """`gunicorn --config gunicorn.conf.py wsgi:app` (as `make serve` runs it) on a free port; yields its URL.

    Settings come from the environment as in production (WEB_CONCURRENCY, THREADS, ...: pass them in `env`).
    The database is `database_url`, or a migrated SQLite file under `workdir`.
    """
    from journal.cli import upgrade_database

    workdir.mkdir(parents=True, exist_ok=True)
    if database_url is None:
        database_url = f"sqlite:///{workdir / 'journal.sqlite3'}"
        upgrade_database(database_url)
    LOGS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server_env = {
        **os.environ,
        **{key: str(value) for key, value in FAST_KDF.items()},
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(workdir / "instance"),
        "BIND": f"127.0.0.1:{port}",
        **{key: str(value) for key, value in (env or {}).items()},
    }
    log_path = LOGS / f"{name}.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=server_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    with running(process, base + "/help", f"gunicorn {name} did not start; see {log_path}"):
        yield base


@dataclass(frozen=True)
class Proxy:
    url: str  # https://127.0.0.1:PORT
    plain_url: str  # http://127.0.0.1:PORT (redirects to HTTPS)
    certificate: str  # the self-signed certificate, for `verify=`
    error_log: Path
    body_temp: Path  # where nginx would write request bodies that do not fit in memory


def render_nginx_config(values: dict[str, str]) -> str:
    """deploy/nginx.conf with every {{PLACEHOLDER}} filled; an unknown or missing one is an error."""
    text = NGINX_CONFIG.read_text(encoding="utf-8")
    for key, value in values.items():
        if "{{" + key + "}}" not in text:
            raise KeyError(f"deploy/nginx.conf has no {{{{{key}}}}}")
        text = text.replace("{{" + key + "}}", value)
    left = sorted(set(re.findall(r"\{\{[A-Z_]+\}\}", text)))
    if left:
        raise KeyError(f"deploy/nginx.conf placeholders not filled: {left}")
    return text


@contextlib.contextmanager
def nginx_in_front(workdir: Path, name: str, upstream_url: str) -> Iterator[Proxy]:
    """nginx (the Debian package, as `make servers` installs it) with deploy/nginx.conf in front of
    `upstream_url`, in its own prefix under `workdir`: pid, temp folders and certificate there, logs in the
    run's log folder (the log canary reads them). Stopped on leaving."""
    home = workdir / f"nginx-{name}"
    (home / "temp").mkdir(parents=True, exist_ok=True)
    certificate, key = _self_signed(home)
    https_port, http_port = free_port(), free_port()
    LOGS.mkdir(parents=True, exist_ok=True)
    error_log, access_log = LOGS / f"nginx-{name}-error.log", LOGS / f"nginx-{name}-access.log"
    config = home / "nginx.conf"
    config.write_text(
        render_nginx_config(
            {
                "SERVER_NAME": "localhost",
                "LISTEN_HTTPS": f"127.0.0.1:{https_port}",
                "LISTEN_HTTP": f"127.0.0.1:{http_port}",
                "CERTIFICATE": str(certificate),
                "CERTIFICATE_KEY": str(key),
                "UPSTREAM": upstream_url.removeprefix("http://"),
                "PID_FILE": str(home / "nginx.pid"),
                "TEMP_DIR": str(home / "temp"),
                "ERROR_LOG": str(error_log),
                "ACCESS_LOG": str(access_log),
            }
        ),
        encoding="utf-8",
    )
    with error_log.open("ab") as log:
        process = subprocess.Popen(
            [NGINX, "-p", str(home), "-c", str(config), "-e", str(error_log), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    proxy = Proxy(
        f"https://127.0.0.1:{https_port}",
        f"http://127.0.0.1:{http_port}",
        str(certificate),
        error_log,
        home / "temp" / "body",
    )
    with running(
        process, proxy.url + "/help", f"nginx {name} did not start; see {error_log}", verify=proxy.certificate
    ):
        yield proxy


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key (readable by its owner only)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "certificate.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.touch(mode=0o600)
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path
