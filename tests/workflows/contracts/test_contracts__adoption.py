"""Collective contracts: the congress's adoption vote and the signature (第36–37条)."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.errors import Forbidden, ValidationFailed
from engine.identity import Actor
from workflows.congress.tables import Matter
from workflows.contracts import request
from workflows.contracts.tables import Contract
from workflows.errors import RuleConflict, RuleViolation

from helpers.contracts import UNION, check

# ---------------------------------------------------------------- adoption and signature (第36–37条)

def test_adoption_vote_needs_two_thirds_present_art36(deal):
    """Submitting without 2/3 present is refused (409 naming the rule), not accepted with the refusal inside."""
    deal.negotiate_to_agreement()
    matter = deal.congress(seated=10, present=6)
    with pytest.raises(RuleConflict) as exc:
        deal.vote(matter, 6)
    assert "congress_quorum" in exc.value.errors["rule"] and exc.value.errors["quorum_required"] == [7]
    contract = deal.detail()
    assert contract["stage"] == "agreed" and contract["vote_id"] is None
    assert deal.ready() == ["submit_to_congress"]  # the presidium checks more representatives in and submits again
    assert "contract.adoption_vote_opened" not in deal.events()


def test_adoption_vote_matter_of_the_contracts_kind_art36(deal):
    deal.negotiate_to_agreement("wage")
    matter = deal.congress(seated=10, present=10)
    with deal.s.uow() as uow:  # make the agenda item a comprehensive contract's
        uow.session.get(Matter, matter).matter_type = "collective_contract"
        uow.commit()
    with pytest.raises(ValidationFailed):
        deal.vote(matter, 8)
    assert deal.contract.vote_id is None


def test_adopted_with_at_least_half_of_all_representatives_art36(deal):
    deal.negotiate_to_agreement()
    adoption = deal.vote(deal.congress(seated=10, present=7), 5)
    assert adoption["result"]["outcome"] == "adopted" and adoption["result"]["votes_required"] == 5
    assert adoption["result"]["quorum_required"] == 7 and adoption["majority"] == "at_least_half"
    assert deal.contract.stage == "signing"


def test_strictly_more_than_half_when_configured_art36(deal):
    deal.negotiate_to_agreement(adoption_majority="more_than_half")
    adoption = deal.vote(deal.congress(seated=10, present=10), 5)
    assert adoption["result"]["outcome"] == "rejected" and adoption["result"]["votes_required"] == 6


def test_rejected_draft_returns_to_negotiation_art36(deal):
    deal.negotiate_to_agreement()
    deal.vote(deal.congress(), 3)
    assert deal.contract.stage == "negotiating" and deal.ready() == []
    deal.meeting(held_on="2026-03-25")
    deal.agree(deal.draft("工资每年增长6%。"))
    assert deal.ready() == ["submit_to_congress"]


def test_signature_before_adoption_is_refused_art37(deal):
    deal.negotiate_to_agreement()
    with pytest.raises(RuleViolation) as exc:
        request.sign(deal.s.uow(), deal.id, actor=UNION)
    check(exc, "adoption_before_signature", "第36条")
    assert deal.detail()["sign_offs"] == [s for s in deal.detail()["sign_offs"] if s["kind"] == "agreement"]
    deal.vote(deal.congress(), 8)
    with pytest.raises(Forbidden):
        request.sign(deal.s.uow(), deal.id, actor=Actor("someone", frozenset({"union_negotiator"})))
    deal.sign()
    assert deal.contract.stage == "signed" and deal.contract.signed_version == 1


def test_adoption_record_times_are_iso_8601_even_when_stored_by_an_earlier_version(deal):
    deal.negotiate_to_agreement()
    deal.vote(deal.congress(seated=10, present=10), 8)
    closed_at = deal.detail()["adoption"]["closed_at"]
    assert "T" in closed_at and dt.datetime.fromisoformat(closed_at).utcoffset() == dt.timedelta(0)
    with deal.s.uow() as uow:  # as an earlier version stored it
        contract = uow.session.get(Contract, deal.id)
        contract.adoption_json = contract.adoption_json.replace(closed_at, closed_at.replace("T", " "))
        uow.commit()
    assert deal.detail()["adoption"]["closed_at"] == closed_at
