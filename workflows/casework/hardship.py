"""Hardship assistance (困难职工帮扶): one file per household, read by the assistance committee (every read audited)
and the applicant; the publicity list (公示) shows every worker only the name and the kind of assistance.

Practice, not statute (not in rules.md; the periods are configuration marked U): the committee verifies by a home
visit and an income check, decides, publishes the list for ``hardship_publicity_days`` during which any worker
may object, pays, and reviews the file every ``hardship_review_months``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.deployments import find_version
from engine.errors import Forbidden, ValidationFailed
from engine.identity import ADMIN, AUDITOR, Actor
from engine.notifications import Role, notify
from engine.runtime import create_instance
from engine.unit_of_work import UnitOfWork
from workflows.casework import records
from workflows.casework.tables import HardshipCase, HardshipObjection, HardshipPayment
from workflows.errors import RuleConflict

PROCESS_ID = "hardship"
COMMITTEE = "assistance_committee"
STAFF_ROLES = (COMMITTEE, ADMIN, AUDITOR)
WHAT = "hardship file"
FIELDS = ("id", "status", "applicant", "household", "circumstances", "monthly_income", "verified_income",
          "visit_record", "visited_by", "decision_reason", "assistance_kind", "amount", "publicity_until",
          "review_due", "submitted_at", "closed_at", "instance_id")
PUBLISHED = ("id", "applicant", "assistance_kind", "publicity_until")  # what the 公示 shows: no income, no household


def link(case_id: int) -> str:
    return f"/casework/hardship/{case_id}"


def fetch(session, case_id: int, *, lock: bool = False) -> HardshipCase:
    return records.fetch(session, HardshipCase, case_id, WHAT, lock=lock)


def is_staff(actor: Actor) -> bool:
    return actor.has(*STAFF_ROLES)


def visible(uow: UnitOfWork, case_id: int, actor: Actor, *, lock: bool = False) -> HardshipCase:
    """The file if the actor is its applicant or on the committee (admins, auditors). Raises: NotFound."""
    return records.visible(uow, HardshipCase, case_id, WHAT, lambda r: is_staff(actor) or actor.username == r.applicant,
                           lock=lock)


audit = records.audit


def apply(uow: UnitOfWork, *, household: str, circumstances: str, monthly_income: int, actor: Actor) -> int:
    """A worker applies for their household; the committee is told.

    Raises:
        Forbidden: an auditor. ValidationFailed: missing household or circumstances, negative income.
    """
    if actor.is_read_only:
        raise Forbidden("auditors read everything and change nothing")
    problems = {k: ["required"] for k, v in (("household", household), ("circumstances", circumstances))
                if not v.strip()}
    if monthly_income < 0:
        problems["monthly_income"] = ["at least 0"]
    if problems:
        raise ValidationFailed("describe the household, its hardship and its income", problems)
    with uow:
        now = uow.now()
        record = HardshipCase(status="verifying", applicant=actor.username, household=household.strip(),
                              circumstances=circumstances.strip(), monthly_income=monthly_income, submitted_at=now,
                              updated_at=now)
        uow.session.add(record)
        uow.session.flush()
        create_instance(uow, find_version(uow.session, PROCESS_ID), actor=actor.username,
                        data={"case_id": record.id}, business_key=f"hardship:{record.id}", starter=actor)
        notify(uow, Role(COMMITTEE), "casework.hardship_filed", f"新的困难帮扶申请（第{record.id}号）",
               "请安排入户核实。 A hardship application awaits verification.", link(record.id),
               f"hardship:{record.id}:filed")
        uow.commit()
        return record.id


def detail(uow: UnitOfWork, case_id: int, actor: Actor) -> dict[str, Any]:
    """The whole file; a read by anyone but the applicant is recorded in the audit trail (in the same commit).

    Raises:
        NotFound.
    """
    with uow:
        record = visible(uow, case_id, actor)
        out = {k: getattr(record, k) for k in FIELDS}
        out["objections"] = _rows(uow, HardshipObjection, record.id)
        out["payments"] = _rows(uow, HardshipPayment, record.id)
        if actor.username != record.applicant:
            audit(uow, record, "casework.hardship_file_read", {"reader": actor.username}, actor.username)
            uow.commit()
        return out


def _rows(uow: UnitOfWork, cls: Any, case_id: int) -> list[dict[str, Any]]:
    found = uow.session.scalars(select(cls).where(cls.case_id == case_id).order_by(cls.id))
    return [{c.key: getattr(r, c.key) for c in cls.__table__.columns} for r in found]


def listing(uow: UnitOfWork, actor: Actor) -> list[dict[str, Any]]:
    """Files without the personal data: all for the committee, a worker's own."""
    with uow:
        query = select(HardshipCase)
        if not is_staff(actor):
            query = query.where(HardshipCase.applicant == actor.username)
        rows = uow.session.scalars(query.order_by(HardshipCase.submitted_at.desc(), HardshipCase.id.desc()))
        return [{k: getattr(r, k) for k in ("id", "status", "applicant", "assistance_kind", "submitted_at",
                                            "closed_at")} for r in rows]


def publicity(uow: UnitOfWork) -> list[dict[str, Any]]:
    """The list under publicity (公示), for every worker: names and kinds of assistance only."""
    with uow:
        rows = uow.session.scalars(select(HardshipCase).where(HardshipCase.status == "publicity")
                                   .order_by(HardshipCase.id))
        return [{k: getattr(r, k) for k in PUBLISHED} for r in rows]


def object_to(uow: UnitOfWork, case_id: int, *, body: str, actor: Actor) -> int:
    """Any worker objects to an entry of the published list while the publicity period runs.

    Raises:
        NotFound: a file that is not published (for anyone but its applicant and committee). Forbidden: an
        auditor. RuleConflict ``hardship_publicity_period``: the period is over. ValidationFailed: empty.
    """
    if actor.is_read_only:
        raise Forbidden("auditors read everything and change nothing")
    if not body.strip():
        raise ValidationFailed("state the objection", {"body": ["required"]})
    with uow:
        record = records.visible(uow, HardshipCase, case_id, WHAT, lambda r: r.status == "publicity" or is_staff(
            actor) or actor.username == r.applicant, lock=True)
        now = uow.now()
        if record.status != "publicity" or now > record.publicity_until:
            raise RuleConflict("objections are lodged while the list is published (公示期内)",
                               "hardship_publicity_period", {"publicity_until": [str(record.publicity_until)]})
        row = HardshipObjection(case_id=record.id, objector=actor.username, body=body.strip(), lodged_at=now)
        uow.session.add(row)
        uow.session.flush()
        audit(uow, record, "casework.hardship_objection", {"objection_id": row.id}, actor.username)
        notify(uow, Role(COMMITTEE), "casework.hardship_objection", f"帮扶公示收到异议（第{record.id}号）",
               "公示期满后请核实处理。 An objection was lodged.", link(record.id), f"hardship:{record.id}:obj:{row.id}")
        uow.commit()
        return row.id
