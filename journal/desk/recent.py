"""What the desk's screens show of a client's whole history, read at a cost that does not grow with it.

A first screen costs the same for 100 shared records or 10,000: it reads the latest stretch of shared
check-ins and questionnaires (FLAG_DAYS, at most READ_CAP of each) and, before that stretch, only what the
flag rules look back on. The rules are local (flags/rules.py): whether a record carries a flag depends on
it and on a few shared records before it (the questionnaire of the same kind shared before it; the
check-ins that make the usual mood), so the flags found for the records read are the ones a read of the
whole history finds (the questionnaire of the same kind before one is looked for among the
LEAD_ROUNDS * MEASURE_BATCH shared before it). Flags of older records show on their own page and in the whole
printed brief, and the pages say so.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .. import vault
from ..checkins.service import KIND as CHECKIN
from ..flags import marks as flag_marks
from ..flags.rules import BASELINE_MAX, WINDOW, Flag, flags_for, with_marks
from ..measures.service import KIND as MEASURE
from ..models import Link
from ..records.cursors import Cursor, cursor_of
from ..records.kinds import display
from ..records.service import RecordView
from ..sharing.reads import Reader

FLAG_DAYS = 30  # flags on the clients list, a client's page and a brief's first screen: as the charts and mood lines
FLAG_WORDS = f"the last {FLAG_DAYS} days"
READ_CAP = 200  # at most this many check-ins, and as many questionnaires, for one stretch
LATE_CAP = 5  # questionnaires shared within the stretch that happened before it, looked at for flags
MOOD_LEAD = BASELINE_MAX + WINDOW  # check-ins with a mood before the first one looked at that its flag depends on
MEASURE_BATCH = 3  # questionnaires read back at a time: one of each of the three, usually
LEAD_ROUNDS = 4  # at most this many batches back, for one record's lead
EARLIEST = uuid.UUID(int=0)


@dataclass(frozen=True)
class Stretch:
    """Shared check-ins and questionnaires from `since` on (newest first, opened), and the flags they carry."""

    since: datetime  # the start asked for
    checkins: list[RecordView]
    measures: list[RecordView]
    capped_at: datetime | None  # when READ_CAP cut the stretch short: the moment from which it is whole
    flags: list[Flag]  # with the therapist's marks; questionnaire item 9 first, then the newest first

    @property
    def starts(self) -> datetime:
        """From when the stretch holds every shared check-in and questionnaire."""
        return self.capped_at or self.since


def stretch(reader: Reader, keyring: vault.Keyring, link: Link, zone: str, since: datetime) -> Stretch:
    """The shared check-ins and questionnaires from `since` on, and the flags of those and of the latest
    questionnaires shared since then (though they happened earlier).

    A handful of bounded queries: each kind from `since` on (at most READ_CAP), the lead the rules need
    before the earliest of them, and at most LATE_CAP questionnaires shared late, each with its own lead.
    """
    checkins, more_checkins = reader.newest(kinds=[CHECKIN], since=since, limit=READ_CAP)
    measures, more_measures = reader.newest(kinds=[MEASURE], since=since, limit=READ_CAP)
    checkins_end = more_checkins or (since, EARLIEST)
    measures_end = more_measures or (since, EARLIEST)
    found = _flags_from(reader, checkins, checkins_end, measures, measures_end, zone)
    inside = {view.id for view in checkins + measures}
    # Questionnaires shared in the stretch that happened before it (an item 9 answer matters whenever it is
    # shared); each read with the questionnaire of its kind before it. A few at most.
    whole_from = max(checkins_end[0], measures_end[0])
    late, _more = reader.shared_since(since, kinds=[MEASURE], happened_before=measures_end[0], limit=LATE_CAP)
    for view in late:
        if view.id not in inside:
            found += flags_of(reader, view, zone)
    capped = whole_from if (more_checkins or more_measures) else None
    return Stretch(since, checkins, measures, capped, ordered(with_marks(found, flag_marks.seen(keyring, link))))


def flags_of_all(reader: Reader, views: Sequence[RecordView], zone: str) -> list[Flag]:
    """The flags these shared records carry (without marks), when they are every record shared between the oldest
    and the newest of them (a page of the timeline): read with one lead before the oldest of each kind."""
    checkins = sorted((view for view in views if view.kind == CHECKIN), key=cursor_of, reverse=True)
    measures = sorted((view for view in views if view.kind == MEASURE), key=cursor_of, reverse=True)
    if not checkins and not measures:
        return []
    return _flags_from(
        reader,
        checkins,
        cursor_of(checkins[-1]) if checkins else cursor_of(measures[-1]),
        measures,
        cursor_of(measures[-1]) if measures else cursor_of(checkins[-1]),
        zone,
    )


def _flags_from(
    reader: Reader,
    checkins: list[RecordView],
    checkins_end: Cursor,
    measures: list[RecordView],
    measures_end: Cursor,
    zone: str,
) -> list[Flag]:
    """Flags of the shared check-ins and questionnaires given (newest first, each kind every one shared from its
    `_end` cursor on), read with the lead the rules need before them."""
    lead_checkins = mood_lead(reader, checkins_end) if checkins else []
    lead_measures = measure_lead(reader, measures_end, {instrument_of(view) for view in measures} - {None})
    inside = {view.id for view in checkins + measures}
    found = flags_among(measures + lead_measures, checkins + lead_checkins, zone)
    return [flag for flag in found if flag.record_id in inside]


def flags_of(reader: Reader, view: RecordView, zone: str) -> list[Flag]:
    """The flags one shared check-in or questionnaire carries (without marks), read with what it looks back on."""
    if view.kind == CHECKIN:
        found = flags_among([], [*mood_lead(reader, cursor_of(view)), view], zone)
    elif view.kind == MEASURE:
        lead = measure_lead(reader, cursor_of(view), {instrument_of(view)} - {None})
        found = flags_among([*lead, view], [], zone)
    else:
        return []
    return [flag for flag in found if flag.record_id == view.id]


def flags_among(measures: Iterable[RecordView], checkins: Iterable[RecordView], zone: str) -> list[Flag]:
    """The flag rules over these opened questionnaires and check-ins (any order), without marks."""
    return flags_for(
        [shown for shown in map(display, measures) if shown is not None],
        [shown for shown in map(display, checkins) if shown is not None],
        zone,
    )


def ordered(flags: Sequence[Flag]) -> list[Flag]:
    """Questionnaire item 9 answers first, then the others; the newest first in each (as flags_for orders)."""
    unique = list({flag.id: flag for flag in flags}.values())
    newest = sorted(unique, key=lambda flag: (flag.occurred_at, flag.id), reverse=True)
    return [flag for flag in newest if flag.rule == "item9"] + [flag for flag in newest if flag.rule != "item9"]


def since_days(now: datetime, days: int = FLAG_DAYS) -> datetime:
    return now - timedelta(days=days)


def mood_lead(reader: Reader, before: Cursor, wanted: int = MOOD_LEAD) -> list[RecordView]:
    """The shared check-ins before the cursor, newest first, until `wanted` of them have a mood."""
    lead: list[RecordView] = []
    cursor: Cursor | None = before
    missing = wanted
    for _ in range(LEAD_ROUNDS):
        if cursor is None or missing <= 0:
            break
        views, cursor = reader.newest(kinds=[CHECKIN], before=cursor, limit=missing)
        lead += views
        missing = wanted - sum(1 for view in lead if mood_of(view) is not None)
    return lead


def measure_lead(reader: Reader, before: Cursor, instruments: set[str | None]) -> list[RecordView]:
    """The shared questionnaires before the cursor, newest first, until one of each of `instruments` is among them."""
    lead: list[RecordView] = []
    missing = set(instruments)
    cursor: Cursor | None = before
    for _ in range(LEAD_ROUNDS):
        if not missing or cursor is None:
            break
        views, cursor = reader.newest(kinds=[MEASURE], before=cursor, limit=MEASURE_BATCH)
        lead += views
        missing -= {instrument_of(view) for view in views}
    return lead


def mood_of(view: RecordView) -> int | None:
    shown = display(view)
    return getattr(shown, "mood", None)


def instrument_of(view: RecordView) -> str | None:
    shown = display(view)
    instrument = getattr(shown, "instrument", None)
    return getattr(instrument, "id", None)
