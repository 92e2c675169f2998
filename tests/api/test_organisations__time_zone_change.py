"""A change of an organisation's time zone moves its waiting statutory deadlines to 24时 of their last day in the new
zone, in the change's transaction and audited: the instance's data, the BPMN timer and the task's due time follow,
the timer fires at the new instant, and the people of the task are told. The organisations below it that inherit
its zone follow it; one with its own zone keeps its deadlines."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from engine import tenancy
from engine.models import AuditEvent
from engine.worker import run_once

from helpers.bpmn import computed_then_waiting, deadline_escalation
from helpers.tenancy import headers, organisation

API = "/api/v1"
RECEIVED = "2026-12-04"
# 集体合同规定 第47条: 15 days from receipt; 民法典 第201条: the day of receipt is not counted, so the last day is
# Saturday 2026-12-19, moved to Monday 2026-12-21 (第203条 ¶1), over at its 24时 (第203条 ¶2).
LAST_DAY = "2026-12-21"
BEIJING_END = "2026-12-21T16:00:00+00:00"  # 2026-12-22 00:00 北京时间
URUMQI_END = "2026-12-21T18:00:00+00:00"  # 2026-12-22 00:00 乌鲁木齐时间


def _deploy(deploy) -> None:
    assert deploy({"a.bpmn": computed_then_waiting("review_15", 15),
                   "b.bpmn": deadline_escalation("review_direct", "deadline(requested_at, 15)")}).status_code == 201


def _start(client, heads, pid: str) -> dict:
    r = client.post(f"{API}/instances", json={"process": pid, "data": {"requested_at": RECEIVED}}, headers=heads)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _instance(client, heads, iid: str) -> dict:
    r = client.get(f"{API}/instances/{iid}", headers=heads)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _moves(client, heads, iid: str) -> list[dict]:
    history = client.get(f"{API}/instances/{iid}/history", headers=heads).get_json()
    return [e for e in history if e["type"] == "deadline.recomputed"]


def _set_zone(client, users, org: int, zone: str | None) -> dict:
    r = client.patch(f"{API}/organisations/{org}", json={"settings": {"time_zone": zone} if zone else {}},
                     headers=users.headers("operator", "admin"))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_a_zone_change_through_the_api_moves_the_15_day_deadline_to_24_00_in_the_new_zone_art47_civil_code_art203(
        client, deploy, users, services, clock):
    clock.set(datetime(2026, 12, 4, 2, tzinfo=UTC))  # 10:00 北京时间, 08:00 乌鲁木齐时间: the same day in both
    xj = organisation(services, "xj")
    starter, auditor = headers(services, xj, "xj_hr", "hr"), headers(services, xj, "xj_auditor", "auditor")
    chair = headers(services, xj, "xj_chair", "union_chair")
    _deploy(deploy)
    computed, direct = _start(client, starter, "review_15"), _start(client, starter, "review_direct")
    assert computed["next_timer_at"] == direct["next_timer_at"] == BEIJING_END  # the installation's zone

    answer = _set_zone(client, users, xj, "Asia/Urumqi")
    assert answer["deadlines_moved"] == 2 and answer["settings"] == {"time_zone": "Asia/Urumqi"}
    for started in (computed, direct):
        assert _instance(client, auditor, started["id"])["next_timer_at"] == URUMQI_END
        [task] = started["ready_tasks"]
        assert client.get(f"{API}/tasks/{task['id']}", headers=auditor).get_json()["due_at"] == URUMQI_END
        [move] = _moves(client, auditor, started["id"])
        assert (move["payload"]["old"], move["payload"]["new"]) == (BEIJING_END, URUMQI_END)
        assert move["payload"]["reason"] == {"change": "organisation.time_zone",
                                             "time_zones": {str(xj): "Asia/Urumqi"}}
        assert move["actor"] == "operator"
    assert _instance(client, auditor, computed["id"])["data"]["due"] == URUMQI_END
    uow = services.uow(readonly=True)
    with uow:  # summed up beside the change, on the installation's system chain, in the same transaction
        [change, summary] = uow.session.scalars(select(AuditEvent).where(AuditEvent.event_type.in_(
            ("organisation.changed", "organisation.deadlines_recomputed"))).order_by(AuditEvent.id))
        assert change.chain == summary.chain == "system" and summary.event_type == "organisation.deadlines_recomputed"
        payload = json.loads(summary.payload)
        assert payload["moved"] == 2 and summary.actor == "operator"
        assert payload["instances"] == sorted((computed["id"], direct["id"]))
    found = client.get(f"{API}/calendar/deadline?start={RECEIVED}&days=15", headers=starter).get_json()
    assert (found["last_day"], found["due"]) == (LAST_DAY, URUMQI_END)  # what a case started now gets
    assert _start(client, starter, "review_15")["next_timer_at"] == URUMQI_END
    notices = [n["body"] for n in client.get(f"{API}/notifications", headers=chair).get_json()["items"]
               if n["kind"] == "deadline.moved"]
    assert notices == ["“书面回应”的办理期限随本单位时区的变更调整：原为2026年12月21日22时00分（乌鲁木齐时间），"
                       "现为2026年12月21日24时（乌鲁木齐时间）。(The task's due time moved with the organisation's new "
                       "time zone.)"]

    # Saving the same zone again changes no zone: nothing moves.
    assert _set_zone(client, users, xj, "Asia/Urumqi")["deadlines_moved"] is None
    assert len(_moves(client, auditor, direct["id"])) == 1

    # The timer fires at 24时 乌鲁木齐时间, not at the old 24时 北京时间.
    clock.set(datetime(2026, 12, 21, 17, tzinfo=UTC))
    run_once(services.uow)
    assert [t["element_id"] for t in _instance(client, auditor, direct["id"])["ready_tasks"]] == ["reply"]
    assert _instance(client, auditor, computed["id"])["status"] == "running"
    clock.set(datetime(2026, 12, 21, 18, 1, tzinfo=UTC))
    run_once(services.uow)
    assert [t["element_id"] for t in _instance(client, auditor, direct["id"])["ready_tasks"]] == ["escalate"]
    assert _instance(client, auditor, computed["id"])["status"] == "completed"
    assert client.get(f"{API}/audit/verify", headers=users.headers("operator", "admin")).get_json()["ok"]


def test_a_federations_zone_moves_its_inheriting_members_deadlines_not_a_member_with_its_own_zone_art47(
        client, deploy, users, services, clock):
    clock.set(datetime(2026, 12, 4, 2, tzinfo=UTC))
    fed = organisation(services, "fed", kind=tenancy.FEDERATION)
    inherits, keeps = organisation(services, "inherits", parent=fed), organisation(services, "keeps", parent=fed)
    assert _set_zone(client, users, keeps, "Asia/Shanghai")["deadlines_moved"] is None  # the zone it already had
    _deploy(deploy)
    started = {org: _start(client, headers(services, org, f"hr_{org}", "hr"), "review_direct")
               for org in (inherits, keeps)}
    auditors = {org: headers(services, org, f"auditor_{org}", "auditor") for org in started}

    answer = _set_zone(client, users, fed, "Asia/Urumqi")
    assert answer["deadlines_moved"] == 1
    moved, kept = _instance(client, auditors[inherits], started[inherits]["id"]), \
        _instance(client, auditors[keeps], started[keeps]["id"])
    assert moved["next_timer_at"] == URUMQI_END and kept["next_timer_at"] == BEIJING_END
    assert _moves(client, auditors[keeps], started[keeps]["id"]) == []
    [move] = _moves(client, auditors[inherits], started[inherits]["id"])
    assert move["payload"]["reason"]["time_zones"] == {str(fed): "Asia/Urumqi", str(inherits): "Asia/Urumqi"}

    # Back to the installation's zone (no setting): the inheriting member's deadline returns to 24时 北京时间.
    assert _set_zone(client, users, fed, None)["deadlines_moved"] == 1
    assert _instance(client, auditors[inherits], started[inherits]["id"])["next_timer_at"] == BEIJING_END
    assert _instance(client, auditors[keeps], started[keeps]["id"])["next_timer_at"] == BEIJING_END
    assert len(_moves(client, auditors[inherits], started[inherits]["id"])) == 2
