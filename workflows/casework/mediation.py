"""Labour-dispute mediation cases (劳动争议调解): filing, who may see a case, and reading it.

Sources (not in rules.md; U until checked against the official text): 劳动争议调解仲裁法 第12条 (written or oral
application; an oral one is recorded by the committee on the spot), 第14条 (agreement document; no agreement within
15 days of receiving the application: the parties may apply for arbitration), 第27条 (one-year limitation for
arbitration, shown to the worker, not enforced).

A case is read by its parties (the applicant workers and the enterprise's representative), its mediator, the
committee, admins and auditors; to anyone else it does not exist (404). Names, claims and session records stay in
these tables: the instance's data holds only the case id, the deadline and the mediator's username.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import or_, select

from engine.deployments import find_version
from engine.errors import Forbidden, ValidationFailed
from engine.identity import ADMIN, AUDITOR, Actor
from engine.models import User
from engine.notifications import Role, notify
from engine.runtime import create_instance
from engine.unit_of_work import UnitOfWork
from workflows import documents
from workflows.casework import records
from workflows.casework.committee import ROLE
from workflows.casework.tables import MediationCase, MediationSession

PROCESS_ID = "labour_mediation"
STAFF_ROLES = (ROLE, ADMIN, AUDITOR)
FINAL = frozenset({"refused", "agreed", "failed"})


def link(case_id: int) -> str:
    """The case's page in the web UI (notifications point to it)."""
    return f"/casework/mediations/{case_id}"


def applicants(record: MediationCase) -> list[str]:
    """Usernames of the applying worker(s)."""
    return json.loads(record.applicants_json)


def parties(record: MediationCase) -> list[str]:
    """Everyone who is a party or acts in the case by name: applicants, the enterprise's representative, the
    mediator."""
    return applicants(record) + [u for u in (record.employer_rep, record.mediator) if u]


def may_see(actor: Actor, record: MediationCase) -> bool:
    """The parties, the mediator, the committee, admins and auditors."""
    return actor.has(*STAFF_ROLES) or actor.username in parties(record)


WHAT = "mediation case"


def fetch(session, case_id: int, *, lock: bool = False) -> MediationCase:
    """The case with this id (locked FOR UPDATE if asked). Raises: NotFound."""
    return records.fetch(session, MediationCase, case_id, WHAT, lock=lock)


def visible(uow: UnitOfWork, case_id: int, actor: Actor, *, lock: bool = False) -> MediationCase:
    """The case if the actor may see it (instance row locked first when writing). Raises: NotFound."""
    return records.visible(uow, MediationCase, case_id, WHAT, lambda r: may_see(actor, r), lock=lock)


audit = records.audit


def _check_applicants(uow: UnitOfWork, names: list[str]) -> list[str]:
    names = list(dict.fromkeys(n.strip() for n in names if n and n.strip()))
    if not names:
        raise ValidationFailed("name the applying worker(s)", {"applicants": ["at least one"]})
    known = set(uow.session.scalars(select(User.username).where(User.username.in_(names))))
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValidationFailed("every applicant is a user of dmflow", {"applicants": unknown})
    return names


def file_application(uow: UnitOfWork, *, applicants_: list[str], respondent: str, claim: str, oral: bool,
                     actor: Actor) -> int:
    """File a mediation application and start its case; the committee is told.

    A worker files a written application for themself (alone or with co-applicants: a group application);
    an oral application is recorded by a committee member (劳动争议调解仲裁法 第12条).

    Raises:
        Forbidden: an oral application recorded by someone outside the committee, or a written one filed for
            others by someone who is not among the applicants. ValidationFailed: no claim, unknown applicants.
    """
    if actor.is_read_only:
        raise Forbidden("auditors read everything and change nothing")
    with uow:
        names = _check_applicants(uow, applicants_)
        if oral and not actor.has(ROLE):
            raise Forbidden("an oral application is recorded by the mediation committee (第12条)")
        if not oral and actor.username not in names and not actor.has(ROLE):
            raise Forbidden("a written application is filed by the applying worker(s) themselves")
        if not claim.strip() or not respondent.strip():
            raise ValidationFailed("state the dispute and the other party", {"claim": ["required"]})
        now = uow.now()
        record = MediationCase(status="received", applicants_json=json.dumps(names, ensure_ascii=False), oral=oral,
                               recorded_by=actor.username, respondent=respondent.strip(), claim=claim.strip(),
                               received_at=now, extension_days=0, updated_at=now)
        uow.session.add(record)
        uow.session.flush()
        create_instance(uow, find_version(uow.session, PROCESS_ID), actor=actor.username,
                        data={"case_id": record.id}, business_key=f"mediation:{record.id}", starter=actor)
        notify(uow, Role(ROLE), "casework.mediation_filed", f"新的劳动争议调解申请（第{record.id}号）",
               f"收到调解申请，请在{record.due_at:%Y-%m-%d}前处理（自收到申请之日起十五日）。"
               f" A mediation application was received.", link(record.id), f"mediation:{record.id}:filed")
        uow.commit()
        return record.id


SUMMARY = ("id", "status", "oral", "respondent", "employer_rep", "mediator", "received_at", "due_at",
           "extension_days", "closed_at")


def summary(record: MediationCase) -> dict[str, Any]:
    """What a list shows of a case."""
    return {k: getattr(record, k) for k in SUMMARY} | {"applicants": applicants(record)}


def detail(uow: UnitOfWork, case_id: int, actor: Actor) -> dict[str, Any]:
    """The whole case for those who may see it. Raises: NotFound."""
    with uow:
        record = visible(uow, case_id, actor)
        sessions = uow.session.scalars(select(MediationSession).where(MediationSession.case_id == case_id)
                                       .order_by(MediationSession.held_at, MediationSession.id))
        return summary(record) | {
            "instance_id": record.instance_id, "recorded_by": record.recorded_by, "claim": record.claim,
            "refusal_reason": record.refusal_reason, "outcome_note": record.outcome_note,
            "agreement_document_id": record.agreement_document_id,
            "referral_document_id": record.referral_document_id,
            "sessions": [{k: getattr(s, k) for k in ("id", "held_at", "record", "recorded_by", "recorded_at")}
                         for s in sessions]}


def listing(uow: UnitOfWork, actor: Actor, *, status: str | None = None) -> list[dict[str, Any]]:
    """Cases the actor may see, newest first: all for the committee, admins and auditors; their own for others."""
    with uow:
        query = select(MediationCase)
        if not actor.has(*STAFF_ROLES):
            mine = f'%"{actor.username}"%'  # JSON list of usernames; exact match checked below
            query = query.where(or_(MediationCase.applicants_json.like(mine),
                                    MediationCase.employer_rep == actor.username,
                                    MediationCase.mediator == actor.username))
        if status:
            query = query.where(MediationCase.status == status)
        rows = uow.session.scalars(query.order_by(MediationCase.received_at.desc(), MediationCase.id.desc()))
        return [summary(r) for r in rows if may_see(actor, r)]


def case_document(uow: UnitOfWork, case_id: int, document_id: int, actor: Actor) -> documents.Document:
    """A document of the case (agreement, referral letter), for whoever may see the case. Raises: NotFound."""
    with uow:
        return records.document_of(uow, visible(uow, case_id, actor), document_id, WHAT)
