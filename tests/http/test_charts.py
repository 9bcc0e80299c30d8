"""Charts: server-drawn SVG that is inert and accessible, with the same numbers in a table under it."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from journal import vault
from journal.charts.svg import Marker, Series, line_chart, x_ticks, y_ticks
from journal.db import get_db, utcnow
from journal.models import User
from journal.records import service as records

from ..support import PASSWORD, new_marker

SVG_NS = "{http://www.w3.org/2000/svg}"
T0 = datetime(2024, 3, 1, tzinfo=UTC)
ZONE = "America/New_York"


def _chart(points_a=(), points_b=None, markers=(), zone="UTC", span=(T0, T0 + timedelta(days=30)), **kwargs):
    series = [Series("Mood", list(points_a))] + ([Series("Anxiety", list(points_b))] if points_b is not None else [])
    return line_chart(
        chart_id="chart-test",
        title=kwargs.pop("title", "Mood and anxiety, last 30 days"),
        series=series,
        x_range=span,
        y_range=(0, 10),
        markers=list(markers),
        zone=zone,
        y_label="0 to 10",
        **kwargs,
    )


def _points(svg: str, series: int) -> int:
    return len(re.findall(rf'class="chart-point series-{series}"', svg))


def _assert_inert(svg: str) -> None:
    root = ET.fromstring(svg)  # well-formed XML, as an SVG must be
    for element in root.iter():
        tag = element.tag.replace(SVG_NS, "")
        assert tag not in ("script", "foreignObject", "style", "a", "image", "iframe"), tag
        for name in element.attrib:
            assert not name.lower().startswith("on"), name
            assert name != "style" and "href" not in name, name
    assert not re.search(r"<script|foreignObject|\son[a-z]+=|\sstyle=|javascript:", svg, re.I)


# The drawing alone (pure: no database) ------------------------------------------------------


def test_zero_points_give_a_plain_message_instead_of_an_empty_chart():
    html = _chart([], [], markers=[Marker("S1", T0 + timedelta(days=3), "Dosing session 1")])
    assert "<svg" not in html and "Nothing to show yet." in html
    assert "<svg" not in _chart([(T0 - timedelta(days=2), 5)])  # a point outside the range is not shown


def test_one_point_is_one_visible_point():
    svg = _chart([(T0 + timedelta(days=10), 6)])
    assert _points(svg, 1) == 1 and "chart-line" not in svg.split('class="chart-series')[1]
    circle = ET.fromstring(svg).find(f".//{SVG_NS}circle[@class='chart-point series-1']")
    x, y, r = float(circle.get("cx")), float(circle.get("cy")), float(circle.get("r"))
    assert r >= 4 and 0 < x < 320 and 0 < y < 240
    # A range of a moment (the whole course, one check-in a minute ago) widens to two days around it.
    alone = _chart([(T0, 6)], span=(T0, T0 + timedelta(minutes=1)))
    middle = ET.fromstring(alone).find(f".//{SVG_NS}circle[@class='chart-point series-1']")
    assert 150 < float(middle.get("cx")) < 200
    ticks = [t.text for t in ET.fromstring(alone).iter(f"{SVG_NS}text") if t.get("class") == "chart-tick"]
    assert "1 Mar" in ticks and "2 Mar" in ticks


def test_many_points_two_series_told_apart_without_colour():
    mood = [(T0 + timedelta(days=d, hours=9), d % 11) for d in range(20)]
    anxiety = [(at, 10 - v) for at, v in mood[::2]]
    svg = _chart(mood, anxiety)
    assert _points(svg, 1) == 20 and _points(svg, 2) == 10
    root = ET.fromstring(svg)
    lines = root.findall(f".//{SVG_NS}g[@class='chart-series series-1']/{SVG_NS}polyline")
    dashed = root.findall(f".//{SVG_NS}g[@class='chart-series series-2']/{SVG_NS}polyline")
    assert len(lines) == 1 and lines[0].get("stroke-dasharray") is None
    assert len(dashed) == 1 and dashed[0].get("stroke-dasharray")
    assert len(root.findall(f".//{SVG_NS}circle[@class='chart-point series-1']")) == 20  # round points
    assert len(root.findall(f".//{SVG_NS}rect[@class='chart-point series-2']")) == 10  # square points
    legend = [t.text for t in root.iter(f"{SVG_NS}text") if t.get("class") == "chart-key-label"]
    assert legend == ["Mood", "Anxiety"]
    # Each point's value, on a 0-10 scale: higher is further up.
    ys = [float(c.get("cy")) for c in root.findall(f".//{SVG_NS}circle[@class='chart-point series-1']")]
    assert ys[0] > ys[5]  # mood 0 is below mood 5


def test_doses_in_range_are_marked_and_others_are_not():
    markers = [
        Marker("S1", T0 - timedelta(days=5), "Dosing session 1"),
        Marker("S2", T0 + timedelta(days=9), "Dosing session 2"),
        Marker("S3", T0 + timedelta(days=40), "Dosing session 3"),
    ]
    svg = _chart([(T0 + timedelta(days=d), 5) for d in range(0, 30, 3)], markers=markers)
    labels = [t.text for t in ET.fromstring(svg).iter(f"{SVG_NS}text") if t.get("class") == "chart-dose-label"]
    assert labels == ["S2"]
    assert svg.count('class="chart-dose"') == 1 and "Dosing session 2" in svg and "Dosing session 1" not in svg
    assert "Dosing sessions marked: S2 on 10 Mar 2024." in svg


def test_svg_is_inert_scalable_and_described():
    svg = _chart(
        [(T0 + timedelta(days=2), 3), (T0 + timedelta(days=4), 7)],
        [(T0 + timedelta(days=2), 4)],
        markers=[Marker("S1", T0 + timedelta(days=3), "Dosing session 1")],
    )
    _assert_inert(svg)
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.get("viewBox") == "0 0 320 240"
    assert root.get("width") is None and root.get("height") is None  # scales to the column: no horizontal scroll
    ids = [root.get("aria-labelledby"), root.get("aria-describedby")]
    found = {element.get("id"): element for element in root.iter() if element.get("id")}
    assert [found[i].tag for i in ids] == [f"{SVG_NS}title", f"{SVG_NS}desc"]
    assert found[ids[0]].text == "Mood and anxiety, last 30 days"
    desc = found[ids[1]].text
    assert "Mood: 2 values, from 3 Mar 2024 to 5 Mar 2024; lowest 3, highest 7, latest 7." in desc
    assert "Anxiety: 1 value, 3 Mar 2024" in desc and "S1 on 4 Mar 2024" in desc
    texts = [t.text for t in root.iter(f"{SVG_NS}text")]
    assert "Mood and anxiety, last 30 days" in texts and "0 to 10" in texts and "Date (UTC)" in texts
    # Colours come from CSS classes; the only colour named in the SVG is currentColor.
    assert not re.search(r'(?:fill|stroke)="(?!none|currentColor)', svg)


def test_titles_and_labels_are_escaped():
    svg = _chart([(T0 + timedelta(days=1), 5)], title='<script>alert(1)</script> & "more"')
    _assert_inert(svg)
    assert "&lt;script&gt;" in svg
    assert "<svg" not in _chart([], empty_text="<b>none</b>") and "&lt;b&gt;" in _chart([], empty_text="<b>none</b>")


def test_axis_and_point_times_are_in_the_client_zone():
    late = datetime(2024, 3, 5, 23, 30, tzinfo=UTC)  # already 6 March in Auckland
    svg = _chart([(late, 5)], zone="Pacific/Auckland", span=(late - timedelta(days=3), late + timedelta(days=1)))
    assert "Mood 5, 6 Mar 2024, 12:30" in svg and "Date (Pacific/Auckland)" in svg
    ticks = x_ticks(late - timedelta(days=3), late + timedelta(days=1), ZoneInfo("Pacific/Auckland"))
    assert all(t.astimezone(ZoneInfo("Pacific/Auckland")).hour == 0 for t in ticks) and 2 <= len(ticks) <= 6
    assert y_ticks(0, 10) == [0, 2, 4, 6, 8, 10] and y_ticks(0, 27)[-1] == 27 and y_ticks(0, 80)[-1] == 80


# The /charts page ------------------------------------------------------------------------


def _sign_up(web, email: str = "ana@example.org", zone: str = ZONE) -> None:
    response = web.post(
        "/signup", {"email": email, "password": PASSWORD, "confirm": PASSWORD, "role": "client", "time_zone": zone}
    )
    assert response.status_code == 200
    assert web.post("/recovery-code/saved", {"saved": "yes"}).status_code == 302


def _add(app, kind: str, at: datetime, payload: dict, email: str = "ana@example.org") -> None:
    with app.app_context():
        db = get_db()
        user = db.scalar(select(User).where(User.email == email))
        keyring = vault.unlock_with_password(user, PASSWORD)
        records.create(db, keyring, kind, uuid.uuid4().hex, payload, at, at)
        db.commit()


def _local(at: datetime, zone: str = ZONE) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%a %-d %b %Y, %H:%M")


def _section(page: str, chart_id: str) -> str:
    start = page.index(f'aria-labelledby="{chart_id}-heading"')
    return page[start : page.index("</section>", start)]


def _svg(section: str) -> str:
    return section[section.index("<svg") : section.index("</svg>") + 6]


def _point_rows(section: str) -> list[tuple[str, ...]]:
    rows = re.findall(r'<tr class="chart-point-row">(.*?)</tr>', section, re.S)
    return [
        tuple(re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S))
        for row in rows
    ]


def _dose_rows(section: str) -> list[tuple[str, str]]:
    rows = re.findall(r'<tr class="chart-dose-row">(.*?)</tr>', section, re.S)
    return [
        tuple(re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S))
        for row in rows
    ]


def test_no_check_ins_yet_says_so(web):
    _sign_up(web)
    page = web.get("/charts").get_data(as_text=True)
    section = _section(page, "chart-mood")
    assert "Nothing to show yet" in section and "<svg" not in section and "<table" not in section
    assert "charts.css" in page


def test_table_matches_the_records_and_doses_are_marked_in_range(app, web):
    _sign_up(web)
    now = utcnow()
    checkins = [
        (now - timedelta(days=40, hours=3), {"mood": 2, "anxiety": 9}),
        (now - timedelta(days=5, hours=2), {"mood": 5}),
        (now - timedelta(days=2, minutes=17), {"mood": 8, "anxiety": 3}),
    ]
    for at, payload in checkins:
        _add(app, "checkin", at, payload)
    first_dose, second_dose = now - timedelta(days=60), now - timedelta(days=10)
    _add(app, "dose", first_dose, {})
    _add(app, "dose", second_dose, {})

    section = _section(web.get("/charts?range=30").get_data(as_text=True), "chart-mood")
    svg = _svg(section)
    _assert_inert(svg)
    assert _points(svg, 1) == 2 and _points(svg, 2) == 1  # anxiety was not answered once
    assert _point_rows(section) == [(_local(checkins[1][0]), "5", "not answered"), (_local(checkins[2][0]), "8", "3")]
    assert _dose_rows(section) == [(_local(second_dose), "Dosing session 2 (S2)")]
    assert ">S2</text>" in svg and ">S1</text>" not in svg
    assert "Mood and anxiety, last 30 days" in svg and f"Date ({ZONE})" in svg
    assert section.index("Show the numbers") > section.index("</svg>")  # the numbers directly under the chart
    assert '<th scope="col">Mood</th>' in section and '<th scope="row">' in section and "<caption>" in section

    section = _section(web.get("/charts?range=90").get_data(as_text=True), "chart-mood")
    svg = _svg(section)
    assert _points(svg, 1) == 3 and _points(svg, 2) == 2
    assert _point_rows(section)[0] == (_local(checkins[0][0]), "2", "9")  # the 40-day-old check-in is in
    assert _dose_rows(section) == [
        (_local(first_dose), "Dosing session 1 (S1)"),
        (_local(second_dose), "Dosing session 2 (S2)"),
    ]
    assert ">S1</text>" in svg and ">S2</text>" in svg

    whole = _section(web.get("/charts?range=all").get_data(as_text=True), "chart-mood")
    assert len(_point_rows(whole)) == 3 and len(_dose_rows(whole)) == 2 and "whole course" in whole
    # The table lists doses among the points in time order.
    order = re.findall(r'<tr class="(chart-(?:point|dose)-row)">', whole)
    assert order == ["chart-dose-row", "chart-point-row", "chart-dose-row", "chart-point-row", "chart-point-row"]


def test_a_check_in_without_mood_charts_only_what_was_answered(app, web):
    _sign_up(web)
    now = utcnow()
    only_anxiety, only_mood = now - timedelta(days=3), now - timedelta(days=2)
    _add(app, "checkin", only_anxiety, {"anxiety": 7})
    _add(app, "checkin", only_mood, {"mood": 6})
    _add(app, "checkin", now - timedelta(days=1), {"energy": 4, "note": "no mood, no anxiety"})  # nothing to chart
    section = _section(web.get("/charts").get_data(as_text=True), "chart-mood")
    svg = _svg(section)
    assert _points(svg, 1) == 1 and _points(svg, 2) == 1
    assert _point_rows(section) == [
        (_local(only_anxiety), "not answered", "7"),
        (_local(only_mood), "6", "not answered"),
    ]
    assert "Mood: 1 value" in svg and "Anxiety: 1 value" in svg


def test_range_links_and_fallback(app, web):
    _sign_up(web)
    _add(app, "checkin", utcnow() - timedelta(days=40), {"mood": 4})
    page = web.get("/charts").get_data(as_text=True)
    assert '<a href="/charts?range=all" aria-current="page">' in page  # the whole course unless another is chosen
    assert 'href="/charts?range=90"' in page and 'href="/charts?range=30"' in page
    assert _points(_svg(_section(page, "chart-mood")), 1) == 1 and "Mood and anxiety, whole course" in page
    thirty = web.get("/charts?range=30").get_data(as_text=True)
    assert '<a href="/charts?range=30" aria-current="page">' in thirty
    assert "Nothing to show yet" in _section(thirty, "chart-mood")  # 40 days ago is outside the last 30
    odd = web.get("/charts?range=7; drop").get_data(as_text=True)
    assert '<a href="/charts?range=all" aria-current="page">' in odd
    assert _points(_svg(_section(web.get("/charts?range=90").get_data(as_text=True), "chart-mood")), 1) == 1


def _xs(svg: str, series: int = 1) -> list[float]:
    return [float(x) for x in re.findall(rf'<circle class="chart-point series-{series}" cx="([0-9.]+)"', svg)]


def _axis_labels(svg: str) -> list[str]:
    ticks = re.findall(r'<text class="chart-tick" x="[0-9.]+" y="([0-9.]+)" text-anchor="\w+">([^<]+)</text>', svg)
    axis_y = max((y for y, _text in ticks), key=float)  # the dates sit under the axis; the others are values
    return [text for y, text in ticks if y == axis_y]


def test_the_whole_course_spreads_from_its_first_session_or_check_in_to_now(app, web):
    _sign_up(web)
    now = utcnow()
    _add(app, "dose", now - timedelta(days=9), {"route": "nasal"})
    for days in (8, 6, 4, 1):
        _add(app, "checkin", now - timedelta(days=days), {"mood": 5})
    svg = _svg(_section(web.get("/charts").get_data(as_text=True), "chart-mood"))
    xs = _xs(svg)
    # The axis starts at the first session (9 days ago), not 30 days back: the points use the width.
    first_x, last_x = 34 + 8 + (1 / 9) * (312 - 34 - 16), 34 + 8 + (8 / 9) * (312 - 34 - 16)
    assert abs(xs[0] - first_x) < 1 and abs(xs[-1] - last_x) < 1
    assert xs[-1] - xs[0] > 0.7 * (312 - 34)
    labels = _axis_labels(svg)
    assert 3 <= len(labels) <= 6 and all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2}", label) for label in labels), labels
    # A first check-in before any session starts the course.
    _add(app, "checkin", now - timedelta(days=18), {"mood": 3})
    xs = _xs(_svg(_section(web.get("/charts").get_data(as_text=True), "chart-mood")))
    assert abs(xs[0] - (34 + 8)) < 1 and len(xs) == 5
    # The 30-day range of a course younger than 30 days starts at the course too.
    assert abs(_xs(_svg(_section(web.get("/charts?range=30").get_data(as_text=True), "chart-mood")))[0] - 42) < 1


def test_a_long_course_is_marked_by_months_and_a_short_one_by_days_or_weeks():
    zone = ZoneInfo("Europe/Berlin")
    end = datetime(2026, 3, 10, 15, tzinfo=UTC)
    months = [t.astimezone(zone) for t in x_ticks(end - timedelta(days=200), end, zone)]
    assert [(t.month, t.day, t.hour) for t in months] == [(9, 1, 0), (11, 1, 0), (1, 1, 0), (3, 1, 0)]
    svg = _chart(
        [(end - timedelta(days=190), 4), (end, 6)], zone="Europe/Berlin", span=(end - timedelta(days=200), end)
    )
    assert _axis_labels(svg) == ["Sep 2025", "Nov", "Jan 2026", "Mar"]
    weeks = [t.astimezone(zone) for t in x_ticks(end - timedelta(days=30), end, zone)]
    assert len(weeks) == 5 and all(t.weekday() == 0 and t.hour == 0 for t in weeks)  # Mondays
    days = [t.astimezone(zone) for t in x_ticks(end - timedelta(days=5), end, zone)]
    assert [t.day for t in days] == [6, 7, 8, 9, 10]


def test_full_page_without_htmx_and_fragment_with_it(app, web):
    _sign_up(web)
    _add(app, "checkin", utcnow() - timedelta(days=1), {"mood": 6, "anxiety": 4})
    page = web.get("/charts?range=90")
    assert page.get_data(as_text=True).lstrip().lower().startswith("<!doctype html>")
    fragment = web.get("/charts?range=90", htmx=True)
    html = fragment.get_data(as_text=True)
    assert not html.lstrip().lower().startswith("<!doctype") and html.lstrip().startswith('<div class="charts"')
    assert _points(_svg(_section(html, "chart-mood")), 1) == 1
    assert "HX-Request" in fragment.headers["Vary"] and fragment.headers["Cache-Control"] == "no-store"


def test_questionnaire_totals_are_charted_per_instrument(app, web):
    from journal.measures import service as measures

    _sign_up(web)
    now = utcnow()
    with app.app_context():
        db = get_db()
        keyring = vault.unlock_with_password(db.scalar(select(User).where(User.email == "ana@example.org")), PASSWORD)
        phq9 = measures.INSTRUMENTS["phq9"]
        for days, value in ((20, 2), (6, 1)):
            answers = {n: value for n in phq9.numbers}
            answers[9] = 0
            measures.create_measure(db, keyring, uuid.uuid4().hex, phq9, answers, None, now - timedelta(days=days))
        db.commit()
    page = web.get("/charts").get_data(as_text=True)
    section = _section(page, "chart-phq9")
    assert "PHQ-9 total" in section and _points(_svg(section), 1) == 2
    assert [row[1] for row in _point_rows(section)] == ["16", "8"]
    assert "Total, 0 to 27" in section
    assert 'aria-labelledby="chart-gad7-heading"' not in page  # no GAD-7 scores: no GAD-7 chart
    _assert_inert(_svg(section))


def test_another_clients_data_never_shows(app, web, other_web):
    _sign_up(web)
    marker = new_marker("CHARTNOTE")
    _add(app, "checkin", utcnow() - timedelta(days=1), {"mood": 9, "note": marker})
    other_web.sign_up("ben@example.org")
    page = other_web.get("/charts").get_data(as_text=True)
    assert "Nothing to show yet" in _section(page, "chart-mood") and marker not in page
    assert marker not in web.get("/charts").get_data(as_text=True)  # notes are never part of a chart


def test_therapists_and_visitors_cannot_open_charts(app, web, other_web):
    other_web.sign_up("doc@example.org", role="therapist")
    assert other_web.get("/charts").status_code == 403
    response = web.get("/charts")
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin")


def test_axis_labels_never_overlap_and_empty_series_have_no_key():
    import re as _re
    from datetime import datetime, timedelta

    from journal.charts.svg import Series, line_chart

    end = datetime(2026, 11, 21, 23, 0, tzinfo=UTC)
    start = end - timedelta(days=30)
    svg = str(
        line_chart(
            chart_id="t",
            title="Mood",
            series=[Series("Mood", [(end - timedelta(days=1), 5.0)]), Series("Anxiety", [])],
            x_range=(start, end),
            y_range=(0, 10),
            y_label="0 to 10",
            zone="UTC",
        )
    )
    ticks = _re.findall(r'<text class="chart-tick" x="([0-9.]+)" y="([0-9.]+)" text-anchor="(\w+)">([^<]+)</text>', svg)
    axis_y = max((y for _x, y, _a, _t in ticks), key=float)  # the date labels sit under the axis; the others are values
    labels = [(float(x), anchor, text) for x, y, anchor, text in ticks if y == axis_y]
    assert len(labels) >= 3
    spans = []
    for x, anchor, text in labels:
        width = 6.5 * len(text)
        left = x - {"end": width, "start": 0, "middle": width / 2}[anchor]
        spans.append((left, left + width))
    assert all(later[0] >= earlier[1] for earlier, later in zip(spans, spans[1:], strict=False))
    # Of two series one has points: the key names it (a lone line on a two-series chart must say which it is),
    # never the empty one.
    assert re.findall(r'class="chart-key-label"[^>]*>([^<]+)<', svg) == ["Mood"]
    alone = str(
        line_chart(
            chart_id="t",
            title="Mood",
            series=[Series("Mood", [(end, 5.0)])],
            x_range=(start, end),
            y_range=(0, 10),
            zone="UTC",
        )
    )
    assert "chart-key-label" not in alone  # one series: the title names it


def test_a_lone_anxiety_line_is_keyed_and_keeps_its_own_style():
    svg = _chart([], [(T0 + timedelta(days=2), 4), (T0 + timedelta(days=5), 6)])
    root = ET.fromstring(svg)
    assert [t.text for t in root.iter(f"{SVG_NS}text") if t.get("class") == "chart-key-label"] == ["Anxiety"]
    assert _points(svg, 1) == 0 and len(root.findall(f".//{SVG_NS}rect[@class='chart-point series-2']")) == 2
    assert root.find(f".//{SVG_NS}g[@class='chart-series series-2']/{SVG_NS}polyline").get("stroke-dasharray")
    assert "Mood: no values." in svg and "Anxiety: 2 values" in svg
