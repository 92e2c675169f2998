"""A hardship file's stages as services of the assistance committee: verification, decision, objections,
payments and the yearly review. Each checks the role and the state, writes the file and completes the diagram's
stage task in the same transaction (``workflows.casework.stage``)."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select

from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.identity import Actor
from engine.unit_of_work import UnitOfWork
from workflows.casework import stage
from workflows.casework.hardship import COMMITTEE, audit, visible
from workflows.casework.tables import HardshipCase, HardshipObjection, HardshipPayment
from workflows.errors import RuleViolation

STAGES = {"verify": "入户核实", "decide": "委员会决定", "resolve": "处理异议", "pay": "发放帮扶",
          "review": "年度复核"}


def _open(uow: UnitOfWork, case_id: int, actor: Actor) -> HardshipCase:
    record = visible(uow, case_id, actor, lock=True)
    if not actor.has(COMMITTEE):
        raise Forbidden("only the assistance committee does this")
    return record


def _complete(uow: UnitOfWork, record: HardshipCase, element_id: str, data: dict[str, Any], actor: Actor) -> None:
    stage.complete(uow, record.instance_id, element_id, data, actor, case=f"hardship file {record.id}",
                   state=record.status, stage=STAGES[element_id])


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def verify(uow: UnitOfWork, case_id: int, *, visit_record: str, verified_income: int, actor: Actor) -> None:
    """The committee records the home visit and the household income it checked.

    Raises:
        NotFound. Forbidden. Conflict: not verifying. ValidationFailed: no visit record, negative income.
    """
    if not visit_record.strip() or verified_income < 0:
        raise ValidationFailed("record the home visit and the income checked",
                               {"visit_record": ["required"], "verified_income": ["at least 0"]})
    with uow:
        record = _open(uow, case_id, actor)
        record.visit_record, record.verified_income, record.visited_by = visit_record.strip(), verified_income, \
            actor.username
        audit(uow, record, "casework.hardship_verified", {"visit_record_sha256": _sha(visit_record),
                                                          "income_checked": True}, actor.username)
        _complete(uow, record, "verify", {"declaration": True}, actor)
        record.status = "deciding"
        uow.commit()


def decide(uow: UnitOfWork, case_id: int, *, decision: str, reason: str, assistance_kind: str | None,
           amount: int | None, actor: Actor) -> None:
    """The committee grants assistance (its kind and amount) or refuses it, with its reasons.

    Raises:
        NotFound. Forbidden. Conflict: not deciding. ValidationFailed: no reason; a grant without kind or amount.
    """
    if decision not in ("approve", "reject") or not reason.strip():
        raise ValidationFailed("approve or reject, with reasons", {"decision": [decision], "reason": ["required"]})
    if decision == "approve" and not (assistance_kind and amount and amount > 0):
        raise ValidationFailed("a grant names its kind and amount", {"assistance_kind": ["required"],
                                                                     "amount": ["at least 1"]})
    with uow:
        record = _open(uow, case_id, actor)
        record.decision_reason = reason.strip()
        if decision == "approve":
            record.assistance_kind, record.amount = assistance_kind, amount
        audit(uow, record, "casework.hardship_decided", {"decision": decision, "assistance_kind": assistance_kind,
                                                         "amount": amount, "reason_sha256": _sha(reason)},
              actor.username)
        _complete(uow, record, "decide", {"decision": decision}, actor)
        uow.commit()


def resolve_objection(uow: UnitOfWork, case_id: int, objection_id: int, *, upheld: bool, resolution: str,
                      actor: Actor) -> None:
    """The committee resolves one objection after the publicity period; once all are resolved the file goes on
    (to payment, or refused if any objection was upheld).

    Raises:
        NotFound. Forbidden. Conflict: not resolving objections, or this one is resolved. ValidationFailed.
    """
    if not resolution.strip():
        raise ValidationFailed("state how the objection was resolved", {"resolution": ["required"]})
    with uow:
        record = _open(uow, case_id, actor)
        row = uow.session.get(HardshipObjection, objection_id)
        if row is None or row.case_id != record.id:
            raise NotFound(f"objection {objection_id} of hardship file {case_id} does not exist")
        if record.status != "objections" or row.resolved_at is not None:
            raise Conflict(f"hardship file {record.id} is {record.status}; objection {objection_id} cannot be "
                           "resolved now")
        row.upheld, row.resolution, row.resolved_by, row.resolved_at = upheld, resolution.strip(), actor.username, \
            uow.now()
        audit(uow, record, "casework.hardship_objection_resolved", {"objection_id": row.id, "upheld": upheld},
              actor.username)
        rows = uow.session.scalars(select(HardshipObjection).where(HardshipObjection.case_id == record.id)).all()
        if all(r.resolved_at is not None for r in rows):
            upheld_any = any(r.upheld for r in rows)
            _complete(uow, record, "resolve", {"upheld": upheld_any}, actor)
            record.status = record.status if upheld_any else "paying"
        uow.commit()


def pay(uow: UnitOfWork, case_id: int, *, amount: int, reference: str | None, actor: Actor) -> int:
    """The committee records assistance given (at most the amount decided).

    Raises:
        NotFound. Forbidden. Conflict: nothing to pay now. RuleViolation ``hardship_payment_within_decision``.
    """
    with uow:
        record = _open(uow, case_id, actor)
        if not 0 < amount <= (record.amount or 0):
            raise RuleViolation(f"pay between 1 and the {record.amount} yuan decided",
                                "hardship_payment_within_decision", {"amount": [str(amount)]})
        row = HardshipPayment(case_id=record.id, amount=amount, reference=reference, paid_at=uow.now(),
                              recorded_by=actor.username)
        _complete(uow, record, "pay", {"declaration": True}, actor)
        uow.session.add(row)
        uow.session.flush()
        audit(uow, record, "casework.hardship_payment", {"payment_id": row.id, "amount": amount}, actor.username)
        uow.commit()
        return row.id


def review(uow: UnitOfWork, case_id: int, *, decision: str, note: str, verified_income: int | None,
           actor: Actor) -> None:
    """The yearly review: assistance continues for another period or the file is closed.

    Raises:
        NotFound. Forbidden. Conflict: no review is due. ValidationFailed.
    """
    if decision not in ("continue", "close") or not note.strip():
        raise ValidationFailed("continue or close, with a note", {"decision": [decision], "note": ["required"]})
    with uow:
        record = _open(uow, case_id, actor)
        if verified_income is not None:
            record.verified_income = verified_income
        audit(uow, record, "casework.hardship_reviewed", {"decision": decision, "note_sha256": _sha(note)},
              actor.username)
        _complete(uow, record, "review", {"decision": decision}, actor)
        if decision == "continue":
            record.status = "paying"
        uow.commit()
