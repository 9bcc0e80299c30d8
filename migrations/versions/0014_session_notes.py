"""Private session notes: a therapist's own notes about a client, sealed under the therapist's user key

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-10 09:00:00

session_notes: one row per note. The words and whom it is about (the client's name at the time) are sealed under
the therapist's own user key and re-sealed by a key rotation; the client never sees them and the server cannot
read them. In clear: the therapist, the client (SET NULL when the client's account goes: the note stays the
therapist's), the session's date, and when it was written and changed (docs/threat-model.md).
"""

import sqlalchemy as sa
from alembic import op

import journal.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_notes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("therapist_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("about_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("session_on", sa.Date(), nullable=True),
        sa.Column("created_at", journal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", journal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["therapist_id"], ["users.id"], name=op.f("fk_session_notes_therapist_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["users.id"], name=op.f("fk_session_notes_client_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_notes")),
    )
    with op.batch_alter_table("session_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_session_notes_client_id"), ["client_id"], unique=False)
        batch_op.create_index(
            "ix_session_notes_therapist_client", ["therapist_id", "client_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("session_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_session_notes_therapist_client")
        batch_op.drop_index(batch_op.f("ix_session_notes_client_id"))
    op.drop_table("session_notes")
