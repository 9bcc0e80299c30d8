"""Sharing: invites, links, shares, revoke, clinicians' reads."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """What sharing does while a person's keys are open (accounts/after_unlock.py runs it)."""
    from ..accounts import after_unlock
    from .after_unlock import earlier_shares_and_links, ended_links

    after_unlock.on_unlock(app, earlier_shares_and_links)
    after_unlock.on_sign_in(app, ended_links)
