"""The secret made on first run: every worker starting at once on a fresh machine gets the same one, never an empty one."""

from __future__ import annotations

import multiprocessing
import stat

import pytest

from journal.config import _instance_secret

WORKERS = 8
ROUNDS = 12


def _start_worker(instance, barrier, results):
    barrier.wait()  # all workers reach the empty instance folder together, as gunicorn's do after a fork
    try:
        results.put(_instance_secret(instance))
    except Exception as error:  # noqa: BLE001 - the test reports what a worker saw
        results.put(f"error: {error!r}")


def test_workers_starting_together_share_one_whole_secret(tmp_path):
    context = multiprocessing.get_context("fork")
    for round_number in range(ROUNDS):
        instance = tmp_path / f"instance-{round_number}"
        barrier, results = context.Barrier(WORKERS), context.Queue()
        workers = [context.Process(target=_start_worker, args=(instance, barrier, results)) for _ in range(WORKERS)]
        for worker in workers:
            worker.start()
        secrets = [results.get(timeout=30) for _ in workers]
        for worker in workers:
            worker.join(timeout=30)
        assert len(set(secrets)) == 1, secrets
        assert len(secrets[0]) >= 64 and not secrets[0].startswith("error")
        assert sorted(path.name for path in instance.iterdir()) == ["secret_key"]  # no drafts left behind
        assert stat.S_IMODE((instance / "secret_key").stat().st_mode) == 0o600


def test_the_secret_is_kept_across_starts(tmp_path):
    assert _instance_secret(tmp_path) == _instance_secret(tmp_path)


def test_an_empty_secret_file_stops_the_start_with_a_reason(tmp_path):
    (tmp_path / "secret_key").write_text("\n", encoding="ascii")
    with pytest.raises(RuntimeError, match="secret_key is empty"):
        _instance_secret(tmp_path)
