"""The legal calendar as users see it: deadlines, admin-entered notices, and unconfirmed years marked."""

from __future__ import annotations

from datetime import UTC, datetime

from engine.worker import run_once

from helpers.bpmn import deadline_escalation


def _deadline(client, login_as, start, days, mode="calendar"):
    r = client.get(f"/api/v1/calendar/deadline?start={start}&days={days}&mode={mode}", headers=login_as("hr"))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_deadline_endpoint_moves_past_national_day(client, login_as):
    assert _deadline(client, login_as, "2025-09-11", 20) == {
        "due": "2025-10-09T16:00:00+00:00", "last_day": "2025-10-09", "confirmed": True}


def test_deadline_in_a_year_without_official_data_is_marked_unconfirmed(client, login_as):
    body = _deadline(client, login_as, "2026-12-20", 20)
    assert body["last_day"] == "2027-01-11" and body["confirmed"] is False


def test_admin_enters_the_notice_and_deadlines_follow(client, login_as):
    admin = login_as("admin")
    # Suppose the 2027 notice makes Saturday 2027-01-09 a working day: the deadline then ends on it.
    r = client.put("/api/v1/calendar/overrides/2027-01-09", json={"working": True, "note": "调休上班"}, headers=admin)
    assert r.status_code == 204
    body = _deadline(client, login_as, "2026-12-20", 20)
    assert body == {"due": "2027-01-09T16:00:00+00:00", "last_day": "2027-01-09", "confirmed": True}
    table = client.get("/api/v1/calendar/overrides", headers=login_as("auditor")).get_json()
    assert table["overrides"][0]["day"] == "2027-01-09" and table["overrides"][0]["updated_by"] == "user_admin"
    assert client.delete("/api/v1/calendar/overrides/2027-01-09", headers=admin).status_code == 204
    assert _deadline(client, login_as, "2026-12-20", 20)["last_day"] == "2027-01-11"
    assert client.delete("/api/v1/calendar/overrides/2027-01-09", headers=admin).status_code == 404


def test_confirmed_year_makes_plain_days_confirmed(client, login_as):
    assert _deadline(client, login_as, "2027-03-01", 10)["confirmed"] is False
    r = client.put("/api/v1/calendar/years/2027", json={"confirmed": True}, headers=login_as("admin"))
    assert r.status_code == 204
    assert _deadline(client, login_as, "2027-03-01", 10)["confirmed"] is True


def test_calendar_changes_are_admin_only_and_audited(client, login_as):
    r = client.put("/api/v1/calendar/overrides/2027-02-06", json={"working": True}, headers=login_as("hr"))
    assert r.status_code == 403
    assert client.put("/api/v1/calendar/overrides/2027-13-01", json={"working": True},
                      headers=login_as("admin")).status_code == 404
    client.put("/api/v1/calendar/overrides/2027-02-06", json={"working": True}, headers=login_as("admin"))
    verify = client.get("/api/v1/audit/verify", headers=login_as("auditor")).get_json()
    assert verify["ok"]


def test_bad_deadline_query_is_422(client, login_as):
    r = client.get("/api/v1/calendar/deadline?start=yesterday&days=20", headers=login_as("hr"))
    assert r.status_code == 422
    assert client.get("/api/v1/calendar/deadline?start=2026-01-01&days=0", headers=login_as("hr")).status_code == 422


def test_a_diagram_deadline_uses_the_entered_notice(client, deploy, login_as, services, clock):
    # An admin enters 2027-01-11 (the computed last day) as a holiday: the timer moves one more day.
    client.put("/api/v1/calendar/overrides/2027-01-11", json={"working": False}, headers=login_as("admin"))
    clock.set(datetime(2026, 12, 20, 2, tzinfo=UTC))
    deploy({"r.bpmn": deadline_escalation("late_reply", "deadline(requested_at, 20)")})
    body = client.post("/api/v1/instances", json={"process": "late_reply", "data": {"requested_at": "2026-12-20"}},
                       headers=login_as("hr")).get_json()
    assert body["next_timer_at"] == "2027-01-12T16:00:00+00:00"  # last day 2027-01-12, ends at 24:00 local
    clock.set(datetime(2027, 1, 12, 2, tzinfo=UTC))
    assert run_once(services.uow).timers_fired == []
