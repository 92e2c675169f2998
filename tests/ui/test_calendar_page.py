"""The legal calendar page (节假日与调休): an admin enters the State Council's days and its organisation's own,
sees those it inherits, removes its own; the operator confirms a year (民法典 第203条: a period ending on a
holiday runs on to the next working day)."""

from __future__ import annotations

import re

from engine import tenancy
from engine.identity import SYSTEM, create_user

from helpers.tenancy import organisation
from helpers.web import csrf, login

PAGE = "/admin/calendar"


def _post(client, path: str, **data):
    return client.post(path, data={**data, "csrf_token": csrf(client.get(PAGE).text)})


def _rows(html: str) -> dict[str, str]:
    return {day: ("own " if own == "1" else "inherited ") + re.sub(r"<[^>]+>|\s+", " ", row) for day, own, row in
            re.findall(r'<tr data-day="([\d-]+)" data-own="(\d)">(.*?)</tr>', html, re.S)}


def test_an_admin_enters_a_holiday_sees_it_and_removes_it_civil_code_art203(client):
    login(client, "ops", "admin")
    assert "尚未录入任何日子" in client.get(PAGE).text
    assert _post(client, f"{PAGE}/days", day="2026-10-08", kind="holiday", note="国庆节").status_code == 302
    assert _post(client, f"{PAGE}/days", day="2026-10-10", kind="working", note="国庆调休").status_code == 302
    page = client.get(PAGE).text
    rows = _rows(page)
    assert "已保存；0 个正在等待的期限随之调整。" in page
    assert "星期四" in rows["2026-10-08"] and "放假" in rows["2026-10-08"] and "国庆节" in rows["2026-10-08"]
    assert "调休上班" in rows["2026-10-10"] and rows["2026-10-10"].startswith("own")
    assert _post(client, f"{PAGE}/days/2026-10-08/remove").status_code == 302
    assert set(_rows(client.get(PAGE).text)) == {"2026-10-10"}
    refused = _post(client, f"{PAGE}/days", day="十月八日", kind="holiday")
    assert refused.status_code == 422 and "请填写日期并选择类型。" in refused.text


def test_the_operator_confirms_a_year_and_a_members_admin_enters_its_own_days_only(client, services):
    login(client, "ops", "admin")
    _post(client, f"{PAGE}/days", day="2027-02-10", kind="holiday", note="春节")
    assert _post(client, f"{PAGE}/years", year="2027", confirmed="1").status_code == 302
    assert "2027 年已确认" in client.get(PAGE).text
    member = organisation(services, "ent_b")
    with tenancy.acting_for(member):
        create_user(services.uow(), "b_admin", ["admin"], actor=SYSTEM)
    login(client, "b_admin")
    page = client.get(PAGE).text
    inherited = _rows(page)["2027-02-10"]
    assert inherited.startswith("inherited") and "春节" in inherited and "上级录入" in inherited
    assert "删除" not in inherited  # entered above it: not the member's to remove
    assert 'id="year-form"' not in page
    assert _post(client, f"{PAGE}/days", day="2027-03-05", kind="holiday", note="本地节日").status_code == 302
    assert _rows(client.get(PAGE).text)["2027-03-05"].startswith("own")
    assert _post(client, f"{PAGE}/days/2027-02-10/remove").status_code == 404  # not its own
    assert _post(client, f"{PAGE}/years", year="2028", confirmed="1").status_code == 403
    login(client, "ops")
    assert "2027-03-05" not in _rows(client.get(PAGE).text)  # the member's day is the member's


def test_only_admins_open_the_calendar_page(client):
    login(client, "rep1", "representative")
    assert client.get(PAGE).status_code == 403
