"""An organisation's time zone takes effect: its statutory deadlines and timers end at 24时 of the last day in its own
zone, its pages show and name times in it, its forms' times are read in it, and its reminders name it; another
organisation keeps the installation's zone (DMFLOW_TIMEZONE, Asia/Shanghai)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from engine import passwords, reminders, tenancy
from engine.identity import SYSTEM, create_user

from helpers.bpmn import deadline_escalation, diagram
from helpers.tenancy import headers as org_headers
from helpers.tenancy import organisation

API = "/api/v1"
PASSWORD = "correct-horse-42"
# 2026-12-04 23:00 in Urumqi (UTC+6) is already 2026-12-05 01:00 in Beijing (UTC+8): the local start day differs.
START = "2026-12-04T17:00:00+00:00"


def _two_organisations(client, services, users) -> tuple[int, int]:
    """An enterprise in Xinjiang working in 乌鲁木齐时间 and one in Shanghai left on the installation's zone."""
    xj, sh = organisation(services, "xj"), organisation(services, "sh")
    r = client.patch(f"{API}/organisations/{xj}", json={"settings": {"time_zone": "Asia/Urumqi"}},
                     headers=users.headers("operator", "admin"))
    assert r.status_code == 200, r.get_json()
    return xj, sh


def _web_login(client, services, org: int, username: str, *roles: str) -> dict[str, str]:
    """Sign `username` (a new user of `org`) in to the pages; their API headers too."""
    with tenancy.acting_for(org):
        _, api_token = create_user(services.uow(), username, list(roles), actor=SYSTEM)
    passwords.set_password(services.uow(), username, PASSWORD, actor=SYSTEM)
    if client.get("/login").status_code == 302:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)
        client.post("/logout", data={"csrf_token": token})
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"username": username, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    return {"Authorization": f"Bearer {api_token}"}


def test_a_deadline_ends_at_24_00_of_its_last_day_in_the_organisations_zone_civil_code_art_201_203(
        client, deploy, users, services, clock):
    clock.set(datetime(2026, 12, 4, 16, tzinfo=UTC))
    xj, sh = _two_organisations(client, services, users)
    assert deploy({"d.bpmn": deadline_escalation("reply_10", "deadline(requested_at, 10)")}).status_code == 201
    # 第201条: the start day is not counted; 第203条: the period ends at 24时 of the last day, local time.
    # Urumqi: start day 12-04, last day Monday 12-14, over at 12-15 00:00 乌鲁木齐时间 = 12-14 18:00 UTC.
    # Shanghai: start day 12-05, last day Tuesday 12-15, over at 12-16 00:00 北京时间 = 12-15 16:00 UTC.
    expected = {xj: ("2026-12-14", "2026-12-14T18:00:00+00:00"), sh: ("2026-12-15", "2026-12-15T16:00:00+00:00")}
    heads_of = {org: org_headers(services, org, f"hr_{org}", "hr") for org in expected}
    for org, (last_day, due) in expected.items():
        heads = heads_of[org]
        found = client.get(f"{API}/calendar/deadline?start={quote(START)}&days=10", headers=heads).get_json()
        assert (found["last_day"], found["due"]) == (last_day, due), org
        started = client.post(f"{API}/instances", json={"process": "reply_10", "data": {"requested_at": START}},
                              headers=heads).get_json()
        assert started["next_timer_at"] == due, org  # the BPMN timer fires at the organisation's midnight
        [task] = started["ready_tasks"]
        row = client.get(f"{API}/tasks/{task['id']}", headers=heads).get_json()
        assert row["due_at"] == due, org
    # From the same local start day, the same last day ends at each zone's own 24时: two hours apart in UTC.
    ends = {org: datetime.fromisoformat(client.get(f"{API}/calendar/deadline?start=2026-12-04&days=10",
                                                   headers=heads_of[org]).get_json()["due"]) for org in expected}
    assert ends[xj] == datetime(2026, 12, 14, 18, tzinfo=UTC) and ends[xj] - ends[sh] == timedelta(hours=2)

    # The reminder a day ahead names the task's organisation's zone.
    clock.set(datetime(2026, 12, 14, 6, tzinfo=UTC))
    assert reminders.scan(services.uow()) == 1  # only Urumqi's task is due within a day
    for org, told in ((xj, ["“书面回应”将于 2026-12-15 00:00（乌鲁木齐时间） 到期。(Due within a day.)"]), (sh, [])):
        items = client.get(f"{API}/notifications", headers=heads_of[org]).get_json()["items"]
        assert [n["body"] for n in items if n["kind"] == "task.due_soon"] == told, org


def test_pages_show_and_name_times_in_the_signed_in_users_organisations_zone(client, deploy, users, services, clock):
    clock.set(datetime(2026, 12, 4, 16, tzinfo=UTC))
    xj, sh = _two_organisations(client, services, users)
    assert deploy({"d.bpmn": deadline_escalation("reply_10", "deadline(requested_at, 10)")}).status_code == 201
    shown = {xj: ("2026-12-15 00:00（乌鲁木齐时间）", "北京时间"), sh: ("2026-12-16 00:00（北京时间）", "乌鲁木齐时间")}
    for org, (due, other) in shown.items():
        heads = _web_login(client, services, org, f"web_{org}", "hr")
        started = client.post(f"{API}/instances", json={"process": "reply_10", "data": {"requested_at": START}},
                              headers=heads).get_json()
        page = client.get(f"/tasks/{started['ready_tasks'][0]['id']}")
        assert page.status_code == 200
        assert due in page.text and other not in page.text, org


def _form_diagram() -> dict[str, bytes]:
    schema = {"type": "object", "required": ["meeting_at"], "properties": {
        "meeting_at": {"type": "string", "format": "date-time", "title": "会议时间"}}}
    bpmn = diagram("meeting_time", """
      <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="when"/>
      <bpmn:userTask id="when" name="确定会议时间"><bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="meeting.schema.json"/>
        </spiffworkflow:properties></bpmn:extensionElements>
        <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
      <bpmn:sequenceFlow id="f2" sourceRef="when" targetRef="wait"/>
      <bpmn:userTask id="wait" name="开会"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="done"/>
      <bpmn:endEvent id="done"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>""")
    return {"meeting.bpmn": bpmn, "meeting.schema.json": json.dumps(schema).encode()}


def test_a_time_entered_on_a_form_is_read_in_the_users_organisations_zone(client, deploy, users, services, clock):
    xj, sh = _two_organisations(client, services, users)
    assert deploy(_form_diagram()).status_code == 201
    # 09:30 entered in Urumqi is 03:30 UTC; the same entry in Shanghai is 01:30 UTC.
    expected = {xj: datetime(2026, 12, 10, 3, 30, tzinfo=UTC), sh: datetime(2026, 12, 10, 1, 30, tzinfo=UTC)}
    for org, instant in expected.items():
        heads = _web_login(client, services, org, f"web_{org}", "hr")
        started = client.post(f"{API}/instances", json={"process": "meeting_time", "data": {}},
                              headers=heads).get_json()
        task_id = started["ready_tasks"][0]["id"]
        page = client.get(f"/tasks/{task_id}").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        done = client.post(f"/tasks/{task_id}", data={"csrf_token": token, "meeting_at": "2026-12-10T09:30"})
        assert done.status_code == 302, done.text
        stored = client.get(f"{API}/instances/{started['id']}", headers=heads).get_json()["data"]["meeting_at"]
        assert datetime.fromisoformat(stored).astimezone(UTC) == instant, (org, stored)


def test_organisations_of_one_zone_share_one_calendar_and_each_zone_has_its_own(client, services, users):
    xj, sh = _two_organisations(client, services, users)
    other = organisation(services, "sh2")
    assert services.calendar_of(sh) is services.calendar_of(other) is services.calendar_of(None)
    assert services.calendar_of(xj).tz.key == "Asia/Urumqi" and services.calendar_of(sh).tz.key == "Asia/Shanghai"
    with tenancy.acting_for(xj):
        assert services.runtime.context["calendar"] is services.calendar_of(xj)
        helpers = services.runtime.script_engine.environment.globals
        assert helpers["local_date"](START) == "2026-12-04"
    with tenancy.acting_for(sh):
        assert helpers["local_date"](START) == "2026-12-05"
