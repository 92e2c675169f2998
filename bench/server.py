"""A throw-away dmflow server for one benchmark: fresh database, reference model, users, gunicorn on 127.0.0.1.

The database is a temporary SQLite file in WAL mode, or a fresh schema in the PostgreSQL server named by
``DMFLOW_BENCH_POSTGRES_URL``. It is migrated as `make run` migrates it (``dmflow db upgrade``); the
reference model is deployed and
the users are created against it before gunicorn starts (``-w 2``, the default sync workers), with
``DMFLOW_DATABASE_URL`` and ``DMFLOW_BENCH_ENDPOINTS=true`` in its environment.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text

from engine import db
from engine.clock import SystemClock
from engine.deployments import deploy
from engine.identity import SYSTEM, create_user
from engine.parsing import SourceFile
from engine.unit_of_work import UnitOfWork

from .common import MODELS, POSTGRES_URL, REFERENCE_FILES, ROOT, gunicorn, log, python

# The WSGI app gunicorn serves; overridable only to try the bench before the blueprint is registered.
APP = os.environ.get("DMFLOW_BENCH_APP", "api.wsgi:app")
WORKERS = 2


def ballot_key_dir(url: str) -> str:
    """Where the bench's in-process set-up and its gunicorn keep the private keys of open secret votes."""
    if url.startswith("sqlite:///"):
        return str(Path(url.removeprefix("sqlite:///")).parent / "ballot_keys")
    return str(Path(tempfile.gettempdir()) / "dmflow-bench-ballot-keys")


class Database:
    """A fresh, migrated dmflow database on `backend` ('sqlite' or 'postgres'); `close()` removes it."""

    def __init__(self, backend: str = "sqlite", *, label: str = "bench"):
        self.backend = backend
        self._tmp: Path | None = None
        self._schema: str | None = None
        if backend == "sqlite":
            self._tmp = Path(tempfile.mkdtemp(prefix=f"dmflow-{label}-"))
            self.path = self._tmp / "dmflow.db"
            self.url = f"sqlite:///{self.path}"
        elif backend == "postgres":
            if not POSTGRES_URL:
                raise RuntimeError("DMFLOW_BENCH_POSTGRES_URL is not set")
            self._schema = f"bench_{uuid.uuid4().hex[:12]}"
            admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{self._schema}"'))
            admin.dispose()
            sep = "&" if "?" in POSTGRES_URL else "?"
            self.url = f"{POSTGRES_URL}{sep}options=-csearch_path%3D{self._schema}"
        else:
            raise ValueError(f"unknown backend {backend!r}")
        migrate(self.url)
        self.engine = db.make_engine(self.url)  # on SQLite: WAL, BEGIN IMMEDIATE (engine.db)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine, SystemClock())

    def close(self) -> None:
        self.engine.dispose()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
        if self._schema is not None:
            admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{self._schema}" CASCADE'))
            admin.dispose()


def migrate(url: str) -> None:
    """Migrate the database exactly as `make run` does: the `dmflow db upgrade` command (engine and domain
    migrations), run from this checkout in a child process."""
    env = dict(os.environ, DMFLOW_DATABASE_URL=url)
    proc = subprocess.run([python(), "-c", "from api.cli import main; main()", "db", "upgrade"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"dmflow db upgrade failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")


def deploy_reference(make_uow: Callable[[], UnitOfWork]) -> None:
    files = [SourceFile(name, (MODELS / name).read_bytes()) for name in REFERENCE_FILES]
    deploy(make_uow(), files, actor=SYSTEM, name="benchmark reference model")


def create_users(make_uow: Callable[[], UnitOfWork], count: int, role: str = "member") -> list[str]:
    """`count` users holding `role` (the reference model has no lanes: any non-auditor may act); their tokens."""
    return [create_user(make_uow(), f"bench{i}", [role], actor=SYSTEM)[1] for i in range(count)]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving dmflow on 127.0.0.1 against `url`; a context manager."""

    def __init__(self, url: str, *, workers: int = WORKERS, app: str = APP):
        self.url = url
        self.app = app
        self.workers = workers
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None
        self._log = None

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        env = dict(os.environ, DMFLOW_DATABASE_URL=self.url, DMFLOW_BENCH_ENDPOINTS="true",
                   DMFLOW_BALLOT_KEY_DIR=ballot_key_dir(self.url), PYTHONUNBUFFERED="1")
        cmd = [gunicorn(), "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}", "--timeout", "300",
               "--log-level", "warning", self.app]
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (the server's output while it lives; stop() closes it)
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                message = f"gunicorn exited with {self.proc.returncode}:\n{self.output()}"
                self.stop()
                raise RuntimeError(message)
            try:
                if self.request("GET", "/api/v1/health")[0] == 200 and len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        message = f"gunicorn did not answer within 60 s:\n{self.output()}"
        self.stop()
        raise RuntimeError(message)

    def output(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def request(self, method: str, path: str, body=None, token: str | None = None) -> tuple[int, object]:
        """One request on a fresh connection (set-up and checks only; load comes from bench.client)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
        finally:
            conn.close()
        try:
            return resp.status, json.loads(raw) if raw else None
        except ValueError:
            return resp.status, raw.decode(errors="replace")

    def check_bench_endpoints(self, token: str) -> None:
        status, body = self.request("POST", "/api/v1/_bench/floor", {}, token)
        if status == 404:
            raise RuntimeError(
                "the app has no /api/v1/_bench routes: register api.resources.bench.blp when "
                "BENCH_ENDPOINTS is true (see bench/README.md), or set DMFLOW_BENCH_APP to an app that does")
        if status != 201:
            raise RuntimeError(f"POST /api/v1/_bench/floor answered {status}: {body}")

    def pids(self) -> list[int]:
        """The master and its workers (whose CPU time is the server's)."""
        return ([self.proc.pid] if self.proc is not None else []) + self.worker_pids()

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the children of the master process."""
        if self.proc is None:
            return []
        master = self.proc.pid
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == master:
                pids.append(int(entry.name))
        return sorted(pids)


def rss_kib(pid: int) -> int:
    """Resident set size of a process (VmRSS in /proc/PID/status), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def backends() -> list[str]:
    return ["sqlite"] + (["postgres"] if POSTGRES_URL else [])


def prepared(backend: str, users: int, *, label: str) -> tuple[Database, list[str]]:
    """A fresh database with the reference model deployed and `users` users; their tokens."""
    started = time.perf_counter()
    database = Database(backend, label=label)
    deploy_reference(database.uow)
    tokens = create_users(database.uow, users)
    log(f"{backend} database ready in {time.perf_counter() - started:.1f} s")
    return database, tokens
