"""What a backup holds, counted (never read): accounts, records, photos, the schema revision, what was left out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from alembic.script import ScriptDirectory

from .files import BackupError

# Tables a backup keeps empty (their structure stays):
# - auth_sessions: every signed-in browser and every sign-in waiting for its one-time code, each with a wrap
#   of the user key that the browser's cookie opens;
# - rate_events: counted sign-in, sign-up and code attempts under hashed account and address keys; they age
#   out within the hour, so there is nothing to restore, and a backup keeps no trace of who tried when.
LEFT_OUT = ("auth_sessions", "rate_events")
LEFT_OUT_WORDS = {"auth_sessions": "sign-in session", "rate_events": "attempt counter"}

Query = Callable[[str], Sequence[tuple]]


@dataclass(frozen=True)
class Summary:
    revision: str
    clients: int
    therapists: int
    records: int
    photos: int
    left_out: dict[str, int] = field(default_factory=dict)

    @property
    def accounts(self) -> int:
        return self.clients + self.therapists

    def contents(self) -> str:
        """ "2 accounts (1 client, 1 therapist), 14 records (3 photos); schema revision 0006"."""
        return (
            f"{count_words(self.accounts, 'account')} ({count_words(self.clients, 'client')}, "
            f"{count_words(self.therapists, 'therapist')}), {count_words(self.records, 'record')} "
            f"({count_words(self.photos, 'photo')}); schema revision {self.revision}"
        )

    def left_out_words(self, only_some: bool = False) -> str:
        """ "3 sign-in sessions, 0 attempt counters" (only the tables that had rows, with `only_some`)."""
        return ", ".join(
            count_words(self.left_out.get(table, 0), LEFT_OUT_WORDS[table])
            for table in LEFT_OUT
            if self.left_out.get(table) or not only_some
        )

    def upgrade_note(self) -> str | None:
        head = head_revision()
        if self.revision == head:
            return None
        return (
            f"The backup's schema is at revision {self.revision}, this version's at {head}: "
            "run `flask db-upgrade` before starting the server."
        )


def summarise(query: Query, dialect: str, left_out: dict[str, int] | None = None) -> Summary:
    """Count what the database behind `query` (SQL in, rows out; "sqlite" or "postgresql") holds; refuse one
    that is not this app's, or whose schema this version does not know."""
    tables = {row[0] for row in query(_TABLES_SQL[dialect])}
    if "alembic_version" not in tables or "users" not in tables:
        raise BackupError("This is not a database of the integration journal (it has no schema revision).")
    versions = [row[0] for row in query("SELECT version_num FROM alembic_version")]
    if len(versions) != 1:
        raise BackupError("This database has no single schema revision: it is not a usable backup.")
    check_revision(versions[0])
    roles = dict(query("SELECT role, count(*) FROM users GROUP BY role"))
    records = query("SELECT count(*), coalesce(sum(CASE WHEN kind = 'art' THEN 1 ELSE 0 END), 0) FROM records")[0]
    return Summary(
        revision=versions[0],
        clients=int(roles.get("client", 0)),
        therapists=int(roles.get("therapist", 0)),
        records=int(records[0]),
        photos=int(records[1]),
        left_out=dict(left_out or {}),
    )


def check_revision(revision: str) -> None:
    if revision not in known_revisions():
        raise BackupError(
            f"This backup's schema revision {revision} is not one this version of the app knows: "
            "it was made by a newer version. Restore it with that version."
        )


def known_revisions() -> set[str]:
    return {script.revision for script in _scripts().walk_revisions()}


def head_revision() -> str:
    return _scripts().get_current_head() or ""


def _scripts() -> ScriptDirectory:
    from ..cli import alembic_config

    return ScriptDirectory.from_config(alembic_config(""))


def count_words(number: int, noun: str) -> str:
    """ "1 account", "3 accounts"."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


_TABLES_SQL = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
}
