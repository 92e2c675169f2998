"""Workers' feedback on a published disclosure: questions and objections, answers, late-answer escalation, ratings.

rules.md §3.2 (Supervision & feedback, V~): collect worker feedback, have it answered, supervise, and let
workers evaluate (测评). Each question, answer and rating is a row here, not a BPMN task: the diagram waits
at one stage ("意见反馈与答复") however many workers write. Askers choose who sees their name: everyone
(``public``), only the owner department (``department``), or nobody (``anonymous``); auditors always can.
Events go to the audit chain ``disclosure:<id>``, which the generic instance history does not show, so an
anonymous asker's name is not published through it.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from engine.errors import Conflict, Forbidden, NotFound, TooManyRequests
from engine.identity import AUDITOR, Actor
from engine.unit_of_work import UnitOfWork
from workflows.disclosure import alerts
from workflows.disclosure.catalogue import SUPERVISION, settings
from workflows.disclosure.stages import complete_stage, require_owner, visible
from workflows.disclosure.tables import Disclosure, DisclosureQuestion, DisclosureRating
from workflows.errors import RuleConflict

VISIBILITIES = ("public", "department", "anonymous")
KINDS = ("question", "objection")
SATISFACTION = ("satisfied", "basically_satisfied", "unsatisfied")
ANSWERABLE = ("feedback_open", "answering", "evaluating")


def chain(disclosure_id: int) -> str:
    """The audit chain of a disclosure's feedback records."""
    return f"disclosure:{disclosure_id}"


def ask(uow: UnitOfWork, disclosure_id: int, *, body: str, kind: str = "question", visibility: str = "public",
        actor: Actor) -> DisclosureQuestion:
    """A worker asks a question or raises an objection while the feedback window is open.

    The answer is due ``answer_days`` (setting) after asking, counted by the legal calendar.

    Raises:
        NotFound: no such published disclosure. Forbidden: a read-only auditor.
        RuleConflict ``feedback_window``: the window is not open (before publication or after it closed).
        TooManyRequests: the worker reached a per-worker limit (see ``_check_limits``).
    """
    if actor.is_read_only:
        raise Forbidden("auditors read everything and change nothing")
    with uow:
        record = visible(uow, disclosure_id, actor, lock=True)
        now = uow.now()
        if record.status != "feedback_open" or now >= record.feedback_until:
            closed = record.feedback_until.isoformat() if record.feedback_until else "not yet open"
            raise RuleConflict(f"the feedback window of disclosure {record.id} is closed ({closed}); questions "
                               "are taken only while it is open", "feedback_window",
                               {"feedback_until": [closed]})
        _check_limits(uow.session, record.id, actor.username, now, settings(uow))
        cal, rules = uow.runtime.context["calendar"], uow.runtime.context["rules"]
        due = cal.deadline(now, settings(uow).answer_days, rules.day_mode).due
        question = DisclosureQuestion(disclosure_id=record.id, kind=kind, body=body, asked_by=actor.username,
                                      visibility=visibility, asked_at=now, answer_due=due)
        uow.session.add(question)
        uow.session.flush()
        uow.audit(chain(record.id), "disclosure.question_asked", {
            "question_id": question.id, "kind": kind, "visibility": visibility, "answer_due": due.isoformat()},
            actor=actor.username)
        uow.commit()
        return question


def _check_limits(session, disclosure_id: int, username: str, now: datetime, config) -> None:
    """Per-worker limits on questions (settings ``questions_per_disclosure``, ``questions_per_hour``).

    Raises:
        TooManyRequests (429): the worker reached either limit; the message says which and when to try again.
    """
    mine = select(func.count()).select_from(DisclosureQuestion).where(DisclosureQuestion.asked_by == username)
    asked = session.scalar(mine.where(DisclosureQuestion.disclosure_id == disclosure_id))
    if asked >= config.questions_per_disclosure:
        limit = config.questions_per_disclosure
        raise TooManyRequests(f"每位职工对同一公开事项最多提出 {limit} 条问题或意见，您已提出 {asked} 条 / "
                              f"You have asked {asked} questions on this disclosure; the limit is {limit}",
                              {"limit": [limit]})
    since = now - timedelta(hours=1)
    recent = list(session.scalars(select(DisclosureQuestion.asked_at).where(
        DisclosureQuestion.asked_by == username, DisclosureQuestion.asked_at > since)
        .order_by(DisclosureQuestion.asked_at)))
    if len(recent) >= config.questions_per_hour:
        limit, wait = config.questions_per_hour, max(1, int((recent[0] + timedelta(hours=1) - now).total_seconds()))
        minutes = (wait + 59) // 60
        raise TooManyRequests(f"一小时内最多提出 {limit} 条问题，请 {minutes} 分钟后再试 / At most {limit} questions "
                              f"an hour; try again in {minutes} minutes",
                              {"limit": [limit], "retry_after_seconds": [wait]}, retry_after=wait)


def outstanding(session, disclosure_id: int) -> int:
    """How many questions of a disclosure still wait for an answer."""
    return session.scalar(select(func.count()).select_from(DisclosureQuestion).where(
        DisclosureQuestion.disclosure_id == disclosure_id, DisclosureQuestion.answered_at.is_(None)))


def answer(uow: UnitOfWork, disclosure_id: int, question_id: int, text: str, *, actor: Actor) -> DisclosureQuestion:
    """The owner department answers a question; the last answer after the window ends the feedback stage.

    Raises:
        NotFound. Forbidden: the caller is not the owner department.
        Conflict: already answered, or the disclosure is past its feedback stage.
    """
    with uow:
        s = uow.session
        record = visible(uow, disclosure_id, actor, lock=True)
        require_owner(actor, record)
        question = s.get(DisclosureQuestion, question_id)
        if question is None or question.disclosure_id != record.id:
            raise NotFound(f"question {question_id} of disclosure {disclosure_id} does not exist")
        if question.answered_at is not None:
            raise Conflict(f"question {question_id} was already answered by {question.answered_by}")
        if record.status not in ANSWERABLE:
            raise Conflict(f"disclosure {record.id} is {record.status}; its questions can no longer be answered")
        now = uow.now()
        question.answer, question.answered_by, question.answered_at = text, actor.username, now
        s.flush()
        uow.audit(chain(record.id), "disclosure.question_answered", {
            "question_id": question.id, "late": now > question.answer_due}, actor=actor.username)
        alerts.question_answered(uow, record, question)
        if record.status == "answering" and outstanding(s, record.id) == 0:
            record.status, record.updated_at = "evaluating", now
            complete_stage(uow, record, "answer_outstanding", {}, actor, owner=True)
        uow.commit()
        return question


def escalate_late_answers(uow: UnitOfWork, now: datetime, disclosure_id: int | None = None) -> list[int]:
    """Mark unanswered questions whose answer is overdue, each once; return the ids marked now.

    Called by the diagram's "逾期答复巡查" cycle during the feedback stage (so the supervision group gets a
    task only when something new is late); usable on its own for all disclosures (``disclosure_id=None``).
    """
    query = select(DisclosureQuestion).where(DisclosureQuestion.answered_at.is_(None),
                                             DisclosureQuestion.escalated_at.is_(None),
                                             DisclosureQuestion.answer_due <= now)
    if disclosure_id is not None:
        query = query.where(DisclosureQuestion.disclosure_id == disclosure_id)
    late = list(uow.session.scalars(query.order_by(DisclosureQuestion.id)))
    for question in late:
        question.escalated_at = now
    by_disclosure = Counter(q.disclosure_id for q in late)
    for did, count in sorted(by_disclosure.items()):
        uow.audit(chain(did), "disclosure.answers_late", {
            "question_ids": [q.id for q in late if q.disclosure_id == did], "count": count}, actor=None)
    return [q.id for q in late]


def _asker(question: DisclosureQuestion, actor: Actor, record: Disclosure) -> str | None:
    if question.visibility == "public" or actor.has(AUDITOR) or question.asked_by == actor.username:
        return question.asked_by
    if question.visibility == "department" and actor.has(record.owner_role):
        return question.asked_by
    return None


def questions(uow: UnitOfWork, disclosure_id: int, actor: Actor) -> list[dict[str, Any]]:
    """Every question and answer of a visible disclosure; the asker shown only as the asker allowed.

    Raises:
        NotFound: missing, or a draft the actor may not see.
    """
    with uow:
        record = visible(uow, disclosure_id, actor)
        rows = uow.session.scalars(select(DisclosureQuestion).where(DisclosureQuestion.disclosure_id == record.id)
                                   .order_by(DisclosureQuestion.id))
        return [{"id": q.id, "kind": q.kind, "body": q.body, "asked_by": _asker(q, actor, record),
                 "mine": q.asked_by == actor.username, "visibility": q.visibility, "asked_at": q.asked_at,
                 "answer_due": q.answer_due, "answer": q.answer, "answered_by": q.answered_by,
                 "answered_at": q.answered_at, "late": q.escalated_at is not None or (
                     q.answered_at is not None and q.answered_at > q.answer_due)} for q in rows]


def rate(uow: UnitOfWork, disclosure_id: int, *, satisfaction: str, comment: str | None,
         actor: Actor) -> DisclosureRating:
    """A worker rates a closed disclosure once, while the survey is open.

    Raises:
        NotFound. Forbidden: auditors. RuleConflict ``rating_window``: not closed yet or already archived.
        Conflict: this worker already rated it.
    """
    if actor.is_read_only:
        raise Forbidden("auditors read everything and change nothing")
    with uow:
        s = uow.session
        record = visible(uow, disclosure_id, actor, lock=True)
        if record.status != "closed" or uow.now() >= record.rating_until:
            raise RuleConflict(f"disclosure {record.id} is {record.status}; it is rated after the supervision "
                               "group closes it and before it is archived", "rating_window")
        if s.scalar(select(DisclosureRating.id).where(DisclosureRating.disclosure_id == record.id,
                                                      DisclosureRating.username == actor.username)):
            raise Conflict("you have already rated this disclosure")
        rating = DisclosureRating(disclosure_id=record.id, username=actor.username, satisfaction=satisfaction,
                                  comment=comment, rated_at=uow.now())
        s.add(rating)
        s.flush()
        uow.audit(chain(record.id), "disclosure.rated", {"rating_id": rating.id, "satisfaction": satisfaction},
                  actor=actor.username)
        uow.commit()
        return rating


def rating_summary(session, disclosure_id: int) -> dict[str, int]:
    """Counts per satisfaction level (every level present, zero when nobody chose it)."""
    found = dict(session.execute(select(DisclosureRating.satisfaction, func.count()).where(
        DisclosureRating.disclosure_id == disclosure_id).group_by(DisclosureRating.satisfaction)).all())
    return {level: found.get(level, 0) for level in SATISFACTION}


def ratings(uow: UnitOfWork, disclosure_id: int, actor: Actor) -> dict[str, Any]:
    """The ratings for the supervision group and auditors: counts and comments, without the raters' names.

    Raises:
        NotFound. Forbidden: anyone else.
    """
    if not actor.has(SUPERVISION, AUDITOR):
        raise Forbidden("the ratings are for the supervision group")
    with uow:
        record = visible(uow, disclosure_id, actor)
        rows = uow.session.scalars(select(DisclosureRating).where(DisclosureRating.disclosure_id == record.id)
                                   .order_by(DisclosureRating.rated_at, DisclosureRating.id))
        return {"summary": rating_summary(uow.session, record.id),
                "ratings": [{"satisfaction": r.satisfaction, "comment": r.comment, "rated_at": r.rated_at}
                            for r in rows]}
