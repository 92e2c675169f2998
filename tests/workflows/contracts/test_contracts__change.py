"""Collective contracts in force: change and early termination (集体合同规定 第39–41条)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from engine import queries, runtime
from engine.errors import Conflict
from engine.notification_tables import Notification
from workflows.congress import ballots, meetings, tally
from workflows.contracts import change
from workflows.contracts.change_tables import ContractChange
from workflows.contracts.record import MATTER_TYPES
from workflows.errors import RuleViolation

from helpers.congress import convened_meeting
from helpers.contracts import EMPLOYER, PRESIDIUM, SHANGHAI, UNION, check, local
from helpers.contracts_in_force import bring_in_force

BANKRUPTCY = {"action": "terminate", "ground": "enterprise_ended", "facts": "法院于2026年6月1日裁定受理破产清算申请",
              "proposal_text": "因企业破产清算，集体合同无法履行，提出解除。"}
AGREED = {"action": "change", "ground": "agreed", "proposal_text": "第5条工作时间由每日8小时调整为7.5小时。"}
MINUTES = {"agreed": True, "agreement_text": "双方同意解除2026年度集体合同。", "minutes_signed": True}


@pytest.fixture
def in_force(deal, clock):
    return bring_in_force(deal, clock)


class Change:
    """Drives one ``contract_change`` instance through the domain services."""

    def __init__(self, deal, body: dict, by=EMPLOYER):
        self.deal, self.s = deal, deal.s
        self.id = change.request_change(self.s.uow(), deal.id, body, actor=by).id

    @property
    def row(self) -> ContractChange:
        with (uow := self.s.uow(readonly=True)):
            return uow.session.get(ContractChange, self.id)

    def ready(self) -> dict[str, str]:
        body = queries.get_instance(self.s.uow(readonly=True), self.row.instance_id)
        assert body["incidents"] == []
        return {t["element_id"]: t["id"] for t in body["ready_tasks"]}

    def complete(self, element_id: str, data: dict, actor) -> None:
        runtime.complete_task(self.s.uow(), self.ready()[element_id], data, actor=actor)

    def vote(self, in_favour: int, seated: int = 10) -> None:
        held_on = self.deal.clock.now().astimezone(SHANGHAI).date()
        ids = convened_meeting(self.s, seated, present=seated, headcount=seated, women_count=0, managers=0, women=0,
                               usernames=None, held_on=held_on, name=f"变更{self.id}")
        matter = meetings.add_matter(self.s.uow(), ids["meeting_id"], matter_type=MATTER_TYPES["comprehensive"],
                                     title="解除集体合同", actor=PRESIDIUM)
        self.complete("submit_to_congress", {"matter_id": matter.id, "paper_vote": True}, PRESIDIUM)
        vote = ballots.get_vote(self.s.uow(readonly=True), self.row.vote_id)
        tally.close_vote(self.s.uow(), vote.id, rules=self.s.rules, actor=PRESIDIUM, totals={
            "ballots_issued": seated, "ballots_cast": seated, "valid": seated, "for": in_favour,
            "against": seated - in_favour, "abstain": 0})


def test_termination_on_bankruptcy_is_negotiated_adopted_filed_and_reviewed_then_ends_the_contract_art40_art41(
        in_force, clock, services, users):
    deal = in_force
    users.headers("worker1", "worker")
    users.headers("union_chief", "union_negotiator")
    c = Change(deal, BANKRUPTCY)
    assert list(c.ready()) == ["negotiate"] and c.row.requesting_side == "employer"
    c.complete("negotiate", MINUTES, UNION)
    c.vote(in_favour=8)
    assert c.row.stage == "filing"
    clock.set(local("2026-06-03", "09:00"))
    c.complete("file", {"filed_on": "2026-06-03", "receipt_no": "人社备2026-009"}, EMPLOYER)
    # received 06-03: 15 days end on Thu 06-18, at 24:00 Beijing time (第46–47条)
    assert c.row.review_until == local("2026-06-19", "00:00")
    assert deal.contract.stage == "effective"  # still in force during the review
    deal.at(local("2026-06-19", "00:10"))
    assert deal.contract.stage == "terminated"
    assert (c.row.outcome, c.row.effective_on, c.row.stage) == ("terminated", dt.date(2026, 6, 19), "concluded")
    assert deal.events("contract.change") + deal.events("contract.terminated") == [
        "contract.change_requested", "contract.change_negotiated", "contract.change_vote_opened",
        "contract.change_adoption_result", "contract.change_filed", "contract.terminated"]
    with (uow := services.uow(readonly=True)):
        told = {n.kind: n.title for n in uow.session.scalars(select(Notification))}
    assert told["contract.change_requested"].startswith("对方提出解除集体合同")
    assert told["contract.terminated"] == "集体合同已解除：2026年度集体合同"


def test_no_agreement_of_both_sides_leaves_the_contract_in_force_art39(in_force):
    c = Change(in_force, AGREED, by=UNION)
    c.complete("negotiate", {"agreed": False, "agreement_text": "", "minutes_signed": False}, EMPLOYER)
    assert (c.row.stage, c.row.outcome) == ("closed", "not_agreed")
    assert in_force.contract.stage == "effective"


def test_an_agreement_is_written_and_its_minutes_signed_by_both_chiefs_art39(in_force):
    c = Change(in_force, AGREED, by=UNION)
    with pytest.raises(RuleViolation) as refused:
        c.complete("negotiate", MINUTES | {"minutes_signed": False}, EMPLOYER)
    check(refused, "change_agreed_by_both_sides", "第39条")


def test_a_change_rejected_by_the_congress_leaves_the_contract_unchanged_art41(in_force):
    c = Change(in_force, AGREED, by=UNION)
    c.complete("negotiate", MINUTES, EMPLOYER)
    c.vote(in_favour=3)
    assert (c.row.stage, c.row.outcome) == ("closed", "rejected")
    assert in_force.contract.stage == "effective"


def test_change_or_termination_needs_a_ground_of_article_40_with_its_facts_art40(deal):
    with pytest.raises(RuleViolation) as no_ground:
        change.check_request(BANKRUPTCY | {"ground": "cheaper_elsewhere"})
    check(no_ground, "change_ground", "第40条")
    with pytest.raises(RuleViolation) as no_facts:
        change.check_request(BANKRUPTCY | {"facts": " "})
    check(no_facts, "change_ground", "第40条")
    change.check_request(AGREED)  # agreement of both sides needs no further facts (第39条)


def test_only_a_contract_in_force_is_changed_or_ended_art41(deal):
    deal.request()
    with pytest.raises(Conflict):
        change.request_change(deal.s.uow(), deal.id, BANKRUPTCY, actor=EMPLOYER)
