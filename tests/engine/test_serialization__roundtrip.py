"""Persisting and reloading an instance changes nothing, at every step of every bundled and MIWG diagram."""

from __future__ import annotations

import pytest

from engine import deployments, queries, runtime
from engine.errors import DmflowError
from engine.identity import Actor
from engine.parsing import SourceFile
from workflows.catalog import procedure_folders, read_folder

from conftest import ROOT, SHARED
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


MIWG = sorted((SHARED / "bpmn-miwg" / "reference").glob("*.bpmn")) if (SHARED / "bpmn-miwg").is_dir() else []


@pytest.mark.skipif(not MIWG, reason="../shared/bpmn-miwg is absent (it sits beside the checkout in CI)")
@pytest.mark.parametrize("path", MIWG, ids=lambda p: p.name)
def test_miwg_instances_round_trip_at_every_step(services, path):
    try:
        result = deployments.deploy(services.uow(), [SourceFile(path.name, path.read_bytes())], actor=ADMIN)
    except DmflowError:
        pytest.skip(f"{path.name} is not deployable (covered by the deployment tests)")
    for version in result.versions:
        try:
            iid = runtime.start_instance(services.uow(), version["process_id"], actor=ADMIN)
        except DmflowError:
            continue
        _assert_round_trip(services, iid)
        for _ in range(10):
            ready = queries.get_instance(services.uow(readonly=True), iid)["ready_tasks"]
            if not ready:
                break
            try:
                runtime.complete_task(services.uow(), ready[0]["id"], {}, actor=ADMIN)
            except DmflowError:
                break
            _assert_round_trip(services, iid)
