"""Key rotation: the state of a rotation under way on the user's row, and a recovery code waiting to be shown

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 03:30:00

All new columns are empty for every existing account: no rotation is under way. Going down refuses
while a rotation is under way, since records already moved to the new key open only through it.
"""

import sqlalchemy as sa
from alembic import op

import journal.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rotation_uk_wrap", sa.LargeBinary(length=64), nullable=True))
        batch_op.add_column(sa.Column("rotation_uk_wrap_pw", sa.LargeBinary(length=64), nullable=True))
        batch_op.add_column(sa.Column("rotation_uk_wrap_recovery", sa.LargeBinary(length=64), nullable=True))
        batch_op.add_column(sa.Column("rotation_started_at", journal.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("unseen_recovery_code_ciphertext", sa.LargeBinary(length=64), nullable=True))


def downgrade() -> None:
    # Records already moved to a new key open only with the key kept in rotation_uk_wrap: never drop it.
    under_way = op.get_bind().execute(sa.text("SELECT count(*) FROM users WHERE rotation_uk_wrap IS NOT NULL")).scalar()
    if under_way:
        raise RuntimeError(f"{under_way} key rotation(s) under way: let them finish before going below 0008")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("unseen_recovery_code_ciphertext")
        batch_op.drop_column("rotation_started_at")
        batch_op.drop_column("rotation_uk_wrap_recovery")
        batch_op.drop_column("rotation_uk_wrap_pw")
        batch_op.drop_column("rotation_uk_wrap")
