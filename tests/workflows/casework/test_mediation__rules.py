"""The statutory rules of labour-dispute mediation that dmflow enforces outside the diagram."""

from __future__ import annotations

import pytest

from workflows.casework.committee import check_composition
from workflows.errors import RuleViolation
from workflows.rules import Rules

WORKER_CHAIR = {"username": "a", "side": "worker", "union_member": True, "chair": True}
EMPLOYER = {"username": "b", "side": "employer", "union_member": False, "chair": False}


def test_mediation_period_is_15_days_configurable_and_cites_art14():
    assert Rules().mediation_days == 15
    assert "第14条" in Rules.sources()["mediation_days"]
    assert Rules.from_mapping({"RULE_MEDIATION_DAYS": "30"}).mediation_days == 30
    with pytest.raises(ValueError, match="mediation_days"):
        Rules(mediation_days=0)


def test_committee_of_both_sides_with_a_union_chair_is_valid_art10():
    check_composition([WORKER_CHAIR, EMPLOYER])


@pytest.mark.parametrize("members, field", [
    ([WORKER_CHAIR], "side"),
    ([WORKER_CHAIR | {"union_member": False}, EMPLOYER], "chair"),
    ([WORKER_CHAIR | {"chair": False}, EMPLOYER], "chair"),
    ([WORKER_CHAIR, EMPLOYER | {"chair": True}], "chair"),
    ([WORKER_CHAIR, EMPLOYER, WORKER_CHAIR | {"chair": False}], "members"),
])
def test_committee_composition_is_checked_art10(members, field):
    with pytest.raises(RuleViolation) as caught:
        check_composition(members)
    assert caught.value.rule == "mediation_committee_art10" and field in caught.value.errors


def test_a_chair_chosen_by_both_sides_need_not_be_a_union_member_art10():
    check_composition([WORKER_CHAIR | {"chair": False}, EMPLOYER | {"chair": True, "chair_agreed_by_both": True}])
