"""The installation's organisations page: its operator (an admin of organisation 1) lists enterprises and
federations and adds one; an enterprise's admin has no such page entry and cannot add one."""

from __future__ import annotations

from engine import tenancy
from engine.identity import SYSTEM, create_user

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
    assert again.status_code == 409 and "already exists" in again.text
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
