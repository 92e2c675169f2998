"""What the presidium runs a meeting with: check-in from a paper sign-in sheet, the live counts of a meeting
(check-ins, ballots cast, never choices before the close) and the notices published for its matters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.identity import ADMIN, Actor
from engine.models import User
from engine.unit_of_work import UnitOfWork
from workflows import documents
from workflows.congress import election_state, roster
from workflows.congress.meetings import PRESIDIUM, get_meeting, meeting_chain, present_ids
from workflows.congress.tables import CheckIn, Matter, NamedBallot, Participation, Representative, Vote

NOTICE_KIND = "resolution_notice"


def check_in_from_sheet(uow: UnitOfWork, meeting_id: int, representative_ids: list[int], *,
                        actor: Actor) -> dict[str, list[int]]:
    """Record as present everyone ticked on a paper sign-in sheet, in one transaction.

    Each check-in is audited as entered by the presidium member (``entered_by``, source ``paper_sheet``);
    those already checked in are skipped and reported, not refused.

    Returns:
        {"checked_in": [ids], "already": [ids]}.

    Raises:
        Forbidden: the caller is neither presidium nor admin. NotFound. Conflict: the meeting is closed.
        ValidationFailed: nobody ticked, or someone ticked is not seated on the meeting day.
    """
    if not actor.has(PRESIDIUM, ADMIN):
        raise Forbidden("only the presidium enters a sign-in sheet (role 'presidium')")
    wanted = sorted(set(representative_ids))
    if not wanted:
        raise ValidationFailed("tick at least one representative", {"representative_ids": ["empty"]})
    with uow:
        s = uow.session
        meeting = get_meeting(s, meeting_id, lock=True)
        if meeting.status == "closed":
            raise Conflict(f"meeting {meeting_id} is closed")
        seated = set(s.scalars(roster.seated_query(meeting.term_id, meeting.held_on)
                               .with_only_columns(Representative.id).where(Representative.id.in_(wanted))))
        if stranger := [i for i in wanted if i not in seated]:
            raise ValidationFailed("not seated on the meeting day", {"representative_ids": stranger})
        already = set(s.scalars(select(CheckIn.representative_id).where(CheckIn.meeting_id == meeting_id,
                                                                          CheckIn.representative_id.in_(wanted))))
        now, done = uow.now(), [i for i in wanted if i not in already]
        for rep_id in done:
            s.add(CheckIn(meeting_id=meeting_id, representative_id=rep_id, checked_in_at=now,
                          checked_in_by=actor.username))
            uow.audit(meeting_chain(meeting_id), "representative.checked_in", {
                "representative_id": rep_id, "entered_by": actor.username, "source": "paper_sheet"},
                actor=actor.username)
        uow.commit()
    return {"checked_in": done, "already": sorted(already)}


def attendance(uow: UnitOfWork, meeting_id: int) -> list[dict[str, Any]]:
    """Every representative seated on the meeting day with their check-in (time, who entered it and their name)."""
    with uow:
        s = uow.session
        meeting = get_meeting(s, meeting_id)
        checks = {c.representative_id: c for c in s.scalars(select(CheckIn).where(CheckIn.meeting_id == meeting_id))}
        names = dict(s.execute(select(User.username, User.display_name).where(
            User.username.in_({c.checked_in_by for c in checks.values()}))).all())
        rows = []
        for rep in roster.seated(s, meeting.term_id, meeting.held_on):
            check = checks.get(rep.id)
            rows.append({"id": rep.id, "name": rep.name, "employee_no": rep.employee_no,
                         "delegation": rep.delegation, "username": rep.username,
                         "checked_in_at": check.checked_in_at if check else None,
                         "checked_in_by": check.checked_in_by if check else None,
                         "entered_by_name": names.get(check.checked_in_by) or check.checked_in_by if check else None})
        rows.sort(key=lambda row: (row["delegation"] or "", row["employee_no"]))
        return rows


def _cast_counts(session, vote_ids: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for table in (Participation, NamedBallot):
        counts.update(session.execute(select(table.vote_id, func.count()).where(table.vote_id.in_(vote_ids))
                                      .group_by(table.vote_id)).all())
    return counts


def live(uow: UnitOfWork, meeting_id: int) -> dict[str, Any]:
    """The meeting's live state: status, seated and present, and per vote its status and ballots cast so far.

    No choice is ever in it while a vote is open (secret or named); the outcome appears at the close. ``rounds``:
    the latest round of each election, with its status and ballots cast.
    """
    with uow:
        s = uow.session
        meeting = get_meeting(s, meeting_id)
        votes = list(s.scalars(select(Vote).join(Matter, Matter.id == Vote.matter_id)
                               .where(Matter.meeting_id == meeting_id).order_by(Matter.position)))
        cast = _cast_counts(s, [v.id for v in votes])
        return {"meeting_id": meeting.id, "status": meeting.status,
                "seated": len(roster.seated(s, meeting.term_id, meeting.held_on)),
                "present": len(present_ids(s, meeting)),
                "votes": [{"id": v.id, "matter_id": v.matter_id, "status": v.status, "kind": v.kind,
                           "cast": v.ballots_cast if v.status == "closed" else cast.get(v.id, 0),
                           "present": v.present, "votes_required": v.votes_required,
                           "outcome": v.outcome} for v in votes],
                "rounds": election_state.live_rounds(s, meeting_id)}


def notices(uow: UnitOfWork, meeting_id: int) -> dict[int, int]:
    """matter id -> the id of its published resolution notice (PDF), for the meeting's matters that have one."""
    with uow:
        s = uow.session
        matter_ids = list(s.scalars(select(Matter.id).where(Matter.meeting_id == meeting_id)))
        names = {f"notice-{m}.pdf": m for m in matter_ids}
        if not names:
            return {}
        rows = s.execute(select(documents.Document.filename, func.max(documents.Document.id))
                         .where(documents.Document.kind == NOTICE_KIND, documents.Document.filename.in_(names))
                         .group_by(documents.Document.filename)).all()
        return {names[filename]: doc_id for filename, doc_id in rows}
