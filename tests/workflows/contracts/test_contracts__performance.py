"""Collective contracts in force: the union's yearly performance report to the congress (第25条, 第55条)."""

from __future__ import annotations

import pytest

from engine.errors import Conflict, Forbidden
from engine.identity import Actor
from workflows import documents
from workflows.congress import meetings
from workflows.contracts import performance
from workflows.errors import RuleViolation

from helpers.congress import convened_meeting
from helpers.contracts import EMPLOYER, PRESIDIUM, check
from helpers.contracts_in_force import bring_in_force

UNION_CHAIR = Actor("chair", frozenset({"union_chair"}))
OBLIGATIONS = [{"clause": "第3条 工资每年增长不低于5%", "owner": "人力资源部", "due_on": "2026-07-01", "status": "met"},
               {"clause": "第7条 每年组织一次职业健康体检", "owner": "安全环保部", "status": "not_met",
                "note": "体检推迟至明年"}]


@pytest.fixture
def reported(deal, clock, services):
    bring_in_force(deal, clock)
    meeting = convened_meeting(services, 10, present=10, headcount=10, women_count=0, managers=0, women=0,
                               usernames=None, name="履行报告")["meeting_id"]
    body = {"year": 2026, "meeting_id": meeting, "summary": "合同总体履行良好。", "obligations": OBLIGATIONS}
    return deal, body, performance.report_performance(services.uow(), deal.id, body, actor=UNION_CHAIR)


def test_union_reports_performance_to_the_congress_as_a_matter_heard_art25_art55(reported, services):
    deal, body, row = reported
    [matter] = [m for m in meetings.list_matters(services.uow(readonly=True), body["meeting_id"])
                if m.id == row.matter_id]
    assert matter.mode == "hear" and matter.title == "2026年度集体合同履行情况报告"
    page = documents.get(services.uow(readonly=True), row.document_id).content.decode()
    assert "体检推迟至明年" in page and "未履行" in page
    assert deal.events("contract.performance") == ["contract.performance_reported"]
    [listed] = performance.reports_of(services.uow(readonly=True), deal.id)
    assert listed["year"] == 2026 and listed["obligations"][1]["status"] == "not_met"


def test_each_year_is_reported_once_and_only_years_in_force_art25_art55(reported, services):
    deal, body, _ = reported
    with pytest.raises(Conflict):
        performance.report_performance(services.uow(), deal.id, body, actor=UNION_CHAIR)
    with pytest.raises(RuleViolation) as before:
        performance.report_performance(services.uow(), deal.id, body | {"year": 2025}, actor=UNION_CHAIR)
    check(before, "performance_year", "第55条")


def test_the_union_side_reports_not_the_employer_art55(reported, services):
    deal, body, _ = reported
    for actor in (EMPLOYER, PRESIDIUM):
        with pytest.raises(Forbidden):
            performance.report_performance(services.uow(), deal.id, body | {"year": 2027}, actor=actor)
