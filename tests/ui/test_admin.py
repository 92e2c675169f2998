"""Admins: create a user with a password and roles, who can then log in; reset a password."""

from __future__ import annotations


def test_admin_creates_a_user_who_then_logs_in(ui):
    page = ui.login("admin")
    ui.nav("users")
    form = page.locator("#create-user")
    form.locator("input[name=username]").fill("hr_chen")
    form.locator("input[name=display_name]").fill("陈静")
    form.locator("input[name=roles]").fill("hr, representative")
    form.locator("input[name=password]").fill("short")
    form.locator("button[type=submit]").click()
    # The browser's minlength stops a short password; the server's policy says the same without it.
    assert page.locator("#created-token").count() == 0
    form.locator("input[name=password]").fill("a-long-enough-pass")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#created-token")
    assert page.inner_text("#created-token code.token").startswith("dmf_")  # the API token, shown once
    row = page.locator("tr[data-user=hr_chen]")
    assert "人力资源部" in row.inner_text() and "职工代表" in row.inner_text()
    ui.shot("users-zh", "用户管理", "hr_chen")

    row.locator(".password-form input[name=password]").fill("another-long-pass")
    row.locator(".password-form button").click()
    assert "已为 hr_chen 设置新密码" in page.inner_text(".flash.ok")
    page.click("#logout")

    page = ui.login("hr_chen", password="another-long-pass")
    assert ui.menu() == ["home", "tasks", ["flows", ["processes", "instances"]], "meetings", "proposals",
                         "disclosures", "casework", "inspections"]
