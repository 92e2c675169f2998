"""The cost of a task completion in SQL statements, counted through the public API (so it cannot silently grow).

An event listener on the app's engine counts every statement SQLAlchemy sends while one request runs
(``BEGIN`` and ``COMMIT`` not counted: the transaction boundaries are the same for every request). The
reference model of the benchmark (bench/models: a proposal drafted by its starter, then a pooled vote) is
completed step by step; each completion's count must stay at or under its limit.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

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


def test_the_answer_of_a_completion_shows_the_committed_state(client, deploy, users):
    deploy({name: (MODELS / name).read_bytes() for name in FILES})
    headers = users.headers("clerk", "member")
    body = client.post("/api/v1/instances", json={"process": PROCESS, "data": {}}, headers=headers).get_json()
    answer = client.post(f"/api/v1/tasks/{body['ready_tasks'][0]['id']}/complete",
                         json={"data": {"title": "食堂开放时间", "body": "早班六点半开门"}}, headers=headers).get_json()
    again = client.get(f"/api/v1/instances/{body['id']}", headers=headers).get_json()
    assert answer == again
    assert [t["element_id"] for t in answer["ready_tasks"]] == [again["ready_tasks"][0]["element_id"]]
