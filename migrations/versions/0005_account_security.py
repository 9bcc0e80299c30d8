"""Account security: two-step sign-in, the device and password time of each session, security activity

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 02:00:00
"""

import sqlalchemy as sa
from alembic import op

import journal.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret_ciphertext", sa.LargeBinary(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_enabled_at", journal.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))

    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("password_at", journal.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("second_factor_pending", sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table(
        "security_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("created_at", journal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("device", sa.String(length=80), nullable=True),
        sa.Column("detail", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_security_events_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_events")),
    )
    with op.batch_alter_table("security_events", schema=None) as batch_op:
        batch_op.create_index("ix_security_events_user_newest", ["user_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("security_events", schema=None) as batch_op:
        batch_op.drop_index("ix_security_events_user_newest")
    op.drop_table("security_events")

    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.drop_column("second_factor_pending")
        batch_op.drop_column("password_at")
        batch_op.drop_column("device")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_enabled_at")
        batch_op.drop_column("totp_secret_ciphertext")
