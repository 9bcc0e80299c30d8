"""Fault scenarios against a real `make serve` (gunicorn with gunicorn.conf.py) on SQLite and PostgreSQL.

Each scenario starts its own server on a fresh migrated database, writes through HTTP as browsers and the
phone's outbox do (every write with a unique marker and a client-made id), breaks something under the writers,
then signs in again and reads everything back: acknowledged, lost, duplicated, partial and refused writes.
Run with `make faults` or `.venv/bin/python -m bench.faults --help`; not part of `make test`.
"""
