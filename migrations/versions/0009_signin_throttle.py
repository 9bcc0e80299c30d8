"""Rate counters: a token is unique under its key, so a turn to try a password can be claimed once

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 03:40:00

Tokens written so far are random (uuid4): none repeats under a key, so the index builds on any database.
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rate_events", schema=None) as batch_op:
        batch_op.create_index("uq_rate_events_key_token", ["key_hash", "token"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("rate_events", schema=None) as batch_op:
        batch_op.drop_index("uq_rate_events_key_token")
