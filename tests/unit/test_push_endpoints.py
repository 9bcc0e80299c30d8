"""A subscription may point only at a push service's address: the sender never posts anywhere else."""

from __future__ import annotations

import pytest

from journal.reminders.endpoints import DEFAULT_PUSH_SERVICES, endpoint_allowed, parse_services


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://169.254.169.254/latest/meta-data",  # an address inside the server's own network
        "http://127.0.0.1:8000/account/delete",
        "http://fcm.googleapis.com/fcm/send/x",  # the right host over plain HTTP
        "https://fcm.googleapis.com:8443/fcm/send/x",
        "https://fcm.googleapis.com.evil.example/fcm/send/x",
        "https://user@fcm.googleapis.com/fcm/send/x",
        "https://push.apple.com.evil.example/x",
        "https://evilpush.apple.com/x",
        "https://fcm.googleapis.com/fcm/send/x y",
        "https://fcm.googleapis.com/" + "x" * 1100,
        "https://[::1",
        "",
    ],
)
def test_other_addresses_are_refused(endpoint):
    assert not endpoint_allowed(endpoint, DEFAULT_PUSH_SERVICES)


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAA",
        "https://web.push.apple.com/QGxk",
        "https://wns2-bl2p.notify.windows.com/w/?token=BQYAAA",
    ],
)
def test_the_push_services_browsers_use_are_taken(endpoint):
    assert endpoint_allowed(endpoint, DEFAULT_PUSH_SERVICES)


def test_a_deployment_names_its_own_services_with_their_port():
    services = parse_services(" http://127.0.0.1:8123 , https://push.example.org/ ")
    assert services == ("http://127.0.0.1:8123", "https://push.example.org")
    assert endpoint_allowed("http://127.0.0.1:8123/push/a", services)
    assert not endpoint_allowed("http://127.0.0.1:8124/push/a", services)
    assert not endpoint_allowed("http://127.0.0.1/push/a", services)
    assert endpoint_allowed("https://push.example.org/a", services)
    assert parse_services(None) == parse_services("") == DEFAULT_PUSH_SERVICES
