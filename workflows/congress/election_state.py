"""What the election pages read: the rounds of a meeting's elections with the caller's part in them, the
ballots cast so far (counts only), and a round's ballot laid out for a representative."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Forbidden
from engine.identity import Actor
from engine.unit_of_work import UnitOfWork
from workflows.congress import scrutineers
from workflows.congress.election_ballots import ballot_layout, cast_count, get_round, has_voted, meeting_of_round
from workflows.congress.election_tables import Election, ElectionRound
from workflows.congress.elections import rounds_of
from workflows.congress.meetings import get_meeting, seat_of
from workflows.congress.tables import CheckIn, Matter


def _seat(session, meeting, actor: Actor):
    try:
        return seat_of(session, meeting, actor)
    except Forbidden:
        return None


def meeting_rounds(uow: UnitOfWork, meeting_id: int, actor: Actor) -> dict[int, dict[str, Any]]:
    """matter id -> its election, latest round and the caller's part (voted, may vote, scrutineer to confirm)."""
    with uow:
        s = uow.session
        meeting = get_meeting(s, meeting_id)
        rep = _seat(s, meeting, actor)
        check = s.get(CheckIn, (meeting_id, rep.id)) if rep else None
        approved = scrutineers.approved_ids(s, meeting_id)
        out = {}
        for election, matter_id in s.execute(select(Election, Matter.id).join(Matter, Matter.id == Election.matter_id)
                                             .where(Matter.meeting_id == meeting_id).order_by(Matter.position)).all():
            rounds = rounds_of(s, election.id)
            latest = rounds[-1] if rounds else None
            voted = bool(latest and rep and has_voted(s, latest, rep.id))
            may_vote = bool(latest and latest.status == "open" and rep and not voted and check is not None
                            and check.checked_in_at <= latest.opened_at and meeting.status == "in_session")
            to_confirm = bool(latest and latest.status == "closed" and rep and rep.id in approved
                              and rep.id not in scrutineers.confirmations(s, latest.id))
            out[matter_id] = {"election": election, "round": latest, "voted": voted, "may_vote": may_vote,
                              "to_confirm": to_confirm}
        return out


def live_rounds(session: Session, meeting_id: int) -> list[dict[str, Any]]:
    """The latest round of each election of the meeting, in agenda order: id, status and ballots cast so far
    (the meeting's live JSON; never a mark)."""
    out = []
    for election in session.scalars(select(Election).join(Matter, Matter.id == Election.matter_id)
                                    .where(Matter.meeting_id == meeting_id).order_by(Matter.position)):
        rounds = rounds_of(session, election.id)
        if rounds:
            out.append({"id": rounds[-1].id, "status": rounds[-1].status, "cast": cast_count(session, rounds[-1])})
    return out


def round_counts(uow: UnitOfWork, election_id: int) -> dict[int, int]:
    """round id -> ballots cast so far (never what they mark)."""
    with uow:
        return {rnd.id: cast_count(uow.session, rnd) for rnd in rounds_of(uow.session, election_id)}


def ballot_context(uow: UnitOfWork, round_id: int, actor: Actor) -> dict[str, Any]:
    """A round's ballot for the caller: its layout, the election, matter and meeting, whether they voted."""
    with uow:
        s = uow.session
        rnd = get_round(s, round_id)
        election = s.get(Election, rnd.election_id)
        meeting = meeting_of_round(s, rnd)
        rep = _seat(s, meeting, actor)
        return {"round": rnd, "election": election, "matter": s.get(Matter, election.matter_id), "meeting": meeting,
                "layout": ballot_layout(s, rnd), "voted": bool(rep and has_voted(s, rnd, rep.id)),
                "seat": rep}


def latest_round(uow: UnitOfWork, election_id: int) -> ElectionRound | None:
    with uow:
        rounds = rounds_of(uow.session, election_id)
        return rounds[-1] if rounds else None
