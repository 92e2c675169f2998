"""Congress meetings: sessions, agenda matters with their mode from the matter_mode DMN table, check-in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.identity import ADMIN, Actor
from engine.unit_of_work import UnitOfWork
from workflows.congress import composition, roster
from workflows.congress.matter_modes import VOTING_MODES, decide_mode
from workflows.congress.tables import CheckIn, Matter, Meeting, Opinion, Representative, Term, Vote
from workflows.numerals import meeting_title
from workflows.records import fetch
from workflows.rules import Rules

PRESIDIUM, REPRESENTATIVE = "presidium", "representative"


def meeting_chain(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def get_meeting(session: Session, meeting_id: int, *, lock: bool = False) -> Meeting:
    """Raises: NotFound."""
    return fetch(session, Meeting, meeting_id, "meeting", lock=lock)


def _check_composition(session: Session, term: Term, day: dt.date, rules: Rules) -> None:
    composition.require_valid_composition(composition.composition_report(session, term, day, rules))


def create_meeting(uow: UnitOfWork, term_id: int, *, session_number: int, held_on: dt.date, rules: Rules,
                   actor: Actor, title: str | None = None) -> Meeting:
    """Plan a session (第N届第M次) on a day within the term.

    Raises:
        NotFound: no such term. ValidationFailed: the day is outside the term. Conflict: the number is taken.
        RuleViolation: the congress seated that day breaks a hard composition rule.
    """
    with uow:
        s = uow.session
        term = fetch(s, Term, term_id, "term")
        if not term.starts_on <= held_on <= term.ends_on:
            raise ValidationFailed("the meeting must be held within the term",
                                   {"held_on": [f"between {term.starts_on} and {term.ends_on}"]})
        if s.scalar(select(Meeting).where(Meeting.term_id == term_id, Meeting.session_number == session_number)):
            raise Conflict(f"meeting {session_number} of term {term.number} already exists")
        _check_composition(s, term, held_on, rules)
        meeting = Meeting(term_id=term_id, session_number=session_number, held_on=held_on, status="planned",
                          title=title or meeting_title(term.number, session_number),
                          created_at=uow.now(), created_by=actor.username)
        s.add(meeting)
        s.flush()
        uow.audit(meeting_chain(meeting.id), "meeting.created", {
            "term_id": term_id, "session_number": session_number, "held_on": held_on, "title": meeting.title},
            actor=actor.username)
        uow.commit()
    return meeting


def convene(uow: UnitOfWork, meeting_id: int, *, rules: Rules, actor: Actor) -> Meeting:
    """Open the session; the composition is checked again against the roster of the meeting day.

    Raises:
        NotFound. Conflict: not planned. RuleViolation: a hard composition rule is broken.
    """
    with uow:
        meeting = get_meeting(uow.session, meeting_id, lock=True)
        if meeting.status != "planned":
            raise Conflict(f"meeting {meeting_id} is {meeting.status}, not planned")
        _check_composition(uow.session, uow.session.get(Term, meeting.term_id), meeting.held_on, rules)
        meeting.status, meeting.convened_at = "in_session", uow.now()
        uow.audit(meeting_chain(meeting_id), "meeting.convened", {"held_on": meeting.held_on},
                  actor=actor.username)
        uow.commit()
    return meeting


def close_meeting(uow: UnitOfWork, meeting_id: int, *, actor: Actor) -> Meeting:
    """Close the session. Raises: NotFound. Conflict: not in session, or a vote is still open."""
    with uow:
        s = uow.session
        meeting = get_meeting(s, meeting_id, lock=True)
        if meeting.status != "in_session":
            raise Conflict(f"meeting {meeting_id} is {meeting.status}, not in session")
        open_votes = s.scalar(select(func.count()).select_from(Vote).join(Matter, Matter.id == Vote.matter_id)
                              .where(Matter.meeting_id == meeting_id, Vote.status == "open"))
        from workflows.congress.election_tables import Election, ElectionRound  # elections on the agenda

        open_votes += s.scalar(select(func.count()).select_from(ElectionRound)
                               .join(Election, Election.id == ElectionRound.election_id)
                               .join(Matter, Matter.id == Election.matter_id)
                               .where(Matter.meeting_id == meeting_id, ElectionRound.status == "open"))
        if open_votes:
            raise Conflict(f"{open_votes} vote(s) of meeting {meeting_id} are still open")
        meeting.status, meeting.closed_at = "closed", uow.now()
        uow.audit(meeting_chain(meeting_id), "meeting.closed", {}, actor=actor.username)
        uow.commit()
    return meeting


def meeting_summary(uow: UnitOfWork, meeting_id: int) -> dict[str, Any]:
    """A meeting with its seated and present counts. Raises: NotFound."""
    with uow:
        s = uow.session
        meeting = get_meeting(s, meeting_id)
        term = s.get(Term, meeting.term_id)
        present = len(present_ids(s, meeting))
        return {**{c.key: getattr(meeting, c.key) for c in Meeting.__table__.columns}, "term_number": term.number,
                "seated": len(roster.seated(s, term.id, meeting.held_on)), "present": present}


def present_query(meeting: Meeting, at: dt.datetime | None = None):
    """SELECT of the representatives checked in (at or before ``at``) who are seated on the meeting day."""
    query = (select(CheckIn.representative_id).join(Representative, Representative.id == CheckIn.representative_id)
             .where(CheckIn.meeting_id == meeting.id, Representative.elected_on <= meeting.held_on,
                    or_(Representative.ended_on.is_(None), Representative.ended_on > meeting.held_on)))
    return query if at is None else query.where(CheckIn.checked_in_at <= at)


def present_ids(session: Session, meeting: Meeting, at: dt.datetime | None = None) -> set[int]:
    """Representatives checked in (at or before ``at``) who are seated on the meeting day."""
    return set(session.scalars(present_query(meeting, at)))


def list_meetings(uow: UnitOfWork, term_id: int) -> list[Meeting]:
    with uow:
        return list(uow.session.scalars(select(Meeting).where(Meeting.term_id == term_id)
                                        .order_by(Meeting.session_number)))


def add_matter(uow: UnitOfWork, meeting_id: int, *, matter_type: str, title: str, actor: Actor) -> Matter:
    """Append an agenda item; its mode and secrecy come from the matter_mode table in force.

    Raises:
        NotFound. Conflict: the meeting is closed. ValidationFailed: unknown matter type.
    """
    with uow:
        meeting = get_meeting(uow.session, meeting_id, lock=True)
        if meeting.status == "closed":
            raise Conflict(f"meeting {meeting_id} is closed")
        matter = append_matter(uow, meeting, matter_type=matter_type, title=title, actor=actor.username)
        uow.commit()
    return matter


def append_matter(uow: UnitOfWork, meeting: Meeting, *, matter_type: str, title: str, actor: str | None) -> Matter:
    """Append an agenda item inside the caller's open unit of work (an open meeting, locked by the caller).

    Raises:
        ValidationFailed: unknown matter type.
    """
    s = uow.session
    decided = decide_mode(uow, matter_type)
    position = (s.scalar(select(func.max(Matter.position)).where(Matter.meeting_id == meeting.id)) or 0) + 1
    matter = Matter(meeting_id=meeting.id, position=position, matter_type=matter_type, title=title,
                    created_at=uow.now(), **decided)
    s.add(matter)
    s.flush()
    uow.audit(meeting_chain(meeting.id), "matter.added", {"matter_id": matter.id, "position": position,
                                                          "matter_type": matter_type, "title": title, **decided},
              actor=actor)
    return matter


def list_matters(uow: UnitOfWork, meeting_id: int) -> list[Matter]:
    with uow:
        get_meeting(uow.session, meeting_id)
        return list(uow.session.scalars(select(Matter).where(Matter.meeting_id == meeting_id)
                                        .order_by(Matter.position)))


def get_matter(session: Session, matter_id: int, *, lock: bool = False) -> Matter:
    """Raises: NotFound."""
    return fetch(session, Matter, matter_id, "matter", lock=lock)


def seat_of(session: Session, meeting: Meeting, actor: Actor, representative_id: int | None = None
            ) -> Representative:
    """The representative the caller acts for: their own seat, or ``representative_id`` if it is theirs.

    Raises:
        Forbidden: the caller is not a representative, or not the one named, or not seated that day.
    """
    if not actor.has(REPRESENTATIVE):
        raise Forbidden("only representatives take part in person (role 'representative')")
    query = roster.seated_query(meeting.term_id, meeting.held_on).where(Representative.username == actor.username)
    rep = session.scalar(query)
    if rep is None:
        raise Forbidden(f"'{actor.username}' is not a representative seated on {meeting.held_on}")
    if representative_id is not None and representative_id != rep.id:
        raise Forbidden(f"'{actor.username}' sits for representative {rep.id}, not {representative_id}")
    return rep


def check_in(uow: UnitOfWork, meeting_id: int, *, actor: Actor, representative_id: int | None = None) -> CheckIn:
    """Record a representative present: themselves, or anyone by the presidium (or an admin).

    Raises:
        NotFound. Conflict: the meeting is closed or the representative already checked in.
        Forbidden: checking in someone else without the presidium role, or someone not seated that day.
    """
    with uow:
        s = uow.session
        meeting = get_meeting(s, meeting_id, lock=True)
        if meeting.status == "closed":
            raise Conflict(f"meeting {meeting_id} is closed")
        if representative_id is not None and actor.has(PRESIDIUM, ADMIN):
            rep = s.scalar(roster.seated_query(meeting.term_id, meeting.held_on)
                           .where(Representative.id == representative_id))
            if rep is None:
                raise Forbidden(f"representative {representative_id} is not seated on {meeting.held_on}")
        else:
            rep = seat_of(s, meeting, actor, representative_id)
        if s.get(CheckIn, (meeting_id, rep.id)) is not None:
            raise Conflict(f"representative {rep.id} has already checked in")
        row = CheckIn(meeting_id=meeting_id, representative_id=rep.id, checked_in_at=uow.now(),
                      checked_in_by=actor.username)
        s.add(row)
        uow.audit(meeting_chain(meeting_id), "representative.checked_in", {"representative_id": rep.id},
                  actor=actor.username)
        uow.commit()
    return row


def list_check_ins(uow: UnitOfWork, meeting_id: int) -> list[CheckIn]:
    with uow:
        get_meeting(uow.session, meeting_id)
        return list(uow.session.scalars(select(CheckIn).where(CheckIn.meeting_id == meeting_id)
                                        .order_by(CheckIn.checked_in_at, CheckIn.representative_id)))


def add_opinion(uow: UnitOfWork, matter_id: int, text: str, *, actor: Actor) -> Opinion:
    """A checked-in representative's opinion on a matter being heard or deliberated (no vote).

    Raises:
        NotFound. Conflict: the matter is voted on, or the meeting is not in session.
        Forbidden: not a seated, checked-in representative.
    """
    with uow:
        s = uow.session
        matter = get_matter(s, matter_id)
        meeting = get_meeting(s, matter.meeting_id)
        if matter.mode in VOTING_MODES:
            raise Conflict(f"matter {matter_id} is decided by a vote ({matter.mode}), not by collecting opinions")
        if meeting.status != "in_session":
            raise Conflict(f"meeting {meeting.id} is {meeting.status}, not in session")
        rep = seat_of(s, meeting, actor)
        if s.get(CheckIn, (meeting.id, rep.id)) is None:
            raise Forbidden(f"representative {rep.id} has not checked in")
        opinion = Opinion(matter_id=matter_id, representative_id=rep.id, text=text, created_at=uow.now())
        s.add(opinion)
        s.flush()
        uow.audit(meeting_chain(meeting.id), "opinion.submitted", {"matter_id": matter_id, "opinion_id": opinion.id,
                                                                   "representative_id": rep.id, "text": text},
                  actor=actor.username)
        uow.commit()
    return opinion


def list_opinions(uow: UnitOfWork, matter_id: int) -> list[Opinion]:
    with uow:
        get_matter(uow.session, matter_id)
        return list(uow.session.scalars(select(Opinion).where(Opinion.matter_id == matter_id)
                                        .order_by(Opinion.id)))
