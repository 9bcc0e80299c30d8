"""Clinical safety: access lines that cover several records, sealed flag marks, a practice's after-hours line

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 20:00:00

An access line no longer names one record: the records it covers move to access_event_records
(one row each), and each old line keeps the kind of its record.
"""

import sqlalchemy as sa
from alembic import op

import journal.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("practice_line_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("practice_line_phone", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("practice_line_hours", sa.String(length=120), nullable=True))

    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flag_marks_ciphertext", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("flag_notices_ciphertext", sa.LargeBinary(), nullable=True))

    # Which record each old line named, kept aside while access_events is rebuilt (on SQLite, rebuilding
    # it drops the table, which would take rows that refer to it along).
    op.create_table(
        "access_event_records_old",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
    )
    op.execute("INSERT INTO access_event_records_old (event_id, record_id) SELECT id, record_id FROM access_events")
    with op.batch_alter_table("access_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("items", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("last_at", journal.db.UTCDateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE access_events SET kind = (SELECT records.kind FROM records WHERE records.id = access_events.record_id)"
    )
    with op.batch_alter_table("access_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_events_record_id"))
        batch_op.drop_constraint("fk_access_events_record_id_records", type_="foreignkey")
        batch_op.drop_column("record_id")

    op.create_table(
        "access_event_records",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["access_events.id"],
            name=op.f("fk_access_event_records_event_id_access_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_access_event_records_record_id_records"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", "record_id", name=op.f("pk_access_event_records")),
    )
    with op.batch_alter_table("access_event_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_event_records_record_id"), ["record_id"], unique=False)
    op.execute(
        "INSERT INTO access_event_records (event_id, record_id) "
        "SELECT event_id, record_id FROM access_event_records_old"
    )
    op.drop_table("access_event_records_old")


def downgrade() -> None:
    # Lines that named no single record (summaries, briefs, exports) cannot be told in the old shape.
    with op.batch_alter_table("access_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("record_id", sa.Uuid(), nullable=True))
    op.execute(
        "UPDATE access_events SET record_id = (SELECT record_id FROM access_event_records "
        "WHERE access_event_records.event_id = access_events.id ORDER BY record_id LIMIT 1) "
        "WHERE what IN ('record', 'picture', 'page', 'image')"
    )
    op.execute("DELETE FROM access_event_records")
    op.execute("DELETE FROM access_events WHERE record_id IS NULL")
    with op.batch_alter_table("access_events", schema=None) as batch_op:
        batch_op.alter_column("record_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.create_foreign_key(
            "fk_access_events_record_id_records", "records", ["record_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_index(batch_op.f("ix_access_events_record_id"), ["record_id"], unique=False)
        batch_op.drop_column("last_at")
        batch_op.drop_column("items")
        batch_op.drop_column("kind")

    with op.batch_alter_table("access_event_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_event_records_record_id"))
    op.drop_table("access_event_records")

    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_column("flag_notices_ciphertext")
        batch_op.drop_column("flag_marks_ciphertext")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("practice_line_hours")
        batch_op.drop_column("practice_line_phone")
        batch_op.drop_column("practice_line_name")
