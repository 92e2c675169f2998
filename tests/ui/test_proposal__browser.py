"""A proposal's whole life in Chromium, every step on the pages (no API call): a representative submits it,
picking the co-signers by name; the co-signers find the invitation on their home page, read the full text and
confirm; the committee registers and assigns it; the department replies; the proposer rates the reply; the
stage bar follows each step."""

from __future__ import annotations

import datetime as dt

from engine import departments, passwords
from engine.identity import SYSTEM, create_user

from helpers.congress import make_congress

PASSWORD = "correct-horse-42"  # the browser tests' password (conftest.PASSWORD)
TITLE = "关于增设职工子女暑期托管班的提案"
REASON = "暑假期间双职工家庭子女无人照看，职工请假困难。"
MEASURES = "工会与行政在七、八月开办托管班，费用由福利费补贴一半。"


def _account(services, username: str, *roles: str) -> None:
    create_user(services.uow(), username, list(roles), actor=SYSTEM)
    passwords.set_password(services.uow(), username, PASSWORD, actor=SYSTEM)


def _someone(ui, live_server, browser, username: str):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    person = type(ui)(context.new_page(), live_server)
    person.page.set_default_timeout(15_000)
    person.login(username)
    return person, context


def _pick(page, nth: int, typed: str, employee_no: str) -> None:
    box = page.locator("input[name=cosigners]").nth(nth)
    box.fill(typed)
    page.locator(f"button.person-choice[data-value='{employee_no}']").first.click()
    assert box.input_value() == employee_no


def test_a_proposal_goes_from_submission_to_rating_on_the_pages(ui, live_server, browser):
    services = live_server.services
    make_congress(services, seats=30, linked={1: "pp_rep1", 2: "pp_rep2", 3: "pp_rep3"}, name="提案流程测试公司",
                  starts_on=dt.date(2026, 3, 1))
    for username in ("pp_rep1", "pp_rep2", "pp_rep3"):
        _account(services, username, "representative")
    _account(services, "pp_committee", "proposal_committee")
    _account(services, "pp_dept", "handling_department")
    departments.save_department(services.uow(), "pp_welfare", name="职工福利部", members=["pp_dept"],
                                heads=["pp_dept"], actor=SYSTEM)

    page = ui.login("pp_rep1")
    ui.go("/congress/proposals")
    page.click("#new-proposal")
    page.fill("[name=title]", TITLE)
    page.fill("[name=reason]", REASON)
    page.fill("[name=measures]", MEASURES)
    _pick(page, 0, "代表2", "E0002")
    page.click("button.add-item")
    _pick(page, 1, "E0003", "E0003")
    ui.shot("proposal-submit-zh", "附议人", "代表3")
    page.click("#complete")
    page.wait_for_selector("#instance-status")

    for username in ("pp_rep2", "pp_rep3"):
        rep, context = _someone(ui, live_server, browser, username)
        invitation = rep.page.locator(".step-cosign a", has_text=TITLE)
        assert invitation.inner_text() == f"请为代表1的《{TITLE}》附议"
        if username == "pp_rep2":
            rep.shot("phone-home-cosign-zh", "请为", "附议")
        invitation.click()
        assert rep.page.inner_text("#proposal-reason") == REASON
        assert rep.page.inner_text("#proposal-measures") == MEASURES
        rep.page.click("#cosign-confirm")
        rep.page.wait_for_selector("text=已记录您的答复。")
        context.close()

    committee, context = _someone(ui, live_server, browser, "pp_committee")
    committee.page.click("#step-tasks a")  # 你有 N 项待办: the inbox, searched for this proposal
    committee.page.fill("#inbox-filters [name=q]", TITLE)
    committee.page.click("#inbox-filters button[type=submit]")
    committee.page.locator("#inbox tr", has_text=TITLE).locator("a", has_text="审查提案").click()
    committee.page.check("input[name=decision][value=accept]")
    committee.page.click("#complete")
    committee.page.wait_for_selector("[name=handling_department]")  # the next step is the committee's too: 交办
    committee.page.fill("[name=handling_department]", "职工福利部")
    committee.page.fill("[name=due_days]", "15")
    committee.page.click("#complete")
    committee.page.wait_for_selector("#instance-status")
    context.close()

    dept, context = _someone(ui, live_server, browser, "pp_dept")
    dept.page.locator("#step-tasks li", has_text=TITLE).locator("a", has_text="办理答复").click()
    dept.page.fill("[name=reply]", "同意开办暑期托管班，七月十日开班。")
    dept.page.fill("[name=measures_taken]", "已租用培训中心两间教室，聘请两名带班老师。")
    dept.page.fill("[name=signed_by]", "职工福利部 周红")
    dept.page.click("#complete")
    dept.page.wait_for_selector("#instance-status")
    context.close()

    ui.go("/")
    assert "已答复待评价" in page.inner_text("#my-proposals")
    page.locator("#step-tasks li", has_text=TITLE).locator("a", has_text="评价答复").click()
    page.check("input[name=satisfaction][value=satisfied]")
    page.click("#complete")
    page.wait_for_selector("#instance-status")
    ui.go("/")
    page.locator("#my-proposals a", has_text=TITLE).click()
    current = page.inner_text("#stage-bar li[aria-current=step]")
    assert current == "已评价", current
    assert page.locator("#stage-bar li.done").count() == 5
    ui.shot("proposal-stage-bar-zh", "征集附议", "已立案", "办理中", "已评价", "代表2（E0002）")
