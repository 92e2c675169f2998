"""The cost of a task completion in SQL statements, counted through the public API (so it cannot silently grow).

An event listener on the app's engine counts every statement SQLAlchemy sends while one request runs
(``BEGIN`` and ``COMMIT`` not counted: the transaction boundaries are the same for every request). The
reference model of the benchmark (bench/models: a proposal drafted by its starter, then a pooled vote) is
completed step by step; each completion's count must stay at or under its limit.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from engine.steps import TaskForms

from conftest import ROOT

MODELS = ROOT / "bench" / "models"
FILES = ("proposal-vote.bpmn", "proposal-schema.json", "vote-schema.json")
PROCESS = "Process_bench_proposal_vote"
# A completion: authentication, one locked read (task, instance, ready rows, chain head, candidates), the task
# rows written, the chain head, the instance (with its version check) and the audit events.
MAX_STATEMENTS_PER_COMPLETION = 8


@pytest.fixture
def statements(services):
    seen: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        if statement.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT"):
            seen.append(statement)

    event.listen(services.db, "before_cursor_execute", count)
    yield seen
    event.remove(services.db, "before_cursor_execute", count)


def test_a_task_completion_issues_at_most_8_statements(client, deploy, users, statements):
    deploy({name: (MODELS / name).read_bytes() for name in FILES})
    headers = users.headers("clerk", "member")
    body = client.post("/api/v1/instances", json={"process": PROCESS, "data": {}}, headers=headers).get_json()
    counts = []
    for data in ({"title": "食堂开放时间", "body": "早班六点半开门"}, {"approve": True}):
        statements.clear()
        answer = client.post(f"/api/v1/tasks/{body['ready_tasks'][0]['id']}/complete", json={"data": data},
                             headers=headers)
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        counts.append(len(statements))
        assert len(statements) <= MAX_STATEMENTS_PER_COMPLETION, "\n".join(s[:160] for s in statements)
    assert body["status"] == "completed" and body["ready_tasks"] == []
    assert counts[1] >= 5  # the count is real: the step's writes are in it


@pytest.fixture
def orm_writes():
    """What the ORM's unit of work had to write at each flush (new and modified objects, by class): the step's
    own writes are Core statements, so a start or a completion should leave the ORM nothing of theirs."""
    seen: list[tuple[str, str]] = []

    def flushed(session, context, instances) -> None:
        seen.extend(("new", type(o).__name__) for o in session.new)
        seen.extend(("modified", type(o).__name__) for o in session.dirty if session.is_modified(o))

    event.listen(Session, "before_flush", flushed)
    yield seen
    event.remove(Session, "before_flush", flushed)


def test_a_start_and_a_completion_write_their_rows_with_core_statements_not_orm_flushes(client, deploy, users,
                                                                                         orm_writes):
    deploy({name: (MODELS / name).read_bytes() for name in FILES})
    headers = users.headers("clerk", "member")
    orm_writes.clear()
    body = client.post("/api/v1/instances", json={"process": PROCESS, "data": {}}, headers=headers).get_json()
    answer = client.post(f"/api/v1/tasks/{body['ready_tasks'][0]['id']}/complete",
                         json={"data": {"title": "食堂开放时间", "body": "早班六点半开门"}}, headers=headers)
    assert answer.status_code == 200
    engine_rows = {"Instance", "HumanTask", "TaskCandidate", "AuditChain", "AuditEvent", "MessageSubscription"}
    assert [w for w in orm_writes if w[1] in engine_rows] == []
    listed = client.get(f"/api/v1/instances/{body['id']}", headers=headers).get_json()
    assert listed["ready_tasks"] == answer.get_json()["ready_tasks"] != []  # the Core writes are the state


def test_the_answer_of_a_completion_shows_the_committed_state(client, deploy, users):
    deploy({name: (MODELS / name).read_bytes() for name in FILES})
    headers = users.headers("clerk", "member")
    body = client.post("/api/v1/instances", json={"process": PROCESS, "data": {}}, headers=headers).get_json()
    answer = client.post(f"/api/v1/tasks/{body['ready_tasks'][0]['id']}/complete",
                         json={"data": {"title": "食堂开放时间", "body": "早班六点半开门"}}, headers=headers).get_json()
    again = client.get(f"/api/v1/instances/{body['id']}", headers=headers).get_json()
    assert answer == again
    assert [t["element_id"] for t in answer["ready_tasks"]] == [again["ready_tasks"][0]["element_id"]]


def _sqlite_path(services) -> str:
    return services.db.url.database


@pytest.fixture
def write_lock(services, backend):
    """Another connection holding SQLite's write lock (BEGIN IMMEDIATE) until the test releases it."""
    if backend != "sqlite":
        pytest.skip("SQLite's database-wide write lock")
    holder = sqlite3.connect(_sqlite_path(services), timeout=0, isolation_level=None, check_same_thread=False)
    yield holder
    if holder.in_transaction:
        holder.execute("ROLLBACK")
    holder.close()


@pytest.mark.parametrize("seen", [True, False], ids=["task known to this process", "task read before the lock"])
def test_an_invalid_body_is_refused_without_waiting_for_the_write_lock(client, deploy, users, services, write_lock,
                                                                       seen):
    deploy({name: (MODELS / name).read_bytes() for name in FILES})
    headers = users.headers("clerk", "member")
    body = client.post("/api/v1/instances", json={"process": PROCESS, "data": {}}, headers=headers).get_json()
    task = body["ready_tasks"][0]["id"]
    if not seen:
        services.runtime.task_forms = TaskForms()  # as in another process: one read of the task, unlocked
    write_lock.execute("BEGIN IMMEDIATE")
    t0 = time.monotonic()
    answer = client.post(f"/api/v1/tasks/{task}/complete", json={"data": {"title": 5}}, headers=headers)
    waited = time.monotonic() - t0
    assert answer.status_code == 422, answer.get_json()
    assert "title" in answer.get_json()["errors"] and waited < 5  # the lock is held for 30 s of busy timeout
    write_lock.execute("ROLLBACK")
    again = client.post(f"/api/v1/tasks/{task}/complete", json={"data": {"title": "食堂", "body": "早班"}},
                        headers=headers)
    assert again.status_code == 200, again.get_json()


def test_two_completions_validated_before_the_lock_still_meet_the_version_check(app, deploy, users, services,
                                                                               write_lock):
    deploy({name: (MODELS / name).read_bytes() for name in FILES})
    headers = users.headers("clerk", "member")
    client = app.test_client()
    body = client.post("/api/v1/instances", json={"process": PROCESS, "data": {}}, headers=headers).get_json()
    task = body["ready_tasks"][0]["id"]
    write_lock.execute("BEGIN IMMEDIATE")  # both pass their validation, then wait here for the lock
    answers: list = [None, None]

    def complete(i: int) -> None:
        answers[i] = app.test_client().post(f"/api/v1/tasks/{task}/complete", headers=headers,
                                            json={"data": {"title": f"食堂{i}", "body": "早班"}})

    threads = [threading.Thread(target=complete, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    assert answers == [None, None]  # waiting for the lock
    write_lock.execute("ROLLBACK")
    for thread in threads:
        thread.join(60)
    assert sorted(a.status_code for a in answers) == [200, 409], [a.get_json() for a in answers]
    history = client.get(f"/api/v1/instances/{body['id']}/history", headers=users.headers("aud", "auditor"))
    completions = [e for e in history.get_json() if e["type"] == "task.completed" and e["actor"]]
    assert len(completions) == 1
