"""The installation's operator adds a district federation and an enterprise under it on the 组织管理 page; the
federation's officer reads the members' figures on the dashboard and opens a member's public records."""

from __future__ import annotations

import contextlib

from engine import passwords, tenancy
from engine.errors import Conflict
from engine.identity import SYSTEM, create_user

from .conftest import PASSWORD
from helpers.federation import organisation


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
    assert page.locator("svg").count() >= 1
    page.click("[data-member='jd-auto'] a")
    ui.shot("federation-member-zh", "嘉定汽车零部件有限公司")
