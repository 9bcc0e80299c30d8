"""The things a scenario breaks: the app under gunicorn (as `make serve` runs it), its databases, small disks.

Every process here is started by the harness and ended by its own id; every mount is undone on the way out.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from tests.postgres import PostgresServer
from tests.support import free_port

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
WORKERS, THREADS = 2, 4


def flask_command(
    *args: str, database_url: str, instance: Path, check: bool = True, timeout: float = 300
) -> subprocess.CompletedProcess:
    """`flask ARGS` against a database, as the Makefile runs it."""
    env = {**os.environ, "FLASK_APP": "wsgi", "DATABASE_URL": database_url, "INSTANCE_PATH": str(instance)}
    return subprocess.run(
        [PYTHON, "-m", "flask", *args], cwd=ROOT, env=env, check=check, capture_output=True, text=True, timeout=timeout
    )


class Gunicorn:
    """The app under gunicorn with the project's gunicorn.conf.py: 2 workers of 4 threads on a free port."""

    def __init__(
        self,
        name: str,
        database_url: str,
        instance: Path,
        logs: Path,
        secret_key: str,
        env: dict[str, str] | None = None,
    ):
        self.name, self.database_url, self.instance, self.logs = name, database_url, instance, logs
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "WEB_CONCURRENCY": str(WORKERS),
            "THREADS": str(THREADS),
            "BIND": f"127.0.0.1:{self.port}",
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": secret_key,
            **(env or {}),
        }
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self, wait: float = 60) -> Gunicorn:
        self.instance.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        with (self.logs / f"{self.name}.log").open("ab") as log:
            self.process = subprocess.Popen(
                [PYTHON, "-m", "gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.wait_ready(wait)
        return self

    def wait_ready(self, seconds: float = 60) -> None:
        """Until /healthz answers 200 (the database answers too)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.name} exited; see {self.logs / (self.name + '.log')}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn {self.name} did not answer in {seconds:.0f} s")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def workers(self) -> list[int]:
        return children(self.pid)

    def kill9(self) -> int:
        """SIGKILL to the master and every worker at once, the way a crash or the OOM killer would."""
        pids = [self.pid, *self.workers()]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait()
        for pid in pids[1:]:
            wait_gone(pid)
        return len(pids)

    def reload(self) -> None:
        """SIGHUP: gunicorn starts new workers and lets the old ones finish what they are doing."""
        os.kill(self.pid, signal.SIGHUP)

    def stop(self) -> None:
        """Quick shutdown of this server's own processes (SIGINT; SIGKILL after 10 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        workers = self.workers()
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                if not wait_gone(pid, 5):
                    os.kill(pid, signal.SIGKILL)


def children(pid: int) -> list[int]:
    """Direct children of a process, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def wait_gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


class DurablePostgres(PostgresServer):
    """The tests' throwaway PostgreSQL, but with fsync, synchronous commit and full page writes on."""

    def start(self) -> None:
        options = (
            f"-k {self.root} -p {self.port} -h 127.0.0.1 -c fsync=on -c synchronous_commit=on "
            "-c full_page_writes=on -c max_connections=200"
        )
        result = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", options, "start", check=False
        )
        if result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {result.stderr}\n{log[-2000:]}")

    def owner_ids(self) -> tuple[int, int]:
        entry = pwd.getpwnam(self.user) if self.user else pwd.getpwuid(os.geteuid())
        return entry.pw_uid, entry.pw_gid


class Databases:
    """Fresh migrated databases of one kind: each scenario gets its own, copied from one migrated template."""

    kind = ""

    def fresh(self, name: str, directory: Path | None = None, tablespace: str | None = None) -> str:
        raise NotImplementedError

    def close(self) -> None:
        pass


class SqliteDatabases(Databases):
    kind = "sqlite"

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.template = workdir / "template.sqlite3"
        flask_command("db-upgrade", database_url=f"sqlite:///{self.template}", instance=workdir / "instance")

    def fresh(self, name: str, directory: Path | None = None, tablespace: str | None = None) -> str:
        target = (directory or self.workdir / name) / "journal.sqlite3"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"

    @staticmethod
    def path(url: str) -> Path:
        return Path(url.removeprefix("sqlite:///"))


class PostgresDatabases(Databases):
    kind = "postgresql"

    def __init__(self, workdir: Path):
        self.server = DurablePostgres(free_port()).init()
        self.server.start()
        self.server.create_database("journal_template")
        flask_command("db-upgrade", database_url=self.server.url("journal_template"), instance=workdir / "instance")

    def fresh(self, name: str, directory: Path | None = None, tablespace: str | None = None) -> str:
        clause = f' TABLESPACE "{tablespace}"' if tablespace else ""
        self.server.execute(f'CREATE DATABASE "{name}" TEMPLATE journal_template{clause}')
        return self.server.url(name)

    def drop(self, name: str) -> None:
        self.server.drop_database(name)

    def close(self) -> None:
        self.server.remove()


def open_databases(kind: str, workdir: Path) -> Databases:
    return SqliteDatabases(workdir) if kind == "sqlite" else PostgresDatabases(workdir)


class Tmpfs:
    """A small tmpfs mounted at `path` (root only), always unmounted on leaving."""

    def __init__(self, path: Path, size: str, owner: tuple[int, int] | None = None):
        self.path, self.size, self.owner = path, size, owner

    def __enter__(self) -> Tmpfs:
        self.path.mkdir(parents=True, exist_ok=True)
        options = f"size={self.size},mode=0700"
        if self.owner:
            options += f",uid={self.owner[0]},gid={self.owner[1]}"
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(self.path)], check=True, capture_output=True
        )
        return self

    def resize(self, size: str) -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", str(self.path)], check=True, capture_output=True)
        self.size = size

    def used_bytes(self) -> int:
        stats = os.statvfs(self.path)
        return (stats.f_blocks - stats.f_bfree) * stats.f_frsize

    def free_bytes(self) -> int:
        stats = os.statvfs(self.path)
        return stats.f_bavail * stats.f_frsize

    def __exit__(self, *_exc) -> None:
        if subprocess.run(["umount", str(self.path)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(self.path)], capture_output=True)


def fill(path: Path) -> int:
    """Append to the file at `path` until the disk under it is full; returns the bytes written."""
    written = 0
    with path.open("ab", buffering=0) as handle:
        for size in (1024 * 1024, 64 * 1024, 4096, 512):
            with contextlib.suppress(OSError):
                while True:
                    written += handle.write(b"\0" * size)
    return written


@contextlib.contextmanager
def kept_full(path: Path, every: float = 0.02):
    """The disk under `path` full, and kept full: whatever others free is taken again at once."""
    stop = threading.Event()

    def keep() -> None:
        while not stop.wait(every):
            fill(path)

    fill(path)
    thread = threading.Thread(target=keep, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        path.unlink()


@contextlib.contextmanager
def sqlite_write_lock(path: Path):
    """Another connection holding the database's write lock (what SQLite has instead of being stopped)."""
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        connection.execute("BEGIN EXCLUSIVE")
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()
