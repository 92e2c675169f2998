"""An election in Chromium: the presidium sets up the election of 3 employee supervisors (职工监事) from 5
candidates on the console, nominates them, has the scrutineers approved by a show of hands and opens the round;
three representatives vote on their phones (the other 57 ballots go through the domain service), the presidium
closes the round, each scrutineer confirms the count in their browser, publication is refused until all have,
then the result and the election notice are there for everyone."""

from __future__ import annotations

import datetime as dt

from engine import passwords
from engine.identity import SYSTEM, Actor, create_user
from workflows.congress import election_ballots, elections, meetings

from helpers.congress import CHAIR, make_congress
from helpers.elections import plan_marks

PASSWORD = "correct-horse-42"  # the browser tests' password (conftest.PASSWORD)
BROWSER_VOTERS = (58, 59, 60)  # the scrutineers, who also vote


def _account(services, username: str, role: str) -> None:
    create_user(services.uow(), username, [role], actor=SYSTEM)
    passwords.set_password(services.uow(), username, PASSWORD, actor=SYSTEM)


def _phone(ui, browser, live_server, username: str):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    person = type(ui)(context.new_page(), live_server)
    person.page.set_default_timeout(15_000)
    person.login(username)
    return context, person


def test_the_presidium_runs_an_election_and_scrutineers_confirm_in_their_browsers(ui, live_server, browser):
    services = live_server.services
    usernames = {i: f"el_rep{i}" for i in range(1, 61)}
    ids = make_congress(services, seats=60, linked=usernames, name="选举测试公司", starts_on=dt.date(2026, 3, 6))
    reps = {int(no[1:]): rep_id for no, rep_id in ids["representatives"].items()}
    _account(services, "el_chair", "presidium")
    for i in BROWSER_VOTERS:
        _account(services, usernames[i], "representative")
    matter = meetings.add_matter(services.uow(), ids["meeting_id"], matter_type="election", title="选举职工监事",
                                 actor=CHAIR)
    page = ui.login("el_chair")
    ui.go(f"/congress/meetings/{ids['meeting_id']}/console")
    page.click("#convene")
    page.wait_for_selector("text=会议已开始。")
    page.fill("#sheet-filter", "代表")
    page.click("#tick-all")
    page.click("#sheet-submit")
    page.wait_for_selector("text=已登记 60 人签到")

    page.click(f"li[data-matter='{matter.id}'] a.election-setup")
    page.fill("#post-title", "职工监事")
    page.fill("#seats", "3")
    page.click("#create-election")
    page.wait_for_selector("text=选举已设置，请提名候选人。")
    election_id = int(page.url.split("/elections/")[1].split("/")[0])
    nominations = [(1, "delegation", "第1代表团"), (2, "delegation", "第2代表团"), (3, "union", None),
                   (4, "representatives", [10, 11, 12]), (5, "delegation", "第1代表团")]
    for seat_no, by, who in nominations:
        page.select_option("#nominee", str(reps[seat_no]))
        page.select_option("#nominated-by", by)
        if by == "delegation":
            page.select_option("#nominee-delegation", who)
        if by == "representatives":
            page.select_option("#nominators", [str(reps[i]) for i in who])
        page.fill("#nominee-profile", f"代表{seat_no}：在一线岗位工作多年，热心职工事务。")
        page.click("#nominate")
        page.wait_for_selector(f"text=候选人 代表{seat_no} 已提名。")
    ui.shot("election-desk-candidates-zh", "选举管理", "代表团推荐", "工会推荐", "代表联名推荐", "代表4")

    page.click("#to-scrutineers")
    for seat_no in BROWSER_VOTERS:
        page.check(f"input[name=representative_id][value='{reps[seat_no]}']")
    page.check(f"input[name=chief][value='{reps[58]}']")
    assert page.is_disabled(f"input[name=representative_id][value='{reps[1]}']")  # a candidate
    page.click("#propose-submit")
    page.wait_for_selector("text=监票人名单已提出")
    page.fill("#hands-for", "58")
    page.click("#record-hands")
    page.wait_for_selector("text=监票人名单已经大会通过。")
    ui.shot("election-scrutineers-zh", "总监票人", "已通过", "赞成 58")

    early = _phone(ui, browser, live_server, usernames[58])
    early[1].go(f"/congress/meetings/{ids['meeting_id']}")
    assert early[1].page.locator("a.go-vote").count() == 0
    ui.go(f"/congress/elections/{election_id}/desk")
    page.click("#open-round")
    early[1].page.wait_for_selector("a.go-vote")  # the meeting page reloaded itself when the round opened
    page.wait_for_selector("text=投票已开始")
    round_id = elections.detail(services.uow(readonly=True), election_id)["rounds"][0]["id"]
    candidates = [c["id"] for c in elections.detail(services.uow(readonly=True), election_id)["candidates"]]

    phones, receipts = {}, {}
    for seat_no in BROWSER_VOTERS:
        context, person = early if seat_no == 58 else _phone(ui, browser, live_server, usernames[seat_no])
        phones[seat_no] = (context, person)
        person.go(f"/congress/meetings/{ids['meeting_id']}")
        person.page.click("a.go-vote")
        for n, cid in enumerate(candidates):
            person.page.check(f"input[name='mark-{cid}'][value='{'for' if n < 3 else 'against'}']")
        if seat_no == 58:
            person.shot("election-ballot-phone-zh", "选票", "职工监事：应选 3 名，最多赞成 3 名", "另选他人",
                        "赞成", "不赞成")
        person.page.click("#review")
        person.page.wait_for_selector("#cast")
        assert person.page.inner_text(f"li[data-candidate='{candidates[3]}'] .chosen") == "不赞成"
        if seat_no == 58:
            person.shot("election-confirm-phone-zh", "请核对您的选票", "投出后不能更改")
        person.page.click("#cast")
        receipts[seat_no] = person.page.inner_text("#receipt-code")
    rest = [i for i in range(1, 61) if i not in BROWSER_VOTERS]
    for seat_no, marks in plan_marks(dict(zip(candidates, (49, 44, 38, 33, 7), strict=True)), rest, 3).items():
        election_ballots.cast(services.uow(), round_id, {c: marks.get(c, "against") for c in candidates},
                              actor=Actor(usernames[seat_no], frozenset({"representative"})))

    ui.go(f"/congress/elections/{election_id}/desk")
    assert "已投票 60 / 出席 60" in page.inner_text("#rounds")
    page.click("button.close-round")
    page.wait_for_selector("text=已计票，请监票人确认计票结果。")
    for seat_no in BROWSER_VOTERS[:2]:
        person = phones[seat_no][1]
        person.go(f"/congress/meetings/{ids['meeting_id']}")
        person.page.click("a.go-confirm")
        assert "52" in person.page.inner_text("#result")  # the scrutineer sees the count before publication
        person.page.click("#confirm-count")
        person.page.wait_for_selector("text=您已确认计票结果。")
    ui.go(f"/congress/election-rounds/{round_id}")
    page.click("#publish")
    page.wait_for_selector("#el-error")
    assert "代表60" in page.inner_text("#el-error")  # refused: one scrutineer has not confirmed
    last = phones[60][1]
    last.go(f"/congress/election-rounds/{round_id}")
    last.shot("election-count-scrutineer-zh", "计票结果（待公布）", "我已核对，确认计票结果")
    last.page.click("#confirm-count")
    last.page.wait_for_selector("text=您已确认计票结果。")
    ui.go(f"/congress/election-rounds/{round_id}")
    page.click("#publish")
    page.wait_for_selector("text=选举结果已公布，公告已生成。")

    voter = phones[59][1]
    voter.go(f"/congress/election-rounds/{round_id}")
    text = voter.page.inner_text("#result")
    assert "当选：代表1、代表2、代表3" in text and "超过全体职工代表（60人）的半数" in text
    voter.page.fill("#receipt-input", receipts[59])
    voter.page.click("#receipt-submit")
    voter.page.wait_for_selector("#receipt-result")
    assert "已计入" in voter.page.inner_text("#receipt-result")
    voter.shot("election-result-phone-zh", "选举结果", "当选", "代表4", "未当选")
    notice = voter.page.request.get(voter.url(voter.page.get_attribute("#notice-pdf", "href")))
    assert notice.ok and notice.body().startswith(b"%PDF")
    voter.page.click("#notice-html")
    voter.shot("election-notice-zh", "职工代表大会选举结果公告", "当选人", "代表1、代表2、代表3", "总监票人")
    voter.go(f"/congress/election-rounds/{round_id}")
    voter.switch_language("en")
    voter.shot("election-result-phone-en", "Election result", "Elected: 代表1, 代表2, 代表3",
               "more than half of all 60 seated")
    for context, _ in phones.values():
        context.close()
