"""Demo accounts for trying the app: one therapist, one client with a few entries."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete

from .account_security import two_factor
from .accounts import service as auth_service
from .checkins.service import KIND as CHECKIN
from .db import get_db, utcnow
from .entries import service as entry_service
from .measures.service import KIND as MEASURE
from .models import User
from .sharing import service as sharing

DEMO = (("therapist", "therapist@demo.example"), ("client", "client@demo.example"))
ENTRIES = (
    ("Before the first session", "My intention: *to be kinder to myself*.\n\nI feel nervous and curious."),
    ("Day 1", "Colours, and a sense of being held. I want to remember the **warmth**.\n\n- rest\n- walk\n- write"),
    (
        "Day 3",
        "A quieter day. Things I want to bring to the integration session:\n\n1. the image of the lake\n2. my father",
    ),
)


def make_demo(password_for: Callable[[str], str]) -> list[tuple[str, str, str, str | None]]:
    """The demo accounts, made anew: (role, email, password, two-step sign-in key or None) for each.

    The therapist has two-step sign-in on (the desk requires it): add the key to an authenticator app.
    """
    db = get_db()
    db.execute(delete(User).where(User.email.in_([email for _, email in DEMO])))
    # Commit before each sign-up: its rate counter writes in a transaction of its own.
    db.commit()
    made = []
    now = utcnow()
    signed_up = {}
    for role, email in DEMO:
        password = password_for(email)
        result = auth_service.sign_up(
            db,
            current_app.config,
            email=email,
            password=password,
            role=role,
            time_zone="UTC",
            address=f"demo-{uuid.uuid4()}",
            now=now,
            display_name="Dr Demo Therapist" if role == "therapist" else "Demo Client",
        )
        if result is None:  # its email was freed just above: nothing else may take it meanwhile
            raise RuntimeError(f"the demo account {email} could not be made")
        auth_service.confirm_recovery_saved(result.user, now)
        secret = two_factor.turn_on_for_demo(db, result.user, result.keyring, now) if role == "therapist" else None
        auth_service.sign_out(db, result.token)
        entry_ids = []
        if role == "client":
            for days_ago, (title, body) in zip((6, 4, 2), ENTRIES, strict=True):
                data, _ = entry_service.clean_entry(title, body)
                entry_ids.append(
                    entry_service.create_entry(
                        db, result.keyring, uuid.uuid4().hex, data, now - timedelta(days=days_ago)
                    )
                )
        signed_up[role] = (result, entry_ids)
        made.append((role, email, password, secret))
        db.commit()
    _link_and_share(db, signed_up, now)
    return made


def _link_and_share(db, signed_up, now) -> None:
    """The demo client links with the demo therapist and shares the newest entry."""
    therapist, _ = signed_up["therapist"]
    client, entry_ids = signed_up["client"]
    code, _invite = sharing.create_invite(db, current_app.config, therapist.user, now, keyring=therapist.keyring)
    db.commit()
    invite, found = sharing.find_invite(db, current_app.config, client.user, code, now)
    link = sharing.link_client(db, client.keyring, client.user, invite, found, [CHECKIN, MEASURE], now, code=code)
    sharing.share(db, client.keyring, entry_ids[-1], link, now)
    db.commit()
