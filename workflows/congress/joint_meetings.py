"""The joint meeting (联席会议, rules.md §2.1, U; practice V): between sessions the union convenes the delegation
heads and the committee heads to decide urgent matters; each decision goes to the next session for
confirmation, as a matter of that session created automatically (now if the session is planned, else when it
is planned or started)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select

from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.identity import ADMIN, Actor
from engine.unit_of_work import UnitOfWork
from workflows.congress import meetings
from workflows.congress.committees import committee_heads, term_chain
from workflows.congress.session_tables import DelegationHead, JointDecision, JointMeeting
from workflows.congress.tables import Meeting, Representative, Term
from workflows.records import fetch

CONVENER = "union_chair"
CONFIRMATION_TYPE = "procedural"  # 程序性事项: adopted by a named vote (matter_mode.dmn)
CONFIRMATION_PREFIX = "确认联席会议决定："


def set_delegation_head(uow: UnitOfWork, term_id: int, delegation: str, representative_id: int, *,
                        actor: Actor) -> DelegationHead:
    """Name a delegation's head (团长), a representative of that delegation.

    Raises: Forbidden: not the union or an admin. NotFound. ValidationFailed: not of that delegation.
    """
    if not actor.has(CONVENER, "presidium", ADMIN):
        raise Forbidden("delegation heads are recorded by the union or the presidium")
    with uow:
        s = uow.session
        fetch(s, Term, term_id, "term")
        rep = fetch(s, Representative, representative_id, "representative")
        if rep.term_id != term_id or rep.delegation != delegation or rep.ended_on is not None:
            raise ValidationFailed(f"{rep.name} is not a sitting representative of {delegation}",
                                   {"representative_id": [representative_id]})
        row = s.get(DelegationHead, (term_id, delegation))
        if row is None:
            row = DelegationHead(term_id=term_id, delegation=delegation, representative_id=representative_id)
            s.add(row)
        row.representative_id = representative_id
        uow.audit(term_chain(term_id), "delegation.head_set", {"delegation": delegation,
                                                               "representative_id": representative_id},
                  actor=actor.username)
        uow.commit()
    return row


def heads(uow: UnitOfWork, term_id: int) -> list[dict[str, Any]]:
    """Who may sit in a joint meeting: delegation heads and committee heads, with their capacity."""
    with uow:
        s = uow.session
        return _heads(s, term_id)


def _heads(s, term_id: int) -> list[dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for row in s.scalars(select(DelegationHead).where(DelegationHead.term_id == term_id)):
        out.setdefault(row.representative_id, {"id": row.representative_id, "as": []})["as"].append(
            f"{row.delegation}团长")
    for rep_id, committee in committee_heads(s, term_id).items():
        out.setdefault(rep_id, {"id": rep_id, "as": []})["as"].append(f"{committee}主任")
    names = dict(s.execute(select(Representative.id, Representative.name)
                           .where(Representative.id.in_(list(out)))).all()) if out else {}
    return sorted(({**v, "name": names.get(k)} for k, v in out.items()), key=lambda v: v["id"])


def hold_joint_meeting(uow: UnitOfWork, term_id: int, body: dict[str, Any], *, actor: Actor) -> JointMeeting:
    """Record a joint meeting the union convened and its decisions; each goes to the next session.

    Args:
        body: held_on, attendees (representative ids: delegation or committee heads), decisions [{title, text}].

    Raises:
        Forbidden: not the union. NotFound. Conflict: a session of the term is in session (decide there).
        ValidationFailed: an attendee who heads nothing, no decision.
    """
    if not actor.has(CONVENER, ADMIN):
        raise Forbidden("the union convenes the joint meeting (role 'union_chair')")
    decisions = [d for d in body.get("decisions") or [] if (d.get("title") or "").strip()]
    if not decisions:
        raise ValidationFailed("a joint meeting decides at least one urgent matter", {"decisions": ["required"]})
    if any(len(d["title"].strip()) > 300 for d in decisions):
        raise ValidationFailed("a decision's title is at most 300 characters", {"decisions": ["title too long"]})
    attendees = sorted({int(i) for i in body.get("attendees") or []})
    held_on: dt.date = body["held_on"]
    with uow:
        s = uow.session
        term = fetch(s, Term, term_id, "term")
        if not term.starts_on <= held_on <= term.ends_on:
            raise ValidationFailed("the joint meeting is held within the term", {"held_on": [str(held_on)]})
        if s.scalar(select(Meeting.id).where(Meeting.term_id == term_id, Meeting.status == "in_session")):
            raise Conflict("a session is in session: urgent matters go on its agenda, not to a joint meeting")
        allowed = {h["id"] for h in _heads(s, term_id)}
        if not attendees or (strangers := [i for i in attendees if i not in allowed]):
            raise ValidationFailed("the joint meeting is of delegation heads and committee heads",
                                   {"attendees": strangers if attendees else ["required"]})
        row = JointMeeting(term_id=term_id, held_on=held_on, attendees_json=json.dumps(attendees),
                           created_at=uow.now(), created_by=actor.username)
        s.add(row)
        s.flush()
        for d in decisions:
            s.add(JointDecision(joint_meeting_id=row.id, title=d["title"].strip(), text=(d.get("text") or "").strip(),
                                decided_at=uow.now()))
        s.flush()
        uow.audit(term_chain(term_id), "joint_meeting.held", {
            "joint_meeting_id": row.id, "held_on": held_on, "attendees": attendees,
            "decisions": [d["title"] for d in decisions]}, actor=actor.username)
        upcoming = s.scalar(select(Meeting).where(Meeting.term_id == term_id, Meeting.status == "planned",
                                                  Meeting.held_on >= held_on)
                            .order_by(Meeting.held_on, Meeting.id).limit(1))
        if upcoming is not None:
            carry_to(uow, upcoming, actor.username)
        uow.commit()
    return row


def carry_to(uow: UnitOfWork, meeting: Meeting, actor: str | None) -> list[int]:
    """Put every unconfirmed joint-meeting decision of the meeting's term on its agenda (inside an open uow)."""
    s = uow.session
    pending = list(s.scalars(select(JointDecision).join(JointMeeting, JointMeeting.id == JointDecision.joint_meeting_id)
                             .where(JointMeeting.term_id == meeting.term_id, JointDecision.confirm_matter_id.is_(None),
                                    JointMeeting.held_on <= meeting.held_on)
                             .order_by(JointDecision.id)))
    added = []
    for decision in pending:
        matter = meetings.append_matter(uow, meeting, matter_type=CONFIRMATION_TYPE,
                                        title=f"{CONFIRMATION_PREFIX}{decision.title}", actor=actor)
        decision.confirm_matter_id = matter.id
        added.append(matter.id)
    return added


def list_joint_meetings(uow: UnitOfWork, term_id: int) -> list[dict[str, Any]]:
    """The term's joint meetings with attendees and decisions (and where each is confirmed)."""
    with uow:
        s = uow.session
        fetch(s, Term, term_id, "term")
        out = []
        for jm in s.scalars(select(JointMeeting).where(JointMeeting.term_id == term_id)
                            .order_by(JointMeeting.held_on.desc(), JointMeeting.id.desc())):
            ids = json.loads(jm.attendees_json)
            reps = dict(s.execute(select(Representative.id, Representative.name)
                                  .where(Representative.id.in_(ids))).all())
            out.append({"id": jm.id, "held_on": jm.held_on, "created_by": jm.created_by,
                        "attendees": [{"id": i, "name": reps.get(i)} for i in ids],
                        "decisions": [{"id": d.id, "title": d.title, "text": d.text,
                                       "confirm_matter_id": d.confirm_matter_id}
                                      for d in s.scalars(select(JointDecision).where(
                                          JointDecision.joint_meeting_id == jm.id).order_by(JointDecision.id))]})
        return out
