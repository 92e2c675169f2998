"""The faster state codec (engine/state_codec.py) and the faster task walk of a step (engine/steps.py) change
nothing: every state a step saves is byte for byte what the library's own serializer writes for the same
workflow, a stored state restores to a workflow the library's serializer writes out the same, and the walk that
orders a step's audit events visits the tasks in the library iterator's order. Checked at every save of the
bundled diagrams driven through their scenarios, of the BPMN-MIWG reference diagrams driven step by step, of a
loop driven deep, and for data that is not plain JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from engine import deployments, queries, runtime, steps
from engine.identity import Actor
from engine.parsing import SourceFile
from workflows.catalog import procedure_folders, read_folder

from conftest import ROOT
from helpers.bpmn import SCENARIOS, revise_loop
from helpers.miwg import FILES, deploy_to_run
from helpers.roundtrip import assert_same_as_library, drive, library_walk

ADMIN = Actor("admin", frozenset({"admin"}))
LOOP = ROOT / "bench" / "models" / "history-loop.bpmn"


@pytest.fixture
def checked_saves(monkeypatch):
    """Every state a step saves, checked (`assert_same_as_library`); the list of what was saved."""
    saved = []

    def dump_instance(workflow):
        saved.append(assert_same_as_library(workflow))
        return saved[-1]

    monkeypatch.setattr(steps, "dump_instance", dump_instance)
    return saved


@pytest.mark.parametrize("process_id", sorted(SCENARIOS))
def test_bundled_diagram_saves_the_library_serializers_bytes_at_every_step(services, checked_saves, process_id):
    for folder in procedure_folders(ROOT / "bpmn"):
        deployments.deploy(services.uow(), read_folder(folder), actor=ADMIN)
    iid = runtime.start_instance(services.uow(), process_id, actor=ADMIN)
    for element_id, role, data in SCENARIOS[process_id]:
        [task] = queries.get_instance(services.uow(readonly=True), iid)["ready_tasks"]
        assert task["element_id"] == element_id
        runtime.complete_task(services.uow(), task["id"], data, actor=Actor(role, frozenset({role})))
    assert queries.get_instance(services.uow(readonly=True), iid)["status"] == "completed"
    assert len(checked_saves) == len(SCENARIOS[process_id]) + 1


@pytest.mark.skipif(not FILES, reason="the BPMN-MIWG reference files are absent")
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_miwg_diagram_saves_the_library_serializers_bytes_at_every_step(services, clock, checked_saves, path):
    for version in deploy_to_run(services, path).versions:
        instance_id = runtime.start_instance(services.uow(), version["process_id"], version=version["version"],
                                             actor=ADMIN)
        drive(services, clock, instance_id, ADMIN, steps=8)
    assert checked_saves


def test_deep_loop_saves_the_library_serializers_bytes_and_orders_events_by_the_librarys_walk(
        services, checked_saves):
    deployments.deploy(services.uow(), [SourceFile(LOOP.name, LOOP.read_bytes())], actor=ADMIN)
    iid = runtime.start_instance(services.uow(), "Process_bench_history_loop", actor=ADMIN)
    for _ in range(25):
        [task] = queries.get_instance(services.uow(readonly=True), iid)["ready_tasks"]
        runtime.complete_task(services.uow(), task["id"], {"again": True}, actor=ADMIN)
    assert len(json.loads(checked_saves[-1])["tasks"]) > 75


STAGED = revise_loop("staged", """<bpmn:subProcess id="revise" name="修改阶段">
    <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    <bpmn:startEvent id="sub_start"><bpmn:outgoing>s1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="s1" sourceRef="sub_start" targetRef="inner"/>
    <bpmn:userTask id="inner" name="起草"><bpmn:incoming>s1</bpmn:incoming><bpmn:outgoing>s2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="s2" sourceRef="inner" targetRef="after"/>
    <bpmn:userTask id="after" name="复核"><bpmn:incoming>s2</bpmn:incoming><bpmn:outgoing>s3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="s3" sourceRef="after" targetRef="sub_end"/>
    <bpmn:endEvent id="sub_end"><bpmn:incoming>s3</bpmn:incoming></bpmn:endEvent>
  </bpmn:subProcess>""")


def test_subprocesses_save_the_library_serializers_bytes_and_walk_in_the_librarys_order(services, checked_saves):
    deployments.deploy(services.uow(), [SourceFile("staged.bpmn", STAGED)], actor=ADMIN)
    iid = runtime.start_instance(services.uow(), "staged", actor=ADMIN)
    for again in (True, True, False):
        for element_id in ("inner", "after"):
            [task] = queries.get_instance(services.uow(readonly=True), iid)["ready_tasks"]
            assert task["element_id"] == element_id
            runtime.complete_task(services.uow(), task["id"], {"again": again}, actor=ADMIN)
    assert queries.get_instance(services.uow(readonly=True), iid)["status"] == "completed"
    assert len(checked_saves) == 7 and len(json.loads(checked_saves[-1])["subprocesses"]) == 3


def test_data_that_is_not_plain_json_is_written_and_read_as_the_library_does(services):
    deployments.deploy(services.uow(), [SourceFile(LOOP.name, LOOP.read_bytes())], actor=ADMIN)
    iid = runtime.start_instance(services.uow(), "Process_bench_history_loop", actor=ADMIN)
    [task] = queries.get_instance(services.uow(readonly=True), iid)["ready_tasks"]
    runtime.complete_task(services.uow(), task["id"], {"again": True}, actor=ADMIN)
    uow = services.uow(readonly=True)
    with uow:
        wf = steps.load(uow, iid, lock=False).workflow
    when = datetime(2026, 12, 5, 8, 30, tzinfo=UTC)
    odd = {"when": when, "span": timedelta(days=3), "pair": (1, "二"), "tags": {"a"},
           "nested": {"list": [1, {"at": when}], "plain": {"x": [1.5, None, True]}}, "text": "中文"}
    tasks = library_walk(wf)
    tasks[-1].data.update(odd)
    tasks[-1].internal_data["event_value"] = {"at": when, "n": 1}
    tasks[0].data["only_root"] = [when]
    wf.data.update({"finished_at": when, "plain": {"k": [1, 2]}})
    text = assert_same_as_library(wf)
    assert '"typename":"datetime"' in text
