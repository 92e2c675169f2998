"""The rehearsal clock (演练): an admin moves the installation's time forward and the workers fire what fell due."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from api import create_app
from api.cli import main
from engine.models import AuditEvent
from engine.worker import run_once

from .test_contracts import Http, local, members
from conftest import bundled_files
from helpers.bpmn import intermediate_timer

CLOCK = "/api/v1/admin/clock"


@pytest.fixture
def app(db_url, clock):
    app = create_app({"DATABASE_URL": db_url, "TESTING": True, "CLOCK": clock, "REHEARSAL": True})
    yield app
    app.extensions["dmflow"].db.dispose()


def _events(services, event_type):
    unit = services.uow(readonly=True)
    with unit:
        rows = unit.session.scalars(select(AuditEvent).where(AuditEvent.event_type == event_type)
                                    .order_by(AuditEvent.id)).all()
        return [(json.loads(e.payload), e.instance_id) for e in rows]


def test_advancing_past_a_timer_lets_the_worker_fire_it(client, services, deploy, login_as, clock):
    deploy({"wait.bpmn": intermediate_timer("wait15", "P15D")})
    iid = client.post("/api/v1/instances", json={"process": "wait15"}, headers=login_as("hr")).get_json()["id"]
    assert run_once(services.uow).timers_fired == []
    moved = client.post(CLOCK, json={"advance": "P16D"}, headers=login_as("admin"))
    assert moved.status_code == 200, moved.get_json()
    body = moved.get_json()
    assert body["rehearsal"] is True and body["offset_seconds"] == 16 * 86400
    assert body["now"].startswith("2026-03-18")  # the fixed clock stands at 2026-03-02
    assert run_once(services.uow).timers_fired == [iid]
    after = client.get(f"/api/v1/instances/{iid}", headers=login_as("auditor")).get_json()
    assert [t["element_id"] for t in after["ready_tasks"]] == ["after"]
    [(event, _)] = _events(services, "clock.advanced")
    assert event["by_seconds"] == 16 * 86400


def test_timers_due_in_the_skipped_time_fire_oldest_first(client, services, deploy, login_as):
    deploy({"a.bpmn": intermediate_timer("late", "P10D"), "b.bpmn": intermediate_timer("early", "P3D")})
    late = client.post("/api/v1/instances", json={"process": "late"}, headers=login_as("hr")).get_json()["id"]
    early = client.post("/api/v1/instances", json={"process": "early"}, headers=login_as("hr")).get_json()["id"]
    client.post(CLOCK, json={"advance": "P2W"}, headers=login_as("admin"))
    assert run_once(services.uow).timers_fired == [early, late]


def test_every_process_reads_the_same_offset_from_the_database(client, db_url, clock, login_as):
    client.post(CLOCK, json={"advance": "PT36H"}, headers=login_as("admin"))
    other = create_app({"DATABASE_URL": db_url, "TESTING": True, "CLOCK": clock, "REHEARSAL": True})
    try:
        seen = other.test_client().get(CLOCK, headers=login_as("auditor")).get_json()
        assert seen["offset_seconds"] == 36 * 3600 and seen["now"].startswith("2026-03-03T13:00")
    finally:
        other.extensions["dmflow"].db.dispose()


def test_every_page_shows_the_rehearsal_banner(client, login_as):
    client.post(CLOCK, json={"advance": "P16D"}, headers=login_as("admin"))
    page = client.get("/login").get_data(as_text=True)
    assert "演练模式：系统时钟已拨快 16 天，" in page and "2026-03-18 09:00" in page


def test_only_admins_move_the_clock_and_only_forward(client, login_as):
    assert client.post(CLOCK, json={"advance": "P1D"}, headers=login_as("auditor")).status_code == 403
    for bad in ("-P1D", "P1M", "PT", "P0D", "P99999D", "soon"):
        assert client.post(CLOCK, json={"advance": bad}, headers=login_as("admin")).status_code == 422, bad


def test_outside_rehearsal_the_clock_cannot_be_moved(db_url, clock, services, users):
    plain = create_app({"DATABASE_URL": db_url, "TESTING": True, "CLOCK": clock})
    try:
        admin = {"Authorization": f"Bearer {users.token('admin2', 'admin')}"}
        refused = plain.test_client().post(CLOCK, json={"advance": "P16D"}, headers=admin)
        assert refused.status_code == 409 and "DMFLOW_REHEARSAL=true" in refused.get_json()["message"]
        cli = plain.test_cli_runner().invoke(main, ["clock", "advance", "P16D"])
        assert cli.exit_code == 1 and "DMFLOW_REHEARSAL=true" in cli.output
        assert _events(services, "clock.advanced") == []
    finally:
        plain.extensions["dmflow"].db.dispose()


def test_the_cli_advances_the_clock(runner, services):
    result = runner.invoke(main, ["clock", "advance", "P16D", "--actor", "office_admin"])
    assert result.exit_code == 0 and "2026-03-18" in result.output
    assert services.clock.now().isoformat().startswith("2026-03-18")
    [(event, _)] = _events(services, "clock.advanced")
    assert event["by_seconds"] == 16 * 86400
    assert "rehearsal" in runner.invoke(main, ["clock", "show"]).output


def test_a_rehearsed_contract_takes_effect_after_the_15_day_review(client, users, services, clock, deploy):
    """集体合同规定 第47条: no objection within 15 days of receipt, the contract takes effect — rehearsed."""
    assert deploy(bundled_files("contracts")).status_code == 201
    h = Http(client, users, services, clock)
    clock.set(local("2026-03-02", "09:00"))
    h.request("wage", h.union)
    h.complete("employer_reply", h.employer, {"reply_decision": "accept", "reply_text": "同意协商",
                                              "proposed_first_meeting_on": "2026-03-09"})
    h.contract("/representatives/union", "put", h.union, json={"members": members("union")})
    h.contract("/representatives/employer", "put", h.employer, json={"members": members("employer")})
    h.contract("/representatives/confirm", "post", h.employer)
    h.contract("/preparation", "put", h.union, json={
        "topics": ["年度工资调整"], "first_meeting_on": "2026-03-09", "place": "工会会议室",
        "recorder": {"name": "中立记录员", "person_id": "X900", "username": "recorder1"},
        "info_supplied_on": "2026-03-02", "information": ["上年度工资总额"]})
    h.contract("/preparation/confirm", "post", h.employer)
    clock.set(local("2026-03-09", "17:00"))
    h.meeting("union")
    h.agree(h.draft("2026年职工平均工资增长5%。", "每月10日支付工资。"))
    matter = h.congress(10)
    h.complete("submit_to_congress", h.presidium, {"matter_id": matter})
    vote_id = h.contract()["vote_id"]
    for i in range(1, 10):
        h.call("post", f"/api/v1/congress/votes/{vote_id}/ballots", h.rep(i), 201, json={"choice": "for"})
    h.call("post", f"/api/v1/congress/votes/{vote_id}/close", h.presidium, 200, json={})
    h.sign()
    h.file()
    h.complete("register_receipt", h.liaison, {"received_on": h.today(), "receipt_no": "沪人社备〔2026〕12号"})
    assert h.contract()["stage"] != "effective"
    assert run_once(services.uow).timers_fired == []
    client.post(CLOCK, json={"advance": "P16D"}, headers=h.admin)
    assert run_once(services.uow).timers_fired == [h.instance_id]
    assert h.contract()["stage"] == "effective"


def test_an_admin_of_another_enterprise_may_not_move_the_installations_clock(client, services):
    from helpers.tenancy import headers, organisation

    theirs = headers(services, organisation(services, "ent_b"), "b_admin", "admin")
    refused = client.post(CLOCK, json={"advance": "P1D"}, headers=theirs)
    assert refused.status_code == 403 and "operator" in refused.get_json()["message"]
    assert _events(services, "clock.advanced") == []
