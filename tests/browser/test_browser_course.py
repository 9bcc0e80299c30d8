"""The course in a real browser (Debian Chromium via Playwright) against the real server under gunicorn:
intentions, a dosing session, Today's day count, a check-in, the day's prompt, a PHQ-9 with the crisis
lines first, the timeline by session, and the charts; the same pages at 320 px; the charts in the dark.

Screenshots of every step go to test-output/screenshots/course-<database>/ and course-320-<database>/.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from ..support import CSRF_RE, new_marker
from .browser_support import (
    CLIENT_KEY_RE,
    COMMON,
    NARROW,
    PHONE,
    Shots,
    contrast,
    luminance,
    narrow_problems,
    new_email,
    sign_up,
)

pytestmark = pytest.mark.browser

UUID = r"[0-9a-f-]{36}"
ZONE = ZoneInfo(COMMON["timezone_id"])  # the browser's zone, which sign-up stores as the client's


def kind_of(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


def wait_past_local_midnight(margin_seconds: int = 90) -> None:
    """A session logged at 23:59 and a check-in at 00:00 are days 0 and 1: start clear of midnight."""
    now = datetime.now(ZONE)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), ZONE)
    left = (midnight - now).total_seconds()
    if left < margin_seconds:
        time.sleep(left + 2)


def submit(page, base: str, form_path: str, action: str, fields: list[tuple[str, str]]) -> str:
    """Send a form with the page's own cookies (the same browser session), skipping the clicking.

    Takes the CSRF token and a fresh client key from the form page; returns the redirect's path.
    """
    html = page.request.get(base + form_path).text()
    keys = [("csrf_token", CSRF_RE.search(html).group(1))]
    found = CLIENT_KEY_RE.search(html)
    if found:
        keys.append(("client_key", found.group(1)))
    response = page.request.post(
        base + action,
        data=urlencode(keys + fields),
        max_redirects=0,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 303, (action, response.status, response.text()[:2000])
    return response.headers["location"].removeprefix(base)


def add_course(
    page,
    base: str,
    *,
    intention: str,
    checkins: list[dict],
    phq9: list[int] | None = None,
    pcl5: list[int] | None = None,
) -> dict[str, str]:
    """An intention, a dosing session now carrying it, check-ins, questionnaires; returns their paths."""
    submit(page, base, "/intentions/new", "/intentions", [("text", intention)])
    intention_id = re.search(r'name="intention_ids" value="([^"]+)"', page.request.get(base + "/sessions/new").text())
    now = datetime.now(ZONE) - timedelta(minutes=1)
    paths = {
        "session": submit(
            page,
            base,
            "/sessions/new",
            "/sessions",
            [
                ("date", now.date().isoformat()),
                ("time", now.strftime("%H:%M")),
                ("route", "lozenge"),
                ("setting", "Music, an eye mask, my therapist in the room."),
                ("felt", "Warm, far away, then close"),
                ("intention_ids", intention_id.group(1)),
            ],
        )
    }
    for checkin in checkins:
        fields = [(name, str(value)) for name, value in checkin.items() if name != "emotions"]
        fields += [("emotions", word) for word in checkin.get("emotions", ())]
        fields += [(f"skip_{scale}", "1") for scale in ("anxiety", "energy") if scale not in checkin]
        paths["checkins"] = submit(page, base, "/checkins/new", "/checkins", fields)
    for instrument, answers in (("phq9", phq9), ("pcl5", pcl5)):
        if answers:
            paths[instrument] = submit(
                page,
                base,
                f"/questionnaires/{instrument}/new",
                f"/questionnaires/{instrument}",
                [(f"q{n}", str(value)) for n, value in enumerate(answers, start=1)],
            )
    return paths


def test_course_on_a_phone(server, open_context):
    """Intention, dosing session, Day 0, check-in, the day's prompt, PHQ-9 with crisis lines first, timeline, charts."""
    base, database = server
    shots = Shots(f"course-{kind_of(database)}")
    wait_past_local_midnight()
    page = open_context(**PHONE).new_page()
    tabs = page.get_by_role("navigation", name="Main")
    main = page.get_by_role("main")

    sign_up(page, base, new_email("course"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Preparing")
    shots.take(page, "today-preparing")

    # An intention, from Today's links.
    intention = f"To meet my sadness with kindness {new_marker('INTENTION')}"
    main.get_by_role("link", name="Intentions", exact=True).click()
    expect(page).to_have_url(base + "/intentions")
    main.get_by_role("link", name="New intention").click()
    expect(page.get_by_role("heading", name="New intention")).to_be_visible()
    page.get_by_label("Your intention").fill(intention)
    shots.take(page, "intention-typed")
    page.get_by_role("button", name="Save intention").click()
    expect(page).to_have_url(re.compile(rf"/intentions/{UUID}$"))  # its own page
    expect(page.get_by_text("Intention saved.")).to_be_visible()
    expect(page.locator(".intention-text")).to_have_text(intention)
    shots.take(page, "intentions")

    # A dosing session, through "+ Add": date and time left as they come (now).
    tabs.get_by_role("link", name="Add").click()
    expect(page).to_have_url(base + "/new")
    expect(page.get_by_role("heading", name="What would you like to add?")).to_be_visible()
    shots.take(page, "add-chooser")
    main.get_by_role("link", name=re.compile(r"^Dosing session")).click()
    expect(page).to_have_url(base + "/sessions/new")
    expect(page.get_by_role("heading", name="Log a dosing session")).to_be_visible()
    now = datetime.now(ZONE)
    expect(page.get_by_label("Date")).to_have_value(now.date().isoformat())
    expect(page.get_by_label("Time")).to_have_value(re.compile(r"^\d\d:\d\d$"))
    page.get_by_label("Nasal spray").check()
    felt = f"Heavy, then light as air {new_marker('FELT')}"
    page.get_by_label("How it felt").fill(felt)
    carried = page.get_by_label(intention)
    carried.check()
    expect(carried).to_be_checked()
    shots.take(page, "session-filled")
    page.get_by_role("button", name="Log session").click()
    expect(page).to_have_url(re.compile(rf"/sessions/{UUID}$"))
    expect(page.get_by_text("Session logged.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Session 1")
    facts = page.locator(".facts")
    expect(facts).to_contain_text("Nasal spray")
    expect(facts).to_contain_text(felt)
    expect(page.get_by_role("heading", name="Intentions carried in")).to_be_visible()
    expect(main.get_by_role("listitem").filter(has_text=intention)).to_be_visible()
    shots.take(page, "session-logged")

    tabs.get_by_role("link", name="Today").click()
    expect(page).to_have_url(base + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Day 0 after session 1")
    shots.take(page, "today-day-0")

    # A check-in from Today: the mood slider moved with the keyboard, two emotion words.
    main.get_by_role("link", name="Check in").click()
    expect(page).to_have_url(base + "/checkins/new")
    mood = page.get_by_role("slider", name="Mood")
    expect(mood).to_have_attribute("aria-valuetext", "not answered")  # unset until touched
    mood.focus()
    mood.press("ArrowRight")
    mood.press("ArrowRight")
    expect(mood).to_have_value("7")
    expect(page.locator("output[for=mood]")).to_have_text("7")
    expect(page.get_by_role("button", name="Not now: skip anxiety")).to_have_attribute("aria-pressed", "true")
    page.locator("summary", has_text="Emotion words").click()
    for word in ("hopeful", "calm"):
        chip = page.get_by_label(word, exact=True)
        chip.check()
        expect(chip).to_be_checked()
    shots.take(page, "checkin-filled")
    page.get_by_role("button", name="Save check-in").click()
    expect(page).to_have_url(re.compile(r"/checkins/[0-9a-f-]{36}$"))
    expect(page.get_by_text("Check-in saved.")).to_be_visible()
    item = page.locator(".checkin-item")
    expect(item).to_have_count(1)
    expect(item.locator(".checkin-scores")).to_have_text(re.compile(r"^\s*Mood\s*7 / 10\s*$"))
    expect(item.get_by_role("list", name="Emotion words").get_by_role("listitem")).to_have_text(["hopeful", "calm"])
    shots.take(page, "checkins")

    # The day's prompt, answered from Today.
    tabs.get_by_role("link", name="Today").click()
    prompt = page.locator(".prompt-text").inner_text().strip()
    assert prompt, "Today shows a prompt"
    main.get_by_role("link", name="Answer this").click()
    expect(page).to_have_url(re.compile(r"/entries/new\?prompt="))
    expect(page.locator(".prompt-answering")).to_have_text(f"Answering: {prompt}")
    answer = f"Less afraid of the quiet than last week. {new_marker('ANSWER')}"
    page.get_by_label("What came up?").fill(answer)
    shots.take(page, "prompt-answer")
    page.get_by_role("button", name="Save entry").click()
    expect(page).to_have_url(re.compile(rf"/entries/{UUID}$"))
    expect(page.locator(".prompt-answering")).to_have_text(f"Answering: {prompt}")
    expect(page.locator(".entry-body")).to_contain_text(answer)
    shots.take(page, "prompt-answered")
    # Answered today: Today offers the next prompt of the phase instead of the same one.
    tabs.get_by_role("link", name="Today").click()
    expect(page.locator("[data-prompt-answered]")).to_have_text(
        "You answered a prompt today. Here is another, if you would like one."
    )
    expect(page.locator(".prompt-text")).not_to_have_text(prompt)
    shots.take(page, "today-after-answering")

    # A PHQ-9 with item 9 above zero: the crisis lines come before the score.
    tabs.get_by_role("link", name="Add").click()
    main.get_by_role("link", name=re.compile(r"^Questionnaire")).click()
    expect(page).to_have_url(base + "/questionnaires")
    shots.take(page, "questionnaires")
    page.get_by_role("link", name="Answer the PHQ-9").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PHQ-9")
    answers = {
        1: "More than half the days",
        2: "Several days",
        3: "Not at all",
        4: "Nearly every day",
        5: "Several days",
        6: "Not at all",
        7: "Several days",
        8: "Not at all",
        9: "Several days",
    }
    for number, label in answers.items():
        page.locator(f"#item-{number}").get_by_label(label, exact=True).check()
    page.get_by_label("Somewhat difficult").check()
    expect(page.locator("#item-9").get_by_label("Several days", exact=True)).to_be_checked()
    shots.take(page, "phq9-filled")
    page.get_by_role("button", name="Save answers").click()
    expect(page).to_have_url(re.compile(rf"/questionnaires/{UUID}$"))
    call = page.get_by_role("link", name="Call or text 988")
    expect(call).to_be_visible()
    expect(call).to_have_attribute("href", "tel:988")
    heading = page.get_by_role("heading", name="Your PHQ-9 result")
    expect(heading).to_be_visible()
    assert page.evaluate(
        "([crisis, heading]) => !!(crisis.compareDocumentPosition(heading) & Node.DOCUMENT_POSITION_FOLLOWING)",
        [call.element_handle(), heading.element_handle()],
    ), "the crisis lines come before the score in the page"
    assert call.bounding_box()["y"] < heading.bounding_box()["y"], "and above it on the screen"
    expect(page.locator("[data-score]")).to_have_text(re.compile(r"^\s*9\s+out of 27\s*$"))
    expect(page.locator("[data-band]")).to_contain_text("Mild (5-9)")
    shots.take(page, "phq9-result")

    # The timeline: everything since the session under "Session 1", each on day 0.
    tabs.get_by_role("link", name="Timeline").click()
    expect(page).to_have_url(base + "/timeline")
    session = page.get_by_role("region", name="Session 1")
    expect(session.get_by_role("heading", level=2)).to_contain_text("Session 1")
    items = session.locator(".entry-item")
    for title in ("Dosing session 1", "Check-in", "PHQ-9"):
        expect(items.filter(has=page.locator(".entry-title", has_text=re.compile(f"^{title}$")))).to_have_count(1)
    expect(items.filter(has_text=answer[:30])).to_have_count(1)
    assert items.count() >= 4
    expect(session.locator(".timeline-when strong")).to_have_text(["Day 0"] * items.count())
    expect(items.filter(has_text="Dosing session 1")).to_contain_text(felt)
    shots.take(page, "timeline")

    # Charts: the session marked S1 on the mood chart, and the numbers beside it.
    main.get_by_role("link", name="Charts").click()
    expect(page).to_have_url(base + "/charts")
    mood_chart = page.get_by_role("region", name="Mood and anxiety")
    svg = mood_chart.locator("svg.chart")
    expect(svg).to_be_visible()
    expect(svg.locator(".chart-dose-label")).to_have_text(["S1"])
    expect(svg.locator(".chart-series.series-1 .chart-point")).to_have_count(1)
    mood_chart.locator("summary", has_text="Show the numbers").click()
    table = mood_chart.get_by_role("table")
    expect(table).to_be_visible()
    expect(table.locator("thead th")).to_have_text(["When", "Mood", "Anxiety"])
    expect(table.locator("tr.chart-dose-row td")).to_have_text("Dosing session 1 (S1)")
    expect(table.locator("tr.chart-point-row td")).to_have_text(["7", "not answered"])
    # The session is listed before the check-in made after it.
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").first).to_have_class("chart-dose-row")
    expect(page.get_by_role("region", name="PHQ-9 total").locator(".chart-dose-label")).to_have_text(["S1"])
    shots.take(page, "charts")


def test_course_pages_at_320px(server, open_context):
    """The course's pages fit 320 px, and every control on them is at least 44 px tall."""
    base, database = server
    shots = Shots(f"course-320-{kind_of(database)}")
    problems: list[str] = []
    page = open_context(**NARROW).new_page()
    sign_up(page, base, new_email("course-narrow"))
    long_word = "Unbreakable" * 6
    paths = add_course(
        page,
        base,
        intention=f"To stay with what is difficult, and to be gentle {long_word}",
        checkins=[
            {
                "mood": 3,
                "anxiety": 8,
                "emotions": ["on edge", "overwhelmed", "in awe", "disconnected"],
                "sleep_hours": "6.5",
                "sleep_quality": 2,
                "note": f"A long day {long_word}",
            },
            {"mood": 6, "energy": 4},
        ],
        phq9=[1, 2, 0, 3, 1, 0, 1, 2, 1],
        pcl5=[2, 3, 1, 0, 4, 2, 1, 3, 2, 1, 0, 2, 3, 1, 2, 4, 1, 0, 2, 3],
    )

    def check(name: str, path: str | None = None) -> None:
        if path is not None:
            page.goto(base + path)
        page.wait_for_load_state("load")
        expect(page.locator("main")).to_be_visible()
        problems.extend(narrow_problems(page, name))
        shots.take(page, name)

    check("today", "/")
    check("add", "/new")
    check("session-new", "/sessions/new")
    check("session", paths["session"])
    check("intentions", "/intentions")
    check("intention-new", "/intentions/new")
    page.goto(base + "/checkins/new")
    for summary in page.locator("details.checkin-more > summary").all():
        summary.click()
    expect(page.locator("details.checkin-more[open]")).to_have_count(2)
    expect(page.get_by_label("grounded", exact=True)).to_be_visible()
    check("checkin-new-open")
    check("checkins", "/checkins")
    check("questionnaires", "/questionnaires")
    check("phq9-form", "/questionnaires/phq9/new")
    check("pcl5-form", "/questionnaires/pcl5/new")
    page.goto(base + paths["phq9"])
    expect(page.get_by_role("link", name="Call or text 988")).to_be_visible()
    page.locator("summary", has_text="Your answers").click()
    check("phq9-result")
    page.goto(base + paths["pcl5"])
    expect(page.locator("[data-cluster]")).to_have_count(4)
    check("pcl5-result")
    check("timeline", "/timeline")
    for range_key in ("30", "90", "all"):
        page.goto(f"{base}/charts?range={range_key}")
        for summary in page.locator("summary", has_text="Show the numbers").all():
            summary.click()
        expect(page.locator(".chart-table").first).to_be_visible()
        check(f"charts-{range_key}")

    assert not problems, "\n".join(problems)


# The colours a chart is drawn in, and what is behind it: the first ancestor with a background of its own.
CHART_COLOURS_JS = """
(svg) => {
  let box = svg;
  let background = 'rgba(0, 0, 0, 0)';
  while (box && /rgba\\(.*,\\s*0\\)|transparent/.test(background)) {
    background = getComputedStyle(box).backgroundColor;
    box = box.parentElement;
  }
  const stroke = (selector) => getComputedStyle(svg.querySelector(selector)).stroke;
  return {
    card: background,
    page: getComputedStyle(document.body).backgroundColor,
    mood: stroke('.chart-series.series-1 .chart-line'),
    anxiety: stroke('.chart-series.series-2 .chart-line'),
    session: stroke('.chart-dose line'),
    label: getComputedStyle(svg.querySelector('.chart-dose-label')).fill,
  };
}
"""


def test_chart_lines_show_in_the_dark(server, open_context):
    """On a dark device the chart's lines and session marker stand out from the card and the page (3:1 or more)."""
    base, database = server
    shots = Shots(f"course-dark-{kind_of(database)}")
    page = open_context(**PHONE, color_scheme="dark").new_page()
    sign_up(page, base, new_email("course-dark"))
    add_course(page, base, intention="To rest", checkins=[{"mood": 3, "anxiety": 7}, {"mood": 6, "anxiety": 4}])

    for scheme in ("dark", "light"):
        page.emulate_media(color_scheme=scheme)
        page.goto(base + "/charts")
        svg = page.get_by_role("region", name="Mood and anxiety").locator("svg.chart")
        expect(svg.locator(".chart-series.series-1 .chart-line")).to_have_count(1)
        colours = page.evaluate(CHART_COLOURS_JS, svg.element_handle())
        if scheme == "dark":
            assert luminance(colours["page"]) < 0.05, colours
        low = [
            f"{part} {colours[part]} on {behind} {colours[behind]}: {contrast(colours[part], colours[behind]):.2f}:1"
            for part in ("mood", "anxiety", "session", "label")
            for behind in ("card", "page")
            if contrast(colours[part], colours[behind]) < 3
        ]
        assert not low, f"{scheme}: " + "; ".join(low)
        shots.take(page, f"charts-{scheme}")
