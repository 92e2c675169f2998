"""People pickers in the browser: a representative delegates their task by typing part of a colleague's name and
choosing the suggestion (name first, login muted); the colleague then finds it among their own tasks."""

from __future__ import annotations

from engine.identity import SYSTEM, create_user
from engine.passwords import set_password

COLLEAGUE_PASSWORD = "zhao-horse-44"


def test_a_task_is_delegated_by_typing_part_of_a_colleagues_name_and_choosing_them(ui, live_server):
    create_user(live_server.services.uow(), "rep_zhaoxl", ["representative"], actor=SYSTEM, display_name="赵晓兰")
    set_password(live_server.services.uow(), "rep_zhaoxl", COLLEAGUE_PASSWORD, actor=SYSTEM)
    page = ui.login("rep")
    page.goto(ui.url("/processes"))
    page.locator("#process-proposal_intake button.start").click()
    page.wait_for_selector("#delegate-form")
    task_url = page.url

    page.fill("#delegate-to-text", "晓兰")
    choice = page.locator("#delegate-to ul.people-results button.person-choice", has_text="赵晓兰")
    choice.wait_for()
    assert "rep_zhaoxl" in choice.locator(".muted").inner_text()  # the login, muted, after the name
    ui.shot("delegate-picker-zh", "转办给", "赵晓兰")
    choice.click()
    assert page.input_value("#delegate-to-text") == "赵晓兰"
    assert page.input_value("#delegate-to input[type=hidden][name=to]") == "rep_zhaoxl"
    page.click("#delegate")
    page.wait_for_selector(".flash.ok")
    assert "已转办" in page.inner_text(".flash.ok")
    page.click("#logout")

    page = ui.login("rep_zhaoxl", password=COLLEAGUE_PASSWORD)
    page.goto(task_url)
    page.wait_for_selector("#task-assignee")
    assert "赵晓兰" in page.inner_text("#task-assignee") and "转办自" in page.inner_text("#task-assignee")
