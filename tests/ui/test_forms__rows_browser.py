"""A delegation records its deliberation opinions in Chromium: rows added and removed with buttons, Chinese
text typed, no JSON anywhere."""

from __future__ import annotations

import datetime as dt

from engine import inbox, passwords, runtime
from engine.identity import SYSTEM, Actor, create_user

from helpers.congress import make_congress

PASSWORD = "correct-horse-42"  # the browser tests' password (conftest.PASSWORD)


def _task(services, process_actor: Actor, instance_id: str, element_id: str) -> str:
    items = inbox.list_tasks(services.uow(readonly=True), process_actor,
                             inbox.TaskFilter(scope="all", instance_id=instance_id))["items"]
    return next(t["id"] for t in items if t["element_id"] == element_id)


def test_a_delegation_adds_and_removes_opinion_rows_and_submits_text(ui, live_server):
    services = live_server.services
    ids = make_congress(services, name="审议表单测试公司", starts_on=dt.date(2026, 3, 5))
    create_user(services.uow(), "fr_delegate", ["delegation"], actor=SYSTEM)
    passwords.set_password(services.uow(), "fr_delegate", PASSWORD, actor=SYSTEM)
    drafting = Actor("fr_drafting", frozenset({"drafting_group"}))
    admin = Actor("admin", frozenset({"admin"}))
    iid = runtime.start_instance(services.uow(), "resolution", actor=drafting,
                                 data={"meeting_id": ids["meeting_id"]})
    runtime.complete_task(services.uow(), _task(services, admin, iid, "draft"), {
        "title": "关于职工福利基金使用方案的决议（草案）", "text": "一、福利基金用于职工体检。",
        "matter_type": "welfare_fund_plan"}, actor=drafting)
    page = ui.login("fr_delegate")
    ui.go(f"/tasks/{_task(services, admin, iid, 'deliberate')}")
    assert page.locator("textarea[data-json]").count() == 0
    page.fill("[name='opinions.0.delegation']", "第一代表团")
    page.fill("[name='opinions.0.opinion']", "第三条增加眼科体检")
    page.click("button.add-row")
    page.click("button.add-row")
    assert page.locator(".sub-row").count() == 3
    page.fill("[name='opinions.1.delegation']", "误填")
    page.locator(".sub-row").nth(1).locator("button.remove-row").click()
    page.fill("[name='opinions.2.delegation']", "第二代表团")
    page.fill("[name='opinions.2.clause']", "第五条")
    page.fill("[name='opinions.2.opinion']", "同意")
    ui.shot("deliberation-rows-zh", "审议意见", "代表团", "涉及条款", "删除此条")
    page.click("#complete")
    page.wait_for_selector("#instance-status")
    data = page.inner_text("#instance-data")
    assert "第三条增加眼科体检" in data and "第二代表团" in data and "误填" not in data
