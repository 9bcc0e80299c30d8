"""The next integration session: a date (and a time, when given) on each link, and on a client's own account

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-09 10:00:00

The client, or their linked therapist, notes when the next integration session is: Today shows it with a
link to prepare, the desk's client page and brief show it with who set it, and marking a session held
clears a date that has come. It is scheduling metadata kept in clear, like when a session was marked held
(docs/threat-model.md says so). A day without a time is kept as a day (`*_on`), so it reads the same in the
client's and the therapist's time zones; with a time it is an instant (`*_at`, UTC). A client with no
clinician keeps their own note on their account.
"""

import sqlalchemy as sa
from alembic import op

import journal.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_session_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("next_session_at", journal.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("next_session_set_by", sa.String(length=16), nullable=True))

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_integration_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("next_integration_at", journal.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Dropped in place (ALTER TABLE ... DROP COLUMN, SQLite 3.35 and later), never by the batch mode's copy of the
    # table: on SQLite, dropping the old `users` or `links` with foreign keys on cascades to every row that
    # refers to it (records, shares), and going down would delete them.
    for column in ("next_integration_at", "next_integration_on"):
        op.drop_column("users", column)
    for column in ("next_session_set_by", "next_session_at", "next_session_on"):
        op.drop_column("links", column)
