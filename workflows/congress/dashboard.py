"""What a representative has to do next in the congress (the home page's facts): co-signing invitations,
meetings to check in to, open votes not yet cast, and their proposals with the stage each has reached."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select

from engine.models import HumanTask
from engine.unit_of_work import UnitOfWork
from workflows.calendar import local_today
from workflows.congress.tables import (
    CheckIn,
    Cosignature,
    Matter,
    Meeting,
    NamedBallot,
    Participation,
    Proposal,
    Representative,
    Term,
    Vote,
)

# The stages of a registered proposal, in order (a stage bar shows them); terminal side exits are separate.
STAGES = ("cosigning", "screening", "registered", "handling", "answered", "rated", "published")
SIDE_EXITS = ("not_registered", "turned_into_opinion", "merged")
# The proposal diagram's user tasks -> the stage a proposal waiting at that step has reached.
_STEP_STAGE = {"screen": "screening", "assign": "registered", "handle": "handling", "escalate_late": "handling",
               "rate": "answered", "report": "rated"}


def proposal_stage(session, proposal: Proposal) -> str:
    """The stage a proposal has reached: its recorded status, refined by the step its case waits at."""
    if proposal.status in SIDE_EXITS or proposal.status in ("cosigning", "published"):
        return proposal.status
    steps = set(session.scalars(select(HumanTask.element_id).where(HumanTask.instance_id == proposal.instance_id,
                                                                   HumanTask.state == "ready")))
    reached = [_STEP_STAGE[s] for s in steps if s in _STEP_STAGE]
    return max(reached, key=STAGES.index) if reached else "screening"


def _seats(session, username: str, day: dt.date) -> list[Representative]:
    terms = select(Term.id).where(Term.starts_on <= day, Term.ends_on >= day)
    return list(session.scalars(select(Representative).where(
        Representative.username == username, Representative.term_id.in_(terms), Representative.elected_on <= day,
        or_(Representative.ended_on.is_(None), Representative.ended_on > day))))


def _meetings(session, seat: Representative) -> list[dict[str, Any]]:
    out = []
    for meeting in session.scalars(select(Meeting).where(Meeting.term_id == seat.term_id,
                                                         Meeting.status != "closed").order_by(Meeting.held_on)):
        checked = session.get(CheckIn, (meeting.id, seat.id))
        votes = []
        if meeting.status == "in_session":
            rows = session.execute(select(Vote.id, Matter.title).join(Matter, Matter.id == Vote.matter_id)
                                   .where(Matter.meeting_id == meeting.id, Vote.status == "open",
                                          Vote.kind != "analog").order_by(Matter.position))
            for vote_id, title in rows:
                done = session.scalar(select(Participation.vote_id).where(
                    Participation.vote_id == vote_id, Participation.representative_id == seat.id)) or \
                    session.scalar(select(NamedBallot.vote_id).where(NamedBallot.vote_id == vote_id,
                                                                    NamedBallot.representative_id == seat.id))
                if not done:
                    votes.append({"vote_id": vote_id, "title": title})
        out.append({"meeting_id": meeting.id, "session_number": meeting.session_number, "held_on": meeting.held_on,
                    "status": meeting.status, "checked_in": checked is not None, "open_votes": votes})
    return out


def _proposals(session, seat: Representative) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(invitations to co-sign still unanswered, proposals submitted or co-signed with their stage)."""
    invitations, mine = [], []
    asked = {c.proposal_id: c for c in session.scalars(select(Cosignature).where(
        Cosignature.representative_id == seat.id))}
    query = select(Proposal).where(or_(Proposal.proposer_id == seat.id, Proposal.id.in_(list(asked)))) \
        .order_by(Proposal.created_at.desc(), Proposal.id.desc())
    for proposal in session.scalars(query):
        proposer = session.get(Representative, proposal.proposer_id)
        row = {"proposal_id": proposal.id, "title": proposal.title, "proposer": proposer.name,
               "role": "proposer" if proposal.proposer_id == seat.id else "cosigner",
               "stage": proposal_stage(session, proposal)}
        sig = asked.get(proposal.id)
        if sig is not None and sig.status == "pending" and proposal.status == "cosigning":
            invitations.append(row)
        mine.append(row)
    return invitations, mine


def representative_steps(uow: UnitOfWork, username: str) -> dict[str, Any] | None:
    """The congress facts of a user's home page; None when they hold no seat today."""
    with uow:
        s = uow.session
        day = local_today(uow)
        seats = _seats(s, username, day)
        if not seats:
            return None
        meetings, invitations, proposals = [], [], []
        for seat in seats:
            term = s.get(Term, seat.term_id)
            meetings += [m | {"term_number": term.number} for m in _meetings(s, seat)]
            asked, mine = _proposals(s, seat)
            invitations += asked
            proposals += mine
        return {"name": seats[0].name, "meetings": meetings, "invitations": invitations, "proposals": proposals}


def presidium_meetings(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Meetings not yet closed in the running terms, for the presidium's home page."""
    with uow:
        s = uow.session
        day = local_today(uow)
        rows = s.execute(select(Meeting, Term.number).join(Term, Term.id == Meeting.term_id)
                         .where(Term.starts_on <= day, Term.ends_on >= day, Meeting.status != "closed")
                         .order_by(Meeting.held_on, Meeting.id))
        return [{"meeting_id": m.id, "session_number": m.session_number, "term_number": number,
                 "held_on": m.held_on, "status": m.status} for m, number in rows]


def stage_of(uow: UnitOfWork, proposal_id: int) -> str:
    """The stage a proposal has reached (see ``proposal_stage``)."""
    with uow:
        return proposal_stage(uow.session, uow.session.get(Proposal, proposal_id))
