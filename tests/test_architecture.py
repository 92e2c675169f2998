"""Layering, procedure boundaries, no import cycles; and the two performance invariants: no request re-parses
BPMN, no instance row stores a spec."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import ROOT, bundled_files
from helpers import imports

PROCEDURES = {p.name for p in (ROOT / "workflows").iterdir()
              if (p / "__init__.py").is_file() and p.name != "migrations"}
# Which areas each area may import besides itself: api -> workflows -> engine; contracts may use the congress
# (the adoption vote), never the reverse; disclosure uses no other procedure.
ALLOWED = {
    "engine": set(),
    "workflows": {"engine"},
    "workflows.congress": {"workflows", "engine"},
    "workflows.contracts": {"workflows", "workflows.congress", "engine"},
    "workflows.disclosure": {"workflows", "engine"},
    "workflows.inspection": {"workflows", "workflows.congress", "engine"},
    "workflows.casework": {"workflows", "engine"},
    # a federation reads its members' congress, contracts and disclosures; contracts reach it only by a hook
    "workflows.federation": {"workflows", "workflows.congress", "workflows.contracts", "workflows.disclosure",
                             "engine"},
    "api": {"workflows", "engine"} | {f"workflows.{p}" for p in PROCEDURES},
}
# The shared modules that put the procedures together (table registry, handler registry, demo data).
ASSEMBLERS = {"workflows.tables", "workflows.catalog", "workflows.demo", "workflows.demo_cases"}
FORBIDDEN_LIBRARIES = {"engine": {"flask", "flask_smorest"}, "workflows": {"flask", "flask_smorest"}}


def _third_party(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.fixture(scope="module")
def edges():
    return imports.graph(ROOT)


def test_every_procedure_is_an_area_with_its_rule():
    assert {"congress", "contracts", "disclosure"} <= PROCEDURES
    assert {f"workflows.{p}" for p in PROCEDURES} <= set(ALLOWED), "a new procedure needs its line in ALLOWED"


def test_no_import_cycle_anywhere_imports_inside_functions_included(edges):
    assert len(edges) > 50, "the graph should cover every module of engine, workflows and api"
    assert imports.cycles(edges) == []


def test_imports_point_one_way_and_procedures_keep_to_themselves(edges):
    assert imports.violations(edges, ALLOWED, PROCEDURES, ASSEMBLERS) == []


@pytest.mark.parametrize("layer", sorted(FORBIDDEN_LIBRARIES))
def test_engine_and_workflows_do_not_import_the_web_framework(layer):
    offenders = {str(p.relative_to(ROOT)): sorted(_third_party(p) & FORBIDDEN_LIBRARIES[layer])
                 for p in (ROOT / layer).rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


class TestTheCheckCanFail:
    """The checks above on a synthetic module graph: a cycle and wrong-way imports are found."""

    def test_a_cycle_through_an_import_inside_a_function_is_found(self):
        inner = imports.imports_of("def f():\n    from . import roster\n", "workflows.congress.ballots", False)
        assert "workflows.congress.roster" in inner
        graph = {"workflows.congress.roster": {"workflows.hooks"}, "workflows.hooks": {"workflows.congress.ballots"},
                 "workflows.congress.ballots": {"workflows.congress.roster"}, "engine.db": set()}
        assert imports.cycles(graph) == [["workflows.congress.ballots", "workflows.congress.roster", "workflows.hooks"]]

    def test_wrong_way_imports_are_found(self):
        graph = {"engine.runtime": {"workflows.rules"},
                 "workflows.congress.meetings": {"workflows.contracts.record", "workflows.rules"},
                 "workflows.disclosure.stages": {"workflows.congress.roster"},
                 "workflows.contracts.handlers": {"workflows.congress.ballots"},
                 "workflows.rules": {"workflows.congress.roster"},
                 "workflows.tables": {"workflows.congress.tables"},
                 "api.cli": {"workflows.congress.roster", "engine.db"}}
        assert imports.violations(graph, ALLOWED, {"congress", "contracts", "disclosure"}, ASSEMBLERS) == [
            "engine.runtime -> workflows.rules",
            "workflows.congress.meetings -> workflows.contracts.record",
            "workflows.disclosure.stages -> workflows.congress.roster",
            "workflows.rules -> workflows.congress.roster"]

    def test_relative_imports_resolve_against_the_package(self):
        assert imports.imports_of("from ..core import blp\n", "api.web.views.home", False) >= {"api.web.core"}
        assert imports.imports_of("from . import views\n", "api.web", True) >= {"api.web.views"}
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
