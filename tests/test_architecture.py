"""Layering and the two performance invariants: no request re-parses BPMN, no instance row stores a spec."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import ROOT, bundled_files

FORBIDDEN = {"engine": {"workflows", "api", "flask", "flask_smorest"}, "workflows": {"api", "flask", "flask_smorest"}}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_does_not_import_upwards(layer):
    offenders = {str(p.relative_to(ROOT)): sorted(_imports(p) & FORBIDDEN[layer])
                 for p in (ROOT / layer).rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}
    assert offenders, f"no modules found in {layer}/"


def test_architecture_check_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from flask import Flask\nimport api.cli\n")
    assert _imports(bad) & FORBIDDEN["engine"] == {"flask", "api"}


def test_completing_tasks_never_parses_bpmn(client, deploy, login_as, services, monkeypatch):
    deploy(bundled_files("congress"))
    rep, committee = login_as("representative"), login_as("proposal_committee")
    warm = client.post("/api/v1/instances", json={"process": "proposal_intake"}, headers=rep)
    assert warm.status_code == 201
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser

    def refuse(*args, **kwargs):
        raise AssertionError("BPMN parsed during a request")

    for name in ("add_bpmn_xml", "add_bpmn_str", "add_bpmn_file", "get_spec"):
        monkeypatch.setattr(BpmnParser, name, refuse)
    loads = services.runtime.spec_cache.loads
    body = client.post("/api/v1/instances", json={"process": "proposal_intake"}, headers=rep).get_json()
    body = client.post(f"/api/v1/tasks/{body['ready_tasks'][0]['id']}/complete", headers=rep,
                       json={"data": {"title": "食堂扩建", "reason": "排队", "measures": "加窗口"}}).get_json()
    body = client.post(f"/api/v1/tasks/{body['ready_tasks'][0]['id']}/complete", headers=committee,
                       json={"data": {"decision": "accept"}}).get_json()
    assert body["status"] == "completed"
    assert services.runtime.spec_cache.loads == loads, "the spec was restored again instead of cached"


def test_instance_rows_do_not_store_the_spec(client, deploy, login_as, services):
    deploy(bundled_files("congress"))
    client.post("/api/v1/instances", json={"process": "proposal_intake"}, headers=login_as("representative"))
    from engine.models import Instance, ProcessVersion

    uow = services.uow(readonly=True)
    with uow:
        inst = uow.session.scalar(select(Instance))
        spec_json = uow.session.get(ProcessVersion, inst.process_version_id).spec_json
    state = json.loads(inst.state_json)
    assert "spec" not in state and "subprocess_specs" not in state
    assert "submit_proposal" in spec_json and len(inst.state_json) < len(spec_json)
    assert inst.library_version == "3.2.0" and inst.serializer_version
