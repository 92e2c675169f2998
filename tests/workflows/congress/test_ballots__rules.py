"""Congress votes: quorum, majority of ALL seated representatives, one final ballot each, paper votes, modes."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import func, select

import workflows.congress.tables  # noqa: F401  (registers the tables before PostgreSQL's create_all)
from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.identity import Actor
from workflows.congress import ballots, matter_modes, meetings, roster, tally
from workflows.congress.tables import NamedBallot, Representative
from workflows.errors import RuleConflict, RuleViolation

import helpers.congress as congress
from helpers.congress import ADMIN, CHAIR, MEETING_DAY, convened_meeting, rep

DESIGNER = Actor("designer", frozenset({"designer"}))
DAY = MEETING_DAY


def make_meeting(services, seats: int = 60, *, headcount: int = 1200) -> int:
    """A convened meeting of a congress of `seats` representatives rep001.. (10 managers, 20 women)."""
    return convened_meeting(services, seats, headcount=headcount, managers=10, women=20)["meeting_id"]


def check_in(services, meeting_id: int, *numbers: int) -> None:
    congress.check_in(services, meeting_id, numbers)


def matter(services, meeting_id: int, matter_type: str = "resolution") -> int:
    return meetings.add_matter(services.uow(), meeting_id, matter_type=matter_type, title=f"{matter_type} 议题",
                               actor=CHAIR).id


def open_vote(services, matter_id: int, **kw):
    return ballots.open_vote(services.uow(), matter_id, rules=services.rules, actor=CHAIR, **kw)


def vote(services, vote_id: int, plan: dict[str, range]) -> None:
    for choice, numbers in plan.items():
        for i in numbers:
            ballots.cast_ballot(services.uow(), vote_id, choice, actor=rep(i))


def close(services, vote_id: int, totals=None):
    return tally.close_vote(services.uow(), vote_id, rules=services.rules, actor=CHAIR, totals=totals)


def rep_id(services, i: int) -> int:
    uow = services.uow(readonly=True)
    with uow:
        return uow.session.scalar(select(Representative.id).where(Representative.username == f"rep{i:03d}"))


@pytest.fixture
def meeting(services) -> int:
    return make_meeting(services)


class TestQuorum:
    def test_vote_cannot_open_below_two_thirds_of_seated_representatives(self, services, meeting):
        check_in(services, meeting, *range(1, 40))
        item = matter(services, meeting)
        with pytest.raises(RuleConflict) as caught:
            open_vote(services, item)
        assert caught.value.rule == "congress_quorum" and caught.value.errors["quorum_required"] == [40]
        assert ballots.list_votes(services.uow(readonly=True), meeting) == []

    def test_vote_opens_with_exactly_two_thirds_of_seated_representatives_present(self, services, meeting):
        check_in(services, meeting, *range(1, 41))
        opened = open_vote(services, matter(services, meeting))
        assert (opened.seated, opened.present, opened.quorum_required, opened.status) == (60, 40, 40, "open")

    def test_quorum_counts_only_representatives_seated_on_the_meeting_day(self, services, meeting):
        for i in range(1, 4):  # recalled before the meeting day: no longer seated, so 57 seats, quorum 38
            roster.end_representative(services.uow(), rep_id(services, i), reason="recalled",
                                      effective_on=date(2026, 2, 1), actor=ADMIN)
        check_in(services, meeting, *range(4, 42))
        opened = open_vote(services, matter(services, meeting))
        assert (opened.seated, opened.present, opened.quorum_required) == (57, 38, 38)


class TestMajority:
    @pytest.fixture
    def full(self, services, meeting) -> int:
        check_in(services, meeting, *range(1, 61))
        return meeting

    def test_item_fails_when_in_favour_is_exactly_half_of_all_representatives(self, services, full):
        v = open_vote(services, matter(services, full))
        vote(services, v.id, {"for": range(1, 31), "against": range(31, 61)})
        closed = close(services, v.id)
        assert (closed.votes_for, closed.votes_required, closed.outcome) == (30, 31, "rejected")

    def test_item_is_adopted_by_more_than_half_of_all_representatives(self, services, full):
        v = open_vote(services, matter(services, full))
        vote(services, v.id, {"for": range(1, 32), "abstain": range(32, 61)})
        assert close(services, v.id).outcome == "adopted"

    def test_majority_is_of_all_seated_representatives_not_of_those_present(self, services, meeting):
        check_in(services, meeting, *range(1, 46))
        v = open_vote(services, matter(services, meeting))
        vote(services, v.id, {"for": range(1, 31), "against": range(31, 46)})  # 30 of 45 present, 30 of 60 seated
        closed = close(services, v.id)
        assert (closed.present, closed.votes_for, closed.outcome) == (45, 30, "rejected")

    def test_collective_contract_may_use_at_least_half_of_all_representatives_art36(self, services, full):
        v = open_vote(services, matter(services, full, "collective_contract"), majority="at_least_half")
        vote(services, v.id, {"for": range(1, 31), "against": range(31, 61)})
        closed = close(services, v.id)
        assert (closed.rule, closed.votes_required, closed.outcome) == ("at_least_half_of_all_seated", 30, "adopted")

    def test_at_least_half_is_refused_where_art20_requires_more_than_half(self, services, full):
        with pytest.raises(RuleViolation) as caught:
            open_vote(services, matter(services, full, "resolution"), majority="at_least_half")
        assert caught.value.rule == "adoption_rule"

    def test_stored_result_holds_seated_present_ballots_counts_rule_and_outcome(self, services, meeting):
        check_in(services, meeting, *range(1, 51))
        v = open_vote(services, matter(services, meeting))
        vote(services, v.id, {"for": range(1, 41), "against": range(41, 44), "abstain": range(44, 46)})
        assert tally.result_of(close(services, v.id)) == {
            "seated": 60, "present": 50, "ballots_issued": 50, "ballots_cast": 45, "valid": 45, "invalid": 0,
            "for": 40, "against": 3, "abstain": 2, "rule": "more_than_half_of_all_seated", "quorum_required": 40,
            "votes_required": 31, "outcome": "adopted"}


class TestBallots:
    @pytest.fixture
    def open_named(self, services, meeting) -> int:
        check_in(services, meeting, *range(1, 51))
        return open_vote(services, matter(services, meeting)).id

    def test_named_vote_records_voter_and_choice(self, services, open_named):
        vote(services, open_named, {"against": [7]})
        close(services, open_named)
        [ballot] = tally.ballots(services.uow(readonly=True), open_named)["named"]
        assert (ballot["representative_id"], ballot["choice"], ballot["cast_by"]) == (rep_id(services, 7), "against",
                                                                                      "rep007")

    def test_second_ballot_from_the_same_representative_is_refused_and_changes_nothing(self, services, open_named):
        vote(services, open_named, {"for": [1]})
        with pytest.raises(Conflict):
            vote(services, open_named, {"against": [1]})
        uow = services.uow(readonly=True)
        with uow:
            assert uow.session.scalars(select(NamedBallot.choice)).all() == ["for"]

    def test_ballot_from_a_representative_not_checked_in_is_forbidden(self, services, open_named):
        with pytest.raises(Forbidden, match="did not check in"):
            vote(services, open_named, {"for": [55]})

    def test_ballot_from_a_representative_checked_in_after_the_vote_opened_is_forbidden(
            self, services, meeting, open_named, clock):
        clock.advance(minutes=5)
        check_in(services, meeting, 55)
        with pytest.raises(Forbidden, match="did not check in before"):
            vote(services, open_named, {"for": [55]})

    def test_ballot_from_someone_not_seated_is_forbidden(self, services, open_named):
        roster.end_representative(services.uow(), rep_id(services, 3), reason="recalled", effective_on=DAY,
                                  actor=ADMIN)
        for outsider in (rep(3), rep(99), Actor("rep004", frozenset({"auditor"}))):
            with pytest.raises(Forbidden):
                ballots.cast_ballot(services.uow(), open_named, "for", actor=outsider)

    def test_representative_votes_only_for_themselves_without_proxies(self, services, open_named):
        with pytest.raises(Forbidden, match="no proxies"):
            ballots.cast_ballot(services.uow(), open_named, "for", actor=rep(1), representative_id=rep_id(services, 2))

    def test_proxies_are_refused_unless_the_rules_allow_them(self, services, meeting):
        check_in(services, meeting, *range(1, 41))
        with pytest.raises(RuleViolation, match="proxy"):
            open_vote(services, matter(services, meeting), allow_proxies=True)

    def test_proxy_ballot_is_accepted_only_when_the_vote_allows_proxies(self, services, meeting):
        check_in(services, meeting, *range(1, 41))
        permissive = dataclasses.replace(services.rules, proxies_allowed=True)
        v = ballots.open_vote(services.uow(), matter(services, meeting), rules=permissive, actor=CHAIR,
                              allow_proxies=True)
        cast = ballots.cast_ballot(services.uow(), v.id, "for", actor=rep(1), representative_id=rep_id(services, 59))
        assert cast["representative_id"] == rep_id(services, 59)
        closed = close(services, v.id)
        assert (closed.present, closed.ballots_issued, closed.votes_for) == (40, 41, 1)

    def test_vote_cannot_be_closed_twice(self, services, open_named):
        close(services, open_named)
        with pytest.raises(Conflict, match="already closed"):
            close(services, open_named)

    def test_ballot_after_the_close_is_refused(self, services, open_named):
        close(services, open_named)
        with pytest.raises(Conflict):
            vote(services, open_named, {"for": [1]})

    def test_one_vote_per_matter_item(self, services, open_named):
        with pytest.raises(Conflict, match="one vote per item"):
            open_vote(services, ballots.get_vote(services.uow(readonly=True), open_named).matter_id)

    def test_unknown_choice_is_refused(self, services, open_named):
        with pytest.raises(ValidationFailed):
            vote(services, open_named, {"yes": [1]})


class TestPaperVotes:
    @pytest.fixture
    def paper(self, services, meeting) -> int:
        check_in(services, meeting, *range(1, 56))
        return open_vote(services, matter(services, meeting, "welfare_fund_plan"), analog=True).id

    def test_paper_vote_totals_follow_the_same_majority_of_all_seated(self, services, paper):
        totals = {"ballots_issued": 55, "ballots_cast": 54, "valid": 52, "for": 30, "against": 20, "abstain": 2}
        closed = close(services, paper, totals)
        assert (closed.kind, closed.valid, closed.votes_for, closed.outcome) == ("analog", 52, 30, "rejected")
        assert tally.result_of(closed)["invalid"] == 2

    def test_paper_vote_totals_must_add_up(self, services, paper):
        bad = {"ballots_issued": 55, "ballots_cast": 54, "valid": 52, "for": 31, "against": 20, "abstain": 2}
        with pytest.raises(ValidationFailed):
            close(services, paper, bad)
        with pytest.raises(ValidationFailed):
            close(services, paper, bad | {"for": 30, "ballots_issued": 56})
        assert ballots.get_vote(services.uow(readonly=True), paper).status == "open"

    def test_paper_vote_takes_no_electronic_ballots(self, services, paper):
        with pytest.raises(Conflict, match="paper vote"):
            vote(services, paper, {"for": [1]})


class TestMatterModes:
    def test_matter_mode_and_secrecy_come_from_the_dmn_table(self, services, meeting):
        modes = {t: meetings.add_matter(services.uow(), meeting, matter_type=t, title=t, actor=CHAIR)
                 for t in ("report", "rules_draft", "collective_contract", "election", "resolution")}
        assert {t: (m.mode, m.secret) for t, m in modes.items()} == {
            "report": ("hear", False), "rules_draft": ("deliberate", False), "collective_contract": ("adopt", True),
            "election": ("elect", True), "resolution": ("adopt", False)}

    def test_matters_heard_or_deliberated_take_opinions_not_a_vote(self, services, meeting):
        check_in(services, meeting, *range(1, 61))
        item = matter(services, meeting, "rules_draft")
        with pytest.raises(Conflict, match="not a vote"):
            open_vote(services, item)
        opinion = meetings.add_opinion(services.uow(), item, "加班费计算基数应写明", actor=rep(5))
        assert opinion.representative_id == rep_id(services, 5)

    def test_unknown_matter_type_is_refused_naming_the_known_types(self, services, meeting):
        with pytest.raises(ValidationFailed) as caught:
            matter(services, meeting, "party")
        assert "welfare_fund_plan" in caught.value.errors["matter_type"][0]

    def test_a_newer_deployed_dmn_takes_effect_for_new_matters(self, services, meeting):
        before = matter(services, meeting, "report")
        source = matter_modes.BUNDLED_DMN.read_bytes()
        newer = source.replace(b'<text>"hear"</text>', b'<text>"deliberate"</text>', 1)
        assert matter_modes.deploy_matter_modes(services.uow(), newer, actor=DESIGNER)["created"] is True
        assert matter_modes.deploy_matter_modes(services.uow(), newer, actor=DESIGNER)["created"] is False
        after = meetings.add_matter(services.uow(), meeting, matter_type="report", title="报告", actor=CHAIR)
        uow = services.uow(readonly=True)
        with uow:
            assert meetings.get_matter(uow.session, before).mode == "hear"
        assert after.mode == "deliberate"
        assert matter_modes.matter_modes(services.uow(readonly=True))["rows"][0]["mode"] == "deliberate"

    def test_a_broken_dmn_is_refused(self, services):
        from engine.errors import InvalidDiagram

        broken = matter_modes.BUNDLED_DMN.read_bytes().replace(b'<text>"hear"</text>', b'<text>"listen"</text>', 1)
        with pytest.raises(InvalidDiagram):
            matter_modes.deploy_matter_modes(services.uow(), broken, actor=DESIGNER)
        uow = services.uow(readonly=True)
        with uow:
            assert uow.session.scalar(select(func.count()).select_from(workflows.congress.tables.Matter)) == 0
