"""The presidium's console in the domain: check-in from a paper sheet (one transaction, audited as entered by
the presidium member), the live counts (never a choice while a vote is open), the notices of a meeting."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.models import AuditEvent
from workflows import documents
from workflows.congress import ballots, console, meetings, tally

from helpers.congress import CHAIR, make_congress, rep

REP1 = rep(1)


@pytest.fixture
def congress(services):
    ids = make_congress(services, linked={i: f"rep{i:03d}" for i in range(1, 31)})
    meetings.convene(services.uow(), ids["meeting_id"], rules=services.rules, actor=CHAIR)
    return ids


def _seats(ids, seats) -> list[int]:
    return [ids["representatives"][f"E{i:04d}"] for i in seats]


def test_a_paper_sheet_checks_in_many_audited_as_entered_by_the_presidium(services, congress):
    meeting_id = congress["meeting_id"]
    meetings.check_in(services.uow(), meeting_id, actor=REP1)  # signed in on the phone already
    done = console.check_in_from_sheet(services.uow(), meeting_id, _seats(congress, range(1, 21)), actor=CHAIR)
    assert len(done["checked_in"]) == 19 and done["already"] == _seats(congress, [1])
    assert console.live(services.uow(readonly=True), meeting_id)["present"] == 20
    unit = services.uow(readonly=True)
    with unit:
        events = list(unit.session.scalars(select(AuditEvent).where(
            AuditEvent.chain == f"meeting:{meeting_id}", AuditEvent.event_type == "representative.checked_in")))
    entered = [json.loads(e.payload) for e in events if e.actor == "chair"]
    assert len(entered) == 19
    assert all(p["entered_by"] == "chair" and p["source"] == "paper_sheet" for p in entered)
    people = {p["id"]: p for p in console.attendance(services.uow(readonly=True), meeting_id)}
    assert people[_seats(congress, [2])[0]]["checked_in_by"] == "chair"
    assert people[_seats(congress, [1])[0]]["checked_in_by"] == "rep001"
    assert people[_seats(congress, [25])[0]]["checked_in_at"] is None


def test_a_paper_sheet_is_refused_whole_for_a_stranger_a_non_presidium_or_a_closed_meeting(services, congress):
    meeting_id = congress["meeting_id"]
    with pytest.raises(ValidationFailed) as refused:
        console.check_in_from_sheet(services.uow(), meeting_id, [*_seats(congress, [1, 2]), 99999], actor=CHAIR)
    assert refused.value.errors == {"representative_ids": [99999]}
    assert console.live(services.uow(readonly=True), meeting_id)["present"] == 0  # nothing half-done
    with pytest.raises(ValidationFailed):
        console.check_in_from_sheet(services.uow(), meeting_id, [], actor=CHAIR)
    with pytest.raises(Forbidden):
        console.check_in_from_sheet(services.uow(), meeting_id, _seats(congress, [2]), actor=REP1)
    meetings.close_meeting(services.uow(), meeting_id, actor=CHAIR)
    with pytest.raises(Conflict):
        console.check_in_from_sheet(services.uow(), meeting_id, _seats(congress, [2]), actor=CHAIR)


def test_live_counts_show_ballots_cast_but_no_choice_until_the_close(services, congress):
    meeting_id = congress["meeting_id"]
    console.check_in_from_sheet(services.uow(), meeting_id, _seats(congress, range(1, 21)), actor=CHAIR)
    secret = meetings.add_matter(services.uow(), meeting_id, matter_type="welfare_fund_plan", title="福利",
                                 actor=CHAIR)
    named = meetings.add_matter(services.uow(), meeting_id, matter_type="resolution", title="决议", actor=CHAIR)
    votes = [ballots.open_vote(services.uow(), m.id, rules=services.rules, actor=CHAIR) for m in (secret, named)]
    for i in range(1, 5):
        for vote in votes:
            ballots.cast_ballot(services.uow(), vote.id, "for", actor=rep(i))
    state = console.live(services.uow(readonly=True), meeting_id)
    assert [(v["kind"], v["status"], v["cast"], v["outcome"]) for v in state["votes"]] == [
        ("secret", "open", 4, None), ("named", "open", 4, None)]
    assert not {"for", "against", "abstain", "votes_for", "choice"} & {k for v in state["votes"] for k in v}
    tally.close_vote(services.uow(), votes[0].id, rules=services.rules, actor=CHAIR)
    closed = console.live(services.uow(readonly=True), meeting_id)["votes"][0]
    assert (closed["status"], closed["cast"], closed["outcome"]) == ("closed", 4, "rejected")


def test_the_notice_of_a_matter_is_found_for_the_console(services, congress):
    matter = meetings.add_matter(services.uow(), congress["meeting_id"], matter_type="resolution", title="决议",
                                 actor=CHAIR)
    assert console.notices(services.uow(readonly=True), congress["meeting_id"]) == {}
    unit = services.uow()
    with unit:
        doc = documents.store(unit, kind="resolution_notice", title="决议", filename=f"notice-{matter.id}.pdf",
                              media_type="application/pdf", content=b"%PDF-1.7", instance_id=None, actor="system")
        unit.commit()
    assert console.notices(services.uow(readonly=True), congress["meeting_id"]) == {matter.id: doc.id}


