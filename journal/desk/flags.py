"""A client's risk flags on the desk: the current ones (open and seen) of the last 30 days and those of the
records named, each read with the few shared records its rule looks back on; marking them seen."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from .. import vault
from ..flags import marks as flag_marks
from ..flags import service as flag_service
from ..flags.rules import Flag, with_marks
from ..models import Link, Record, User
from ..sharing import reads
from . import recent


def client_flags(
    db: Session,
    keyring: vault.Keyring,
    link: Link,
    client: User,
    zone: str,
    now: datetime,
    flag_ids: Iterable[str] = (),
) -> list[Flag]:
    """The client's current flags (open and seen) of the last 30 days, and those of the records `flag_ids` name
    (each read with what it looks back on). Nothing is logged: nothing is shown."""
    reader = reads.Reader(db, keyring, client.id)
    flags = list(recent.stretch(reader, keyring, link, zone, recent.since_days(now)).flags)
    known = {flag.id for flag in flags}
    for record_id in _record_ids(flag_id for flag_id in flag_ids if flag_id not in known):
        row = db.execute(reader.shared().where(Record.id == record_id)).first()
        for view in reader.open([row] if row else []):
            flags += recent.flags_of(reader, view, zone)
    return with_marks(flags, flag_marks.seen(keyring, link))


def _record_ids(flag_ids: Iterable[str]) -> list[uuid.UUID]:
    """The records flag ids ("<rule>:<record id>") name, each once; ids that name none are left out."""
    found: dict[uuid.UUID, None] = {}
    for flag_id in flag_ids:
        try:
            found[uuid.UUID(flag_id.partition(":")[2])] = None
        except ValueError:
            continue
    return list(found)


def mark_flags_seen(
    db: Session, keyring: vault.Keyring, link: Link, client: User, flag_ids: list[str], zone: str, now: datetime
) -> bool:
    """Mark some of the client's current flags seen (the client sees it in their access history)."""
    flags = client_flags(db, keyring, link, client, zone, now, flag_ids)
    return flag_service.mark_seen(keyring, link, client, flags, flag_ids, now)
