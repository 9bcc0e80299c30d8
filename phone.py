"""`make phone`: the app on this machine's local network over HTTPS, for a phone on the same Wi-Fi.

A phone reaches this machine by its address on the network, and a service worker (offline pages, writing
offline, installing the app) needs a secure context, which anywhere but localhost means HTTPS. This:

- finds the machine's address on the local network (PHONE_HOST overrides it; PHONE_PORT, default 5443);
- makes a certificate for that address under instance/phone/, valid a few days and kept while it still
  fits (or uses a certificate the phone already trusts: PHONE_CERT and PHONE_KEY);
- prints the address, a QR code of it, and what the phone will say about the certificate;
- becomes gunicorn with gunicorn.conf.py over TLS, with the app's settings for that address: PUBLIC_URL
  (invite links), TRUSTED_HOSTS (any other Host gets 400), Secure cookies, and no proxy believed in front.

The certificate is signed by a certificate authority made for it alone: a phone can be told to trust that
authority (browsers do not let a server's own certificate act as one), it vouches for this one address only
(name constraints), and its key is thrown away once it has signed, so nothing can ever be signed with it
again. This module stays outside the journal package, beside wsgi.py: the app's own code leaves the cipher
library to its vault (tests/unit/test_layers.py).
"""

from __future__ import annotations

import datetime
import io
import ipaddress
import os
import re
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT = Path(__file__).resolve().parent
DEFAULT_PORT = 5443
LOOPBACK = "127.0.0.1"
# Connecting a UDP socket to a private address picks the route (and so this machine's address on the local
# network) without sending anything.
PROBE = ("10.255.255.255", 1)
VALID_FOR = datetime.timedelta(days=5)
RENEW_WITHIN = datetime.timedelta(days=1)  # a certificate with less left than this is made anew
AUTHORITY_NAME = "Integration journal phone trial"
AUTHORITY_FILE, CERTIFICATE_FILE, KEY_FILE = "phone-ca.crt", "certificate.pem", "key.pem"
HOST_NAME = re.compile(r"(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*", re.I)


class PhoneError(Exception):
    """A setting that cannot work, said in words."""


@dataclass(frozen=True)
class Certificate:
    certificate: Path  # what the server presents
    key: Path  # its key, readable by its owner only
    authority: Path | None  # what a phone can be told to trust; None for a certificate given in PHONE_CERT
    expires: datetime.datetime
    made: bool  # False: an earlier one still fitted, or it was given


def lan_address(probe: tuple[str, int] = PROBE) -> str:
    """This machine's IPv4 address on the local network, or 127.0.0.1 when it has none (no route)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(probe)
            address = sock.getsockname()[0]
    except OSError:
        return LOOPBACK
    return address if address and address != "0.0.0.0" else LOOPBACK


def choose_host(environ: Mapping[str, str]) -> str:
    """PHONE_HOST (an IPv4 address, or a name that points to this machine), else the address found."""
    given = environ.get("PHONE_HOST", "").strip()
    if not given:
        return lan_address()
    if not _is_address(given):
        if HOST_NAME.fullmatch(given) and not given.replace(".", "").isdigit():
            return given.lower()
        raise PhoneError(f"PHONE_HOST={given!r} is neither an IPv4 address nor a host name (e.g. 192.168.1.20)")
    address = ipaddress.ip_address(given)
    if address.version != 4:
        raise PhoneError(f"PHONE_HOST={given!r}: give the IPv4 address the phone reaches (e.g. 192.168.1.20)")
    return str(address)


def choose_port(environ: Mapping[str, str]) -> int:
    given = environ.get("PHONE_PORT", "").strip()
    if not given:
        return DEFAULT_PORT
    if not given.isdigit() or not 0 < int(given) < 65536:
        raise PhoneError(f"PHONE_PORT={given!r} is not a port number (1 to 65535)")
    return int(given)


def public_url(host: str, port: int) -> str:
    """The address people open, without a trailing slash (PUBLIC_URL's form)."""
    return f"https://{host}" if port == 443 else f"https://{host}:{port}"


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _names(host: str) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    if _is_address(host):
        names.insert(0, x509.IPAddress(ipaddress.ip_address(host)))
    elif host != "localhost":
        names.insert(0, x509.DNSName(host))
    return names


def covers(certificate: x509.Certificate, host: str) -> bool:
    """Whether the certificate names `host` (its subjectAltName: an IP address, or a DNS name, which may be a
    wildcard for one label)."""
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    if _is_address(host):
        return ipaddress.ip_address(host) in names.get_values_for_type(x509.IPAddress)
    host = host.lower()
    wildcard = "*." + host.split(".", 1)[-1]
    return any(name.lower() in (host, wildcard) for name in names.get_values_for_type(x509.DNSName))


def ensure_certificate(folder: Path, host: str, now: datetime.datetime) -> Certificate:
    """This session's certificate for `host` under `folder`: the one already there while it names `host`,
    matches its key and authority, and has more than a day left; else a new one."""
    found = _still_fits(folder, host, now)
    if found is not None:
        return found
    return make_certificate(folder, host, now)


def _still_fits(folder: Path, host: str, now: datetime.datetime) -> Certificate | None:
    paths = folder / CERTIFICATE_FILE, folder / KEY_FILE, folder / AUTHORITY_FILE
    if not all(path.exists() for path in paths):
        return None
    try:
        certificate = x509.load_pem_x509_certificate(paths[0].read_bytes())
        authority = x509.load_pem_x509_certificate(paths[2].read_bytes())
        key = serialization.load_pem_private_key(paths[1].read_bytes(), password=None)
        certificate.verify_directly_issued_by(authority)
    except (ValueError, TypeError, InvalidSignature):
        return None
    if key.public_key() != certificate.public_key() or not covers(certificate, host):
        return None
    expires = min(certificate.not_valid_after_utc, authority.not_valid_after_utc)
    if expires - now < RENEW_WITHIN:
        return None
    paths[1].chmod(0o600)
    return Certificate(paths[0], paths[1], paths[2], expires, made=False)


def make_certificate(folder: Path, host: str, now: datetime.datetime) -> Certificate:
    """A certificate authority for `host` alone and a server certificate it signs, both EC P-256, valid
    VALID_FOR; the authority's key is dropped once it has signed."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    start, expires = now - datetime.timedelta(hours=1), now + VALID_FOR  # an hour for a phone's clock
    authority_key = ec.generate_private_key(ec.SECP256R1())
    authority_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, AUTHORITY_NAME)])
    # A name of a type no subtree mentions would pass: IPv6 addresses are excluded, and IPv4 ones as well when
    # the host is a name.
    excluded: list[x509.GeneralName] = [x509.IPAddress(ipaddress.ip_network("::/0"))]
    if _is_address(host):
        permitted: list[x509.GeneralName] = [x509.IPAddress(ipaddress.ip_network(f"{host}/32"))]
    else:
        permitted, excluded = [x509.DNSName(host)], [*excluded, x509.IPAddress(ipaddress.ip_network("0.0.0.0/0"))]
    constraints = x509.NameConstraints(
        permitted_subtrees=[*permitted, x509.DNSName("localhost")], excluded_subtrees=excluded
    )
    authority = (
        _builder(authority_name, authority_name, authority_key.public_key(), start, expires)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signs_certificates=True), critical=True)
        .add_extension(constraints, critical=True)
        .sign(authority_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Integration journal on {host}")])
    certificate = (
        _builder(subject, authority_name, key.public_key(), start, expires)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signs_certificates=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(_names(host)), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(authority_key.public_key()), critical=False)
        .sign(authority_key, hashes.SHA256())
    )
    del authority_key  # never written anywhere: nothing else can be signed under this authority
    paths = folder / CERTIFICATE_FILE, folder / KEY_FILE, folder / AUTHORITY_FILE
    pem = serialization.Encoding.PEM
    _write_private(paths[1], key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    _write_private(paths[0], certificate.public_bytes(pem))
    _write_private(paths[2], authority.public_bytes(pem))
    return Certificate(paths[0], paths[1], paths[2], expires, made=True)


def _builder(subject, issuer, public_key, start, expires) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(expires)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _key_usage(signs_certificates: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=signs_certificates,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _write_private(path: Path, data: bytes) -> None:
    """Written whole under a temporary name (made 0600), then renamed into place."""
    draft = path.with_name(f".{path.name}.new")
    draft.unlink(missing_ok=True)
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(draft, path)


def given_certificate(environ: Mapping[str, str], host: str, now: datetime.datetime) -> Certificate | None:
    """PHONE_CERT and PHONE_KEY, a certificate the phone already trusts, when both are set; it must name
    `host` and not have expired."""
    cert_path, key_path = environ.get("PHONE_CERT", "").strip(), environ.get("PHONE_KEY", "").strip()
    if not cert_path and not key_path:
        return None
    if not (cert_path and key_path):
        raise PhoneError("set both PHONE_CERT (the certificate file) and PHONE_KEY (its key), or neither")
    for name, path in (("PHONE_CERT", cert_path), ("PHONE_KEY", key_path)):
        if not Path(path).is_file():
            raise PhoneError(f"{name}={path}: no such file")
    try:
        certificate = x509.load_pem_x509_certificate(Path(cert_path).read_bytes())
    except ValueError:
        raise PhoneError(f"PHONE_CERT={cert_path} is not a PEM certificate") from None
    if not covers(certificate, host):
        raise PhoneError(f"PHONE_CERT does not name {host}: set PHONE_HOST to the name or address it was made for")
    if certificate.not_valid_after_utc <= now:
        raise PhoneError(f"PHONE_CERT expired on {certificate.not_valid_after_utc:%Y-%m-%d}")
    return Certificate(Path(cert_path), Path(key_path), None, certificate.not_valid_after_utc, made=False)


def qr_text(url: str) -> str:
    """A QR code of `url` in text, two rows of modules a line (light modules drawn, for a dark terminal)."""
    import segno

    out = io.StringIO()
    segno.make_qr(url, error="m").terminal(out=out, compact=True)
    return out.getvalue()


def instructions(url: str, certificate: Certificate) -> str:
    """What to do on the phone, in plain words."""
    lines = [
        "",
        f"  Open on a phone on the same Wi-Fi:  {url}/",
        "  (scan the QR code with the camera, or type the address)",
        "",
    ]
    if certificate.authority is None:
        lines += ["  The certificate is the one given in PHONE_CERT: the phone should open the page without a warning."]
        return "\n".join(lines) + "\n"
    expires = f"{certificate.expires:%Y-%m-%d %H:%M} UTC"
    if certificate.made:
        lines += [
            "  A new certificate was made for this address: a phone that trusted an earlier one needs this one.",
            "",
        ]
    lines += [
        "  The phone will warn that the connection is not private, once: this certificate was made on this",
        "  computer and nothing the phone knows vouches for it. Check that the address is the one above, then:",
        "    iPhone (Safari): Show Details, then 'visit this website', then Visit Website.",
        "    Android (Chrome): Advanced, then 'Proceed to ... (unsafe)'.",
        "  Every page then works: sign up, sign in, write, share. The service worker does not (offline pages,",
        "  writing without a network, installing the app with them): browsers register one only on a page",
        "  whose certificate they trust (Chrome refuses outright; Safari generally does too).",
        "",
        "  To try those as well, have the phone trust this session's certificate authority:",
        f"    send {certificate.authority} to the phone (AirDrop, or email it to yourself);",
        "    iPhone: open it, Settings > Profile Downloaded > Install, then Settings > General > About >",
        f"      Certificate Trust Settings > turn on full trust for '{AUTHORITY_NAME}';",
        "    Android: Settings > Security > Encryption & credentials > Install a certificate > CA certificate.",
        f"  It vouches for this address only, nothing can sign with it again, and it expires {expires}.",
        "  Remove it from the phone when you are done. Or use a certificate the phone already trusts:",
        "    PHONE_CERT=cert.pem PHONE_KEY=key.pem PHONE_HOST=the.name.on.it make phone",
    ]
    return "\n".join(lines) + "\n"


def server_command(
    environ: Mapping[str, str], host: str, port: int, certificate: Certificate
) -> tuple[list[str], dict[str, str]]:
    """gunicorn with gunicorn.conf.py over TLS, and the app's settings for this address. It listens on
    `host` when that is an address, else on this machine's address on the local network."""
    bind = host if _is_address(host) else lan_address()
    env = {
        **environ,
        "BIND": f"{bind}:{port}",
        "PUBLIC_URL": public_url(host, port),
        "TRUSTED_HOSTS": host,
        "COOKIE_SECURE": "1",
        "TRUSTED_PROXY_HOPS": "0",  # phones connect straight to it: no forwarded header is believed
        "WEB_CONCURRENCY": environ.get("WEB_CONCURRENCY") or "2",
    }
    argv = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
    argv += ["--certfile", str(certificate.certificate), "--keyfile", str(certificate.key), "wsgi:app"]
    return argv, env


def instance_folder(environ: Mapping[str, str]) -> Path:
    """Where the app keeps its database and secret: INSTANCE_PATH, else Flask's default (as create_app)."""
    from flask import Flask

    return Path(environ.get("INSTANCE_PATH") or Flask("journal").instance_path)


def main() -> None:
    environ = dict(os.environ)
    now = datetime.datetime.now(datetime.UTC)
    try:
        host, port = choose_host(environ), choose_port(environ)
        certificate = given_certificate(environ, host, now) or ensure_certificate(
            instance_folder(environ) / "phone", host, now
        )
    except PhoneError as exc:
        sys.exit(f"make phone: {exc}")
    url = public_url(host, port)
    if host == LOOPBACK and not environ.get("PHONE_HOST"):
        print("  No local network found: serving on this machine only. Set PHONE_HOST to the address to use.")
    print(qr_text(url + "/") + instructions(url, certificate), flush=True)
    argv, env = server_command(environ, host, port, certificate)
    os.chdir(ROOT)
    os.execve(argv[0], argv, env)  # gunicorn takes this process over: Ctrl-C stops it


if __name__ == "__main__":
    main()
