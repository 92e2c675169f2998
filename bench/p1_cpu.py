"""P1 in-process: CPU per step of dmflow against CPU per request of the independent floor, and statements per step.

Both apps run in this process behind the same harness (Werkzeug's test client builds the WSGI environ and
reads the answer alike for both), on the same freshly migrated database: dmflow's Flask app (`create_app`)
driving the reference model (start, complete, complete: three steps), and ``bench.bare`` (token lookup, one
INSERT, COMMIT with the driver; none of dmflow's code). Rounds interleave the two; CPU is
``time.process_time`` (the machine is shared: CPU time is steadier than wall time). The same floor as a plain
Flask view (``bench.bare.make_flask_app``) is measured too: what the framework alone costs. Statements are every
``cursor.execute`` SQLAlchemy sends for one task completion (BEGIN and COMMIT not counted), seen by an event
listener on the app's engine.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from werkzeug.test import Client

from .bare import make_app as make_bare
from .bare import make_flask_app
from .common import REFERENCE_PROCESS, Row, Settings, Stat, log
from .server import backends, prepared

CPU_TARGET = 3.5
STATEMENTS_TARGET = 8
PROPOSAL = {"title": "Canteen opening hours", "body": "Open the canteen at 06:30 for the early shift."}


class _Dmflow:
    def __init__(self, url: str, token: str):
        from api import create_app

        self.app = create_app({"DATABASE_URL": url})
        self.client = self.app.test_client()
        self.headers = {"Authorization": f"Bearer {token}"}
        self.statements: list[str] = []
        self.counting = False
        engine = self.app.extensions["dmflow"].db

        @event.listens_for(engine, "before_cursor_execute")
        def _count(conn, cursor, statement, *args) -> None:
            if self.counting and statement.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT"):
                self.statements.append(statement)

    def post(self, path: str, body: dict, status: int) -> dict:
        answer = self.client.post(path, json=body, headers=self.headers)
        if answer.status_code != status:
            raise RuntimeError(f"{path}: HTTP {answer.status_code}: {answer.get_data(as_text=True)[:300]}")
        return answer.get_json()

    def cycle(self) -> None:
        body = self.post("/api/v1/instances", {"process": REFERENCE_PROCESS, "data": {}}, 201)
        body = self.post(f"/api/v1/tasks/{body['ready_tasks'][0]['id']}/complete", {"data": PROPOSAL}, 200)
        self.post(f"/api/v1/tasks/{body['ready_tasks'][0]['id']}/complete", {"data": {"approve": True}}, 200)

    def statements_per_completion(self) -> tuple[int, list[str]]:
        body = self.post("/api/v1/instances", {"process": REFERENCE_PROCESS, "data": {}}, 201)
        self.statements, self.counting = [], True
        try:
            body = self.post(f"/api/v1/tasks/{body['ready_tasks'][0]['id']}/complete", {"data": PROPOSAL}, 200)
            first = list(self.statements)
            self.statements = []
            self.post(f"/api/v1/tasks/{body['ready_tasks'][0]['id']}/complete", {"data": {"approve": True}}, 200)
        finally:
            self.counting = False
        return max(len(first), len(self.statements)), first


class _Bare:
    def __init__(self, url: str, token: str, flask: bool = False):
        self.client = Client(make_flask_app(url) if flask else make_bare(url))
        self.headers = {"Authorization": f"Bearer {token}"}

    def request(self) -> None:
        answer = self.client.post("/floor", json={}, headers=self.headers)
        if answer.status_code != 201:
            raise RuntimeError(f"bare floor: HTTP {answer.status_code}")


def _cpu(fn, n: int) -> float:
    t0 = time.process_time()
    for _ in range(n):
        fn()
    return (time.process_time() - t0) / n


def run(s: Settings) -> tuple[list[Row], dict[str, Any]]:
    rows: list[Row] = []
    raw: dict[str, Any] = {}
    cycles, rounds = (20, 5) if s.quick else (60, 7)
    for backend in backends():
        database, tokens = prepared(backend, 1, label="p1cpu")
        try:
            dm, bare = _Dmflow(database.url, tokens[0]), _Bare(database.url, tokens[0])
            flask = _Bare(database.url, tokens[0], flask=True)
            for _ in range(cycles // 2):  # warm up: caches, compiled statements, the spec
                dm.cycle()
                bare.request()
                flask.request()
            step, floor, framework = [], [], []
            for _ in range(rounds):
                step.append(_cpu(dm.cycle, cycles) / 3)
                floor.append(_cpu(bare.request, cycles * 3))
                framework.append(_cpu(flask.request, cycles * 3))
            count, sample = dm.statements_per_completion()
            dm.app.extensions["dmflow"].db.dispose()
        finally:
            database.close()
        ratio = Stat.of([a / b for a, b in zip(step, floor, strict=True)])
        flask_ratio = Stat.of([a / b for a, b in zip(step, framework, strict=True)])
        step_ms, floor_ms = Stat.of([v * 1000 for v in step]), Stat.of([v * 1000 for v in floor])
        flask_ms = Stat.of([v * 1000 for v in framework])
        log(f"P1 CPU {backend}: step {step_ms.median:.2f} ms, bare floor {floor_ms.median:.2f} ms, {count} statements")
        raw[backend] = {"step_ms": step_ms.as_dict(), "floor_ms": floor_ms.as_dict(),
                        "flask_floor_ms": flask_ms.as_dict(), "statements": count,
                        "completion_statements": sample}
        rows += [
            Row("P1", f"CPU per step, in-process ({backend})", step_ms.fmt(" ms", 2),
                data={"backend": backend, "cpu_ms": step_ms.as_dict()}),
            Row("P1", f"CPU per request of the independent floor ({backend})", floor_ms.fmt(" ms", 2),
                data={"backend": backend, "cpu_ms": floor_ms.as_dict()}),
            Row("P1", f"CPU per step ÷ independent floor ({backend})", ratio.fmt("", 2), f"≤ {CPU_TARGET:g}",
                ratio.median <= CPU_TARGET, data={"backend": backend, "ratio": ratio.as_dict()}),
            Row("P1", f"CPU per request of the same floor as a plain Flask view ({backend})", flask_ms.fmt(" ms", 2),
                data={"backend": backend, "cpu_ms": flask_ms.as_dict()}),
            Row("P1", f"CPU per step ÷ the Flask floor ({backend})", flask_ratio.fmt("", 2), f"≤ {CPU_TARGET:g}",
                flask_ratio.median <= CPU_TARGET, data={"backend": backend, "ratio": flask_ratio.as_dict()}),
            Row("P1", f"SQL statements per task completion ({backend})", str(count), f"≤ {STATEMENTS_TARGET}",
                count <= STATEMENTS_TARGET, data={"backend": backend, "statements": count}),
        ]
    return rows, raw
