"""Each organisation's admin keeps its own calendar days (a local holiday, a local working day) over its federations'
and the installation's, nearest first; a change moves the waiting deadlines of that organisation's cases, and of
the organisations below it, and of no other."""

from __future__ import annotations

from datetime import UTC, datetime

from api.cli import main
from engine import tenancy

from helpers.bpmn import deadline_escalation
from helpers.tenancy import headers as org_headers
from helpers.tenancy import organisation

API = "/api/v1"


def _timer(client, heads, iid) -> str:
    return client.get(f"{API}/instances/{iid}", headers=heads).get_json()["next_timer_at"]


def test_an_organisations_holidays_apply_over_its_federations_and_the_installations_civil_code_art_203(
        client, deploy, users, services, clock, runner):
    clock.set(datetime(2026, 12, 4, 2, tzinfo=UTC))
    operator = users.headers("operator", "admin")
    fed = organisation(services, "district", kind=tenancy.FEDERATION)
    member, lone = organisation(services, "member", parent=fed), organisation(services, "lone")
    admins = {org: org_headers(services, org, f"admin_{org}", "admin") for org in (fed, member, lone)}
    hr = {org: org_headers(services, org, f"hr_{org}", "hr") for org in (fed, member, lone)}
    assert deploy({"d.bpmn": deadline_escalation("reply_10", "deadline(requested_at, 10)")}).status_code == 201
    cases = {org: client.post(f"{API}/instances", json={"process": "reply_10", "data": {"requested_at": "2026-12-04"}},
                              headers=hr[org]).get_json()["id"] for org in hr}
    # 10 days from Friday 2026-12-04: Monday 12-14, over at 12-15 00:00 北京时间.
    assert {_timer(client, hr[o], cases[o]) for o in cases} == {"2026-12-14T16:00:00+00:00"}

    # The member enterprise declares Monday 12-14 a local holiday: 第203条 moves its last day to Tuesday 12-15.
    r = client.put(f"{API}/calendar/overrides/2026-12-14", json={"working": False, "note": "地方节日"},
                   headers=admins[member])
    assert r.status_code == 204, r.get_json()
    assert _timer(client, hr[member], cases[member]) == "2026-12-15T16:00:00+00:00"
    assert _timer(client, hr[fed], cases[fed]) == _timer(client, hr[lone], cases[lone]) == "2026-12-14T16:00:00+00:00"
    for org, last in ((member, "2026-12-15"), (fed, "2026-12-14"), (lone, "2026-12-14")):
        found = client.get(f"{API}/calendar/deadline?start=2026-12-04&days=10", headers=hr[org]).get_json()
        assert found["last_day"] == last, org

    # The federation declares Tuesday 12-15 a holiday for itself and its members: both move, the lone one does not.
    assert client.put(f"{API}/calendar/overrides/2026-12-15", json={"working": False, "note": "区域节日"},
                      headers=admins[fed]).status_code == 204
    assert _timer(client, hr[member], cases[member]) == "2026-12-16T16:00:00+00:00"  # 12-14 and 12-15 off
    # The federation's own case ends on Monday 12-14, a working day for it: it does not move, nor does the lone one.
    assert _timer(client, hr[fed], cases[fed]) == _timer(client, hr[lone], cases[lone]) == "2026-12-14T16:00:00+00:00"

    # Nearest first: the installation turning 12-14 into a working day changes nothing for the member (its own
    # holiday wins), and nothing for the others (12-14 was a working day already).
    assert client.put(f"{API}/calendar/overrides/2026-12-14", json={"working": True, "note": "调休上班"},
                      headers=operator).status_code == 204
    assert _timer(client, hr[member], cases[member]) == "2026-12-16T16:00:00+00:00"

    # Each admin sees its own days and those it inherits, marked; nobody sees a sibling's.
    table = client.get(f"{API}/calendar/overrides", headers=admins[member]).get_json()["overrides"]
    assert [(d["day"], d["working"], d["own"], d["organisation"]) for d in table] == [
        ("2026-12-14", False, True, "member 有限公司"), ("2026-12-15", False, False, "district 有限公司")]
    table = client.get(f"{API}/calendar/overrides", headers=admins[lone]).get_json()["overrides"]
    assert [(d["day"], d["working"], d["own"]) for d in table] == [("2026-12-14", True, False)]

    # A day someone else entered is not the member's to remove; a year's notice is the installation's to confirm.
    assert client.delete(f"{API}/calendar/overrides/2026-12-15", headers=admins[member]).status_code == 404
    assert client.put(f"{API}/calendar/years/2027", json={"confirmed": True},
                      headers=admins[member]).status_code == 403
    assert client.put(f"{API}/calendar/overrides/2026-12-20", json={"working": True},
                      headers=hr[member]).status_code == 403

    # Removing its own day puts its case back on the federation's and the installation's days: Monday 12-14.
    assert client.delete(f"{API}/calendar/overrides/2026-12-14", headers=admins[member]).status_code == 204
    assert _timer(client, hr[member], cases[member]) == "2026-12-14T16:00:00+00:00"
    moves = [e for e in client.get(f"{API}/instances/{cases[member]}/history", headers=hr[member]).get_json()
             if e["type"] == "deadline.recomputed"]
    assert [m["payload"]["new"] for m in moves] == [
        "2026-12-15T16:00:00+00:00", "2026-12-16T16:00:00+00:00", "2026-12-14T16:00:00+00:00"]
    verified = runner.invoke(main, ["audit", "verify"])  # every chain of every organisation
    assert verified.exit_code == 0, verified.output
