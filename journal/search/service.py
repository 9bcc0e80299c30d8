"""The client's search over their own writing: every kind that offers text (journal/records/kinds.py
RecordKind.search_text), opened in memory for this request only. Nothing searchable is written anywhere: no
index, no cache, no log line with the words (the query travels in a form's body, never in an address)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from .. import vault
from ..course.service import own_doses_between
from ..records import kinds
from ..records import service as records
from ..records.cursors import make_cursor, parse_cursor
from . import results, text


@dataclass(frozen=True)
class SearchPage:
    query: str
    words: tuple[str, ...]
    groups: list[results.Group]
    count: int  # results on this page
    next_cursor: str | None  # "More results"
    stopped_at: str | None  # "Look further back": READ_CAP records were read without filling the page
    later: bool  # this page continues an earlier one

    @property
    def asked(self) -> bool:
        return bool(self.words)


def search(db: Session, keyring: vault.Keyring, zone: str, query: str | None, after: str | None = None) -> SearchPage:
    """A page of the owner's records holding every word of `query`, newest first, below the cursor `after`.
    ValueError on a bad cursor."""
    query = (query or "")[: text.QUERY_MAX]
    words = text.terms(query)
    cursor = parse_cursor(after)
    if not words:
        return SearchPage(query, words, [], 0, None, None, cursor is not None)
    batches = records.newest_batches(
        db, keyring, [one.name for one in kinds.searchable()], before=cursor, batch=results.BATCH
    )
    found = results.scan(batches, words)
    views = [one.view for one in found.found]
    doses = own_doses_between(db, keyring, views[-1].occurred_at, views[0].occurred_at) if views else []
    return SearchPage(
        query,
        words,
        results.grouped(found.found, doses, zone, lambda view: kinds.kind(view.kind).owner_url(view)),
        len(found.found),
        make_cursor(found.next_cursor) if found.next_cursor else None,
        make_cursor(found.stopped_at) if found.stopped_at else None,
        cursor is not None,
    )
