"""`make phone` (phone.py): the address a phone opens, the certificate made for it, the QR code printed."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import stat

import pytest
import segno
from cryptography import x509
from cryptography.hazmat.primitives import serialization

import phone

NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)
LAN = "192.168.1.20"


def _load(path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _names(certificate: x509.Certificate) -> x509.SubjectAlternativeName:
    return certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_certificate_names_the_address_and_localhost_and_lasts_a_few_days(tmp_path):
    made = phone.ensure_certificate(tmp_path / "phone", LAN, NOW)
    certificate = _load(made.certificate)
    assert made.made
    assert _names(certificate).get_values_for_type(x509.IPAddress) == [ipaddress.ip_address(LAN)]
    assert _names(certificate).get_values_for_type(x509.DNSName) == ["localhost"]
    assert not certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert NOW + datetime.timedelta(days=3) <= certificate.not_valid_after_utc <= NOW + datetime.timedelta(days=7)
    assert certificate.not_valid_before_utc < NOW  # a phone whose clock is a little behind accepts it
    # Signed by the authority a phone can be told to trust, which vouches for this address and localhost only.
    authority = _load(made.authority)
    certificate.verify_directly_issued_by(authority)
    assert authority.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    constraints = authority.extensions.get_extension_for_class(x509.NameConstraints)
    assert constraints.critical
    assert constraints.value.permitted_subtrees == [
        x509.IPAddress(ipaddress.ip_network(f"{LAN}/32")),
        x509.DNSName("localhost"),
    ]
    assert x509.IPAddress(ipaddress.ip_network("::/0")) in constraints.value.excluded_subtrees


def test_only_the_servers_key_is_kept_readable_by_its_owner_only(tmp_path):
    folder = tmp_path / "phone"
    made = phone.ensure_certificate(folder, LAN, NOW)
    assert _mode(made.key) == 0o600 and _mode(folder) == 0o700
    assert sorted(path.name for path in folder.iterdir()) == ["certificate.pem", "key.pem", "phone-ca.crt"]
    # The one private key on disk is the server's: nothing can sign another certificate under the authority.
    key = serialization.load_pem_private_key(made.key.read_bytes(), password=None)
    assert key.public_key() == _load(made.certificate).public_key() != _load(made.authority).public_key()
    for path in (made.certificate, made.authority):
        assert b"PRIVATE KEY" not in path.read_bytes()


def test_a_certificate_that_still_fits_is_kept(tmp_path):
    folder = tmp_path / "phone"
    first = phone.ensure_certificate(folder, LAN, NOW)
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    first.key.chmod(0o644)
    again = phone.ensure_certificate(folder, LAN, NOW + datetime.timedelta(days=2))
    assert not again.made and again.expires == first.expires
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
    assert _mode(again.key) == 0o600  # loosened by hand: made private again


def test_another_address_gets_a_new_certificate(tmp_path):
    folder = tmp_path / "phone"
    first = phone.ensure_certificate(folder, LAN, NOW)
    old = first.certificate.read_bytes()
    again = phone.ensure_certificate(folder, "10.0.0.7", NOW)
    assert again.made and again.certificate.read_bytes() != old
    assert _names(_load(again.certificate)).get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("10.0.0.7")]


def test_a_certificate_near_its_end_is_made_anew(tmp_path):
    folder = tmp_path / "phone"
    first = phone.ensure_certificate(folder, LAN, NOW)
    later = first.expires - datetime.timedelta(hours=20)
    again = phone.ensure_certificate(folder, LAN, later)
    assert again.made and _load(again.certificate).not_valid_after_utc > later + datetime.timedelta(days=3)


def test_a_certificate_without_its_key_or_authority_is_made_anew(tmp_path):
    folder = tmp_path / "phone"
    phone.ensure_certificate(folder, LAN, NOW)
    (folder / "key.pem").unlink()
    assert phone.ensure_certificate(folder, LAN, NOW).made
    other = phone.ensure_certificate(tmp_path / "other", LAN, NOW)
    (folder / "phone-ca.crt").write_bytes(other.authority.read_bytes())  # not the one that signed it
    assert phone.ensure_certificate(folder, LAN, NOW).made


def test_a_host_name_is_named_and_no_address_is_allowed(tmp_path):
    made = phone.ensure_certificate(tmp_path / "phone", "journal.home.arpa", NOW)
    assert _names(_load(made.certificate)).get_values_for_type(x509.DNSName) == ["journal.home.arpa", "localhost"]
    constraints = _load(made.authority).extensions.get_extension_for_class(x509.NameConstraints).value
    assert x509.IPAddress(ipaddress.ip_network("0.0.0.0/0")) in constraints.excluded_subtrees


def test_phone_host_and_port_are_taken_as_given_or_refused():
    assert phone.choose_host({"PHONE_HOST": " 192.168.1.20 "}) == LAN
    assert phone.choose_host({"PHONE_HOST": "Journal.Home.Arpa"}) == "journal.home.arpa"
    for wrong in ("https://192.168.1.20", "192.168.1.20:5443", "fe80::1", "192.168.1", "a b"):
        with pytest.raises(phone.PhoneError):
            phone.choose_host({"PHONE_HOST": wrong})
    assert phone.choose_port({}) == 5443 and phone.choose_port({"PHONE_PORT": "8443"}) == 8443
    for wrong in ("0", "65536", "http", "-1"):
        with pytest.raises(phone.PhoneError):
            phone.choose_port({"PHONE_PORT": wrong})
    assert phone.public_url(LAN, 5443) == "https://192.168.1.20:5443"
    assert phone.public_url(LAN, 443) == "https://192.168.1.20"


def test_the_address_found_is_one_of_this_machines():
    found = phone.choose_host({})
    assert ipaddress.ip_address(found).version == 4
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((found, 0))  # only an address of this machine can be bound


def test_without_a_route_the_address_is_loopback():
    assert phone.lan_address(("no-such-host.invalid", 1)) == "127.0.0.1"


def test_a_certificate_of_ones_own_must_name_the_host(tmp_path):
    own = phone.ensure_certificate(tmp_path / "own", LAN, NOW)
    given = {"PHONE_CERT": str(own.certificate), "PHONE_KEY": str(own.key)}
    used = phone.given_certificate(given, LAN, NOW)
    assert used is not None and used.certificate == own.certificate and used.authority is None
    assert phone.given_certificate({}, LAN, NOW) is None
    with pytest.raises(phone.PhoneError, match="does not name 10.0.0.7"):
        phone.given_certificate(given, "10.0.0.7", NOW)
    with pytest.raises(phone.PhoneError, match="expired"):
        phone.given_certificate(given, LAN, NOW + datetime.timedelta(days=30))
    with pytest.raises(phone.PhoneError, match="both"):
        phone.given_certificate({"PHONE_CERT": str(own.certificate)}, LAN, NOW)
    with pytest.raises(phone.PhoneError, match="no such file"):
        phone.given_certificate({**given, "PHONE_KEY": str(tmp_path / "missing.pem")}, LAN, NOW)


def _read_qr(text: str) -> list[list[int]]:
    """The modules of a QR code printed two rows a line (1: dark, drawn as a space on a dark terminal)."""
    pairs = {"\u2588": (0, 0), "\u2580": (0, 1), "\u2584": (1, 0), " ": (1, 1)}
    rows: list[list[int]] = []
    for line in text.splitlines():
        cells = [pairs[char] for char in line]
        rows += [[top for top, _ in cells], [bottom for _, bottom in cells]]
    return rows


def test_the_qr_code_printed_is_the_address_with_its_quiet_zone_in_80_columns():
    url = "https://192.168.100.200:5443/"
    text = phone.qr_text(url)
    code = segno.make_qr(url, error="m")
    assert not code.is_micro  # phone cameras read full QR codes
    size, border = len(code.matrix), 4
    expected = [[0] * (size + 2 * border)] * border
    expected += [[0] * border + [int(bool(bit)) for bit in row] + [0] * border for row in code.matrix]
    expected += [[0] * (size + 2 * border)] * border
    assert _read_qr(text)[: size + 2 * border] == expected
    assert max(len(line) for line in text.splitlines()) <= 80


def test_a_wildcard_certificate_of_ones_own_covers_one_label_under_it(tmp_path):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "home.arpa")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(NOW + datetime.timedelta(days=60))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("*.Home.Arpa")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    assert phone.covers(certificate, "journal.home.arpa")
    assert not phone.covers(certificate, "a.journal.home.arpa") and not phone.covers(certificate, "home.arpa")
    assert not phone.covers(certificate, LAN)
