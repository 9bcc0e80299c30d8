"""What the client chooses to share, for their pages: one record's shares, preparing for a session, stopping
everything with a clinician, and the access history.

Rules for what the pages ask, built on the sharing rules in service.py (share, revoke, links);
keys stay in the vault and the envelope.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from .. import vault
from ..activity import service as activity
from ..course.service import doses as course_doses
from ..flags import marks as flag_marks
from ..models import Link, Record, Share
from ..records import kinds
from ..records import service as records
from . import access, service


@dataclass(frozen=True)
class PrepareItem:
    id: uuid.UUID
    kind: str
    occurred_at: datetime
    title: str
    detail: str
    shared: bool


@dataclass
class PrepareGroup:
    link: service.LinkView
    since: datetime
    since_session: bool  # True: since the last integration session; False: since linking
    items: list[PrepareItem] = field(default_factory=list)

    @property
    def to_send(self) -> list[PrepareItem]:
        return [item for item in self.items if not item.shared]


def owns_record(db: Session, owner_id: uuid.UUID, record_id: uuid.UUID) -> bool:
    """Whether this is one of the owner's shareable records: from metadata, nothing opened."""
    return _shareable_kind(db, owner_id, record_id) is not None


def own_record(db: Session, keyring: vault.Keyring, record_id: uuid.UUID) -> records.RecordView | None:
    """One of the keyring owner's shareable records, opened; None for anyone else's."""
    kind = _shareable_kind(db, keyring.user_id, record_id)
    return records.get(db, keyring, kind, record_id) if kind else None


def _shareable_kind(db: Session, owner_id: uuid.UUID, record_id: uuid.UUID) -> str | None:
    return db.scalar(
        select(Record.kind).where(
            Record.id == record_id, Record.owner_id == owner_id, Record.kind.in_(service.SHAREABLE_KINDS)
        )
    )


def has_links(db: Session, client_id: uuid.UUID) -> bool:
    return db.scalar(select(Link.id).where(Link.client_id == client_id).limit(1)) is not None


def shared_counts(db: Session, client_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """How many records are shared on each of the client's links."""
    rows = db.execute(select(Share.link_id, func.count()).where(Share.owner_id == client_id).group_by(Share.link_id))
    return {link_id: count for link_id, count in rows}


def apply_choices(
    db: Session,
    keyring: vault.Keyring,
    record_id: uuid.UUID,
    ticked: Iterable[str],
    now: datetime,
    *,
    device: str | None = None,
) -> tuple[list[str], list[str]]:
    """Share with each ticked clinician not yet shared with; stop sharing with each unticked one.

    Returns (what changed, problems), in words. Revokes come first: each re-keys the record, and
    the shares made after them wrap the newest key. Each change goes into the security activity.
    """
    wanted = set(ticked)
    changed: list[str] = []
    problems: list[str] = []
    states = service.share_states(db, keyring.user_id, record_id)
    for state in states:
        if state.shared_at is not None and str(state.link.link.id) not in wanted:
            if service.revoke(db, keyring, record_id, state.link.link, now):
                changed.append(f"Stopped sharing with {state.link.name}.")
                activity.record(
                    db,
                    keyring.user_id,
                    "revoked",
                    device=device,
                    now=now,
                    detail=f"{_one_record(db, record_id)} with {state.link.name}",
                )
    for state in states:
        if state.shared_at is None and str(state.link.link.id) in wanted:
            try:
                service.share(db, keyring, record_id, state.link.link, now)
                changed.append(f"Shared with {state.link.name}.")
                activity.record(
                    db,
                    keyring.user_id,
                    "shared",
                    device=device,
                    now=now,
                    detail=f"{_one_record(db, record_id)} with {state.link.name}",
                )
            except service.SharingProblem as problem:
                problems.append(f"{state.link.name}: {problem}")
    return changed, problems


def prepare_groups(db: Session, keyring: vault.Keyring) -> list[PrepareGroup]:
    """Per clinician, everything written since the last integration session (or since linking)."""
    links = service.links_for_client(db, keyring.user_id)
    if not links:
        return []
    earliest = min(_since(link.link) for link in links)
    rows = list(
        db.scalars(
            select(Record)
            .where(
                Record.owner_id == keyring.user_id,
                Record.kind.in_(service.SHAREABLE_KINDS),
                or_(Record.created_at >= earliest, Record.occurred_at >= earliest),
            )
            .order_by(Record.occurred_at.desc(), Record.id.desc())
        )
    )
    shared = {
        (link_id, record_id)
        for link_id, record_id in db.execute(
            select(Share.link_id, Share.record_id).where(
                Share.owner_id == keyring.user_id, Share.record_id.in_([row.id for row in rows])
            )
        )
    }
    numbered = course_doses(db, keyring)
    opened = [(row, kinds.summary(records.open_row(keyring, row), numbered)) for row in rows]
    groups = []
    for link in links:
        since = _since(link.link)
        group = PrepareGroup(link, since, link.link.session_held_at is not None)
        for row, (title, detail) in opened:
            if row.created_at >= since or row.occurred_at >= since:
                group.items.append(
                    PrepareItem(row.id, row.kind, row.occurred_at, title, detail, (link.link.id, row.id) in shared)
                )
        groups.append(group)
    return groups


def share_prepared(
    db: Session, keyring: vault.Keyring, picked: Iterable[str], now: datetime, *, device: str | None = None
) -> tuple[dict[str, int], list[str]]:
    """Share each picked "<link id>:<record id>" in one step; anything already shared is left as it is.

    Returns (how many were shared, per clinician name; problems in words). One line of security
    activity per clinician.
    """
    links = {link.link.id: link for link in service.links_for_client(db, keyring.user_id)}
    sent: dict[str, int] = {}
    problems: list[str] = []
    refused: set[uuid.UUID] = set()
    for link_id, record_id in _pairs(picked):
        link = links.get(link_id)
        if link is None or link_id in refused or _is_shared(db, link_id, record_id):
            continue
        try:
            service.share(db, keyring, record_id, link.link, now)
        except LookupError:
            continue  # not this client's record: nothing to send
        except service.SharingProblem as problem:
            refused.add(link_id)
            problems.append(f"{link.name}: {problem}")
            continue
        sent[link.name] = sent.get(link.name, 0) + 1
    for name, count in sent.items():
        activity.record(
            db,
            keyring.user_id,
            "shared",
            device=device,
            now=now,
            detail=f"{count} record{'' if count == 1 else 's'} with {name}",
        )
    return sent, problems


def stop_everything(
    db: Session,
    keyring: vault.Keyring,
    link: Link,
    now: datetime,
    *,
    device: str | None = None,
    name: str | None = None,
) -> int:
    """Revoke every share with one clinician and turn their standing shares off, so nothing new goes."""
    service.set_auto_share(link, [])
    count = service.revoke_all(db, keyring, link, now)
    activity.record(
        db,
        keyring.user_id,
        "revoked",
        device=device,
        now=now,
        detail=f"everything ({count} record{'' if count == 1 else 's'}) with {name or 'a clinician'}",
    )
    return count


def access_days(db: Session, keyring: vault.Keyring, zone: str) -> list[access.AccessDay]:
    """The client's access history in the client's own words, by day, newest first: every line, and each
    flag a clinician marked seen (opened from the notes sealed to the client)."""
    notices = flag_marks.notices(db, keyring)
    ids = [notice.record_id for notice in notices if notice.record_id is not None]
    known = (
        {
            row.id: access.Covered(row.id, row.kind, row.occurred_at)
            for row in db.execute(
                select(Record.id, Record.kind, Record.occurred_at).where(
                    Record.owner_id == keyring.user_id, Record.id.in_(ids)
                )
            )
        }
        if ids
        else {}
    )
    marked = [
        access.AccessLine(
            notice.at,
            None,
            notice.therapist,
            "flag_seen",
            notice.words,
            [known[notice.record_id]] if notice.record_id in known else [],
        )
        for notice in notices
    ]
    lines = sorted(access.lines(db, keyring.user_id) + marked, key=lambda line: line.at, reverse=True)
    return access.by_day(lines, zone)


def _one_record(db: Session, record_id: uuid.UUID) -> str:
    """ "a journal entry", "a check-in": the kind only, never what it says."""
    kind = db.scalar(select(Record.kind).where(Record.id == record_id))
    label = kinds.label(kind).lower() if kind else "record"
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


def _since(link: Link) -> datetime:
    return link.session_held_at or link.created_at


def _is_shared(db: Session, link_id: uuid.UUID, record_id: uuid.UUID) -> bool:
    return db.scalar(select(Share.id).where(Share.link_id == link_id, Share.record_id == record_id)) is not None


def _pairs(picked: Iterable[str]) -> list[tuple[uuid.UUID, uuid.UUID]]:
    pairs = []
    for value in picked:
        link_id, _, record_id = (value or "").partition(":")
        try:
            pair = (uuid.UUID(link_id), uuid.UUID(record_id))
        except ValueError:
            continue
        if pair not in pairs:
            pairs.append(pair)
    return pairs
