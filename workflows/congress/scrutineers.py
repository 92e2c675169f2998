"""Scrutineers (总监票人、监票人) of a meeting: proposed by the presidium among the seated representatives who are
not candidates, approved by a show of hands (过半数 of all seated, 民主管理规定 第20条), and each of them
confirms a round's count before its result is published."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.identity import Actor
from engine.unit_of_work import UnitOfWork
from workflows import rules as r
from workflows.congress import roster
from workflows.congress.ballots import check_quorum
from workflows.congress.election_tables import (
    Candidate,
    Election,
    ElectionRound,
    Scrutineer,
    ScrutineerApproval,
    ScrutineerConfirmation,
)
from workflows.congress.meetings import get_meeting, meeting_chain, seat_of
from workflows.congress.tables import Matter, Representative
from workflows.errors import RuleConflict, RuleViolation
from workflows.records import fetch


def _candidate_reps(session: Session, meeting_id: int) -> set[int]:
    """Representatives standing as candidates in an election of the meeting."""
    return set(session.scalars(
        select(Candidate.representative_id).join(Election, Election.id == Candidate.election_id)
        .join(Matter, Matter.id == Election.matter_id)
        .where(Matter.meeting_id == meeting_id, Candidate.status != "withdrawn",
               Candidate.representative_id.is_not(None))))


def propose(uow: UnitOfWork, meeting_id: int, representative_ids: list[int], chief_id: int, *, rules: r.Rules,
            actor: Actor) -> list[Scrutineer]:
    """Propose the meeting's scrutineers (replacing a list not yet approved); ``chief_id`` is 总监票人.

    Raises:
        NotFound. Conflict: the meeting is closed or its scrutineers are already approved.
        ValidationFailed: someone not seated, a chief not in the list.
        RuleViolation ``scrutineer_not_candidate``: one of them is a candidate; ``scrutineers_min``: too few.
    """
    wanted = sorted(set(representative_ids))
    if chief_id not in wanted:
        raise ValidationFailed("the chief scrutineer is one of the scrutineers", {"chief_id": [chief_id]})
    if len(wanted) < rules.scrutineers_min:
        raise RuleViolation(f"at least {rules.scrutineers_min} scrutineers (one chief) are needed",
                            "scrutineers_min", {"representative_ids": [len(wanted)]})
    with uow:
        s = uow.session
        meeting = get_meeting(s, meeting_id, lock=True)
        if meeting.status == "closed":
            raise Conflict(f"meeting {meeting_id} is closed")
        if s.scalar(select(Scrutineer).where(Scrutineer.meeting_id == meeting_id, Scrutineer.status == "approved")):
            raise Conflict(f"the scrutineers of meeting {meeting_id} are approved already")
        seated = {rep.id: rep for rep in roster.seated(s, meeting.term_id, meeting.held_on)}
        if stranger := [i for i in wanted if i not in seated]:
            raise ValidationFailed("not seated on the meeting day", {"representative_ids": stranger})
        if standing := [i for i in wanted if i in _candidate_reps(s, meeting_id)]:
            names = "、".join(seated[i].name for i in standing)
            raise RuleViolation(f"{names}: a candidate cannot be a scrutineer (监票人不得为候选人)",
                                "scrutineer_not_candidate", {"representative_ids": standing})
        s.execute(delete(Scrutineer).where(Scrutineer.meeting_id == meeting_id))
        rows = [Scrutineer(meeting_id=meeting_id, representative_id=i, chief=i == chief_id, status="proposed",
                           proposed_at=uow.now(), proposed_by=actor.username) for i in wanted]
        s.add_all(rows)
        uow.audit(meeting_chain(meeting_id), "scrutineers.proposed", {
            "representative_ids": wanted, "chief_id": chief_id}, actor=actor.username)
        uow.commit()
    return rows


def approve(uow: UnitOfWork, meeting_id: int, *, votes_for: int, votes_against: int, abstentions: int,
            rules: r.Rules, actor: Actor) -> ScrutineerApproval:
    """Record the show of hands on the proposed scrutineers; approved with more than half of ALL seated.

    Raises:
        NotFound. Conflict: nobody proposed, already approved, or the meeting not in session.
        RuleConflict ``congress_quorum``: fewer than 2/3 present. ValidationFailed: hands above those present.
    """
    with uow:
        s = uow.session
        meeting = get_meeting(s, meeting_id, lock=True)
        if meeting.status != "in_session":
            raise Conflict(f"meeting {meeting_id} is {meeting.status}, not in session")
        rows = list(s.scalars(select(Scrutineer).where(Scrutineer.meeting_id == meeting_id)))
        if not rows:
            raise Conflict(f"no scrutineers are proposed for meeting {meeting_id}")
        if any(row.status == "approved" for row in rows):
            raise Conflict(f"the scrutineers of meeting {meeting_id} are approved already")
        seated, present = check_quorum(s, meeting, rules)
        counts = {"votes_for": votes_for, "votes_against": votes_against, "abstentions": abstentions}
        if any(v < 0 for v in counts.values()) or sum(counts.values()) > present:
            raise ValidationFailed(f"the hands counted add up to more than the {present} present",
                                   {k: ["0 or more, in all at most those present"] for k in counts})
        approved = r.adopted(votes_for, seated, rules)
        record = ScrutineerApproval(meeting_id=meeting_id, seated=seated, present=present,
                                    votes_required=r.votes_required(seated, rules), **counts,
                                    outcome="adopted" if approved else "rejected",
                                    members=sorted(row.representative_id for row in rows), recorded_at=uow.now(),
                                    recorded_by=actor.username)
        s.add(record)
        for row in rows:
            row.status = "approved" if approved else "proposed"
        uow.audit(meeting_chain(meeting_id), "scrutineers.show_of_hands", {
            "seated": seated, "present": present, "votes_required": record.votes_required, **counts,
            "outcome": record.outcome, "members": record.members}, actor=actor.username)
        uow.commit()
    return record


def approved_ids(session: Session, meeting_id: int) -> list[int]:
    return sorted(session.scalars(select(Scrutineer.representative_id).where(
        Scrutineer.meeting_id == meeting_id, Scrutineer.status == "approved")))


def approved_rows(session: Session, meeting_id: int) -> list[Scrutineer]:
    return list(session.scalars(select(Scrutineer).where(Scrutineer.meeting_id == meeting_id,
                                                         Scrutineer.status == "approved")))


def require_approved(session: Session, meeting_id: int) -> list[int]:
    """Raises: RuleConflict ``scrutineers_approved``: the meeting has no approved scrutineers."""
    ids = approved_ids(session, meeting_id)
    if not ids:
        raise RuleConflict("an election needs its scrutineers approved by the congress first (监票人须经大会通过)",
                           "scrutineers_approved", {"scrutineers": ["not approved"]})
    return ids


def listing(uow: UnitOfWork, meeting_id: int) -> dict[str, Any]:
    """The meeting's scrutineers with names, and the show-of-hands records."""
    with uow:
        s = uow.session
        get_meeting(s, meeting_id)
        rows = s.execute(select(Scrutineer, Representative).join(
            Representative, Representative.id == Scrutineer.representative_id)
            .where(Scrutineer.meeting_id == meeting_id).order_by(Scrutineer.chief.desc(), Representative.employee_no))
        approvals = s.scalars(select(ScrutineerApproval).where(ScrutineerApproval.meeting_id == meeting_id)
                              .order_by(ScrutineerApproval.id))
        return {"meeting_id": meeting_id,
                "scrutineers": [{"representative_id": rep.id, "name": rep.name, "employee_no": rep.employee_no,
                                 "delegation": rep.delegation, "username": rep.username, "chief": row.chief,
                                 "status": row.status} for row, rep in rows],
                "approvals": [{c.key: getattr(a, c.key) for c in ScrutineerApproval.__table__.columns}
                              for a in approvals],
                "candidates": sorted(_candidate_reps(s, meeting_id))}


def confirm(uow: UnitOfWork, round_id: int, *, actor: Actor, meeting_of_round) -> ScrutineerConfirmation:
    """A scrutineer confirms a closed round's count, once.

    Raises:
        NotFound. Conflict: the round is not closed (open, or already published), or confirmed already.
        Forbidden: the caller is not an approved scrutineer of the meeting.
    """
    with uow:
        s = uow.session
        rnd = fetch(s, ElectionRound, round_id, "election round", lock=True)
        meeting = meeting_of_round(s, rnd)
        if rnd.status != "closed":
            raise Conflict(f"election round {round_id} is {rnd.status}: scrutineers confirm a closed count")
        rep = seat_of(s, meeting, actor)
        if rep.id not in approved_ids(s, meeting.id):
            raise Forbidden(f"{rep.name} is not an approved scrutineer of this meeting")
        if s.get(ScrutineerConfirmation, (round_id, rep.id)) is not None:
            raise Conflict(f"{rep.name} has confirmed this count already")
        row = ScrutineerConfirmation(round_id=round_id, representative_id=rep.id, confirmed_at=uow.now(),
                                     confirmed_by=actor.username)
        s.add(row)
        uow.audit(meeting_chain(meeting.id), "election.count_confirmed", {
            "round_id": round_id, "election_id": rnd.election_id, "representative_id": rep.id},
            actor=actor.username)
        uow.commit()
    return row


def confirmations(session: Session, round_id: int) -> set[int]:
    return set(session.scalars(select(ScrutineerConfirmation.representative_id)
                               .where(ScrutineerConfirmation.round_id == round_id)))
