"""Legal-aid referral (工会法律援助): a worker's application with the facts and their hardship, the union's review,
referral to the upper-level union's legal-aid body with a package, and the outcome recorded.

Source: 工会法律援助办法 (中华全国总工会; not in rules.md, U): the union gives legal aid to workers whose rights
were infringed and who are in financial hardship, or refers them to a legal-aid body. dmflow checks what a file
shows: the facts and the hardship are stated, a refusal gives its reason, a referral names the body.

A case is read by its applicant, the union's legal-aid officers (role ``legal_aid_officer``), admins and
auditors; to anyone else it does not exist (404). Facts and hardship stay in this record, never in task data.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select

from engine.deployments import find_version
from engine.errors import Forbidden, ValidationFailed
from engine.identity import ADMIN, AUDITOR, Actor
from engine.notifications import Role, notify
from engine.runtime import create_instance
from engine.unit_of_work import UnitOfWork
from workflows import documents
from workflows.casework import records, stage
from workflows.casework.tables import LegalAidCase

PROCESS_ID = "legal_aid"
OFFICER = "legal_aid_officer"
STAFF_ROLES = (OFFICER, ADMIN, AUDITOR)
STAGES = {"review": "审查援助条件", "follow_up": "跟踪办理结果"}
FIELDS = ("id", "status", "applicant", "facts", "hardship", "decision_reason", "referred_to", "referral_document_id",
          "outcome", "submitted_at", "closed_at", "instance_id")


def link(case_id: int) -> str:
    return f"/casework/legal-aid/{case_id}"


WHAT = "legal-aid case"


def fetch(session, case_id: int, *, lock: bool = False) -> LegalAidCase:
    """Raises: NotFound."""
    return records.fetch(session, LegalAidCase, case_id, WHAT, lock=lock)


def visible(uow: UnitOfWork, case_id: int, actor: Actor, *, lock: bool = False) -> LegalAidCase:
    """The case if the actor is its applicant or staff (instance row locked first when writing). Raises: NotFound."""
    return records.visible(uow, LegalAidCase, case_id, WHAT,
                           lambda r: actor.has(*STAFF_ROLES) or actor.username == r.applicant, lock=lock)


audit = records.audit


def apply(uow: UnitOfWork, *, facts: str, hardship: str, actor: Actor) -> int:
    """A worker applies for legal aid for themself; the officers are told.

    Raises:
        Forbidden: an auditor. ValidationFailed: no facts, or no hardship shown.
    """
    if actor.is_read_only:
        raise Forbidden("auditors read everything and change nothing")
    missing = {k: ["required"] for k, v in (("facts", facts), ("hardship", hardship)) if not v.strip()}
    if missing:
        raise ValidationFailed("state the dispute and your financial hardship", missing)
    with uow:
        now = uow.now()
        record = LegalAidCase(status="reviewing", applicant=actor.username, facts=facts.strip(),
                              hardship=hardship.strip(), submitted_at=now, updated_at=now)
        uow.session.add(record)
        uow.session.flush()
        create_instance(uow, find_version(uow.session, PROCESS_ID), actor=actor.username,
                        data={"case_id": record.id}, business_key=f"legal_aid:{record.id}", starter=actor)
        notify(uow, Role(OFFICER), "casework.legal_aid_filed", f"新的法律援助申请（第{record.id}号）",
               "请审查援助条件。 A legal-aid application awaits review.", link(record.id),
               f"legal_aid:{record.id}:filed")
        uow.commit()
        return record.id


def _officer(actor: Actor) -> None:
    if not actor.has(OFFICER):
        raise Forbidden("only the union's legal-aid officers do this")


def review(uow: UnitOfWork, case_id: int, *, decision: str, reason: str, referred_to: str | None,
           actor: Actor) -> None:
    """The union refers the worker to a legal-aid body, or declines with its reason.

    Raises:
        NotFound. Forbidden. Conflict: not under review. ValidationFailed: no reason, or a referral to nobody.
    """
    if decision not in ("refer", "decline"):
        raise ValidationFailed("refer or decline", {"decision": [decision]})
    if not reason.strip():
        raise ValidationFailed("a review states its reasons", {"reason": ["required"]})
    if decision == "refer" and not (referred_to or "").strip():
        raise ValidationFailed("name the legal-aid body", {"referred_to": ["required"]})
    with uow:
        record = visible(uow, case_id, actor, lock=True)
        _officer(actor)
        record.decision_reason = reason.strip()
        record.referred_to = (referred_to or "").strip() if decision == "refer" else None
        audit(uow, record, "casework.legal_aid_reviewed", {
            "decision": decision, "referred_to": record.referred_to,
            "reason_sha256": hashlib.sha256(reason.encode()).hexdigest()}, actor.username)
        stage.complete(uow, record.instance_id, "review", {"decision": decision}, actor,
                       case=f"legal-aid case {record.id}", state=record.status, stage=STAGES["review"])
        uow.commit()


def record_outcome(uow: UnitOfWork, case_id: int, *, outcome: str, actor: Actor) -> None:
    """The officer records what the legal-aid body did; the case closes and the worker is told.

    Raises:
        NotFound. Forbidden. Conflict: not referred. ValidationFailed: empty outcome.
    """
    if not outcome.strip():
        raise ValidationFailed("record the outcome", {"outcome": ["required"]})
    with uow:
        record = visible(uow, case_id, actor, lock=True)
        _officer(actor)
        record.outcome = outcome.strip()
        stage.complete(uow, record.instance_id, "follow_up", {"declaration": True}, actor,
                       case=f"legal-aid case {record.id}", state=record.status, stage=STAGES["follow_up"])
        uow.commit()


def referral_package(uow: UnitOfWork, record: LegalAidCase, actor: str | None) -> documents.Document:
    """The referral letter with the file's facts, hardship and review, stored with its SHA-256."""
    day = uow.runtime.context["calendar"].local_date(uow.now()).isoformat()
    text = "\n".join([
        f"法律援助转介函（第{record.id}号）", "", f"{record.referred_to}：",
        f"本单位职工 {record.applicant} 申请法律援助，经工会审查，符合援助条件，现转介贵机构。", "",
        "争议事实：", record.facts, "", "经济困难情况：", record.hardship, "",
        "审查意见：", record.decision_reason or "", "", "（依据：工会法律援助办法）", "工会（盖章）", f"日期：{day}"])
    return documents.store(uow, kind="legal_aid_referral", title=f"法律援助转介函（第{record.id}号）",
                           filename=f"legal-aid-{record.id}-referral.txt", media_type="text/plain; charset=utf-8",
                           content=text.encode(), instance_id=record.instance_id, actor=actor)


def detail(uow: UnitOfWork, case_id: int, actor: Actor) -> dict[str, Any]:
    """Raises: NotFound."""
    with uow:
        record = visible(uow, case_id, actor)
        return {k: getattr(record, k) for k in FIELDS}


def listing(uow: UnitOfWork, actor: Actor) -> list[dict[str, Any]]:
    """Every case for staff, their own for a worker, newest first."""
    with uow:
        query = select(LegalAidCase)
        if not actor.has(*STAFF_ROLES):
            query = query.where(LegalAidCase.applicant == actor.username)
        rows = uow.session.scalars(query.order_by(LegalAidCase.submitted_at.desc(), LegalAidCase.id.desc()))
        return [{k: getattr(r, k) for k in ("id", "status", "applicant", "referred_to", "submitted_at", "closed_at")}
                for r in rows]


def case_document(uow: UnitOfWork, case_id: int, document_id: int, actor: Actor) -> documents.Document:
    """Raises: NotFound."""
    with uow:
        return records.document_of(uow, visible(uow, case_id, actor), document_id, WHAT)
