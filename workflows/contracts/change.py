"""Changing or ending a collective contract in force (集体合同规定 第39–41条): the request and its outcome.

第39条: the negotiators of both sides may agree to change or end a contract. 第40条: it may be changed or ended
when the enterprise is merged, divided, dissolved or bankrupt, by force majeure, when an agreed condition arises,
or on another legal ground. 第41条: a change or termination follows the collective-negotiation procedure, so it
is negotiated, adopted by the congress, filed and reviewed like a new contract (``contract_change`` diagram).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.deployments import find_version
from engine.errors import Conflict
from engine.identity import Actor
from engine.runtime import create_instance
from engine.unit_of_work import UnitOfWork
from workflows.contracts.change_tables import ContractChange
from workflows.contracts.record import get_contract, record, side_of
from workflows.errors import RuleViolation
from workflows.records import fetch

PROCESS_ID = "contract_change"
ACTIONS = {"change": "变更", "terminate": "解除"}
GROUNDS = {  # 第39条 (agreed) and 第40条 (the others)
    "agreed": "双方协商代表协商一致（第39条）",
    "enterprise_ended": "用人单位被兼并、分立、解散或破产，致使合同无法履行（第40条）",
    "force_majeure": "因不可抗力致使合同无法履行或部分无法履行（第40条）",
    "agreed_condition": "合同约定的变更或解除条件出现（第40条）",
    "other_legal": "法律、法规、规章规定的其他情形（第40条）",
}
IN_FORCE = ("effective", "published", "renewal_window")
OPEN_STAGES = ("negotiating", "adoption", "filing", "under_review")


def _violation(message: str, rule: str, article: str, errors: dict[str, Any]) -> RuleViolation:
    return RuleViolation(f"{message} ({article})", rule, {"article": [article], **errors})


def check_request(body: dict[str, Any]) -> None:
    """第39–40条: a ground of the statute; facts for any ground but agreement; a written proposal (第32条, 第41条).

    Raises:
        RuleViolation ``change_ground`` (第40条), ``written_request`` (第32条 via 第41条).
    """
    if body.get("ground") not in GROUNDS:
        raise _violation("a contract is changed or ended only on a ground of the statute", "change_ground",
                         "集体合同规定第39条、第40条", {"ground": [f"one of {', '.join(GROUNDS)}"]})
    if body["ground"] != "agreed" and not str(body.get("facts") or "").strip():
        raise _violation("state the facts of the ground (which merger, which force majeure, which condition)",
                         "change_ground", "集体合同规定第40条", {"facts": ["the facts of the ground"]})
    if not str(body.get("proposal_text") or "").strip():
        raise _violation("a change or termination is requested in writing", "written_request",
                         "集体合同规定第41条、第32条", {"proposal_text": ["the written proposal"]})


def request_change(uow: UnitOfWork, contract_id: int, body: dict[str, Any], *, actor: Actor) -> ContractChange:
    """Either side asks to change or end a contract in force; starts its ``contract_change`` instance.

    Args:
        body: action (change | terminate), ground (GROUNDS), facts, proposal_text, optional side.

    Raises:
        Forbidden: not a negotiator of a side. NotFound. Conflict: the contract is not in force, or a change
        of it is already under way. RuleViolation: see ``check_request``.
    """
    side = side_of(actor, body.get("side"))
    check_request(body)
    with uow:
        contract = get_contract(uow.session, contract_id, lock=True)
        if contract.stage not in IN_FORCE:
            raise Conflict(f"contract {contract_id} is not in force (stage '{contract.stage}'): only a contract "
                           "in force is changed or ended", {"stage": [contract.stage]})
        if uow.session.scalar(select(ContractChange.id).where(ContractChange.contract_id == contract_id,
                                                              ContractChange.stage.in_(OPEN_STAGES))):
            raise Conflict(f"a change of contract {contract_id} is already under way")
        now = uow.now()
        change = ContractChange(contract_id=contract_id, action=body["action"], ground=body["ground"],
                                facts=body.get("facts") or "", proposal_text=body["proposal_text"],
                                requesting_side=side, stage="negotiating", created_by=actor.username,
                                created_at=now, updated_at=now)
        uow.session.add(change)
        uow.session.flush()
        record(uow, contract, "contract.change_requested", {
            "change_id": change.id, "action": change.action, "ground": change.ground, "facts": change.facts,
            "side": side, "proposal_text": change.proposal_text}, actor.username)
        data = {"change_id": change.id, "contract_id": contract_id, "action": change.action,
                "requesting_side": side}
        change.instance_id = create_instance(uow, find_version(uow.session, PROCESS_ID), actor=actor.username,
                                             data=data, business_key=f"contract_change:{change.id}")
        uow.commit()
    return change


def get_change(session, change_id: int, *, lock: bool = False) -> ContractChange:
    """Raises: NotFound."""
    return fetch(session, ContractChange, change_id, "contract change", lock=lock)


FIELDS = ("id", "contract_id", "instance_id", "action", "ground", "facts", "proposal_text", "requesting_side",
          "stage", "agreement_text", "vote_id", "outcome", "filed_on", "receipt_no", "review_until", "effective_on",
          "created_by", "created_at")


def changes_of(uow: UnitOfWork, contract_id: int) -> list[dict[str, Any]]:
    """The changes and terminations requested for a contract, oldest first."""
    with uow:
        get_contract(uow.session, contract_id)
        rows = uow.session.scalars(select(ContractChange).where(ContractChange.contract_id == contract_id)
                                   .order_by(ContractChange.id))
        return [{k: getattr(row, k) for k in FIELDS} for row in rows]
