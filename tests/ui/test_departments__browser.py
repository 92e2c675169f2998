"""Departments in the browser: an admin ticks a department's members and heads by name in a filterable list
(no usernames to type), saves, and opens the department again to change it."""

from __future__ import annotations

from engine.identity import SYSTEM, create_user


def test_an_admin_ticks_a_departments_people_by_name_and_edits_it_again(ui):
    services = ui.server.services
    for username, name in (("qc_wang", "王质检"), ("qc_zhao", "赵检验")):
        create_user(services.uow(), username, ["member"], actor=SYSTEM, display_name=name)
    page = ui.login("admin")
    ui.nav("departments")
    page.fill("#dept-form input[name=code]", "qc")
    page.fill("#dept-form input[name=name]", "质量管理部")
    rows = page.locator("#dept-people-list tbody tr")
    total = rows.count()
    assert total > 3
    who, name = "qc_zhao", "赵检验"
    assert name in page.inner_text("#dept-people-list")
    page.fill("input[data-filter='#dept-people-list']", name)
    shown = page.locator("#dept-people-list tbody tr:visible")
    assert 1 <= shown.count() < total  # the list narrows to the name typed
    person = page.locator(f"#dept-people-list tr[data-person='{who}']")
    person.locator("input[name=member]").check()
    person.locator("input[name=head]").check()
    page.fill("input[data-filter='#dept-people-list']", "")
    assert page.locator("#dept-people-list tbody tr:visible").count() == total
    page.click("#dept-save")
    saved = page.locator("tr[data-dept=qc]")
    saved.wait_for()
    assert name in saved.inner_text() and who not in saved.inner_text()  # names on the page, not logins
    saved.locator("a.dept-edit").click()
    assert "质量管理部" in page.inner_text("#dept-editing")
    assert page.locator(f"#dept-people-list tr[data-person='{who}'] input[name=head]").is_checked()
    assert page.locator("#dept-people-list input[name=head]:checked").count() == 1
    ui.shot("departments-admin-edit", "成员与负责人", name)
