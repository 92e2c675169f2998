"""Casework in the browser: a representative appraises on a phone (graded choices per item, one secret ballot)
and reads the results with their charts once voting closes; the casework pages read on a phone and a desktop."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from pathlib import Path

from engine import passwords
from engine.deployments import deploy
from engine.errors import Conflict
from engine.identity import SYSTEM, Actor, create_user
from engine.worker import run_once
from workflows.casework import appraisal, committee, home, mediation
from workflows.catalog import read_folder

from .conftest import NOW, PASSWORD

PHONE = {"width": 390, "height": 844}


def _setup(live_server) -> int:
    services = live_server.services
    with contextlib.suppress(Conflict):
        deploy(services.uow(), read_folder(Path(live_server.app.config["BPMN_DIR"]) / "casework"), actor=SYSTEM)
    home.seed_criteria(services.uow())
    for username, roles in (("rep_zhao", ["representative"]), ("union_he", ["union_committee"])):
        with contextlib.suppress(Conflict):
            create_user(services.uow(), username, roles, actor=SYSTEM)
        passwords.set_password(services.uow(), username, PASSWORD, actor=SYSTEM)
    return appraisal.create(services.uow(), title="2026年度工会工作满意度测评",
                            items=["职工食堂", "劳动保护", "文体活动"], scale="three", electorate="representatives",
                            closes_at=NOW + timedelta(days=3),
                            dissatisfied_share="1/3", actor=Actor("union_he", frozenset({"union_committee"})))


def test_a_representative_appraises_on_a_phone_and_reads_the_charted_results(ui, live_server):
    appraisal_id = _setup(live_server)
    page = ui.page
    page.set_viewport_size(PHONE)
    ui.login("rep_zhao")
    ui.nav("casework")
    page.click("[data-tile='ap']")
    page.click(f"[data-appraisal='{appraisal_id}'] a")
    page.wait_for_selector("#ballot")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ui.shot("casework-appraisal-ballot-phone", "职工食堂", "基本满意", "无记名")
    items = page.locator("#ballot fieldset[data-item]")
    for i, grade in enumerate(("dissatisfied", "satisfied", "basically_satisfied")):
        items.nth(i).locator(f"input[value='{grade}']").check()
    page.click("#ballot-submit")
    page.wait_for_selector("#ballot-state")
    ui.shot("casework-appraisal-voted-phone", "谢谢参与", "已投票 1 人")

    clock = live_server.clock
    try:
        clock.set(NOW + timedelta(days=3, minutes=1))
        run_once(live_server.services.uow)
        page.reload()
        page.wait_for_selector("#results")
        assert page.locator("#results figure.chart svg").count() == 3
        ui.shot("casework-appraisal-results-phone", "评议结果", "需跟进整改", "跟进线")
        page.set_viewport_size({"width": 1280, "height": 800})
        page.reload()
        ui.shot("casework-appraisal-results-desktop", "评议结果", "不满意比例")
    finally:
        clock.set(NOW)


def test_the_casework_pages_read_on_a_phone_and_a_desktop(ui, live_server):
    _setup(live_server)
    page = ui.page
    ui.login("union_he")
    for path, name, expected in (("/casework", "casework-hub", "困难帮扶"),
                                 ("/casework/home", "casework-home", "职工之家年度评估"),
                                 ("/casework/hardship/new", "casework-hardship-new", "家庭月收入"),
                                 ("/casework/legal-aid/new", "casework-legal-aid-new", "经济困难情况"),
                                 ("/casework/appraisals/new", "casework-appraisal-new", "评价等级")):
        for size, suffix in ((PHONE, "phone"), ({"width": 1280, "height": 800}, "desktop")):
            page.set_viewport_size(size)
            page.goto(ui.url(path))
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (path, suffix)
            ui.shot(f"{name}-{suffix}", expected)


def test_the_committee_accepts_a_mediation_from_its_inbox_in_the_browser(ui, live_server):
    _setup(live_server)
    services = live_server.services
    for username in ("md_chair", "md_mediator", "md_employer", "wk_zhou", "hr_lin"):
        with contextlib.suppress(Conflict):
            create_user(services.uow(), username, ["mediation_committee"] if username.startswith("md_") else [],
                        actor=SYSTEM)
        passwords.set_password(services.uow(), username, PASSWORD, actor=SYSTEM)
    committee.set_roster(services.uow(), [
        {"username": "md_chair", "side": "worker", "union_member": True, "chair": True},
        {"username": "md_mediator", "side": "worker", "union_member": True},
        {"username": "md_employer", "side": "employer"}], actor=SYSTEM)
    case_id = mediation.file_application(services.uow(), applicants_=["wk_zhou"], respondent="某某机械有限公司",
                                         claim="加班工资未足额支付，请求补发3200元。", oral=False,
                                         actor=Actor("wk_zhou", frozenset()))
    page = ui.page
    page.set_viewport_size(PHONE)
    ui.login("md_chair")
    page.goto(ui.url("/tasks?scope=groups"))
    page.locator("a", has_text="受理审查").first.click()
    page.click("#go-desk")  # the stage is done on the case page, not in a generic form
    page.wait_for_selector("#accept-form")
    assert f"/casework/mediations/{case_id}" in page.url
    page.select_option("#md-mediator", "md_mediator")
    page.select_option("#md-employer", "hr_lin")
    page.check("#md-declared")
    ui.shot("casework-mediation-accept-phone", "受理并指派调解员", "回避")
    page.click("#md-accept")
    page.wait_for_selector("#mediation-mediator")
    ui.shot("casework-mediation-accepted-phone", "调解中", "已受理")
