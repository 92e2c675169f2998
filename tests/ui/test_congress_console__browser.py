"""The presidium's console in Chromium: convene a congress of 60, check 38 in from a paper sheet after 2 checked
in themselves (40: the two-thirds quorum), open a secret vote; representatives in two other browsers see the
ballot appear and vote; the presidium sees the count rise without reloading, closes, and the representatives'
pages show the result by themselves; a plain worker reads it too. No API call: only pages."""

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


def _person(ui, live_server, browser, username: str, width: int = 390):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 844})
    person = type(ui)(context.new_page(), live_server)
    person.page.set_default_timeout(15_000)
    person.login(username)
    return person, context


def test_the_presidium_runs_a_secret_vote_and_everyone_sees_it_live(ui, live_server, browser):
    services = live_server.services
    ids = make_congress(services, seats=60, linked={1: "cc_rep1", 2: "cc_rep2"}, name="控制台测试公司",
                        starts_on=dt.date(2026, 3, 5))
    _account(services, "cc_chair", "presidium")
    _account(services, "cc_rep1", "representative")
    _account(services, "cc_rep2", "representative")
    _account(services, "cc_worker", "worker")
    meetings.add_matter(services.uow(), ids["meeting_id"], matter_type="welfare_fund_plan", title="福利基金使用方案",
                        actor=CHAIR)
    console = f"/congress/meetings/{ids['meeting_id']}/console"
    page = ui.login("cc_chair")
    ui.go(f"/congress/meetings/{ids['meeting_id']}")
    page.click("#to-console")
    page.click("#convene")
    page.wait_for_selector("text=会议已开始。")

    reps = [_person(ui, live_server, browser, "cc_rep1"), _person(ui, live_server, browser, "cc_rep2", 1024)]
    for rep, _ in reps:
        rep.go(f"/congress/meetings/{ids['meeting_id']}")
        rep.page.click("#check-in")
        rep.page.wait_for_selector("#checked-in")

    page.reload()
    boxes = page.locator("#people input[type=checkbox]")
    assert boxes.count() == 58  # the two who checked in themselves have no box
    for i in range(38):  # the paper sheet: 38 more signatures
        boxes.nth(i).check()
    page.click("#sheet-submit")
    page.wait_for_selector("text=已登记 38 人签到")
    assert page.inner_text("#live-present") == "40"
    ui.shot("console-checked-in-zh", "主席团控制台", "按签到表登记", "本人签到")

    page.click("button.open-vote")
    page.wait_for_selector(".live-count")
    assert page.inner_text(".live-count .cast") == "0"
    page.evaluate("window.notReloaded = true")
    for n, (rep, _) in enumerate(reps, start=1):
        rep.page.wait_for_selector("button.choice[data-choice=for]")  # appeared without a reload by the person
        rep.page.click("button.choice[data-choice=for]")
        rep.page.click("#cast")
        rep.page.wait_for_selector("#receipt-code")
        expect(page.locator(".live-count .cast")).to_have_text(str(n), timeout=10_000)  # polled, not reloaded
    assert page.url.endswith(console) and page.evaluate("window.notReloaded") is True
    ui.shot("console-vote-open-zh", "已投票", "无记名投票", "结束表决并计票")

    for rep, _ in reps:
        rep.go(f"/congress/meetings/{ids['meeting_id']}")
    page.click("button.close-vote")
    page.wait_for_selector(".outcome")
    assert "未通过" in page.inner_text(".outcome")  # 2 for out of 60 seated
    ui.shot("console-vote-closed-zh", "表决结果", "赞成 2，反对 0，弃权 0")
    for rep, _ in reps:
        rep.page.wait_for_selector("a.result-link")  # the representatives' pages updated by themselves
        assert "未通过" in rep.page.inner_text("a.result-link")
    reps[0][0].page.click("a.result-link")
    reps[0][0].page.wait_for_selector("text=赞成票超过全体职工代表半数")
    reps[0][0].shot("phone-vote-result-zh", "未通过")
    worker, worker_context = _person(ui, live_server, browser, "cc_worker")
    worker.go(f"/congress/meetings/{ids['meeting_id']}")
    worker.page.wait_for_selector("a.result-link")
    worker.page.click("a.result-link")
    worker.page.wait_for_selector("text=赞成票超过全体职工代表半数")
    for _, context in [*reps, (None, worker_context)]:
        context.close()
