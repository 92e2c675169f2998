"""The worker side of an enterprise without a union (集体合同规定 第19–20条) and the labour safety and health special
contract (劳动安全卫生专项集体合同, 劳动合同法 第52条), over HTTP."""

from __future__ import annotations

import json

from workflows.contracts.record import MATTER_TYPES

from helpers.contracts import Deal, side

ENDORSED = {"held_on": "2026-03-05", "workers_total": 600, "in_favour": 300, "method": "各班组推荐，全体职工投票"}


def _put(client, users, deal, members, endorsement=None):
    body = {"members": members} | ({"endorsement": endorsement} if endorsement else {})
    return client.put(f"/api/v1/contracts/{deal.id}/representatives/union", json=body,
                      headers=users.headers("chief_u", "union_negotiator"))


def _elected(members):
    return [m | {"credential": "elected_chief"} if m["is_chief"] else m for m in members]


def test_without_a_union_the_workers_endorse_their_negotiators_and_elect_the_chief_art19_art20(
        client, users, services, clock):
    deal = Deal(services, clock).request(no_union=True)
    deal.reply()
    # The union chair's standing means nothing without a union; the workers' endorsement is missing.
    r = _put(client, users, deal, side("union"))
    assert r.status_code == 422
    assert set(r.get_json()["errors"]["rule"]) == {"worker_side_endorsement", "worker_chief"}
    assert all("第20条" in a for a in r.get_json()["errors"]["article"])
    # Fewer than half of all workers agreed.
    r = _put(client, users, deal, _elected(side("union")), ENDORSED | {"in_favour": 299})
    assert r.status_code == 422 and r.get_json()["errors"]["rule"] == ["worker_side_endorsement"]
    assert "at least half of all workers" in r.get_json()["message"]
    # Still three negotiators and one chief (第19条).
    r = _put(client, users, deal, _elected(side("union", 2)), ENDORSED)
    assert r.status_code == 422 and "negotiators_min_per_side" in r.get_json()["errors"]["rule"]
    # Half of all workers is 半数以上 (民法典 第1259条: 以上 includes the number itself); the chief is elected.
    r = _put(client, users, deal, _elected(side("union")), ENDORSED)
    assert r.status_code == 200, r.get_json()
    detail = client.get(f"/api/v1/contracts/{deal.id}", headers=users.headers("chief_e", "employer_negotiator"))
    request = detail.get_json()["request"]
    assert request["no_union"] is True and request["worker_side_endorsement"]["in_favour"] == 300
    assert "contract.representatives_named" in deal.events()


def test_with_a_union_the_workers_chief_is_the_union_chair_not_an_elected_one_art20(client, users, services, clock):
    deal = Deal(services, clock).request()
    deal.reply()
    r = _put(client, users, deal, _elected(side("union")))
    assert r.status_code == 422 and r.get_json()["errors"]["rule"] == ["worker_chief"]
    assert _put(client, users, deal, side("union")).status_code == 200


def test_labour_safety_and_health_special_contract_is_a_kind_adopted_as_a_special_contract_labour_contract_law_art52(
        client, users, services, clock):
    deal = Deal(services, clock)
    r = client.post("/api/v1/contracts", json={
        "kind": "safety", "title": "2026年劳动安全卫生专项集体合同", "enterprise": "华东机械制造有限公司",
        "union_name": "华东机械制造有限公司工会", "topics": ["劳动防护用品", "职业健康检查"],
        "text": "提出劳动安全卫生专项集体协商要求。", "term_years": 2},
        headers=users.headers("chief_u", "union_negotiator"))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["kind_name"] == "劳动安全卫生专项集体合同"
    listed = client.get("/api/v1/contracts?kind=safety", headers=users.headers("chief_e", "employer_negotiator"))
    assert [c["title"] for c in listed.get_json()] == ["2026年劳动安全卫生专项集体合同"]
    # Negotiated, adopted by the congress as a special contract, signed and filed like any other kind.
    deal.signed_and_filed("safety")
    assert deal.detail()["kind"] == "safety" and deal.detail()["stage"] == "filed"
    assert json.loads(deal.contract.adoption_json)["result"]["outcome"] == "adopted"
    assert MATTER_TYPES["safety"] == "special_collective_contract"
