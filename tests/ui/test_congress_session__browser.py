"""The congress organisation in Chromium: the presidium starts the session, is refused a presidium with too few
frontline workers (民主管理规定 第19条), approves the preparatory meeting, closes the session, edits and approves
the minutes, which are published with their hash; a representative asks to speak and proposes an amendment."""

from __future__ import annotations

import datetime as dt
import hashlib

from engine import passwords
from engine.identity import SYSTEM, create_user
from workflows.congress import amendments, meetings, minutes

from helpers.congress import CHAIR, make_congress

PASSWORD = "correct-horse-42"  # the browser tests' password (conftest.PASSWORD)


def _account(services, username: str, role: str) -> None:
    create_user(services.uow(), username, [role], actor=SYSTEM)
    passwords.set_password(services.uow(), username, PASSWORD, actor=SYSTEM)


def test_preparatory_meeting_and_minutes_approval_in_the_browser(ui, live_server, browser):
    services = live_server.services
    ids = make_congress(services, linked={5: "ss_rep5"}, name="会议组织测试公司", starts_on=dt.date(2026, 3, 6))
    seat = {int(no[1:]): rep_id for no, rep_id in ids["representatives"].items()}
    meeting_id = ids["meeting_id"]
    _account(services, "ss_chair", "presidium")
    _account(services, "ss_rep5", "representative")
    report = meetings.add_matter(services.uow(), meeting_id, matter_type="report", title="厂长工作报告", actor=CHAIR)
    draft = meetings.add_matter(services.uow(), meeting_id, matter_type="resolution", title="职工培训办法",
                                actor=CHAIR)
    page = ui.login("ss_chair")
    ui.go(f"/congress/meetings/{meeting_id}")
    page.click("#to-session")
    page.click("#start-session")
    page.wait_for_selector("text=会议已启动，请召开预备会议。")

    for i in (1, 2, 3, 4):  # seats 1-3 are managers: 1 of 4 frontline
        page.check(f"#presidium-{seat[i]}")
    page.check("#agenda-approved")
    page.fill("#prep-votes-for", "25")
    page.click("#approve-preparatory")
    page.wait_for_selector("#ses-error")
    assert "主席团中一线职工和技术人员不足一半：1/4" in page.inner_text("#ses-error")
    ui.shot("session-preparatory-refused-zh", "预备会议", "民主管理规定 第19条")
    for i in (2, 3):  # the refused choice is still ticked
        page.uncheck(f"#presidium-{seat[i]}")
    for i in (5, 6):
        page.check(f"#presidium-{seat[i]}")
    for i in (10, 11):
        page.check(f"#scrutineers-{seat[i]}")
    page.check("#agenda-approved")
    page.fill("#prep-votes-for", "25")
    ui.shot("session-preparatory-zh", "主席团成员", "监票人", "厂长工作报告", "举手表决结果")
    page.click("#approve-preparatory")
    page.wait_for_selector("text=预备会议决定已通过，大会开始。")
    assert page.inner_text("#presidium-names") == "代表1、代表4、代表5、代表6"
    assert page.inner_text("#meeting-status") == "会议进行中"

    amendments.set_draft(services.uow(), draft.id, [{"number": 1, "title": "对象", "text": "全体职工参加培训。"},
                                                   {"number": 2, "title": "学时", "text": "每年不少于24学时。"}],
                         actor=CHAIR)
    rep_context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    rep = type(ui)(rep_context.new_page(), live_server)
    rep.page.set_default_timeout(15_000)
    rep.login("ss_rep5")
    rep.go(f"/congress/matters/{report.id}/floor")
    rep.page.fill("input[name=topic]", "食堂")
    rep.page.click("#ask-to-speak")
    rep.page.wait_for_selector("text=已申请发言，请等候主席团安排。")
    rep.go(f"/congress/matters/{draft.id}/floor")
    rep.page.click("text=提出修正案")
    rep.page.select_option("#amend-clause", "2")
    rep.page.fill("#amend-text", "每年不少于40学时。")
    rep.page.click("#propose-amendment")
    rep.page.wait_for_selector("text=修正案已提出，已列入议程并排在草案之前表决。")
    rep.shot("session-floor-amendment-zh", "发言名单", "修正案", "每年不少于40学时。", "待表决")
    rep_context.close()

    ui.go(f"/congress/matters/{report.id}/floor")
    page.click("button.call")
    page.click("button.spoken")
    page.wait_for_selector(".speaker-spoken")
    ui.go(f"/congress/meetings/{meeting_id}/session")
    page.click("#close-session")
    page.wait_for_selector("#minutes-text")
    text = page.input_value("#minutes-text")
    assert "应到代表30人，实到0人。" in text and "发言：代表5（食堂）" in text and "修正案（第2条，代表5提出）" in text
    page.fill("#minutes-text", text + "记录人：工会办公室")
    ui.shot("session-minutes-draft-zh", "会议纪要", "草稿（待主席团审定）", "审定并公布会议纪要")
    page.click("#approve-minutes")
    page.wait_for_selector("text=会议纪要已公布。")
    assert page.inner_text("#minutes-body").strip().endswith("记录人：工会办公室")
    stored = minutes.view(services.uow(readonly=True), meeting_id)
    assert page.inner_text("#minutes-hash") == hashlib.sha256(stored["text"].encode()).hexdigest() == stored["sha256"]
    ui.shot("session-minutes-published-zh", "已公布", "文件指纹（SHA-256）", "下载会议纪要")
