"""Notifications through the API: a ready task tells its lane, the bell's list (paged, unread filter, mark
read), reminders of due and overdue tasks with escalation, and users' contact details and channels."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from engine.models import AuditEvent
from engine.worker import run_once

from helpers.bpmn import diagram

API = "/api/v1"


def clerk_task(pid: str, due: str | None = None, escalate: str | None = None) -> bytes:
    """start -> user task 'reply' in lane union_chair (with a deadline and an escalationRole if given) -> end."""
    props = (f'<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="escalationRole" '
             f'value="{escalate}"/></spiffworkflow:properties></bpmn:extensionElements>') if escalate else ""
    boundary = (f'<bpmn:boundaryEvent id="late" attachedToRef="reply" cancelActivity="false">'
                f'<bpmn:outgoing>f3</bpmn:outgoing><bpmn:timerEventDefinition><bpmn:timeDate>"{due}"'
                '</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
                '<bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="noted"/>'
                '<bpmn:endEvent id="noted"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>') if due else ""
    return diagram(pid, f"""
      <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="reply"/>
      <bpmn:userTask id="reply" name="书面回应">{props}<bpmn:incoming>f1</bpmn:incoming>
        <bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
      <bpmn:sequenceFlow id="f2" sourceRef="reply" targetRef="end"/>
      <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>{boundary}""",
                   lanes='<bpmn:lane id="lane_chair" name="union_chair"><bpmn:flowNodeRef>reply</bpmn:flowNodeRef>'
                         '</bpmn:lane>')


def _start(client, headers, pid):
    r = client.post(f"{API}/instances", json={"process": pid}, headers=headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _notices(client, headers, query=""):
    r = client.get(f"{API}/notifications{query}", headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_a_ready_task_notifies_the_holders_of_its_lane_role(client, deploy, users):
    """A pooled task: every holder of its lane's role is told; nobody else."""
    chair, other = users.headers("chair_li", "union_chair"), users.headers("rep_wang", "representative")
    assert deploy({"t.bpmn": clerk_task("reply_case")}).status_code == 201
    task_id = _start(client, users.headers("starter", "hr"), "reply_case")["ready_tasks"][0]["id"]
    body = _notices(client, chair)
    assert body["unread"] == 1 and body["total"] == 1
    [notice] = body["items"]
    assert notice["kind"] == "task.ready" and notice["title"] == "待办任务：书面回应"
    assert notice["link"] == f"/tasks/{task_id}" and notice["read"] is False
    assert _notices(client, other) == {"items": [], "total": 0, "unread": 0, "limit": 50, "offset": 0}


def test_notices_are_paged_filtered_and_marked_read(client, deploy, users):
    chair = users.headers("chair_li", "union_chair")
    assert deploy({"t.bpmn": clerk_task("reply_case")}).status_code == 201
    for _ in range(5):
        _start(client, users.headers("starter", "hr"), "reply_case")  # pooled: the starter may not do it
    page = _notices(client, chair, "?limit=2&offset=1")
    assert page["total"] == 5 and len(page["items"]) == 2
    ids = [n["id"] for n in _notices(client, chair)["items"]]
    assert ids == sorted(ids, reverse=True) and [n["id"] for n in page["items"]] == ids[1:3]
    read = client.post(f"{API}/notifications/{ids[0]}/read", headers=chair)
    assert read.status_code == 200 and read.get_json()["read"] is True
    unread = _notices(client, chair, "?unread=true")
    assert unread["total"] == 4 and unread["unread"] == 4 and ids[0] not in [n["id"] for n in unread["items"]]
    assert client.post(f"{API}/notifications/read-all", headers=chair).get_json() == {"marked": 4}
    assert _notices(client, chair)["unread"] == 0
    assert client.get(f"{API}/notifications?limit=0", headers=chair).status_code == 422


def test_another_users_notice_cannot_be_read_or_marked(client, deploy, users):
    chair, other = users.headers("chair_li", "union_chair"), users.headers("rep_wang", "representative")
    assert deploy({"t.bpmn": clerk_task("reply_case")}).status_code == 201
    _start(client, users.headers("starter", "hr"), "reply_case")
    nid = _notices(client, chair)["items"][0]["id"]
    r = client.post(f"{API}/notifications/{nid}/read", headers=other)
    assert r.status_code == 404 and "does not exist" in r.get_json()["message"]
    assert _notices(client, chair)["unread"] == 1
    assert client.get(f"{API}/notifications").status_code == 401


def _utc(local: str) -> datetime:
    return datetime.fromisoformat(local + "+08:00").astimezone(UTC)


def test_due_and_overdue_reminders_reach_the_lane_and_the_escalation_role(client, deploy, users, services, clock):
    chair, boss = users.headers("chair_li", "union_chair"), users.headers("boss_zhao", "presidium")
    clock.set(_utc("2026-03-02T09:00:00"))
    assert deploy({"t.bpmn": clerk_task("reply_case", due="2026-03-05T18:00:00+08:00",
                                        escalate="presidium")}).status_code == 201
    _start(client, users.headers("starter", "hr"), "reply_case")
    assert run_once(services.uow).tasks_reminded == 0  # due in three days: nothing yet
    clock.set(_utc("2026-03-04T20:00:00"))
    assert run_once(services.uow).tasks_reminded == 1
    assert run_once(services.uow).tasks_reminded == 0  # once
    [soon, _] = _notices(client, chair)["items"]
    assert soon["kind"] == "task.due_soon" and "2026-03-05 18:00（北京时间）" in soon["body"]
    assert _notices(client, boss)["total"] == 0  # the supervisor hears of it only when it is late
    clock.set(_utc("2026-03-06T09:00:00"))
    assert run_once(services.uow).tasks_reminded == 1
    assert run_once(services.uow).tasks_reminded == 0  # once a day
    assert _notices(client, chair)["items"][0]["kind"] == "task.overdue"
    assert [n["kind"] for n in _notices(client, boss)["items"]] == ["task.overdue"]
    clock.set(_utc("2026-03-07T09:00:00"))
    assert run_once(services.uow).tasks_reminded == 1
    assert [n["kind"] for n in _notices(client, boss)["items"]] == ["task.overdue", "task.overdue"]


def test_users_set_their_own_contact_details_and_channels(client, users):
    me = users.headers("rep_wang", "representative")
    r = client.patch(f"{API}/users/rep_wang/profile", headers=me,
                     json={"email": "wang@example.cn", "mobile": "138 0000 0001", "notify_email": False})
    assert r.status_code == 200
    assert r.get_json() == {"username": "rep_wang", "display_name": None, "email": "wang@example.cn",
                            "mobile": "138 0000 0001", "notify_inapp": True, "notify_email": False}
    bad = client.patch(f"{API}/users/rep_wang/profile", headers=me, json={"email": "not-an-address"})
    assert bad.status_code == 422 and "email" in bad.get_json()["errors"]
    other = users.headers("rep_li", "representative")
    assert client.get(f"{API}/users/rep_wang/profile", headers=other).status_code == 403
    assert client.patch(f"{API}/users/rep_wang/profile", headers=other, json={"email": None}).status_code == 403


def test_admins_set_contact_details_and_the_audit_keeps_no_address(client, users, login_as, services):
    users.headers("rep_wang", "representative")
    r = client.patch(f"{API}/users/rep_wang/profile", headers=login_as("admin"),
                     json={"email": "wang@example.cn", "mobile": "+8613800000001"})
    assert r.status_code == 200
    listed = {u["username"]: u for u in client.get(f"{API}/users", headers=login_as("admin")).get_json()}
    assert listed["rep_wang"]["email"] == "wang@example.cn" and listed["rep_wang"]["mobile"] == "+8613800000001"
    uow = services.uow(readonly=True)
    with uow:
        [event] = uow.session.scalars(select(AuditEvent).where(AuditEvent.event_type == "user.profile_changed"))
    assert json.loads(event.payload) == {"username": "rep_wang", "fields": ["email", "mobile"]}
    assert event.actor == "user_admin"


def test_the_starter_is_not_told_of_the_first_task_that_is_theirs_and_a_delegate_is_told(client, deploy, users):
    chair, other = users.headers("chair_li", "union_chair"), users.headers("chair_wu", "union_chair")
    assert deploy({"t.bpmn": clerk_task("reply_case")}).status_code == 201
    task_id = _start(client, chair, "reply_case")["ready_tasks"][0]["id"]
    assert _notices(client, chair)["total"] == 0 and _notices(client, other)["total"] == 0  # it is chair_li's
    assert client.post(f"{API}/tasks/{task_id}/delegate", json={"to": "chair_wu"}, headers=chair).status_code == 200
    [notice] = _notices(client, other)["items"]
    assert notice["kind"] == "task.assigned" and "chair_li" in notice["body"] and notice["link"] == f"/tasks/{task_id}"
