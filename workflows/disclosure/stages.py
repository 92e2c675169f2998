"""One disclosure's stages as services: draft, confidentiality check, supervision review, publication, evaluation.

Each service checks who may act and in which state, writes the record, and completes the diagram's stage task
in the same transaction. Free text about an unpublished draft (content, attachments, reviewers' notes) stays in
these records, never in the instance's task data or audit payloads, which every authenticated user can read
through the generic instance API: the audit trail gets hashes and decisions.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import func, or_, select

from engine import runtime
from engine.audit import instance_chain
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.identity import AUDITOR, Actor
from engine.messages import route_message
from engine.models import HumanTask, Instance
from engine.unit_of_work import UnitOfWork
from workflows.disclosure import alerts
from workflows.disclosure.catalogue import CHANNELS, CONFIDENTIALITY, SUPERVISION, settings
from workflows.disclosure.tables import (
    Disclosure,
    DisclosureAttachment,
    DisclosureItem,
    DisclosurePublication,
    DisclosureQuestion,
    DisclosureRectification,
    DisclosureReview,
)
from workflows.errors import RuleConflict

OWNER_LANE = "owner_department"  # the diagram's lane for the item's department; the real role is on the record
PUBLIC_STATES = frozenset({"published", "feedback_open", "answering", "evaluating", "rectifying", "closed",
                           "archived"})
STAFF_ROLES = (SUPERVISION, CONFIDENTIALITY, AUDITOR)
PRESIDIUM = "presidium"  # reads a draft the congress must review first (awaiting_congress), and records the review
CONGRESS_REVIEWED = "disclosure.congress_reviewed"
STAGES = {
    "draft": "编制公开内容", "confidentiality_check": "保密与合法性审查", "supervision_review": "监督检查小组审核",
    "publish": "发布公开", "evaluate": "评估与关闭", "rectify": "整改", "answer_outstanding": "答复剩余意见",
}
_via_service: contextvars.ContextVar[bool] = contextvars.ContextVar("disclosure_service_path", default=False)


def owner_stage_guard(uow, data: dict[str, Any], actor: Actor) -> None:
    """Validator of the owner department's tasks: the lane ``owner_department`` is a placeholder, the real
    department is on the record, so these tasks are completed only through the services here, which check it.

    Raises:
        Forbidden: the task was completed through the generic task API.
    """
    if not _via_service.get():
        raise Forbidden("the owner department acts on a disclosure through /api/v1/disclosures/<id>/..., "
                        "which checks the department named on the disclosure")


def fetch(session, disclosure_id: int, *, lock: bool = False) -> Disclosure:
    """The disclosure with this id (locked FOR UPDATE if asked). Raises: NotFound."""
    query = select(Disclosure).where(Disclosure.id == disclosure_id).execution_options(populate_existing=True)
    record = session.scalar(query.with_for_update() if lock else query)
    if record is None:
        raise NotFound(f"disclosure {disclosure_id} does not exist")
    return record


def locked(uow: UnitOfWork, disclosure_id: int) -> Disclosure:
    """The disclosure locked after its instance row: every writer locks in this order (instance, record)."""
    record = fetch(uow.session, disclosure_id)
    if record.instance_id:
        uow.session.execute(select(Instance.id).where(Instance.id == record.instance_id).with_for_update())
    return fetch(uow.session, disclosure_id, lock=True)


def is_staff(actor: Actor, record: Disclosure) -> bool:
    """The owner department, the confidentiality officer, the supervision group and auditors see drafts."""
    return actor.has(record.owner_role, *STAFF_ROLES)


def visible(uow: UnitOfWork, disclosure_id: int, actor: Actor, *, lock: bool = False) -> Disclosure:
    """The disclosure if the actor may see it; a hidden draft is reported exactly like a missing one.

    Raises:
        NotFound: no such disclosure, or one that is not published and the actor is no staff of.
    """
    record = locked(uow, disclosure_id) if lock else fetch(uow.session, disclosure_id)
    before_congress = record.status == "awaiting_congress" and actor.has(PRESIDIUM)
    if record.status not in PUBLIC_STATES and not is_staff(actor, record) and not before_congress:
        raise NotFound(f"disclosure {disclosure_id} does not exist")
    return record


def require_owner(actor: Actor, record: Disclosure) -> None:
    """Raises: Forbidden unless the actor holds the owner department's role."""
    if not actor.has(record.owner_role):
        raise Forbidden(f"only the owner department ({record.owner_role}) may do this")


def _require_status(record: Disclosure, *allowed: str) -> None:
    if record.status not in allowed:
        raise Conflict(f"disclosure {record.id} is {record.status}; this needs it to be {' or '.join(allowed)}")


def complete_stage(uow: UnitOfWork, record: Disclosure, element_id: str, data: dict[str, Any], actor: Actor, *,
                   owner: bool = False) -> None:
    """Complete the stage task `element_id` of the disclosure's instance, inside the caller's transaction.

    Raises:
        Conflict: the instance does not wait at that stage. ValidationFailed/RuleViolation: form, validator.
    """
    task = uow.session.scalar(select(HumanTask).where(
        HumanTask.instance_id == record.instance_id, HumanTask.element_id == element_id, HumanTask.state == "ready"))
    if task is None:
        raise Conflict(f"disclosure {record.id} is {record.status}; it does not wait for "
                       f"'{STAGES.get(element_id, element_id)}'")
    acting = Actor(actor.username, actor.roles | {OWNER_LANE}, actor.user_id) if owner else actor
    token = _via_service.set(True)
    try:
        runtime.complete_task(uow, task.id, data, actor=acting)
    finally:
        _via_service.reset(token)


def _audit(uow: UnitOfWork, record: Disclosure, event: str, payload: dict[str, Any], actor: str | None) -> None:
    uow.audit(instance_chain(record.instance_id), event, {"disclosure_id": record.id, **payload}, actor=actor,
              instance_id=record.instance_id)


def edit_draft(uow: UnitOfWork, disclosure_id: int, *, content: str, channels: list[str],
               period_note: str | None, actor: Actor) -> None:
    """The owner department writes the draft (content, channels, the period it covers) while drafting.

    Raises:
        NotFound. Forbidden: not the owner department. Conflict: not drafting. ValidationFailed: channels.
    """
    with uow:
        record = visible(uow, disclosure_id, actor, lock=True)
        require_owner(actor, record)
        _require_status(record, "drafting")
        if not channels or set(channels) - set(CHANNELS):
            raise ValidationFailed("choose one or more channels", {"channels": [f"one of {', '.join(CHANNELS)}"]})
        record.content, record.period_note = content, period_note
        record.channels_json, record.updated_at = json.dumps(list(dict.fromkeys(channels))), uow.now()
        digest = hashlib.sha256(content.encode()).hexdigest()
        _audit(uow, record, "disclosure.draft_saved", {"content_sha256": digest, "length": len(content),
                                                       "channels": json.loads(record.channels_json)}, actor.username)
        uow.commit()


def add_attachment(uow: UnitOfWork, disclosure_id: int, *, filename: str, media_type: str, content: bytes,
                   actor: Actor) -> DisclosureAttachment:
    """Store a file of the draft (or of a rectification) with its SHA-256.

    Raises:
        NotFound. Forbidden. Conflict: not drafting or rectifying. ValidationFailed: empty, or larger than
        the ``attachment_max_bytes`` setting.
    """
    with uow:
        record = visible(uow, disclosure_id, actor, lock=True)
        require_owner(actor, record)
        _require_status(record, "drafting", "rectifying")
        limit = settings(uow).attachment_max_bytes
        if not content:
            raise ValidationFailed("the attachment is empty", {"file": ["0 bytes"]})
        if len(content) > limit:
            raise ValidationFailed(f"the attachment exceeds {limit} bytes", {"file": [f"{len(content)} bytes"]})
        name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()[:200] or "attachment"
        row = DisclosureAttachment(disclosure_id=record.id, filename=name, media_type=media_type[:100],
                                   size=len(content), sha256=hashlib.sha256(content).hexdigest(), content=content,
                                   uploaded_by=actor.username, uploaded_at=uow.now())
        uow.session.add(row)
        uow.session.flush()
        _audit(uow, record, "disclosure.attachment_added", {"attachment_id": row.id, "sha256": row.sha256,
                                                            "size": row.size}, actor.username)
        uow.commit()
        return row


def get_attachment(uow: UnitOfWork, disclosure_id: int, attachment_id: int, actor: Actor) -> DisclosureAttachment:
    """An attachment's bytes, for whoever may see the disclosure. Raises: NotFound."""
    with uow:
        visible(uow, disclosure_id, actor)
        row = uow.session.get(DisclosureAttachment, attachment_id)
        if row is None or row.disclosure_id != disclosure_id:
            raise NotFound(f"attachment {attachment_id} of disclosure {disclosure_id} does not exist")
        return row


def submit_draft(uow: UnitOfWork, disclosure_id: int, *, actor: Actor) -> None:
    """The owner department declares the draft true and complete and sends it to the checks.

    Raises:
        NotFound. Forbidden. Conflict: not drafting. ValidationFailed: no content or no channel.
    """
    with uow:
        record = visible(uow, disclosure_id, actor, lock=True)
        require_owner(actor, record)
        _require_status(record, "drafting")
        if not (record.content or "").strip():
            raise ValidationFailed("write the content before submitting the draft", {"content": ["empty"]})
        complete_stage(uow, record, "draft", {"declaration": True}, actor, owner=True)
        uow.commit()


def _review_stage(uow: UnitOfWork, disclosure_id: int, role: str, element_id: str, stage: str,
                  decision: dict[str, Any], note_key: str, note: str | None, actor: Actor) -> None:
    with uow:
        record = visible(uow, disclosure_id, actor, lock=True)
        if not actor.has(role):
            raise Forbidden(f"only the {role.replace('_', ' ')} may do this")
        complete_stage(uow, record, element_id, decision, actor)
        if note:
            review = uow.session.scalar(select(DisclosureReview).where(
                DisclosureReview.disclosure_id == record.id, DisclosureReview.stage == stage)
                .order_by(DisclosureReview.id.desc()).limit(1))
            review.details_json = json.dumps(json.loads(review.details_json) | {note_key: note}, ensure_ascii=False)
        uow.commit()


def confidentiality_check(uow: UnitOfWork, disclosure_id: int, decision: dict[str, Any], notes: str | None, *,
                          actor: Actor) -> None:
    """The confidentiality officer clears, returns or withholds the draft (no state or trade secrets, lawful).

    Raises:
        NotFound. Forbidden. Conflict: not at that stage. RuleViolation ``protect_state_and_trade_secrets``.
    """
    _review_stage(uow, disclosure_id, CONFIDENTIALITY, "confidentiality_check", "confidentiality", decision,
                  "notes", notes, actor)


def supervision_review(uow: UnitOfWork, disclosure_id: int, decision: dict[str, Any], comments: str | None, *,
                       actor: Actor) -> None:
    """The supervision group checks truthfulness, completeness and timeliness, and approves or returns.

    Raises:
        NotFound. Forbidden. Conflict: not at that stage. RuleViolation ``truthful_complete_timely``.
    """
    _review_stage(uow, disclosure_id, SUPERVISION, "supervision_review", "supervision", decision, "comments",
                  comments, actor)


def record_posting(uow: UnitOfWork, disclosure_id: int, *, channel: str, location: str | None,
                   posted_at: datetime | None, actor: Actor) -> DisclosurePublication:
    """Record that the disclosure was posted on one channel: when, where, by whom.

    Raises:
        NotFound. Forbidden. RuleConflict ``supervision_approval_before_publication``: not approved yet.
        ValidationFailed: unknown channel, or a time in the future or before the approval.
    """
    with uow:
        record = visible(uow, disclosure_id, actor, lock=True)
        require_owner(actor, record)
        if record.status not in ("approved", "published", "feedback_open", "answering"):
            raise RuleConflict(f"disclosure {record.id} is {record.status}: nothing is posted before the "
                               "supervision group (and, where required, the congress) has approved it",
                               "supervision_approval_before_publication")
        now = uow.now()
        when = posted_at or now
        if channel not in CHANNELS:
            raise ValidationFailed("unknown channel", {"channel": [f"one of {', '.join(CHANNELS)}"]})
        if when > now or when < record.approved_at:
            raise ValidationFailed("a posting happens between the approval and now", {"posted_at": [str(when)]})
        row = DisclosurePublication(disclosure_id=record.id, channel=channel, location=location,
                                    posted_by=actor.username, posted_at=when, recorded_at=now)
        uow.session.add(row)
        uow.session.flush()
        _audit(uow, record, "disclosure.posted", {"channel": channel, "location": location,
                                                  "posted_at": when.isoformat()}, actor.username)
        uow.commit()
        return row


def publish(uow: UnitOfWork, disclosure_id: int, *, actor: Actor) -> None:
    """Declare the disclosure published once it is posted on every planned channel; the feedback window opens.

    Raises:
        NotFound. Forbidden. RuleConflict ``supervision_approval_before_publication`` (not approved) or
        ``every_channel_recorded`` (a planned channel has no posting).
    """
    with uow:
        record = visible(uow, disclosure_id, actor, lock=True)
        require_owner(actor, record)
        if record.status != "approved":
            raise RuleConflict(f"disclosure {record.id} is {record.status}; only an approved disclosure is "
                               "published", "supervision_approval_before_publication")
        posted = set(uow.session.scalars(select(DisclosurePublication.channel)
                                         .where(DisclosurePublication.disclosure_id == record.id)))
        missing = [c for c in json.loads(record.channels_json) if c not in posted]
        if missing:
            raise RuleConflict("record a posting on every planned channel first", "every_channel_recorded",
                               {"channels": missing})
        complete_stage(uow, record, "publish", {"declaration": True}, actor, owner=True)
        alerts.published(uow, record)
        uow.commit()


def evaluate(uow: UnitOfWork, disclosure_id: int, evaluation: dict[str, Any], *, actor: Actor) -> None:
    """The supervision group evaluates the disclosure and closes it, or orders a rectification with a deadline.

    Raises:
        NotFound. Forbidden. Conflict: not at that stage. RuleViolation ``rectify_when_needed``.
    """
    _review_stage(uow, disclosure_id, SUPERVISION, "evaluate", "evaluation", evaluation, "", None, actor)


def report_rectification(uow: UnitOfWork, disclosure_id: int, report: str, *, actor: Actor) -> None:
    """The owner department reports the rectification done; the supervision group evaluates again.

    Raises:
        NotFound. Forbidden. Conflict: no rectification is open.
    """
    with uow:
        record = visible(uow, disclosure_id, actor, lock=True)
        require_owner(actor, record)
        _require_status(record, "rectifying")
        row = uow.session.scalar(select(DisclosureRectification).where(
            DisclosureRectification.disclosure_id == record.id, DisclosureRectification.reported_at.is_(None)))
        row.report, row.reported_by, row.reported_at = report, actor.username, uow.now()
        complete_stage(uow, record, "rectify", {"declaration": True}, actor, owner=True)
        uow.commit()


def congress_reviewed(uow: UnitOfWork, disclosure_id: int, *, outcome: str, note: str | None, actor: str,
                      heard: dict[str, Any] | None = None) -> None:
    """For the congress module: the congress has seen the matter (``noted``) or sent it back (``returned``).

    ``heard`` names the agenda item at which the congress heard it (``meeting_id``, ``matter_id``,
    ``matter_title``, looked up by the caller: this procedure uses no other); the review records them and the
    meeting's agenda shows the disclosure (`heard_at`). Delivers
    ``disclosure.congress_reviewed`` correlated by ``disclosure_id`` in the caller's transaction.

    Raises:
        ValidationFailed: unknown outcome. Conflict: the disclosure does not wait for the congress.
    """
    if outcome not in ("noted", "returned"):
        raise ValidationFailed("the congress either noted the matter or returned it", {"outcome": [outcome]})
    with uow:
        if not route_message(uow, CONGRESS_REVIEWED, {"disclosure_id": disclosure_id},
                             {"outcome": outcome, "note": note, **(heard or {})}, actor=actor):
            raise Conflict(f"disclosure {disclosure_id} does not wait for the congress")
        uow.commit()


def heard_at(uow: UnitOfWork, meeting_id: int) -> dict[int, list[dict[str, Any]]]:
    """The disclosures the congress reviewed at this meeting, by agenda item: what its agenda shows."""
    with uow:
        rows = uow.session.execute(select(DisclosureReview, Disclosure.title).join(
            Disclosure, Disclosure.id == DisclosureReview.disclosure_id).where(DisclosureReview.stage == "congress")
            .order_by(DisclosureReview.id))
        found: dict[int, list[dict[str, Any]]] = {}
        for review, title in rows:
            details = json.loads(review.details_json)
            if details.get("meeting_id") == meeting_id and details.get("matter_id"):
                found.setdefault(details["matter_id"], []).append({
                    "disclosure_id": review.disclosure_id, "title": title, "outcome": review.decision,
                    "note": details.get("note"), "reviewed_at": review.reviewed_at})
        return found


SUMMARY = ("id", "item_id", "title", "period", "status", "owner_role", "publish_due", "published_at",
           "feedback_until", "closed_at", "rating_until", "archived_at")


def summary(record: Disclosure, item: DisclosureItem) -> dict[str, Any]:
    """What a list shows of a disclosure."""
    return {k: getattr(record, k) for k in SUMMARY} | {"item_code": item.code, "category": item.category}


def detail(uow: UnitOfWork, disclosure_id: int, actor: Actor) -> dict[str, Any]:
    """A disclosure as the actor may see it: published content for workers, the reviews too for staff.

    Raises:
        NotFound: missing, or a draft the actor may not see.
    """
    with uow:
        s = uow.session
        record = visible(uow, disclosure_id, actor)
        item = s.get(DisclosureItem, record.item_id)

        def rows(cls, *skip: str) -> list[dict[str, Any]]:
            found = s.scalars(select(cls).where(cls.disclosure_id == record.id).order_by(cls.id))
            return [{c.key: getattr(r, c.key) for c in cls.__table__.columns if c.key not in skip} for r in found]

        counts = dict(s.execute(select(DisclosureQuestion.answered_at.is_(None), func.count())
                                .where(DisclosureQuestion.disclosure_id == record.id)
                                .group_by(DisclosureQuestion.answered_at.is_(None))).all())
        out = summary(record, item) | {
            "legal_basis": item.legal_basis, "content": record.content, "period_note": record.period_note,
            "channels": json.loads(record.channels_json), "feedback_days": record.feedback_days,
            "attachments": rows(DisclosureAttachment, "content"), "publications": rows(DisclosurePublication),
            "rectifications": rows(DisclosureRectification),
            "questions": counts.get(False, 0) + counts.get(True, 0), "unanswered": counts.get(True, 0)}
        if is_staff(actor, record):
            out["staff"] = {k: getattr(record, k) for k in ("draft_version", "submitted_at", "approved_at",
                                                            "publication_late_at", "congress_first",
                                                            "confidentiality_check", "archive_sha256")} | {
                "reviews": [r | {"details": json.loads(r.pop("details_json"))} for r in rows(DisclosureReview)]}
        return out


def listing(uow: UnitOfWork, actor: Actor, *, status: str | None = None,
            item_id: int | None = None) -> list[dict[str, Any]]:
    """Disclosures the actor may see, newest first: published ones for every worker, drafts for their staff."""
    with uow:
        query = select(Disclosure, DisclosureItem).join(DisclosureItem, DisclosureItem.id == Disclosure.item_id)
        if not actor.has(*STAFF_ROLES):
            shown = PUBLIC_STATES | ({"awaiting_congress"} if actor.has(PRESIDIUM) else set())
            query = query.where(or_(Disclosure.status.in_(sorted(shown)),
                                    Disclosure.owner_role.in_(sorted(actor.roles))))
        if status:
            query = query.where(Disclosure.status == status)
        if item_id:
            query = query.where(Disclosure.item_id == item_id)
        rows = uow.session.execute(query.order_by(Disclosure.created_at.desc(), Disclosure.id.desc()))
        return [summary(record, item) for record, item in rows]
