"""What the charts show: the points and dosing sessions in a time range, as SVG and as table rows.

`build_chart` and the chart builders take plain data (times and values, numbered doses), so any
page can chart any series; `charts_page` gathers the client's check-ins, dosing sessions and
questionnaire scores for the /charts page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from markupsafe import Markup
from sqlalchemy.orm import Session

from .. import vault
from ..checkins.service import mood_series
from ..course.days import Dose
from ..course.service import doses as course_doses
from .svg import Marker, Series, line_chart

if TYPE_CHECKING:  # the questionnaires feature may be absent: see _questionnaire_scores
    from ..measures.instruments import Instrument

# ?range= value -> (words in titles, days back from now or None for the whole course, link text)
RANGES: dict[str, tuple[str, int | None, str]] = {
    "all": ("whole course", None, "Whole course"),
    "90": ("last 90 days", 90, "90 days"),
    "30": ("last 30 days", 30, "30 days"),
}
DEFAULT_RANGE = "all"
MOOD_NOTE = "Higher mood means feeling better; higher anxiety means feeling more anxious."


@dataclass(frozen=True)
class Row:
    """One line of a chart's table: a point (a value per column, None when not answered) or a dose."""

    at: datetime
    values: tuple[float | None, ...] = ()
    dose: Dose | None = None


@dataclass(frozen=True)
class Chart:
    id: str
    heading: str  # "Mood and anxiety"
    title: str  # "Mood and anxiety, last 30 days"
    columns: tuple[str, ...]
    svg: Markup  # the <svg>, or a "Nothing to show yet" paragraph
    rows: tuple[Row, ...]  # time order, dosing sessions among the points

    @property
    def empty(self) -> bool:
        return not any(row.dose is None for row in self.rows)

    @property
    def has_doses(self) -> bool:
        return any(row.dose is not None for row in self.rows)


@dataclass(frozen=True)
class ChartsPage:
    range_key: str
    ranges: tuple[tuple[str, str], ...]  # (key, words) for the range links
    charts: tuple[Chart, ...]
    measures_available: bool  # False while the questionnaires feature is not installed


def parse_range(raw: str | None) -> str:
    return raw if raw in RANGES else DEFAULT_RANGE


def window(range_key: str, now: datetime, earliest: datetime | None) -> tuple[datetime, datetime]:
    """(start, end) of a range ending now. The whole course starts at the earliest thing charted (the first
    dosing session, check-in or questionnaire); a range of days starts no earlier than that either, so a young
    course spreads across the width instead of crowding into its right-hand end."""
    days = RANGES[range_key][1]
    first = min(earliest or now, now)
    return (first if days is None else max(now - timedelta(days=days), first)), now


def build_chart(
    *,
    chart_id: str,
    heading: str,
    range_words: str,
    columns: Sequence[str],
    points: Sequence[tuple[datetime, Sequence[float | None]]],
    y_range: tuple[float, float],
    doses: Sequence[Dose],
    span: tuple[datetime, datetime],
    zone: str,
    y_label: str,
    note: str = "",
) -> Chart:
    """One chart of one series per column; a None value is a question not answered and is not plotted."""
    start, end = span
    inside = sorted(((at, tuple(values)) for at, values in points if start <= at <= end), key=lambda p: p[0])
    doses_inside = [dose for dose in doses if start <= dose.occurred_at <= end]
    series = [
        Series(label, [(at, value) for at, values in inside if (value := values[i]) is not None])
        for i, label in enumerate(columns)
    ]
    title = f"{heading}, {range_words}"
    svg = line_chart(
        chart_id=chart_id,
        title=title,
        series=series,
        x_range=span,
        y_range=y_range,
        zone=zone,
        y_label=y_label,
        markers=[Marker(f"S{dose.number}", dose.occurred_at, f"Dosing session {dose.number}") for dose in doses_inside],
        note=note,
        empty_text=f"Nothing to show yet for the {range_words}.",
    )
    rows = [Row(at, values) for at, values in inside] + [Row(dose.occurred_at, dose=dose) for dose in doses_inside]
    rows.sort(key=lambda row: (row.at, row.dose is None))
    return Chart(chart_id, heading, title, tuple(columns), Markup(svg), tuple(rows))


def mood_chart(
    series: Sequence[tuple[datetime, int | None, int | None]],
    doses: Sequence[Dose],
    span: tuple[datetime, datetime],
    range_words: str,
    zone: str,
) -> Chart:
    """Mood and anxiety (0-10) from check-ins, as `checkins.service.mood_series` gives them (None: not answered)."""
    return build_chart(
        chart_id="chart-mood",
        heading="Mood and anxiety",
        range_words=range_words,
        columns=("Mood", "Anxiety"),
        points=[(at, (mood, anxiety)) for at, mood, anxiety in series],
        y_range=(0, 10),
        doses=doses,
        span=span,
        zone=zone,
        y_label="0 to 10",
        note=MOOD_NOTE,
    )


def score_chart(
    instrument_id: str,
    name: str,
    max_total: int,
    scores: Sequence[tuple[datetime, int]],
    doses: Sequence[Dose],
    span: tuple[datetime, datetime],
    range_words: str,
    zone: str,
) -> Chart:
    """A questionnaire's totals (0 to its highest total)."""
    return build_chart(
        chart_id=f"chart-{instrument_id}",
        heading=f"{name} total",
        range_words=range_words,
        columns=(f"{name} total",),
        points=[(at, (total,)) for at, total in scores],
        y_range=(0, max_total),
        doses=doses,
        span=span,
        zone=zone,
        y_label=f"Total, 0 to {max_total}",
        note="A higher total means more symptoms.",
    )


def charts_page(db: Session, keyring: vault.Keyring, range_key: str, zone: str, now: datetime) -> ChartsPage:
    """Mood and anxiety, then one chart per questionnaire the client has filled in, over one range (the whole
    course unless another is chosen)."""
    words, days, _link = RANGES[range_key]
    since = now - timedelta(days=days) if days is not None else None
    doses = course_doses(db, keyring)
    moods = mood_series(db, keyring, since)
    measures = _questionnaire_scores(db, keyring)
    times = [dose.occurred_at for dose in doses] + [at for at, *_ in moods]
    times += [at for _instrument, scores in measures or () for at, _total in scores]
    span = window(range_key, now, min(times) if times else None)
    charts = [mood_chart(moods, doses, span, words, zone)]
    charts += [
        score_chart(instrument.id, instrument.name, instrument.max_total, scores, doses, span, words, zone)
        for instrument, scores in measures or ()
        if scores
    ]
    ranges = tuple((key, link) for key, (_words, _days, link) in RANGES.items())
    return ChartsPage(range_key, ranges, tuple(charts), measures is not None)


def _questionnaire_scores(
    db: Session, keyring: vault.Keyring
) -> list[tuple[Instrument, list[tuple[datetime, int]]]] | None:
    """(instrument, [(occurred_at, total)]) per instrument; None when the questionnaires feature is absent."""
    try:
        from ..measures import service as measures
    except ImportError:
        return None
    return [(instrument, measures.scores(db, keyring, instrument.id)) for instrument in measures.INSTRUMENTS.values()]
