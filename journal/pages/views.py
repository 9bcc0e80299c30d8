"""Home, help in a crisis, and the account page."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    """Signed in: the client's journal or the therapist's desk. Otherwise: what this is."""
    if not current_user.is_authenticated:
        return render_template("pages/welcome.html")
    if current_user.role == "therapist":
        return render_template("pages/desk.html")
    return redirect(url_for("entries.list_entries"))


@bp.get("/help")
def crisis_help():
    """Crisis resources, reachable from every page, signed in or not."""
    return render_template("pages/help.html", crisis=current_app.config["CRISIS_RESOURCES"])


@bp.get("/account")
@login_required
def account():
    """Me: the account, the recovery code, the theme, signing out."""
    return render_template("pages/account.html", user=current_user.user)
