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
from helpers.federation import REGIONAL_BODY, deploy_regional, fire_timers, join, organisation
from helpers.roundtrip import assert_round_trip

API = "/api/v1/federation"


def _token(services, org: int, username: str, *roles: str) -> dict[str, str]:
    with tenancy.acting_for(org):
        _, token = create_user(services.uow(), username, list(roles), actor=SYSTEM)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def district(services):
    deploy_regional(services)
    fed = organisation(services, "pudong_fed", "浦东新区总工会", kind=tenancy.FEDERATION, region="浦东新区")
    # The member negotiating its own contract runs the whole procedure: the installation's first organisation.
    a = join(services, tenancy.DEFAULT_ORG, fed, name="浦东机械", region="浦东新区", headcount=300)
    b = organisation(services, "pd_b", "浦东餐饮", parent=fed, region="浦东新区", headcount=120)
    c = organisation(services, "pd_c", "浦东物流", parent=fed, region="浦东新区", headcount=80)
    d = organisation(services, "mh_d", "闵行电子", parent=fed, region="闵行区", headcount=500)
    heads = {"officer": _token(services, fed, "officer_zhang", "federation_officer"),
             "bureau": _token(services, fed, "bureau_qian", "liaison")}
    for name, org in (("a", a), ("b", b), ("c", c), ("d", d)):
        heads[name] = _token(services, org, f"worker_{name}", "worker")
        heads[f"presidium_{name}"] = _token(services, org, f"presidium_{name}", "presidium")
    return {"fed": fed, "a": a, "b": b, "c": c, "d": d, "heads": heads}


SESSION = {"held_on": "2026-01-05", "place": "区总工会会议室", "summary": "双方就工资和工时达成一致。"}
VOTE = {"held_on": "2026-01-05", "representatives_total": 60, "present": 52, "in_favour": 45, "against": 5}


def _created(client, h) -> tuple[dict, str]:
    created = client.post(f"{API}/regional-contracts", json=REGIONAL_BODY, headers=h["officer"])
    assert created.status_code == 201, created.get_json()
    rc = created.get_json()
    return rc, f"{API}/regional-contracts/{rc['id']}"


def _tasks(client, headers) -> list[dict]:
    return client.get("/api/v1/tasks", headers=headers).get_json()["items"]


def test_a_regional_contract_from_request_to_effect_binds_three_members_and_floors_local_contracts_law53_55(
        client, services, clock, district):
    h = district["heads"]
    clock.set(local("2026-01-05"))
    rc, url = _created(client, h)
    assert rc["stage"] == "negotiating" and [f["key"] for f in rc["floors"]] == [
        "minimum_wage", "wage_growth", "weekly_hours"]
    assert client.post(f"{API}/regional-contracts", json=REGIONAL_BODY, headers=h["a"]).status_code == 403
    assert [t["element_id"] for t in _tasks(client, h["officer"])] == ["negotiate"]
    early = client.post(f"{url}/adoption", json=VOTE, headers=h["officer"])
    assert early.status_code == 409 and "negotiating" in early.get_json()["message"]

    talked = client.post(f"{url}/negotiation", json={**SESSION, "outcome": "continue"}, headers=h["officer"])
    assert talked.status_code == 200 and talked.get_json()["stage"] == "negotiating"
    raised = [*REGIONAL_BODY["floors"][:2], {**REGIONAL_BODY["floors"][2], "value": 40}]
    agreed = client.post(f"{url}/negotiation", json={**SESSION, "held_on": "2026-01-05", "outcome": "congress",
                                                     "floors": raised}, headers=h["officer"]).get_json()
    assert agreed["stage"] == "adoption" and len(agreed["sessions"]) == 2
    thin = client.post(f"{url}/adoption", json={**VOTE, "present": 39, "in_favour": 35, "against": 4},
                       headers=h["officer"])  # 39 present < two thirds of 60 (集体合同规定 第36条)
    assert thin.status_code == 422 and "regional_adoption" in thin.get_json()["errors"]["rule"]
    assert "40" in thin.get_json()["message"]
    adopted = client.post(f"{url}/adoption", json=VOTE, headers=h["officer"]).get_json()
    assert adopted["stage"] == "adopted" and adopted["adoption"]["in_favour"] == 45

    clock.set(local("2026-01-15"))
    assert client.post(f"{url}/signature", json={"signed_on": "2026-01-08"}, headers=h["officer"]).status_code == 200
    early = client.post(f"{url}/filing", json={"filed_on": "2026-01-07"}, headers=h["officer"])
    assert early.status_code == 422 and "receipt_after_filing" in early.get_json()["errors"]["rule"]
    assert client.post(f"{url}/filing", json={"filed_on": "2026-01-12"}, headers=h["officer"]).status_code == 200
    assert client.post(f"{url}/filing", json={"filed_on": "2026-01-12"}, headers=h["officer"]).status_code == 409
    not_ours = client.post(f"{url}/receipt", json={"received_on": "2026-01-15"}, headers=h["officer"])
    assert not_ours.status_code == 403  # the labour bureau's liaison registers the receipt
    before = client.post(f"{url}/receipt", json={"received_on": "2026-01-10"}, headers=h["bureau"])
    assert before.status_code == 422 and "第47条" in before.get_json()["message"]
    received = client.post(f"{url}/receipt", json={"received_on": "2026-01-15", "receipt_no": "人社备2026-R01"},
                           headers=h["bureau"]).get_json()
    assert received["stage"] == "under_review" and received["review_until"]
    assert [t["element_id"] for t in _tasks(client, h["bureau"])] == ["review"]

    # The review timer (集体合同规定 第47条; 劳动合同法 第54条): nothing before the 15th day has passed.
    assert fire_timers(services, clock, local("2026-01-30", "23:00")) == 0
    assert client.get(f"{API}/regional-contracts", headers=h["a"]).get_json() == []  # not yet in force
    assert fire_timers(services, clock, local("2026-01-31", "00:05")) == 1
    effective = client.get(url, headers=h["officer"]).get_json()
    assert (effective["stage"], effective["effective_on"], effective["expires_on"]) == (
        "effective", "2026-01-31", "2029-01-30")
    assert _tasks(client, h["bureau"]) == []  # the review step ended with the period

    clock.set(local("2026-03-02"))
    for member in ("a", "b", "c"):
        seen = client.get(f"{API}/regional-contracts", headers=h[member]).get_json()
        assert [(c["title"], c["in_force"]) for c in seen] == [(REGIONAL_BODY["title"], True)]
        told = client.get("/api/v1/notifications", headers=h[member]).get_json()["items"]
        assert [n["link"] for n in told] == [f"/federation/regional-contracts/{rc['id']}"]
    assert client.get(f"{API}/regional-contracts", headers=h["d"]).get_json() == []  # 闵行区: not bound
    assert client.get("/api/v1/notifications", headers=h["d"]).get_json()["items"] == []
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


def _round_trips(services, rc_id: int) -> None:
    """The regional contract's instance and every member's vote instance survive a dump and load unchanged."""
    from sqlalchemy import select

    from workflows.federation.tables import RegionalContract, RegionalMemberVote

    with tenancy.unscoped(), (unit := services.uow(readonly=True)):
        ids = [unit.session.scalar(select(RegionalContract.instance_id).where(RegionalContract.id == rc_id)),
               *unit.session.scalars(select(RegionalMemberVote.instance_id)
                                     .where(RegionalMemberVote.regional_contract_id == rc_id))]
    for instance_id in filter(None, ids):
        with tenancy.unscoped():
            assert_round_trip(services, instance_id)


def _member_vote(client, headers, **counts) -> int:
    [task] = [t for t in _tasks(client, headers) if t["element_id"] == "member_vote"]
    done = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=headers, json={"data": {
        "held_on": "2026-01-06", "representatives_total": 30, "present": 25, "in_favour": 20, "against": 5,
        "abstained": 0, **counts}})
    return done.status_code


def test_the_members_congresses_adopt_it_each_by_art36_and_one_rejection_sends_it_back_to_negotiation(
        client, services, clock, district):
    h = district["heads"]
    clock.set(local("2026-01-06"))
    rc, url = _created(client, h)
    to_members = client.post(f"{url}/negotiation", json={**SESSION, "outcome": "members"}, headers=h["officer"])
    assert to_members.status_code == 200 and to_members.get_json()["stage"] == "adoption"
    _round_trips(services, rc["id"])
    votes = client.get(url, headers=h["officer"]).get_json()["member_votes"]
    assert sorted(v["member_name"] for v in votes) == ["浦东机械", "浦东物流", "浦东餐饮"]  # not 闵行电子
    assert _tasks(client, h["presidium_d"]) == [] and _tasks(client, h["officer"]) == []
    thin = _member_vote(client, h["presidium_a"], present=19, in_favour=19, against=0)  # < two thirds of 30
    assert thin == 422
    assert _member_vote(client, h["presidium_a"]) == 200
    assert _member_vote(client, h["presidium_b"], in_favour=14, against=11) == 200  # 14 < half of all 30
    back = client.get(url, headers=h["officer"]).get_json()
    assert back["stage"] == "negotiating" and back["adoption"]["outcome"] == "rejected"
    assert {v["member_name"]: v["outcome"] for v in back["member_votes"]} == {
        "浦东机械": "adopted", "浦东餐饮": "rejected", "浦东物流": "cancelled"}
    assert _tasks(client, h["presidium_c"]) == []  # the round is over: 浦东物流's step was withdrawn
    assert [t["element_id"] for t in _tasks(client, h["officer"])] == ["negotiate"]
    _round_trips(services, rc["id"])

    client.post(f"{url}/negotiation", json={**SESSION, "outcome": "members"}, headers=h["officer"])
    for member in ("a", "b"):
        assert _member_vote(client, h[f"presidium_{member}"]) == 200
        assert client.get(url, headers=h["officer"]).get_json()["stage"] == "adoption"  # every member must adopt
    assert _member_vote(client, h["presidium_c"]) == 200
    adopted = client.get(url, headers=h["officer"]).get_json()
    assert adopted["stage"] == "adopted" and adopted["adoption"]["path"] == "members"
    assert [t["element_id"] for t in _tasks(client, h["officer"])] == ["sign"]
    _round_trips(services, rc["id"])


def test_the_bureaus_objection_sends_the_clauses_back_to_negotiation_and_refiling_art45_46(
        client, services, clock, district):
    h = district["heads"]
    clock.set(local("2026-01-05"))
    rc, url = _created(client, h)
    client.post(f"{url}/negotiation", json={**SESSION, "outcome": "congress"}, headers=h["officer"])
    client.post(f"{url}/adoption", json=VOTE, headers=h["officer"])
    clock.set(local("2026-01-20"))
    client.post(f"{url}/signature", json={"signed_on": "2026-01-08"}, headers=h["officer"])
    client.post(f"{url}/filing", json={"filed_on": "2026-01-12"}, headers=h["officer"])
    client.post(f"{url}/receipt", json={"received_on": "2026-01-14"}, headers=h["bureau"])
    wrong = client.post(f"{url}/objection", json={"issued_on": "2026-01-20", "clauses": [7], "opinion": "…"},
                        headers=h["bureau"])
    assert wrong.status_code == 422 and "regional_objection_clauses" in wrong.get_json()["errors"]["rule"]
    objected = client.post(f"{url}/objection", json={
        "issued_on": "2026-01-20", "document_no": "浦人社审〔2026〕3号", "clauses": [2],
        "opinion": "每周工作时间的约定应写明综合计算工时的审批要求。"}, headers=h["bureau"]).get_json()
    assert objected["stage"] == "negotiating" and objected["signed_on"] is None
    assert objected["objections"][0]["clauses"] == [2] and "综合计算工时" in objected["objections"][0]["opinion"]
    assert fire_timers(services, clock, local("2026-02-01", "00:10")) == 0  # no review runs any more
    page = client.get(url, headers=h["officer"]).get_json()
    assert page["stage"] == "negotiating"

    clock.set(local("2026-03-02"))
    revised = [REGIONAL_BODY["clauses"][0], {"title": "工作时间", "text": "每周工作时间不超过40小时；实行综合计算工时"
                                                                        "工作制的，须经劳动保障行政部门批准。"}]
    client.post(f"{url}/negotiation", json={**SESSION, "held_on": "2026-03-02", "outcome": "congress",
                                            "clauses": revised}, headers=h["officer"])
    client.post(f"{url}/adoption", json={**VOTE, "held_on": "2026-03-02"}, headers=h["officer"])
    client.post(f"{url}/signature", json={"signed_on": "2026-03-02"}, headers=h["officer"])
    client.post(f"{url}/filing", json={"filed_on": "2026-03-02"}, headers=h["officer"])
    again = client.post(f"{url}/receipt", json={"received_on": "2026-03-02"}, headers=h["bureau"]).get_json()
    assert again["stage"] == "under_review" and again["draft_version"] == 2  # the re-filed text (第46条)
    assert fire_timers(services, clock, local("2026-03-18", "00:10")) == 1
    assert client.get(url, headers=h["officer"]).get_json()["stage"] == "effective"


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
