"""The speaker list (发言名单) of an agenda item: representatives ask to speak; the presidium orders the list,
calls the next speaker and marks who has spoken; a representative may withdraw while waiting."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.identity import ADMIN, Actor
from engine.unit_of_work import UnitOfWork
from workflows.congress.meetings import PRESIDIUM, get_matter, get_meeting, meeting_chain, seat_of
from workflows.congress.session_tables import Speaker
from workflows.congress.tables import Representative

WAITING = ("requested", "called")


def _open_meeting(s, matter_id: int):
    matter = get_matter(s, matter_id)
    meeting = get_meeting(s, matter.meeting_id)
    if meeting.status == "closed":
        raise Conflict(f"meeting {meeting.id} is closed")
    return matter, meeting


def request(uow: UnitOfWork, matter_id: int, *, topic: str | None, actor: Actor) -> Speaker:
    """A seated representative asks to speak on an item. Raises: Forbidden. NotFound. Conflict: already
    waiting, or the meeting is closed."""
    with uow:
        s = uow.session
        matter, meeting = _open_meeting(s, matter_id)
        rep = seat_of(s, meeting, actor)
        if s.scalar(select(Speaker.id).where(Speaker.matter_id == matter_id, Speaker.representative_id == rep.id,
                                             Speaker.status.in_(WAITING))):
            raise Conflict(f"{rep.name} is already on the speaker list of this item")
        position = (s.scalar(select(func.max(Speaker.position)).where(Speaker.matter_id == matter_id)) or 0) + 1
        row = Speaker(matter_id=matter_id, representative_id=rep.id, position=position, status="requested",
                      topic=(topic or "").strip()[:200] or None, requested_at=uow.now())
        s.add(row)
        s.flush()
        uow.audit(meeting_chain(meeting.id), "speaker.requested", {"matter_id": matter_id, "speaker_id": row.id,
                                                                   "representative_id": rep.id, "topic": row.topic},
                  actor=actor.username)
        uow.commit()
    return row


def _speaker(s, speaker_id: int) -> Speaker:
    row = s.get(Speaker, speaker_id, with_for_update=True)
    if row is None:
        raise NotFound(f"speaker request {speaker_id} does not exist")
    return row


TRANSITIONS = {"call": ("requested", "called", "called_at"), "spoken": ("called", "spoken", "spoken_at"),
               "withdraw": ("requested", "withdrawn", None)}


def act(uow: UnitOfWork, speaker_id: int, action: str, *, actor: Actor) -> Speaker:
    """The presidium calls a speaker (``call``) or marks them spoken (``spoken``); the speaker may ``withdraw``.

    Raises: ValidationFailed: unknown action. Forbidden. NotFound. Conflict: not in the state the action needs,
    or another speaker of the item is still called.
    """
    if action not in TRANSITIONS:
        raise ValidationFailed("unknown action", {"action": [f"one of {', '.join(TRANSITIONS)}"]})
    before, after, stamp = TRANSITIONS[action]
    with uow:
        s = uow.session
        row = _speaker(s, speaker_id)
        matter, meeting = _open_meeting(s, row.matter_id)
        if action == "withdraw":
            if not actor.has(PRESIDIUM, ADMIN) and seat_of(s, meeting, actor).id != row.representative_id:
                raise Forbidden("only the speaker or the presidium takes a name off the list")
        elif not actor.has(PRESIDIUM, ADMIN):
            raise Forbidden("the presidium calls the speakers (role 'presidium')")
        if row.status != before:
            raise Conflict(f"the speaker is {row.status}, not {before}")
        if action == "call" and s.scalar(select(Speaker.id).where(Speaker.matter_id == row.matter_id,
                                                                  Speaker.status == "called")):
            raise Conflict("another speaker has the floor; mark them spoken first")
        row.status = after
        if stamp:
            setattr(row, stamp, uow.now())
        uow.audit(meeting_chain(meeting.id), f"speaker.{after}", {"matter_id": row.matter_id, "speaker_id": row.id,
                                                                  "representative_id": row.representative_id},
                  actor=actor.username)
        uow.commit()
    return row


def reorder(uow: UnitOfWork, matter_id: int, order: list[int], *, actor: Actor) -> None:
    """The presidium orders the waiting speakers: ``order`` lists every waiting request's id once.

    Raises: Forbidden. NotFound. Conflict: the meeting is closed. ValidationFailed: not exactly the waiting ones.
    """
    if not actor.has(PRESIDIUM, ADMIN):
        raise Forbidden("the presidium orders the speaker list (role 'presidium')")
    with uow:
        s = uow.session
        _, meeting = _open_meeting(s, matter_id)
        rows = {r.id: r for r in s.scalars(select(Speaker).where(Speaker.matter_id == matter_id,
                                                                 Speaker.status == "requested"))}
        if sorted(order) != sorted(rows):
            raise ValidationFailed("list every waiting request once", {"order": sorted(rows)})
        base = s.scalar(select(func.max(Speaker.position)).where(Speaker.matter_id == matter_id)) or 0
        for i, speaker_id in enumerate(order, start=1):
            rows[speaker_id].position = base + i
        uow.audit(meeting_chain(meeting.id), "speaker.reordered", {"matter_id": matter_id, "order": order},
                  actor=actor.username)
        uow.commit()


def listing(uow: UnitOfWork, matter_id: int) -> list[dict[str, Any]]:
    """The item's speaker list: the called speaker, then those waiting in order, then spoken and withdrawn."""
    rank = {"called": 0, "requested": 1, "spoken": 2, "withdrawn": 3}
    with uow:
        s = uow.session
        get_matter(s, matter_id)
        rows = s.execute(select(Speaker, Representative).join(Representative,
                                                              Representative.id == Speaker.representative_id)
                         .where(Speaker.matter_id == matter_id)).all()
        rows.sort(key=lambda pair: (rank[pair[0].status], pair[0].position))
        return [{"id": sp.id, "representative_id": rep.id, "name": rep.name, "delegation": rep.delegation,
                 "username": rep.username, "status": sp.status, "topic": sp.topic, "position": sp.position,
                 "requested_at": sp.requested_at, "called_at": sp.called_at, "spoken_at": sp.spoken_at}
                for sp, rep in rows]
