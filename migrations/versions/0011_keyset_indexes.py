"""Keyset pages: records newest first across kinds in the cursor's order; shares found by when they were made

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 10:00:00

The timeline and the therapist's desk read a page of records at a time, newest first, filtered by owner
(and on the desk joined with the shares made to one clinician). ix_records_owner_kind_occurred orders
within one kind only, so a page across kinds sorted every row of the owner first;
ix_records_owner_occurred_id delivers the order itself, and a page reads about as many index entries as
it shows. ix_records_owner_kind_occurred_id (which replaces ix_records_owner_kind_occurred) does the same
within one kind, ties on the time told apart by id as the cursor does, so a page of one kind (the latest
check-ins, a photo) is read from that kind's entries instead of walking the others.

The desk counts what a client shared since the therapist last reviewed, and the brief finds what was
shared since a date though written before it, the latest shared first: ix_shares_recipient_owner_created
(recipient, owner, created_at, id; it begins with the columns of ix_shares_recipient_owner, and replaces it)
finds those shares in that order without reading the others.
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index("ix_records_owner_occurred_id", ["owner_id", "occurred_at", "id"], unique=False)
        batch_op.create_index(
            "ix_records_owner_kind_occurred_id", ["owner_id", "kind", "occurred_at", "id"], unique=False
        )
        batch_op.drop_index("ix_records_owner_kind_occurred")

    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.create_index(
            "ix_shares_recipient_owner_created", ["recipient_id", "owner_id", "created_at", "id"], unique=False
        )
        batch_op.drop_index("ix_shares_recipient_owner")


def downgrade() -> None:
    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.create_index("ix_shares_recipient_owner", ["recipient_id", "owner_id"], unique=False)
        batch_op.drop_index("ix_shares_recipient_owner_created")

    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index("ix_records_owner_kind_occurred", ["owner_id", "kind", "occurred_at"], unique=False)
        batch_op.drop_index("ix_records_owner_kind_occurred_id")
        batch_op.drop_index("ix_records_owner_occurred_id")
