"""A regional collective contract done in the browser (劳动合同法 第53–54条; 集体合同规定 第36–47条): the federation's
officer records the draft with its floor clauses on 区域性、行业性集体合同, negotiates, records the regional congress's
vote (第36条), the signature and the filing from the contract's page and the inbox; the bureau's liaison registers
the receipt; when the 15-day review passes in silence (第47条) a member's worker reads the contract in force."""

from __future__ import annotations

import contextlib
import datetime as dt

from sqlalchemy import select

from engine import passwords, tenancy
from engine.deployments import deploy
from engine.errors import Conflict
from engine.identity import SYSTEM, create_user
from engine.worker import fire_instance
from workflows.catalog import read_folder
from workflows.federation.tables import RegionalContract

from .conftest import NOW, PASSWORD
from helpers.api import ROOT
from helpers.federation import organisation

TITLE = "金山区中小企业区域性集体合同"


def _user(services, org: int, username: str, display: str, *roles: str) -> None:
    with tenancy.acting_for(org), contextlib.suppress(Conflict):
        create_user(services.uow(), username, list(roles), actor=SYSTEM, display_name=display)
    passwords.set_password(services.uow(), username, PASSWORD, actor=SYSTEM)


def _step(page, name: str) -> None:
    """Open the contract's open step ``name`` from its page."""
    page.click(f"#open-steps a:has-text('{name}')")
    page.wait_for_selector("#task-form")


def test_the_officer_does_a_regional_contract_and_a_members_worker_reads_it_in_force_law53_54_art47(ui, live_server):
    services, clock = live_server.services, live_server.clock
    deploy(services.uow(), read_folder(ROOT / "bpmn" / "federation"), actor=SYSTEM)
    fed = organisation(services, "js-fed", "金山区总工会", kind=tenancy.FEDERATION, region="金山区")
    member = organisation(services, "js-food", "金山食品有限公司", parent=fed, region="金山区", headcount=90)
    organisation(services, "js-print", "金山印刷厂", parent=fed, region="金山区", headcount=40)
    _user(services, fed, "officer_jin", "金敏（金山区总工会）", "federation_officer")
    _user(services, fed, "bureau_jin", "陆平（金山区人社局）", "liaison")
    _user(services, member, "worker_jin", "沈红（金山食品职工）", "worker")
    page = ui.page

    ui.login("officer_jin")
    ui.go("/federation/regional-contracts")
    page.check("#regional-form input[name='scope'][value='regional']")
    page.fill("[name='title']", TITLE)
    page.select_option("[name='region']", "金山区")
    page.fill("[name='employer_side']", "金山区企业联合会")
    page.fill("[name='clauses.0.title']", "劳动报酬")
    page.fill("[name='clauses.0.text']", "区域内企业职工月工资不低于2900元。")
    page.click("#f-clauses button.add-row")
    page.fill("[name='clauses.1.title']", "工作时间")
    page.fill("[name='clauses.1.text']", "每周工作时间不超过40小时。")
    page.select_option("[name='floors.0.key']", "minimum_wage")
    page.fill("[name='floors.0.value']", "2900")
    page.fill("[name='floors.0.unit']", "元/月")
    page.select_option("[name='floors.0.direction']", "min")
    ui.shot("regional-new-zh", "登记区域性、行业性集体合同草案", "最低标准条款", "不低于")
    page.click("#regional-create")
    page.wait_for_selector("#stage-bar")
    assert page.inner_text("#regional-stage") == "协商中"

    _step(page, "集体协商")
    assert page.input_value("[name='clauses.1.text']") == "每周工作时间不超过40小时。"  # the draft, to revise
    page.fill("[name='held_on']", "2026-03-02")
    page.fill("[name='place']", "金山区总工会会议室")
    page.fill("[name='summary']", "双方同意最低工资2900元、每周40小时。")
    page.check("input[name='outcome'][value='congress']")
    page.click("#complete")
    page.wait_for_selector("#task-form")  # the next step of the same case: the congress's vote
    assert "区域（行业）职代会表决" in page.inner_text("#task-title")
    page.check("input[name='body'][value='regional']")
    for name, value in (("held_on", "2026-03-02"), ("representatives_total", "45"), ("present", "29"),
                        ("in_favour", "29"), ("against", "0"), ("abstained", "0")):
        page.fill(f"[name='{name}']", value)
    page.click("#complete")  # 29 of 45: fewer than two thirds present (第36条)
    page.wait_for_selector("#form-errors")
    assert "三分之二" in page.inner_text("#form-errors")
    page.fill("[name='present']", "40")
    page.fill("[name='in_favour']", "36")
    page.fill("[name='against']", "4")
    page.click("#complete")
    page.wait_for_selector("#task-form")
    assert "签订合同" in page.inner_text("#task-title")
    page.fill("[name='signed_on']", "2026-03-02")
    page.click("#complete")
    page.wait_for_selector("#task-form")
    page.fill("[name='filed_on']", "2026-03-02")
    page.click("#complete")
    ui.go("/federation/regional-contracts")
    page.click(f"text={TITLE}")
    page.wait_for_selector("#stage-bar")
    assert page.inner_text("#regional-stage") == "已报送审查"
    assert "劳动保障行政部门联络员" in page.inner_text("#next-who")
    waiting = page.inner_text("#open-steps [data-element='register_receipt']")
    assert "登记审查机关收到文本" in waiting and "等待" in waiting  # the liaison's step: no button for the officer
    assert page.locator("#open-steps [data-element='register_receipt'] a").count() == 0
    history = page.inner_text("#history")
    assert "金敏（金山区总工会）" in history and "记录区域（行业）职代会表决" in history
    ui.shot("regional-contract-zh", TITLE, "已报送审查", "办理记录", "金敏（金山区总工会）", "不低于 2900 元/月")

    page.click("#logout")
    ui.login("bureau_jin")
    ui.go("/tasks")
    page.click("text=登记审查机关收到文本")
    page.wait_for_selector("#task-form")
    page.fill("[name='received_on']", "2026-03-02")
    page.fill("[name='receipt_no']", "金人社备〔2026〕7号")
    page.click("#complete")
    page.wait_for_load_state()

    with tenancy.acting_for(fed), (uow := services.uow(readonly=True)):
        instance_id = uow.session.scalar(select(RegionalContract.instance_id).where(RegionalContract.title == TITLE))
    try:  # the review ends with 2026-03-17 (第47条): the worker's timer makes it effective
        clock.set(dt.datetime(2026, 3, 17, 16, 30, tzinfo=dt.UTC))
        uow = services.uow()
        with uow:
            assert fire_instance(uow, instance_id)
            uow.commit()
        page.click("#logout")
        ui.login("worker_jin")
        ui.nav("regional-contracts")
        page.click(f"text={TITLE}")
        page.wait_for_selector("#regional-in-force")
        text = page.inner_text("main") if page.locator("main").count() else page.content()
        assert "2026-03-18" in text and "区域内企业职工月工资不低于2900元" in text
        ui.shot("regional-in-force-worker-zh", TITLE, "生效中", "不低于 2900 元/月", "约束力")
    finally:
        clock.set(NOW)
