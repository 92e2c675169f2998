"""Two completions of one task at once: exactly one wins, the other gets a clean conflict, one audit event."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import select

from engine import runtime
from engine.errors import TaskNotReady
from engine.identity import SYSTEM, create_user
from engine.models import AuditEvent

from conftest import bundled_files

DATA = {"title": "食堂扩建", "reason": "午餐排队太久", "measures": "增加窗口"}


def _race(n, fn):
    barrier, results = threading.Barrier(n), [None] * n

    def run(i):
        barrier.wait()
        try:
            results[i] = fn(i)
        except Exception as exc:  # the outcome under test, whatever it is
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _user_completions(services, task_id):
    uow = services.uow(readonly=True)
    with uow:
        events = uow.session.scalars(select(AuditEvent).where(AuditEvent.event_type == "task.completed",
                                                              AuditEvent.actor.is_not(None)))
        return [e for e in events if json.loads(e.payload)["task_id"] == task_id]


@pytest.mark.parametrize("contenders", [2, 4])
def test_concurrent_completion_has_one_winner_and_409s(services, deploy, contenders):
    deploy(bundled_files("congress"))
    reps = [create_user(services.uow(), f"rep{i}", ["representative"], actor=SYSTEM)[0] for i in range(contenders)]
    from engine.identity import Actor

    actors = [Actor(u.username, frozenset({"representative"}), u.id) for u in reps]
    iid = runtime.start_instance(services.uow(), "proposal_intake", actor=actors[0])
    from engine.queries import get_instance

    task_id = get_instance(services.uow(readonly=True), iid)["ready_tasks"][0]["id"]
    results = _race(contenders, lambda i: runtime.complete_task(services.uow(), task_id, DATA, actor=actors[i]))
    winners = [r for r in results if r == iid]
    losers = [r for r in results if isinstance(r, TaskNotReady)]
    assert len(winners) == 1 and len(losers) == contenders - 1, results
    assert len(_user_completions(services, task_id)) == 1
    tasks = get_instance(services.uow(readonly=True), iid)["ready_tasks"]
    assert [t["element_id"] for t in tasks] == ["screen_proposal"]


def test_concurrent_completion_over_http_gives_200_and_409(app, deploy, users, services):
    deploy(bundled_files("congress"))
    heads = [users.headers(f"rep{i}", "representative") for i in range(2)]
    first = app.test_client().post("/api/v1/instances", json={"process": "proposal_intake"}, headers=heads[0])
    task_id = first.get_json()["ready_tasks"][0]["id"]
    results = _race(2, lambda i: app.test_client().post(f"/api/v1/tasks/{task_id}/complete",
                                                        json={"data": DATA}, headers=heads[i]))
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409], [r.get_json() for r in results]
    loser = next(r for r in results if r.status_code == 409).get_json()
    assert loser["code"] == 409 and "already completed" in loser["message"]
    assert len(_user_completions(services, task_id)) == 1
