"""Configuration: safe defaults, overridden by environment variables, then by the factory's mapping."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .web.public_url import check_public_url, trusted_hosts

# Environment variable -> (config key, parser). Everything a deployment may set.
_INT = int


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


ENVIRONMENT: dict[str, tuple[str, Any]] = {
    "DATABASE_URL": ("DATABASE_URL", str),
    "SECRET_KEY": ("SECRET_KEY", str),
    "IDLE_LOCK_CLIENT_MINUTES": ("IDLE_LOCK_CLIENT_MINUTES", _INT),
    "IDLE_LOCK_THERAPIST_MINUTES": ("IDLE_LOCK_THERAPIST_MINUTES", _INT),
    "SESSION_MAX_HOURS": ("SESSION_MAX_HOURS", _INT),
    "SWEEP_MINUTES": ("SWEEP_MINUTES", float),
    "HEALTH_MIN_FREE_MB": ("HEALTH_MIN_FREE_MB", _INT),
    "SIGNIN_FAILURES_BEFORE_WAIT": ("SIGNIN_FAILURES_BEFORE_WAIT", _INT),
    "SIGNIN_LONGEST_WAIT_MINUTES": ("SIGNIN_LONGEST_WAIT_MINUTES", _INT),
    "SIGNIN_NEW_ADDRESS_WAIT_SECONDS": ("SIGNIN_NEW_ADDRESS_WAIT_SECONDS", _INT),
    "SIGNIN_FAILURES_PER_ADDRESS_PER_HOUR": ("SIGNIN_FAILURES_PER_ADDRESS_PER_HOUR", _INT),
    "SIGNUPS_PER_ADDRESS_PER_HOUR": ("SIGNUPS_PER_ADDRESS_PER_HOUR", _INT),
    "RECOVERY_FAILURES_PER_ADDRESS_PER_HOUR": ("RECOVERY_FAILURES_PER_ADDRESS_PER_HOUR", _INT),
    "REAUTH_FAILURES_PER_ACCOUNT_PER_HOUR": ("REAUTH_FAILURES_PER_ACCOUNT_PER_HOUR", _INT),
    "VAULT_KDF_MEMORY_KIB": ("VAULT_KDF_MEMORY_KIB", _INT),
    "VAULT_KDF_ITERATIONS": ("VAULT_KDF_ITERATIONS", _INT),
    "VAULT_KDF_MIN_MEMORY_KIB": ("VAULT_KDF_MIN_MEMORY_KIB", _INT),
    "VAULT_KDF_MIN_ITERATIONS": ("VAULT_KDF_MIN_ITERATIONS", _INT),
    "VAULT_KDF_CONCURRENCY": ("VAULT_KDF_CONCURRENCY", _INT),
    "MAX_CONTENT_LENGTH": ("MAX_CONTENT_LENGTH", _INT),
    "MAX_FORM_PARTS": ("MAX_FORM_PARTS", _INT),
    "BODY_READ_SECONDS": ("BODY_READ_SECONDS", float),
    "CRISIS_RESOURCES_FILE": ("CRISIS_RESOURCES_FILE", str),
    "LOG_LEVEL": ("LOG_LEVEL", str),
    "COOKIE_SECURE": ("COOKIE_SECURE", _bool),
    "TRUSTED_PROXY_HOPS": ("TRUSTED_PROXY_HOPS", _INT),
    "REDIS_URL": ("REDIS_URL", str),
    "PUBLIC_URL": ("PUBLIC_URL", str),
    "TRUSTED_HOSTS": ("TRUSTED_HOSTS", str),
    "INVITES_PER_THERAPIST_PER_HOUR": ("INVITES_PER_THERAPIST_PER_HOUR", _INT),
    "INVITE_FAILURES_PER_CLIENT_PER_HOUR": ("INVITE_FAILURES_PER_CLIENT_PER_HOUR", _INT),
    "ART_MAX_FILE_MB": ("ART_MAX_FILE_MB", _INT),
    "ART_MAX_FILES": ("ART_MAX_FILES", _INT),
    "VOICE_MAX_MB": ("VOICE_MAX_MB", _INT),
    "ART_CONCURRENCY": ("ART_CONCURRENCY", _INT),
    "ART_QUEUE_SECONDS": ("ART_QUEUE_SECONDS", float),
    "REAUTH_MINUTES": ("REAUTH_MINUTES", _INT),
    "TOTP_FAILURES_BEFORE_WAIT": ("TOTP_FAILURES_BEFORE_WAIT", _INT),
    "SECOND_FACTOR_MINUTES": ("SECOND_FACTOR_MINUTES", _INT),
    "KEY_ROTATION_BATCH": ("KEY_ROTATION_BATCH", _INT),
    "KEY_ROTATION_PAGE_SECONDS": ("KEY_ROTATION_PAGE_SECONDS", float),
    "KEY_ROTATION_ANY_PAGE_SECONDS": ("KEY_ROTATION_ANY_PAGE_SECONDS", float),
    "VAPID_PRIVATE_KEY": ("VAPID_PRIVATE_KEY", str),
    "VAPID_PUBLIC_KEY": ("VAPID_PUBLIC_KEY", str),
    "VAPID_SUBJECT": ("VAPID_SUBJECT", str),
    "PUSH_SERVICES": ("PUSH_SERVICES", str),
    "REMINDERS_INTERVAL_SECONDS": ("REMINDERS_INTERVAL_SECONDS", float),
    "REMINDERS_BATCH": ("REMINDERS_BATCH", _INT),
    "REMINDERS_LEASE_SECONDS": ("REMINDERS_LEASE_SECONDS", float),
    "REMINDERS_SEND_THREADS": ("REMINDERS_SEND_THREADS", _INT),
    "REMINDERS_LATE_MINUTES": ("REMINDERS_LATE_MINUTES", _INT),
    "REMINDERS_ATTEMPTS": ("REMINDERS_ATTEMPTS", _INT),
    "REMINDERS_BACKOFF_SECONDS": ("REMINDERS_BACKOFF_SECONDS", float),
    "REMINDERS_RETRY_WAIT_MAX_SECONDS": ("REMINDERS_RETRY_WAIT_MAX_SECONDS", float),
    "REMINDERS_TIMEOUT_SECONDS": ("REMINDERS_TIMEOUT_SECONDS", float),
}

DEFAULTS: dict[str, Any] = {
    "IDLE_LOCK_CLIENT_MINUTES": 30,
    "IDLE_LOCK_THERAPIST_MINUTES": 15,
    "SESSION_MAX_HOURS": 12,
    # Each server process removes ended and idle sessions (their key wraps) this often, after a response.
    "SWEEP_MINUTES": 5,
    # Wrong passwords for one account (from anywhere, in a day) before each further try has to wait: 5 seconds,
    # doubled with each failure, up to the longest wait. An address that has not failed for the account waits
    # at most SIGNIN_NEW_ADDRESS_WAIT_SECONDS, so a stranger's guessing never locks the owner out.
    "SIGNIN_FAILURES_BEFORE_WAIT": 5,
    "SIGNIN_LONGEST_WAIT_MINUTES": 15,
    "SIGNIN_NEW_ADDRESS_WAIT_SECONDS": 30,
    # Failed sign-ins from one address, over every account (spraying), before it is refused for the hour.
    "SIGNIN_FAILURES_PER_ADDRESS_PER_HOUR": 300,
    "SIGNUPS_PER_ADDRESS_PER_HOUR": 20,
    # Recovery codes are 128-bit: guessing is limited per address, and the owner's right code always works.
    "RECOVERY_FAILURES_PER_ADDRESS_PER_HOUR": 10,
    # Wrong passwords entered again by someone signed in (password change, sensitive actions, a new recovery
    # code): counted apart from sign-in, so nobody outside can use up a signed-in owner's tries.
    "REAUTH_FAILURES_PER_ACCOUNT_PER_HOUR": 10,
    "INVITES_PER_THERAPIST_PER_HOUR": 30,
    "INVITE_FAILURES_PER_CLIENT_PER_HOUR": 10,
    # Argon2id as DESIGN.md: 64 MiB, 3 passes, 1 lane; the floor refuses weaker stored params.
    "VAULT_KDF_MEMORY_KIB": 64 * 1024,
    "VAULT_KDF_ITERATIONS": 3,
    "VAULT_KDF_MIN_MEMORY_KIB": 64 * 1024,
    "VAULT_KDF_MIN_ITERATIONS": 3,
    # At most this many 64 MiB derivations at once per process: bounds memory under a login flood.
    "VAULT_KDF_CONCURRENCY": 2,
    # Form posts only for now; an entry of 60,000 characters percent-encoded fits.
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 2 * 1024 * 1024,
    # Fields per request, url-encoded forms included (413 beyond): the largest form (PCL-5) has about 25; the
    # forms that send one field per item of a list say how many they take (journal/web/form_fields.py).
    "MAX_FORM_PARTS": 200,
    # A request body must have arrived this long after the request started, or it is dropped with 408.
    # Behind the buffering proxy bodies arrive at once; without it, a stalled phone frees its thread.
    "BODY_READ_SECONDS": 30,
    "CRISIS_RESOURCES_FILE": None,
    # /healthz says the database cannot be written when an embedded (SQLite) database's disk has less free.
    "HEALTH_MIN_FREE_MB": 64,
    "LOG_LEVEL": "INFO",
    "COOKIE_SECURE": False,
    # 0: clients connect directly, X-Forwarded-* headers are ignored (they could be forged).
    # `make serve` runs behind one reverse proxy and sets 1.
    "TRUSTED_PROXY_HOPS": 0,
    # Rate-limit counters: the database unless a Redis URL is given.
    "REDIS_URL": None,
    # The address people use (https://journal.example.org): absolute links (a therapist's invite link) start
    # with it, and requests for any other host get 400 (journal/web/public_url.py).
    "PUBLIC_URL": None,
    # Host names requests may carry (comma-separated); PUBLIC_URL's host when unset. None: any (development).
    "TRUSTED_HOSTS": None,
    # Photos of art: per file, per upload, and images decoded at once per process (bounds memory).
    "ART_MAX_FILE_MB": 25,
    "ART_MAX_FILES": 10,
    "ART_CONCURRENCY": 2,
    # A voice note's file (journal/voice/views.py raises the body limit for its one upload to this and 1 MiB of
    # form): 10 minutes at 128 kbit/s, what a phone records when it does not take the 32 or 64 asked for, is
    # 9.2 MiB. The proxy's own limit for /voice (deploy/nginx.conf) says the same.
    "VOICE_MAX_MB": 12,
    # An upload that finds every slot taken waits this long for one before it is refused (503, Retry-After).
    "ART_QUEUE_SECONDS": 10,
    # Sensitive actions (turning two-step sign-in off, bulk sharing, export, deletion) ask for the
    # password again when it was last entered longer ago than this.
    "REAUTH_MINUTES": 5,
    # Wrong one-time codes for one account before each further code has to wait, as for passwords (the
    # same longest wait, and the same shorter one for an address that has not failed).
    "TOTP_FAILURES_BEFORE_WAIT": 5,
    # How long the one-time code step waits after the password was right.
    "SECOND_FACTOR_MINUTES": 10,
    # Rotate my keys: records re-keyed per committed batch, and how long a request works on it (at least one
    # batch): the progress page, and any other request of the user while a rotation is under way.
    "KEY_ROTATION_BATCH": 50,
    "KEY_ROTATION_PAGE_SECONDS": 1.0,
    "KEY_ROTATION_ANY_PAGE_SECONDS": 0.25,
    # Web Push (reminders): the server's key pair, made once under instance/ unless given (the same on every
    # server: browsers subscribed with its public half), and the contact push services may write to
    # ("mailto:..." or "https://..."; PUBLIC_URL when unset).
    "VAPID_PRIVATE_KEY": None,
    "VAPID_PUBLIC_KEY": None,
    "VAPID_SUBJECT": None,
    # The push services a device's subscription may point at (comma-separated origins, "https://*.push.apple.com"
    # for any host under one); the ones browsers use when unset (journal/reminders/endpoints.py).
    "PUSH_SERVICES": None,
    # The sender (`flask reminders-send`, `make worker`): it looks for due reminders this often, takes up to a
    # batch at a time under a lease (what is not sent within it goes back for the next look), sends with this many
    # threads, and never sends a reminder more than REMINDERS_LATE_MINUTES after its time (the next one comes
    # instead). A message a push service answers 429 or 5xx is tried at most REMINDERS_ATTEMPTS times in all,
    # waiting REMINDERS_BACKOFF_SECONDS, doubled each time, or the Retry-After asked for; a wait longer than
    # REMINDERS_RETRY_WAIT_MAX_SECONDS gives it up instead.
    "REMINDERS_INTERVAL_SECONDS": 30,
    "REMINDERS_BATCH": 200,
    "REMINDERS_LEASE_SECONDS": 600,
    "REMINDERS_SEND_THREADS": 8,
    "REMINDERS_LATE_MINUTES": 60,
    "REMINDERS_ATTEMPTS": 3,
    "REMINDERS_BACKOFF_SECONDS": 2,
    "REMINDERS_RETRY_WAIT_MAX_SECONDS": 60,
    "REMINDERS_TIMEOUT_SECONDS": 10,
    "SESSION_COOKIE_NAME": "journal_csrf",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
}


def load_config(instance_path: Path, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """Defaults, then environment, then the mapping given to the factory."""
    config = dict(DEFAULTS)
    for env_name, (key, parse) in ENVIRONMENT.items():
        raw = os.environ.get(env_name)
        if raw not in (None, ""):
            config[key] = parse(raw)
    config.update(overrides or {})
    if instance_path.exists() and instance_path.stat().st_mode & 0o077:
        instance_path.chmod(0o700)  # the database, its log and the secret live here: this user's only
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{instance_path / 'journal.sqlite3'}"
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _instance_secret(instance_path)
    config["MAX_FORM_MEMORY_SIZE"] = min(config["MAX_FORM_MEMORY_SIZE"], config["MAX_CONTENT_LENGTH"])
    config["PUBLIC_URL"] = check_public_url(config.get("PUBLIC_URL"))
    config["TRUSTED_HOSTS"] = trusted_hosts(config)
    _push_keys(config, instance_path)
    config["CRISIS_RESOURCES"] = _crisis_resources(config.get("CRISIS_RESOURCES_FILE"))
    return config


def _instance_secret(instance_path: Path) -> str:
    """A random secret made on first run and kept, readable only by its owner, under instance/."""
    return _instance_file(instance_path, "secret_key", lambda: secrets.token_urlsafe(48))


def _instance_file(instance_path: Path, name: str, make: Callable[[], str]) -> str:
    """A value made on first run (by `make`) and kept in instance/NAME, readable only by its owner.

    Several workers start at once on a fresh machine: the value is written whole to a file of its own and
    then linked into place, so a worker that loses the race reads the winner's value, never a half-written
    or empty one (an empty secret would leave that worker unable to keep a session: a 500 on every page).
    """
    instance_path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = instance_path / name
    if not path.exists():
        fd, draft = tempfile.mkstemp(prefix=f".{name}.", dir=instance_path)  # made 0600
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(make())
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):  # another worker's value got there first: use it
                os.link(draft, path)
        finally:
            os.unlink(draft)
    value = path.read_text(encoding="ascii").strip()
    if not value:
        raise RuntimeError(f"{path} is empty: delete it to have a new one made ({_WHEN_REMADE.get(name, '')})")
    return value


_WHEN_REMADE = {
    "secret_key": "every session ends",
    "vapid_private_key": "every device subscribed to reminders has to turn them on again",
}


def _push_keys(config: dict[str, Any], instance_path: Path) -> None:
    """The Web Push key pair and contact: given by the environment (several servers share them), or the private
    key made on first run under instance/ like the secret. A public key that is not the private key's half, or a
    contact push services cannot use, stops the start with a reason."""
    from .vault.push_keys import new_push_private_key, push_public_key

    given_private = bool(config.get("VAPID_PRIVATE_KEY"))
    if not given_private:
        config["VAPID_PRIVATE_KEY"] = _instance_file(instance_path, "vapid_private_key", new_push_private_key)
    try:
        public = push_public_key(config["VAPID_PRIVATE_KEY"])
    except ValueError as problem:
        where = "VAPID_PRIVATE_KEY" if given_private else str(instance_path / "vapid_private_key")
        raise ValueError(f"{where} is not a VAPID private key (base64url, 32 bytes): {problem}") from None
    if config.get("VAPID_PUBLIC_KEY") and config["VAPID_PUBLIC_KEY"].strip() != public:
        raise ValueError("VAPID_PUBLIC_KEY is not the public half of VAPID_PRIVATE_KEY")
    config["VAPID_PUBLIC_KEY"] = public
    public_url = config.get("PUBLIC_URL") or ""
    subject = config.get("VAPID_SUBJECT") or (public_url if public_url.startswith("https://") else "")
    subject = subject or "mailto:reminders@localhost"
    if not (subject.startswith("mailto:") and "@" in subject) and not subject.startswith("https://"):
        raise ValueError("VAPID_SUBJECT must be a mailto: address or an https:// address")
    config["VAPID_SUBJECT"] = subject


DEFAULT_CRISIS_RESOURCES = {
    "region": "United States",
    "resources": [
        {"name": "988 Suicide & Crisis Lifeline", "action": "Call or text 988", "href": "tel:988"},
        {"name": "Crisis Text Line", "action": "Text HOME to 741741", "href": "sms:741741?body=HOME"},
        {"name": "Emergency services", "action": "Call 911", "href": "tel:911"},
    ],
}


def _crisis_resources(path: str | None) -> dict[str, Any]:
    """Crisis lines for the region this service runs in: a JSON file, or the US default."""
    if not path:
        return DEFAULT_CRISIS_RESOURCES
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data.get("resources"), list) or not data["resources"]:
        raise ValueError("CRISIS_RESOURCES_FILE needs a non-empty 'resources' list")
    for item in data["resources"]:
        if not {"name", "action", "href"} <= set(item):
            raise ValueError("each crisis resource needs name, action and href")
        if not str(item["href"]).startswith(("tel:", "sms:", "https:")):
            raise ValueError("crisis resource links must be tel:, sms: or https:")
    return data
