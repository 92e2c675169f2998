"""Who acts: assignees and candidates from the diagram, claiming, delegating, reassigning, reading, the inbox."""

from __future__ import annotations

import json

from sqlalchemy import select

from engine import departments
from engine.identity import SYSTEM
from engine.models import AuditEvent

from conftest import bundled_files
from helpers.congress import make_congress
from helpers.roundtrip import complete, ready

GOOD = {"title": "食堂扩建", "reason": "午餐排队超过30分钟", "measures": "增加4个窗口"}
ASSIGNED_DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://dmflow">
  <bpmn:process id="assigned" name="指派测试" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="first" name="填写"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="review" name="复核">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="assignee" value="{assignee}" />
        <spiffworkflow:property name="candidateUsers" value="{users}" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first" />
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="review" />
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def _events(services, instance_id: str, kind: str) -> list[dict]:
    uow = services.uow(readonly=True)
    with uow:
        rows = uow.session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id,
                                                            AuditEvent.event_type == kind).order_by(AuditEvent.seq))
        return [json.loads(e.payload) | {"actor": e.actor} for e in rows]


def _congress(client, deploy, users, services):
    make_congress(services, linked={1: "rep_wang", 2: "rep_li", 3: "rep_zhao"})
    assert deploy(bundled_files("congress")).status_code == 201
    heads = {name: users.headers(name, "representative") for name in ("rep_wang", "rep_li", "rep_zhao")}
    heads |= {name: users.headers(name, "proposal_committee") for name in ("cm_a", "cm_b")}
    heads |= {name: users.headers(name, "handling_department") for name in ("dept_log", "dept_fin")}
    heads["admin"], heads["auditor"] = users.headers("admin", "admin"), users.headers("aud", "auditor")
    departments.save_department(services.uow(), "logistics", name="后勤保障部", members=["dept_log"], heads=[],
                                actor=SYSTEM)
    departments.save_department(services.uow(), "finance", name="财务部", members=["dept_fin"], heads=[],
                                actor=SYSTEM)
    return heads


def _draft(client, heads, who="rep_wang"):
    body = client.post("/api/v1/instances", json={"process": "proposal"}, headers=heads[who]).get_json()
    return body["id"], body["ready_tasks"][0]["id"]


def test_another_representative_cannot_complete_claim_or_read_my_draft_proposal(client, deploy, users, services):
    heads = _congress(client, deploy, users, services)
    iid, task_id = _draft(client, heads)
    task = client.get(f"/api/v1/tasks/{task_id}", headers=heads["rep_wang"]).get_json()
    assert task["assignee"] == "rep_wang" and task["may_complete"] and not task["may_claim"]
    refused = client.post(f"/api/v1/tasks/{task_id}/complete", headers=heads["rep_li"],
                          json={"data": GOOD | {"title": "别人的标题", "cosigners": ["E0002", "E0003"]}})
    assert refused.status_code == 403 and "rep_wang" in refused.get_json()["message"]
    assert refused.get_json()["errors"]["assignee"] == ["rep_wang"]
    assert client.post(f"/api/v1/tasks/{task_id}/claim", headers=heads["rep_li"]).status_code == 409
    assert client.get(f"/api/v1/tasks/{task_id}", headers=heads["rep_li"]).status_code == 403
    assert client.get(f"/api/v1/instances/{iid}", headers=heads["rep_li"]).status_code == 403
    assert client.get("/api/v1/tasks", headers=heads["rep_li"]).get_json()["items"] == []
    assert [t["id"] for t in client.get("/api/v1/tasks", headers=heads["rep_wang"]).get_json()["items"]] == [task_id]
    done = client.post(f"/api/v1/tasks/{task_id}/complete", headers=heads["rep_wang"],
                       json={"data": GOOD | {"cosigners": ["E0002", "E0003"]}})
    assert done.status_code == 200
    [assigned] = _events(services, iid, "task.assigned")
    assert assigned["to"] == "rep_wang" and assigned["via"] == "diagram"  # assignee = initiator
    [completed] = [e for e in _events(services, iid, "task.completed") if e["actor"]]
    assert completed["actor"] == "rep_wang" and completed["data"]["title"] == "食堂扩建"


def _to_screening(client, heads, services):
    iid, task_id = _draft(client, heads)
    complete(client, heads["rep_wang"], task_id, GOOD | {"cosigners": ["E0002", "E0003"]})
    pid = client.get("/api/v1/congress/proposals", headers=heads["auditor"]).get_json()[0]["id"]
    for rep in ("rep_li", "rep_zhao"):
        client.post(f"/api/v1/congress/proposals/{pid}/cosign", json={"confirm": True}, headers=heads[rep])
    _, tasks = ready(client, heads["auditor"], iid)
    return iid, tasks["screen"]


def test_a_pooled_task_is_claimed_by_completing_it_and_the_trail_says_who(client, deploy, users, services):
    heads = _congress(client, deploy, users, services)
    iid, screen = _to_screening(client, heads, services)
    for member in ("cm_a", "cm_b"):
        [row] = client.get("/api/v1/tasks?scope=groups", headers=heads[member]).get_json()["items"]
        assert row["id"] == screen and row["assignee"] is None and row["candidate_groups"] == ["proposal_committee"]
    complete(client, heads["cm_b"], screen, {"decision": "accept", "screening_reason": "属职权范围"})
    [claimed] = _events(services, iid, "task.claimed")
    assert claimed == {"task_id": screen, "element_id": "screen", "from": None, "to": "cm_b",
                       "on_completion": True, "actor": "cm_b"}


def test_claim_unclaim_delegate_and_reassign_are_audited_with_actor_from_and_to(client, deploy, users, services):
    heads = _congress(client, deploy, users, services)
    iid, screen = _to_screening(client, heads, services)
    assert client.post(f"/api/v1/tasks/{screen}/claim", headers=heads["cm_a"]).get_json()["assignee"] == "cm_a"
    assert client.get("/api/v1/tasks", headers=heads["cm_b"]).get_json()["items"] == []  # gone from the pool
    taken = client.post(f"/api/v1/tasks/{screen}/claim", headers=heads["cm_b"])
    assert taken.status_code == 409 and "cm_a" in taken.get_json()["message"]
    assert client.post(f"/api/v1/tasks/{screen}/unclaim", headers=heads["cm_b"]).status_code == 403
    assert client.post(f"/api/v1/tasks/{screen}/unclaim", headers=heads["cm_a"]).get_json()["assignee"] is None
    client.post(f"/api/v1/tasks/{screen}/claim", headers=heads["cm_a"])
    wrong = client.post(f"/api/v1/tasks/{screen}/delegate", json={"to": "rep_li"}, headers=heads["cm_a"])
    assert wrong.status_code == 422 and "to" in wrong.get_json()["errors"]  # rep_li may not screen proposals
    moved = client.post(f"/api/v1/tasks/{screen}/delegate", json={"to": "cm_b"}, headers=heads["cm_a"]).get_json()
    assert moved["assignee"] == "cm_b" and moved["owner"] == "cm_a"
    assert client.post(f"/api/v1/tasks/{screen}/reassign", json={"to": "cm_a"},
                       headers=heads["cm_b"]).status_code == 403
    client.post(f"/api/v1/tasks/{screen}/reassign", json={"to": "cm_a", "reason": "休假"}, headers=heads["admin"])
    trail = [(e, p["from"], p["to"], p["actor"]) for e in ("task.claimed", "task.unclaimed", "task.delegated",
                                                          "task.reassigned") for p in _events(services, iid, e)]
    assert trail == [("task.claimed", None, "cm_a", "cm_a"), ("task.claimed", None, "cm_a", "cm_a"),
                     ("task.unclaimed", "cm_a", None, "cm_a"), ("task.delegated", "cm_a", "cm_b", "cm_a"),
                     ("task.reassigned", "cm_b", "cm_a", "admin")]
    assert client.post(f"/api/v1/tasks/{screen}/complete", headers=heads["cm_b"],
                       json={"data": {"decision": "accept"}}).status_code == 403


def test_the_handling_departments_people_get_the_task_others_holding_the_role_do_not(client, deploy, users,
                                                                                      services):
    heads = _congress(client, deploy, users, services)
    iid, screen = _to_screening(client, heads, services)
    complete(client, heads["cm_a"], screen, {"decision": "accept", "screening_reason": "属职权范围"})
    _, tasks = ready(client, heads["auditor"], iid)
    unknown = client.post(f"/api/v1/tasks/{tasks['assign']}/complete", headers=heads["cm_a"],
                          json={"data": {"handling_department": "不存在的部门", "due_days": 30}})
    assert unknown.status_code == 422 and "handling_department" in unknown.get_json()["errors"]
    complete(client, heads["cm_a"], tasks["assign"], {"handling_department": "后勤保障部", "due_days": 30})
    _, tasks = ready(client, heads["auditor"], iid)
    [row] = client.get("/api/v1/tasks", headers=heads["dept_log"]).get_json()["items"]
    assert row["id"] == tasks["handle"] and row["candidate_groups"] == ["dept:logistics"]
    assert client.get("/api/v1/tasks", headers=heads["dept_fin"]).get_json()["items"] == []
    assert client.post(f"/api/v1/tasks/{tasks['handle']}/complete", headers=heads["dept_fin"],
                       json={"data": {"reply": "x"}}).status_code == 403
    complete(client, heads["dept_log"], tasks["handle"], {"reply": "拟增加2个窗口", "measures_taken": "已立项",
                                                          "signed_by": "李主任", "contacted_proposer": True})
    _, tasks = ready(client, heads["auditor"], iid)
    rate = client.get(f"/api/v1/tasks/{tasks['rate']}", headers=heads["rep_wang"]).get_json()
    assert rate["assignee"] == "rep_wang"  # the rating belongs to the proposer, not to every representative
    assert client.post(f"/api/v1/tasks/{tasks['rate']}/complete", headers=heads["rep_li"],
                       json={"data": {"satisfaction": "satisfied"}}).status_code == 403


def test_an_assignee_expression_that_fails_leaves_the_task_to_nobody_until_an_admin_assigns_it(
        client, deploy, users, services):
    diagram = ASSIGNED_DIAGRAM.replace("{assignee}", "reviewer_of[0]").replace("{users}", "")
    assert deploy({"assigned.bpmn": diagram.encode()}).status_code == 201
    clerk, admin = users.headers("clerk", "clerk"), users.headers("admin", "admin")
    body = client.post("/api/v1/instances", json={"process": "assigned"}, headers=clerk).get_json()
    body = complete(client, clerk, body["ready_tasks"][0]["id"], {})
    review = body["ready_tasks"][0]["id"]
    assert client.get("/api/v1/tasks", headers=clerk).get_json()["items"] == []
    [failed] = _events(services, body["id"], "task.assignment_failed")
    assert failed["element_id"] == "review" and "reviewer_of" in failed["message"]
    assert client.post(f"/api/v1/tasks/{review}/reassign", json={"to": None}, headers=admin).status_code == 422
    client.post(f"/api/v1/tasks/{review}/reassign", json={"to": "clerk"}, headers=admin)
    assert complete(client, clerk, review, {})["status"] == "completed"


def test_candidate_users_from_the_data_and_a_refused_expression_at_deploy(client, deploy, users, services):
    bad = ASSIGNED_DIAGRAM.replace("{assignee}", "__import__('os')").replace("{users}", "")
    refused = deploy({"assigned.bpmn": bad.encode()})
    assert refused.status_code == 422 and refused.get_json()["errors"]["diagram"][0]["element_id"] == "review"
    assert "assignee" in refused.get_json()["errors"]["diagram"][0]["reason"]
    good = ASSIGNED_DIAGRAM.replace("{assignee}", "").replace("{users}", "reviewers")
    assert deploy({"assigned.bpmn": good.encode()}).status_code == 201
    clerk, ann, bob = (users.headers(n, "clerk") for n in ("clerk", "ann", "bob"))
    body = client.post("/api/v1/instances", json={"process": "assigned"}, headers=clerk).get_json()
    body = complete(client, clerk, body["ready_tasks"][0]["id"], {"reviewers": ["ann"]})
    assert [t["element_id"] for t in client.get("/api/v1/tasks", headers=ann).get_json()["items"]] == ["review"]
    assert client.get("/api/v1/tasks", headers=bob).get_json()["items"] == []
    assert client.get("/api/v1/tasks", headers=clerk).get_json()["items"] == []


def test_the_inbox_pages_and_filters_by_process_due_time_and_text(client, deploy, users, services, clock):
    diagram = ASSIGNED_DIAGRAM.replace("{assignee}", "").replace("{users}", "")
    assert deploy({"assigned.bpmn": diagram.encode()}).status_code == 201
    clerk, other = users.headers("clerk", "clerk"), users.headers("other", "clerk")
    for n in range(7):
        client.post("/api/v1/instances", headers=clerk,
                    json={"process": "assigned", "business_key": f"GD-{n:03d}", "data": {"title": f"工单{n}"}})
    pages = [client.get(f"/api/v1/tasks?per_page=3&page={n}", headers=clerk).get_json() for n in (1, 2, 3)]
    assert [p["total"] for p in pages] == [7, 7, 7] and [len(p["items"]) for p in pages] == [3, 3, 1]
    keys = [row["business_key"] for p in pages for row in p["items"]]
    assert sorted(keys) == [f"GD-{n:03d}" for n in range(7)]  # every task once, none twice
    assert {row["assignee_name"] for p in pages for row in p["items"]} == {"clerk"}
    assert client.get("/api/v1/tasks?q=GD-003", headers=clerk).get_json()["total"] == 1
    assert client.get("/api/v1/tasks?q=工单5", headers=clerk).get_json()["items"][0]["case_title"] == "工单5"
    assert client.get("/api/v1/tasks?process=other", headers=clerk).get_json()["total"] == 0
    assert client.get("/api/v1/tasks?due=overdue", headers=clerk).get_json()["total"] == 0  # no deadlines here
    assert client.get("/api/v1/tasks?scope=groups", headers=clerk).get_json()["total"] == 0  # all are mine
    assert client.get("/api/v1/tasks", headers=other).get_json()["total"] == 0  # the starter's first tasks
    assert client.get("/api/v1/tasks?scope=all", headers=clerk).status_code == 403
    assert client.get("/api/v1/tasks?scope=sideways", headers=clerk).status_code == 422


def test_cosigners_are_invited_with_the_full_text_and_read_it_on_the_proposal_page(client, deploy, users, services):
    heads = _congress(client, deploy, users, services)
    _, task_id = _draft(client, heads)
    complete(client, heads["rep_wang"], task_id, GOOD | {"cosigners": ["E0002", "E0003"]})
    for rep in ("rep_li", "rep_zhao"):
        [notice] = client.get("/api/v1/notifications", headers=heads[rep]).get_json()["items"]
        assert notice["kind"] == "proposal.cosign" and notice["title"] == "请为提案附议：食堂扩建"
        assert "午餐排队超过30分钟" in notice["body"] and "增加4个窗口" in notice["body"]
        proposal = client.get(notice["link"].replace("/congress/", "/api/v1/congress/"), headers=heads[rep])
        assert proposal.get_json()["reason"] == "午餐排队超过30分钟"
        assert proposal.get_json()["measures"] == "增加4个窗口"
    assert client.get("/api/v1/notifications", headers=heads["rep_wang"]).get_json()["total"] == 0
