"""The installation's operator adds a district federation and an enterprise under it on the 组织管理 page; the
federation's officer reads the members' figures on the dashboard and opens a member's public records."""

from __future__ import annotations

import contextlib
import datetime as dt

from engine import passwords, tenancy
from engine.errors import Conflict
from engine.identity import SYSTEM, create_user

from .conftest import PASSWORD
from helpers.federation import closed_session, organisation


def _user(services, org: int, username: str, *roles: str) -> None:
    with tenancy.acting_for(org), contextlib.suppress(Conflict):
        create_user(services.uow(), username, list(roles), actor=SYSTEM)
    passwords.set_password(services.uow(), username, PASSWORD, actor=SYSTEM)


def test_the_operator_adds_a_federation_and_a_member_and_its_officer_reads_the_dashboard(ui, live_server):
    services = live_server.services
    _user(services, tenancy.DEFAULT_ORG, "operator_wu", "admin")
    page = ui.page
    ui.login("operator_wu")
    ui.go("/admin/organisations")
    for fields in ({"code": "jd-fed", "name": "嘉定区总工会", "kind": "federation", "region": "嘉定区"},
                   {"code": "jd-auto", "name": "嘉定汽车零部件有限公司", "kind": "enterprise", "parent": "jd-fed",
                    "region": "嘉定区", "industry": "汽车零部件", "headcount": "420"}):
        for name in ("code", "name", "region", "industry", "headcount"):
            if name in fields:
                page.fill(f"#org-form [name={name}]", fields[name])
        page.select_option("#org-form [name=kind]", fields["kind"])
        if "parent" in fields:
            page.select_option("#org-form [name=parent]", fields["parent"])
        page.click("#org-form [type=submit]")
        page.wait_for_selector(f"text={fields['name']}")
    ui.shot("organisations-admin-zh", "嘉定区总工会", "嘉定汽车零部件有限公司", "联合会")

    uow = services.uow(readonly=True)
    with uow:
        fed = tenancy.by_code(uow.session, "jd-fed").id
    organisation(services, "jd-mould", "嘉定精密模具厂", parent=fed, region="嘉定区", headcount=80)
    _user(services, fed, "officer_sun", "federation_officer")
    page.click("#logout")
    ui.login("officer_sun")
    ui.go("/federation")
    ui.shot("federation-dashboard-zh", "嘉定区总工会", "职代会建制率", "集体合同覆盖率", "厂务公开覆盖率",
            "嘉定汽车零部件有限公司", "嘉定精密模具厂")
    assert page.locator("#rates [data-rate]").count() == 4
    page.set_viewport_size({"width": 390, "height": 844})  # on a phone: the rates as readable as the page
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator("#rates [data-rate=congress]").inner_text().startswith("职代会建制率")
    assert page.locator("#rates [data-rate=congress] .rate-label").bounding_box()["height"] >= 14
    ui.shot("federation-dashboard-phone", "职代会建制率")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.click("[data-member='jd-auto'] a")
    ui.shot("federation-member-zh", "嘉定汽车零部件有限公司")


def _closed_session(services, clock, org: int, held_on: dt.date, name: str) -> None:
    """A congress session of `org` held and closed on `held_on` (the server's clock put back afterwards)."""
    before = clock.now()
    clock.set(dt.datetime.combine(held_on, dt.time(2), tzinfo=dt.UTC))
    try:
        closed_session(services, org, held_on, name, headcount=300, women=100)
    finally:
        clock.set(before)


def test_the_operator_sets_a_members_session_interval_and_the_dashboard_judges_it_by_it(ui, live_server):
    """1986 条例 第18条 (至少每半年召开一次): a member whose rules say 6 months, and whose congress last met 8 months
    ago, is overdue on the federation's dashboard once the operator sets its override on its edit page."""
    services, page = live_server.services, ui.page
    fed = organisation(services, "bs-fed", "宝山区总工会", kind=tenancy.FEDERATION, region="宝山区")
    member = organisation(services, "bs-steel", "宝山钢构有限公司", parent=fed, region="宝山区", headcount=260)
    _closed_session(services, live_server.clock, member, dt.date(2025, 7, 1), "宝山钢构有限公司")
    _user(services, fed, "officer_bao", "federation_officer")
    _user(services, tenancy.DEFAULT_ORG, "operator_bao", "admin")
    row = "[data-member='bs-steel']"

    ui.login("officer_bao")
    ui.go("/federation")
    assert "按期召开" in page.inner_text(row)  # 8 months ago is within the installation's 12
    page.click("#logout")

    ui.login("operator_bao")
    ui.go("/admin/organisations")
    page.click("[data-edit='bs-steel']")
    page.wait_for_selector("#org-rules")
    assert "职代会召开间隔（月）" in page.inner_text("[data-rule='session_interval_months']")
    assert "12" in page.inner_text("[data-rule='session_interval_months']")  # the installation's value beside
    page.fill("#rule_session_interval_months", "半年")
    page.click("#org-edit-save")
    page.wait_for_selector("#error-rule_session_interval_months")
    assert "须为整数" in page.inner_text("#error-rule_session_interval_months")
    page.fill("#rule_session_interval_months", "6")
    page.click("#org-edit-save")
    page.wait_for_selector("text=组织信息已保存")
    ui.shot("organisation-edit-zh", "宝山钢构有限公司", "职代会召开间隔（月）", "本系统配置值")
    page.click("#logout")

    ui.login("officer_bao")
    ui.go("/federation")
    assert "逾期未开" in page.inner_text(row) and "本单位规定每 6 个月至少召开一次" in page.inner_text(row)
