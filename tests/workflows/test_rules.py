"""Statutory thresholds: defaults from rules.md, configuration, and the vote and composition predicates."""

import dataclasses
import json
from fractions import Fraction

import pytest

from workflows.calendar import DayMode
from workflows.rules import (
    Majority,
    Rules,
    adopted,
    all_workers_are_representatives,
    contract_term_valid,
    extraordinary_session_supported,
    make_helpers,
    managers_within_cap,
    max_managers,
    min_representatives,
    negotiating_sides_valid,
    outside_experts_within_cap,
    presidium_composition_valid,
    proposal_cosigned,
    quorum_met,
    quorum_required,
    votes_required,
)

RULES = Rules()
AT_LEAST_HALF = Rules(adoption_rule=Majority.AT_LEAST_HALF)


def test_defaults_are_the_statutory_numbers_of_rules_md():
    assert RULES.reply_to_negotiation_request_days == 20  # 集体合同规定 第32条
    assert RULES.fill_representative_vacancy_days == 15  # 第31条
    assert RULES.filing_days == 10  # 第42条
    assert RULES.wage_filing_days == 7  # 工资集体协商试行办法
    assert RULES.review_days == 15  # 第45/47条
    assert (RULES.dispute_coordination_days, RULES.dispute_extension_days) == (30, 15)  # 第52条
    assert RULES.renewal_notice_months == 3  # 第38条
    assert RULES.contract_term_years == (1, 3)  # 第38条
    assert RULES.congress_quorum == Fraction(2, 3)
    assert RULES.adoption_rule is Majority.MORE_THAN_HALF
    assert RULES.day_mode is DayMode.CALENDAR


def test_every_rule_cites_its_source():
    sources = Rules.sources()

    assert set(sources) == {f.name for f in dataclasses.fields(Rules)}
    assert all(source.strip() for source in sources.values())
    assert "第32条" in sources["reply_to_negotiation_request_days"]


def test_rules_are_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        RULES.filing_days = 5


def test_quorum_is_at_least_two_thirds_of_all_seated_representatives():
    assert quorum_met(20, 30, RULES)  # exactly 2/3: 三分之二以上 includes it
    assert not quorum_met(19, 30, RULES)
    assert quorum_met(21, 31, RULES) and not quorum_met(20, 31, RULES)  # 2/3 of 31 = 20.67


def test_quorum_required_rounds_up():
    assert [quorum_required(n, RULES) for n in (30, 31, 32, 33)] == [20, 21, 22, 22]


def test_item_fails_when_in_favour_is_exactly_half_of_all_representatives():
    assert not adopted(20, 40, RULES)  # 过半数 (企业民主管理规定 第20条) is strictly more than half
    assert adopted(21, 40, RULES)


def test_majority_is_counted_against_all_seated_not_those_present():
    """第20条 "经全体职工代表的过半数通过": 25 of 40 present is a majority of those present, not of 60."""
    assert quorum_met(40, 60, RULES)
    assert not adopted(25, 60, RULES)
    assert adopted(31, 60, RULES)


def test_at_least_half_variant_adopts_exactly_half_art36():
    assert adopted(20, 40, AT_LEAST_HALF)  # 集体合同规定 第36条 "半数以上" includes half
    assert not adopted(19, 40, AT_LEAST_HALF)
    assert not adopted(20, 41, AT_LEAST_HALF) and adopted(21, 41, AT_LEAST_HALF)


def test_votes_required_per_majority_rule():
    assert [votes_required(n, RULES) for n in (40, 41)] == [21, 21]
    assert [votes_required(n, AT_LEAST_HALF) for n in (40, 41)] == [20, 21]


@pytest.mark.parametrize(("present", "seated"), [(31, 30), (-1, 30), (0, 0), (True, 30)])
def test_impossible_counts_are_rejected(present, seated):
    with pytest.raises(ValueError):
        quorum_met(present, seated, RULES)


@pytest.mark.parametrize(
    ("headcount", "expected"), [(200, 30), (600, 30), (620, 31), (1000, 50), (1001, 51), (31, 30)]
)
def test_representatives_are_at_least_thirty_and_five_percent_of_headcount(headcount, expected):
    assert min_representatives(headcount, RULES) == expected
    assert not all_workers_are_representatives(headcount, RULES)


@pytest.mark.parametrize("headcount", [1, 12, 30])
def test_enterprise_of_thirty_or_fewer_seats_every_worker(headcount):
    """No enterprise can seat more representatives than workers: every worker sits (a 职工大会)."""
    assert min_representatives(headcount, RULES) == headcount
    assert all_workers_are_representatives(headcount, RULES)


def test_managers_hold_at_most_twenty_percent_of_seats():
    assert max_managers(30, RULES) == 6 and max_managers(34, RULES) == 6
    assert managers_within_cap(6, 30, RULES)
    assert not managers_within_cap(7, 30, RULES)


def test_presidium_needs_half_workers_technicians_and_managers_art19():
    assert presidium_composition_valid(5, 10, RULES)
    assert not presidium_composition_valid(4, 9, RULES)


def test_extraordinary_session_needs_a_third_of_representatives():
    assert extraordinary_session_supported(10, 30, RULES)
    assert not extraordinary_session_supported(9, 30, RULES)


def test_negotiating_sides_are_equal_with_at_least_three_each_art19():
    assert negotiating_sides_valid(3, 3, RULES)
    assert not negotiating_sides_valid(2, 2, RULES)
    assert not negotiating_sides_valid(3, 4, RULES)


def test_outside_experts_are_at_most_a_third_of_their_side_art23():
    assert outside_experts_within_cap(1, 3, RULES) and outside_experts_within_cap(2, 6, RULES)
    assert not outside_experts_within_cap(2, 5, RULES)


def test_contract_term_is_one_to_three_years_art38():
    assert [contract_term_valid(y, RULES) for y in (0, 1, 3, 4)] == [False, True, True, False]


def test_proposal_needs_cosigners():
    assert proposal_cosigned(2, RULES) and not proposal_cosigned(1, RULES)
    assert proposal_cosigned(0, Rules(proposal_cosigners_min=0))


def test_rules_from_mapping_takes_flask_config_keys_and_strings():
    rules = Rules.from_mapping(
        {
            "RULE_FILING_DAYS": 15,
            "RULE_REVIEW_DAYS": "20",
            "congress_quorum": "3/4",
            "RULE_MAX_MANAGER_SHARE": 0.25,
            "rule_adoption_rule": "at_least_half",
            "RULE_CONTRACT_TERM_YEARS": "1-5",
            "RULE_DAY_MODE": "working",
        }
    )

    assert (rules.filing_days, rules.review_days) == (15, 20)
    assert rules.congress_quorum == Fraction(3, 4) and rules.max_manager_share == Fraction(1, 4)
    assert rules.adoption_rule is Majority.AT_LEAST_HALF
    assert rules.contract_term_years == (1, 5)
    assert rules.day_mode is DayMode.WORKING
    assert rules.reply_to_negotiation_request_days == 20


def test_rules_from_mapping_rejects_unknown_key():
    with pytest.raises(ValueError, match="RULE_FILNG_DAYS"):
        Rules.from_mapping({"RULE_FILNG_DAYS": 15})


def test_rules_from_mapping_rejects_a_rule_given_twice():
    with pytest.raises(ValueError, match="twice"):
        Rules.from_mapping({"RULE_FILING_DAYS": 15, "filing_days": 12})


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("filing_days", 0),
        ("filing_days", True),
        ("filing_days", "ten"),
        ("congress_quorum", "5/3"),
        ("congress_quorum", "1/0"),
        ("congress_quorum", 0),
        ("adoption_rule", "most"),
        ("contract_term_years", "3-1"),
        ("contract_term_years", [1, 2, 3]),
        ("day_mode", "lunar"),
    ],
)
def test_rules_from_mapping_rejects_invalid_values_naming_the_rule(key, value):
    with pytest.raises(ValueError, match=key):
        Rules.from_mapping({key: value})


def test_rules_from_config_ignores_other_config_keys():
    rules = Rules.from_config({"SECRET_KEY": "x", "SQLALCHEMY_URL": "sqlite://", "RULE_FILING_DAYS": 12})

    assert rules.filing_days == 12


def test_rules_round_trip_through_json():
    rules = Rules(congress_quorum=Fraction(3, 4), adoption_rule=Majority.AT_LEAST_HALF)

    assert Rules.from_mapping(json.loads(json.dumps(rules.as_dict()))) == rules


def test_helpers_bind_the_rules_for_bpmn_scripts():
    helpers = make_helpers(AT_LEAST_HALF)

    assert helpers["adopted"](20, 40) is True
    assert helpers["quorum_met"](19, 30) is False
    assert helpers["rule"]("filing_days") == 10
    assert helpers["rule"]("congress_quorum") == "2/3"
    with pytest.raises(ValueError, match="unknown rule"):
        helpers["rule"]("no_such_rule")


def test_proxies_are_off_by_default_and_configurable():
    assert Rules().proxies_allowed is False
    assert Rules.from_mapping({"RULE_PROXIES_ALLOWED": "true"}).proxies_allowed is True
    with pytest.raises(ValueError, match="proxies_allowed"):
        Rules.from_mapping({"RULE_PROXIES_ALLOWED": "perhaps"})


def test_congress_term_is_3_to_5_years_by_default_and_configurable():
    assert Rules().congress_term_years == (3, 5)
    assert Rules.from_mapping({"RULE_CONGRESS_TERM_YEARS": "3-4"}).congress_term_years == (3, 4)


def test_contract_adoption_is_at_least_half_by_default_art36_and_configurable():
    assert Rules().contract_adoption_rule is Majority.AT_LEAST_HALF
    assert Rules.from_mapping({"RULE_CONTRACT_ADOPTION_RULE": "more_than_half"}).contract_adoption_rule \
        is Majority.MORE_THAN_HALF
