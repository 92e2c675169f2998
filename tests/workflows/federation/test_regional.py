"""Regional and industry collective contracts (劳动合同法 第53–55条): adoption, filing dates, who is bound, floors."""

from __future__ import annotations

import datetime as dt

import pytest

from engine import tenancy
from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.identity import Actor
from engine.models import Organisation
from workflows.errors import RuleViolation
from workflows.federation import regional

from helpers.contracts import local
from helpers.federation import (
    REGIONAL_BODY,
    SESSION,
    VOTE,
    deploy_regional,
    fire_timers,
    liaison,
    officer,
    organisation,
    regional_in_force,
    step,
)


@pytest.fixture
def fed(services):
    return organisation(services, "pudong_fed", "浦东新区总工会", kind=tenancy.FEDERATION, region="浦东新区")


def _recorded(services, clock, fed: int, body: dict | None = None) -> int:
    deploy_regional(services)
    clock.set(local("2026-01-05"))
    with tenancy.acting_for(fed):
        return regional.create(services.uow(), body or REGIONAL_BODY, actor=officer(fed), rules=services.rules).id


def _vote(**counts) -> dict:
    return {**VOTE, **counts}


def _stage(services, fed: int, rc: int) -> str:
    with tenancy.acting_for(fed), (uow := services.uow(readonly=True)):
        return regional.get(uow.session, rc).stage


def test_a_regional_congress_adopts_with_two_thirds_present_and_half_of_all_in_favour_art36(services, clock, fed):
    rc = _recorded(services, clock, fed)
    who = officer(fed)
    with pytest.raises(Conflict):  # the vote comes after the negotiation
        step(services, fed, rc, "regional_congress_vote", _vote(), who)
    step(services, fed, rc, "negotiate", {**SESSION, "outcome": "congress"}, who)
    with pytest.raises(RuleViolation) as quorum:
        step(services, fed, rc, "regional_congress_vote", _vote(present=39, in_favour=39, against=0, abstained=0),
             who)
    assert quorum.value.rule == "regional_adoption" and "at least 40" in quorum.value.message
    with pytest.raises(ValidationFailed):
        step(services, fed, rc, "regional_congress_vote", _vote(present=40, in_favour=41, against=0, abstained=0),
             who)
    assert _stage(services, fed, rc) == "adoption"  # refused: the step stays open
    step(services, fed, rc, "regional_congress_vote", _vote(present=60, in_favour=29, against=31, abstained=0), who)
    assert _stage(services, fed, rc) == "negotiating"  # 29 < half of all 60 (集体合同规定 第36条): negotiate again
    step(services, fed, rc, "negotiate", {**SESSION, "outcome": "congress"}, who)
    step(services, fed, rc, "regional_congress_vote", _vote(present=40, in_favour=30, against=10, abstained=0), who)
    assert _stage(services, fed, rc) == "adopted"  # 30 = half of all 60 (半数以上 includes half)


def test_only_a_federations_officer_records_a_regional_contract(services, fed):
    member = organisation(services, "m", "成员", parent=fed, region="浦东新区")
    with tenancy.acting_for(member), pytest.raises(Forbidden):
        regional.create(services.uow(), REGIONAL_BODY, actor=officer(member), rules=services.rules)
    with tenancy.acting_for(fed), pytest.raises(Forbidden):
        regional.create(services.uow(), REGIONAL_BODY, actor=Actor("clerk", frozenset({"worker"}), org_id=fed),
                        rules=services.rules)


def test_the_term_is_one_to_three_years_art38(services, clock, fed):
    with pytest.raises(RuleViolation) as refused:
        _recorded(services, clock, fed, {**REGIONAL_BODY, "term_years": 5})
    assert refused.value.rule == "contract_term_years"


def test_receipt_follows_filing_follows_signature_and_effect_follows_15_days_of_review_art42_47(
        services, clock, fed):
    rc = _recorded(services, clock, fed)
    who, bureau = officer(fed), liaison(fed)
    step(services, fed, rc, "negotiate", {**SESSION, "outcome": "congress"}, who)
    step(services, fed, rc, "regional_congress_vote", _vote(present=50, in_favour=40, against=8, abstained=2), who)
    clock.set(local("2026-01-20"))
    with pytest.raises(ValidationFailed):  # not in the future
        step(services, fed, rc, "sign", {"signed_on": "2026-01-21"}, who)
    step(services, fed, rc, "sign", {"signed_on": "2026-01-10"}, who)
    with pytest.raises(RuleViolation):
        step(services, fed, rc, "file", {"filed_on": "2026-01-09"}, who)
    step(services, fed, rc, "file", {"filed_on": "2026-01-12"}, who)
    with pytest.raises(Forbidden):  # the bureau's liaison registers the receipt, not the federation
        step(services, fed, rc, "register_receipt", {"received_on": "2026-01-14"}, who)
    with pytest.raises(RuleViolation) as early:
        step(services, fed, rc, "register_receipt", {"received_on": "2026-01-11"}, bureau)
    assert early.value.rule == "receipt_after_filing"
    step(services, fed, rc, "register_receipt", {"received_on": "2026-01-14"}, bureau)
    assert _stage(services, fed, rc) == "under_review"
    assert fire_timers(services, clock, local("2026-01-29", "23:50")) == 0  # the last day of review is 01-29
    assert fire_timers(services, clock, local("2026-01-30", "00:10")) == 1
    with tenancy.acting_for(fed), (uow := services.uow(readonly=True)):
        row = regional.get(uow.session, rc)
        assert (row.stage, row.effective_on, row.expires_on) == ("effective", dt.date(2026, 1, 30),
                                                                 dt.date(2029, 1, 29))
        assert not regional.in_force(row, dt.date(2026, 1, 29)) and regional.in_force(row, dt.date(2026, 1, 30))


def test_a_contract_binds_the_members_of_its_region_or_industry_only_law54(services, clock, fed):
    industry = {**REGIONAL_BODY, "scope": "industry", "title": "餐饮行业集体合同", "industry": "餐饮",
                "region": None}
    industry.pop("region")
    regional_in_force(services, clock, fed)
    regional_in_force(services, clock, fed, industry)
    a = organisation(services, "a", "浦东餐饮", parent=fed, region="浦东新区", industry="餐饮")
    b = organisation(services, "b", "闵行餐饮", parent=fed, region="闵行区", industry="餐饮")
    c = organisation(services, "c", "闵行机械", parent=fed, region="闵行区", industry="机械")
    d = organisation(services, "d", "浦东外单位", region="浦东新区", industry="餐饮")  # in no federation
    with (uow := services.uow(readonly=True)):
        titles = {code: [r.title for r in regional.binding(uow.session, uow.session.get(Organisation, org),
                                                           dt.date(2026, 3, 1))]
                  for code, org in (("a", a), ("b", b), ("c", c), ("d", d))}
    assert titles == {"a": [REGIONAL_BODY["title"], "餐饮行业集体合同"], "b": ["餐饮行业集体合同"], "c": [], "d": []}


def test_a_local_text_below_a_floor_is_refused_naming_each_clause_law55(services, clock, fed):
    regional_in_force(services, clock, fed)
    member = organisation(services, "m", "浦东机械", parent=fed, region="浦东新区")
    clauses = [{"number": 1, "title": "工资", "text": "…", "key": "minimum_wage", "value": 2799.5},
               {"number": 2, "title": "增长", "text": "…", "key": "wage_growth", "value": 5},
               {"number": 3, "title": "工时", "text": "…", "key": "weekly_hours", "value": 40.5},
               {"number": 4, "title": "其他", "text": "…"}]
    with (uow := services.uow(readonly=True)):
        with pytest.raises(RuleViolation) as below:
            regional.check_floors(uow.session, member, clauses, dt.date(2026, 3, 1))
        assert [c[:4] for c in below.value.errors["clauses"]] == ["第1条「", "第3条「"]  # 5% meets the floor
        regional.check_floors(uow.session, member, clauses, dt.date(2026, 1, 20))  # not yet in force: no floor
        raised = [{**clauses[0], "value": 2800}, clauses[1], {**clauses[2], "value": 40}]
        regional.check_floors(uow.session, member, raised, dt.date(2026, 3, 1))
