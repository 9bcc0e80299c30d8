"""accounts, sessions, records, drafts, rate events

Revision ID: 0001
Revises:
Create Date: 2026-11-21 21:42:15.530024
"""

import sqlalchemy as sa
from alembic import op

import journal.db

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("at", journal.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_events")),
    )
    with op.batch_alter_table("rate_events", schema=None) as batch_op:
        batch_op.create_index("ix_rate_events_at", ["at"], unique=False)
        batch_op.create_index("ix_rate_events_key_at", ["key_hash", "at"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("created_at", journal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recovery_confirmed_at", journal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("kdf_salt", sa.LargeBinary(length=16), nullable=False),
        sa.Column("kdf_memory_kib", sa.Integer(), nullable=False),
        sa.Column("kdf_iterations", sa.Integer(), nullable=False),
        sa.Column("kdf_lanes", sa.Integer(), nullable=False),
        sa.Column("auth_verifier", sa.LargeBinary(length=32), nullable=False),
        sa.Column("uk_version", sa.Integer(), nullable=False),
        sa.Column("uk_wrap_pw", sa.LargeBinary(length=64), nullable=False),
        sa.Column("recovery_salt", sa.LargeBinary(length=16), nullable=False),
        sa.Column("uk_wrap_recovery", sa.LargeBinary(length=64), nullable=False),
        sa.Column("x25519_pub", sa.LargeBinary(length=32), nullable=False),
        sa.Column("x25519_priv_wrap", sa.LargeBinary(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "auth_sessions",
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("uk_wrap", sa.LargeBinary(length=64), nullable=False),
        sa.Column("priv_wrap", sa.LargeBinary(length=64), nullable=False),
        sa.Column("created_at", journal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", journal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", journal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_auth_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_auth_sessions")),
    )
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_sessions_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_auth_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "records",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", journal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", journal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", journal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("uk_version", sa.Integer(), nullable=False),
        sa.Column("dek_wrap", sa.LargeBinary(length=64), nullable=False),
        sa.Column("payload_ciphertext", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_records_owner_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
        sa.UniqueConstraint("owner_id", "idempotency_key", name=op.f("uq_records_owner_id_idempotency_key")),
    )
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index("ix_records_owner_kind_occurred", ["owner_id", "kind", "occurred_at"], unique=False)

    op.create_table(
        "drafts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("updated_at", journal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("uk_version", sa.Integer(), nullable=False),
        sa.Column("dek_wrap", sa.LargeBinary(length=64), nullable=False),
        sa.Column("payload_ciphertext", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_drafts_owner_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_drafts_record_id_records"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        sa.UniqueConstraint("owner_id", "idempotency_key", name=op.f("uq_drafts_owner_id_idempotency_key")),
        sa.UniqueConstraint("owner_id", "record_id", name=op.f("uq_drafts_owner_id_record_id")),
    )


def downgrade() -> None:
    op.drop_table("drafts")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_owner_kind_occurred")

    op.drop_table("records")
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_auth_sessions_expires_at"))

    op.drop_table("auth_sessions")
    op.drop_table("users")
    with op.batch_alter_table("rate_events", schema=None) as batch_op:
        batch_op.drop_index("ix_rate_events_key_at")
        batch_op.drop_index("ix_rate_events_at")

    op.drop_table("rate_events")
