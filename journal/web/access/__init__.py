"""Request plumbing every page shares: who is signed in (login.py, session_cookie.py), who may open a page
(guards.py), the password entered again for sensitive actions (reauth.py), and where to come back to (paths.py)."""

from __future__ import annotations

from .guards import client_required, therapist_required, two_factor_gate
from .reauth import mark_password_entered, recent_password_required

__all__ = [
    "client_required",
    "therapist_required",
    "two_factor_gate",
    "recent_password_required",
    "mark_password_entered",
]
