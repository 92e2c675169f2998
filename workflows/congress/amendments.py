"""Amendments (修正案) to a draft put to the vote: a representative, or a delegation through its head, proposes a
new text for one clause; each amendment is its own matter placed just before the draft and voted first (the
ordering rule ``amendments_first``, checked when the draft's vote is opened); the adopted text is the draft
with the adopted amendments applied, with a clause-by-clause diff (workflows/clause_diff.py)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.identity import ADMIN, Actor
from engine.unit_of_work import UnitOfWork
from workflows.clause_diff import clause_diff, render_diff
from workflows.congress.matter_modes import VOTING_MODES
from workflows.congress.meetings import PRESIDIUM, append_matter, get_matter, get_meeting, meeting_chain, seat_of
from workflows.congress.session_tables import Amendment, DelegationHead, MatterDraft
from workflows.congress.tables import Matter, Representative, Vote
from workflows.errors import RuleConflict

AMENDMENT_TYPE = "procedural"  # voted by a named show of hands, 过半数 of all representatives


def _clauses(value: Any) -> list[dict[str, Any]]:
    problems, out = [], []
    for i, c in enumerate(value or []):
        try:
            number, title, text = int(c["number"]), str(c.get("title") or "").strip(), str(c["text"]).strip()
        except (KeyError, TypeError, ValueError):
            problems.append(f"clause {i + 1}: number and text")
            continue
        if not text:
            problems.append(f"clause {number}: empty text")
        out.append({"number": number, "title": title, "text": text})
    if not out or problems or len({c["number"] for c in out}) != len(out):
        raise ValidationFailed("a draft is a list of numbered clauses, each number once",
                               {"clauses": problems or ["at least one clause, numbers unique"]})
    return sorted(out, key=lambda c: c["number"])


def _voted(session: Session, matter_id: int) -> Vote | None:
    return session.scalar(select(Vote).where(Vote.matter_id == matter_id))


def set_draft(uow: UnitOfWork, matter_id: int, clauses: list[dict[str, Any]], *, actor: Actor) -> MatterDraft:
    """Attach (or replace) the clauses of a matter put to the vote, before its vote opens.

    Raises: Forbidden: not the presidium. NotFound. Conflict: the matter takes no vote, or its vote has opened,
    or amendments are already proposed. ValidationFailed: bad clauses.
    """
    if not actor.has(PRESIDIUM, ADMIN):
        raise Forbidden("the presidium puts a draft's text to the congress (role 'presidium')")
    clauses = _clauses(clauses)
    with uow:
        s = uow.session
        matter = get_matter(s, matter_id, lock=True)
        if matter.mode not in VOTING_MODES:
            raise Conflict(f"matter {matter_id} takes no vote; only drafts put to the vote have clauses")
        if _voted(s, matter_id) is not None:
            raise Conflict(f"the vote on matter {matter_id} has opened; its text is fixed")
        if s.scalar(select(Amendment.id).where(Amendment.draft_matter_id == matter_id).limit(1)):
            raise Conflict("amendments to this draft are proposed; its text is fixed")
        row = s.get(MatterDraft, matter_id) or MatterDraft(matter_id=matter_id)
        row.clauses_json, row.updated_at = json.dumps(clauses, ensure_ascii=False), uow.now()
        s.add(row)
        uow.audit(meeting_chain(matter.meeting_id), "draft.set", {"matter_id": matter_id, "clauses": clauses},
                  actor=actor.username)
        uow.commit()
    return row


def _move_before(session: Session, meeting_id: int, matter: Matter, draft: Matter) -> None:
    """Renumber so that ``matter`` sits just before ``draft`` (two passes: positions are unique)."""
    rows = list(session.scalars(select(Matter).where(Matter.meeting_id == meeting_id).order_by(Matter.position)))
    order = [m for m in rows if m.id != matter.id]
    order.insert(order.index(draft), matter)
    session.execute(update(Matter).where(Matter.meeting_id == meeting_id).values(position=-Matter.position))
    session.flush()
    for position, m in enumerate(order, start=1):
        session.execute(update(Matter).where(Matter.id == m.id).values(position=position))
    session.expire_all()


def propose(uow: UnitOfWork, draft_matter_id: int, body: dict[str, Any], *, actor: Actor) -> Amendment:
    """A representative (or a delegation through its head, ``on_behalf_of_delegation``) proposes a new text for
    one clause; the amendment becomes a matter placed before the draft.

    Raises:
        Forbidden: not a seated representative, or not the delegation's head. NotFound.
        Conflict: the meeting is closed, the draft's vote has opened, or it has no clauses.
        ValidationFailed: an unknown clause or an empty text.
    """
    text = (body.get("new_text") or "").strip()
    with uow:
        s = uow.session
        draft = get_matter(s, draft_matter_id, lock=True)
        meeting = get_meeting(s, draft.meeting_id, lock=True)
        if meeting.status == "closed":
            raise Conflict(f"meeting {meeting.id} is closed")
        rep = seat_of(s, meeting, actor)
        delegation = None
        if body.get("on_behalf_of_delegation"):
            head = s.get(DelegationHead, (meeting.term_id, rep.delegation))
            if head is None or head.representative_id != rep.id:
                raise Forbidden(f"{rep.name} is not the head of {rep.delegation}; a delegation proposes through it")
            delegation = rep.delegation
        stored = s.get(MatterDraft, draft_matter_id)
        if stored is None:
            raise Conflict(f"matter {draft_matter_id} has no clauses to amend")
        if _voted(s, draft_matter_id) is not None:
            raise Conflict(f"the vote on matter {draft_matter_id} has opened; amendments come before it")
        numbers = {c["number"]: c for c in json.loads(stored.clauses_json)}
        number = body.get("clause_number")
        if number not in numbers:
            raise ValidationFailed("no such clause", {"clause_number": [f"one of {sorted(numbers)}"]})
        if not text or text == numbers[number]["text"]:
            raise ValidationFailed("the amendment changes the clause's text", {"new_text": ["a different text"]})
        vote_matter = append_matter(uow, meeting, matter_type=AMENDMENT_TYPE,
                                    title=f"修正案：《{draft.title}》第{number}条", actor=actor.username)
        _move_before(s, meeting.id, vote_matter, draft)
        row = Amendment(draft_matter_id=draft_matter_id, vote_matter_id=vote_matter.id, clause_number=number,
                        new_text=text, reason=(body.get("reason") or "").strip() or None, representative_id=rep.id,
                        delegation=delegation, created_at=uow.now(), created_by=actor.username)
        s.add(row)
        s.flush()
        uow.audit(meeting_chain(meeting.id), "amendment.proposed", {
            "amendment_id": row.id, "draft_matter_id": draft_matter_id, "vote_matter_id": vote_matter.id,
            "clause_number": number, "new_text": text, "representative_id": rep.id, "delegation": delegation},
            actor=actor.username)
        uow.commit()
    return row


def require_amendments_decided(session: Session, matter_id: int) -> None:
    """The ordering rule: every amendment to a draft is voted before the draft.

    Raises:
        RuleConflict ``amendments_first``: an amendment's vote has not closed yet.
    """
    pending = list(session.execute(
        select(Amendment.clause_number, Matter.title).join(Matter, Matter.id == Amendment.vote_matter_id)
        .outerjoin(Vote, Vote.matter_id == Amendment.vote_matter_id)
        .where(Amendment.draft_matter_id == matter_id, (Vote.id.is_(None)) | (Vote.status != "closed"))).all())
    if pending:
        raise RuleConflict(f"{len(pending)} amendment(s) to this draft are not decided yet: amendments are voted "
                           "before the draft", "amendments_first", {"amendments": [t for _, t in pending]})


def amendments_of(session: Session, draft_matter_id: int) -> list[dict[str, Any]]:
    rows = session.execute(select(Amendment, Vote.outcome, Vote.status, Vote.votes_for, Vote.votes_against,
                                  Vote.abstentions, Representative.name)
                           .outerjoin(Vote, Vote.matter_id == Amendment.vote_matter_id)
                           .outerjoin(Representative, Representative.id == Amendment.representative_id)
                           .where(Amendment.draft_matter_id == draft_matter_id).order_by(Amendment.id)).all()
    return [{"id": a.id, "clause_number": a.clause_number, "new_text": a.new_text, "reason": a.reason,
             "vote_matter_id": a.vote_matter_id, "representative_id": a.representative_id, "proposer": name,
             "delegation": a.delegation, "vote_status": status, "outcome": outcome, "votes_for": vf,
             "votes_against": va, "abstentions": ab, "created_at": a.created_at}
            for a, outcome, status, vf, va, ab, name in rows]


def draft_view(uow: UnitOfWork, matter_id: int) -> dict[str, Any]:
    """The draft's clauses, its amendments with their outcome, and the adopted text (the draft with the adopted
    amendments, in the order proposed) with its diff. Raises: NotFound."""
    with uow:
        s = uow.session
        matter = get_matter(s, matter_id)
        stored = s.get(MatterDraft, matter_id)
        clauses = json.loads(stored.clauses_json) if stored else []
        amendments = amendments_of(s, matter_id)
        adopted = {c["number"]: dict(c) for c in clauses}
        for a in amendments:
            if a["outcome"] == "adopted" and a["clause_number"] in adopted:
                adopted[a["clause_number"]]["text"] = a["new_text"]
        text = sorted(adopted.values(), key=lambda c: c["number"])
        changes = clause_diff(clauses, text)
        return {"matter_id": matter_id, "title": matter.title, "meeting_id": matter.meeting_id, "clauses": clauses,
                "amendments": amendments, "adopted_text": text, "diff": changes,
                "diff_text": render_diff(changes, "草案", "修正后文本"),
                "pending": sum(a["vote_status"] != "closed" for a in amendments),
                "amendments_count": s.scalar(select(func.count()).select_from(Amendment)
                                             .where(Amendment.draft_matter_id == matter_id))}


def amendment_matters(session: Session, meeting_id: int) -> dict[int, int]:
    """vote matter id -> draft matter id, for the meeting's amendment matters."""
    return dict(session.execute(select(Amendment.vote_matter_id, Amendment.draft_matter_id)
                                .join(Matter, Matter.id == Amendment.draft_matter_id)
                                .where(Matter.meeting_id == meeting_id)).all())
