"""Who may open a page: a signed-in client, or a therapist with two-step sign-in on; anyone else 403."""

from __future__ import annotations

from functools import wraps

from flask import abort, request, url_for
from flask_login import current_user

from ...account_security.two_factor import blocks
from ..htmx import redirect_page
from .login import unauthorized


def client_required(view):
    """Signed in as a client: the journal is theirs alone."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return unauthorized()
        if current_user.role != "client":
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def therapist_required(view):
    """Signed in as a therapist with two-step sign-in on; a client gets 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return unauthorized()
        if current_user.role != "therapist":
            abort(403)
        gate = two_factor_gate()  # two-step sign-in first: see journal/account_security/two_factor.py
        if gate is not None:
            return gate
        return view(*args, **kwargs)

    return wrapped


def two_factor_gate():
    """None when the signed-in user may go on; else where to send a therapist without two-step sign-in.

    Therapists see what clients share only with two-step sign-in on: any desk page sends them to
    its set-up (which says why); an htmx request gets HX-Redirect; anything but GET gets 403.
    """
    if not current_user.is_authenticated or not blocks(current_user.user):
        return None
    if request.method not in ("GET", "HEAD"):
        abort(403)
    return redirect_page(url_for("account_security.two_factor", required=1))
