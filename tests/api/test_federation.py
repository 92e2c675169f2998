"""The federation's API, end to end: a regional contract (劳动合同法 第53–55条) from its record to its effect in
three member enterprises, one of which negotiates a local contract that may not fall below it; the dashboard and
its exports for the federation's officers only."""

from __future__ import annotations

import datetime as dt

import pytest

from engine import tenancy
from engine.identity import SYSTEM, create_user
from workflows.contracts import drafts

from helpers.contracts import UNION, Deal, local
from helpers.federation import REGIONAL_BODY, join, organisation

API = "/api/v1/federation"


def _token(services, org: int, username: str, *roles: str) -> dict[str, str]:
    with tenancy.acting_for(org):
        _, token = create_user(services.uow(), username, list(roles), actor=SYSTEM)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def district(services):
    fed = organisation(services, "pudong_fed", "浦东新区总工会", kind=tenancy.FEDERATION, region="浦东新区")
    # The member negotiating its own contract runs the whole procedure: the installation's first organisation
    # (engine steps' derived rows are stamped with their organisation by the tenancy hardening on main).
    a = join(services, tenancy.DEFAULT_ORG, fed, name="浦东机械", region="浦东新区", headcount=300)
    b = organisation(services, "pd_b", "浦东餐饮", parent=fed, region="浦东新区", headcount=120)
    c = organisation(services, "pd_c", "浦东物流", parent=fed, region="浦东新区", headcount=80)
    d = organisation(services, "mh_d", "闵行电子", parent=fed, region="闵行区", headcount=500)
    heads = {"officer": _token(services, fed, "officer_zhang", "federation_officer")}
    for name, org in (("a", a), ("b", b), ("c", c), ("d", d)):
        heads[name] = _token(services, org, f"worker_{name}", "worker")
    return {"fed": fed, "a": a, "b": b, "c": c, "d": d, "heads": heads}


def test_a_regional_contract_from_record_to_effect_binds_members_and_floors_local_contracts_law53_55(
        client, services, clock, district):
    h = district["heads"]
    clock.set(local("2026-01-05"))
    created = client.post(f"{API}/regional-contracts", json=REGIONAL_BODY, headers=h["officer"])
    assert created.status_code == 201, created.get_json()
    rc = created.get_json()
    assert rc["stage"] == "negotiating" and [f["key"] for f in rc["floors"]] == [
        "minimum_wage", "wage_growth", "weekly_hours"]
    url = f"{API}/regional-contracts/{rc['id']}"
    assert client.post(f"{API}/regional-contracts", json=REGIONAL_BODY, headers=h["a"]).status_code == 403

    vote = {"held_on": "2026-01-05", "representatives_total": 60, "present": 52, "in_favour": 29, "against": 20}
    refused = client.post(f"{url}/adoption", json=vote, headers=h["officer"])  # 29 < half of 60 (第36条)
    assert refused.status_code == 422 and "regional_adoption" in refused.get_json()["errors"]["rule"]
    thin = client.post(f"{url}/adoption", json={**vote, "present": 39, "in_favour": 35, "against": 4},
                       headers=h["officer"])  # 39 present < two thirds of 60
    assert thin.status_code == 422 and "40" in thin.get_json()["message"]
    adopted = client.post(f"{url}/adoption", json={**vote, "in_favour": 45, "against": 5}, headers=h["officer"])
    assert adopted.status_code == 200 and adopted.get_json()["adoption"]["in_favour"] == 45

    clock.set(local("2026-01-15"))
    assert client.post(f"{url}/signature", json={"signed_on": "2026-01-08"}, headers=h["officer"]).status_code == 200
    early = client.post(f"{url}/filing", json={"filed_on": "2026-01-07"}, headers=h["officer"])
    assert early.status_code == 422 and "receipt_after_filing" in early.get_json()["errors"]["rule"]
    assert client.post(f"{url}/filing", json={"filed_on": "2026-01-12"}, headers=h["officer"]).status_code == 200
    before = client.post(f"{url}/receipt", json={"received_on": "2026-01-10"}, headers=h["officer"])
    assert before.status_code == 422 and "第47条" in before.get_json()["message"]
    assert client.post(f"{url}/filing", json={"filed_on": "2026-01-12"}, headers=h["officer"]).status_code == 409
    received = client.post(f"{url}/receipt", json={"received_on": "2026-01-15", "receipt_no": "人社备2026-R01"},
                           headers=h["officer"]).get_json()
    assert (received["stage"], received["effective_on"]) == ("effective", "2026-01-30")  # 15 days of silence
    assert client.get(f"{API}/regional-contracts", headers=h["a"]).get_json() == []  # not yet in force

    clock.set(local("2026-03-02"))
    for member in ("a", "b", "c"):
        seen = client.get(f"{API}/regional-contracts", headers=h[member]).get_json()
        assert [(c["title"], c["in_force"]) for c in seen] == [(REGIONAL_BODY["title"], True)]
    assert client.get(f"{API}/regional-contracts", headers=h["d"]).get_json() == []  # 闵行区: not bound
    assert client.get(url, headers=h["d"]).status_code == 404
    assert client.get(url, headers=h["b"]).get_json()["floors"][0]["label"] == "最低工资标准"

    # Member A negotiates its own contract; its chiefs declare agreement through the API.
    deal = Deal(services, clock).start_negotiating()
    deal.meeting()
    chiefs = {"union": _token(services, district["a"], "chief_u", "union_negotiator"),
              "employer": _token(services, district["a"], "chief_e", "employer_negotiator")}

    def draft(wage: float, hours: float) -> int:
        return drafts.add_draft(services.uow(), deal.id, clauses=[
            {"title": "最低工资", "text": f"职工月工资不低于{wage:g}元。", "key": "minimum_wage", "value": wage},
            {"title": "工作时间", "text": f"每周工作{hours:g}小时。", "key": "weekly_hours", "value": hours},
            {"title": "休息休假", "text": "职工享受带薪年休假。"}], note=None, actor=UNION).version

    low = draft(2500, 44)
    below = client.post(f"/api/v1/contracts/{deal.id}/drafts/{low}/agree", headers=chiefs["union"])
    assert below.status_code == 422, below.get_json()
    body = below.get_json()
    assert "regional_contract_floor" in body["errors"]["rule"]
    assert any("第55条" in a for a in body["errors"]["article"])
    assert [c[:9] for c in body["errors"]["clauses"]] == ["第1条「最低工资」", "第2条「工作时间」"]
    assert "2800元/月" in body["message"] and "不高于40小时" in body["message"]
    assert deal.contract.stage == "negotiating"

    raised = draft(3000, 40)
    for side in ("union", "employer"):
        agreed = client.post(f"/api/v1/contracts/{deal.id}/drafts/{raised}/agree", headers=chiefs[side])
        assert agreed.status_code == 200, agreed.get_json()
    assert deal.contract.stage == "agreed" and deal.contract.agreed_version == raised


def test_the_dashboard_and_its_exports_are_for_the_federations_officers(client, services, clock, district):
    h = district["heads"]
    assert client.get(f"{API}/dashboard", headers=h["a"]).status_code == 403
    figures = client.get(f"{API}/dashboard", headers=h["officer"]).get_json()
    assert [m["name"] for m in figures["members"]] == ["浦东机械", "浦东餐饮", "浦东物流", "闵行电子"]
    assert figures["rates"] == {"congress": 0.0, "contract_members": 0.0, "contract_workers": 0.0,
                                "disclosure": 0.0}
    csv = client.get(f"{API}/report.csv", headers=h["officer"])
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.data.decode("utf-8-sig").splitlines()[1].startswith("序号,单位名称")
    xlsx = client.get(f"{API}/report.xlsx", headers=h["officer"])
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    records = client.get(f"{API}/members/{district['b']}", headers=h["officer"])
    assert records.status_code == 200 and records.get_json()["name"] == "浦东餐饮"
    assert client.get(f"{API}/members/999", headers=h["officer"]).status_code == 404
    assert client.get(f"{API}/members/{district['b']}", headers=h["b"]).status_code == 403
    assert dt.date.fromisoformat(figures["as_of"]) == dt.date(2026, 3, 2)
