"""Line charts drawn as SVG text on the server: pure functions, no Flask, no database, no script.

One chart: one or more series of (time, value) points on a fixed y range over a fixed time range,
with dosing sessions marked on the time axis ("S1", "S2", ...). Series differ by more than colour:
a solid line with round points, a dashed line with square points, a dotted line with diamonds,
and a legend names each. The SVG has a viewBox and no fixed size, so it fits any column width;
colours come from CSS classes (charts.css) using the theme's variables, so it reads in light and
dark. It carries role="img" with a <title> and a <desc> summary; the numbers themselves are in
the data table the page shows under it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

WIDTH, HEIGHT = 320, 240
LEFT, RIGHT, TOP, BOTTOM = 34, 312, 56, 198  # the plotting area
INSET = 8  # the time range is drawn this far inside the plotting area: no first point sits on the value axis
DASHES = (None, "7 4", "2 3")
SHAPES = ("circle", "square", "diamond")
EMPTY_TEXT = "Nothing to show yet."
_ID_RE = re.compile(r"[a-z][a-z0-9-]{0,40}")


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[datetime, float]]


@dataclass(frozen=True)
class Marker:
    """A moment marked on the time axis: a dosing session, labelled "S1", "S2", ..."""

    label: str
    at: datetime
    title: str  # said in full: "Dosing session 1"


def line_chart(
    *,
    chart_id: str,
    title: str,
    series: Sequence[Series],
    x_range: tuple[datetime, datetime],
    y_range: tuple[float, float],
    markers: Sequence[Marker] = (),
    zone: str = "UTC",
    y_label: str = "",
    note: str = "",
    empty_text: str = EMPTY_TEXT,
) -> str:
    """The chart as an <svg> element; a plain message instead when no point falls in the range.

    Points and markers outside `x_range` are left out. `note` ends the spoken summary (what
    higher values mean, say). Every text is escaped here.
    """
    if not _ID_RE.fullmatch(chart_id):
        raise ValueError("chart ids are lowercase letters, digits and hyphens")
    tz = ZoneInfo(zone)
    start, end = x_range
    if end - start < timedelta(days=1):  # a single moment, or moments within hours: two days around them
        middle = start + (end - start) / 2
        start, end = middle - timedelta(days=1), middle + timedelta(days=1)
    inside = [
        Series(s.label, sorted(((at, v) for at, v in s.points if start <= at <= end), key=lambda p: p[0]))
        for s in series
    ]
    shown_markers = [m for m in markers if start <= m.at <= end]
    if not any(s.points for s in inside):
        return f'<p class="chart-empty">{escape(empty_text)}</p>'
    scale = _Scale(start, end, y_range)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc" fill="currentColor" font-size="12">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(summary(inside, shown_markers, tz, note))}</desc>',
        f'<text class="chart-title" x="0" y="15" font-size="13" font-weight="600">{escape(title)}</text>',
        *_legend(inside),
        *_y_axis(scale, y_range, y_label),
        *_x_axis(scale, tz),
        *_markers(scale, shown_markers, tz),
    ]
    for index, one in enumerate(inside):
        parts.extend(_series(scale, index, one, tz))
    parts.append("</svg>")
    return "\n".join(parts)


def summary(series: Sequence[Series], markers: Sequence[Marker], tz: ZoneInfo, note: str = "") -> str:
    """What the chart shows, in words: per series the count, dates, lowest, highest and latest value."""
    sentences = []
    for one in series:
        values = [v for _at, v in one.points]
        if not values:
            sentences.append(f"{one.label}: no values.")
            continue
        first, last = one.points[0][0], one.points[-1][0]
        when = _day(first, tz) if _day(first, tz) == _day(last, tz) else f"from {_day(first, tz)} to {_day(last, tz)}"
        count = "1 value" if len(values) == 1 else f"{len(values)} values"
        sentences.append(
            f"{one.label}: {count}, {when}; lowest {_num(min(values))}, highest {_num(max(values))}, "
            f"latest {_num(values[-1])}."
        )
    if markers:
        sentences.append(
            "Dosing sessions marked: " + ", ".join(f"{m.label} on {_day(m.at, tz)}" for m in markers) + "."
        )
    if note:
        sentences.append(note)
    sentences.append("The numbers are in the table below the chart.")
    return " ".join(sentences)


class _Scale:
    def __init__(self, start: datetime, end: datetime, y_range: tuple[float, float]):
        self.start, self.end = start, end
        self.low, self.high = y_range
        if self.high <= self.low:
            raise ValueError("the y range needs a top above its bottom")

    def x(self, at: datetime) -> float:
        return LEFT + INSET + (at - self.start) / (self.end - self.start) * (RIGHT - LEFT - 2 * INSET)

    def y(self, value: float) -> float:
        clamped = min(max(value, self.low), self.high)
        return BOTTOM - (clamped - self.low) / (self.high - self.low) * (BOTTOM - TOP)


def _legend(series: Sequence[Series]) -> list[str]:
    """Line style, point shape and name of each series with points, on a chart of several series."""
    # One series needs no key (the title names it); one of several does, drawn alone or not: a lone anxiety
    # line on a "Mood and anxiety" chart must not pass for mood.
    if len(series) < 2:
        return []
    parts, x = [], 0.0
    for index, one in enumerate(series):
        if not one.points:
            continue  # nothing drawn, nothing to explain; the others keep their own styles
        n = index + 1
        parts.append(f'<g class="chart-key series-{n}">')
        parts.append(_line_element(f"{_f(x)},33 {_f(x + 24)},33", index))
        parts.append(_shape(index, x + 12, 33, "chart-key-point"))
        parts.append(f'<text class="chart-key-label" x="{_f(x + 30)}" y="37">{escape(one.label)}</text></g>')
        x += 40 + 7 * len(one.label)
    return parts


def _y_axis(scale: _Scale, y_range: tuple[float, float], label: str) -> list[str]:
    parts = []
    for value in y_ticks(*y_range):
        y = _f(scale.y(value))
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{RIGHT}" y1="{y}" y2="{y}" stroke="currentColor" '
            f'stroke-opacity="0.2"/>'
        )
        parts.append(
            f'<text class="chart-tick" x="{LEFT - 5}" y="{_f(scale.y(value) + 4)}" '
            f'text-anchor="end">{_num(value)}</text>'
        )
    if label:
        middle = _f((TOP + BOTTOM) / 2)
        parts.append(
            f'<text class="chart-axis-label" transform="rotate(-90)" x="-{middle}" y="11" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    return parts


TICK_CHAR_WIDTH = 6.5  # average width of a tick label's character, in viewBox units


def _x_axis(scale: _Scale, tz: ZoneInfo) -> list[str]:
    parts = [f'<line class="chart-axis" x1="{LEFT}" x2="{RIGHT}" y1="{BOTTOM}" y2="{BOTTOM}" stroke="currentColor"/>']
    last_end = -math.inf  # where the previous label ends: a label that would overlap it is left out
    ticks = x_ticks(scale.start, scale.end, tz)
    monthly = _monthly(scale.start, scale.end)
    for index, tick in enumerate(ticks):
        position = scale.x(tick)
        x = _f(position)
        text = tick_label(tick, tz, monthly=monthly, first=index == 0)
        parts.append(
            f'<line class="chart-axis" x1="{x}" x2="{x}" y1="{BOTTOM}" y2="{BOTTOM + 4}" stroke="currentColor"/>'
        )
        anchor = "end" if position > RIGHT - 16 else "start" if position < LEFT + 12 else "middle"
        width = TICK_CHAR_WIDTH * len(text)
        start = position - {"end": width, "start": 0, "middle": width / 2}[anchor]
        if start < last_end + 4:
            continue
        last_end = start + width
        parts.append(f'<text class="chart-tick" x="{x}" y="{BOTTOM + 17}" text-anchor="{anchor}">{escape(text)}</text>')
    parts.append(
        f'<text class="chart-axis-label" x="{_f((LEFT + RIGHT) / 2)}" y="{HEIGHT - 4}" '
        f'text-anchor="middle">Date ({escape(str(tz.key))})</text>'
    )
    return parts


def _markers(scale: _Scale, markers: Sequence[Marker], tz: ZoneInfo) -> list[str]:
    """A vertical line and a label per marker; labels closer than 22 units alternate between two rows."""
    parts, last_x = [], [-math.inf, -math.inf]
    for marker in markers:
        x = scale.x(marker.at)
        row = 0 if x - last_x[0] >= 22 else 1 if x - last_x[1] >= 22 else 0
        last_x[row] = x
        label_y = TOP - 5 if row == 0 else TOP + 11
        parts.append(
            f'<g class="chart-dose"><title>{escape(marker.title)}, {escape(_day(marker.at, tz))}</title>'
            f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{TOP - 2}" y2="{BOTTOM}" stroke="currentColor" stroke-width="1.5" '
            f'stroke-dasharray="3 3"/>'
            f'<text class="chart-dose-label" x="{_f(x)}" y="{label_y}" text-anchor="middle" font-size="11" '
            f'font-weight="600">{escape(marker.label)}</text></g>'
        )
    return parts


def _series(scale: _Scale, index: int, one: Series, tz: ZoneInfo) -> list[str]:
    n = index + 1
    coords = [(scale.x(at), scale.y(value)) for at, value in one.points]
    parts = [f'<g class="chart-series series-{n}">']
    if len(coords) > 1:
        parts.append(_line_element(" ".join(f"{_f(x)},{_f(y)}" for x, y in coords), index))
    for (x, y), (at, value) in zip(coords, one.points, strict=True):
        local = at.astimezone(tz)
        parts.append(
            _shape(
                index, x, y, f"chart-point series-{n}", f"{one.label} {_num(value)}, {local.day} {local:%b %Y, %H:%M}"
            )
        )
    parts.append("</g>")
    return parts


def _line_element(points: str, index: int) -> str:
    dash = DASHES[index % len(DASHES)]
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<polyline class="chart-line" points="{points}" fill="none" stroke="currentColor" stroke-width="2.5" '
        f'stroke-linejoin="round" stroke-linecap="round"{dashed}/>'
    )


def _shape(index: int, x: float, y: float, css: str, title: str | None = None) -> str:
    shape = SHAPES[index % len(SHAPES)]
    inner = f"<title>{escape(title)}</title>" if title else ""
    if shape == "circle":
        return f'<circle class="{css}" cx="{_f(x)}" cy="{_f(y)}" r="4.5">{inner}</circle>'
    if shape == "square":
        return f'<rect class="{css}" x="{_f(x - 4)}" y="{_f(y - 4)}" width="8" height="8">{inner}</rect>'
    points = f"{_f(x)},{_f(y - 5.5)} {_f(x + 5.5)},{_f(y)} {_f(x)},{_f(y + 5.5)} {_f(x - 5.5)},{_f(y)}"
    return f'<polygon class="{css}" points="{points}">{inner}</polygon>'


def y_ticks(low: float, high: float) -> list[float]:
    """At most six round values from `low` to `high`, and `high` itself when it is not too close."""
    span = high - low
    step = next((s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500) if span / s <= 5), span / 5)
    first = math.ceil(low / step) * step
    ticks = [first + k * step for k in range(int((high - first) // step) + 1)]
    if high - ticks[-1] >= step / 2:
        ticks.append(high)
    return ticks


MONTHLY_AFTER_DAYS = 70  # a longer range is marked at the start of months, a shorter one at days or weeks
DAY_STEPS = (1, 2, 3, 7, 14)  # 7 and 14: on Mondays
MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60)  # on January and every step-th month after it
MAX_X_TICKS = 6


def x_ticks(start: datetime, end: datetime, tz: ZoneInfo) -> list[datetime]:
    """Local midnights from `start` to `end`, at most MAX_X_TICKS: days (every 1, 2 or 3 days, or weekly or
    fortnightly on Mondays) for a range of up to ten weeks, the first of months (every 1, 2, 3, 6 or 12) beyond."""
    if _monthly(start, end):
        return _month_ticks(start, end, tz)
    days = (end - start).total_seconds() / 86400
    step = next((s for s in DAY_STEPS if days / s <= MAX_X_TICKS), DAY_STEPS[-1])
    day = start.astimezone(tz).date()
    if step >= 7:
        day += timedelta(days=(7 - day.weekday()) % 7)  # the first Monday
    ticks: list[datetime] = []
    while True:
        midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
        if midnight > end:
            return ticks[:MAX_X_TICKS]
        if midnight >= start:
            ticks.append(midnight)
        day += timedelta(days=step)


def _monthly(start: datetime, end: datetime) -> bool:
    return end - start > timedelta(days=MONTHLY_AFTER_DAYS)


def _month_ticks(start: datetime, end: datetime, tz: ZoneInfo) -> list[datetime]:
    first, last = start.astimezone(tz), end.astimezone(tz)
    months = (last.year - first.year) * 12 + last.month - first.month
    step = next((s for s in MONTH_STEPS if months / s < MAX_X_TICKS), MONTH_STEPS[-1])
    ticks: list[datetime] = []
    index = first.year * 12 + first.month - 1  # months since year 0, January = 0
    while True:
        year, month = divmod(index, 12)
        midnight = datetime(year, month + 1, 1, tzinfo=tz)
        if midnight > end:
            return ticks
        if midnight >= start and index % step == 0:
            ticks.append(midnight)
        index += 1


def tick_label(tick: datetime, tz: ZoneInfo, *, monthly: bool, first: bool = False) -> str:
    """ "9 Mar" for a day; "Mar" for a month, with its year on the first tick and on each January."""
    local = tick.astimezone(tz)
    if not monthly:
        return f"{local.day} {local:%b}"
    return f"{local:%b} {local.year}" if first or local.month == 1 else f"{local:%b}"


def _day(at: datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz)
    return f"{local.day} {local:%b %Y}"


def _num(value: float) -> str:
    return f"{value:g}"


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")
