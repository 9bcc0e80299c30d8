"""A word-sized mood line for the clients list: inline SVG text, pure, with the same facts in words.

The line is decorative for a screen reader (aria-hidden): the sentence next to it says what it
shows, so colour and shape are never the only signal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

WIDTH, HEIGHT, PAD = 120, 28, 3


@dataclass(frozen=True)
class Sparkline:
    svg: Markup  # empty when there is nothing to draw
    text: str  # the same, said in words


def sparkline(
    points: Sequence[tuple[datetime, float]],
    span: tuple[datetime, datetime],
    *,
    low: float = 0,
    high: float = 10,
    label: str = "Mood",
    period: str = "last 30 days",
) -> Sparkline:
    """Points (oldest first or not) inside `span`, drawn on a fixed `low`-`high` scale."""
    start, end = span
    inside = sorted((at, value) for at, value in points if start <= at <= end)
    if not inside:
        return Sparkline(Markup(""), f"{label}: no check-ins shared in the {period}.")
    seconds = max((end - start).total_seconds(), 1.0)

    def x(at: datetime) -> float:
        return PAD + (at - start).total_seconds() / seconds * (WIDTH - 2 * PAD)

    def y(value: float) -> float:
        clamped = min(max(value, low), high)
        return HEIGHT - PAD - (clamped - low) / (high - low) * (HEIGHT - 2 * PAD)

    coords = " ".join(f"{x(at):.1f},{y(value):.1f}" for at, value in inside)
    last_at, last_value = inside[-1]
    line = (
        (
            f'<polyline class="spark-line" points="{coords}" fill="none" stroke="currentColor" stroke-width="1.8" '
            f'stroke-linejoin="round" stroke-linecap="round"/>'
        )
        if len(inside) > 1
        else ""
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" aria-hidden="true" focusable="false">'
        f'<line class="spark-mid" x1="{PAD}" x2="{WIDTH - PAD}" y1="{y((low + high) / 2):.1f}" '
        f'y2="{y((low + high) / 2):.1f}" stroke="currentColor" stroke-opacity="0.25" stroke-dasharray="2 3"/>'
        f'{line}<circle class="spark-last" cx="{x(last_at):.1f}" cy="{y(last_value):.1f}" r="2.8" '
        f'fill="currentColor"/></svg>'
    )
    values = [value for _at, value in inside]
    count = "1 check-in" if len(values) == 1 else f"{len(values)} check-ins"
    spread = (
        f"{_num(values[0])}"
        if len(values) == 1
        else f"lowest {_num(min(values))}, highest {_num(max(values))}, latest {_num(last_value)}"
    )
    return Sparkline(Markup(svg), f"{label}, {period}: {count}; {spread} (0 to 10, higher is better).")


def _num(value: float) -> str:
    return f"{value:g}"
