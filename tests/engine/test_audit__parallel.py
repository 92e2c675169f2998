"""`dmflow audit verify` in several processes finds exactly what the one-process verify finds (SQLite files)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from api.cli import main
from engine import audit, audit_parallel
from engine.verification import verify_all

CHAINS = 40


@pytest.fixture
def trail(services):
    if services.db.dialect.name != "sqlite":
        pytest.skip("the processes read a SQLite file; PostgreSQL is verified by one process")
    for i in range(CHAINS):
        uow = services.uow()
        with uow:
            for n in range(4):
                uow.audit(f"test:{i:03d}", "test.happened", {"n": n, "text": "测试"}, actor="tester")
            uow.commit()
    return services


def _both(services, **kw):
    one, many = services.uow(readonly=True), services.uow(readonly=True)
    with one:
        sequential = audit.verify(one.session, **kw)
    with many:
        parallel = audit_parallel.verify_parallel(many.session, processes=3, **kw)
    return sequential, parallel


def _problems(report):
    return sorted((p.chain, p.seq, p.reason) for p in report.problems)


def test_an_intact_trail_verifies_the_same_in_three_processes(trail):
    collected_one, collected_many = audit.Collected(), audit.Collected()
    one, many = trail.uow(readonly=True), trail.uow(readonly=True)
    with one:
        sequential = audit.verify(one.session, collect=collected_one)
    with many:
        parallel = audit_parallel.verify_parallel(many.session, processes=3, collect=collected_many)
    assert parallel.ok and sequential.ok
    assert (parallel.chains, parallel.events) == (sequential.chains, sequential.events)
    assert parallel.events >= CHAINS * 4
    assert collected_many.states == collected_one.states
    assert sorted(collected_many.completions) == sorted(collected_one.completions)


def test_tampering_in_any_range_is_found_by_the_processes_as_by_one(trail):
    with trail.db.begin() as conn:
        conn.execute(text("UPDATE audit_events SET payload = payload || ' ' WHERE chain = 'test:003' AND seq = 2"))
        conn.execute(text("DELETE FROM audit_events WHERE chain = 'test:021' AND seq = 2"))
        conn.execute(text("DELETE FROM audit_events WHERE chain = 'test:039' AND seq = 4"))  # a cut tail
        conn.execute(text("INSERT INTO audit_events (chain, seq, event_type, instance_id, actor, occurred_at, "
                          "payload, prev_hash, hash) SELECT 'test:030', 5, event_type, instance_id, actor, "
                          "occurred_at, payload, hash, hash FROM audit_events WHERE chain = 'test:030' AND seq = 4"))
        conn.execute(text("INSERT INTO audit_events (chain, seq, event_type, instance_id, actor, occurred_at, "
                          "payload, prev_hash, hash) SELECT 'zz:orphan', 1, event_type, instance_id, actor, "
                          "occurred_at, payload, prev_hash, hash FROM audit_events WHERE chain = 'test:010' "
                          "AND seq = 1"))
    sequential, parallel = _both(trail)
    found = {p[0] for p in _problems(parallel)}
    assert {"test:003", "test:021", "test:039", "test:030", "zz:orphan"} <= found
    assert _problems(parallel) == _problems(sequential)
    assert (parallel.chains, parallel.events) == (sequential.chains, sequential.events)


def test_events_appended_after_the_verify_began_are_not_taken_for_tampering(trail):
    many = trail.uow(readonly=True)
    with many:
        before = many.session.execute(text("SELECT count(*) FROM audit_events")).scalar_one()  # the snapshot
        writer = trail.uow()
        with writer:
            writer.audit("test:005", "test.happened", {"n": 4}, actor="tester")
            writer.audit("test:new", "test.happened", {"n": 0}, actor="tester")
            writer.commit()
        parallel = audit_parallel.verify_parallel(many.session, processes=2)
    assert parallel.ok, parallel.problems
    assert parallel.events == before  # what this verify's snapshot held, as one process would report


def test_verify_all_and_the_cli_use_the_processes_and_report_the_whole_trail(trail, runner, monkeypatch):
    monkeypatch.setattr(audit_parallel, "MIN_CHAINS", 2)  # this trail is small; the thresholds are for start-up cost
    monkeypatch.setattr(audit_parallel, "MIN_EVENTS", 2)
    used = []
    real = audit_parallel.verify_parallel
    monkeypatch.setattr(audit_parallel, "verify_parallel", lambda *a, **kw: used.append(kw) or real(*a, **kw))
    uow = trail.uow(readonly=True)
    with uow:
        report = verify_all(uow.session, processes=2)
        one = verify_all(uow.session, processes=1)
    assert report.ok and (report.chains, report.events) == (one.chains, one.events)
    result = runner.invoke(main, ["audit", "verify", "--processes", "2"])
    assert result.exit_code == 0 and f"{one.events} events" in result.output, result.output
    assert [kw["processes"] for kw in used] == [2, 2]
