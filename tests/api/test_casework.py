"""Labour-dispute mediation (劳动争议调解) through the HTTP API: filing, acceptance, sessions, agreement or referral
to arbitration, the 15-day period of 第14条, and who may see a case."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import pytest

from helpers.casework import CLAIM, MediationApi, mediation_api
from helpers.roundtrip import assert_round_trip


@pytest.fixture
def flow(client, deploy, users, services, clock) -> MediationApi:
    flow = mediation_api(client, deploy, users, services, clock)
    flow.seat_committee()
    return flow


def test_a_worker_files_the_committee_accepts_the_mediator_records_and_an_agreement_is_generated(flow):
    case = flow.file()
    assert case["status"] == "received" and case["applicants"] == ["worker1"] and case["claim"] == CLAIM
    assert case["due_at"] == "2026-03-17T16:00:00+00:00"  # 15 days after Mon 2 March, 24:00 北京时间
    assert [t["element_id"] for t in flow.tasks("chair", "groups")] == ["accept"]
    assert_round_trip(flow.services, flow.instance(case["id"]))
    accepted = flow.accept(case["id"])
    assert accepted["status"] == "mediating" and accepted["mediator"] == "med1"
    assert_round_trip(flow.services, flow.instance(case["id"]))
    assert [(t["element_id"], t["assignee"]) for t in flow.tasks("med")] == [("mediate", "med1")]
    flow.session(case["id"])
    closed = flow.close(case["id"])
    assert closed["status"] == "agreed" and len(closed["sessions"]) == 1 and closed["closed_at"]
    doc = flow.client.get(f"/api/v1/casework/mediations/{case['id']}/documents/{closed['agreement_document_id']}",
                          headers=flow.h["worker"])
    assert doc.status_code == 200 and "调解协议书" in doc.text and "3200元" in doc.text
    assert doc.headers["X-Content-SHA256"] == hashlib.sha256(doc.data).hexdigest()
    kinds = [n["kind"] for n in flow.notices("worker")]
    assert "casework.mediation_opened" in kinds and "casework.mediation_agreed" in kinds
    history = flow.client.get(f"/api/v1/instances/{flow.instance(case['id'])}/history",
                              headers=flow.h["auditor"]).get_json()
    events = json.dumps(history, ensure_ascii=False)
    for event in ("casework.mediation_accepted", "casework.mediation_session", "document.generated",
                  "casework.mediation_agreed"):
        assert event in events
    assert CLAIM not in events  # the claim stays in the case, not in the audit trail


def test_no_agreement_within_15_days_of_the_application_ends_mediation_and_refers_to_arbitration_art14(flow):
    case = flow.file()
    flow.accept(case["id"])
    flow.at(datetime.fromisoformat("2026-03-17T15:00:00+00:00"))  # the last day, before 24:00
    assert flow.call("get", f"/mediations/{case['id']}", "worker")["status"] == "mediating"
    flow.at(datetime.fromisoformat(case["due_at"]))
    failed = flow.call("get", f"/mediations/{case['id']}", "worker")
    assert failed["status"] == "failed" and failed["referral_document_id"]
    letter = flow.client.get(f"/api/v1/casework/mediations/{case['id']}/documents/{failed['referral_document_id']}",
                             headers=flow.h["worker"]).text
    assert "十五日内" in letter and "申请仲裁" in letter and "第27条" in letter
    assert "casework.mediation_failed" in [n["kind"] for n in flow.notices("worker")]
    flow.close(case["id"], expect=409)


def test_the_15_day_period_runs_from_receipt_even_before_acceptance_art14(flow):
    case = flow.file()
    flow.at(datetime.fromisoformat(case["due_at"]))
    assert flow.call("get", f"/mediations/{case['id']}", "chair")["status"] == "failed"
    flow.accept(case["id"], expect=409)


def test_the_mediator_declares_no_conflict_of_interest_and_is_no_party(flow):
    case = flow.file()
    body = flow.accept(case["id"], declared=False, expect=422)
    assert body["errors"]["rule"] == ["mediator_conflict_of_interest"]
    flow.file(who="worker", applicants=("worker1", "med1"))  # a group application naming a committee member
    group = flow.call("get", "/mediations", "chair")[0]
    assert flow.accept(group["id"], mediator="med1", expect=422)["errors"]["mediator"]
    assert flow.accept(case["id"], mediator="other1", expect=422)["errors"]["mediator"]  # not on the committee
    assert flow.call("get", f"/mediations/{case['id']}", "chair")["status"] == "received"


def test_acceptance_needs_a_committee_of_both_sides_with_a_union_chair_art10(flow):
    body = flow.seat_committee([{"username": "chair1", "side": "worker", "chair": True}], expect=422)
    assert body["errors"]["rule"] == ["mediation_committee_art10"]
    body = flow.seat_committee([{"username": "chair1", "side": "worker", "chair": True},
                                {"username": "emp1", "side": "employer"}], expect=422)
    assert "chair" in body["errors"]  # neither a union member nor chosen by both sides
    flow.seat_committee([{"username": "emp1", "side": "employer", "chair": True, "chair_agreed_by_both": True},
                         {"username": "med1", "side": "worker"}])
    assert flow.call("get", "/mediation-committee", "worker")["members"][0]["username"] == "emp1"


def test_the_committee_records_an_oral_application_art12_and_refuses_with_a_reason(flow):
    flow.file(who="worker", oral=True, expect=403)
    case = flow.file(who="chair", oral=True)
    assert case["oral"] and case["recorded_by"] == "chair1"
    flow.call("post", f"/mediations/{case['id']}/refuse", "chair", 422, json={"reason": ""})
    flow.call("post", f"/mediations/{case['id']}/refuse", "worker", 403, json={"reason": "不属于劳动争议"})
    refused = flow.call("post", f"/mediations/{case['id']}/refuse", "chair", json={"reason": "不属于劳动争议"})
    assert refused["status"] == "refused" and refused["refusal_reason"] == "不属于劳动争议"
    assert "casework.mediation_refused" in [n["kind"] for n in flow.notices("worker")]


def test_an_unrelated_worker_reads_nothing_of_a_mediation_case(flow):
    case = flow.file()
    flow.accept(case["id"])
    cid = case["id"]
    assert flow.call("get", f"/mediations/{cid}", "other", 404)["message"] == f"mediation case {cid} does not exist"
    assert flow.call("get", "/mediations", "other") == []
    flow.call("post", f"/mediations/{cid}/sessions", "other", 404, json={"record": "x"})
    seen = json.dumps([flow.client.get(path, headers=flow.h["other"]).get_json() for path in (
        f"/api/v1/instances/{flow.instance(cid)}", "/api/v1/tasks?scope=all")], ensure_ascii=False)
    assert CLAIM not in seen and "worker1" not in seen
    for who in ("worker", "hr", "med", "chair", "admin", "auditor"):  # parties, committee, admins, auditors
        assert flow.call("get", f"/mediations/{cid}", who)["claim"] == CLAIM
    assert [c["id"] for c in flow.call("get", "/mediations", "hr")] == [cid]


def test_stage_tasks_are_refused_through_the_generic_task_api(flow):
    case = flow.file()
    task = flow.tasks("chair", "groups")[0]
    response = flow.client.post(f"/api/v1/tasks/{task['id']}/complete", headers=flow.h["chair"],
                                json={"data": {"decision": "accept"}})
    assert response.status_code == 403
    assert flow.call("get", f"/mediations/{case['id']}", "chair")["status"] == "received"


def test_only_the_mediator_records_sessions_and_closes(flow):
    case = flow.file()
    flow.accept(case["id"])
    flow.session(case["id"], who="chair", expect=403)
    flow.close(case["id"], signed=False, expect=422)
    flow.call("post", f"/mediations/{case['id']}/close", "chair", 403, json={"outcome": "failed"})
    failed = flow.close(case["id"], outcome="failed")
    assert failed["status"] == "failed" and failed["referral_document_id"]


def test_the_period_is_extended_only_with_both_parties_consent_art14(flow):
    case = flow.file()
    flow.accept(case["id"])
    path = f"/mediations/{case['id']}/extend"
    body = flow.call("post", path, "med", 422, json={"days": 10, "applicant_consent": True, "employer_consent": False})
    assert body["errors"]["rule"] == ["extension_needs_both_parties_consent"]
    flow.call("post", path, "chair", 403, json={"days": 10, "applicant_consent": True, "employer_consent": True})
    extended = flow.call("post", path, "med", json={"days": 10, "applicant_consent": True, "employer_consent": True})
    assert extended["extension_days"] == 10
    assert_round_trip(flow.services, flow.instance(case["id"]))
    assert extended["due_at"] == "2026-03-27T16:00:00+00:00"  # 25 days after Mon 2 March: Fri 27 March
    assert [t["element_id"] for t in flow.tasks("med")] == ["mediate"]
    flow.at(datetime.fromisoformat(case["due_at"]))
    assert flow.call("get", f"/mediations/{case['id']}", "worker")["status"] == "mediating"
    flow.at(datetime.fromisoformat(extended["due_at"]))
    assert flow.call("get", f"/mediations/{case['id']}", "worker")["status"] == "failed"
    flow.call("post", path, "med", 409, json={"days": 5, "applicant_consent": True, "employer_consent": True})
