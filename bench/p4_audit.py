"""P4 audit: events verified per second over a large trail; export and verify one 10,000-event case; checkpoint.

The trail is built in a temporary SQLite database (migrated as `make run` does: ``dmflow db upgrade``).
Appending a million events one by one through ``engine.audit.append`` would take far longer
than the measurement, so the rows
are computed here with ``engine.audit.event_hash`` (the very function ``append`` uses, so the chains are
valid) and inserted in bulk with ``executemany``; the chain heads are written the same way. The timestamps
are stored in the text form SQLAlchemy gives a naive UTC datetime on SQLite, as ``append`` would.

The case is a real instance of the reference model (started through ``engine.runtime``), whose chain is
extended the same way to 10,000 events; it is exported through the HTTP API in-process
(``GET /api/v1/instances/<id>/history`` with Flask's test client: query, marshmallow, JSON) and verified with
``engine.audit.verify(session, chain)``.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from engine import audit, audit_parallel, checkpoints, runtime
from engine.audit import GENESIS, canonical_json, event_hash, instance_chain
from engine.identity import SYSTEM, Actor, create_user

from .common import REFERENCE_PROCESS, Row, Settings, Stat, log
from .server import deploy_reference, migrate

EVENTS_PER_S_TARGET = 200_000
CASE_TARGET_S = 1.0
CHECKPOINT_TARGET_S = 10.0  # a daily task: seconds are fine, minutes would hold the system chain too long
CHAIN_LENGTH = 10  # events per instance chain in the big trail (an instance of a short procedure)
_INSERT = ("INSERT INTO audit_events (chain, seq, event_type, instance_id, actor, occurred_at, payload, "
           "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")


def _sqlite_text(when: datetime) -> str:
    """How SQLAlchemy stores a (naive UTC) datetime in SQLite."""
    return when.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def _event(n: int, instance_id: str) -> tuple[str, str | None, str]:
    """A plausible event type, actor and payload for the n-th event of an instance."""
    kind = n % CHAIN_LENGTH
    if kind == 0:
        return "instance.started", "bench1", canonical_json(
            {"process_id": REFERENCE_PROCESS, "version": 1, "business_key": None, "data": {}})
    if kind % 3 == 1:
        return "task.ready", None, canonical_json(
            {"task_id": str(uuid.UUID(int=n)), "element_id": "cast_vote", "name": "Cast vote",
             "type": "UserTask", "lane": None})
    if kind % 3 == 2:
        return "task.completed", "bench2", canonical_json(
            {"task_id": str(uuid.UUID(int=n)), "element_id": "cast_vote", "name": "Cast vote", "lane": None,
             "data": {"approve": n % 2 == 0, "comment": "同意，建议下次职代会通报执行情况"}})
    return "task.completed", None, canonical_json(
        {"task_id": str(uuid.UUID(int=n)), "element_id": "tally", "name": "Tally", "type": "ScriptTask"})


def _chain_rows(chain: str, instance_id: str, first_seq: int, count: int, prev: str, start: datetime,
                offset: int = 0) -> tuple[list[tuple], str]:
    rows = []
    for i in range(count):
        seq = first_seq + i
        etype, actor, payload = _event(offset + i, instance_id)
        when = start + timedelta(milliseconds=37 * i)
        digest = event_hash(chain, seq, etype, instance_id, actor, when, payload, prev)
        rows.append((chain, seq, etype, instance_id, actor, _sqlite_text(when), payload, prev, digest))
        prev = digest
    return rows, prev


def _build_trail(path: Path, events: int) -> float:
    """Add `events` events in chains of CHAIN_LENGTH to the database; returns the seconds it took."""
    started = time.perf_counter()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    base = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    chains = events // CHAIN_LENGTH
    batch_rows: list[tuple] = []
    heads: list[tuple] = []
    for c in range(chains):
        instance_id = str(uuid.UUID(int=(c + 1) << 64))
        chain = instance_chain(instance_id)
        rows, last = _chain_rows(chain, instance_id, 1, CHAIN_LENGTH, GENESIS,
                                 base + timedelta(seconds=c), offset=c)
        batch_rows += rows
        heads.append((chain, CHAIN_LENGTH, last))
        if len(batch_rows) >= 50_000:
            conn.executemany(_INSERT, batch_rows)
            conn.executemany("INSERT INTO audit_chains (chain, last_seq, last_hash) VALUES (?, ?, ?)", heads)
            conn.commit()
            batch_rows, heads = [], []
    conn.executemany(_INSERT, batch_rows)
    conn.executemany("INSERT INTO audit_chains (chain, last_seq, last_hash) VALUES (?, ?, ?)", heads)
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    return time.perf_counter() - started


def _extend_case(path: Path, instance_id: str, total: int) -> None:
    """Grow the case's chain to `total` events, continuing from its real head."""
    chain = instance_chain(instance_id)
    conn = sqlite3.connect(path)
    last_seq, last_hash = conn.execute("SELECT last_seq, last_hash FROM audit_chains WHERE chain = ?",
                                       (chain,)).fetchone()
    rows, head = _chain_rows(chain, instance_id, last_seq + 1, total - last_seq, last_hash,
                             datetime.now(UTC) + timedelta(seconds=1))
    conn.executemany(_INSERT, rows)
    conn.execute("UPDATE audit_chains SET last_seq = ?, last_hash = ? WHERE chain = ?", (total, head, chain))
    conn.commit()
    conn.close()


def run(s: Settings) -> tuple[list[Row], dict[str, Any]]:
    from api import create_app

    tmp = Path(tempfile.mkdtemp(prefix="dmflow-p4-"))
    path = tmp / "dmflow.db"
    url = f"sqlite:///{path}"
    app = None
    try:
        migrate(url)
        app = create_app({"DATABASE_URL": url})
        services = app.extensions["dmflow"]
        deploy_reference(services.uow)
        user, _ = create_user(services.uow(), "bench1", ["member"], actor=SYSTEM)
        _, auditor = create_user(services.uow(), "auditor1", ["auditor"], actor=SYSTEM)
        case_id = runtime.start_instance(services.uow(), REFERENCE_PROCESS,
                                         actor=Actor("bench1", frozenset({"member"}), user.id))
        services.db.dispose()
        _extend_case(path, case_id, s.p4_case_events)
        build_s = _build_trail(path, s.p4_events)
        log(f"P4 trail of {s.p4_events:,} events + a {s.p4_case_events:,}-event case built in {build_s:.1f} s "
            f"(bulk executemany of rows hashed with engine.audit.event_hash)")

        rates, seconds, total_events = [], [], 0
        for _ in range(s.p4_rounds):
            uow = services.uow(readonly=True)
            with uow:
                t0 = time.perf_counter()
                # with what `audit verify` gathers in the same pass for its state-against-history checks
                report = audit.verify(uow.session, collect=audit.Collected())
                dt = time.perf_counter() - t0
            if not report.ok:
                raise RuntimeError(f"the built trail does not verify: {report.problems[:3]}")
            total_events = report.events
            rates.append(report.events / dt)
            seconds.append(dt)
        rate = Stat.of(rates)
        processes = audit_parallel.default_processes()
        parallel_rates = []
        for _ in range(s.p4_rounds):
            uow = services.uow(readonly=True)
            with uow:
                t0 = time.perf_counter()
                report = audit_parallel.verify_parallel(uow.session, processes=processes, collect=audit.Collected())
                dt = time.perf_counter() - t0
            if not report.ok or report.events != total_events:
                raise RuntimeError(f"the parallel verify disagrees: {report.as_dict()}")
            parallel_rates.append(report.events / dt)
        parallel = Stat.of(parallel_rates)

        client = app.test_client()
        headers = {"Authorization": f"Bearer {auditor}"}
        exports, verifies, totals, size = [], [], [], 0
        for _ in range(s.p4_case_rounds):
            t0 = time.perf_counter()
            resp = client.get(f"/api/v1/instances/{case_id}/history", headers=headers)
            body = resp.get_data()
            t1 = time.perf_counter()
            if resp.status_code != 200 or len(json.loads(body)) != s.p4_case_events:
                raise RuntimeError(f"history export answered {resp.status_code} with {len(body)} bytes")
            uow = services.uow(readonly=True)
            with uow:
                report = audit.verify(uow.session, instance_chain(case_id))
            t2 = time.perf_counter()
            if not report.ok or report.events != s.p4_case_events:
                raise RuntimeError(f"the case does not verify: {report.as_dict()}")
            size = len(body)
            exports.append(t1 - t0)
            verifies.append(t2 - t1)
            totals.append(t2 - t0)
        export, verify_case, total = Stat.of(exports), Stat.of(verifies), Stat.of(totals)
        checkpoint = _checkpoints(services, s.p4_case_rounds)
    finally:
        if app is not None:
            app.extensions["dmflow"].db.dispose()
        shutil.rmtree(tmp, ignore_errors=True)

    rows = [
        Row("P4", f"verify, trail of {total_events:,} events", rate.fmt(" events/s", 0),
            f"≥ {EVENTS_PER_S_TARGET:,} events/s", rate.median >= EVENTS_PER_S_TARGET,
            data={"events": total_events, "events_per_s": rate.as_dict(), "seconds": Stat.of(seconds).as_dict(),
                  "build_s": build_s, "quick_trail": s.p4_events < 1_000_000}),
        Row("P4", f"verify in {processes} processes (dmflow audit verify), trail of {total_events:,} events",
            parallel.fmt(" events/s", 0), f"≥ {EVENTS_PER_S_TARGET:,} events/s",
            parallel.median >= EVENTS_PER_S_TARGET,
            data={"processes": processes, "events_per_s": parallel.as_dict()}),
        Row("P4", f"case of {s.p4_case_events:,} events: export + verify",
            f"{total.fmt(' s', 3)}; export {export.median:.3f} s ({size / 1e6:.1f} MB), "
            f"verify {verify_case.median:.3f} s", f"≤ {CASE_TARGET_S:g} s", total.median <= CASE_TARGET_S,
            data={"total_s": total.as_dict(), "export_s": export.as_dict(), "verify_s": verify_case.as_dict(),
                  "export_bytes": size}),
        Row("P4", f"checkpoint over {total_events:,} events ({checkpoint['chains']:,} chains)",
            checkpoint["seconds"].fmt(" s", 3), f"≤ {CHECKPOINT_TARGET_S:g} s",
            checkpoint["seconds"].median <= CHECKPOINT_TARGET_S,
            data={"seconds": checkpoint["seconds"].as_dict(), "chains": checkpoint["chains"]}),
    ]
    return rows, {"events": total_events, "build_s": build_s}


def _checkpoints(services, rounds: int) -> dict[str, Any]:
    """Sign the heads of every chain (Merkle root over them), as `dmflow audit checkpoint` does."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key, seconds, taken = Ed25519PrivateKey.generate(), [], {}
    for _ in range(rounds):
        t0 = time.perf_counter()
        taken = checkpoints.take(services.uow(), key)
        seconds.append(time.perf_counter() - t0)
    return {"seconds": Stat.of(seconds), "chains": taken["chains"]}
