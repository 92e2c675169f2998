"""The inspection team records what it did and found, in the browser (职工代表巡视, rules.md §2.5): the team
member opens the inspection from the office list, ticks the methods, writes the findings as rows with owner
and deadline, and the findings table shows them; screenshots of the office list and the page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from engine import departments
from engine.deployments import deploy
from engine.identity import SYSTEM, Actor, create_user
from engine.passwords import set_password
from workflows.catalog import read_folder
from workflows.inspection import plan

from helpers.congress import make_congress

TEAM = ("insp_rep1", "insp_rep2", "insp_union")
PASSWORD = "correct-horse-42"


def _planned(server) -> int:
    services = server.services
    deploy(services.uow(), read_folder(Path(server.app.config["BPMN_DIR"]) / "inspection"), actor=SYSTEM)
    for username, name in zip(TEAM, ("巡视代表甲", "巡视代表乙", "工会干事"), strict=True):
        create_user(services.uow(), username, [], actor=SYSTEM, display_name=name)
        set_password(services.uow(), username, PASSWORD, actor=SYSTEM)
    make_congress(services, seats=30, linked={1: "insp_rep1", 2: "insp_rep2"}, name="巡视测试公司",
                  starts_on=dt.date(2025, 6, 1))
    departments.save_department(services.uow(), "canteen_ops", name="食堂管理科", members=[], heads=[],
                                actor=SYSTEM)
    row = plan.plan_inspection(services.uow(), {
        "title": "食堂安全和劳动保护巡视", "subject_kind": "safety", "scope": "厨房安全设施、劳动防护用品发放",
        "department": "canteen_ops", "team": list(TEAM), "starts_on": dt.date(2026, 3, 12),
        "ends_on": dt.date(2026, 3, 13)}, actor=Actor("insp_chair", frozenset({"union_chair"})))
    return row.id


def test_the_inspection_team_records_its_methods_and_findings_in_the_browser(ui, live_server):
    iid = _planned(live_server)
    page = ui.login("insp_rep1")
    page.goto(ui.url(f"/inspections/{iid}"))
    page.wait_for_selector("#findings-form")
    assert "巡视代表甲、巡视代表乙、工会干事" in page.inner_text("#team")
    for method in ("reports", "site_visits", "interviews", "questions"):
        page.check(f"#findings-form input[value='{method}']")
    rows = (("灭火器过期未更换", "食堂管理科 李科长", "2026-03-31"), ("防滑鞋未按季度发放", "食堂管理科", "2026-04-15"))
    for i, (text, owner, due_on) in enumerate(rows):  # the first row is there; the second is added
        if i:
            page.click("#findings-form button.add-row")
        page.fill(f"[name='findings.{i}.text']", text)
        page.fill(f"[name='findings.{i}.owner']", owner)
        page.fill(f"[name='findings.{i}.due_on']", due_on)
    ui.shot("inspection-team-records-findings-zh", "巡视并记录问题", "听取汇报", "质询", "食堂安全和劳动保护巡视")
    page.click("#findings-form button[type=submit]")
    page.wait_for_selector("#findings")
    assert "巡视记录已提交。" in page.inner_text(".flash.ok")
    table = page.inner_text("#findings")
    assert "灭火器过期未更换" in table and "2026-03-31" in table and "防滑鞋未按季度发放" in table
    assert page.locator("#findings-form").count() == 0 and "待答复" in page.inner_text("#status")
    ui.shot("inspection-findings-recorded-zh", "发现的问题", "答复期限", "北京时间")
    page.goto(ui.url("/inspections"))
    ui.shot("inspection-office-list-zh", "职工代表巡视", "食堂安全和劳动保护巡视", "待答复")
