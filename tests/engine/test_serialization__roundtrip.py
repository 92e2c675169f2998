"""Persisting and reloading an instance changes nothing, at every step of every bundled diagram (the MIWG
diagrams: tests/engine/test_parsing__miwg.py)."""

from __future__ import annotations

import pytest

from engine import deployments, queries, runtime
from engine.identity import Actor
from workflows.catalog import procedure_folders, read_folder

from conftest import ROOT
from helpers.bpmn import SCENARIOS
from helpers.roundtrip import DRIVEN_END_TO_END, assert_round_trip

ADMIN = Actor("admin", frozenset({"admin"}))


_assert_round_trip = assert_round_trip


def _bundled_process_ids():
    ids = []
    for folder in procedure_folders(ROOT / "bpmn"):
        from engine.parsing import parse
        from engine.serialization import SERIALIZER

        ids += [p.process_id for p in parse(read_folder(folder), SERIALIZER).processes]
    return ids


def test_every_bundled_process_has_a_driving_scenario():
    missing = set(_bundled_process_ids()) - set(SCENARIOS) - set(DRIVEN_END_TO_END)
    assert not missing, f"add a scenario to tests/helpers/bpmn.py (or an end-to-end driver) for: {sorted(missing)}"


@pytest.mark.parametrize("process_id", sorted(SCENARIOS))
def test_bundled_diagram_round_trips_at_every_step(services, process_id):
    for folder in procedure_folders(ROOT / "bpmn"):
        deployments.deploy(services.uow(), read_folder(folder), actor=ADMIN)
    iid = runtime.start_instance(services.uow(), process_id, actor=ADMIN)
    _assert_round_trip(services, iid)
    for element_id, role, data in SCENARIOS[process_id]:
        [task] = queries.get_instance(services.uow(readonly=True), iid)["ready_tasks"]
        assert task["element_id"] == element_id
        runtime.complete_task(services.uow(), task["id"], data, actor=Actor(role, frozenset({role})))
        _assert_round_trip(services, iid)
    assert queries.get_instance(services.uow(readonly=True), iid)["status"] == "completed"
