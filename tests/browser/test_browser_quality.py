"""The quality gate, in a real browser (Debian Chromium via Playwright) against the real server under gunicorn:
every page a visitor, a client or a therapist can reach is checked with axe-core, in the light and the dark
theme, and at 320 px for sideways scroll (and the other narrow-phone problems `narrow_problems` knows).

The pages are listed once, in PAGES below, each with a readable name. `test_every_page_is_swept` fails when the
app has a GET route that no entry of PAGES visits, so a new page cannot be forgotten: add it to PAGES (or, if it
serves no HTML, to NOT_PAGES with the reason).

Accessibility does not depend on the database: this file runs on SQLite only.
Screenshots (one per page per theme, at 320 px) go to test-output/screenshots/quality/.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from journal import create_app

from .. import art_images, voice_files
from ..support import CODE_RE, CSRF_RE, FAST_KDF, PASSWORD, ROOT, database_for, live_server
from .browser_support import CLIENT_KEY_RE, COMMON, NARROW, Shots, narrow_problems, new_email, set_up_two_factor

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"  # pinned in package.json; `make node_modules/.installed`
THEMES = ("light", "dark")
BLOCKING = ("serious", "critical")  # axe impacts that fail the gate; "minor" and "moderate" are not gated
ZONE = ZoneInfo(COMMON["timezone_id"])
ENTRY_BODY = """A quieter week. **The grief felt lighter**, and I noticed:

- the music from the session came back twice
- I slept *better* after walking

> Stay with what is difficult, gently.

More at [the help page](/help) and `one small step`.
"""


# The pages -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page to sweep.

    `path` may hold {placeholders} filled from the data the fixture `world` made (ids, codes). A page reached by
    sending a form has `reach(page, ids)`, which gets there in the browser from `path`. `status` is the answer
    expected: a page that answers anything else (a redirect to sign in, a 404 by mistake) fails the sweep.
    `shows` is a text the page must show, so the sweep is known to check it with its content.
    """

    name: str
    who: str  # "visitor" (signed out), "client" or "therapist"
    path: str
    status: int = 200
    reach: Callable | None = None
    shows: str | None = None


def _wrong_password(page, ids) -> None:
    page.get_by_label("Email").fill(ids["client_email"])
    page.get_by_label("Password", exact=True).fill("not the password at all")
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.status == 422


def _sign_up_problems(page, ids) -> None:
    page.get_by_label("Email").fill("not an email")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password again").fill("different")
    page.locator("form").evaluate("form => form.noValidate = true")  # let the server say what is wrong
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Create account").click()
    assert answer.value.status == 422


def _sign_up_in_the_form(page, ids) -> None:
    page.get_by_label("A client, writing my own journal").check()
    page.get_by_label("Email").fill(new_email("quality-visitor"))
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("[data-recovery-code]")).to_be_visible()


def _new_recovery_code(page, ids) -> None:
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Make a new code").click()
    expect(page.locator("[data-recovery-code]")).to_be_visible()


def _delete_refused(page, ids) -> None:
    """The account deletion form with a wrong password: refused (422), nothing deleted, the field marked."""
    page.get_by_label("Your password").fill("not the password at all")
    page.get_by_label("Type delete my journal to confirm").fill("delete my journal")
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Delete my account for good").click()
    assert answer.value.status == 422
    expect(page.get_by_label("Your password")).to_have_attribute("aria-invalid", "true")


def _password_step(page, ids) -> None:
    """Signing in to an account with two-step sign-in: the password is right, the code step comes next."""
    page.get_by_label("Email").fill(ids["therapist_email"])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/signin/code"))


def _code_typed(page, ids) -> None:
    """A client types a clinician's invite code: the consent screen for that clinician."""
    page.get_by_label("Code from your clinician").fill(ids["second_code"])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/link/code$"))


def _wrong_code(page, ids) -> None:
    _password_step(page, ids)
    page.get_by_label("6-digit code").fill("000000")
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.status in (422, 429)  # 000000 is (almost surely) not the code of the moment


def _set_up_wrong_code(page, ids) -> None:
    page.get_by_label("6-digit code").fill("12345x")
    page.locator("form[action='/account/two-step']").evaluate("form => form.noValidate = true")
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Turn on two-step sign-in").click()
    assert answer.value.status == 422


def _password_change_problems(page, ids) -> None:
    page.get_by_label("Current password").fill("not the password at all")
    page.get_by_label("New password", exact=True).fill("a brand new passphrase")
    page.get_by_label("New password again").fill("a different passphrase")
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Change password").click()
    assert answer.value.status == 422


def _plan_problems(page, ids) -> None:
    """The safety plan form with a line too long: refused (422), everything typed kept, the section marked."""
    page.get_by_label("2. Things I can do on my own").fill("A long walk, " * 25)
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Save my plan").click()
    assert answer.value.status == 422
    expect(page.get_by_label("2. Things I can do on my own")).to_have_attribute("aria-invalid", "true")


def _search_grief(page, ids) -> None:
    page.get_by_label("Words to find").fill("grief")
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Search", exact=True).click()
    assert answer.value.status == 200


def _make_invite(page, ids) -> None:
    page.get_by_role("button", name="Make an invite").click()
    expect(page.locator("[data-invite-code]")).to_be_visible()


# Every page, once. Keep names unique: they name the screenshots and the problems.
PAGES: list[Page] = [
    # Signed out
    Page("welcome", "visitor", "/"),
    Page("signin", "visitor", "/signin"),
    Page("signin-idle-locked", "visitor", "/signin?locked=1&next=/entries"),
    Page("signin-wrong-password", "visitor", "/signin", reach=_wrong_password),
    Page("signup", "visitor", "/signup"),
    Page("signup-problems", "visitor", "/signup", reach=_sign_up_problems),
    Page("signup-recovery-code", "visitor", "/signup", reach=_sign_up_in_the_form),
    Page("recover", "visitor", "/recover"),
    Page("signin-code", "visitor", "/signin/code", reach=_password_step, shows="Code from your app"),
    Page("signin-code-wrong", "visitor", "/signin/code", reach=_wrong_code, shows="Code from your app"),
    Page("help-signed-out", "visitor", "/help"),
    Page("not-found-signed-out", "visitor", "/no-such-page", status=404),
    Page("account-deleted", "visitor", "/account/deleted"),
    # A client: Today and +
    Page("today", "client", "/", shows="after session 2"),
    Page("add", "client", "/new"),
    # The pages the service worker keeps for use without a network (the forms show once the device knows the client).
    Page("offline", "client", "/offline", shows="This page needs a connection"),
    Page("offline-entry", "client", "/offline/entry", shows="Saved on this phone until you are back online"),
    Page("offline-checkin", "client", "/offline/checkin", shows="Answer only what you want to"),
    Page("offline-voice", "client", "/offline/voice", shows="kept with your latest dosing session"),
    Page("outbox", "client", "/outbox", shows="Nothing is waiting"),
    Page("offline-signed-out", "visitor", "/offline/entry", shows="Writing needs a connection here"),
    # Journal entries
    Page("entries", "client", "/entries", shows="Half a thought"),
    Page("entry-new", "client", "/entries/new"),
    Page("entry-new-prompt", "client", "/entries/new?prompt={prompt}"),
    Page("asked-phq9", "client", "/asks/{ask_phq9}/answer", shows="Dr Ada Lindqvist asked for this."),
    Page("asked-prompt", "client", "/asks/{ask_prompt}/answer", shows="What did the room sound like?"),
    Page("entry", "client", "/entries/{entry}", shows="The grief felt lighter"),
    Page("entry-edit", "client", "/entries/{entry}/edit"),
    Page("entry-edit-conflict", "client", "/entries/{conflict_entry}/edit", shows="Saved on the laptop."),
    Page("entry-delete", "client", "/entries/{entry}/delete"),
    # Dosing sessions
    Page("sessions", "client", "/sessions", shows="Heavy, then light as air"),
    Page("session-new", "client", "/sessions/new"),
    Page("session", "client", "/sessions/{session}"),
    Page("session-edit", "client", "/sessions/{session}/edit"),
    Page("session-delete", "client", "/sessions/{session}/delete"),
    # Intentions
    Page("intentions", "client", "/intentions", shows="To sleep before midnight"),
    Page("intention", "client", "/intentions/{intention}", shows="How it showed up"),
    Page("intention-new", "client", "/intentions/new"),
    Page("intention-edit", "client", "/intentions/{intention}/edit"),
    Page("intention-delete", "client", "/intentions/{intention}/delete"),
    # Check-ins
    Page("checkins", "client", "/checkins", shows="on edge"),
    Page("checkin-new", "client", "/checkins/new"),
    Page("checkin", "client", "/checkins/{checkin}"),
    Page("checkin-delete", "client", "/checkins/{checkin}/delete"),
    # Questionnaires
    Page("questionnaires", "client", "/questionnaires"),
    Page("phq9-form", "client", "/questionnaires/phq9/new"),
    Page("gad7-form", "client", "/questionnaires/gad7/new"),
    Page("pcl5-form", "client", "/questionnaires/pcl5/new"),
    Page("phq9-result", "client", "/questionnaires/{phq9}", shows="988"),
    Page("gad7-result", "client", "/questionnaires/{gad7}"),
    Page("pcl5-result", "client", "/questionnaires/{pcl5}"),
    Page("questionnaire-delete", "client", "/questionnaires/{gad7}/delete"),
    # Timeline and charts
    Page("timeline", "client", "/timeline", shows="Session 2"),
    Page("charts", "client", "/charts?range=all"),
    Page("timeline-filtered", "client", "/timeline?session=2&kind=entry", shows="Clear filters"),
    Page("search", "client", "/search", shows="Search your journal"),
    Page("search-results", "client", "/search", reach=_search_grief, shows="grief felt lighter"),
    # Art
    Page("art", "client", "/art", shows="Session 1"),
    Page("art-new", "client", "/art/new"),
    Page("art-photo", "client", "/art/{art}", shows="Blue hills"),
    Page("art-link-entry", "client", "/entries/link-photo/{art}", shows="Link this photo to an entry"),
    Page("art-edit", "client", "/art/{art}/edit"),
    Page("art-delete", "client", "/art/{art}/delete"),
    Page("art-compare", "client", "/art/compare"),
    # Voice notes
    Page("voice-new", "client", "/voice/new", shows="Or choose a recording from this phone"),
    Page("voice-note", "client", "/voice/{voice}", shows="Said on the way home"),
    Page("voice-edit", "client", "/voice/{voice}/edit"),
    Page("voice-delete", "client", "/voice/{voice}/delete"),
    Page("share-voice", "client", "/share/{voice}", shows="Said on the way home"),
    # Sharing
    Page("clinicians", "client", "/clinicians", shows="Dr Ada Lindqvist"),
    Page("clinician-stop-sharing", "client", "/clinicians/{link}/stop-sharing"),
    Page("clinician-end", "client", "/clinicians/{link}/end"),
    Page("link-code", "client", "/link"),
    Page("link-consent", "client", "/link", reach=_code_typed, shows="Dr Bea Moreno"),
    Page("share-entry", "client", "/share/{entry}", shows="last opened"),
    Page("share-art", "client", "/share/{art}"),
    Page("share-prepare", "client", "/share/prepare", shows="Not shared yet"),
    Page("next-session", "client", "/next-session", shows="With Dr Ada Lindqvist"),
    Page("access-history", "client", "/access", shows="Dr Ada Lindqvist"),
    # The safety plan
    Page("safety-plan", "client", "/safety-plan", shows="Walk to the bridge and back"),
    Page("safety-plan-edit", "client", "/safety-plan/edit", shows="Edit my safety plan"),
    Page("safety-plan-problems", "client", "/safety-plan/edit", reach=_plan_problems, shows="Nothing is saved yet"),
    Page("safety-plan-print", "client", "/safety-plan/print", shows="If I am in danger now"),
    Page("safety-plan-delete", "client", "/safety-plan/delete", shows="Delete your safety plan?"),
    Page("share-safety-plan", "client", "/share/{plan}", shows="Walk to the bridge and back"),
    # Me, help, errors
    Page("me-client", "client", "/account", shows="Your data"),
    Page("export", "client", "/account/export", shows="Download everything (zip)"),
    Page("reminders", "client", "/account/reminders", shows="Daily check-in"),
    Page("reminders-stop", "client", "/reminders/stop", shows="Stop reminders"),
    Page("delete-account", "client", "/account/delete", shows="delete my journal"),
    Page("delete-account-refused", "client", "/account/delete", reach=_delete_refused),
    Page("recovery-code-new", "client", "/recovery-code/new"),
    Page("recovery-code-shown", "client", "/recovery-code/new", reach=_new_recovery_code),
    # Me → Security
    Page("two-step-set-up", "client", "/account/two-step", shows="Turn on two-step sign-in"),
    Page(
        "two-step-set-up-wrong-code",
        "client",
        "/account/two-step",
        reach=_set_up_wrong_code,
        shows="That code is not right",
    ),
    Page("password-change", "client", "/account/password"),
    Page(
        "password-change-problems",
        "client",
        "/account/password",
        reach=_password_change_problems,
        shows="The two new passwords are not the same.",
    ),
    Page("signed-in-devices", "client", "/account/sessions", shows="This device"),
    Page("rotate-keys", "client", "/account/keys", shows="if you think someone may have seen your password"),
    Page("security-activity", "client", "/account/activity", shows="Your account was made."),
    Page("confirm-password", "client", "/confirm-password?next=/account", shows="Enter your password"),
    Page("help-client", "client", "/help", shows="Riverside Clinic, after hours"),
    Page("not-found-client", "client", "/entries/00000000-0000-4000-8000-000000000000", status=404),
    # A therapist: the desk
    Page("desk", "therapist", "/desk", shows="{client_email}"),
    Page("desk-home", "therapist", "/"),
    Page("desk-client", "therapist", "/desk/clients/{client}", shows="After the second session"),
    Page("desk-record-entry", "therapist", "/desk/clients/{client}/records/{entry}"),
    Page("desk-record-art", "therapist", "/desk/clients/{client}/records/{art}", shows="Blue hills"),
    Page("desk-record-phq9", "therapist", "/desk/clients/{client}/records/{phq9}"),
    Page("desk-record-voice", "therapist", "/desk/clients/{client}/records/{voice}", shows="Said on the way home"),
    Page("desk-record-safety-plan", "therapist", "/desk/clients/{client}/records/{plan}", shows="Walk to the bridge"),
    Page("desk-search", "therapist", "/desk/clients/{client}/search", shows="Search what"),
    Page(
        "desk-search-results",
        "therapist",
        "/desk/clients/{client}/search",
        reach=_search_grief,
        shows="grief felt lighter",
    ),
    Page("desk-brief", "therapist", "/desk/clients/{client}/brief", shows="After the second session"),
    Page("desk-end-link", "therapist", "/desk/clients/{client}/end"),
    Page("desk-invites", "therapist", "/desk/invites", shows="expires"),
    Page("desk-note", "therapist", "/desk/notes/{note}", shows="Slower breathing helped."),
    Page("desk-notes-former", "therapist", "/desk/notes/former"),
    Page("desk-asks", "therapist", "/desk/clients/{client}/asks", shows="What did the room sound like?"),
    Page("desk-invite-made", "therapist", "/desk/invites", reach=_make_invite),
    Page("me-therapist", "therapist", "/account", shows="Riverside Clinic, after hours"),
    Page("after-hours-line", "therapist", "/account/after-hours-line", shows="Your practice's after-hours line"),
    Page("delete-account-therapist", "therapist", "/account/delete", shows="delete my account"),
    Page("recovery-code-new-therapist", "therapist", "/recovery-code/new"),
    Page("two-step-on", "therapist", "/account/two-step", shows="Two-step sign-in is on"),
    Page("two-step-off-confirm", "therapist", "/account/two-step/off", shows="Turn off two-step sign-in?"),
    Page("security-activity-therapist", "therapist", "/account/activity", shows="linked with you"),
    Page("help-therapist", "therapist", "/help"),
    Page("not-found-therapist", "therapist", "/desk/clients/00000000-0000-4000-8000-000000000000", status=404),
]

# GET endpoints that serve no HTML page of their own, with the reason. Any rule ending in a file extension
# (/sw.js, /manifest.webmanifest, /art/<id>/thumb.jpg) is a file, not a page, and is left out as well.
NOT_PAGES = {
    "static": "CSS, JavaScript, icons",
    "health.healthz": "a probe for the proxy, plain text",
    "csrf_token": "the browser's CSRF token as JSON, for a page opened before a sign-in elsewhere",
    "desk.image": "a shared photo's bytes",
    "desk.sound": "a shared voice note's sound",
    "voice.sound": "a voice note's sound, for its owner",
    "measures.instrument_home": "only redirects to the questionnaire's form",
}
FILE_RULE = re.compile(r"\.[a-z0-9]+$")


def test_every_page_is_swept(tmp_path):
    """Each GET route of the app that serves a page is visited by at least one entry of PAGES."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'routes.sqlite3'}",
            "INSTANCE_PATH": tmp_path / "instance",
            **FAST_KDF,
        }
    )
    try:
        adapter = app.url_map.bind("localhost")
        pages = {
            rule.endpoint: rule.rule
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.endpoint not in NOT_PAGES and not FILE_RULE.search(rule.rule)
        }
        swept: dict[str, list[str]] = {}
        unknown = []
        for page in PAGES:
            if page.status != 200:
                continue  # an error page shows the error, not the route's page
            path = urlsplit(page.path.format_map(_SampleIds())).path
            try:
                endpoint, _ = adapter.match(path, method="GET")
            except Exception:  # noqa: BLE001  (NotFound, MethodNotAllowed, RequestRedirect)
                unknown.append(f"{page.name}: {page.path} is no GET route of the app")
                continue
            swept.setdefault(endpoint, []).append(page.name)
    finally:
        app.extensions["db_engine"].dispose()
    missing = sorted(f"{endpoint} ({rule})" for endpoint, rule in pages.items() if endpoint not in swept)
    assert not missing, (
        "GET routes no entry of PAGES visits; add each to PAGES in tests/browser/test_browser_quality.py "
        "(or to NOT_PAGES if it serves no HTML page):\n  " + "\n  ".join(missing)
    )
    assert not unknown, "\n".join(unknown)
    names = [page.name for page in PAGES]
    assert len(names) == len(set(names)), "page names are unique"
    assert {page.who for page in PAGES} == {"visitor", "client", "therapist"}


class _SampleIds(dict):
    """Any {placeholder} becomes an id of the right shape, so a path can be matched against the URL map."""

    def __missing__(self, key):
        return (
            "0"
            if key == "prompt"
            else ("ABCD-EFGH" if key.endswith("code") else "00000000-0000-4000-8000-000000000000")
        )


# A live server on SQLite only, and the data every page shows ------------------------------------------------------

# A phone at 320 px, the narrowest still in use, where sideways scroll shows first; motion off, so no colour is
# caught halfway through a transition when the theme changes.
QUALITY_CONTEXT = {**COMMON, **NARROW, "reduced_motion": "reduce"}


@pytest.fixture(scope="module")
def server(tmp_path_factory, request):
    """One live server for this file, on SQLite (accessibility does not depend on the database)."""
    workdir = tmp_path_factory.mktemp("quality-sqlite")
    url = database_for("sqlite", workdir, request)
    # REAUTH_MINUTES: the sweep takes longer than the few minutes a password counts as recent; pages that ask for
    # it again (export, ending a link, stop sharing, turning two-step sign-in off) are checked as people see them
    # after entering it. Asking again is tested in test_export and test_reauth.
    with live_server(
        workdir,
        "quality-sqlite",
        database_url=url,
        env={"SIGNUPS_PER_ADDRESS_PER_HOUR": "100", "REAUTH_MINUTES": "120"},
    ) as base:
        yield base


def _tokens(api, base: str, form_path: str) -> dict[str, str]:
    html = api.get(base + form_path).text()
    tokens = {"csrf_token": CSRF_RE.search(html).group(1)}
    found = CLIENT_KEY_RE.search(html)
    if found:
        tokens["client_key"] = found.group(1)
    return tokens


def _send(
    api,
    base: str,
    form_path: str,
    action: str,
    fields: list[tuple[str, str]],
    expect_status: int = 303,
    extra: dict | None = None,
):
    """Send a form as the browser context (its cookies), with the CSRF token and client key of the form page."""
    pairs = list(_tokens(api, base, form_path).items()) + [(key, value) for key, value in (extra or {}).items()]
    response = api.post(
        base + action,
        data=urlencode(pairs + fields),
        max_redirects=0,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == expect_status, (action, response.status, response.text()[:1000])
    return response


def _last_id(response) -> str:
    return response.headers["location"].rstrip("/").rsplit("/", 1)[1]


def _sign_up_quickly(api, base: str, email: str, role: str, name: str = "") -> None:
    csrf = _tokens(api, base, "/signup")["csrf_token"]
    response = api.post(
        base + "/signup",
        form={
            "csrf_token": csrf,
            "email": email,
            "password": PASSWORD,
            "confirm": PASSWORD,
            "role": role,
            "display_name": name,
            "time_zone": COMMON["timezone_id"],
        },
    )
    assert response.status == 200 and CODE_RE.search(response.text()), response.status
    csrf = CSRF_RE.search(response.text()).group(1)
    saved = api.post(base + "/recovery-code/saved", form={"csrf_token": csrf, "saved": "yes"}, max_redirects=0)
    assert saved.status == 302, saved.status
    if role == "therapist":
        set_up_two_factor(api, base, email)


def _invite(api, base: str) -> str:
    csrf = _tokens(api, base, "/desk/invites")["csrf_token"]
    html = api.post(base + "/desk/invites", form={"csrf_token": csrf}).text()
    return re.search(r"data-invite-code[^>]*>\s*([^<\s]+)", html).group(1)


@pytest.fixture(scope="module")
def world(server, chromium):  # noqa: F811  (the fixture imported above)
    """A therapist and a client linked with content on every page; yields ids and one signed-in context each."""
    base = server
    contexts = {who: chromium.new_context(**QUALITY_CONTEXT) for who in ("visitor", "client", "therapist")}
    for context in contexts.values():
        context.set_default_timeout(15_000)
    therapist, client = contexts["therapist"].request, contexts["client"].request
    ids: dict[str, str] = {"client_email": new_email("quality-client")}

    ids["therapist_email"] = new_email("quality-therapist")
    _sign_up_quickly(therapist, base, ids["therapist_email"], "therapist", "Dr Ada Lindqvist")
    code = _invite(therapist, base)
    _invite(therapist, base)  # left open, so the invites page lists one
    _send(
        therapist,
        base,
        "/account/after-hours-line",
        "/account/after-hours-line",
        [("name", "Riverside Clinic, after hours"), ("phone", "+1 555 010 7788"), ("hours", "Weekdays 6 pm to 8 am")],
    )
    second = chromium.new_context(**QUALITY_CONTEXT)
    _sign_up_quickly(second.request, base, new_email("quality-second"), "therapist", "Dr Bea Moreno")
    ids["second_code"] = _invite(second.request, base)
    second.close()

    _sign_up_quickly(client, base, ids["client_email"], "client")
    # Linked first, with standing shares: every check-in, questionnaire, session and intention is then shared.
    _send(
        client,
        base,
        "/link",
        "/link",
        [("code", code)] + [("auto_share", kind) for kind in ("checkin", "measure", "dose", "intention")],
    )
    ids["link"] = re.search(r"/clinicians/([0-9a-f-]{36})/end", client.get(base + "/clinicians").text()).group(1)

    _send(client, base, "/intentions/new", "/intentions", [("text", "To meet my sadness with kindness")])
    _send(client, base, "/intentions/new", "/intentions", [("text", "To sleep before midnight")])
    intentions = re.findall(r'name="intention_ids" value="([^"]+)"', client.get(base + "/sessions/new").text())
    ids["intention"] = intentions[0]
    csrf = _tokens(client, base, "/intentions")["csrf_token"]
    archived = client.post(f"{base}/intentions/{intentions[1]}/archive", form={"csrf_token": csrf}, max_redirects=0)
    assert archived.status in (302, 303), archived.status

    now = datetime.now(ZONE) - timedelta(minutes=2)
    sessions = []
    for when, route, felt in (
        (now - timedelta(days=15), "lozenge", "Far away, then close"),
        (now - timedelta(days=1), "nasal", "Heavy, then light as air"),
    ):
        sessions.append(
            _last_id(
                _send(
                    client,
                    base,
                    "/sessions/new",
                    "/sessions",
                    [
                        ("date", when.date().isoformat()),
                        ("time", when.strftime("%H:%M")),
                        ("route", route),
                        ("setting", "Music, an eye mask, my therapist in the room."),
                        ("felt", felt),
                        ("intention_ids", ids["intention"]),
                    ],
                )
            )
        )
    ids["session"] = sessions[-1]

    ids["entry"] = _last_id(
        _send(client, base, "/entries/new", "/entries", [("title", "After the second session"), ("body", ENTRY_BODY)])
    )
    _send(client, base, "/entries/new", "/entries", [("title", "Not shared yet"), ("body", "For the next session.")])
    # An edit kept as a draft on version 1, then version 2 saved elsewhere: opening the edit shows both texts.
    conflict = _last_id(
        _send(client, base, "/entries/new", "/entries", [("title", "Two devices"), ("body", "The first text.")])
    )
    _send(
        client,
        base,
        f"/entries/{conflict}/edit",
        f"/entries/{conflict}/draft",
        [("title", "Two devices"), ("body", "Typed on the phone."), ("version", "1")],
        expect_status=303,  # "Keep as draft": on to the edit form with the draft in it
    )
    _send(
        client,
        base,
        f"/entries/{conflict}/edit",
        f"/entries/{conflict}/edit",
        [("title", "Two devices"), ("body", "Saved on the laptop."), ("version", "1")],
        extra={"client_key": "0" * 32},
    )
    ids["conflict_entry"] = conflict
    csrf, client_key = _tokens(client, base, "/entries/new").values()
    draft = client.post(
        base + "/entries/draft",
        form={"client_key": client_key, "title": "Half a thought", "body": "Something about the music"},
        headers={"HX-Request": "true", "X-CSRF-Token": csrf},
    )
    assert draft.status == 200, draft.status

    for checkin in (
        [
            ("mood", "3"),
            ("anxiety", "7"),
            ("skip_energy", "1"),
            ("emotions", "on edge"),
            ("emotions", "tired"),
            ("sleep_hours", "6.5"),
            ("sleep_quality", "2"),
            ("note", "A long day at work."),
        ],
        [("mood", "6"), ("anxiety", "4"), ("energy", "5"), ("emotions", "hopeful")],
    ):
        _send(client, base, "/checkins/new", "/checkins", checkin)
    listed = client.get(base + "/checkins").text()
    ids["checkin"] = re.search(r'href="/checkins/([0-9a-f-]{36})/delete"', listed).group(1)

    answers = {
        "phq9": [1, 2, 0, 3, 1, 0, 1, 2, 1],
        "gad7": [2, 1, 1, 0, 2, 1, 0],
        "pcl5": [2, 3, 1, 0, 4, 2, 1, 3, 2, 1, 0, 2, 3, 1, 2, 4, 1, 0, 2, 3],
    }
    for instrument, values in answers.items():
        fields = [(f"q{number}", str(value)) for number, value in enumerate(values, start=1)]
        if instrument != "pcl5":
            fields.append(("difficulty", "1"))
        ids[instrument] = _last_id(
            _send(client, base, f"/questionnaires/{instrument}/new", f"/questionnaires/{instrument}", fields)
        )

    for number, dose in enumerate(sessions):
        tokens = _tokens(client, base, "/art/new")
        uploaded = client.post(
            base + "/art",
            max_redirects=0,
            multipart={
                **tokens,
                "caption": f"Blue hills, painted after session {number + 1}",
                "dose_id": dose,
                "photos": {
                    "name": "hills.jpg",
                    "mimeType": "image/jpeg",
                    "buffer": art_images.painting((900, 700), seed=7 + number),
                },
            },
        )
        assert uploaded.status == 303, uploaded.status
    ids["art"] = re.search(r'href="/art/([0-9a-f-]{36})"', client.get(base + "/art").text()).group(1)
    # The entry holds the photo: its page shows the thumbnail, the photo's page the entry, the share page a note.
    link = f"/entries/link-photo/{ids['art']}"
    _send(client, base, link, link, [("entry_id", ids["entry"])])

    _send(
        client,
        base,
        "/safety-plan/edit",
        "/safety-plan",
        [
            ("version", "0"),
            ("warning_signs", "Not sleeping\nPacing at night"),
            ("coping", "Walk to the bridge and back"),
            ("distractions", "The library"),
            ("people", "Mum 07700 900123\nJo next door"),
            ("professionals", "Dr Lindqvist +1 555 010 2233"),
            ("surroundings", ""),
            ("reasons", "My daughter"),
        ],
    )
    ids["plan"] = re.search(r'href="/share/([0-9a-f-]{36})"', client.get(base + "/safety-plan").text()).group(1)

    tokens = _tokens(client, base, "/voice/new")
    spoken = client.post(
        base + "/voice",
        max_redirects=0,
        multipart={
            **tokens,
            "title": "Said on the way home",
            "dose_id": sessions[-1],
            "audio": {"name": "note.webm", "mimeType": "audio/webm", "buffer": voice_files.opus_webm(2.0)},
        },
    )
    assert spoken.status == 303, spoken.status
    ids["voice"] = spoken.headers["location"].rsplit("/", 1)[1]

    for record in (ids["entry"], ids["art"], ids["plan"], ids["voice"]):
        _send(client, base, f"/share/{record}", f"/share/{record}", [("link_ids", ids["link"])])
    ids["client"] = re.search(r"/desk/clients/([0-9a-f-]{36})", therapist.get(base + "/desk").text()).group(1)
    # Reads, so the client's access history has rows.
    for record in (ids["entry"], ids["art"]):
        assert therapist.get(f"{base}/desk/clients/{ids['client']}/records/{record}").status == 200
    ids["prompt"] = re.search(r"/entries/new\?prompt=([\w-]+)", client.get(base + "/").text()).group(1)
    # A private note of the therapist's, with a page of its own.
    desk_page = f"/desk/clients/{ids['client']}"
    _send(therapist, base, desk_page, desk_page + "/notes", [("text", "Slower breathing helped."), ("session", "none")])
    ids["note"] = re.search(r'href="/desk/notes/([0-9a-f-]{36})"', therapist.get(base + desk_page).text()).group(1)
    # Two requests (after the day's prompt is read above: a prompt asked for comes first in the rotation).
    asking = desk_page + "/asks"
    _send(therapist, base, asking, asking, [("what", "measure"), ("instrument", "phq9"), ("cadence", "weekly")])
    _send(therapist, base, asking, asking, [("what", "prompt"), ("text", "What did the room sound like?")])
    asked = re.findall(r'href="/asks/([0-9a-f-]{36})/answer"', client.get(base + "/").text())
    ids["ask_phq9"], ids["ask_prompt"] = asked[0], asked[1]

    yield base, ids, contexts
    for context in contexts.values():
        context.close()


# The sweep -------------------------------------------------------------------------------------------------------


def _axe_source() -> str:
    """axe-core, run through the DevTools protocol (page.evaluate), which the page's CSP does not govern.

    `add_script_tag` inserts an inline <script>, which the app's `script-src 'self'` blocks. A context with
    `bypass_csp=True` would let it in, but it lifts the CSP for the page itself too, so axe would audit a page
    that differs from the one people get (anything the CSP blocks would suddenly apply).
    """
    assert AXE.exists(), f"{AXE} is missing: run `make node_modules/.installed`"
    return AXE.read_text(encoding="utf-8")


AXE_RUN = """
async (colours) => {
  const options = {resultTypes: ['violations']};
  if (colours) options.runOnly = {type: 'rule', values: COLOUR_RULES};
  const result = await axe.run(document, options);
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), impact: n.impact, summary: n.failureSummary})),
  }));
}
"""


# The rules whose outcome depends on the colours: the only ones run again in the dark theme (the page's structure,
# names and roles do not change with the colour scheme).
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def axe_problems(page, source: str, name: str, theme: str, colours_only: bool = False) -> list[str]:
    """The serious and critical axe-core violations on the page as it is now, one paragraph per rule;
    `colours_only`: of the rules that depend on the colours."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    found = []
    run = AXE_RUN.replace("COLOUR_RULES", repr(COLOUR_RULES))
    for violation in page.evaluate(run, colours_only):
        nodes = [node for node in violation["nodes"] if (node["impact"] or violation["impact"]) in BLOCKING]
        if not nodes:
            continue
        targets = "".join(f"\n      {node['target']}: {' '.join(node['summary'].split())[:400]}" for node in nodes[:8])
        more = f"\n      ... and {len(nodes) - 8} more" if len(nodes) > 8 else ""
        found.append(f"{name} [{theme}] {violation['id']} ({violation['impact']}): {violation['help']}{targets}{more}")
    return found


@pytest.mark.parametrize("who", ["visitor", "client", "therapist"])
def test_pages_pass_axe_and_fit_320px(world, who):
    """No serious or critical axe violation in the light or the dark theme, and every page fits a 320 px phone.

    Each page is loaded once; the theme is switched by emulating the device's colour scheme (the app follows
    it), and a screenshot is taken in each. axe runs every rule in the light theme and, in the dark one, the
    rules that depend on the colours (COLOUR_RULES).
    """
    base, ids, contexts = world
    source = _axe_source()
    # quality/<who>-light/ and quality/<who>-dark/: a page has the same number in both folders.
    shots = {theme: Shots(f"quality/{who}-{theme}") for theme in THEMES}
    context = contexts[who]
    page = context.new_page()
    violations: list[str] = []
    narrow: list[str] = []
    pages = [entry for entry in PAGES if entry.who == who]
    for entry in pages:
        if who == "visitor":
            context.clear_cookies()  # the page that signs up must not leave the next one signed in
        path = entry.path.format_map(ids)
        response = page.goto(base + path)
        if entry.reach is None:
            assert response.status == entry.status, f"{entry.name}: {path} answered {response.status}"
            assert urlsplit(page.url).path == urlsplit(path).path, f"{entry.name}: {path} went to {page.url}"
        else:
            assert response.status == 200, f"{entry.name}: {path} answered {response.status}"
            entry.reach(page, ids)
            page.wait_for_load_state("load")
        expect(page.locator("main")).to_be_visible()
        if entry.shows:
            expect(page.locator("main"), entry.name).to_contain_text(entry.shows.format_map(ids))
        # What is folded away (emotion words, "Show the numbers", answers) is checked unfolded, as after a tap.
        page.evaluate("document.querySelectorAll('details').forEach(details => { details.open = true; })")
        narrow.extend(narrow_problems(page, entry.name))
        for theme in THEMES:
            page.emulate_media(color_scheme=theme)
            violations.extend(axe_problems(page, source, entry.name, theme, colours_only=theme != THEMES[0]))
            shots[theme].take(page, entry.name)
        page.emulate_media(color_scheme="light")
    assert shots["dark"].count == len(pages)
    report = []
    if violations:
        report.append(
            f"axe-core found {len(violations)} serious or critical problems (page [theme] rule (impact)):\n  "
            + "\n  ".join(violations)
        )
    if narrow:
        report.append("At 320 px:\n  " + "\n  ".join(narrow))
    assert not report, "\n\n".join(report)
