"""A clinician reading what a client shared: one query for the rows, then the checks and the crypto per row.

Every share is verified against the client's signing key as the clinician pinned it (signers.py)
before anything of it is opened: the owner's signature over the record, the payload ciphertext, the
wrap and the digests of the attachments. A share that does not verify is not shown; it is counted
(`Shared.hidden`), logged as a security event and told in the clinician's activity. Nothing at all
is shown while the client's key is not pinned (`Shared.withheld` says why).

What reaches the clinician's screen is written to the client's access log by the caller (sharing/access.py).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from .. import vault
from ..db import utcnow
from ..models import Record, Share, User
from ..records import kinds
from ..records.blobs import STORE
from ..records.cursors import NEWEST_FIRST, OLDEST_FIRST, Cursor, cursor_of, newer_than, older_than
from ..records.service import RecordView
from ..records.shares import current_shares
from . import signers


class Shared(list):
    """Records shared with the clinician now, opened; `hidden` counts those that did not verify, and
    `withheld` ("not yet", "refused") says why nothing at all is shown."""

    hidden: int = 0
    withheld: str | None = None


@dataclass(frozen=True)
class Unverified:
    """A shared record that is there but did not verify: the desk says so instead of showing it."""

    record_id: uuid.UUID
    withheld: str | None = None


def shared_records(
    db: Session,
    keyring: vault.Keyring,
    client_id: uuid.UUID,
    *,
    kinds: Iterable[str] | None = None,
    since: datetime | None = None,
) -> Shared:
    """Everything this client shares with the keyring's owner now that verifies, newest first, opened.

    A wrap made for an older version of a record (before a revoke or an edit) does not count.
    """
    query = current_shares(select(Record, Share), keyring.user_id, client_id)
    if kinds is not None:
        query = query.where(Record.kind.in_(list(kinds)))
    if since is not None:
        query = query.where(Record.occurred_at >= since)
    rows = db.execute(query.order_by(Record.occurred_at.desc(), Record.id.desc())).all()
    return _verified(db, keyring, client_id, rows)


def shared_oldest_first(
    db: Session, keyring: vault.Keyring, client_id: uuid.UUID, kinds: Iterable[str], page_size: int = 50
) -> Iterator[RecordView]:
    """What this client shares with the keyring's owner now, oldest first, opened one page at a time.

    The same rule as `shared_records`; for an export, which must not hold every record at once. It
    reads a snapshot that is rolled back: nothing is written (a share that fails is logged only).
    """
    kinds = list(kinds)
    after: tuple[datetime, uuid.UUID] | None = None
    while True:
        query = current_shares(select(Record, Share), keyring.user_id, client_id).where(Record.kind.in_(kinds))
        if after is not None:
            query = query.where(newer_than(after))
        rows = db.execute(query.order_by(*OLDEST_FIRST).limit(page_size)).all()
        views = _verified(db, keyring, client_id, rows, may_write=False)
        count = len(rows)
        if rows:
            after = (rows[-1][0].occurred_at, rows[-1][0].id)
        del rows  # the session keeps no strong reference: only this page is held
        yield from views
        if count < page_size:
            return


def shared_ids(db: Session, recipient_id: uuid.UUID, client_id: uuid.UUID) -> list[uuid.UUID]:
    """Ids of everything this client shares with the recipient now, from metadata, nothing opened or verified."""
    return list(db.scalars(current_shares(select(Record.id), recipient_id, client_id)))


def shared_record(
    db: Session, keyring: vault.Keyring, client_id: uuid.UUID, record_id: uuid.UUID
) -> RecordView | Unverified | None:
    """One record shared now: opened if it verifies, Unverified if it does not, None if it is not shared."""
    found = _row_and_share(db, keyring, client_id, record_id)
    if found is None:
        return None
    views = _verified(db, keyring, client_id, [found])
    return views[0] if views else Unverified(record_id, views.withheld)


def shared_attachment(
    db: Session,
    keyring: vault.Keyring,
    client_id: uuid.UUID,
    record_id: uuid.UUID,
    variant: str,
    *,
    may_write: bool = True,
) -> bytes | None:
    """One attachment of a shared record, decrypted; None unless the share verifies and the bytes are the signed ones."""
    found = _row_and_share(db, keyring, client_id, record_id)
    if found is None:
        return None
    row, share = found
    signer = signers.signer_for(db, keyring, client_id, utcnow(), may_write=may_write)
    digests = STORE.digests(db, [row.id]).get(row.id, {})
    sealed = STORE.get(db, row.id, variant)
    if sealed is None:
        return None
    if (
        signer.public_key is None
        or variant not in digests
        or not hmac.compare_digest(hashlib.sha256(bytes(sealed)).digest(), digests[variant])
        or not vault.share_verifies(signer.public_key, row, keyring.user_id, share.wrap, share.sig, digests)
    ):
        if signer.public_key is not None:
            _tell(db, keyring, client_id, row.id, may_write)
        return None
    return vault.open_shared_attachment(keyring, row, share.wrap, variant, sealed)


def _verified(
    db: Session,
    keyring: vault.Keyring,
    client_id: uuid.UUID,
    rows,
    *,
    may_write: bool = True,
    signer: signers.Signer | None = None,
) -> Shared:
    """Open the rows whose share verifies against the pinned key; count the others. One digest query for records with files."""
    result = Shared()
    if signer is None:
        signer = signers.signer_for(db, keyring, client_id, utcnow(), may_write=may_write)
    if signer.public_key is None:
        if rows or signer.withheld == "refused":
            result.withheld, result.hidden = signer.withheld, len(rows)
        return result
    with_files = [row.id for row, _share in rows if (kind := kinds.find(row.kind)) is not None and kind.has_files]
    digests = STORE.digests(db, with_files) if with_files else {}
    for row, share in rows:
        view = None
        if vault.share_verifies(
            signer.public_key, row, keyring.user_id, share.wrap, share.sig, digests.get(row.id, {})
        ):
            try:
                view = _open(keyring, row, share.wrap)
            except vault.VaultError:
                view = None
        if view is None:
            result.hidden += 1
            _tell(db, keyring, client_id, row.id, may_write)
        else:
            result.append(view)
    return result


class Reader:
    """What one client shares with the keyring's owner now, read a bounded slice at a time.

    Each method is one query over the current shares (the same rule as `shared_records`: scoped to this
    clinician and this client, a wrap made for the record's current version) with a limit, so a page costs
    the same however much is shared. A row is verified and opened at most once per reader, whichever
    slices it falls in; those that do not verify are counted (`hidden`), or nothing is shown (`withheld`).
    """

    def __init__(
        self,
        db: Session,
        keyring: vault.Keyring,
        client_id: uuid.UUID,
        *,
        may_write: bool = True,
        signer: signers.Signer | None = None,
    ):
        """`signer`: the client's signing key as `signers.signer_of` found it, when the caller read the link."""
        self.db, self.keyring, self.client_id, self.may_write = db, keyring, client_id, may_write
        self.withheld: str | None = "refused" if signer is not None and signer.withheld == "refused" else None
        self._signer: signers.Signer | None = signer
        self._opened: dict[uuid.UUID, RecordView] = {}
        self._hidden: set[uuid.UUID] = set()

    @property
    def hidden(self) -> int:
        return len(self._hidden)

    def shared(self, query=None):
        """`query` (over `Record`, default: both `Record` and `Share`) narrowed to what is shared now."""
        return current_shares(
            query if query is not None else select(Record, Share), self.keyring.user_id, self.client_id
        )

    def newest(
        self,
        *,
        kinds: Iterable[str] | None = None,
        before: Cursor | None = None,
        since: datetime | None = None,
        limit: int | None,
    ) -> tuple[list[RecordView], Cursor | None]:
        """Up to `limit` records (None: all), newest first, before the cursor and from `since` on; with the
        cursor of the next page, None when there is none (a share that did not verify still moves it on)."""
        query = self._narrow(self.shared(), kinds)
        if before is not None:
            query = query.where(older_than(before))
        if since is not None:
            query = query.where(Record.occurred_at >= since)
        return self.page(query.order_by(*NEWEST_FIRST), limit, lambda row: cursor_of(row[0]))

    def oldest(
        self, *, kinds: Iterable[str] | None = None, after: Cursor | None = None, limit: int
    ) -> list[RecordView]:
        """Up to `limit` of the first records shared (after the cursor), oldest first."""
        query = self._narrow(self.shared(), kinds)
        if after is not None:
            query = query.where(newer_than(after))
        return self.open(self.db.execute(query.order_by(*OLDEST_FIRST).limit(limit)).all())

    def shared_since(
        self,
        start: datetime,
        *,
        kinds: Iterable[str] | None = None,
        happened_before: datetime,
        before: Cursor | None = None,
        limit: int | None,
    ) -> tuple[list[RecordView], Cursor | None]:
        """Records shared from `start` on that happened before `happened_before`, the latest shared first, before
        the cursor (the time and id of a share); with the next page's cursor.

        Read in the order of ix_shares_recipient_owner_created, from the latest share back: the rows looked at
        are the shares made since `start`, never the records that happened before it.
        """
        query = self._narrow(self.shared(), kinds).where(
            Share.created_at >= start, Record.occurred_at < happened_before
        )
        if before is not None:
            at, last_id = before
            query = query.where(
                Share.created_at <= at, or_(Share.created_at < at, and_(Share.created_at == at, Share.id < last_id))
            )
        order = (Share.created_at.desc(), Share.id.desc())
        return self.page(query.order_by(*order), limit, lambda row: (row[1].created_at, row[1].id))

    def page(self, query, limit: int | None, cursor) -> tuple[list[RecordView], Cursor | None]:
        """The first `limit` rows of an ordered select of (Record, Share), opened; `cursor(row)` of the last one
        when there are more."""
        rows = self.db.execute(query.limit(limit + 1) if limit is not None else query).all()
        more = limit is not None and len(rows) > limit
        rows = rows[:limit] if limit is not None else rows
        return self.open(rows), (cursor(rows[-1]) if more and rows else None)

    def count(self, query, cap: int) -> tuple[int, bool]:
        """How many rows `query` (a select over what is shared now) has, counting no further than `cap`:
        (count, True when there are more). Metadata only."""
        found = self.db.scalar(select(func.count()).select_from(query.limit(cap + 1).subquery())) or 0
        return min(found, cap), found > cap

    def open(self, rows) -> list[RecordView]:
        """Verify and open (record, share) rows not opened yet; the views of those that verify, in order."""
        signer = self.signer()
        fresh = [(row, share) for row, share in rows if row.id not in self._opened and row.id not in self._hidden]
        if fresh:
            opened = _verified(self.db, self.keyring, self.client_id, fresh, may_write=self.may_write, signer=signer)
            self.withheld = self.withheld or opened.withheld
            self._opened.update((view.id, view) for view in opened)
            self._hidden.update(row.id for row, _share in fresh if row.id not in self._opened)
        return [self._opened[row.id] for row, _share in rows if row.id in self._opened]

    def forget(self) -> None:
        """Let go of the records opened so far (a search reads a batch, keeps its matches, then reads on): only
        the ones that did not verify are remembered, to be counted."""
        self._opened.clear()

    def signer(self) -> signers.Signer:
        """The client's pinned signing key, found once per reader (a refused key withholds everything)."""
        if self._signer is None:
            self._signer = signers.signer_for(self.db, self.keyring, self.client_id, utcnow(), may_write=self.may_write)
            if self._signer.withheld == "refused":
                self.withheld = "refused"
        return self._signer

    @staticmethod
    def _narrow(query, kinds: Iterable[str] | None):
        return query.where(Record.kind.in_(list(kinds))) if kinds is not None else query


def _tell(db: Session, keyring: vault.Keyring, client_id: uuid.UUID, record_id: uuid.UUID, may_write: bool) -> None:
    client = db.get(User, client_id)
    if client is not None:
        signers.tell_unverified(db, keyring.user_id, client, record_id, utcnow(), may_write=may_write)


def _row_and_share(db: Session, keyring: vault.Keyring, client_id: uuid.UUID, record_id: uuid.UUID):
    found = db.execute(
        current_shares(select(Record, Share), keyring.user_id, client_id).where(Record.id == record_id)
    ).first()
    return (found[0], found[1]) if found else None


def _open(keyring: vault.Keyring, row: Record, wrap: bytes) -> RecordView:
    return RecordView(
        row.id,
        row.kind,
        row.occurred_at,
        row.created_at,
        row.updated_at,
        row.version,
        vault.open_shared(keyring, row, wrap),
    )
