"""Rate counters name no address or email, and no plain hash of one that could be reversed by trying them all."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from journal.db import get_db
from journal.models import RateEvent

from ..support import WebClient


def test_counted_attempts_are_keyed_with_the_servers_secret(make_app):
    app = make_app(TRUSTED_PROXY_HOPS=1)
    web = WebClient(app.test_client())
    address, email = "192.0.2.77", "ana@example.org"
    page = web.raw.get("/signin")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = web.raw.post(
        "/signin",
        headers={"X-Forwarded-For": address},
        data={"csrf_token": token, "email": email, "password": "a wrong password"},
    )
    assert response.status_code == 422
    with app.app_context():
        keys = set(get_db().scalars(select(RateEvent.key_hash)))
    plain = {
        hashlib.sha256(f"{scope}\0{value}".encode()).hexdigest()
        for scope in ("signin-address", "signin-account", "signin-turns")
        for value in (address, email)
    }
    # The address's attempt, the account's failure (tagged by address, an HMAC too) and the turn it took.
    assert len(keys) == 3 and keys.isdisjoint(plain)
    with app.app_context():
        tokens = set(get_db().scalars(select(RateEvent.token)))
    assert all(address not in token and email not in token for token in tokens)
    assert all(address not in key and email not in key for key in keys)
    other = make_app(TRUSTED_PROXY_HOPS=1, SECRET_KEY="another server's secret")
    with other.test_request_context():
        from journal.security.ratelimit import rate_key

        assert rate_key("signin-address", address) not in keys  # the key depends on the secret
