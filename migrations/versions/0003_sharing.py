"""Sharing: invites, links with pinned keys, shares (HPKE wraps), pending re-keys, access events

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 22:43:41.978783
"""

import sqlalchemy as sa
from alembic import op

import journal.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invites",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("therapist_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", journal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", journal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", journal.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["therapist_id"], ["users.id"], name=op.f("fk_invites_therapist_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invites")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_invites_code_hash")),
    )
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invites_therapist_id"), ["therapist_id"], unique=False)

    op.create_table(
        "links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("therapist_id", sa.Uuid(), nullable=False),
        sa.Column("pinned_key_ciphertext", sa.LargeBinary(length=64), nullable=False),
        sa.Column("auto_share_kinds", sa.String(length=100), nullable=False),
        sa.Column("created_at", journal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", journal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("session_held_at", journal.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], name=op.f("fk_links_client_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["therapist_id"], ["users.id"], name=op.f("fk_links_therapist_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_links")),
        sa.UniqueConstraint("client_id", "therapist_id", name=op.f("uq_links_client_id_therapist_id")),
    )
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_links_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_links_therapist_id"), ["therapist_id"], unique=False)

    op.create_table(
        "access_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("therapist_id", sa.Uuid(), nullable=False),
        sa.Column("what", sa.String(length=16), nullable=False),
        sa.Column("at", journal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_access_events_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_access_events_record_id_records"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["therapist_id"], ["users.id"], name=op.f("fk_access_events_therapist_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_events")),
    )
    with op.batch_alter_table("access_events", schema=None) as batch_op:
        batch_op.create_index("ix_access_events_owner_at", ["owner_id", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_access_events_record_id"), ["record_id"], unique=False)

    op.create_table(
        "pending_rekeys",
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_pending_rekeys_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_pending_rekeys_record_id_records"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_pending_rekeys")),
    )
    with op.batch_alter_table("pending_rekeys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_rekeys_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "shares",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("link_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("recipient_id", sa.Uuid(), nullable=False),
        sa.Column("dek_version", sa.Integer(), nullable=False),
        sa.Column("wrap", sa.LargeBinary(length=128), nullable=False),
        sa.Column("created_at", journal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["link_id"], ["links.id"], name=op.f("fk_shares_link_id_links"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_shares_owner_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["users.id"], name=op.f("fk_shares_recipient_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_shares_record_id_records"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shares")),
        sa.UniqueConstraint("record_id", "recipient_id", name=op.f("uq_shares_record_id_recipient_id")),
    )
    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shares_link_id"), ["link_id"], unique=False)
        batch_op.create_index("ix_shares_recipient_owner", ["recipient_id", "owner_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("display_name", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("display_name")

    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.drop_index("ix_shares_recipient_owner")
        batch_op.drop_index(batch_op.f("ix_shares_link_id"))

    op.drop_table("shares")
    with op.batch_alter_table("pending_rekeys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_rekeys_owner_id"))

    op.drop_table("pending_rekeys")
    with op.batch_alter_table("access_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_events_record_id"))
        batch_op.drop_index("ix_access_events_owner_at")

    op.drop_table("access_events")
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_links_therapist_id"))
        batch_op.drop_index(batch_op.f("ix_links_client_id"))

    op.drop_table("links")
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invites_therapist_id"))

    op.drop_table("invites")
