"""Each office's whole job in Chromium, every step on the pages (no API call in the tests).

The disclosure office: the owner department starts a missed period from the schedules, drafts with an
attachment and submits; the confidentiality officer clears it; the supervision group approves it; the owner posts
it on two channels and publishes; a worker asks anonymously; the owner answers from the questions queue; the
window closes (the test clock moves and the engine's worker runs, as in production); the supervision group
evaluates and closes it, and after the satisfaction survey it is archived.

The contract office: the union requests, the employer replies, both sides name their negotiators, agree the
preparation, the recorder records a meeting whose minutes both chiefs sign, a draft is tabled and agreed, the
presidium submits it to the congress (the vote itself is the congress console's, tested in
test_congress_console__browser.py), both chiefs sign, the employer files the package, the liaison records the
bureau's receipt, the review passes by the bureau's silence (第47条), the union publishes it and every worker
reads it (第48条).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from engine import passwords
from engine.deployments import deploy
from engine.errors import Conflict
from engine.identity import SYSTEM, create_user
from engine.worker import run_once
from workflows.catalog import read_folder
from workflows.congress import meetings
from workflows.contracts import record as contracts
from workflows.disclosure.catalogue import seed_catalogue
from workflows.disclosure.tables import Disclosure

from helpers.congress import convened_meeting
from helpers.contracts import PRESIDIUM, SHANGHAI, local

PASSWORD = "correct-horse-42"  # conftest.PASSWORD
PHONE = {"width": 390, "height": 844}


NAMES = {"bo_hr": "人力资源部 周敏", "bo_conf": "保密审查员 孙立", "bo_sup": "监督检查小组 吴刚",
         "bo_worker": "职工 郑红",
         "chief_u": "工会首席 王芳", "chief_e": "行政首席 李强", "bc_recorder": "记录员 陈静",
         "presidium1": "主席团 赵明", "bc_liaison": "联络员 刘洋", "bc_worker": "职工 何丽"}


def _account(services, username: str, *roles: str) -> None:
    with contextlib.suppress(Conflict):
        create_user(services.uow(), username, list(roles), actor=SYSTEM, display_name=NAMES.get(username))
    passwords.set_password(services.uow(), username, PASSWORD, actor=SYSTEM)


def _deploy(live_server, folder: str) -> None:
    deploy(live_server.services.uow(), read_folder(Path(live_server.app.config["BPMN_DIR"]) / folder), actor=SYSTEM)


def _as(ui, username: str):
    ui.page.context.clear_cookies()
    return ui.login(username)


def _tick(live_server, when: dt.datetime) -> None:
    """Time passes: the test clock moves and the engine's worker takes one pass (its timers fire)."""
    live_server.clock.set(when + dt.timedelta(minutes=1))
    run_once(live_server.services.uow)


@pytest.fixture
def moved_clock(live_server):
    """The shared server's clock is put back after a test that moves it."""
    start = live_server.clock.now()
    yield live_server.clock
    live_server.clock.set(start)


def _disclosure(live_server, did: int) -> Disclosure:
    unit = live_server.services.uow(readonly=True)
    with unit:
        return unit.session.get(Disclosure, did)


def test_the_disclosure_office_runs_a_disclosure_from_schedule_to_archive_in_the_browser(
        ui, live_server, moved_clock, tmp_path):
    services = live_server.services
    _deploy(live_server, "disclosure")
    seed_catalogue(services.uow())
    for username, role in (("bo_hr", "dept_hr"), ("bo_conf", "confidentiality_officer"),
                           ("bo_sup", "supervision_group"), ("bo_worker", "worker")):
        _account(services, username, role)

    page = _as(ui, "bo_hr")
    ui.nav("disclosure-office")
    page.click("#office-links a[href$='/schedules']")
    row = page.locator("#schedules tr", has_text="社会保险和企业年金缴纳情况")
    row.locator(".start-form button").click()
    page.wait_for_selector("text=已启动公开。")
    ui.shot("do-schedules-zh", "公开计划与到期事项", "待发布的公开", "人力资源部")
    page.click("#due a:has-text('社会保险和企业年金缴纳情况')")
    did = int(re.search(r"/disclosure-office/(\d+)", page.url).group(1))
    assert page.inner_text("#next-who") == "责任部门"
    page.fill("#content", "2025年第4季度社会保险缴纳情况：养老、医疗、失业、工伤、生育保险全额缴纳。")
    page.uncheck("#draft-form input[value='wechat']")
    page.click("#draft-form button")
    page.wait_for_selector("text=草稿已保存。")
    sheet = tmp_path / "缴费明细.csv"
    sheet.write_text("险种,金额\n养老,1200000\n", encoding="utf-8")
    page.set_input_files("#attach-file", str(sheet))
    page.click("#attach-form button")
    page.wait_for_selector("text=附件已上传。")
    ui.shot("do-desk-draft-zh", "编制公开内容", "缴费明细.csv", "附件")
    page.click("#submit-form button")
    page.wait_for_selector("text=已提交审查。")
    assert page.inner_text("#disclosure-status") == "保密审查中"

    page = _as(ui, "bo_conf")
    ui.nav("tasks")
    row = page.locator("tr", has_text=f"厂务公开 {_disclosure(live_server, did).title}")
    row.locator("a:has-text('保密与合法性审查')").click()
    page.click("#go-desk")  # the step is done on the disclosure's desk
    page.check("#check-form input[name='lawful']")
    page.select_option("#check-decision", "clear")
    page.click("#check-form button")
    page.wait_for_selector("text=已办理。")
    assert page.inner_text("#disclosure-status") == "监督审核中"

    page = _as(ui, "bo_sup")
    ui.go(f"/disclosure-office/{did}")
    for box in ("truthful", "complete", "timely"):
        page.check(f"#review-form input[name='{box}']")
    page.select_option("#review-decision", "approve")
    page.click("#review-form button")
    page.wait_for_selector("text=已办理。")
    assert page.inner_text("#disclosure-status") == "已审核待发布"

    page = _as(ui, "bo_hr")
    ui.go(f"/disclosure-office/{did}")
    for channel, where in (("notice_board", "一号楼公开栏"), ("intranet", "内网首页")):
        page.select_option("#posting-form select", channel)
        page.fill("#posting-form input[name='location']", where)
        page.click("#posting-form button")
        page.wait_for_selector(f"#postings li[data-channel='{channel}']")
    page.click("#publish-form button")
    page.wait_for_selector("text=已公开，意见反馈期开始。")
    assert page.inner_text("#disclosure-status") == "意见征集中"

    page = _as(ui, "bo_worker")
    ui.nav("disclosures")
    page.click("a:has-text('社会保险和企业年金缴纳情况')")
    assert "缴费明细.csv" in page.inner_text("#attachments")
    page.fill("#ask-body", "补缴的社会保险何时到账？")
    page.check("#ask-anonymous")
    page.click("#ask-submit")
    page.wait_for_selector(".question-body:has-text('补缴的社会保险何时到账？')")
    ui.shot("do-worker-asked-zh", "补缴的社会保险何时到账？", "匿名")

    page = _as(ui, "bo_hr")
    ui.go(f"/disclosure-office/{did}")
    assert "bo_worker" not in page.inner_text("#questions") and "匿名" in page.inner_text("#questions")
    page.fill("#questions textarea[name='answer']", "已于3月15日统一补缴到账。")
    page.locator("#questions form button").click()
    page.wait_for_selector("text=已答复。")
    ui.shot("do-desk-answered-zh", "已于3月15日统一补缴到账。", "一号楼公开栏", "内网首页")

    _tick(live_server, _disclosure(live_server, did).feedback_until)  # the feedback window closes
    page = _as(ui, "bo_sup")
    ui.go(f"/disclosure-office/{did}")
    assert page.inner_text("#disclosure-status") == "评估中"
    for box in ("truthful", "complete", "timely"):
        page.check(f"#evaluate-form input[name='{box}']")
    page.fill("#conclusion", "按期公开，答复及时。")
    page.click("#evaluate-form button")
    page.wait_for_selector("#archive-pending")
    assert page.inner_text("#disclosure-status") == "已关闭（测评中）"

    _tick(live_server, _disclosure(live_server, did).rating_until)  # the survey ends: the record is sealed
    page.reload()
    page.wait_for_selector("#archived")
    assert page.inner_text("#disclosure-status") == "已归档"
    ui.shot("do-desk-archived-zh", "已归档", "审查与审核记录", "按期公开，答复及时。", "保密审查员 孙立")
    page.set_viewport_size(PHONE)
    ui.shot("do-desk-archived-phone-zh", "已归档")
    page = _as(ui, "bo_worker")
    ui.go(f"/disclosures/{did}")
    ui.shot("do-worker-archived-phone-zh", "已于3月15日统一补缴到账。")


def _task_form(ui, contract_id: int, element: str, fill: dict[str, str | None]) -> None:
    """Open the contract's step from its hub and complete the step's form (None: tick that box or radio)."""
    page = ui.go(f"/contracts/{contract_id}")
    page.click(f"#open-steps li[data-element='{element}'] a")
    for selector, value in fill.items():
        if value is None:
            page.check(selector)
        elif page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)
    page.click("#complete")
    page.wait_for_selector(".flash.ok")  # 已完成: on to the next step of the case, or the case itself


def _hub_form(page, form: str, fields: dict[str, str], done: str) -> None:
    for name, value in fields.items():
        target = f"#{form} [name='{name}']"
        if page.locator(target).evaluate("e => e.tagName") == "SELECT":
            page.select_option(target, value)
        else:
            page.fill(target, value)
    page.click(f"#{form} button[type='submit']")
    page.wait_for_selector(f".flash:has-text('{done}')")


def _rows_form(page, form: str, name: str, rows: list[dict]) -> None:
    """Fill a rows form: the first row is there, each further one added with 添加一条; selects by their words."""
    for i, row in enumerate(rows):
        if i:
            page.click(f"#{form} button.add-row")
        for field, value in row.items():
            target = f"#{form} [name='{name}.{i}.{field}']"
            if value is True:
                page.check(target)
            elif page.locator(target).evaluate("e => e.tagName") == "SELECT":
                page.select_option(target, label=value)
            else:
                page.fill(target, value)


def test_the_union_and_the_employer_run_a_contract_to_filing_and_every_worker_reads_it_in_the_browser(
        ui, live_server, moved_clock):
    services = live_server.services
    _deploy(live_server, "contracts")
    for username, role in (("chief_u", "union_negotiator"), ("chief_e", "employer_negotiator"),
                           ("bc_recorder", "recorder"), ("presidium1", "presidium"), ("bc_liaison", "liaison"),
                           ("bc_worker", "worker")):
        _account(services, username, role)
    moved_clock.set(local("2026-03-02", "09:00"))

    page = _as(ui, "chief_u")
    ui.nav("contracts")
    page.click("a[href$='/contracts/new']")
    _hub_form(page, "request-form", {"kind": "comprehensive", "title": "2026—2028年集体合同（浏览器）",
                                     "enterprise": "华东机械", "union_name": "华东机械工会",
                                     "topics": "劳动报酬\n工作时间", "text": "提出集体协商要求。", "term_years": "3"},
              "协商要求已提出。")
    contract_id = int(re.search(r"/contracts/(\d+)$", page.url).group(1))
    assert page.inner_text("#next-who") == "被要求方"

    page = _as(ui, "chief_e")
    _task_form(ui, contract_id, "employer_reply", {"[name='reply_decision'][value='accept']": None,
                                                   "[name='reply_text']": "同意协商"})
    ui.go(f"/contracts/{contract_id}")
    _rows_form(page, "side-employer", "members", [
        {"name": "E首席", "person_id": "E001", "gender": "男", "credential": "法定代表人", "is_chief": True,
         "username": "chief_e"}, {"name": "E代表2", "person_id": "E002"}, {"name": "E代表3", "person_id": "E003"}])
    ui.shot("contract-negotiators-rows-zh", "谈判代表", "首席代表", "法定代表人")
    _hub_form(page, "side-employer", {}, "已保存。")
    page = _as(ui, "chief_u")
    ui.go(f"/contracts/{contract_id}")
    _rows_form(page, "side-union", "members", [
        {"name": "U首席", "person_id": "U001", "gender": "女", "credential": "工会主席", "is_chief": True,
         "username": "chief_u"}, {"name": "U代表2", "person_id": "U002"}, {"name": "U代表3", "person_id": "U003"}])
    _hub_form(page, "side-union", {}, "已保存。")
    _hub_form(page, "confirm-sides", {}, "已保存。")
    _hub_form(page, "preparation-form", {"topics": "工资", "first_meeting_on": "2026-03-20", "place": "会议室",
                                         "recorder_name": "记录员", "recorder_person_id": "X900",
                                         "recorder_username": "bc_recorder"}, "已保存。")
    page = _as(ui, "chief_e")
    ui.go(f"/contracts/{contract_id}")
    _hub_form(page, "confirm-preparation", {}, "已保存。")
    assert page.inner_text("#contract-stage") == "协商中"

    moved_clock.set(local("2026-03-20", "18:00"))
    page = _as(ui, "bc_recorder")
    ui.go(f"/contracts/{contract_id}")
    _hub_form(page, "meeting-form", {"held_on": "2026-03-20", "place": "会议室", "chair_side": "union",
                                     "union_position": "增长8%", "employer_position": "增长3%",
                                     "minutes": "双方陈述意见，约定下次提出草案。", "outcome": "continue"}, "已保存。")
    for chief in ("chief_u", "chief_e"):
        page = _as(ui, chief)
        ui.go(f"/contracts/{contract_id}")
        page.click("#meetings form button")
        page.wait_for_selector("text=已签认会议纪要。")
    page = _as(ui, "chief_u")
    ui.go(f"/contracts/{contract_id}")
    _rows_form(page, "draft-form", "clauses", [{"title": "劳动报酬", "text": "工资每年增长5%。"},
                                               {"title": "工作时间", "text": "每周40小时。"}])
    _hub_form(page, "draft-form", {}, "已保存。")
    for chief in ("chief_u", "chief_e"):
        page = _as(ui, chief)
        ui.go(f"/contracts/{contract_id}")
        page.click("#drafts form button")
        page.wait_for_selector(".flash.ok")
    assert page.inner_text("#contract-stage") == "草案已达成一致"
    ui.shot("ct-hub-agreed-zh", "草案已达成一致", "U首席", "E首席", "第1稿")

    contract = contracts.get_contract_record(services.uow(readonly=True), contract_id)
    ids = convened_meeting(services, 10, present=10, headcount=10, women_count=0, managers=0, women=0,
                           usernames=None, held_on=dt.date(2026, 3, 20), name="浏览器合同职代会")
    matter = meetings.add_matter(services.uow(), ids["meeting_id"], actor=PRESIDIUM, title=contract.title,
                                 matter_type=contracts.MATTER_TYPES[contract.kind]).id
    page = _as(ui, "presidium1")
    _task_form(ui, contract_id, "submit_to_congress", {"[name='matter_id']": str(matter),
                                                       "[name='paper_vote']": None})
    ui.go(f"/contracts/{contract_id}")
    assert "职代会表决" in page.inner_text("#adoption-vote")
    ui.shot("ct-hub-adoption-zh", "职代会审议", "主席团控制台")
    page.click("#to-console")  # the presidium enters the paper ballots' count on its console
    vote = contracts.get_contract_record(services.uow(readonly=True), contract_id).vote_id
    for key, value in (("ballots_issued", 10), ("ballots_cast", 10), ("valid", 10), ("for", 9), ("against", 1),
                       ("abstain", 0)):
        page.fill(f"#total-{vote}-{key}", str(value))
    page.click(f".close-vote-form[action$='/votes/{vote}/console/close'] .close-vote")
    page.wait_for_selector(".outcome")
    ui.go(f"/contracts/{contract_id}")
    assert page.inner_text("#contract-stage") == "首席代表签字"

    for chief in ("chief_u", "chief_e"):
        page = _as(ui, chief)
        ui.go(f"/contracts/{contract_id}")
        _hub_form(page, "sign-form", {}, "已签字")
    _hub_form(page, "filing-form", {"employer_document": "营业执照", "employer_number": "91310000X",
                                    "union_document": "工会法人资格证书", "union_number": "工法证0001",
                                    "representatives_statement": "工会选派；法定代表人指派。",
                                    "negotiation_statement": "经一次协商达成一致。"}, "已报送备案。")
    package = page.get_attribute("#filings a:has-text('备案材料')", "href")
    assert package and package.endswith("/filings/1/package.html")

    page = _as(ui, "bc_liaison")
    _task_form(ui, contract_id, "register_receipt", {"[name='received_on']": "2026-03-20",
                                                     "[name='receipt_no']": "沪人社备〔2026〕12号"})
    ui.go(f"/contracts/{contract_id}")
    assert page.inner_text("#contract-stage") == "审查中"
    ui.shot("ct-hub-under-review-zh", "审查中", "登记审查意见书", "15日内未提出异议")
    review = json.loads(contracts.get_contract_record(services.uow(readonly=True), contract_id).deadlines_json)
    _tick(live_server, dt.datetime.fromisoformat(review["review"]["due"]))  # 15 days of silence: effective
    page.reload()
    assert page.inner_text("#contract-stage") == "已生效"

    page = _as(ui, "chief_u")
    today = live_server.clock.now().astimezone(SHANGHAI).date().isoformat()
    _task_form(ui, contract_id, "publish", {"#f-channels input[value='notice_board']": None,
                                            "[name='published_on']": today})
    page = _as(ui, "bc_worker")
    ui.go("/contracts")
    page.click(f"tr[data-contract='{contract_id}'] a")
    page.wait_for_selector("text=第四十八条向全体职工公布")
    ui.shot("ct-notice-worker-zh", "2026—2028年集体合同（浏览器）", "工资每年增长5%")
    page.set_viewport_size(PHONE)
    ui.shot("ct-notice-worker-phone-zh", "第四十八条向全体职工公布")
