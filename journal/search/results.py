"""A page of search results, whoever searches: records read newest first in batches, each opened in memory,
matched, and kept only when every word is in it; then grouped by the dosing session they follow.

Paging is by keyset: a page ends at its last result, and the next page reads below it (the cursor travels in a
form field, never in the address). One request reads at most READ_CAP records: when that many were read
without filling the page, the page says so and offers to look further back from where it stopped, so a search
costs the same bounded time however long the course. Pure: the batches come opened.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ..course.days import Dose, place_of
from ..records import kinds
from ..records.cursors import Cursor, cursor_of
from ..records.service import RecordView
from . import text

PAGE_SIZE = 20  # results a page shows
BATCH = 250  # records read and opened at once
READ_CAP = 2500  # records one request reads at most


@dataclass(frozen=True)
class Found:
    view: RecordView
    snippet: text.Snippet


@dataclass
class Scan:
    """What one request's reading found: the matches, and where a next page (or a further look) starts."""

    found: list[Found] = field(default_factory=list)
    read: int = 0
    next_cursor: Cursor | None = None  # more results may follow below the last one shown
    stopped_at: Cursor | None = None  # READ_CAP was reached before the page filled: look further from here


def scan(batches: Iterable[Sequence[RecordView]], words: Sequence[str], limit: int = PAGE_SIZE) -> Scan:
    """Read batches (newest first) until `limit` results and one more are found, or READ_CAP records are read."""
    result = Scan()
    last_read: RecordView | None = None
    for batch in batches:
        for view in batch:
            result.read += 1
            last_read = view
            fields = kinds.search_text(view)
            if text.matches(fields, words):
                found = text.snippet(fields, words)
                if found is not None:
                    if len(result.found) == limit:  # one more than the page: there is a next page
                        result.next_cursor = cursor_of(result.found[-1].view)
                        return result
                    result.found.append(Found(view, found))
            if result.read >= READ_CAP:
                result.stopped_at = cursor_of(last_read)
                return result
    return result


@dataclass(frozen=True)
class Item:
    id: uuid.UUID
    label: str  # the kind's name: "Check-in"
    title: str
    snippet: text.Snippet
    occurred_at: datetime
    day: int | None
    url: str


@dataclass
class Group:
    dose: Dose | None
    items: list[Item] = field(default_factory=list)


def grouped(found: Sequence[Found], doses: Sequence[Dose], zone: str, url: Callable[[RecordView], str]) -> list[Group]:
    """Results (newest first) in groups by the session they follow, each with its day after it in `zone`."""
    groups: list[Group] = []
    for one in found:
        view = one.view
        place = place_of(view.occurred_at, doses, zone)
        if not groups or groups[-1].dose != place.dose:
            groups.append(Group(place.dose))
        title, _detail = kinds.summary(view, doses)
        groups[-1].items.append(
            Item(view.id, kinds.label(view.kind), title, one.snippet, view.occurred_at, place.day, url(view))
        )
    return groups
