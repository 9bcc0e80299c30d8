"""The server's Web Push key pair: made once under instance/ like the secret, or given by the environment."""

from __future__ import annotations

import multiprocessing
import stat

import pytest
from py_vapid import Vapid02
from py_vapid.jwt import decode

from journal.config import load_config
from journal.vault.push_keys import new_push_private_key, push_public_key

WORKERS = 6


@pytest.fixture(autouse=True)
def _no_push_environment(monkeypatch):
    for name in ("VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY", "VAPID_SUBJECT", "PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)


def _start_worker(instance, barrier, results):
    barrier.wait()  # every worker reaches the empty instance folder at once, as gunicorn's do after a fork
    try:
        results.put(load_config(instance, {})["VAPID_PUBLIC_KEY"])
    except Exception as error:  # noqa: BLE001 - the test reports what a worker saw
        results.put(f"error: {error!r}")


def test_workers_starting_together_share_one_key_kept_for_the_owner_only(tmp_path):
    context = multiprocessing.get_context("fork")
    instance = tmp_path / "instance"
    barrier, results = context.Barrier(WORKERS), context.Queue()
    workers = [context.Process(target=_start_worker, args=(instance, barrier, results)) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    keys = [results.get(timeout=30) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert len(set(keys)) == 1 and not keys[0].startswith("error"), keys
    assert sorted(path.name for path in instance.iterdir()) == ["secret_key", "vapid_private_key"]
    assert stat.S_IMODE((instance / "vapid_private_key").stat().st_mode) == 0o600
    # The next start reads the same key: browsers subscribed with its public half keep receiving.
    assert load_config(instance, {})["VAPID_PUBLIC_KEY"] == keys[0]


def test_the_public_key_is_the_private_keys_half_and_verifies_its_signatures(tmp_path):
    config = load_config(tmp_path, {})
    assert len(config["VAPID_PUBLIC_KEY"]) == 87  # 65 bytes, base64url without padding: applicationServerKey
    signer = Vapid02.from_string(config["VAPID_PRIVATE_KEY"])
    header = signer.sign({"aud": "http://127.0.0.1:9", "sub": config["VAPID_SUBJECT"]})["Authorization"]
    token = header.split("t=", 1)[1].split(",", 1)[0]
    assert decode(token, config["VAPID_PUBLIC_KEY"])["aud"] == "http://127.0.0.1:9"
    assert config["VAPID_SUBJECT"] == "mailto:reminders@localhost"


def test_keys_given_by_the_environment_are_used_and_no_file_is_made(tmp_path, monkeypatch):
    private = new_push_private_key()
    monkeypatch.setenv("VAPID_PRIVATE_KEY", private)
    monkeypatch.setenv("VAPID_PUBLIC_KEY", push_public_key(private))
    monkeypatch.setenv("VAPID_SUBJECT", "mailto:care@clinic.example")
    config = load_config(tmp_path, {})
    assert config["VAPID_PUBLIC_KEY"] == push_public_key(private)
    assert config["VAPID_SUBJECT"] == "mailto:care@clinic.example"
    assert not (tmp_path / "vapid_private_key").exists()


def test_the_public_address_is_the_default_contact(tmp_path):
    assert load_config(tmp_path, {"PUBLIC_URL": "https://journal.example.org"})["VAPID_SUBJECT"] == (
        "https://journal.example.org"
    )


def test_a_public_key_of_another_pair_stops_the_start(tmp_path):
    other = push_public_key(new_push_private_key())
    with pytest.raises(ValueError, match="not the public half"):
        load_config(tmp_path, {"VAPID_PRIVATE_KEY": new_push_private_key(), "VAPID_PUBLIC_KEY": other})


def test_a_broken_private_key_stops_the_start_without_repeating_it(tmp_path):
    broken = new_push_private_key()[:-6]
    with pytest.raises(ValueError, match="VAPID_PRIVATE_KEY is not a VAPID private key") as raised:
        load_config(tmp_path, {"VAPID_PRIVATE_KEY": broken})
    assert broken not in str(raised.value)


def test_a_contact_push_services_cannot_use_stops_the_start(tmp_path):
    with pytest.raises(ValueError, match="VAPID_SUBJECT"):
        load_config(tmp_path, {"VAPID_SUBJECT": "reminders"})
