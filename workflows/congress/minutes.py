"""Minutes (会议纪要) of a session: generated from the meeting's records (attendance, presidium, agenda with modes,
opinions, speakers, amendments, votes with their tallies, and any section another module registers, e.g. the
elections), edited and approved by the presidium (the session diagram's ``approve_minutes`` step), then
published as a document with its SHA-256 (workflows/documents.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.identity import ADMIN, Actor
from engine.unit_of_work import UnitOfWork
from workflows import documents
from workflows.congress import roster
from workflows.congress.amendments import amendment_matters, amendments_of
from workflows.congress.meetings import PRESIDIUM, get_meeting, meeting_chain, present_ids
from workflows.congress.session_tables import MatterDraft, Minutes, PresidiumMember, SessionRecord, Speaker
from workflows.congress.tables import Matter, Meeting, Opinion, Representative, Term, Vote
from workflows.numerals import chinese

KIND = "congress_minutes"
MODES = {"hear": "听取", "deliberate": "审议（意见建议）", "adopt": "审议通过（表决）", "elect": "选举"}
OUTCOMES = {"adopted": "通过", "rejected": "未通过"}
# Extra sections (the elections module registers its results here): fn(session, meeting) -> lines of text.
SECTIONS: list[Callable[[Session, Meeting], list[str]]] = []


def register_section(fn: Callable[[Session, Meeting], list[str]]) -> Callable[[Session, Meeting], list[str]]:
    """Add a section to every generated minutes (called at import by the module that owns it)."""
    if fn not in SECTIONS:
        SECTIONS.append(fn)
    return fn


def _names(s: Session, ids) -> dict[int, str]:
    ids = list(ids)
    return dict(s.execute(select(Representative.id, Representative.name).where(Representative.id.in_(ids))).all()) \
        if ids else {}


def _tally(vote: Vote) -> str:
    if vote.status != "closed":
        return "表决未结束"
    kind = "无记名投票" if vote.secret else "记名表决"
    return (f"{kind}：应到{vote.seated}人，实到{vote.present}人；赞成{vote.votes_for}票，反对{vote.votes_against}票，"
            f"弃权{vote.abstentions}票；需{vote.votes_required}票，{OUTCOMES.get(vote.outcome or '', vote.outcome)}")


def _matter_lines(s: Session, matter: Matter, amendment_of: dict[int, int]) -> list[str]:
    lines = [f"{matter.position}. {matter.title}（{MODES.get(matter.mode, matter.mode)}）"]
    if matter.id in amendment_of:
        lines.append(f"   修正案，针对第{amendment_of[matter.id]}项议题的草案，先于草案表决。")
    spoken = s.execute(select(Representative.name, Speaker.topic).join(Speaker, Speaker.representative_id ==
                                                                       Representative.id)
                       .where(Speaker.matter_id == matter.id, Speaker.status == "spoken")
                       .order_by(Speaker.spoken_at)).all()
    if spoken:
        lines.append("   发言：" + "；".join(f"{n}（{t}）" if t else n for n, t in spoken))
    opinions = list(s.scalars(select(Opinion.text).where(Opinion.matter_id == matter.id).order_by(Opinion.id)))
    if opinions:
        lines.append(f"   代表意见建议{len(opinions)}条：")
        lines += [f"   - {t}" for t in opinions]
    if s.get(MatterDraft, matter.id) is not None:
        for a in amendments_of(s, matter.id):
            who = f"{a['delegation']}（{a['proposer']}）" if a["delegation"] else a["proposer"]
            result = OUTCOMES.get(a["outcome"] or "", "未表决")
            lines.append(f"   修正案（第{a['clause_number']}条，{who}提出）：{a['new_text']}——{result}"
                         + (f"（赞成{a['votes_for']}票）" if a["votes_for"] is not None else ""))
    vote = s.scalar(select(Vote).where(Vote.matter_id == matter.id))
    if vote is not None:
        lines.append(f"   {_tally(vote)}")
    return lines


def compose(s: Session, meeting: Meeting) -> str:
    """The minutes' text from the meeting's records."""
    term = s.get(Term, meeting.term_id)
    seated = roster.seated(s, meeting.term_id, meeting.held_on)
    present = present_ids(s, meeting)
    record = s.get(SessionRecord, meeting.id)
    lines = [f"{meeting.title}会议纪要", "", f"会议日期：{meeting.held_on.year}年{meeting.held_on.month}月"
             f"{meeting.held_on.day}日（第{chinese(term.number)}届）"]
    if record is not None and record.kind == "extraordinary":
        by = {"enterprise": "企业", "union": "工会", "representatives": "三分之一以上职工代表"}
        lines.append(f"会议性质：临时会议，由{by.get(record.proposed_by or '', record.proposed_by)}提议召开")
    lines.append(f"出席情况：应到代表{len(seated)}人，实到{len(present)}人。")
    absent = [p.name for p in seated if p.id not in present]
    if absent:
        lines.append("缺席代表：" + "、".join(absent))
    presidium = _names(s, s.scalars(select(PresidiumMember.representative_id)
                                    .where(PresidiumMember.meeting_id == meeting.id)))
    if presidium:
        lines.append("主席团成员（预备会议通过）：" + "、".join(sorted(presidium.values())))
    if record is not None and (scrutineers := json.loads(record.scrutineers_json)):
        lines.append("监票人（预备会议通过）：" + "、".join(_names(s, scrutineers).get(i, str(i)) for i in scrutineers))
    lines += ["", "会议议程及审议情况："]
    amendment_of = {vote_id: s.get(Matter, draft_id).position
                    for vote_id, draft_id in amendment_matters(s, meeting.id).items()}
    for matter in s.scalars(select(Matter).where(Matter.meeting_id == meeting.id).order_by(Matter.position)):
        lines += _matter_lines(s, matter, amendment_of)
    for section in SECTIONS:
        if extra := section(s, meeting):
            lines += ["", *extra]
    return "\n".join(lines) + "\n"


def generate(uow: UnitOfWork, meeting_id: int, actor: str | None) -> Minutes:
    """(Re)generate the draft minutes of a closed meeting, inside an open uow. Raises: Conflict: published."""
    s = uow.session
    meeting = get_meeting(s, meeting_id)
    row = s.get(Minutes, meeting_id)
    if row is not None and row.status != "draft":
        raise Conflict(f"the minutes of meeting {meeting_id} are {row.status}")
    now, text = uow.now(), compose(s, meeting)
    if row is None:
        row = Minutes(meeting_id=meeting_id, status="draft", text=text, generated_at=now, updated_at=now,
                      updated_by=actor or "system")
        s.add(row)
    row.text, row.generated_at, row.updated_at, row.updated_by = text, now, now, actor or "system"
    uow.audit(meeting_chain(meeting_id), "minutes.generated", {"chars": len(row.text)}, actor=actor)
    return row


def _draft(s: Session, meeting_id: int) -> Minutes:
    row = s.get(Minutes, meeting_id, with_for_update=True)
    if row is None:
        raise NotFound(f"meeting {meeting_id} has no minutes yet (they are generated when the session closes)")
    if row.status != "draft":
        raise Conflict(f"the minutes of meeting {meeting_id} are {row.status}; they no longer change")
    return row


def edit(uow: UnitOfWork, meeting_id: int, text: str, *, actor: Actor) -> Minutes:
    """The presidium edits the draft minutes. Raises: Forbidden. NotFound. Conflict: approved. ValidationFailed."""
    if not actor.has(PRESIDIUM, ADMIN):
        raise Forbidden("the presidium edits the minutes (role 'presidium')")
    if not (text or "").strip():
        raise ValidationFailed("the minutes are not empty", {"text": ["required"]})
    with uow:
        row = _draft(uow.session, meeting_id)
        row.text, row.updated_at, row.updated_by = text.strip() + "\n", uow.now(), actor.username
        uow.audit(meeting_chain(meeting_id), "minutes.edited", {"chars": len(row.text)}, actor=actor.username)
        uow.commit()
    return row


def check_approvable(uow: UnitOfWork, meeting_id: int) -> None:
    """Raises: NotFound, Conflict: no draft minutes to approve."""
    _draft(uow.session, meeting_id)


def approve_and_publish(uow: UnitOfWork, meeting_id: int, actor: str | None, instance_id: str | None) -> Minutes:
    """Approve the draft minutes and publish them as a document with their hash (inside an open uow)."""
    s = uow.session
    row = _draft(s, meeting_id)
    meeting = s.get(Meeting, meeting_id)
    now = uow.now()
    row.status, row.approved_at, row.approved_by = "approved", now, actor
    uow.audit(meeting_chain(meeting_id), "minutes.approved", {}, actor=actor)
    doc = documents.store(uow, kind=KIND, title=f"{meeting.title}会议纪要", filename=f"minutes-{meeting_id}.txt",
                          media_type="text/plain; charset=utf-8", content=row.text.encode("utf-8"),
                          instance_id=instance_id, actor=actor)
    row.status, row.document_id, row.sha256 = "published", doc.id, doc.sha256
    uow.audit(meeting_chain(meeting_id), "minutes.published", {"document_id": doc.id, "sha256": doc.sha256},
              actor=actor)
    return row


READERS_OF_DRAFTS = (PRESIDIUM, ADMIN, "auditor")


def view(uow: UnitOfWork, meeting_id: int, actor: Actor | None = None) -> dict[str, Any]:
    """The minutes of a meeting; before they are published only the presidium (and auditors, admins) read them.

    Raises: NotFound. Forbidden: a draft asked for by someone else (``actor`` given).
    """
    with uow:
        get_meeting(uow.session, meeting_id)
        row = uow.session.get(Minutes, meeting_id)
        if row is None:
            raise NotFound(f"meeting {meeting_id} has no minutes yet (they are generated when the session closes)")
        if actor is not None and row.status != "published" and not actor.has(*READERS_OF_DRAFTS):
            raise Forbidden("the minutes are read by everyone once the presidium has approved them")
        return {c.key: getattr(row, c.key) for c in Minutes.__table__.columns}
