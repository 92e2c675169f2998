"""The federation's pages: the dashboard with its charts, a row per member and the exports, a member's public
records, and the regional contracts each member's workers see."""

from __future__ import annotations

import re

from engine import passwords, tenancy
from engine.identity import SYSTEM, create_user

from helpers.federation import REGIONAL_BODY, join, organisation, regional_in_force
from helpers.web import PASSWORD, csrf


def _login(client, services, org: int, username: str, *roles: str) -> None:
    with tenancy.acting_for(org):
        create_user(services.uow(), username, list(roles), actor=SYSTEM)
    passwords.set_password(services.uow(), username, PASSWORD, actor=SYSTEM)
    page = client.get("/login")
    if page.status_code == 302:
        client.post("/logout", data={"csrf_token": csrf(client.get("/").text)})
        page = client.get("/login")
    done = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf(page.text)})
    assert done.status_code == 302


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
    assert "浦东新区总工会" in html and "职代会建制率" in html and "<svg" in html
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
