"""Legal-aid referral (工会法律援助) through the HTTP API: a worker applies, the union reviews and refers with a
package or declines with its reason, the outcome is recorded; only the applicant and the officers see a case."""

from __future__ import annotations

import hashlib
import json

import pytest

from helpers.api import bundled_files
from helpers.roundtrip import assert_round_trip

FACTS = "2026年1月被解除劳动合同，未支付经济补偿金。"
HARDSHIP = "家庭月收入低于当地最低生活保障标准，配偶患病。"


@pytest.fixture
def aid(client, deploy, users, services):
    assert deploy(bundled_files("casework")).status_code == 201
    h = {"officer": users.headers("aid1", "legal_aid_officer"), "worker": users.headers("worker1"),
         "other": users.headers("other1"), "auditor": users.headers("auditor1", "auditor")}

    def call(method: str, path: str, who: str, expect: int = 200, **kwargs):
        response = getattr(client, method)(f"/api/v1/casework/legal-aid{path}", headers=h[who], **kwargs)
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    call.h, call.client, call.services = h, client, services
    return call


def test_a_worker_is_referred_with_a_package_and_the_outcome_is_recorded(aid):
    case = aid("post", "", "worker", 201, json={"facts": FACTS, "hardship": HARDSHIP})
    assert case["status"] == "reviewing" and case["applicant"] == "worker1"
    tasks = aid.client.get("/api/v1/tasks?scope=groups&process=legal_aid", headers=aid.h["officer"]).get_json()
    assert [t["element_id"] for t in tasks["items"]] == ["review"]
    aid("post", f"/{case['id']}/review", "officer", 422, json={"decision": "refer", "reason": "符合条件"})
    referred = aid("post", f"/{case['id']}/review", "officer", json={
        "decision": "refer", "reason": "符合条件", "referred_to": "市总工会法律援助中心"})
    assert referred["status"] == "referred" and referred["referred_to"] == "市总工会法律援助中心"
    assert_round_trip(aid.services, referred["instance_id"])
    doc = aid.client.get(f"/api/v1/casework/legal-aid/{case['id']}/documents/{referred['referral_document_id']}",
                         headers=aid.h["worker"])
    assert FACTS in doc.text and HARDSHIP in doc.text
    assert doc.headers["X-Content-SHA256"] == hashlib.sha256(doc.data).hexdigest()
    closed = aid("post", f"/{case['id']}/outcome", "officer", json={"outcome": "已立案，代理仲裁，获赔8000元。"})
    assert closed["status"] == "closed" and closed["closed_at"]
    notices = aid.client.get("/api/v1/notifications", headers=aid.h["worker"]).get_json()["items"]
    assert {"casework.legal_aid_referred", "casework.legal_aid_closed"} <= {n["kind"] for n in notices}
    history = json.dumps(aid.client.get(f"/api/v1/instances/{closed['instance_id']}/history",
                                        headers=aid.h["auditor"]).get_json(), ensure_ascii=False)
    assert "casework.legal_aid_reviewed" in history and "document.generated" in history
    assert HARDSHIP not in history


def test_a_refusal_states_its_reason_and_the_worker_is_told(aid):
    case = aid("post", "", "worker", 201, json={"facts": FACTS, "hardship": HARDSHIP})
    aid("post", f"/{case['id']}/review", "worker", 403, json={"decision": "decline", "reason": "x"})
    declined = aid("post", f"/{case['id']}/review", "officer", json={"decision": "decline",
                                                                     "reason": "家庭收入高于援助标准"})
    assert declined["status"] == "declined" and declined["decision_reason"] == "家庭收入高于援助标准"
    aid("post", f"/{case['id']}/outcome", "officer", 409, json={"outcome": "x"})


def test_an_application_shows_the_hardship(aid):
    body = aid("post", "", "worker", 422, json={"facts": FACTS, "hardship": " "})
    assert "hardship" in body["errors"]


def test_an_unrelated_worker_reads_nothing_of_a_legal_aid_case(aid):
    case = aid("post", "", "worker", 201, json={"facts": FACTS, "hardship": HARDSHIP})
    aid("get", f"/{case['id']}", "other", 404)
    assert aid("get", "", "other") == []
    seen = json.dumps(aid.client.get(f"/api/v1/instances/{case['instance_id']}", headers=aid.h["other"]).get_json(),
                      ensure_ascii=False)
    assert HARDSHIP not in seen and FACTS not in seen
    generic = aid.client.get("/api/v1/tasks?scope=groups&process=legal_aid", headers=aid.h["officer"]).get_json()
    response = aid.client.post(f"/api/v1/tasks/{generic['items'][0]['id']}/complete", headers=aid.h["officer"],
                               json={"data": {"decision": "refer"}})
    assert response.status_code == 403
