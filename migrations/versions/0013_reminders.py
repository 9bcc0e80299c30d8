"""Reminders by Web Push: each device's subscription, each client's reminders and what they share

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-08 09:00:00

push_subscriptions: where a device's push service takes messages and the device's keys (one row per endpoint),
with the sign-in it was made under. reminders: one row per client and kind (daily, course, eve), off until
turned on, with the time the sender next looks at it and a sender's lease. reminder_settings: the neutral title
and the quiet hours. All of them go with the account (ON DELETE CASCADE, and journal/deletion).
"""

import sqlalchemy as sa
from alembic import op

import journal.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "push_subscriptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("endpoint", sa.String(length=1024), nullable=False),
        sa.Column("p256dh", sa.String(length=100), nullable=False),
        sa.Column("auth", sa.String(length=40), nullable=False),
        sa.Column("session_handle", sa.String(length=32), nullable=True),
        sa.Column("created_at", journal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_push_subscriptions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_subscriptions")),
        sa.UniqueConstraint("endpoint", name=op.f("uq_push_subscriptions_endpoint")),
    )
    with op.batch_alter_table("push_subscriptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_push_subscriptions_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_push_subscriptions_session_handle"), ["session_handle"], unique=False)

    op.create_table(
        "reminder_settings",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=40), nullable=False),
        sa.Column("quiet_start", sa.Time(), nullable=True),
        sa.Column("quiet_end", sa.Time(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_reminder_settings_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_reminder_settings")),
    )

    op.create_table(
        "reminders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("local_time", sa.Time(), nullable=False),
        sa.Column("days", sa.String(length=20), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("next_due_at", journal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_until", journal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", journal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_reminders_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_reminders_user_id_kind")),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index("ix_reminders_due", ["next_due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_reminders_due")
    op.drop_table("reminders")
    op.drop_table("reminder_settings")
    with op.batch_alter_table("push_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_push_subscriptions_session_handle"))
        batch_op.drop_index(batch_op.f("ix_push_subscriptions_user_id"))
    op.drop_table("push_subscriptions")
