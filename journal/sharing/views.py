"""The client's sharing pages: link with a clinician, share records, prepare for a session, history.

Thin: parse the form, call the sharing rules (service.py, choices.py), pick the template.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..activity import service as activity
from ..db import get_db, utcnow
from ..integration import service as next_sessions
from ..records import kinds
from ..web.access import client_required, recent_password_required
from ..web.form_fields import takes_many_fields
from . import audience, choices, service

bp = Blueprint("sharing", __name__)


def _keyring():
    return current_user.keyring


def _user():
    return current_user.user


# Clinicians -------------------------------------------------------------------------------------


@bp.get("/clinicians")
@client_required
def clinicians():
    """Every clinician the client is linked with: standing shares, revoke all, end link; link another."""
    db = get_db()
    changed = {linked.link.id for linked in service.check_clinician_keys(db, _keyring(), utcnow())}
    db.commit()
    links = service.links_for_client(db, _user().id)
    return render_template(
        "sharing/clinicians.html",
        links=links,
        sessions=next_sessions.for_client(_user(), links, _user().time_zone, utcnow()),
        counts=choices.shared_counts(db, _user().id),
        choices=service.AUTO_SHARE_CHOICES,
        key_changed=changed,
        key_changed_words=service.key_changed_words,
    )


@bp.post("/clinicians/<uuid:link_id>/standing")
@client_required
@recent_password_required(return_to="sharing.clinicians")
def standing_shares(link_id):
    """Change which new records are shared with this clinician as they are saved."""
    db = get_db()
    link = _link_or_404(link_id)
    service.set_auto_share(link.link, request.form.getlist("auto_share"))
    activity.record(db, _user().id, "standing_shares", device=current_user.device, detail=link.name)
    db.commit()
    flash(f"Standing shares with {link.name} saved. They apply to what you add from now on.", "info")
    return redirect(url_for("sharing.clinicians"), 303)


@bp.get("/clinicians/<uuid:link_id>/stop-sharing")
@client_required
@recent_password_required
def confirm_revoke_all(link_id):
    """Ask before revoking every share with one clinician."""
    link = _link_or_404(link_id)
    return render_template(
        "sharing/revoke_all.html", link=link, count=choices.shared_counts(get_db(), _user().id).get(link.link.id, 0)
    )


@bp.post("/clinicians/<uuid:link_id>/stop-sharing")
@client_required
@recent_password_required
def revoke_all(link_id):
    """Revoke every share with one clinician; the link stays."""
    db = get_db()
    link = _link_or_404(link_id)
    count = choices.stop_everything(db, _keyring(), link.link, utcnow(), device=current_user.device, name=link.name)
    db.commit()
    flash(f"Stopped sharing {_records(count)} with {link.name}. Standing shares with them are off.", "info")
    return redirect(url_for("sharing.clinicians"), 303)


@bp.get("/clinicians/<uuid:link_id>/end")
@client_required
@recent_password_required
def confirm_end(link_id):
    """Ask before ending a link: it takes every share with it."""
    link = _link_or_404(link_id)
    return render_template(
        "sharing/end.html", link=link, count=choices.shared_counts(get_db(), _user().id).get(link.link.id, 0)
    )


@bp.post("/clinicians/<uuid:link_id>/end")
@client_required
@recent_password_required
def end_link(link_id):
    """End the link: every share goes and each shared record gets a new key."""
    db = get_db()
    link = _link_or_404(link_id)
    service.end_link(db, link.link, utcnow(), client_keyring=_keyring())
    activity.record(db, _user().id, "link_ended", device=current_user.device, detail=link.name)
    activity.record(db, link.other.id, "link_ended", about=_user().id)
    db.commit()
    flash(f"Your link with {link.name} has ended. Nothing of yours is shared with them now.", "info")
    return redirect(url_for("sharing.clinicians"), 303)


# Linking ------------------------------------------------------------------------------------------


@bp.get("/link")
@client_required
def link_form():
    """The code form. An invite link puts its code after "#" (link.js sends it with the form); a code in the
    query string is never read, so no server log ever holds one."""
    return render_template("sharing/link.html", code="", error=None, from_address="code" in request.args)


@bp.post("/link/code")
@client_required
def check_code():
    """A code typed or brought by an invite link: the consent screen for its clinician."""
    code = request.form.get("code", "").strip()[:40]
    db = get_db()
    try:
        _invite, therapist = service.find_invite(db, current_app.config, _user(), code, utcnow())
    except service.SharingProblem as problem:
        return _refused(code, problem)
    if any(
        link.other.id == therapist.id and link.link.key_changed_at is None
        for link in service.links_for_client(db, _user().id)
    ):
        db.commit()
        return render_template(
            "sharing/link.html", code="", error="You are already linked with this clinician.", linked=True
        ), 422
    db.commit()
    return _consent(code, therapist)


@bp.post("/link")
@client_required
def consent():
    """Consent given: make the link, pin the clinician's key, set the standing shares chosen."""
    code = request.form.get("code", "").strip()[:40]
    db = get_db()
    try:
        invite, therapist = service.find_invite(db, current_app.config, _user(), code, utcnow())
        link = service.link_client(
            db, _keyring(), _user(), invite, therapist, request.form.getlist("auto_share"), utcnow(), code=code
        )
        activity.record(
            db, _user().id, "link_made", device=current_user.device, detail=therapist.display_name or therapist.email
        )
        activity.record(db, therapist.id, "client_linked", about=_user().id)
    except service.SharingProblem as problem:
        db.rollback()
        return _refused(code, problem)
    db.commit()
    flash(audience.linked_message(therapist.display_name or therapist.email, link.auto_share_kinds.split(",")), "info")
    return redirect(url_for("sharing.clinicians"), 303)


def _refused(code: str, problem: service.SharingProblem):
    """The code form again with what is wrong; a clinician's key that does not match its invite is a security
    event on both sides."""
    db = get_db()
    if isinstance(problem, service.KeyMismatch):
        db.rollback()
        therapist = problem.therapist
        activity.record(
            db,
            _user().id,
            "invite_key_refused",
            device=current_user.device,
            detail=therapist.display_name or therapist.email,
        )
        activity.record(db, therapist.id, "invite_key_mismatch", about=_user().id)
        current_app.logger.warning(
            "security: an invite's key tag did not match its clinician's key: client=%s therapist=%s",
            _user().id,
            therapist.id,
        )
        code = ""
    db.commit()
    return render_template("sharing/link.html", code=code, error=str(problem)), 422


def _consent(code: str, therapist):
    return render_template(
        "sharing/consent.html",
        code=code,
        name=therapist.display_name or therapist.email,
        fingerprint=service.key_fingerprint(therapist),
        choices=service.AUTO_SHARE_CHOICES,
    )


# Sharing one record -----------------------------------------------------------------------------


@bp.get("/share/<uuid:record_id>")
@client_required
def share_page(record_id):
    """For each clinician: shared or not, since when, last opened; and exactly what they would see."""
    return _share_page(_record_or_404(record_id))


@bp.post("/share/<uuid:record_id>")
@client_required
def apply_shares(record_id):
    """Share with the newly ticked clinicians; stop sharing with the unticked ones.

    Whose record it is comes from metadata; it is opened only when the page is shown again."""
    db = get_db()
    if not choices.owns_record(db, _user().id, record_id):
        abort(404)
    changed, problems = choices.apply_choices(
        db, _keyring(), record_id, request.form.getlist("link_ids"), utcnow(), device=current_user.device
    )
    db.commit()
    if problems:
        return _share_page(_record_or_404(record_id), problems=problems, changed=changed, status=409)
    flash(" ".join(changed) if changed else "Nothing changed.", "info")
    return redirect(url_for("sharing.share_page", record_id=record_id), 303)


def _share_page(view, *, problems=(), changed=(), status=200):
    states = service.share_states(get_db(), _user().id, view.id)
    kind = kinds.kind(view.kind)
    image_url = kind.picture_url(view, "full") if kind.picture_url is not None else None
    sound_url = kind.sound_url(view) if kind.sound_url is not None else None
    return render_template(
        "sharing/share.html",
        view=view,
        states=states,
        zone=_user().time_zone,
        image_url=image_url,
        sound_url=sound_url,
        back_url=kind.owner_url(view),
        problems=list(problems),
        changed=list(changed),
    ), status


# Preparing for a session ------------------------------------------------------------------------


@bp.get("/share/prepare")
@client_required
@recent_password_required
def prepare():
    """Everything written since the last integration session, per clinician, to share in one step."""
    return render_template("sharing/prepare.html", groups=choices.prepare_groups(get_db(), _keyring()), problems=[])


@bp.post("/share/prepare")
@takes_many_fields(2000)  # one box per item written since the last session, per clinician
@client_required
@recent_password_required
def share_prepared():
    """Share every ticked item; anything already shared is not sent again."""
    db = get_db()
    sent, problems = choices.share_prepared(
        db, _keyring(), request.form.getlist("items"), utcnow(), device=current_user.device
    )
    db.commit()
    for name, count in sent.items():
        flash(f"Shared {_records(count)} with {name}.", "info")
    if problems:
        return render_template(
            "sharing/prepare.html", groups=choices.prepare_groups(db, _keyring()), problems=problems
        ), 409
    if not sent:
        flash("Nothing new was ticked, so nothing was sent.", "info")
    return redirect(url_for("sharing.prepare"), 303)


# Access history -----------------------------------------------------------------------------------


@bp.get("/access")
@client_required
def access():
    """What clinicians opened or saw of what you share, by day, newest first."""
    return render_template("sharing/access.html", days=choices.access_days(get_db(), _keyring(), _user().time_zone))


def _link_or_404(link_id: uuid.UUID) -> service.LinkView:
    found = next((link for link in service.links_for_client(get_db(), _user().id) if link.link.id == link_id), None)
    if found is None:
        abort(404)
    return found


def _record_or_404(record_id: uuid.UUID):
    view = choices.own_record(get_db(), _keyring(), record_id)
    if view is None:
        abort(404)
    return view


def _records(count: int) -> str:
    return f"{count} record{'' if count == 1 else 's'}"
