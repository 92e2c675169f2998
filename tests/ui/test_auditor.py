"""Auditors: an instance's path highlighted on the diagram, its timeline in Asia/Shanghai time, the
verify result, and the case export whose SHA-256 matches its content."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from engine import inbox, runtime
from engine.audit import canonical_json
from engine.identity import Actor

REP = Actor("rep", frozenset({"representative"}))
COMMITTEE = Actor("committee", frozenset({"proposal_committee"}))
SUBMIT = {"title": "食堂扩建", "reason": "午餐排队太久", "measures": "增加窗口"}


def complete_ready(services, instance_id: str, actor: Actor, data: dict) -> None:
    task = inbox.list_tasks(services.uow(readonly=True), actor,
                            inbox.TaskFilter(instance_id=instance_id))["items"][0]
    runtime.complete_task(services.uow(), task["id"], data, actor=actor)


@pytest.fixture
def cases(live_server):
    """A case that went the 'reject' way to its end, and one waiting at the committee's screening."""
    services = live_server.services
    done = runtime.start_instance(services.uow(), "proposal_intake", actor=REP, business_key="TA-2026-001")
    complete_ready(services, done, REP, SUBMIT)
    complete_ready(services, done, COMMITTEE, {"decision": "reject", "screening_reason": "属个人问题"})
    waiting = runtime.start_instance(services.uow(), "proposal_intake", actor=REP)
    complete_ready(services, waiting, REP, SUBMIT)
    return {"done": done, "waiting": waiting}


def markers(page, css: str) -> set[str]:
    return set(page.eval_on_selector_all(f"#instance-diagram g.djs-element.{css}",
                                         "els => els.map(e => e.dataset.elementId)"))


def test_auditor_sees_the_path_taken_and_where_a_case_waits(ui, cases):
    page = ui.login("auditor")
    page.goto(ui.url(f"/instances/{cases['done']}"))
    page.wait_for_selector("#instance-diagram[data-state=ready]")
    assert markers(page, "dm-done") >= {"start", "submit_proposal", "screen_proposal", "decision", "rejected",
                                        "flow_submit_to_screen", "flow_rejected"}
    assert not markers(page, "dm-done") & {"accepted", "flow_accepted"}  # the branch not taken
    assert markers(page, "dm-current") == set()
    timeline = page.inner_text("#timeline")
    assert "2026-03-02 09:00:00" in timeline  # 01:00 UTC shown in Asia/Shanghai
    assert "committee" in timeline and "属个人问题" in page.inner_text("#instance-data")
    ui.shot("instance-done-zh", "办理历史", "已办结", "TA-2026-001")

    ui.switch_language("en")
    page.goto(ui.url(f"/instances/{cases['waiting']}"))
    page.wait_for_selector("#instance-diagram[data-state=ready]")
    assert markers(page, "dm-current") == {"screen_proposal"}
    assert {"start", "submit_proposal"} <= markers(page, "dm-done")
    assert "screen_proposal" not in markers(page, "dm-done")
    ui.shot("instance-waiting-en", "History", "Waiting for", "Running")


def test_auditor_verifies_the_trail_and_exports_a_case(ui, cases):
    page = ui.login("auditor", lang="en")
    ui.nav("audit")
    assert "audit trail is intact" in page.inner_text("#verify-ok")
    ui.shot("audit-en", "intact")

    page.goto(ui.url(f"/instances/{cases['done']}"))
    with page.expect_download() as info:
        page.click("#export")
    download = info.value
    assert download.suggested_filename == f"case-{cases['done']}.json"
    body = Path(download.path()).read_bytes()
    exported = json.loads(body)
    assert exported["sha256"] == hashlib.sha256(canonical_json(exported["case"]).encode()).hexdigest()
    case = exported["case"]
    assert case["instance"]["id"] == cases["done"] and case["data"]["decision"] == "reject"
    assert "<bpmn:definitions" in case["bpmn"]["xml"]
    assert [e["type"] for e in case["history"]][0] == "instance.started"
    assert exported["exported_by"] == "auditor"

    response = page.context.request.get(ui.url(f"/instances/{cases['done']}/export"))
    digest = base64.b64encode(hashlib.sha256(response.body()).digest()).decode()
    assert response.headers["repr-digest"] == f"sha-256=:{digest}:"


def test_only_auditors_and_admins_export(ui, cases):
    page = ui.login("rep")
    page.goto(ui.url(f"/instances/{cases['done']}"))
    assert page.locator("#export").count() == 0
    response = page.goto(ui.url(f"/instances/{cases['done']}/export"))
    assert response.status == 403
