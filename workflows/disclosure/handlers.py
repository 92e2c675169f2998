"""Service-task handlers and task checks of the disclosure diagrams (disclosure.bpmn and its schedules).

Each handler updates the disclosure record inside the step's transaction and returns the record's new status
(or the values a timer needs), so the diagram's gateways route on what the record says. Decisions and
deadlines enter the audit trail; draft text does not (see workflows.disclosure).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import select

from engine.audit import canonical_json, instance_chain
from engine.steps import current_step
from workflows.disclosure import feedback
from workflows.disclosure.catalogue import settings, start_due_periods
from workflows.disclosure.stages import fetch, owner_stage_guard
from workflows.disclosure.tables import (
    Disclosure,
    DisclosureAttachment,
    DisclosurePublication,
    DisclosureQuestion,
    DisclosureRectification,
    DisclosureReview,
)
from workflows.errors import RuleViolation
from workflows.hooks import service, validator

for _element in ("draft", "publish", "rectify", "answer_outstanding"):
    validator("disclosure", _element)(owner_stage_guard)


@validator("disclosure", "confidentiality_check")
def _check_secrets(uow, data: dict[str, Any], actor) -> None:
    """rules.md §3.1 Limits (江西 条例 第4条, V): state and trade secrets are protected, so never cleared."""
    if data.get("decision") == "clear" and (data.get("state_secret") or data.get("trade_secret")
                                            or not data.get("lawful", True)):
        raise RuleViolation("a draft with state or trade secrets, or an unlawful one, cannot be cleared for "
                            "publication: return it for redaction or withhold it", "protect_state_and_trade_secrets",
                            {"decision": ["clear"]})


@validator("disclosure", "supervision_review")
def _check_review(uow, data: dict[str, Any], actor) -> None:
    """rules.md §3.2 Supervision (V~): truthfulness, completeness and timeliness are checked before approval."""
    failed = [k for k in ("truthful", "complete", "timely") if not data.get(k)]
    if data.get("decision") == "approve" and failed:
        raise RuleViolation("the supervision group approves only a truthful, complete and timely disclosure",
                            "truthful_complete_timely", {k: ["not confirmed"] for k in failed})


@validator("disclosure", "evaluate")
def _check_evaluation(uow, data: dict[str, Any], actor) -> None:
    """rules.md §3.2 Supervision & feedback (V~): a shortcoming found is rectified before the disclosure closes."""
    failed = [k for k in ("truthful", "complete", "timely") if not data.get(k)]
    if failed and not data.get("rectification_required"):
        raise RuleViolation("a disclosure found untrue, incomplete or late is rectified before it is closed",
                            "rectify_when_needed", {k: ["not confirmed"] for k in failed})


def _record(params: dict[str, Any], *, lock: bool = True) -> Disclosure:
    return fetch(current_step().uow.session, int(params["disclosure_id"]), lock=lock)


def _set(record: Disclosure, status: str, event: str, payload: dict[str, Any] | None = None, **fields: Any) -> str:
    step = current_step()
    now = step.uow.now()
    record.status, record.updated_at = status, now
    for key, value in fields.items():
        setattr(record, key, value)
    shown = {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in fields.items()}
    step.uow.audit(instance_chain(step.instance_id), event, {"disclosure_id": record.id, "status": status,
                                                             **shown, **(payload or {})},
                   actor=step.actor, instance_id=step.instance_id)
    return status


def _review(record: Disclosure, stage: str, decision: str, details: dict[str, Any]) -> None:
    step = current_step()
    step.uow.session.add(DisclosureReview(disclosure_id=record.id, stage=stage, decision=decision,
                                          details_json=json.dumps(details, ensure_ascii=False),
                                          reviewer=step.actor, reviewed_at=step.uow.now()))


def _calendar():
    context = current_step().uow.runtime.context
    return context["calendar"], context["rules"]


@service("disclosure.attach")
def attach(params: dict[str, Any], data: dict[str, Any]) -> str:
    """Link the record to this instance; an instance started any other way than by the domain fails here.

    Raises:
        LookupError: no such disclosure, or one already followed by another instance (an incident).
    """
    step = current_step()
    record = step.uow.session.get(Disclosure, int(params["disclosure_id"]))
    if record is None or record.instance_id not in (None, step.instance_id):
        raise LookupError("a disclosure is started through POST /api/v1/disclosures or its schedule, not directly")
    record.instance_id = step.instance_id
    return _set(record, "drafting", "disclosure.started", {"title": record.title, "period": record.period,
                                                           "publish_due": record.publish_due.isoformat()})


@service("disclosure.submit_draft")
def submit_draft(params: dict[str, Any], data: dict[str, Any]) -> str:
    """Freeze the submitted draft's version; to the confidentiality check if the item needs one."""
    record = _record(params)
    digest = hashlib.sha256((record.content or "").encode()).hexdigest()
    return _set(record, "checking" if record.confidentiality_check else "reviewing", "disclosure.submitted",
                {"content_sha256": digest}, draft_version=record.draft_version + 1,
                submitted_at=current_step().uow.now())


@service("disclosure.record_check")
def record_check(params: dict[str, Any], data: dict[str, Any]) -> str:
    """Record the confidentiality and legality check: cleared, returned for redaction, or withheld."""
    record = _record(params)
    decision = params["decision"]
    _review(record, "confidentiality", decision, {k: bool(params[k]) for k in ("state_secret", "trade_secret",
                                                                               "lawful")})
    status = {"clear": "reviewing", "return": "drafting", "withhold": "withheld"}[decision]
    return _set(record, status, "disclosure.checked", {"decision": decision})


@service("disclosure.record_review")
def record_review(params: dict[str, Any], data: dict[str, Any]) -> str:
    """Record the supervision group's review; an approved item the congress must see goes to it first."""
    record = _record(params)
    decision = params["decision"]
    _review(record, "supervision", decision, {k: bool(params[k]) for k in ("truthful", "complete", "timely")})
    if decision == "return":
        return _set(record, "drafting", "disclosure.reviewed", {"decision": decision})
    if record.congress_first:
        return _set(record, "awaiting_congress", "disclosure.reviewed", {"decision": decision})
    return _set(record, "approved", "disclosure.reviewed", {"decision": decision}, approved_at=current_step().uow.now())


@service("disclosure.record_congress_review")
def record_congress_review(params: dict[str, Any], data: dict[str, Any]) -> str:
    """Record the congress's reading (rules.md §3.2: matters it must review are disclosed to it first)."""
    record = _record(params)
    review = params.get("congress_review") or {}
    outcome = review.get("outcome", "noted")
    _review(record, "congress", outcome, {"note": review.get("note")} | {
        k: review[k] for k in ("meeting_id", "matter_id", "matter_title") if review.get(k) is not None})
    if outcome == "returned":
        return _set(record, "drafting", "disclosure.congress_reviewed", {"outcome": outcome})
    return _set(record, "approved", "disclosure.congress_reviewed", {"outcome": outcome},
                approved_at=current_step().uow.now())


@service("disclosure.check_publication")
def check_publication(params: dict[str, Any], data: dict[str, Any]) -> bool:
    """At the publication deadline: True (and recorded) if the disclosure is still unpublished."""
    record = _record(params)
    if record.published_at is not None or record.status == "withheld":
        return False
    _set(record, record.status, "disclosure.publication_late", publication_late_at=current_step().uow.now())
    return True


@service("disclosure.mark_published")
def mark_published(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Publish: workers may read it from now on. Returns what the feedback window's timers need."""
    step = current_step()
    record, now = _record(params), step.uow.now()
    cal, _ = _calendar()
    midnight = dt.datetime.combine(cal.local_date(now) + dt.timedelta(days=1), dt.time(0), tzinfo=cal.tz)
    _set(record, "published", "disclosure.published", published_at=now, published_by=step.actor)
    return {"published_at": now.isoformat(), "feedback_days": record.feedback_days,
            "escalation_cycle": f"R/{midnight.astimezone(dt.UTC).isoformat()}/{settings(step.uow).escalation_interval}"}


@service("disclosure.open_feedback")
def open_feedback(params: dict[str, Any], data: dict[str, Any]) -> str:
    """Open the feedback window until `feedback_until` (computed by the diagram with the legal calendar)."""
    until = dt.datetime.fromisoformat(params["feedback_until"])
    return _set(_record(params), "feedback_open", "disclosure.feedback_opened", feedback_until=until)


@service("disclosure.escalate_late_answers")
def escalate_late_answers(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Mark questions answered late; the diagram gives the supervision group a task only if any are new.

    Why a non-interrupting cycle in the diagram rather than the worker: the check is part of the procedure
    and shows in it (and in the instance's history) exactly while answers are owed, it stops by itself when
    the feedback stage ends, and the supervision group's task appears in its inbox like any other task.
    """
    step = current_step()
    record = _record(params)
    ids = feedback.escalate_late_answers(step.uow, step.uow.now(), record.id)
    return {"newly_overdue": len(ids), "question_ids": ids}


@service("disclosure.close_feedback")
def close_feedback(params: dict[str, Any], data: dict[str, Any]) -> int:
    """End the window; returns how many questions still wait for an answer (0: on to the evaluation)."""
    record = _record(params)
    left = feedback.outstanding(current_step().uow.session, record.id)
    _set(record, "answering" if left else "evaluating", "disclosure.feedback_closed", {"outstanding": left})
    return left


@service("disclosure.record_evaluation")
def record_evaluation(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Close the disclosure (the satisfaction survey opens) or order a rectification with its own deadline."""
    step = current_step()
    record, now = _record(params), step.uow.now()
    cal, rules = _calendar()
    checks = {k: bool(params[k]) for k in ("truthful", "complete", "timely")}
    if params["rectification_required"]:
        days = int(data.get("rectification_days") or settings(step.uow).rectification_days)
        due = cal.deadline(now, days, rules.day_mode).due
        requirements = data.get("rectification_requirements") or ""
        _review(record, "evaluation", "rectify", checks | {"requirements": requirements})
        step.uow.session.add(DisclosureRectification(disclosure_id=record.id, requirements=requirements,
                                                     ordered_by=step.actor, ordered_at=now, due_at=due))
        status = _set(record, "rectifying", "disclosure.rectification_ordered", {"due": due.isoformat(),
                                                                                 "days": days})
        return {"status": status, "rectification_due": due.isoformat(), "rating_until": None}
    until = cal.deadline(now, settings(step.uow).rating_days, rules.day_mode).due
    _review(record, "evaluation", "close", checks | {"conclusion": data.get("conclusion")})
    status = _set(record, "closed", "disclosure.closed", closed_at=now, rating_until=until)
    return {"status": status, "rectification_due": None, "rating_until": until.isoformat()}


@service("disclosure.flag_rectification_overdue")
def flag_rectification_overdue(params: dict[str, Any], data: dict[str, Any]) -> bool:
    """At the rectification deadline: True (and recorded) if the department has not reported yet."""
    step = current_step()
    record = _record(params)
    row = step.uow.session.scalar(select(DisclosureRectification).where(
        DisclosureRectification.disclosure_id == record.id, DisclosureRectification.reported_at.is_(None)))
    if row is None:
        return False
    row.overdue_at = step.uow.now()
    _set(record, record.status, "disclosure.rectification_late", {"rectification_id": row.id})
    return True


@service("disclosure.record_rectification")
def record_rectification(params: dict[str, Any], data: dict[str, Any]) -> str:
    """The rectification is reported: back to the supervision group's evaluation."""
    return _set(_record(params), "evaluating", "disclosure.rectified")


def _archive_body(session, record: Disclosure) -> dict[str, Any]:
    def rows(cls, order):
        return list(session.scalars(select(cls).where(cls.disclosure_id == record.id).order_by(order)))

    def sha(text: str | None) -> str:
        return hashlib.sha256((text or "").encode()).hexdigest()

    return {
        "disclosure": {"id": record.id, "title": record.title, "period": record.period, "content": sha(record.content),
                       "published_at": record.published_at, "closed_at": record.closed_at},
        "attachments": [a.sha256 for a in rows(DisclosureAttachment, DisclosureAttachment.id)],
        "publications": [[p.channel, p.posted_at, p.posted_by] for p in rows(DisclosurePublication,
                                                                               DisclosurePublication.id)],
        "questions": [[q.id, sha(q.body), sha(q.answer), q.asked_at, q.answered_at]
                      for q in rows(DisclosureQuestion, DisclosureQuestion.id)],
        "reviews": [[r.stage, r.decision, r.reviewed_at] for r in rows(DisclosureReview, DisclosureReview.id)],
        "ratings": feedback.rating_summary(session, record.id)}


@service("disclosure.archive")
def archive(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Archive: seal the record (content, postings, questions and answers, reviews, ratings) with a SHA-256."""
    step = current_step()
    record = _record(params)
    body = _archive_body(step.uow.session, record)
    digest = hashlib.sha256(canonical_json(body).encode()).hexdigest()
    _set(record, "archived", "disclosure.archived", {"questions": len(body["questions"]),
                                                     "ratings": body["ratings"]},
         archived_at=step.uow.now(), archive_sha256=digest)
    return {"sha256": digest, "questions": len(body["questions"]), "ratings": body["ratings"]}


@service("disclosure.start_due_periods")
def start_periods(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Schedules: start the period that just ended for every active item of ``frequency`` (idempotent)."""
    return start_due_periods(current_step().uow, params["frequency"])
