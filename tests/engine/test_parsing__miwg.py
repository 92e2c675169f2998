"""Every BPMN-MIWG reference diagram deploys or is refused with a reason naming its file, never a 500; and every
one that deploys runs: each of its processes starts and stands at a step (a ready task, a timer or message it waits
for, or completion) that survives a save and restore, and is moved on step by step, checked again at each.

The reference files sit in ../shared/bpmn-miwg/reference beside the checkout (DMFLOW_SHARED elsewhere); without
them the module is skipped."""

from __future__ import annotations

import re

import pytest

from engine import runtime
from engine.errors import InvalidDiagram
from engine.identity import Actor
from engine.parsing import SourceFile, parse
from engine.serialization import SERIALIZER

from conftest import deploy_files
from helpers.miwg import FILES, MIWG, deploy_to_run
from helpers.roundtrip import drive

if not FILES:
    pytest.skip(f"the BPMN-MIWG reference files are not in {MIWG}", allow_module_level=True)
ADMIN = Actor("admin", frozenset({"admin"}))
# A Python object's repr ("<Element ... at 0x7f...>") says nothing to a designer and changes on every run.
OBJECT_REPR = re.compile(r" at 0x[0-9a-fA-F]+>")
params = pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])


def deploy_miwg(client, headers, path):
    response = deploy_files(client, headers, {path.name: path.read_bytes()})
    assert response.status_code in (201, 422), (path.name, response.status_code, response.get_data()[:500])
    return response


@params
def test_miwg_file_deploys_or_is_refused_with_a_reason(client, login_as, path):
    designer = login_as("designer")
    response = deploy_miwg(client, designer, path)
    body = response.get_json()
    if response.status_code == 201:
        assert body["created"] is True and body["versions"]
        listed = {p["process_id"] for p in client.get("/api/v1/processes", headers=designer).get_json()}
        assert listed == {v["process_id"] for v in body["versions"]}
        return
    assert body["code"] == 422 and body["message"].strip()
    where = body["errors"]["diagram"][0]
    assert where["file"] == path.name
    assert where["reason"].strip()
    assert not OBJECT_REPR.search(where["reason"]), f"{path.name}: {where['reason']}"
    if where["element_id"]:
        assert isinstance(where["line"], int), f"{path.name}: element {where['element_id']} has no line"
    assert client.get("/api/v1/processes", headers=designer).get_json() == []


@params
def test_miwg_deployed_process_starts_or_is_refused_cleanly(client, login_as, path):
    admin = login_as("admin")
    deployed = deploy_miwg(client, admin, path)
    if deployed.status_code != 201:
        pytest.skip(f"{path.name} is refused at deployment: {deployed.get_json()['message']}")
    for version in deployed.get_json()["versions"]:
        started = client.post("/api/v1/instances", headers=admin,
                              json={"process": version["process_id"], "version": version["version"]})
        assert started.status_code == 201 or 400 <= started.status_code < 500, started.get_data()[:500]
        if started.status_code != 201:
            assert started.get_json()["message"].strip()
            continue
        instance_id = started.get_json()["id"]
        read = client.get(f"/api/v1/instances/{instance_id}", headers=admin)
        assert read.status_code == 200
        assert (read.get_json()["id"], read.get_json()["version"]) == (instance_id, version["version"])


@params
def test_miwg_file_parses_or_raises_invalid_diagram_naming_the_file(path):
    try:
        result = parse([SourceFile(path.name, path.read_bytes())], SERIALIZER)
    except InvalidDiagram as exc:
        assert exc.file == path.name
        assert exc.message.strip() and "\n" not in exc.message
        return
    assert result.processes and all(p.bpmn_filename == path.name for p in result.processes)


def test_data_store_refusal_names_the_file_and_the_whole_store_name(client, login_as):
    """B.1.0 names its data store "Data&#10;Store Reference": the reason must not stop at the line break."""
    path = MIWG / "B.1.0.bpmn"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    where = deploy_miwg(client, login_as("designer"), path).get_json()["errors"]["diagram"][0]
    assert where["file"] == "B.1.0.bpmn"
    assert "Data Store Reference" in where["reason"]


@params
def test_miwg_process_reaches_a_step_and_round_trips_at_every_step(services, clock, path):
    for version in deploy_to_run(services, path).versions:
        instance_id = runtime.start_instance(services.uow(), version["process_id"], version=version["version"],
                                             actor=ADMIN)
        drive(services, clock, instance_id, ADMIN)  # checks the start and every step after it
