"""A clinician's export of what one client shares with them now: the same zip as the client's own export.

The records come through the sharing read path (`sharing.reads`): only what has a wrap for this
clinician made for the record's current version, opened with the clinician's private key. The
archive is read from one snapshot of the database; before any record is opened, every record in
that snapshot is covered by one "export" line in the client's access log, committed at once, so
the client sees the export in their access history even if the download is cut short.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from flask import Flask

from .. import vault
from ..asks import export as asks_export
from ..asks import service as asks
from ..course.days import Dose, number_doses
from ..export import archive
from ..export.service import PAGE_SIZE, guarded, snapshot
from ..models import User
from ..records.service import RecordView
from ..session_notes import service as session_notes
from ..sharing import access, reads
from ..sharing import service as sharing
from .course import shared_dose_times
from .service import client_name


class SharedRecords:
    """What the client shares with the keyring's owner now, read from `db` (a snapshot)."""

    def __init__(self, db, keyring: vault.Keyring, client_id: uuid.UUID, zone: str):
        self._db = db
        self._keyring = keyring
        self._client_id = client_id
        self.zone = zone

    def records(self, kinds: Sequence[str]) -> Iterator[RecordView]:
        return reads.shared_oldest_first(self._db, self._keyring, self._client_id, kinds, PAGE_SIZE)

    def picture(self, view: RecordView, variant: str) -> bytes | None:
        return reads.shared_attachment(self._db, self._keyring, self._client_id, view.id, variant, may_write=False)

    def doses(self) -> list[Dose]:
        """The shared sessions, numbered among themselves: all the clinician can see, as on the desk."""
        return number_doses(shared_dose_times(self._db, self._keyring.user_id, self._client_id))

    def drafts(self) -> list[dict[str, Any]]:
        return []  # drafts are never shared


def therapist_archive(
    app: Flask, keyring: vault.Keyring, therapist: User, client: User, now: datetime
) -> Iterator[bytes]:
    """The zip of everything `client` shares with `therapist` now. Nothing is read until the first chunk."""
    client_id, zone, name = client.id, client.time_zone, client_name(client)
    therapist_name = therapist.display_name or therapist.email
    therapist_zone = therapist.time_zone

    def chunks() -> Iterator[bytes]:
        with snapshot(app) as db:
            shared = reads.shared_ids(db, keyring.user_id, client_id)
            with app.extensions["db_sessionmaker"].begin() as log:
                access.log_covering(log, keyring.user_id, client_id, "export", shared, now)
            about = archive.About(
                title=f"Shared by {name}",
                scope=(
                    f"What {name} shares with {therapist_name} now, as it was when this copy was made. "
                    "It is a copy for the clinical record: it does not change when they share or stop sharing."
                ),
                exported_at=now,
                people={"client": {"name": name, "time_zone": zone}, "clinician": {"name": therapist_name}},
                before_first="Before the first shared dosing session",
                counts=[
                    f"{len(shared)} shared record{'' if len(shared) == 1 else 's'}",
                    "your own private notes about them (my-private-notes.md), which they never see",
                    f"what you asked them and what they did ({asks_export.FILE_NAME})",
                ],
            )
            notes = session_notes.about_client(db, keyring, client_id)
            mine = [("my-private-notes.md", session_notes.as_markdown(notes, therapist_zone))]
            link = sharing.therapist_link(db, keyring.user_id, client_id)
            requests = asks.for_desk(db, keyring, link, therapist_zone, now) if link is not None else []
            mine.append((asks_export.FILE_NAME, asks_export.as_markdown(requests, therapist_zone)))
            yield from archive.build(SharedRecords(db, keyring, client_id, zone), about, mine)

    return guarded(chunks)
