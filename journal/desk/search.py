"""A therapist's search through what one client shares with them now: only the shares that are current and verify
(sharing/reads.py Reader) are opened, in batches, in memory for the request; a record not shared, or no longer
shared, is never read. The results that reach the screen count in the client's access history like a page of
the client's timeline (one summary line per visit)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from .. import vault
from ..models import Link, User
from ..records import kinds
from ..records.cursors import make_cursor, parse_cursor
from ..records.service import RecordView
from ..search import results, text
from ..search.service import SearchPage
from ..sharing import access, reads
from ..web.links import url_for
from .course import shared_doses_between
from .service import Unshown


@dataclass(frozen=True)
class SharedSearch:
    page: SearchPage
    unshown: Unshown


def search_shared(
    db: Session,
    keyring: vault.Keyring,
    link: Link,
    client: User,
    query: str | None,
    after: str | None,
    now: datetime,
) -> SharedSearch:
    """A page of what this client shares now holding every word of `query`, newest first, below `after`.
    ValueError on a bad cursor."""
    query = (query or "")[: text.QUERY_MAX]
    words = text.terms(query)
    cursor = parse_cursor(after)
    reader = reads.Reader(db, keyring, client.id)
    if not words:
        return SharedSearch(SearchPage(query, words, [], 0, None, None, cursor is not None), Unshown())
    names = [one.name for one in kinds.searchable(shareable=True)]

    def batches() -> Iterator[list[RecordView]]:
        before = cursor
        while True:
            views, before = reader.newest(kinds=names, before=before, limit=results.BATCH)
            yield views
            reader.forget()  # the matches are kept by the scan; nothing else of the batch is held
            if before is None:
                return

    found = results.scan(batches(), words)
    views = [one.view for one in found.found]
    doses = (
        shared_doses_between(db, keyring.user_id, client.id, views[-1].occurred_at, views[0].occurred_at)
        if views
        else []
    )
    groups = results.grouped(
        found.found,
        doses,
        client.time_zone,
        lambda view: url_for("desk.record", client_id=client.id, record_id=view.id),
    )
    access.log_summaries(db, keyring.user_id, client.id, len(views), now)
    page = SearchPage(
        query,
        words,
        groups,
        len(views),
        make_cursor(found.next_cursor) if found.next_cursor else None,
        make_cursor(found.stopped_at) if found.stopped_at else None,
        cursor is not None,
    )
    return SharedSearch(page, Unshown.of(reader))
