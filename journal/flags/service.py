"""Flags for one client on one therapist's desk: from what is shared now, with the therapist's marks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from .. import vault
from ..checkins.service import KIND as CHECKIN
from ..measures.service import KIND as MEASURE
from ..models import Link, User
from ..records.kinds import display
from ..records.service import RecordView
from . import marks
from .rules import Flag, flags_for, with_marks

KINDS = (MEASURE, CHECKIN)  # what the rules read


def client_flags(keyring: vault.Keyring, link: Link, views: Iterable[RecordView], zone: str) -> list[Flag]:
    """The flags the client's shared questionnaires and check-ins meet, each with when it was marked seen.

    `views` are records shared now (any kinds; the rules read questionnaires and check-ins), opened.
    """
    measures: list[Any] = []  # display() gives each kind's own display values
    checkins: list[Any] = []
    for view in views:
        if view.kind in KINDS:
            shown = display(view)
            if shown is not None:
                (measures if view.kind == MEASURE else checkins).append(shown)
    return with_marks(flags_for(measures, checkins, zone), marks.seen(keyring, link))


def mark_seen(
    keyring: vault.Keyring, link: Link, client: User, flags: list[Flag], flag_ids: list[str], now: datetime
) -> bool:
    """Mark current flags seen; False (and nothing marked) when any id is no current flag (revoked, made up)."""
    if not flag_ids or not set(flag_ids) <= {flag.id for flag in flags}:
        return False
    marks.mark(keyring, link, client, flag_ids, now)
    return True
