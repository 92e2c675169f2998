"""Hardship assistance (困难职工帮扶) through the HTTP API: application, home visit and income check, decision,
publicity (公示) with objections, payment, yearly review and closing; who reads a file, and that every committee
read of it is audited."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from engine.worker import run_once

from helpers.api import bundled_files
from helpers.roundtrip import assert_round_trip

HOUSEHOLD = "本人、配偶（长期患病）、两名在读子女"
VISIT = "2026-03-03 入户走访，住房为租住单间，核对工资流水。"


class Hardship:
    def __init__(self, client, users, services, clock):
        self.client, self.services, self.clock = client, services, clock
        self.h = {"cm": users.headers("cm1", "assistance_committee"), "worker": users.headers("worker1"),
                  "other": users.headers("other1"), "auditor": users.headers("auditor1", "auditor")}

    def call(self, method: str, path: str, who: str, expect: int = 200, **kwargs):
        response = getattr(self.client, method)(f"/api/v1/casework/hardship{path}", headers=self.h[who], **kwargs)
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def apply(self) -> dict:
        return self.call("post", "", "worker", 201, json={"household": HOUSEHOLD, "circumstances": "配偶医疗支出大",
                                                          "monthly_income": 2100})

    def to_publicity(self) -> dict:
        case = self.apply()
        inbox = self.client.get("/api/v1/tasks?scope=groups&process=hardship", headers=self.h["cm"]).get_json()
        assert [t["element_id"] for t in inbox["items"]] == ["verify"]  # the committee's inbox
        self.call("post", f"/{case['id']}/verify", "cm", json={"visit_record": VISIT, "verified_income": 2000})
        return self.call("post", f"/{case['id']}/decide", "cm", json={
            "decision": "approve", "reason": "人均收入低于标准", "assistance_kind": "生活救助", "amount": 3000})

    def at(self, when: datetime) -> None:
        self.clock.set(when + timedelta(minutes=1))
        run_once(self.services.uow)

    def history(self, instance_id: str) -> list[dict]:
        return self.client.get(f"/api/v1/instances/{instance_id}/history", headers=self.h["auditor"]).get_json()


@pytest.fixture
def hs(client, deploy, users, services, clock) -> Hardship:
    assert deploy(bundled_files("casework")).status_code == 201
    return Hardship(client, users, services, clock)


def test_a_household_is_verified_approved_published_paid_reviewed_and_closed(hs):
    case = hs.to_publicity()
    assert case["status"] == "publicity" and case["publicity_until"] == "2026-03-09T16:00:00+00:00"  # Sat 7 -> Mon 9
    published = hs.call("get", "/publicity", "other")
    assert published == [{"id": case["id"], "applicant": "worker1", "assistance_kind": "生活救助",
                          "publicity_until": case["publicity_until"]}]  # no income, household or amount
    assert_round_trip(hs.services, case["instance_id"])
    hs.at(datetime.fromisoformat(case["publicity_until"]))
    assert hs.call("get", f"/{case['id']}", "cm")["status"] == "paying"
    assert_round_trip(hs.services, case["instance_id"])
    body = hs.call("post", f"/{case['id']}/payments", "cm", 422, json={"amount": 5000})
    assert body["errors"]["rule"] == ["hardship_payment_within_decision"]
    paid = hs.call("post", f"/{case['id']}/payments", "cm", 201, json={"amount": 3000, "reference": "PZ-001"})
    assert paid["status"] == "assisted" and paid["payments"][0]["amount"] == 3000
    assert paid["review_due"] == "2027-03-10T01:00:00+00:00"  # 12 months later, 09:00 北京时间
    hs.at(datetime.fromisoformat(paid["review_due"]))
    assert_round_trip(hs.services, case["instance_id"])
    hs.call("post", f"/{case['id']}/review", "cm", json={"decision": "continue", "note": "情况未改善"})
    hs.call("post", f"/{case['id']}/payments", "cm", 201, json={"amount": 3000})
    again = hs.call("get", f"/{case['id']}", "cm")
    hs.at(datetime.fromisoformat(again["review_due"]))
    closed = hs.call("post", f"/{case['id']}/review", "cm", json={"decision": "close", "note": "子女已工作"})
    assert closed["status"] == "closed" and len(closed["payments"]) == 2
    kinds = {n["kind"] for n in hs.client.get("/api/v1/notifications", headers=hs.h["worker"]).get_json()["items"]}
    assert {"casework.hardship_published", "casework.hardship_paid", "casework.hardship_closed"} <= kinds


def test_an_objection_during_the_publicity_period_is_resolved_before_payment_publicity(hs):
    case = hs.to_publicity()
    objection = hs.call("post", f"/{case['id']}/objections", "other", 201, json={"body": "该职工家中另有商铺收入"})
    assert objection["id"] == case["id"] and "monthly_income" not in objection
    hs.clock.set(datetime.fromisoformat(case["publicity_until"]) + timedelta(seconds=1))  # before the worker runs
    body = hs.call("post", f"/{case['id']}/objections", "other", 409, json={"body": "补充异议"})
    assert body["errors"]["rule"] == ["hardship_publicity_period"]
    hs.at(datetime.fromisoformat(case["publicity_until"]))
    hs.call("post", f"/{case['id']}/objections", "other", 404, json={"body": "补充异议"})  # no longer published
    file = hs.call("get", f"/{case['id']}", "cm")
    assert file["status"] == "objections" and file["objections"][0]["objector"] == "other1"
    hs.call("post", f"/{case['id']}/payments", "cm", 409, json={"amount": 3000})
    oid = file["objections"][0]["id"]
    upheld = hs.call("post", f"/{case['id']}/objections/{oid}/resolve", "cm", json={
        "upheld": True, "resolution": "核实属实，商铺月收入4000元"})
    assert upheld["status"] == "rejected"


def test_a_dismissed_objection_lets_the_assistance_go_on_publicity(hs):
    case = hs.to_publicity()
    hs.call("post", f"/{case['id']}/objections", "other", 201, json={"body": "有异议"})
    hs.at(datetime.fromisoformat(case["publicity_until"]))
    oid = hs.call("get", f"/{case['id']}", "cm")["objections"][0]["id"]
    dismissed = hs.call("post", f"/{case['id']}/objections/{oid}/resolve", "cm", json={
        "upheld": False, "resolution": "经核实无商铺"})
    assert dismissed["status"] == "paying"


def test_an_unrelated_worker_reads_nothing_of_a_hardship_file(hs):
    case = hs.apply()
    hs.call("get", f"/{case['id']}", "other", 404)
    hs.call("post", f"/{case['id']}/objections", "other", 404, json={"body": "x"})  # not published: not there
    assert hs.call("get", "", "other") == [] and hs.call("get", "/publicity", "other") == []
    seen = json.dumps(hs.client.get(f"/api/v1/instances/{case['instance_id']}", headers=hs.h["other"]).get_json(),
                      ensure_ascii=False)
    assert HOUSEHOLD not in seen and "2100" not in seen
    hs.call("post", f"/{case['id']}/verify", "worker", 403, json={"visit_record": "x", "verified_income": 1})


def test_every_read_of_a_hardship_file_by_its_committee_is_audited(hs):
    case = hs.apply()

    def reads():
        return [e for e in hs.history(case["instance_id"]) if e["type"] == "casework.hardship_file_read"]

    before = len(reads())
    hs.call("get", f"/{case['id']}", "cm")
    hs.call("get", f"/{case['id']}", "cm")
    hs.call("get", f"/{case['id']}", "worker")  # the applicant's own reads are not the committee's
    found = reads()
    assert len(found) == before + 2 and all(e["actor"] == "cm1" for e in found[before:])
