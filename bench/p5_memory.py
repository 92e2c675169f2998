"""P5 memory: RSS of a server worker with 100 and with 100,000 stored instances.

Phase A: a fresh database; 100 instances of the reference model are started through the API and left in
mixed states (a third waiting at the first task, a third at the second, a third completed). A fresh gunicorn
(2 workers) then serves the same fixed workload in each round (start and complete an instance, read its
tasks, one task, the instance, the first page of instances and its history), and after each round the VmRSS
of both workers is read from /proc/PID/status; the figure is the larger worker's.

Phase B: the server is stopped and the instances grow to 100,000 by cloning the 100 API-made rows with SQL
(``INSERT ... SELECT`` over a counter: every column copied from the current table definition, the id's first
eight hex digits replaced by the copy's number; their ready ``human_tasks`` rows are cloned alike, so the
inboxes grow too; audit events are not cloned, P4 covers the trail). A fresh server serves the same workload.

Finally, and reported without a target, one unfiltered inbox request (``GET /api/v1/tasks``, no paging)
against the 100,000-instance database shows what an unbounded list costs in time, bytes and RSS.
"""

from __future__ import annotations

import math
import time
from typing import Any

from sqlalchemy import inspect, text

from .common import REFERENCE_PROCESS, Row, Settings, Stat, log
from .server import Server, backends, prepared, rss_kib

GROWTH_TARGET = 0.20
PROPOSAL = {"title": "Canteen opening hours", "body": "Open the canteen at 06:30 for the early shift."}


def _seed(server: Server, token: str, count: int) -> None:
    for i in range(count):
        status, body = server.request("POST", "/api/v1/instances", {"process": REFERENCE_PROCESS, "data": {}},
                                      token)
        assert status == 201, body
        for data in ((PROPOSAL, {"approve": True})[: i % 3]):
            task = body["ready_tasks"][0]["id"]
            status, body = server.request("POST", f"/api/v1/tasks/{task}/complete", {"data": data}, token)
            assert status == 200, body


def _cycle(server: Server, token: str) -> None:
    """The fixed workload: one instance end to end plus the reads a user makes around it."""
    def ok(method: str, path: str, body=None, expected: int = 200):
        status, answer = server.request(method, path, body, token)
        assert status == expected, (method, path, status, answer)
        return answer

    inst = ok("POST", "/api/v1/instances", {"process": REFERENCE_PROCESS, "data": {}}, 201)
    ok("GET", f"/api/v1/tasks?instance={inst['id']}")
    task = inst["ready_tasks"][0]["id"]
    ok("GET", f"/api/v1/tasks/{task}")
    inst = ok("POST", f"/api/v1/tasks/{task}/complete", {"data": PROPOSAL})
    inst = ok("POST", f"/api/v1/tasks/{inst['ready_tasks'][0]['id']}/complete", {"data": {"approve": True}})
    ok("GET", f"/api/v1/instances/{inst['id']}")
    ok("GET", "/api/v1/instances?page=1&per_page=50")
    ok("GET", f"/api/v1/instances/{inst['id']}/history")


def _phase(url: str, token: str, s: Settings) -> dict[str, Any]:
    """A fresh server, the workload in rounds, the workers' RSS after each round (KiB)."""
    per_round, seconds = [], []
    with Server(url) as server:
        workers = server.worker_pids()
        for _ in range(s.p5_rounds):
            t0 = time.perf_counter()
            for _ in range(s.p5_cycles):
                _cycle(server, token)
            seconds.append((time.perf_counter() - t0) / s.p5_cycles)
            per_round.append({pid: rss_kib(pid) for pid in workers})
    return {"rss_kib": [max(r.values()) for r in per_round], "workers": per_round,
            "cycle_ms": [x * 1000 for x in seconds]}


def _clone(engine, originals: list[str], target: int) -> int:
    """Clone the `originals` instances (and their human tasks) with SQL until `target` instances exist."""
    copies = math.ceil((target - len(originals)) / len(originals))
    columns = {t: [c["name"] for c in inspect(engine).get_columns(t)] for t in ("instances", "human_tasks")}
    sqlite = engine.dialect.name == "sqlite"
    counter = ("WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < :copies) "
               if sqlite else "")
    source = "n" if sqlite else "generate_series(1, :copies) AS n(k)"

    def new_id(column: str) -> str:
        return (f"printf('c%07x', n.k) || substr(t.{column}, 9)" if sqlite
                else f"'c' || lpad(to_hex(n.k), 7, '0') || substr(t.{column}, 9)")

    in_originals = ", ".join(f"'{i}'" for i in originals)  # uuids made by the engine: safe to inline
    with engine.begin() as conn:
        for table, owner in (("instances", "id"), ("human_tasks", "instance_id")):
            cols = columns[table]
            exprs = [new_id(c) if c in ("id", "instance_id") else f"t.{c}" for c in cols]
            conn.execute(text(f"{counter}INSERT INTO {table} ({', '.join(cols)}) "
                              f"SELECT {', '.join(exprs)} FROM {table} t, {source} "
                              f"WHERE t.{owner} IN ({in_originals})"), {"copies": copies})
        return conn.execute(text("SELECT count(*) FROM instances")).scalar_one()


def _inbox_probe(url: str, token: str) -> dict[str, Any]:
    with Server(url, workers=1) as server:
        pid = server.worker_pids()[0]
        server.request("GET", "/api/v1/health")
        before = rss_kib(pid)
        t0 = time.perf_counter()
        status, body = server.request("GET", "/api/v1/tasks", None, token)
        seconds = time.perf_counter() - t0
        assert status == 200, (status, str(body)[:200])
        return {"tasks": body["total"], "seconds": seconds, "rss_before_kib": before, "rss_after_kib": rss_kib(pid)}


def run(s: Settings) -> tuple[list[Row], dict[str, Any]]:
    rows: list[Row] = []
    raw: dict[str, Any] = {}
    for backend in backends():
        database, tokens = prepared(backend, 1, label="p5")
        token = tokens[0]
        try:
            with Server(database.url) as server:
                _seed(server, token, s.p5_small)
            with database.engine.connect() as conn:
                originals = list(conn.execute(text("SELECT id FROM instances")).scalars())
            small = _phase(database.url, token, s)
            t0 = time.perf_counter()
            stored = _clone(database.engine, originals, s.p5_large)
            log(f"P5 {backend}: cloned to {stored:,} instances in {time.perf_counter() - t0:.1f} s")
            large = _phase(database.url, token, s)
            probe = _inbox_probe(database.url, token)
        finally:
            database.close()
        a, b = Stat.of([k / 1024 for k in small["rss_kib"]]), Stat.of([k / 1024 for k in large["rss_kib"]])
        growth = b.median / a.median - 1
        ca, cb = Stat.of(small["cycle_ms"]), Stat.of(large["cycle_ms"])
        raw[backend] = {"small": small, "large": large, "stored": stored, "inbox": probe}
        rows += [
            Row("P5", f"worker RSS, {len(originals)} stored ({backend})", a.fmt(" MiB"),
                data={"backend": backend, "rss_mib": a.as_dict(), "cycle_ms": ca.as_dict()}),
            Row("P5", f"worker RSS, {stored:,} stored ({backend})", b.fmt(" MiB"),
                data={"backend": backend, "rss_mib": b.as_dict(), "cycle_ms": cb.as_dict()}),
            Row("P5", f"RSS growth 100 → 100,000 ({backend})", f"{growth:+.1%}", f"≤ +{GROWTH_TARGET:.0%}",
                growth <= GROWTH_TARGET, data={"backend": backend, "growth": growth}),
            Row("P5", f"workload cycle (8 requests), 100 → 100,000 ({backend})",
                f"{ca.median:.1f} → {cb.median:.1f} ms", data={"backend": backend}),
            Row("P5", f"unpaged inbox GET /tasks, {probe['tasks']:,} ready ({backend})",
                f"{probe['seconds']:.2f} s; worker RSS {probe['rss_before_kib'] / 1024:.0f} → "
                f"{probe['rss_after_kib'] / 1024:.0f} MiB", data={"backend": backend, **probe}),
        ]
    return rows, raw
