"""Collective contracts: the request for negotiation, the reply and its deadline, the term (第32、38、56条)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.errors import ValidationFailed
from workflows.contracts.tables import Contract
from workflows.errors import RuleViolation

from helpers.contracts import EMPLOYER, LIAISON, check, local

# ---------------------------------------------------------------- request and reply (第32条, 第56条)

def test_reply_deadline_is_20_days_art32(deal, clock):
    clock.set(local("2026-03-04"))
    deal.request()
    assert deal.ready() == ["employer_reply"]
    assert deal.detail()["deadlines"]["reply"]["last_day"] == "2026-03-24"
    assert deal.at(local("2026-03-24", "23:59")) == []
    assert deal.ready() == ["employer_reply"]
    assert deal.at(local("2026-03-25", "00:01")) == [deal.contract.instance_id]
    assert deal.ready() == ["escalate"]
    contract = deal.detail()
    assert contract["stage"] == "escalated" and contract["reply"]["overdue"] is True
    assert "contract.reply_overdue" in deal.events()


def test_reply_in_time_cancels_the_deadline_art32(deal, clock):
    deal.request()
    deal.reply()
    assert deal.contract.stage == "representatives"
    assert deal.fire(days=40) == []


def test_refusal_without_good_reason_is_escalated_art32(deal):
    deal.request(by=EMPLOYER)
    with pytest.raises(ValidationFailed):  # a refusal states its reason (form schema)
        deal.reply("refuse")
    deal.reply("refuse", refusal_reason="经营困难")
    assert deal.ready() == ["escalate"]
    deal.complete("escalate", {"authority": "labour_administration", "escalation_outcome": "negotiate",
                               "decided_on": "2026-03-02", "escalation_notes": "理由不成立，责令协商"}, LIAISON)
    contract = deal.detail()
    assert contract["stage"] == "representatives"
    assert contract["escalation"] == {"ground": "refused", "authority": "labour_administration", "outcome": "negotiate",
                                      "notes": "理由不成立，责令协商", "decided_on": "2026-03-02"}


def test_justified_refusal_closes_the_matter_art56(deal):
    deal.request()
    deal.reply("refuse", refusal_reason="企业已破产清算")
    deal.complete("escalate", {"authority": "upper_union", "escalation_outcome": "closed",
                               "decided_on": "2026-03-02"}, LIAISON)
    assert deal.contract.stage == "closed" and deal.instance()["status"] == "completed"


def test_term_is_one_to_three_years_art38(deal, services):
    for years in (0, 4):
        with pytest.raises(RuleViolation) as exc:
            deal.request(term_years=years)
        check(exc, "contract_term_years", "第38条")
    with (uow := services.uow(readonly=True)):
        assert uow.session.scalar(select(func.count()).select_from(Contract)) == 0
    assert deal.request(term_years=1).contract.term_years == 1
