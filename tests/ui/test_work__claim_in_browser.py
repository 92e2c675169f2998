"""Who acts, in the browser: a representative's first task is theirs alone; the committee finds the next step
under 可认领, one member claims it from its page and it leaves the other's list; screenshots of each page."""

from __future__ import annotations

from engine.identity import SYSTEM, create_user
from engine.passwords import set_password

from helpers.pages import fill_proposal_form

SECOND_PASSWORD = "another-horse-43"
TITLE = "食堂扩建认领测试"


def test_a_committee_member_claims_a_pooled_task_and_it_leaves_the_others_list(ui, live_server):
    create_user(live_server.services.uow(), "committee2", ["proposal_committee"], actor=SYSTEM,
                display_name="委员二")
    set_password(live_server.services.uow(), "committee2", SECOND_PASSWORD, actor=SYSTEM)
    page = ui.login("rep")
    page.goto(ui.url("/processes"))
    page.locator("#process-proposal_intake button.start").click()
    page.wait_for_selector("#task-form")
    assert "办理人" in page.inner_text("#task-assignee")
    fill_proposal_form(page, title=TITLE)
    page.click("#logout")

    page = ui.login("committee")
    page.goto(ui.url(f"/tasks?scope=groups&q={TITLE}"))  # the browser tests share one server: find ours
    row = page.locator("#inbox tr", has_text=TITLE)
    assert row.count() == 1 and "审查提案" in row.inner_text()
    ui.shot("inbox-claimable-zh", "可认领", "审查提案", TITLE)
    row.locator("a", has_text="审查提案").click()
    page.wait_for_selector("#claim")
    ui.shot("task-pooled-zh", "认领", "尚无人认领", "转办")
    page.click("#claim")
    page.wait_for_selector("#unclaim")
    assert "已认领" in page.inner_text(".flash.ok")
    page.click("#logout")

    page = ui.login("committee2", password=SECOND_PASSWORD)
    page.goto(ui.url(f"/tasks?q={TITLE}"))
    page.wait_for_selector("#inbox-empty")
    ui.shot("inbox-without-the-claimed-task-zh", "目前没有待办任务")
