"""The standing assertion: persisting and reloading an instance changes nothing; and a driver that checks it at
every step of an instance it moves on."""

from __future__ import annotations

import json

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine import queries, runtime, steps
from engine.messages import send_message
from engine.models import MessageSubscription
from engine.serialization import SERIALIZER_VERSION, dump_instance, load_instance, make_serializer
from engine.worker import run_once

LIBRARY = make_serializer(fast=False)  # the library's own converters, as before engine/state_codec.py

# Bundled processes whose every step is driven (and round-tripped) by an end-to-end test instead of a
# scenario of tests/helpers/bpmn.py, because they also need records, messages or timers between tasks.
DRIVEN_END_TO_END = {"proposal": "tests/api/test_proposals.py", "resolution": "tests/api/test_resolution.py",
                     "collective_contract": "tests/api/test_contracts.py",
                     "disclosure": "tests/api/test_disclosures__e2e.py",
                     "disclosure_monthly": "tests/workflows/disclosure/test_disclosure__catalogue.py",
                     "disclosure_quarterly": "tests/workflows/disclosure/test_disclosure__catalogue.py",
                     "disclosure_yearly": "tests/workflows/disclosure/test_disclosure__catalogue.py",
                     "inspection": "tests/api/test_inspection.py",
                     "contract_change": "tests/workflows/contracts/test_contracts__change.py",
                     "inspection_yearly": "tests/api/test_inspection.py",
                     "labour_mediation": "tests/api/test_casework.py",
                     "legal_aid": "tests/api/test_casework__legal_aid.py",
                     "hardship": "tests/api/test_casework__hardship.py",
                     "appraisal": "tests/api/test_casework__appraisal.py",
                     "congress_session": "tests/api/test_congress__session.py",
                     "congress_session_yearly": "tests/api/test_congress__session.py",
                     "regional_contract": "tests/api/test_federation.py",
                     "regional_contract_member_vote": "tests/api/test_federation.py"}


def library_dump(workflow) -> str:
    """The state text the library's own serializer writes for `workflow` (as `dump_instance` did before)."""
    return json.dumps(LIBRARY.to_dict(workflow), cls=LIBRARY._encoder_cls, separators=(",", ":"))


def library_walk(workflow) -> list:
    return workflow.get_tasks(state=TaskState.ANY_MASK, max_depth=steps.DEEP)


def _library_depth(tasks: list) -> int:
    depth: dict = {}
    for task in tasks:
        depth[task.id] = depth.get(task._parent, 0) + 1
    return max(depth.values())


def assert_loads_as_library(state_json: str, version: str, spec, subprocess_specs) -> None:
    """A stored state restores (`load_instance`) to what the library's own serializer restores: the same tasks
    in the same tree with the same data, written out the same."""
    fast = load_instance(state_json, version, spec, subprocess_specs)
    stock = load_instance(state_json, version, spec, subprocess_specs, serializer=LIBRARY)
    assert dump_instance(fast) == library_dump(stock) == library_dump(fast)
    assert [(t.id, t._parent, t.state, t.last_state_change, t.data, t.internal_data) for t in library_walk(fast)] \
        == [(t.id, t._parent, t.state, t.last_state_change, t.data, t.internal_data) for t in library_walk(stock)]
    assert (fast.data, fast.last_task and fast.last_task.id, sorted(map(str, fast.subprocesses))) == (
        stock.data, stock.last_task and stock.last_task.id, sorted(map(str, stock.subprocesses)))


def assert_same_as_library(workflow) -> str:
    """What a step saves of `workflow` is the library serializer's text byte for byte, restores as the library
    restores it, and the step's walk (audit order, depth) and snapshot are the library iterator's; the text."""
    text = dump_instance(workflow)
    assert text == library_dump(workflow)
    tasks, depth = steps._all_tasks(workflow)
    assert tasks == library_walk(workflow) and depth == _library_depth(tasks)
    before = steps.snapshot(workflow)
    assert {t.id: before[t.id] for t in tasks} == {t.id: (t.state, steps._timer_mark(t)) for t in tasks}
    assert_loads_as_library(text, SERIALIZER_VERSION, workflow.spec, workflow.subprocess_specs)
    return text


def assert_round_trip(services, instance_id: str) -> None:
    uow = services.uow(readonly=True)
    with uow:
        loaded = steps.load(uow, instance_id, lock=False)
        stored = loaded.row.state_json
        again = assert_same_as_library(loaded.workflow)
        wf = loaded.workflow
        assert_loads_as_library(stored, loaded.row.serializer_version, wf.spec, wf.subprocess_specs)
    assert again == stored  # what the step saved is what the library writes for the state it restores to
    assert "spec" not in json.loads(stored) and "subprocess_specs" not in json.loads(stored)


def ready(client, headers, instance_id: str) -> tuple[dict, dict[str, str]]:
    """The instance (checked to round-trip unchanged) and its ready tasks by element id."""
    assert_round_trip(client.application.extensions["dmflow"], instance_id)
    body = client.get(f"/api/v1/instances/{instance_id}", headers=headers).get_json()
    return body, {t["element_id"]: t["id"] for t in body["ready_tasks"]}


def complete(client, headers, task_id: str, data: dict) -> dict:
    """Complete a task through the API, which must accept it."""
    r = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": data}, headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def waiting_messages(services, instance_id: str) -> list[tuple[str, dict]]:
    """The messages (name, correlation) the instance waits for."""
    with (uow := services.uow(readonly=True)):
        rows = uow.session.scalars(select(MessageSubscription).where(MessageSubscription.instance_id == instance_id,
                                                                     MessageSubscription.kind == "message"))
        return [(r.name, json.loads(r.correlation)) for r in rows]


def at_a_step(services, instance_id: str) -> dict:
    """The instance, checked to round-trip unchanged and to stand at a step: completed, a ready task, a timer or a
    message it waits for; never failed, never with an incident, never running with nothing that could move it."""
    assert_round_trip(services, instance_id)
    instance = queries.get_instance(services.uow(readonly=True), instance_id)
    assert instance["incidents"] == [] and instance["status"] in ("running", "completed"), instance
    if instance["status"] == "running":
        assert instance["ready_tasks"] or instance["next_timer_at"] or waiting_messages(services, instance_id), (
            f"instance {instance_id} is running but has no ready task, no timer and waits for no message")
    return instance


def drive(services, clock, instance_id: str, actor, *, steps: int = 25) -> list[str]:
    """Move the instance on, one step at a time, checking each (``at_a_step``): complete its first ready task
    (with no data), else deliver the first message it waits for, else fire its next timer. Stops at completion
    or after `steps` steps; returns what each step did ("task:<element>", "message:<name>", "timer")."""
    done: list[str] = []
    instance = at_a_step(services, instance_id)
    while instance["status"] == "running" and len(done) < steps:
        if instance["ready_tasks"]:
            task = instance["ready_tasks"][0]
            runtime.complete_task(services.uow(), task["id"], {}, actor=actor)
            done.append(f"task:{task['element_id']}")
        elif messages := waiting_messages(services, instance_id):
            name, correlation = messages[0]
            assert send_message(services.uow(), name, correlation, {}, actor=actor) == [instance_id]
            done.append(f"message:{name}")
        else:
            clock.set(instance["next_timer_at"])
            assert instance_id in run_once(services.uow).timers_fired
            done.append("timer")
        instance = at_a_step(services, instance_id)
    return done
