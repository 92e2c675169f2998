"""Statutory deadlines, reminders, escalations and schedules, with the clock moved instead of slept."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import chinese_calendar
from sqlalchemy import select

from engine.models import AuditEvent
from engine.worker import run_once

from helpers.bpmn import deadline_escalation, intermediate_timer, reminder_cycle, timer_start

CLERK = "union_chair"


def _utc(local: str) -> datetime:
    """A Shanghai wall-clock time as UTC."""
    return datetime.fromisoformat(local + "+08:00").astimezone(UTC)


def _start(client, login_as, process, data=None):
    r = client.post("/api/v1/instances", json={"process": process, "data": data or {}}, headers=login_as(CLERK))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _ready(client, login_as, iid):
    body = client.get(f"/api/v1/instances/{iid}", headers=login_as("auditor")).get_json()
    return sorted(t["element_id"] for t in body["ready_tasks"])


def _history_types(client, login_as, iid):
    return [e["type"] for e in client.get(f"/api/v1/instances/{iid}/history", headers=login_as("auditor")).get_json()]


def _reply_deadline(client, deploy, login_as, clock, requested_at, days_expr):
    clock.set(_utc(requested_at + "T10:00:00"))
    assert deploy({"reply.bpmn": deadline_escalation("negotiation_reply", days_expr)}).status_code == 201
    return _start(client, login_as, "negotiation_reply", {"requested_at": requested_at})


def test_twenty_day_reply_deadline_fires_on_day_21_not_day_20_art32(client, deploy, login_as, services, clock):
    assert chinese_calendar.is_workday(datetime(2026, 3, 24).date())  # day 20 is a plain working day
    body = _reply_deadline(client, deploy, login_as, clock, "2026-03-04",
                           'deadline(requested_at, rule("reply_to_negotiation_request_days"))')
    assert body["next_timer_at"] == "2026-03-24T16:00:00+00:00"  # 2026-03-25 00:00 in Shanghai
    clock.set(_utc("2026-03-24T23:59:00"))
    assert run_once(services.uow).timers_fired == []
    assert _ready(client, login_as, body["id"]) == ["reply"]
    clock.set(_utc("2026-03-25T08:00:00"))
    assert run_once(services.uow).timers_fired == [body["id"]]
    assert _ready(client, login_as, body["id"]) == ["escalate"]
    types = _history_types(client, login_as, body["id"])
    assert "timer.fired" in types and "task.cancelled" in types


def test_deadline_on_a_public_holiday_moves_past_it(client, deploy, login_as, services, clock):
    # 2025-09-11 + 20 days = 2025-10-01, National Day; the holiday runs to 10-08, so the last day is 10-09.
    body = _reply_deadline(client, deploy, login_as, clock, "2025-09-11", "deadline(requested_at, 20)")
    for local in ("2025-10-01T12:00:00", "2025-10-08T12:00:00", "2025-10-09T23:00:00"):
        clock.set(_utc(local))
        run_once(services.uow)
        assert _ready(client, login_as, body["id"]) == ["reply"], local
    clock.set(_utc("2025-10-10T08:00:00"))
    run_once(services.uow)
    assert _ready(client, login_as, body["id"]) == ["escalate"]


def test_working_day_mode_counts_only_working_days(client, deploy, login_as, services, clock):
    # From Friday 2026-03-06, five working days end on Friday 2026-03-13.
    body = _reply_deadline(client, deploy, login_as, clock, "2026-03-06", 'deadline(requested_at, 5, "working")')
    clock.set(_utc("2026-03-11T12:00:00"))  # five calendar days later
    run_once(services.uow)
    assert _ready(client, login_as, body["id"]) == ["reply"]
    clock.set(_utc("2026-03-13T23:00:00"))
    run_once(services.uow)
    assert _ready(client, login_as, body["id"]) == ["reply"]
    clock.set(_utc("2026-03-14T01:00:00"))
    run_once(services.uow)
    assert _ready(client, login_as, body["id"]) == ["escalate"]


def test_reply_in_time_cancels_the_deadline(client, deploy, login_as, services, clock):
    body = _reply_deadline(client, deploy, login_as, clock, "2026-03-04", "deadline(requested_at, 20)")
    [task] = client.get(f"/api/v1/tasks?instance={body['id']}", headers=login_as(CLERK)).get_json()["items"]
    done = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {}}, headers=login_as(CLERK))
    assert done.get_json()["status"] == "completed" and done.get_json()["next_timer_at"] is None
    clock.advance(days=40)
    assert run_once(services.uow).timers_fired == []


def test_non_interrupting_reminder_cycle_fires_its_count_and_keeps_the_task(client, deploy, login_as, services,
                                                                           clock):
    deploy({"filing.bpmn": reminder_cycle("filing", "R2/P1D")})
    iid = _start(client, login_as, "filing")["id"]
    clock.advance(hours=23)
    assert run_once(services.uow).timers_fired == []
    for expected in (1, 2):
        clock.advance(days=1, hours=1)
        run_once(services.uow)
        assert _history_types(client, login_as, iid).count("timer.fired") == expected
    clock.advance(days=5)
    run_once(services.uow)
    assert _history_types(client, login_as, iid).count("timer.fired") == 2
    assert _ready(client, login_as, iid) == ["file"]
    history = client.get(f"/api/v1/instances/{iid}/history", headers=login_as("auditor")).get_json()
    notes = [e for e in history if e["type"] == "task.completed" and e["payload"]["element_id"] == "note"]
    assert len(notes) == 2  # each reminder ran its own path


def test_plain_iso_duration_as_modelers_write_it(client, deploy, login_as, services, clock):
    start = clock.now()
    deploy({"wait.bpmn": intermediate_timer("timed_wait", "PT1H")})
    body = _start(client, login_as, "timed_wait")
    assert datetime.fromisoformat(body["next_timer_at"]) == start + timedelta(hours=1)
    clock.advance(minutes=59)
    run_once(services.uow)
    assert _ready(client, login_as, body["id"]) == []
    clock.advance(minutes=2)
    run_once(services.uow)
    assert _ready(client, login_as, body["id"]) == ["after"]


def test_plain_iso_date_with_offset(client, deploy, login_as, services, clock):
    deploy({"wait.bpmn": intermediate_timer("timed_wait", "2026-03-05T09:00:00+08:00", kind="timeDate")})
    body = _start(client, login_as, "timed_wait")
    assert body["next_timer_at"] == "2026-03-05T01:00:00+00:00"


def test_timer_start_event_creates_one_instance_per_occurrence(client, deploy, login_as, services, clock):
    t0 = clock.now()
    assert deploy({"quarterly.bpmn": timer_start("quarterly", "R3/P1D")}).status_code == 201
    schedules = client.get("/api/v1/schedules", headers=login_as("auditor")).get_json()
    assert [(s["process_id"], s["remaining"]) for s in schedules] == [("quarterly", 3)]
    assert datetime.fromisoformat(schedules[0]["next_due_at"]) == t0 + timedelta(days=1)
    assert run_once(services.uow).instances_started == []
    clock.advance(days=1, minutes=1)
    first = run_once(services.uow).instances_started
    assert len(first) == 1 and _ready(client, login_as, first[0]) == ["publish"]
    clock.advance(days=10)  # a worker that was down catches up on every missed occurrence
    assert len(run_once(services.uow).instances_started) == 2
    clock.advance(days=10)
    assert run_once(services.uow).instances_started == []
    page = client.get("/api/v1/instances?process=quarterly", headers=login_as("auditor")).get_json()
    assert page["total"] == 3
    history = client.get(f"/api/v1/instances/{first[0]}/history", headers=login_as("auditor")).get_json()
    assert history[0]["payload"]["trigger"]["type"] == "timer"


def test_a_cycle_that_started_before_its_deployment_fires_from_the_next_occurrence_only(client, deploy, login_as,
                                                                                        services, clock):
    clock.set(_utc("2026-12-05T10:00:00"))
    assert deploy({"monthly.bpmn": timer_start("monthly", "R/2026-04-01T01:00:00+08:00/P1M")}).status_code == 201
    [schedule] = client.get("/api/v1/schedules", headers=login_as("auditor")).get_json()
    assert datetime.fromisoformat(schedule["next_due_at"]) == _utc("2027-01-01T01:00:00")
    assert run_once(services.uow).instances_started == []  # not April to December at once
    clock.set(_utc("2027-01-01T01:00:01"))
    assert len(run_once(services.uow).instances_started) == 1
    with services.uow(readonly=True) as uow:  # the system chain records what was skipped
        [payload] = uow.session.scalars(select(AuditEvent.payload)
                                        .where(AuditEvent.event_type == "schedule.registered"))
    registered = json.loads(payload)
    assert registered["skipped_before_deployment"] == 9  # 1 April … 1 December
    assert datetime.fromisoformat(registered["first_due"]) == _utc("2027-01-01T01:00:00")


def test_a_counted_cycle_wholly_in_the_past_never_fires_and_a_long_one_is_skipped_at_once(client, deploy, login_as,
                                                                                          services, clock):
    clock.set(_utc("2026-12-05T10:00:00"))
    deploy({"old.bpmn": timer_start("old", "R3/2026-01-01T00:00:00+08:00/P1M")})
    deploy({"fast.bpmn": timer_start("fast", "R/1900-01-01T00:00:00Z/PT1S")})
    schedules = {s["process_id"]: s for s in client.get("/api/v1/schedules", headers=login_as("auditor")).get_json()}
    assert schedules["old"]["active"] is False and schedules["old"]["remaining"] == 0
    assert datetime.fromisoformat(schedules["fast"]["next_due_at"]) == clock.now()
    assert run_once(services.uow, limit=5).instances_started != []


def test_redeploying_a_schedule_replaces_the_old_one(client, deploy, login_as, clock):
    deploy({"quarterly.bpmn": timer_start("quarterly", "R/P1D")})
    deploy({"quarterly.bpmn": timer_start("quarterly", "R/P2D")})
    schedules = client.get("/api/v1/schedules", headers=login_as("auditor")).get_json()
    active = [s for s in schedules if s["active"]]
    assert len(active) == 1 and active[0]["expression"] == "R/P2D" and active[0]["remaining"] is None


def test_a_task_with_a_deadline_shows_its_due_time_in_the_inbox(client, deploy, login_as, clock):
    body = _reply_deadline(client, deploy, login_as, clock, "2026-03-04", "deadline(requested_at, 20)")
    [task] = client.get(f"/api/v1/tasks?instance={body['id']}", headers=login_as(CLERK)).get_json()["items"]
    assert task["due_at"] == "2026-03-24T16:00:00+00:00"


def test_a_task_with_only_a_reminder_is_due_at_its_next_reminder(client, deploy, login_as, services, clock):
    start = clock.now()
    deploy({"filing.bpmn": reminder_cycle("filing", "R2/P1D")})
    iid = _start(client, login_as, "filing")["id"]
    [task] = client.get(f"/api/v1/tasks?instance={iid}", headers=login_as(CLERK)).get_json()["items"]
    assert datetime.fromisoformat(task["due_at"]) == start + timedelta(days=1)
    clock.advance(days=1, minutes=1)
    run_once(services.uow)
    [task] = client.get(f"/api/v1/tasks?instance={iid}", headers=login_as(CLERK)).get_json()["items"]
    assert datetime.fromisoformat(task["due_at"]) == start + timedelta(days=2)
