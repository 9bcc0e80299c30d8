"""Asking, never requiring: a clinician's requests to a linked client (a questionnaire, or a prompt they wrote)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-12 09:00:00

asks: one row per request. What is asked (the questionnaire or the prompt's words, the cadence, the days) is
sealed with HPKE to the client's public key, with the clinician's tag over it, and under the clinician's own user
key for their list; the server cannot read it. In clear: the link, who asked whom, when, and when the client last
answered (and with which record), declined or snoozed it (docs/threat-model.md). Rows go with the link and with
either account (ON DELETE CASCADE); the answer's record, if the client deletes it, is emptied (SET NULL).
"""

import sqlalchemy as sa
from alembic import op

import journal.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "asks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("link_id", sa.Uuid(), nullable=False),
        sa.Column("therapist_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("tag", sa.LargeBinary(length=32), nullable=False),
        sa.Column("own_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", journal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", journal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answer_id", sa.Uuid(), nullable=True),
        sa.Column("declined_at", journal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("snoozed_until", journal.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["link_id"], ["links.id"], name=op.f("fk_asks_link_id_links"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["therapist_id"], ["users.id"], name=op.f("fk_asks_therapist_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], name=op.f("fk_asks_client_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["answer_id"], ["records.id"], name=op.f("fk_asks_answer_id_records"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asks")),
    )
    with op.batch_alter_table("asks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asks_link_id"), ["link_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_asks_therapist_id"), ["therapist_id"], unique=False)
        batch_op.create_index("ix_asks_client_created", ["client_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("asks", schema=None) as batch_op:
        batch_op.drop_index("ix_asks_client_created")
        batch_op.drop_index(batch_op.f("ix_asks_therapist_id"))
        batch_op.drop_index(batch_op.f("ix_asks_link_id"))
    op.drop_table("asks")
