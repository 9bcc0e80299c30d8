"""PostgreSQL: sessions and rate counters are UNLOGGED, so their rows never reach the WAL, its archives or replicas

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 03:10:00

A session row holds a wrap of its user's key that the browser's cookie opens. A logged table writes
every row into the write-ahead log, which WAL archives and streaming replicas keep long after the
row is deleted. An UNLOGGED table is never written to the WAL: a crash or a failover empties it,
which signs everyone out (safe), and a restored base backup holds none of it. Rate counters age out
within the hour and follow the same rule. SQLite has no such thing (its -wal file is checkpointed
and emptied after each deletion instead).
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = ("auth_sessions", "rate_events")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} SET UNLOGGED")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} SET LOGGED")
