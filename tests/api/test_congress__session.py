"""The congress's own organisation over HTTP (rules.md §2.1–2.2): a session run by its diagram from the
preparatory meeting to the published minutes, the extraordinary session, committees, the joint meeting between
sessions, amendments voted before the draft, the speaker list and the yearly reminder."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

import workflows.congress.session_tables  # noqa: F401  (registers the tables before PostgreSQL's create_all)
from engine.models import AuditEvent
from engine.worker import run_once

from helpers.roundtrip import assert_round_trip
from helpers.session import CLAUSES, SessionApi

PRESIDIUM_OK = (1, 2, 11, 12, 13)  # seats 1-10 are mid-level managers; 3 of 5 frontline or technicians


@pytest.fixture
def c(client, users, login_as, deploy) -> SessionApi:
    return SessionApi(client, users, login_as, deploy)


def _events(services, prefix: str) -> list[dict]:
    with (uow := services.uow(readonly=True)):
        return [{"type": e.event_type, **json.loads(e.payload)} for e in uow.session.scalars(
            select(AuditEvent).where(AuditEvent.event_type.startswith(prefix)).order_by(AuditEvent.id))]


def test_a_60_representative_session_from_the_preparatory_meeting_to_the_minutes_with_an_amended_draft(
        c, services, client):
    meeting = c.plan()
    report = c.matter(meeting, "report", "总经理工作报告")
    contract = c.matter(meeting, "collective_contract", "集体合同草案")
    started = c.start(meeting)
    assert (started["kind"], started["step"], started["status"]) == ("ordinary", "preparatory", "planned")
    c.check_in(meeting, range(1, 59))

    refused = c.preparatory(meeting, (1, 2, 3, 11), expect=422)  # 1 of 4 frontline
    assert refused["errors"]["rule"] == ["presidium_min_frontline_share"]
    session = c.preparatory(meeting, PRESIDIUM_OK)
    assert (session["status"], session["step"]) == ("in_session", "plenary")
    assert [p["name"] for p in session["presidium"]] == ["代表1", "代表2", "代表11", "代表12", "代表13"]
    assert [s["name"] for s in session["scrutineers"]] == ["代表20", "代表21", "代表22"]

    # the speaker list of the report: two ask, the presidium puts the second first, calls and marks them
    asked = [c.call("post", f"/matters/{report['id']}/speakers", c.rep(i), 201, json={"topic": t}).get_json()
             for i, t in ((5, "食堂"), (6, "安全生产"))][-1]
    c.call("put", f"/matters/{report['id']}/speakers/order", c.chair, 200, json={"order": [asked[1]["id"],
                                                                                          asked[0]["id"]]})
    first = c.call("get", f"/matters/{report['id']}/speakers", c.rep(9), 200).get_json()[0]
    assert first["name"] == "代表6"
    c.call("post", f"/speakers/{first['id']}/call", c.rep(6), 403)
    c.call("post", f"/speakers/{first['id']}/call", c.chair, 200)
    c.call("post", f"/speakers/{asked[0]['id']}/call", c.chair, 409)  # one speaker at a time
    assert c.call("post", f"/speakers/{first['id']}/spoken", c.chair, 200).get_json()["status"] == "spoken"
    c.call("post", f"/speakers/{asked[0]['id']}/withdraw", c.rep(7), 403)  # only the speaker or the presidium
    assert c.call("post", f"/speakers/{asked[0]['id']}/withdraw", c.rep(5), 200).get_json()["status"] == "withdrawn"
    c.call("post", f"/matters/{report['id']}/opinions", c.rep(7), 201, json={"text": "建议公开食堂收支"})

    # the draft, one amendment from a representative and one from a delegation through its head
    c.call("put", f"/matters/{contract['id']}/draft", c.chair, 200, json={"clauses": CLAUSES})
    c.call("put", f"/terms/{c.term_id}/delegations/第1代表团/head", c.union, 200,
           json={"representative_id": c.seat[1]})
    c.call("post", f"/matters/{contract['id']}/amendments", c.rep(8), 201, json={
        "clause_number": 2, "new_text": "职工工资每年调整一次，平均增幅不低于5%。", "reason": "物价上涨"})
    c.call("post", f"/matters/{contract['id']}/amendments", c.rep(5), 403, json={
        "clause_number": 3, "new_text": "x", "on_behalf_of_delegation": True})  # not the head
    draft = c.call("post", f"/matters/{contract['id']}/amendments", c.rep(1), 201, json={
        "clause_number": 3, "new_text": "职工享受带薪年休假，另加2天企业假。",
        "on_behalf_of_delegation": True}).get_json()
    assert [(a["proposer"], a["delegation"]) for a in draft["amendments"]] == [
        ("代表8", None), ("代表1", "第1代表团")]
    agenda = c.call("get", f"/meetings/{meeting}/matters", c.rep(9), 200).get_json()
    assert [m["title"] for m in agenda] == [
        "总经理工作报告", "修正案：《集体合同草案》第2条", "修正案：《集体合同草案》第3条", "集体合同草案"]

    first_amendment, second_amendment = (a["vote_matter_id"] for a in draft["amendments"])
    assert c.vote(first_amendment, range(1, 41), range(41, 51))["outcome"] == "adopted"
    assert c.vote(second_amendment, range(1, 21), range(21, 51))["outcome"] == "rejected"
    assert c.vote(contract["id"], range(1, 46), range(46, 51))["outcome"] == "adopted"
    text = c.call("get", f"/matters/{contract['id']}/draft", c.rep(9), 200).get_json()
    assert [cl["text"] for cl in text["adopted_text"]] == [
        CLAUSES[0]["text"], "职工工资每年调整一次，平均增幅不低于5%。", CLAUSES[2]["text"]]
    assert [d["status"] for d in text["diff"]] == ["unchanged", "changed", "unchanged"]
    assert "+ 职工工资每年调整一次，平均增幅不低于5%。" in text["diff_text"]

    closed = c.call("post", f"/meetings/{meeting}/session/close", c.chair, 200).get_json()
    assert (closed["status"], closed["step"]) == ("closed", "approve_minutes")
    minutes = c.call("get", f"/meetings/{meeting}/minutes", c.chair, 200).get_json()
    assert minutes["status"] == "draft"
    c.call("get", f"/meetings/{meeting}/minutes", c.rep(30), 403)  # a draft is the presidium's
    for line in ("第一届职工代表大会第一次会议会议纪要", "应到代表60人，实到58人。", "缺席代表：代表59、代表60",
                 "主席团成员（预备会议通过）：", "监票人（预备会议通过）：代表20、代表21、代表22",
                 "发言：代表6（安全生产）", "建议公开食堂收支",
                 "修正案（第2条，代表8提出）：职工工资每年调整一次，平均增幅不低于5%。——通过",
                 "修正案（第3条，第1代表团（代表1）提出）", "赞成45票，反对5票"):
        assert line in minutes["text"], line
    c.call("put", f"/meetings/{meeting}/minutes", c.rep(3), 403, json={"text": "x"})
    edited = minutes["text"] + "记录人：工会办公室\n"
    c.call("put", f"/meetings/{meeting}/minutes", c.chair, 200, json={"text": edited})
    published = c.call("post", f"/meetings/{meeting}/minutes/approve", c.chair, 200).get_json()
    assert published["status"] == "published"
    assert published["sha256"] == hashlib.sha256(edited.encode()).hexdigest()
    doc = client.get(f"/api/v1/documents/{published['document_id']}", headers=c.rep(30))
    assert doc.status_code == 200 and doc.headers["X-Content-SHA256"] == published["sha256"]
    assert c.call("get", f"/meetings/{meeting}/session", c.auditor, 200).get_json()["step"] is None
    instance = c.call("get", f"/meetings/{meeting}/session", c.auditor, 200).get_json()["instance_id"]
    assert c.client.get(f"/api/v1/instances/{instance}", headers=c.auditor).get_json()["status"] == "completed"
    assert_round_trip(services, instance)
    assert c.client.get("/api/v1/audit/verify", headers=c.auditor).get_json()["ok"] is True


def test_presidium_composition_below_half_workers_and_technicians_is_refused_minzhu_guanli_di_19_tiao(c):
    meeting = c.plan()
    c.start(meeting)
    refused = c.preparatory(meeting, (1, 2, 3, 11, 12), expect=422)  # 2 of 5
    assert refused["errors"]["rule"] == ["presidium_min_frontline_share"]
    assert "第19条" in refused["message"]
    assert c.preparatory(meeting, (1, 2, 11, 12))["status"] == "in_session"  # 2 of 4: exactly half


def test_preparatory_meeting_needs_more_than_half_of_all_representatives_minzhu_guanli_di_20_tiao(c):
    meeting = c.plan()
    c.start(meeting)
    assert c.preparatory(meeting, PRESIDIUM_OK, votes_for=30, expect=422)["errors"]["rule"] == ["adoption_rule"]


def test_extraordinary_session_needs_one_third_of_representatives_1986_tiaoli_di_18_tiao(c):
    meeting = c.plan()
    few = [c.seat[i] for i in range(1, 20)]  # 19 of 60
    refused = c.start(meeting, kind="extraordinary", proposed_by="representatives", supporters=few, expect=422)
    assert refused["errors"]["rule"] == ["extraordinary_session_share"]
    c.start(meeting, kind="extraordinary", expect=422)  # nobody proposed it
    enough = c.start(meeting, kind="extraordinary", proposed_by="representatives",
                     supporters=[*few, c.seat[20]])  # 20 of 60
    assert (enough["kind"], enough["step"], len(enough["supporters"])) == ("extraordinary", "preparatory", 20)
    assert c.start(c.plan(2, "2026-06-01"), kind="extraordinary", proposed_by="union")["kind"] == "extraordinary"


def test_only_the_union_or_the_presidium_starts_a_session(c):
    c.start(c.plan(), who=c.rep(1), expect=403)


def test_joint_meeting_decisions_appear_for_confirmation_at_the_next_session(c, services):
    c.call("post", f"/terms/{c.term_id}/committees/defaults", c.union, 201)
    c.call("put", f"/terms/{c.term_id}/delegations/第2代表团/head", c.union, 200,
           json={"representative_id": c.seat[2]})
    body = {"held_on": "2026-02-10", "attendees": [c.seat[2], c.seat[3]],
            "decisions": [{"title": "防暑降温费提前发放", "text": "7月起按月发放"}]}
    refused = c.call("post", f"/terms/{c.term_id}/joint-meetings", c.union, 422, json=body).get_json()
    assert refused["errors"]["attendees"] == [c.seat[3]]  # heads nothing
    c.call("post", f"/terms/{c.term_id}/joint-meetings", c.chair, 403, json=body | {"attendees": [c.seat[2]]})
    held = c.call("post", f"/terms/{c.term_id}/joint-meetings", c.union, 201,
                  json=body | {"attendees": [c.seat[2]]}).get_json()
    assert held["decisions"][0]["confirm_matter_id"] is None  # no session planned yet
    meeting = c.plan()
    c.start(meeting)
    agenda = c.call("get", f"/meetings/{meeting}/matters", c.rep(1), 200).get_json()
    assert [(m["title"], m["mode"]) for m in agenda] == [("确认联席会议决定：防暑降温费提前发放", "adopt")]
    listed = c.call("get", f"/terms/{c.term_id}/joint-meetings", c.rep(1), 200).get_json()
    assert listed[0]["decisions"][0]["confirm_matter_id"] == agenda[0]["id"]
    # a later joint meeting, the next session already planned: its decision is on that agenda at once
    later = c.plan(2, "2026-09-01")
    c.call("post", f"/terms/{c.term_id}/joint-meetings", c.union, 201, json=body | {
        "held_on": "2026-06-01", "attendees": [c.seat[2]], "decisions": [{"title": "高温停工安排"}]})
    assert [m["title"] for m in c.call("get", f"/meetings/{later}/matters", c.rep(1), 200).get_json()] == [
        "确认联席会议决定：高温停工安排"]


def test_amendments_are_voted_before_the_draft_amendments_first(c):
    meeting = c.plan()
    draft = c.matter(meeting, "resolution", "大会决议")
    c.start(meeting)
    c.check_in(meeting, range(1, 51))
    c.preparatory(meeting, PRESIDIUM_OK)
    c.call("put", f"/matters/{draft['id']}/draft", c.chair, 200, json={"clauses": CLAUSES})
    amended = c.call("post", f"/matters/{draft['id']}/amendments", c.rep(4), 201, json={
        "clause_number": 1, "new_text": "实行综合计算工时制度。"}).get_json()
    c.call("post", f"/matters/{draft['id']}/amendments", c.rep(4), 422, json={"clause_number": 9, "new_text": "x"})
    refused = c.call("post", f"/matters/{draft['id']}/votes", c.chair, 409, json={}).get_json()
    assert refused["errors"]["rule"] == ["amendments_first"]
    c.vote(amended["amendments"][0]["vote_matter_id"], range(1, 10), range(10, 50))
    c.vote(draft["id"], range(1, 40))
    c.call("post", f"/matters/{draft['id']}/amendments", c.rep(4), 409, json={"clause_number": 1, "new_text": "y"})
    text = c.call("get", f"/matters/{draft['id']}/draft", c.rep(4), 200).get_json()
    assert text["adopted_text"] == CLAUSES and text["amendments"][0]["outcome"] == "rejected"


def test_minutes_are_published_with_their_hash_in_the_audit_trail(c, services):
    meeting = c.plan()
    c.start(meeting)
    c.check_in(meeting, range(1, 45))
    c.preparatory(meeting, PRESIDIUM_OK)
    c.call("get", f"/meetings/{meeting}/minutes", c.chair, 404)
    c.call("post", f"/meetings/{meeting}/minutes/approve", c.chair, 409)  # the session is still in plenary
    c.call("post", f"/meetings/{meeting}/session/close", c.chair, 200)
    published = c.call("post", f"/meetings/{meeting}/minutes/approve", c.chair, 200).get_json()
    [event] = _events(services, "minutes.published")
    assert event["sha256"] == published["sha256"] == hashlib.sha256(published["text"].encode()).hexdigest()
    c.call("put", f"/meetings/{meeting}/minutes", c.chair, 409, json={"text": "改动"})


def test_committee_members_approved_by_the_congress_and_the_proposal_committee_screens_proposals(c, users):
    for i in (11, 12, 13):
        users.headers(f"rep{i:03d}", "representative")
    committees = c.call("post", f"/terms/{c.term_id}/committees/defaults", c.union, 201).get_json()
    assert [x["name"] for x in committees] == ["提案工作委员会", "集体合同监督检查委员会", "劳动保护监督检查委员会",
                                               "生活福利委员会", "民主评议委员会"]
    other = c.call("post", f"/terms/{c.term_id}/committees", c.union, 201,
                   json={"kind": "women", "name": "女职工委员会"}).get_json()
    assert other["name"] == "女职工委员会"
    meeting = c.plan()
    c.start(meeting)
    c.check_in(meeting, range(1, 51))
    c.preparatory(meeting, PRESIDIUM_OK)
    body = {"meeting_id": meeting, "members": [c.seat[11], c.seat[12], c.seat[13]], "head": c.seat[11],
            "votes_for": 30}
    refused = c.call("post", f"/committees/{committees[0]['id']}/members", c.chair, 422, json=body).get_json()
    assert refused["errors"]["rule"] == ["adoption_rule"]
    c.call("post", f"/committees/{committees[0]['id']}/members", c.chair, 200, json=body | {"votes_for": 45})
    members = c.call("get", f"/terms/{c.term_id}/committees", c.rep(1), 200).get_json()[0]["members"]
    assert [(m["name"], m["is_head"]) for m in members] == [("代表11", True), ("代表12", False), ("代表13", False)]
    me = c.client.get("/api/v1/me", headers=c.rep(11)).get_json()
    assert "proposal_committee" in me["roles"]
    c.call("post", f"/committees/{committees[0]['id']}/members", c.chair, 200,
           json=body | {"members": [c.seat[12]], "head": c.seat[12], "votes_for": 45})
    assert "proposal_committee" not in c.client.get("/api/v1/me", headers=c.rep(11)).get_json()["roles"]


def test_union_is_reminded_when_no_session_was_held_within_the_interval_rules_2_2(c, services, clock):
    clock.set(datetime(2026, 12, 31, 17, 1, tzinfo=UTC))  # 2027-01-01 01:01 Beijing: the term began 2026-01-01
    run_once(services.uow)
    titles = [n["title"] for n in c.client.get("/api/v1/notifications", headers=c.union).get_json()["items"]]
    assert "第一届职工代表大会已超过12个月未召开" in titles
    assert [e["overdue_terms"] for e in _events(services, "congress.sessions_checked")][-1] == [c.term_id]
