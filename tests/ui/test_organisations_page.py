"""The installation's organisations page: its operator (an admin of organisation 1) lists enterprises and
federations and adds one; an enterprise's admin has no such page entry and cannot add one."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from engine import tenancy
from engine.identity import SYSTEM, create_user
from engine.models import AuditEvent
from engine.worker import run_once

from helpers.bpmn import deadline_escalation
from helpers.tenancy import organisation
from helpers.web import csrf, login


def test_the_operator_adds_an_enterprise_below_a_federation_in_words(client, services):
    fed = organisation(services, "pudong", kind=tenancy.FEDERATION)
    assert fed
    login(client, "operator", "admin")
    page = client.get("/admin/organisations")
    assert page.status_code == 200
    assert "组织管理" in page.text and "工会联合会" in page.text and "pudong 有限公司" in page.text
    added = client.post("/admin/organisations", data={
        "csrf_token": csrf(page.text), "code": "hdjx", "name": "华东机械制造有限公司", "kind": "enterprise",
        "parent": "pudong", "region": "浦东新区", "industry": "机械制造", "headcount": "820"})
    assert added.status_code == 302
    listed = client.get("/admin/organisations").text
    assert "华东机械制造有限公司" in listed and "机械制造" in listed and "820" in listed
    again = client.post("/admin/organisations", data={"csrf_token": csrf(listed), "code": "hdjx", "name": "重复"})
    assert again.status_code == 409 and "该代码已被使用" in again.text
    client.post("/lang", data={"lang": "en", "csrf_token": csrf(listed)})
    english = client.get("/admin/organisations").text
    assert "Organisations" in english and "Trade-union federation" in english


def test_an_enterprise_admin_sees_no_organisations_page_entry_and_cannot_add_one(client, services):
    b = organisation(services, "ent_b")
    with tenancy.acting_for(b):
        create_user(services.uow(), "b_admin", ["admin"], actor=SYSTEM)
    login(client, "b_admin")
    home = client.get("/").text
    assert "/admin/organisations" not in home
    page = client.get("/admin/organisations")
    assert page.status_code == 200 and "ent_b" in page.text and "default" not in page.text
    refused = client.post("/admin/organisations", data={"csrf_token": csrf(page.text), "code": "c", "name": "c"})
    assert refused.status_code == 403


def _edit_form(page: str, **changes: str) -> dict[str, str]:
    """The edit form's fields as the page fills them, with `changes`."""
    inputs = dict(re.findall(r'<input[^>]* name="([a-z_]+)"[^>]*? value="([^"]*)"', page))
    selects = {}
    for name, body in re.findall(r'<select[^>]*name="([a-z_]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        selects[name] = chosen.group(1) if chosen else ""
    return {**inputs, **selects, "csrf_token": csrf(page), **changes}


def test_the_operator_edits_an_organisations_particulars_and_rule_overrides_in_words(client, services):
    fed = organisation(services, "pudong", kind=tenancy.FEDERATION)
    member = organisation(services, "hdjx")
    login(client, "operator", "admin")
    listed = client.get("/admin/organisations").text
    assert f'href="/admin/organisations/{member}"' in listed and "编辑" in listed
    page = client.get(f"/admin/organisations/{member}").text
    # Every rule by its Chinese name with the installation's value beside; zones by the names people use.
    assert "职代会召开间隔（月）" in page and "职代会表决通过标准" in page and "过半数" in page
    assert 'data-rule="session_interval_months"' in page and "北京时间" in page and "乌鲁木齐时间" in page
    assert "session_interval_months</td>" not in page and "Asia/Shanghai<" not in page

    # Refused values are named at their field, in Chinese, and nothing is saved.
    refused = client.post(f"/admin/organisations/{member}", data=_edit_form(
        page, rule_session_interval_months="半年", rule_congress_quorum="多数", headcount="-3",
        notice_reference_pattern="{org}职代〔{year}〕{seq}号"))
    assert refused.status_code == 422
    for field, text in (("rule_session_interval_months", "须为整数"), ("rule_congress_quorum", "须为分数或小数"),
                        ("headcount", "不小于0的整数"), ("notice_reference_pattern", "文号格式只能使用")):
        assert re.search(rf'id="error-{field}">[^<]*{text}', refused.text), field
    assert 'value="半年"' in refused.text  # what was typed stays in the form

    saved = client.post(f"/admin/organisations/{member}", data=_edit_form(
        page, name="华东机械制造有限公司", org_short_name="华东机械", parent="pudong", headcount="820",
        rule_session_interval_months="6", rule_adoption_rule="at_least_half", rule_proxies_allowed="true",
        notice_reference_pattern="{简称}职代〔{年份}〕{序号}号", time_zone="Asia/Urumqi"))
    assert saved.status_code == 302, saved.text
    body = client.get(f"/api/v1/organisations/{member}", headers=_operator_token(services)).get_json()
    assert body["name"] == "华东机械制造有限公司" and body["parent"] == "pudong" and body["headcount"] == 820
    assert body["settings"] == {"org_short_name": "华东机械",
                                "notice_reference_pattern": "{org_short}职代〔{year}〕{seq}号",
                                "time_zone": "Asia/Urumqi", "rule_session_interval_months": 6,
                                "rule_adoption_rule": "at_least_half", "rule_proxies_allowed": True}
    with tenancy.acting_for(member):
        assert services.rules.session_interval_months == 6 and services.rules.proxies_allowed is True
    again = client.get(f"/admin/organisations/{member}").text
    assert re.search(r'name="rule_session_interval_months"[^>]*value="6"', again)
    assert re.search(r'<option value="Asia/Urumqi" selected>乌鲁木齐时间', again)
    assert 'value="{简称}职代〔{年份}〕{序号}号"' in again and "{org_short}" not in again  # in words, as typed
    # Audited as the API audits it: who changed what, in the installation's system chain.
    uow = services.uow(readonly=True)
    with uow:
        [event] = uow.session.scalars(select(AuditEvent).where(AuditEvent.event_type == "organisation.changed"))
        assert event.actor == "operator" and event.chain == "system"
    assert fed


def test_a_zone_saved_on_the_edit_page_moves_the_waiting_15_day_deadline_and_says_how_many_art47_civil_code_art203(
        client, deploy, services, clock):
    clock.set(datetime(2026, 12, 4, 2, tzinfo=UTC))
    xj = organisation(services, "xj")
    assert deploy({"d.bpmn": deadline_escalation("review_15", "deadline(requested_at, 15)")}).status_code == 201
    with tenancy.acting_for(xj):
        _, token = create_user(services.uow(), "xj_hr", ["hr"], actor=SYSTEM)
    hr = {"Authorization": f"Bearer {token}"}
    started = client.post("/api/v1/instances", json={"process": "review_15", "data": {"requested_at": "2026-12-04"}},
                          headers=hr).get_json()

    def waiting_on() -> list[str]:
        found = client.get(f"/api/v1/instances/{started['id']}", headers=hr).get_json()
        return [t["element_id"] for t in found["ready_tasks"]]

    # 集体合同规定 第47条, 民法典 第201、203条: last day Monday 2026-12-21, over at its 24时 北京时间 (16:00 UTC).
    assert started["next_timer_at"] == "2026-12-21T16:00:00+00:00"
    login(client, "operator", "admin")
    page = client.get(f"/admin/organisations/{xj}").text
    saved = client.post(f"/admin/organisations/{xj}", data=_edit_form(page, time_zone="Asia/Urumqi"),
                        follow_redirects=True)
    assert saved.status_code == 200 and "组织信息已保存；时区已变更，1 个正在等待的期限按新时区重新计算。" in saved.text

    login(client, "xj_hr")
    task = client.get(f"/tasks/{started['ready_tasks'][0]['id']}").text
    assert "2026-12-22 00:00（乌鲁木齐时间）" in task and "北京时间" not in task
    clock.set(datetime(2026, 12, 21, 17, tzinfo=UTC))  # past 24时 北京时间, before 24时 乌鲁木齐时间
    run_once(services.uow)
    assert waiting_on() == ["reply"]
    clock.set(datetime(2026, 12, 21, 18, 1, tzinfo=UTC))
    run_once(services.uow)
    assert waiting_on() == ["escalate"]

    # In English, back to the installation's zone: the deadline has run out, nothing moves, and the page says so.
    login(client, "operator")
    page = client.get(f"/admin/organisations/{xj}").text
    client.post("/lang", data={"lang": "en", "csrf_token": csrf(page)})
    saved = client.post(f"/admin/organisations/{xj}", data=_edit_form(page, time_zone=""), follow_redirects=True)
    assert "its time zone changed, and 0 waiting deadlines were recomputed in the new zone" in saved.text


def test_an_enterprise_admin_cannot_open_an_organisations_edit_page(client, services):
    b = organisation(services, "ent_b")
    with tenancy.acting_for(b):
        create_user(services.uow(), "b_admin", ["admin"], actor=SYSTEM)
    login(client, "b_admin")
    assert "/admin/organisations/" not in client.get("/admin/organisations").text
    assert client.get(f"/admin/organisations/{b}").status_code == 403
    assert client.get(f"/admin/organisations/{tenancy.DEFAULT_ORG}").status_code == 403


def _operator_token(services) -> dict[str, str]:
    _, token = create_user(services.uow(), "operator_api", ["admin"], actor=SYSTEM)
    return {"Authorization": f"Bearer {token}"}
