"""Performance disputes of a contract in force over HTTP: raised, negotiated in sessions, referred by the union to
arbitration with a package (集体合同规定 第55条; 工会法 第20条)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from helpers.contracts import Deal
from helpers.contracts_in_force import bring_in_force

DISPUTE = {"clauses": "第3条 工资每年增长不低于5%", "facts": "2026年工资未按约定增长，仅增长2%。",
           "demand": "按合同补足差额。"}
SESSION = {"held_on": "2026-06-02", "place": "工会会议室", "participants": "工会：张三、李四；企业：王五、赵六",
           "minutes": "企业称经营困难，工会要求按约定执行。"}
REFERRAL = {"tribunal": "某市劳动人事争议仲裁委员会", "claims": "请求裁决企业按集体合同第3条补足2026年工资增长差额。"}


def _api(deal):
    return f"/api/v1/contracts/{deal.id}/performance-disputes"


def test_performance_dispute_negotiated_then_referred_by_the_union_with_a_package_art55_union_law_art20(
        client, users, services, clock):
    deal = bring_in_force(Deal(services, clock), clock)
    chair, employer = users.headers("chair", "union_chair"), users.headers("chief_e", "employer_negotiator")
    union = users.headers("chief_u", "union_negotiator")
    r = client.post(_api(deal), json=DISPUTE, headers=chair)
    assert r.status_code == 201, r.get_json()
    dispute = r.get_json()
    assert dispute["status"] == "negotiating" and dispute["raised_by_side"] == "union"
    notices = client.get("/api/v1/notifications", headers=employer).get_json()["items"]
    links = [n["link"] for n in notices if n["kind"] == "contract.dispute"]
    assert links == [f"/contracts/{deal.id}/performance-disputes"]
    one = f"{_api(deal)}/{dispute['id']}"
    # Negotiation comes first: no referral while the sides still talk (工会法 第20条: 经协商解决不成的).
    r = client.post(f"{one}/referral", json=REFERRAL, headers=chair)
    assert r.status_code == 422 and r.get_json()["errors"]["rule"] == ["dispute_negotiate_first"]
    assert "工会法第20条" in r.get_json()["errors"]["article"][0]
    r = client.post(f"{one}/sessions", json=SESSION | {"outcome": "continue"}, headers=employer)
    assert r.status_code == 201 and r.get_json()["status"] == "negotiating"
    r = client.post(f"{one}/sessions", json=SESSION | {"held_on": "2026-05-01", "outcome": "failed"}, headers=union)
    assert r.status_code == 422 and r.get_json()["errors"]["rule"] == ["dispute_session"]
    r = client.post(f"{one}/sessions", json=SESSION | {"outcome": "failed", "minutes": "双方分歧无法弥合。"},
                    headers=union)
    assert r.status_code == 201
    assert [s["outcome_name"] for s in r.get_json()["sessions"]] == ["继续协商", "协商不成"]
    assert client.get(f"{one}/package", headers=chair).status_code == 404
    # Only the union applies for arbitration.
    assert client.post(f"{one}/referral", json=REFERRAL, headers=employer).status_code == 403
    r = client.post(f"{one}/referral", json=REFERRAL, headers=chair)
    assert r.status_code == 201 and r.get_json()["status"] == "referred" and r.get_json()["status_name"] == "已提请仲裁"
    assert client.post(f"{one}/referral", json=REFERRAL, headers=chair).status_code == 409
    assert client.post(f"{one}/sessions", json=SESSION | {"outcome": "continue"}, headers=union).status_code == 409
    package = client.get(f"{one}/package", headers=employer)
    assert package.status_code == 200 and package.mimetype == "application/zip"
    assert package.headers["X-Content-SHA256"] == hashlib.sha256(package.data).hexdigest()
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        assert sorted(archive.namelist()) == ["contract.html", "dispute-and-negotiation.html", "dispute.json"]
        record = json.loads(archive.read("dispute.json"))
        page = archive.read("dispute-and-negotiation.html").decode()
    assert [s["outcome"] for s in record["sessions"]] == ["continue", "failed"]
    assert record["dispute"]["tribunal"] == REFERRAL["tribunal"] and record["contract"]["clauses"]
    assert "双方分歧无法弥合" in page and "协商不成" in page
    events = deal.events("contract.dispute")
    assert events == ["contract.dispute_raised", "contract.dispute_session", "contract.dispute_session",
                      "contract.dispute_referred"]
    assert client.get("/api/v1/audit/verify", headers=users.headers("aud", "auditor")).get_json()["ok"]


def test_an_agreement_in_negotiation_resolves_the_dispute_art55(client, users, services, clock):
    deal = bring_in_force(Deal(services, clock), clock)
    employer = users.headers("chief_e", "employer_negotiator")
    dispute = client.post(_api(deal), json=DISPUTE, headers=employer).get_json()
    one = f"{_api(deal)}/{dispute['id']}"
    r = client.post(f"{one}/sessions", json=SESSION | {"outcome": "agreed"}, headers=employer)
    assert r.status_code == 422 and r.get_json()["errors"]["rule"] == ["dispute_session"]
    r = client.post(f"{one}/sessions", json=SESSION | {"outcome": "agreed", "agreement_text": "7月起补足差额。"},
                    headers=users.headers("chair", "union_chair"))
    assert r.status_code == 201 and r.get_json()["status"] == "resolved"
    assert r.get_json()["agreement_text"] == "7月起补足差额。"
    r = client.post(f"{one}/referral", json=REFERRAL, headers=users.headers("chair", "union_chair"))
    assert r.status_code == 409


def test_a_contract_not_in_force_has_no_performance_dispute_art55(client, users, services, clock):
    deal = Deal(services, clock).request()
    r = client.post(_api(deal), json=DISPUTE, headers=users.headers("chair", "union_chair"))
    assert r.status_code == 422 and r.get_json()["errors"]["rule"] == ["dispute_contract"]
    assert client.post(_api(deal), json=DISPUTE, headers=users.headers("worker1")).status_code == 403
    assert client.get(_api(deal), headers=users.headers("worker1")).status_code == 403
    chair = users.headers("chair", "union_chair")
    assert client.get("/api/v1/contracts/999/performance-disputes", headers=chair).status_code == 404
