"""Collective contracts: each side's negotiators and the preparation of the talks (第19–24、31、33条)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from engine.errors import Forbidden
from workflows.contracts import negotiators as contract_negotiators
from workflows.errors import RuleViolation
from workflows.rules import Rules

from helpers.contracts import EMPLOYER, UNION, check, local, side

# ---------------------------------------------------------------- representatives (第19–24、31条)

def refused(deal, union: list[dict], employer: list[dict], rule: str, article: str) -> None:
    deal.request()
    deal.reply()
    with pytest.raises(RuleViolation) as exc:
        deal.representatives(union, employer)
    check(exc, rule, article)
    assert deal.contract.stage == "representatives" and deal.contract.representatives_confirmed_at is None


def test_each_side_needs_at_least_three_representatives_art19(deal):
    refused(deal, side("union", 2), side("employer", 2), "negotiators_min_per_side", "第19条")


def test_each_side_has_exactly_one_chief_art19(deal):
    refused(deal, side("union", 3, chief={"is_chief": False}), side("employer"), "one_chief_per_side", "第19条")


def test_worker_chief_is_union_chair_or_written_delegate_art20(deal):
    refused(deal, side("union", 3, chief={"credential": "member"}), side("employer"), "worker_chief", "第20条")


def test_worker_chief_delegated_without_a_written_delegation_art20(deal):
    refused(deal, side("union", 3, chief={"credential": "written_delegation"}), side("employer"), "worker_chief",
            "第20条")


def test_employer_chief_is_legal_representative_or_written_delegate_art21(deal):
    refused(deal, side("union"), side("employer", 3, chief={"credential": "union_chair"}), "employer_chief", "第21条")


def test_written_delegate_may_be_chief_art20(deal):
    deal.request()
    deal.reply()
    delegate = {"credential": "written_delegation"}
    deal.representatives(side("union", chief={**delegate, "delegation_ref": "工会委〔2026〕1号"}),
                         side("employer", chief={**delegate, "delegation_ref": "授权书"}))
    assert deal.contract.stage == "preparation"


def test_sides_must_be_equal_in_number_art19(deal):
    deal.request()
    deal.reply()
    contract_negotiators.set_side(deal.s.uow(), deal.id, "union", side("union", 4), actor=UNION, rules=deal.s.rules)
    contract_negotiators.set_side(deal.s.uow(), deal.id, "employer", side("employer", 3), actor=EMPLOYER,
                                  rules=deal.s.rules)
    with pytest.raises(RuleViolation) as exc:
        contract_negotiators.confirm(deal.s.uow(), deal.id, actor=EMPLOYER, rules=deal.s.rules)
    check(exc, "negotiators_equal", "第19条")
    assert deal.contract.stage == "representatives" and deal.contract.representatives_confirmed_at is None


def test_outside_experts_at_most_one_third_art23(deal):
    deal.request()
    deal.reply()
    with pytest.raises(RuleViolation) as exc:
        deal.representatives(side("union", 3, outsiders=2), side("employer"))
    check(exc, "outside_experts_max_share", "第23条")
    deal.representatives(side("union", 6, outsiders=2), side("employer", 6, outsiders=2))
    assert deal.contract.stage == "preparation"


def test_outside_expert_cannot_be_chief_art23(deal):
    deal.request()
    deal.reply()
    with pytest.raises(RuleViolation) as exc:
        deal.representatives(side("union", 6, chief={"outside_expert": True}), side("employer", 6))
    check(exc, "outside_expert_not_chief", "第23条")


def test_nobody_on_both_sides_art24(deal):
    deal.request()
    deal.reply()
    union = side("union")
    employer = side("employer")
    employer[2] = {**union[1], "name": "两边都有的人"}
    with pytest.raises(RuleViolation) as exc:
        deal.representatives(union, employer)
    check(exc, "no_dual_roles", "第24条")
    assert [n["side"] for n in deal.detail()["negotiators"]] == ["union"] * 3  # the employer list was refused


def test_women_contract_includes_a_woman_negotiator_local_rule(deal):
    deal.request("women")
    deal.reply()
    with pytest.raises(RuleViolation) as exc:
        deal.representatives(side("union", women=False), side("employer"))
    check(exc, "women_negotiator", "女职工")
    assert "rules.md" not in exc.value.message and "地方规定" in exc.value.message


def test_women_negotiator_local_rule_can_be_turned_off(deal):
    """A province without the rule: RULE_WOMEN_NEGOTIATOR_REQUIRED=false accepts an all-male worker side."""
    rules = dataclasses.replace(deal.s.rules, women_negotiator_required=False)
    assert Rules.from_mapping({"RULE_WOMEN_NEGOTIATOR_REQUIRED": "false"}).women_negotiator_required is False
    deal.request("women")
    deal.reply()
    seated = contract_negotiators.set_side(deal.s.uow(), deal.id, "union", side("union", women=False), actor=UNION,
                                           rules=rules)
    assert len(seated) == 3


def test_vacancy_filled_within_15_days_art31(deal, clock):
    deal.start_negotiating()
    [seat] = [n for n in deal.detail()["negotiators"] if n["person_id"] == "E002"]
    vacancy = contract_negotiators.open_vacancy(deal.s.uow(), deal.id, seat["id"], reason="辞任",
                                                occurred_on=dt.date(2026, 3, 2), actor=EMPLOYER)
    assert deal.detail()["vacancies"][0]["last_day"] == dt.date(2026, 3, 17)
    assert deal.at(local("2026-03-17", "23:00")) == []
    assert deal.at(local("2026-03-18", "01:00")) == [deal.contract.instance_id]
    [row] = deal.detail()["vacancies"]
    assert row["overdue_at"] is not None and "contract.vacancy_overdue" in deal.events()
    contract_negotiators.fill_vacancy(deal.s.uow(), deal.id, vacancy.id, {
        "name": "新代表", "person_id": "E010", "is_chief": False, "credential": "member"}, actor=EMPLOYER,
        rules=deal.s.rules)
    assert deal.detail()["vacancies"][0]["filled_on"] == dt.date(2026, 3, 18)
    assert deal.contract.stage == "negotiating"


def test_vacancies_are_watched_one_after_another_each_with_its_own_15_days_art31(deal, clock):
    deal.start_negotiating()
    seats = {n["person_id"]: n["id"] for n in deal.detail()["negotiators"]}
    first = contract_negotiators.open_vacancy(deal.s.uow(), deal.id, seats["U003"], reason="更换",
                                              occurred_on=dt.date(2026, 3, 2), actor=UNION)
    clock.set(local("2026-03-05"))
    second = contract_negotiators.open_vacancy(deal.s.uow(), deal.id, seats["E002"], reason="辞任",
                                               occurred_on=dt.date(2026, 3, 5), actor=EMPLOYER)
    clock.set(local("2026-03-10"))
    contract_negotiators.fill_vacancy(deal.s.uow(), deal.id, first.id, {
        "name": "补选代表", "person_id": "U011", "is_chief": False, "credential": "member"}, actor=UNION,
        rules=deal.s.rules)
    vacancies = {v["id"]: v for v in deal.detail()["vacancies"]}
    assert vacancies[first.id]["last_day"] == dt.date(2026, 3, 17)
    assert vacancies[second.id]["last_day"] == dt.date(2026, 3, 20)  # handed over with its own deadline
    clock.set(local("2026-03-12"))
    contract_negotiators.fill_vacancy(deal.s.uow(), deal.id, second.id, {
        "name": "新代表", "person_id": "E011", "is_chief": False, "credential": "member"}, actor=EMPLOYER,
        rules=deal.s.rules)
    assert deal.fire(days=30) == []
    assert all(v["overdue_at"] is None for v in deal.detail()["vacancies"])
    assert "contract.vacancy_overdue" not in deal.events()


# ---------------------------------------------------------------- preparation (第33条)

def test_recorder_is_neutral_art33(deal):
    deal.request()
    deal.reply()
    deal.representatives()
    body = {"topics": ["工资"], "first_meeting_on": dt.date(2026, 3, 20), "place": "会议室",
            "recorder": {"name": "U代表2", "person_id": "U002"}}
    with pytest.raises(RuleViolation) as exc:
        contract_negotiators.propose_preparation(deal.s.uow(), deal.id, body, actor=UNION, rules=deal.s.rules)
    check(exc, "recorder_neutral", "第33条")
    contract_negotiators.propose_preparation(deal.s.uow(), deal.id, {**body, "recorder": {
        "name": "记录员", "person_id": "X900"}}, actor=UNION, rules=deal.s.rules)
    with pytest.raises(Forbidden):  # the recorder is agreed by both sides: the proposer cannot confirm alone
        contract_negotiators.confirm_preparation(deal.s.uow(), deal.id, actor=UNION)
    contract_negotiators.confirm_preparation(deal.s.uow(), deal.id, actor=EMPLOYER)
    assert deal.contract.stage == "negotiating"


def test_wage_information_supplied_5_days_before_first_meeting_art33(deal, clock):
    deal.request("wage")
    deal.reply()
    deal.representatives()
    with pytest.raises(RuleViolation) as exc:
        deal.prepare(first_meeting_on="2026-03-20", info_supplied_on="2026-03-16")
    check(exc, "wage_info_before_meeting_days", "5日")
    deal.prepare(first_meeting_on="2026-03-20", info_supplied_on="2026-03-15")
    assert deal.contract.stage == "negotiating"
