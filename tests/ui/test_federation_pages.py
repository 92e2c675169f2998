"""The federation's pages: the dashboard with its charts, a row per member and the exports, a member's public
records, and the regional contracts each member's workers see."""

from __future__ import annotations

import re

from engine import tenancy
from engine.identity import SYSTEM, create_user
from workflows.federation import regional

from .test_crawl__demo_roles import problems_of, visible_text
from helpers.contracts import local
from helpers.federation import (
    REGIONAL_BODY,
    SESSION,
    deploy_regional,
    join,
    officer,
    organisation,
    regional_in_force,
    step,
)
from helpers.web import csrf, login


def _login(client, services, org: int, username: str, *roles: str) -> None:
    """A new user of `org` holding `roles`, logged in (whoever was logged in is logged out first)."""
    with tenancy.acting_for(org):
        create_user(services.uow(), username, list(roles), actor=SYSTEM)
    login(client, username)


def test_the_officer_sees_the_members_rates_and_exports_and_a_member_sees_its_regional_contract(
        client, services, clock):
    fed = organisation(services, "pudong_fed", "浦东新区总工会", kind=tenancy.FEDERATION, region="浦东新区")
    join(services, tenancy.DEFAULT_ORG, fed, name="浦东机械", region="浦东新区", headcount=300)
    other = organisation(services, "mh", "闵行电子", parent=fed, region="闵行区", headcount=100)
    regional_in_force(services, clock, fed)
    clock.set(clock.now().replace(month=3))

    _login(client, services, fed, "officer_zhang", "federation_officer")
    page = client.get("/federation")
    assert page.status_code == 200
    html = page.text
    assert "浦东新区总工会" in html and "职代会建制率" in html and 'data-rate="congress"' in html
    assert re.search(r'data-member="default".*?适用《浦东新区餐饮行业区域性集体合同》', html, re.S)
    assert re.search(r'data-member="mh".*?未覆盖', html, re.S)
    assert "contract_stage" not in html and "regional" not in re.sub(r"<[^>]+>", "", html)  # no codes shown
    xlsx = client.get("/federation/report.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert client.get("/federation/report.csv").data.decode("utf-8-sig").splitlines()[1].startswith("序号,单位名称")
    member = client.get(f"/federation/members/{other}")
    assert member.status_code == 200 and "闵行电子" in member.text
    own = client.get("/federation/regional-contracts").text
    assert REGIONAL_BODY["title"] in own and "最低工资标准" in own and "不低于 2800 元/月" in own

    _login(client, services, tenancy.DEFAULT_ORG, "worker_li", "worker")
    assert client.get("/federation").status_code == 403
    assert 'data-nav="regional-contracts"' in client.get("/").text
    seen = client.get("/federation/regional-contracts").text
    assert REGIONAL_BODY["title"] in seen and "生效中" in seen and "每周工作时间" in seen
    _login(client, services, other, "worker_mh", "worker")
    assert REGIONAL_BODY["title"] not in client.get("/federation/regional-contracts").text
    join(services, other, None)  # an enterprise on its own has no such menu entry
    assert 'data-nav="regional-contracts"' not in client.get("/").text


def test_each_members_presidium_records_its_congress_vote_from_its_inbox_and_a_rejection_returns_it_art36(
        client, services, clock):
    deploy_regional(services)
    fed = organisation(services, "pudong_fed", "浦东新区总工会", kind=tenancy.FEDERATION, region="浦东新区")
    a = organisation(services, "pd_a", "浦东餐饮", parent=fed, region="浦东新区", headcount=120)
    organisation(services, "pd_b", "浦东物流", parent=fed, region="浦东新区", headcount=80)
    clock.set(local("2026-01-06"))
    who = officer(fed)
    with tenancy.acting_for(fed):
        rc = regional.create(services.uow(), REGIONAL_BODY, actor=who, rules=services.rules).id
    step(services, fed, rc, "negotiate", {**SESSION, "outcome": "members"}, who)

    _login(client, services, a, "presidium_a", "presidium")
    inbox = client.get("/tasks").text
    assert "记录本单位职代会表决" in inbox and "浦东新区总工会《浦东新区餐饮行业区域性集体合同》" in inbox
    task_id = re.search(r'href="/tasks/([0-9a-f-]{36})"', inbox).group(1)
    page = client.get(f"/tasks/{task_id}")
    assert page.status_code == 200
    assert problems_of(visible_text(page.text).replace("presidium_a", "")) == []  # words, not codes
    assert "本区域企业职工月工资不低于2800元" in page.text and "最低标准：每周工作时间不高于40小时" in page.text
    form = {"csrf_token": csrf(page.text), "held_on": "2026-01-06", "representatives_total": "30", "present": "25",
            "in_favour": "12", "against": "13", "abstained": "0"}
    assert client.post(f"/tasks/{task_id}", data=form).status_code == 302  # 12 < half of all 30: rejected

    _login(client, services, fed, "officer_zhang", "federation_officer")
    hub = client.get(f"/federation/regional-contracts/{rc}").text
    assert problems_of(visible_text(hub).replace("officer_zhang", "")) == []
    assert re.search(rf'data-member-vote="{a}".*?未通过', hub, re.S) and "本轮已结束，未表决" in hub
    assert '<span id="regional-stage">协商中</span>' in hub and "集体协商" in hub
