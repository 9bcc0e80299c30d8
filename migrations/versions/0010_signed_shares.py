"""Signed shares: signing keys, a signature on every share, digests of attachments, invites that bind keys

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 03:50:00

Every account gets an Ed25519 signing key the next time its keys are unlocked (nothing to do here:
the key needs the user key). Each blob gets the SHA-256 of its ciphertext, computed here. Invites
not yet used are removed: their code was kept as a plain SHA-256 and carries no tag over the
clinician's key, so they could not bind it (the clinician makes a new one).
"""

import hashlib

import sqlalchemy as sa
from alembic import op

import journal.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ed25519_pub", sa.LargeBinary(length=32), nullable=True))
        batch_op.add_column(sa.Column("ed25519_priv_wrap", sa.LargeBinary(length=64), nullable=True))

    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sig", sa.LargeBinary(length=64), nullable=True))

    with op.batch_alter_table("blobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sha256", sa.LargeBinary(length=32), nullable=True))
    _digest_blobs()
    with op.batch_alter_table("blobs", schema=None) as batch_op:
        batch_op.alter_column("sha256", existing_type=sa.LargeBinary(length=32), nullable=False)

    op.execute("DELETE FROM invites WHERE used_at IS NULL")
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_tag", sa.LargeBinary(length=32), nullable=True))
        batch_op.add_column(sa.Column("code_sealed", sa.LargeBinary(length=64), nullable=True))

    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invite_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("client_sign_tag", sa.LargeBinary(length=32), nullable=True))
        batch_op.add_column(sa.Column("client_sign_pin", sa.LargeBinary(length=64), nullable=True))
        batch_op.add_column(sa.Column("client_sign_refused_at", journal.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("key_changed_at", journal.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_links_invite_id_invites"), "invites", ["invite_id"], ["id"], ondelete="SET NULL"
        )


def _digest_blobs() -> None:
    """One blob at a time, so a large store is never held in memory at once."""
    connection = op.get_bind()
    blobs = sa.table(
        "blobs",
        sa.column("id", sa.Uuid()),
        sa.column("ciphertext", sa.LargeBinary()),
        sa.column("sha256", sa.LargeBinary()),
    )
    ids = [row.id for row in connection.execute(sa.select(blobs.c.id).where(blobs.c.sha256.is_(None)))]
    for blob_id in ids:
        data = connection.execute(sa.select(blobs.c.ciphertext).where(blobs.c.id == blob_id)).scalar_one()
        connection.execute(
            sa.update(blobs).where(blobs.c.id == blob_id).values(sha256=hashlib.sha256(bytes(data)).digest())
        )


def downgrade() -> None:
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_links_invite_id_invites"), type_="foreignkey")
        batch_op.drop_column("key_changed_at")
        batch_op.drop_column("client_sign_refused_at")
        batch_op.drop_column("client_sign_pin")
        batch_op.drop_column("client_sign_tag")
        batch_op.drop_column("invite_id")

    # Codes hashed with the server's key cannot be found by the old plain hash: open invites go.
    op.execute("DELETE FROM invites WHERE used_at IS NULL")
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.drop_column("code_sealed")
        batch_op.drop_column("key_tag")

    with op.batch_alter_table("blobs", schema=None) as batch_op:
        batch_op.drop_column("sha256")

    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.drop_column("sig")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("ed25519_priv_wrap")
        batch_op.drop_column("ed25519_pub")
