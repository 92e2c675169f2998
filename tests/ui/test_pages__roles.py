"""Logging in as each role: the menu shows what the roles may use, in Chinese and in English."""

from __future__ import annotations

import pytest

from api.web import catalogue

FLOWS = ["flows", ["processes", "instances"]]  # a group: [its id, [its entries]]
MENUS = {
    "admin": ["home", "tasks", ["flows", ["processes", "instances", "modeler"]], "meetings",
              ["disclosure", ["disclosures", "disclosure-catalogue"]], "casework", "inspections", "audit",
              ["people", ["roster", "users", "departments", "organisations"]], "calendar"],
    "designer": ["home", "tasks", ["flows", ["processes", "instances", "modeler"]], "meetings", "disclosures",
                 "casework"],
    "auditor": ["home", FLOWS, "meetings", "disclosures", "casework", "inspections", "audit"],
    "rep": ["home", "tasks", FLOWS, "meetings", "proposals", "disclosures", "casework", "inspections"],
}
# Pages each role can open from its menu, with a text each must show in (zh-CN, en).
PAGES = {
    "/": ("民主管理程序的办理平台", "the procedures in one place"),  # the home page's own intro, no other page's
    "/tasks": ("我的待办", "My tasks"),
    "/processes": ("流程与版本", "Processes and versions"),
    "/instances": ("流程实例", "Cases"),
    "/audit": ("审计链完整", "audit trail is intact"),
    "/admin/users": ("新建用户", "New user"),
    "/admin/departments": ("部门管理", "Departments"),
    "/processes/proposal_intake/diff": ("版本比较", "Compare versions"),
}


@pytest.mark.parametrize("username", sorted(MENUS))
def test_each_role_logs_in_and_sees_only_its_menu(ui, username):
    page = ui.login(username)
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert ui.menu() == MENUS[username]
    ui.shot(f"home-{username}-zh", "您好", "退出")
    ui.switch_language("en")
    assert ui.menu() == MENUS[username]
    ui.shot(f"home-{username}-en", "Hello", "Log out")


def test_wrong_password_is_refused_and_pages_need_a_login(ui):
    page = ui.go("/tasks")
    assert "/login" in page.url
    ui.shot("login-zh", "登录", "用户名", "密码")
    page.fill("#username", "rep")
    page.fill("#password", "not-the-password")
    page.click("#login-submit")
    assert page.inner_text("#login-error") == "用户名或密码错误。"
    ui.switch_language("en")
    page.fill("#username", "rep")
    page.fill("#password", "correct-horse-42")
    page.click("#login-submit")
    page.wait_for_selector("#who")
    assert page.url.endswith("/tasks")  # back where the visitor was sent from
    page.click("#logout")
    page.wait_for_selector("#login-submit")
    assert page.locator("html").get_attribute("lang") == "en"  # the language survives the logout


def test_a_page_outside_the_roles_is_refused(ui):
    page = ui.login("rep")
    page.goto(ui.url("/admin/users"))
    assert "无权" in page.inner_text("#error-message")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_main_page_renders_in_both_languages(ui, lang):
    page = ui.login("admin", lang=lang)
    keys = catalogue.msgids()
    for path, expected in PAGES.items():
        response = page.goto(ui.url(path))
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == lang
        body = page.inner_text("body")
        assert expected[0 if lang == "zh-CN" else 1] in body, path
        shown_keys = [k for k in keys if k in body.split()]
        assert shown_keys == [], f"untranslated keys on {path}"
        if path in ("/processes", "/admin/users", "/audit", "/processes/proposal_intake/diff"):
            if "diff" in path:
                page.wait_for_selector("#viewer-b[data-state=ready]")
            ui.shot(f"page-{path.strip('/').split('/')[-1]}-{lang}", expected[0 if lang == "zh-CN" else 1])
