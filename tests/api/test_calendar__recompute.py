"""Deadlines follow the legal calendar: entering or changing a year's notice moves every waiting deadline that was
computed from it, audits each move on the instance's chain, and tells the people whose due date moved."""

from __future__ import annotations

from datetime import UTC, datetime

from api.cli import main
from engine.worker import run_once

from helpers.bpmn import computed_then_waiting, deadline_escalation, diagram
from helpers.tenancy import headers as tenancy_headers
from helpers.tenancy import organisation

API = "/api/v1"
def _warm(client, headers) -> None:
    """Compute one 2027 deadline first: the rule-based holidays of a year are built once per calendar, which on a
    loaded machine could exceed a diagram script's time budget."""
    assert client.get(f"{API}/calendar/deadline?start=2026-12-04&days=30", headers=headers).status_code == 200


def _start(client, headers, pid, requested_at):
    r = client.post(f"{API}/instances", json={"process": pid, "data": {"requested_at": requested_at}},
                    headers=headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _instance(client, headers, iid):
    r = client.get(f"{API}/instances/{iid}", headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _moves(client, headers, iid):
    history = client.get(f"{API}/instances/{iid}/history", headers=headers).get_json()
    return [e for e in history if e["type"] == "deadline.recomputed"]


def test_changing_the_2027_calendar_moves_waiting_deadlines_and_audits_each_move(client, deploy, users, login_as,
                                                                               services, clock):
    admin, auditor = login_as("admin"), login_as("auditor")
    starter, chair = users.headers("starter", "hr"), users.headers("chair_li", "union_chair")
    clock.set(datetime(2026, 12, 4, 2, tzinfo=UTC))
    _warm(client, starter)
    assert deploy({"a.bpmn": computed_then_waiting("reply_30", 30),
                   "b.bpmn": deadline_escalation("reply_direct", "deadline(requested_at, 30)"),
                   "c.bpmn": computed_then_waiting("reply_10", 10)}).status_code == 201
    waiting = _start(client, starter, "reply_30", "2026-12-04")
    direct = _start(client, starter, "reply_direct", "2026-12-04")
    untouched = _start(client, starter, "reply_10", "2026-12-04")
    # 2027 has no official data yet: 30 days end on Sunday 2027-01-03, moved to Monday 2027-01-04 (unconfirmed).
    assert waiting["next_timer_at"] == direct["next_timer_at"] == "2027-01-04T16:00:00+00:00"
    assert untouched["next_timer_at"] == "2026-12-14T16:00:00+00:00"
    [task] = waiting["ready_tasks"]

    # The 2027 notice makes Monday 2027-01-04 a holiday: the waiting deadlines move to 2027-01-05.
    r = client.put(f"{API}/calendar/overrides/2027-01-04", json={"working": False, "note": "元旦调休"}, headers=admin)
    assert r.status_code == 204
    for iid in (waiting["id"], direct["id"]):
        body = _instance(client, auditor, iid)
        assert body["next_timer_at"] == "2027-01-05T16:00:00+00:00"
        [move] = _moves(client, auditor, iid)
        assert move["payload"]["old"] == "2027-01-04T16:00:00+00:00"
        assert move["payload"]["new"] == "2027-01-05T16:00:00+00:00"
        assert move["payload"]["spec"]["days"] == 30 and move["payload"]["spec"]["start"] == "2026-12-04"
        assert move["payload"]["reason"] == {"change": "calendar.day_set", "day": "2027-01-04", "working": False}
        assert move["actor"] == "user_admin"
    assert _instance(client, auditor, waiting["id"])["data"]["due"] == "2027-01-05T16:00:00+00:00"
    # A deadline the change does not affect is not touched.
    assert _instance(client, auditor, untouched["id"])["next_timer_at"] == "2026-12-14T16:00:00+00:00"
    assert _moves(client, auditor, untouched["id"]) == []
    # The task shows its new due time, and its people are told.
    [row] = client.get(f"{API}/tasks?all=true&instance={waiting['id']}", headers=auditor).get_json()["items"]
    assert row["id"] == task["id"] and row["due_at"] == "2027-01-05T16:00:00+00:00"
    notices = [n for n in client.get(f"{API}/notifications", headers=chair).get_json()["items"]
               if n["kind"] == "deadline.moved"]
    assert len(notices) == 1 and "2027年1月5日24时（北京时间）" in notices[0]["body"]
    assert "2027年1月4日24时" in notices[0]["body"] and notices[0]["link"] == f"/tasks/{task['id']}"
    # A new instance started now gets the same date.
    assert _start(client, starter, "reply_30", "2026-12-04")["next_timer_at"] == "2027-01-05T16:00:00+00:00"

    # Entering the same day again moves nothing more; removing it moves the deadlines back, audited again.
    client.put(f"{API}/calendar/overrides/2027-01-04", json={"working": False, "note": "元旦"}, headers=admin)
    assert len(_moves(client, auditor, waiting["id"])) == 1
    assert client.delete(f"{API}/calendar/overrides/2027-01-04", headers=admin).status_code == 204
    assert [m["payload"]["new"] for m in _moves(client, auditor, waiting["id"])] == [
        "2027-01-05T16:00:00+00:00", "2027-01-04T16:00:00+00:00"]
    client.put(f"{API}/calendar/overrides/2027-01-04", json={"working": False}, headers=admin)

    # The timer fires at the moved deadline, not the old one.
    clock.set(datetime(2027, 1, 5, 2, tzinfo=UTC))
    run_once(services.uow)
    assert _instance(client, auditor, waiting["id"])["status"] == "running"
    clock.set(datetime(2027, 1, 5, 17, tzinfo=UTC))
    run_once(services.uow)
    assert _instance(client, auditor, waiting["id"])["status"] == "completed"
    assert client.get(f"{API}/audit/verify", headers=auditor).get_json()["ok"]


def test_confirming_a_year_marks_its_deadlines_confirmed_without_moving_them(client, deploy, users, login_as,
                                                                           clock):
    clock.set(datetime(2026, 12, 4, 2, tzinfo=UTC))
    assert deploy({"d.bpmn": diagram("info_30", """
      <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="compute"/>
      <bpmn:scriptTask id="compute"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
        <bpmn:script>info = deadline_info(requested_at, 30)</bpmn:script></bpmn:scriptTask>
      <bpmn:sequenceFlow id="f2" sourceRef="compute" targetRef="reply"/>
      <bpmn:userTask id="reply"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
      <bpmn:sequenceFlow id="f3" sourceRef="reply" targetRef="done"/>
      <bpmn:endEvent id="done"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>""")}).status_code == 201
    _warm(client, users.headers("starter", "hr"))
    started = _start(client, users.headers("starter", "hr"), "info_30", "2026-12-04")
    auditor = login_as("auditor")
    assert _instance(client, auditor, started["id"])["data"]["info"]["confirmed"] is False
    assert client.put(f"{API}/calendar/years/2027", json={"confirmed": True},
                      headers=login_as("admin")).status_code == 204
    info = _instance(client, auditor, started["id"])["data"]["info"]
    assert info == {"due": "2027-01-04T16:00:00+00:00", "last_day": "2027-01-04", "confirmed": True}
    [move] = _moves(client, auditor, started["id"])
    assert move["payload"]["old"]["confirmed"] is False and move["payload"]["timers"] == 0


def test_the_calendar_cli_enters_a_holiday_and_the_waiting_deadline_follows(client, deploy, users, login_as, runner,
                                                                            clock):
    clock.set(datetime(2026, 12, 4, 2, tzinfo=UTC))
    assert deploy({"a.bpmn": computed_then_waiting("reply_cli", 30)}).status_code == 201
    _warm(client, users.headers("starter", "hr"))
    waiting = _start(client, users.headers("starter", "hr"), "reply_cli", "2026-12-04")
    result = runner.invoke(main, ["calendar", "set", "2027-01-04", "--holiday", "--note", "元旦调休"])
    assert result.exit_code == 0, result.output
    assert "deadlines moved: 1" in result.output
    auditor = login_as("auditor")
    assert _instance(client, auditor, waiting["id"])["next_timer_at"] == "2027-01-05T16:00:00+00:00"
    [move] = _moves(client, auditor, waiting["id"])
    assert move["actor"] == "cli"
    result = runner.invoke(main, ["calendar", "confirm", "1999"])
    assert result.exit_code == 1 and "year out of range" in result.output


def test_a_period_that_has_run_out_is_not_moved_by_a_later_calendar_change(client, deploy, users, login_as, clock):
    clock.set(datetime(2026, 12, 4, 2, tzinfo=UTC))
    _warm(client, users.headers("starter", "hr"))
    assert deploy({"a.bpmn": computed_then_waiting("reply_past", 30)}).status_code == 201
    started = _start(client, users.headers("starter", "hr"), "reply_past", "2026-12-04")
    clock.set(datetime(2027, 1, 6, 2, tzinfo=UTC))  # past 2027-01-04 24:00, the worker not yet run
    assert client.put(f"{API}/calendar/overrides/2027-01-04", json={"working": False},
                      headers=login_as("admin")).status_code == 204
    auditor = login_as("auditor")
    assert _moves(client, auditor, started["id"]) == []
    assert _instance(client, auditor, started["id"])["next_timer_at"] == "2027-01-04T16:00:00+00:00"


def test_the_installations_calendar_moves_every_organisations_deadlines_and_only_its_admins_keep_it(
        client, deploy, users, login_as, services, clock):
    b = organisation(services, "ent_b")
    starter_b, admin_b = (tenancy_headers(services, b, "b_starter", "hr"),
                          tenancy_headers(services, b, "b_admin", "admin", "auditor"))
    chair_b = tenancy_headers(services, b, "b_chair", "union_chair")
    clock.set(datetime(2026, 12, 4, 2, tzinfo=UTC))
    _warm(client, starter_b)
    assert deploy({"a.bpmn": computed_then_waiting("reply_30", 30)}).status_code == 201  # the installation's
    waiting = _start(client, starter_b, "reply_30", "2026-12-04")
    # B's admin keeps B's own days (test_calendar__organisations.py); a year's notice is the installation's.
    refused = client.put(f"{API}/calendar/years/2027", json={"confirmed": True}, headers=admin_b)
    assert refused.status_code == 403 and "installation" in refused.get_json()["message"]
    r = client.put(f"{API}/calendar/overrides/2027-01-04", json={"working": False, "note": "元旦调休"},
                   headers=login_as("admin"))
    assert r.status_code == 204
    assert _instance(client, admin_b, waiting["id"])["next_timer_at"] == "2027-01-05T16:00:00+00:00"
    [move] = _moves(client, admin_b, waiting["id"])
    assert move["payload"]["new"] == "2027-01-05T16:00:00+00:00"
    notices = [n for n in client.get(f"{API}/notifications", headers=chair_b).get_json()["items"]
               if n["kind"] == "deadline.moved"]
    assert len(notices) == 1  # B's own people are told, through B's notifications
