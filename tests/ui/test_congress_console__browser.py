"""The presidium's console in Chromium: convene, check in a paper sheet, open a secret vote; a representative
in a second browser sees the ballot appear and votes; the presidium sees the count rise without reloading,
closes, and the representative's page shows the result by itself."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from engine import passwords
from engine.identity import SYSTEM, create_user
from workflows.congress import meetings

from helpers.congress import CHAIR, make_congress

PASSWORD = "correct-horse-42"  # the browser tests' password (conftest.PASSWORD)


def _account(services, username: str, role: str) -> None:
    create_user(services.uow(), username, [role], actor=SYSTEM)
    passwords.set_password(services.uow(), username, PASSWORD, actor=SYSTEM)


def test_the_presidium_runs_a_secret_vote_and_everyone_sees_it_live(ui, live_server, browser):
    services = live_server.services
    ids = make_congress(services, linked={1: "cc_rep1"}, name="控制台测试公司", starts_on=dt.date(2026, 3, 5))
    _account(services, "cc_chair", "presidium")
    _account(services, "cc_rep1", "representative")
    meetings.add_matter(services.uow(), ids["meeting_id"], matter_type="welfare_fund_plan", title="福利基金使用方案",
                        actor=CHAIR)
    console = f"/congress/meetings/{ids['meeting_id']}/console"
    page = ui.login("cc_chair")
    ui.go(f"/congress/meetings/{ids['meeting_id']}")
    page.click("#to-console")
    page.click("#convene")
    page.wait_for_selector("text=会议已开始。")

    rep_context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    rep = type(ui)(rep_context.new_page(), live_server)
    rep.page.set_default_timeout(15_000)
    rep.login("cc_rep1")
    rep.go(f"/congress/meetings/{ids['meeting_id']}")
    rep.page.click("#check-in")
    rep.page.wait_for_selector("#checked-in")

    page.fill("#sheet-filter", "代表")
    page.click("#tick-all")  # everyone not yet checked in: 29 of the paper sheet
    page.click("#sheet-submit")
    page.wait_for_selector("text=已登记 29 人签到")
    assert page.inner_text("#live-present") == "30"
    ui.shot("console-checked-in-zh", "主席团控制台", "由 cc_chair 按签到表登记", "本人签到")

    page.click("button.open-vote")
    page.wait_for_selector(".live-count")
    assert page.inner_text(".live-count .cast") == "0"
    page.evaluate("window.notReloaded = true")
    rep.page.wait_for_selector("button.choice[data-choice=for]")  # appeared without a reload by the person
    rep.page.click("button.choice[data-choice=for]")
    rep.page.click("#cast")
    rep.page.wait_for_selector("#receipt-code")
    expect(page.locator(".live-count .cast")).to_have_text("1", timeout=10_000)  # polled, not reloaded
    assert page.url.endswith(console) and page.evaluate("window.notReloaded") is True
    ui.shot("console-vote-open-zh", "已投票", "无记名投票", "结束表决并计票")

    rep.go(f"/congress/meetings/{ids['meeting_id']}")
    page.click("button.close-vote")
    page.wait_for_selector(".outcome")
    assert "未通过" in page.inner_text(".outcome")  # 1 for out of 30 seated
    ui.shot("console-vote-closed-zh", "表决结果", "赞成 1，反对 0，弃权 0")
    rep.page.wait_for_selector("a.result-link")  # the representative's page updated by itself
    assert "未通过" in rep.page.inner_text("a.result-link")
    rep_context.close()
