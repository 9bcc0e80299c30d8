"""Helpers for the account-security tests: activity lines, ageing the password time, linking through the pages."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from journal.db import get_db, utcnow
from journal.models import AuthSession, SecurityEvent, User

from .support import WebClient

INVITE_RE = re.compile(r"data-invite-code>([A-Z2-7]{4}-[A-Z2-7]{4})<")
LINK_RE = re.compile(r"/clinicians/([0-9a-f-]{36})/end")
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1"
)
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0"
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/125.0.0.0 Mobile Safari/537.36"
)


def user_row(app, email: str) -> User:
    """The user's row as it is now (detached, so its values stay readable)."""
    with app.app_context():
        db = get_db()
        user = db.scalar(select(User).where(User.email == email))
        db.expunge(user)
        return user


def events(app, email: str) -> list[tuple[str, str | None, str | None]]:
    """(kind, detail, device) of every security event of the account, oldest first."""
    with app.app_context():
        db = get_db()
        user_id = db.scalar(select(User.id).where(User.email == email))
        return [
            (e.kind, e.detail, e.device)
            for e in db.scalars(
                select(SecurityEvent).where(SecurityEvent.user_id == user_id).order_by(SecurityEvent.id)
            )
        ]


def kinds(app, email: str) -> list[str]:
    return [kind for kind, _detail, _device in events(app, email)]


def age_password(app, email: str, minutes: int = 10) -> None:
    """As if the password was last entered `minutes` ago in every session of the account."""
    with app.app_context():
        db = get_db()
        user_id = db.scalar(select(User.id).where(User.email == email))
        db.execute(
            update(AuthSession)
            .where(AuthSession.user_id == user_id)
            .values(password_at=utcnow() - timedelta(minutes=minutes))
        )
        db.commit()


def with_agent(client: WebClient, agent: str) -> WebClient:
    """Every request of this client carries this User-Agent."""
    client.raw.environ_base["HTTP_USER_AGENT"] = agent
    return client


def link_through_pages(doc: WebClient, client: WebClient, auto_share: tuple[str, ...] = ()) -> str:
    """The therapist makes an invite on the desk, the client consents on /link; returns the client's link id."""
    doc.get("/desk/invites")
    code = INVITE_RE.search(doc.post("/desk/invites").get_data(as_text=True)).group(1)
    client.post("/link/code", {"code": code})
    response = client.post("/link", {"code": code, "auto_share": list(auto_share)})
    assert response.status_code == 303, response.status_code
    return LINK_RE.search(client.get("/clinicians").get_data(as_text=True)).group(1)
