"""The therapist's desk: clients, a client's shared records and brief, invites.

Thin: parse the request, call the desk's rules (service.py, brief.py) or the sharing rules, pick
the template, commit once. Anything not shared with this therapist now is 404, never 403: the
desk does not say what exists. A client signed in gets 403 on every desk page.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..activity import service as activity
from ..asks import service as asks
from ..db import get_db, utcnow
from ..export.service import filename as export_filename
from ..export.views import zip_response
from ..flags.rules import RULES
from ..integration import service as next_sessions
from ..session_notes import service as session_notes
from ..sharing import service as sharing
from ..web.access import recent_password_required, therapist_required
from ..web.form_fields import takes_many_fields
from ..web.htmx import render_page_or_fragment, wants_fragment
from ..web.public_url import external_url
from ..web.ranges import private_file
from . import brief as briefs
from . import caseload, service
from . import export as desk_export
from . import flags as desk_flags
from . import record as desk_record
from . import search as desk_search
from .recent import FLAG_WORDS

bp = Blueprint("desk", __name__, url_prefix="/desk")
IMAGE_ENDPOINT = "desk.image"
SOUND_ENDPOINT = "desk.sound"


def _private_pictures(response: Response) -> Response:
    if request.endpoint in (IMAGE_ENDPOINT, SOUND_ENDPOINT) and response.status_code in (200, 206):
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.record_once
def _last_hook(state) -> None:
    # Runs after the app-wide headers (hooks run in reverse order), which set plain no-store.
    state.app.after_request_funcs.setdefault(None, []).insert(0, _private_pictures)


def _zone() -> str:
    return current_user.user.time_zone


def _linked_or_404(client_id):
    found = service.linked_client(get_db(), current_user.user.id, client_id)
    if found is None:
        abort(404)
    return found


# Clients ---------------------------------------------------------------------------------------


@bp.get("")
@therapist_required
def clients():
    """Every linked client: new since the last review, last activity, a mood line."""
    db = get_db()
    rows = caseload.clients(db, current_user.keyring, _zone(), utcnow())
    db.commit()
    return render_template("desk/clients.html", rows=rows, flag_rules=RULES)


@bp.get("/clients/<uuid:client_id>")
@therapist_required
def client(client_id):
    """A client's shared items by dosing session, a page at a time (?before= the last one shown: htmx loads the
    next page as the reader scrolls, the "Older" link without it), with flags, charts and art of the latest
    weeks, from what is shared now only."""
    link, person = _linked_or_404(client_id)
    db = get_db()
    before = request.args.get("before")
    try:
        if before and wants_fragment():
            shared = service.shared_page(db, current_user.keyring, link, person, _zone(), utcnow(), before)
            db.commit()
            return render_template("desk/_shared_page.html", shared=shared, cid=person.id)
        page = service.client_page(db, current_user.keyring, link, person, _zone(), utcnow(), before)
    except ValueError:
        abort(400)
    notes_panel = session_notes.panel(db, current_user.keyring, link, _zone(), utcnow())
    requests = asks.for_desk(db, current_user.keyring, link, _zone(), utcnow())
    db.commit()
    return render_template(
        "desk/client.html",
        asks=requests,
        page=page,
        flag_rules=RULES,
        flag_words=FLAG_WORDS,
        next_session=next_sessions.for_desk(link, _zone(), utcnow()),
        notes_panel=notes_panel,
    )


@bp.get("/clients/<uuid:client_id>/search")
@therapist_required
def search_form(client_id):
    _link, person = _linked_or_404(client_id)
    return render_template("desk/search.html", client=person, name=service.client_name(person), found=None)


@bp.post("/clients/<uuid:client_id>/search")
@therapist_required
def search_results(client_id):
    """What this client shares now holding the words asked for (in the form's body, never the address)."""
    link, person = _linked_or_404(client_id)
    db = get_db()
    try:
        found = desk_search.search_shared(
            db, current_user.keyring, link, person, request.form.get("q"), request.form.get("after"), utcnow()
        )
    except ValueError:
        abort(400)
    db.commit()
    return render_template("desk/search.html", client=person, name=service.client_name(person), found=found)


@bp.post("/clients/<uuid:client_id>/reviewed")
@therapist_required
def mark_reviewed(client_id):
    link, person = _linked_or_404(client_id)
    service.mark_reviewed(link, request.form.get("seen_at"), utcnow())
    get_db().commit()
    flash(f"Marked as reviewed. New items from {service.client_name(person)} will count from now.", "info")
    return redirect(url_for("desk.client", client_id=client_id), 303)


@bp.get("/clients/<uuid:client_id>/records/<uuid:record_id>")
@therapist_required
def record(client_id, record_id):
    """One shared record in full."""
    link, person = _linked_or_404(client_id)
    db = get_db()
    shared = desk_record.shared_record(db, current_user.keyring, link, person, record_id, _zone(), utcnow())
    if shared is None:
        abort(404)
    db.commit()
    if isinstance(shared, service.Unshown):
        return render_template("desk/unverified.html", client=person, name=service.client_name(person), unshown=shared)
    return render_template("desk/record.html", client=person, name=service.client_name(person), shared=shared)


@bp.post("/clients/<uuid:client_id>/flags/seen")
@takes_many_fields(510)  # "Mark all seen" sends every open flag (500 at most are marked at once)
@therapist_required
def mark_flag_seen(client_id):
    """Mark flags seen: they leave the lists, stay on the record and the brief as seen; the client is told."""
    link, person = _linked_or_404(client_id)
    db = get_db()
    flag_ids = request.form.getlist("flag")[:500]
    if not desk_flags.mark_flags_seen(db, current_user.keyring, link, person, flag_ids, _zone(), utcnow()):
        abort(404)
    db.commit()
    what = "Flag marked" if len(flag_ids) == 1 else f"{len(flag_ids)} flags marked"
    flash(f"{what} as seen. {service.client_name(person)} can see that in their access history.", "info")
    return redirect(_back_to(request.form.get("next"), url_for("desk.client", client_id=client_id)), 303)


def _back_to(target: str | None, fallback: str) -> str:
    """A page of the desk to go back to; anything else (another site, a scheme) goes to `fallback`."""
    if target == "/" or (target and target.startswith("/desk") and "//" not in target and "\\" not in target):
        return target
    return fallback


@bp.get("/clients/<uuid:client_id>/images/<uuid:record_id>/<variant>")
@therapist_required
def image(client_id, record_id, variant):
    """A shared photo ("full" or "thumb"), decrypted for this request only."""
    _linked_or_404(client_id)
    db = get_db()
    data = desk_record.image(db, current_user.keyring, client_id, record_id, variant, utcnow())
    if data is None:
        abort(404)
    db.commit()
    return Response(
        data, 200, mimetype="image/jpeg", headers={"Content-Disposition": f'inline; filename="art-{variant}.jpg"'}
    )


@bp.get("/clients/<uuid:client_id>/sounds/<uuid:record_id>")
@therapist_required
def sound(client_id, record_id):
    """A shared record's sound (a voice note), decrypted for this request only, whole or the part asked for."""
    _linked_or_404(client_id)
    db = get_db()
    found = desk_record.sound(db, current_user.keyring, client_id, record_id, utcnow())
    if found is None:
        abort(404)
    db.commit()
    data, content_type = found
    return private_file(data, content_type, "recording")


@bp.get("/clients/<uuid:client_id>/brief")
@therapist_required
def brief(client_id):
    """Everything shared since a date (?since=YYYY-MM-DD; default: the last session held), to read or print.

    The first screen holds the latest items of the period (older ones a page at a time with ?before=, which
    htmx loads as the reader scrolls); ?all=1 is the whole brief, to print."""
    link, person = _linked_or_404(client_id)
    problem = None
    try:
        since = briefs.parse_since(request.args.get("since"), _zone())
    except ValueError:
        since, problem = None, "That date could not be read, so the brief starts from the usual date."
    db = get_db()
    before = request.args.get("before")
    if before is not None:
        try:
            items, next_cursor = briefs.older_items(db, current_user.keyring, link, person, since, before, utcnow())
        except ValueError:
            abort(400)
        db.commit()
        return render_page_or_fragment(
            "desk/brief_older.html",
            "desk/_brief_items.html",
            items=items,
            next_cursor=next_cursor,
            client=person,
            name=service.client_name(person),
            since_arg=request.args.get("since") if problem is None else None,
        )
    whole = request.args.get("all") == "1"
    result = briefs.build_brief(db, current_user.keyring, link, person, since, _zone(), utcnow(), whole=whole)
    notes_panel = session_notes.panel(db, current_user.keyring, link, _zone(), utcnow())
    db.commit()
    return render_template(
        "desk/brief.html",
        brief=result,
        problem=problem,
        now=utcnow(),
        flag_rules=RULES,
        flag_words=FLAG_WORDS,
        since_arg=request.args.get("since") if problem is None else None,
        next_session=next_sessions.for_desk(link, _zone(), utcnow()),
        notes_panel=notes_panel,
    )


@bp.post("/clients/<uuid:client_id>/export")
@therapist_required
@recent_password_required
def export(client_id):
    """Everything this client shares with the therapist now, as the same kind of zip as a client's own export."""
    _link, person = _linked_or_404(client_id)
    db, now = get_db(), utcnow()
    desk_record.confirm_signer(db, current_user.keyring, person, now)
    activity.record(db, current_user.user.id, "therapist_export", device=current_user.device, about=person.id, now=now)
    db.commit()
    # Flask types current_app as the Flask it stands for; it is a LocalProxy, which has this method.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    chunks = desk_export.therapist_archive(app, current_user.keyring, current_user.user, person, now)
    return zip_response(chunks, export_filename(f"shared by {service.client_name(person)}", now, person.time_zone))


@bp.post("/clients/<uuid:client_id>/session-held")
@therapist_required
def session_held(client_id):
    link, _person = _linked_or_404(client_id)
    cleared = service.mark_session_held(link, utcnow(), _zone())
    get_db().commit()
    flash(
        "Session marked as held. The next brief starts from now."
        + (" Its date is cleared: note the next one when you know it." if cleared else ""),
        "info",
    )
    return redirect(url_for("desk.client", client_id=client_id), 303)


@bp.get("/clients/<uuid:client_id>/end")
@therapist_required
def confirm_end(client_id):
    _link, person = _linked_or_404(client_id)
    return render_template("desk/end.html", client=person, name=service.client_name(person))


@bp.post("/clients/<uuid:client_id>/end")
@therapist_required
def end_link(client_id):
    """End the link: every share ends with it, at once."""
    link, person = _linked_or_404(client_id)
    db = get_db()
    service.end_link(db, link, utcnow())
    me = current_user.user
    activity.record(db, me.id, "link_ended", device=current_user.device, about=person.id)
    activity.record(db, person.id, "link_ended", detail=me.display_name or me.email)
    db.commit()
    flash(f"The link with {service.client_name(person)} has ended. Nothing they shared opens for you now.", "info")
    return redirect(url_for("desk.clients"), 303)


# Invites ---------------------------------------------------------------------------------------


def _invites_page(code=None, problem=None, status=200):
    invites = sharing.open_invites(get_db(), current_user.user, utcnow())
    # The code rides in the fragment, which browsers never send: no server or proxy log can hold it.
    link_url = external_url("sharing.link_form", _anchor=code) if code else None
    return render_template(
        "desk/invites.html",
        invites=invites,
        code=code,
        link_url=link_url,
        problem=problem,
        days=sharing.INVITE_DAYS,
        fingerprint=sharing.own_key_fingerprint(current_user.keyring),
    ), status


@bp.get("/invites")
@therapist_required
def invites():
    """Open invites with their expiry; make a new one."""
    return _invites_page()


@bp.post("/invites")
@therapist_required
def create_invite():
    """A new single-use code, shown once on the page this answers with (only its hash is kept)."""
    db = get_db()
    try:
        code, _invite = sharing.create_invite(
            db, current_app.config, current_user.user, utcnow(), keyring=current_user.keyring
        )
    except sharing.SharingProblem as problem:
        return _invites_page(problem=str(problem), status=429)
    db.commit()
    return _invites_page(code=code)


@bp.post("/invites/<uuid:invite_id>/cancel")
@therapist_required
def cancel_invite(invite_id):
    db = get_db()
    if not sharing.cancel_invite(db, current_user.user, invite_id):
        abort(404)
    db.commit()
    flash("Invite cancelled. Its code no longer works.", "info")
    return redirect(url_for("desk.invites"), 303)
