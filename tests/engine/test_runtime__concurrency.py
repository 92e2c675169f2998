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


SCREEN = {"decision": "accept"}


def _screening_task(services, iid, starter):
    """The proposal's submit step done by its starter; the committee's pooled screening step's id."""
    from engine.queries import get_instance

    submit = get_instance(services.uow(readonly=True), iid)["ready_tasks"][0]["id"]
    runtime.complete_task(services.uow(), submit, DATA, actor=starter)
    tasks = get_instance(services.uow(readonly=True), iid)["ready_tasks"]
    assert [t["element_id"] for t in tasks] == ["screen_proposal"]
    return tasks[0]["id"]


@pytest.mark.parametrize("contenders", [2, 4])
def test_concurrent_completion_has_one_winner_and_409s(services, deploy, contenders):
    """Committee members race to complete one pooled task: one wins (and claims it), the rest get a conflict."""
    from engine.identity import Actor

    deploy(bundled_files("congress"))
    rep_user = create_user(services.uow(), "rep", ["representative"], actor=SYSTEM)[0]
    rep = Actor(rep_user.username, frozenset({"representative"}), rep_user.id)
    members = [create_user(services.uow(), f"cm{i}", ["proposal_committee"], actor=SYSTEM)[0]
               for i in range(contenders)]
    actors = [Actor(u.username, frozenset({"proposal_committee"}), u.id) for u in members]
    iid = runtime.start_instance(services.uow(), "proposal_intake", actor=rep)
    task_id = _screening_task(services, iid, rep)
    results = _race(contenders, lambda i: runtime.complete_task(services.uow(), task_id, SCREEN, actor=actors[i]))
    winners = [r for r in results if r == iid]
    losers = [r for r in results if isinstance(r, TaskNotReady)]
    assert len(winners) == 1 and len(losers) == contenders - 1, results
    assert len(_user_completions(services, task_id)) == 1


def test_concurrent_completion_over_http_gives_200_and_409(app, deploy, users, services):
    deploy(bundled_files("congress"))
    rep = users.headers("rep", "representative")
    heads = [users.headers(f"cm{i}", "proposal_committee") for i in range(2)]
    first = app.test_client().post("/api/v1/instances", json={"process": "proposal_intake"}, headers=rep)
    submit = first.get_json()["ready_tasks"][0]["id"]
    body = app.test_client().post(f"/api/v1/tasks/{submit}/complete", json={"data": DATA}, headers=rep).get_json()
    task_id = body["ready_tasks"][0]["id"]
    results = _race(2, lambda i: app.test_client().post(f"/api/v1/tasks/{task_id}/complete",
                                                        json={"data": SCREEN}, headers=heads[i]))
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409], [r.get_json() for r in results]
    loser = next(r for r in results if r.status_code == 409).get_json()
    # The loser finds the task done, or (when the winner's step ended the instance) the instance completed.
    assert loser["code"] == 409 and ("already completed" in loser["message"]
                                     or "cannot be completed now" in loser["message"]), loser
    assert len(_user_completions(services, task_id)) == 1
