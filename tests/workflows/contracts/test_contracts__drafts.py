"""Collective contracts: negotiation meetings, drafts, suspension and disputes (第34–35条, 第49–54条)."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.errors import Conflict, Forbidden
from engine.identity import Actor
from workflows.contracts import drafts as contract_drafts
from workflows.contracts import record as contracts
from workflows.contracts import request
from workflows.errors import RuleViolation

from helpers.contracts import EMPLOYER, LIAISON, UNION, check, local

# ---------------------------------------------------------------- negotiation (第34–35条, 第49–54条)

def test_chiefs_chair_meetings_in_turn_art34(deal):
    deal.start_negotiating("wage")
    with pytest.raises(RuleViolation) as exc:  # a wage negotiation's first meeting: the requesting side chairs
        deal.meeting("employer")
    check(exc, "chairs_alternate", "第34条")
    deal.meeting("union")
    with pytest.raises(RuleViolation) as exc:
        deal.meeting("union", held_on="2026-03-25")
    check(exc, "chairs_alternate", "第34条")
    assert deal.meeting("employer", held_on="2026-03-25").number == 2


def test_meeting_before_the_agreed_first_day_is_refused_art33(deal):
    deal.start_negotiating()  # the first meeting agreed for 2026-03-20
    with pytest.raises(RuleViolation) as exc:
        deal.meeting(held_on="2026-03-19")
    check(exc, "meeting_after_agreed_first_day", "第33条")
    assert deal.detail()["meetings"] == []
    assert deal.meeting(held_on="2026-03-20").number == 1


def test_draft_agreed_by_both_chiefs_after_signed_minutes_art34(deal):
    deal.start_negotiating()
    version = deal.draft()
    deal.meeting(sign=False)
    with pytest.raises(RuleViolation) as exc:
        contract_drafts.agree(deal.s.uow(), deal.id, version, actor=UNION)
    check(exc, "minutes_signed", "第34条")
    for chief in (UNION, EMPLOYER):
        contract_drafts.sign_minutes(deal.s.uow(), deal.id, 1, actor=chief)
    with pytest.raises(Forbidden):  # only the chief representatives declare agreement
        contract_drafts.agree(deal.s.uow(), deal.id, version, actor=Actor("member", frozenset({"union_negotiator"})))
    contract_drafts.agree(deal.s.uow(), deal.id, version, actor=UNION)
    assert deal.contract.stage == "negotiating" and deal.ready() == []
    contract_drafts.agree(deal.s.uow(), deal.id, version, actor=EMPLOYER)
    assert deal.contract.stage == "agreed" and deal.ready() == ["submit_to_congress"]


def test_suspension_resumes_on_the_agreed_date_art35(deal, clock):
    deal.start_negotiating()
    deal.meeting(outcome="suspended", resume_on="2026-04-01", sign=False)
    contract_drafts.sign_minutes(deal.s.uow(), deal.id, 1, actor=UNION)
    assert deal.contract.stage == "negotiating"  # both sides agree a suspension: one signature is not enough
    contract_drafts.sign_minutes(deal.s.uow(), deal.id, 1, actor=EMPLOYER)
    assert deal.contract.stage == "suspended"
    with pytest.raises(Conflict):
        deal.meeting(held_on="2026-03-25")
    assert deal.at(local("2026-03-31", "23:59")) == []
    assert deal.at(local("2026-04-01", "00:01")) == [deal.contract.instance_id]
    assert deal.contract.stage == "negotiating"
    assert deal.meeting(held_on="2026-04-01").number == 2


def test_dispute_coordination_within_30_days_extendable_by_15_art52(deal, clock):
    deal.start_negotiating()
    request.apply_for_coordination(deal.s.uow(), deal.id, "工资增长幅度分歧", actor=UNION)
    assert deal.contract.stage == "dispute" and deal.ready() == ["accept_dispute"]
    clock.set(local("2026-03-05"))
    deal.complete("accept_dispute", {"accepted_on": "2026-03-05", "coordinators": ["人社局甲", "总工会乙"]}, LIAISON)
    assert deal.detail()["deadlines"]["coordination"]["last_day"] == "2026-04-07"  # 03-05 + 30 = 04-04 (清明) -> 04-07
    assert deal.at(local("2026-04-07", "23:00")) == []
    assert deal.at(local("2026-04-08", "01:00")) == [deal.contract.instance_id]
    assert deal.ready() == ["extend_coordination"]
    with pytest.raises(RuleViolation) as exc:  # the rule, not only the form, caps the extension
        deal.s.runtime.context["rules"] = type(deal.s.rules).from_mapping({"dispute_extension_days": 10})
        try:
            deal.complete("extend_coordination", {"extension_days": 12, "extension_reason": "需补充调查"}, LIAISON)
        finally:
            deal.s.runtime.context["rules"] = deal.s.rules
    check(exc, "dispute_extension_days", "第52条")
    deal.complete("extend_coordination", {"extension_days": 15, "extension_reason": "需补充调查"}, LIAISON)
    assert deal.detail()["deadlines"]["coordination"]["last_day"] == "2026-04-22"
    assert deal.at(local("2026-04-23", "01:00")) == [deal.contract.instance_id]
    assert deal.ready() == ["coordinate_late"]  # extended once only: the overdue is recorded
    assert "contract.coordination_overdue" in deal.events()
    deal.complete("coordinate_late", {"agreement_text": "工资增长4%", "agreement_signed_on": "2026-04-23",
                                      "signatories": ["人社局甲", "U首席", "E首席"]}, LIAISON)
    contract = deal.detail()
    assert contract["stage"] == "negotiating" and contract["disputes"][0]["extended_days"] == 15
    deal.meeting(held_on="2026-04-24")
    deal.agree()  # negotiation resumes and can end in agreement
    assert deal.ready() == ["submit_to_congress"]


def test_negotiation_rounds_are_capped(deal, clock):
    deal.start_negotiating()
    for n in range(contracts.MAX_ROUNDS):
        day = dt.date(2026, 3, 20) + dt.timedelta(days=2 * n)
        deal.meeting(held_on=day.isoformat(), outcome="suspended", resume_on=(day + dt.timedelta(days=1)).isoformat())
        deal.fire(days=2)
    assert deal.contract.stage == "abandoned" and deal.instance()["status"] == "completed"
