"""Service-task handlers and task checks of ``contract_change`` (集体合同规定 第39–41条).

The congress vote is the congress module's own (``ballots.open_vote``), as for adopting a new contract.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from engine.audit import instance_chain
from engine.errors import DmflowError, ValidationFailed
from engine.identity import Actor
from engine.notifications import INAPP, Role, notify
from engine.steps import current_step
from workflows.calendar import calendar_of, local_today
from workflows.congress import ballots, meetings
from workflows.contracts.change import ACTIONS, GROUNDS, get_change
from workflows.contracts.change_tables import ContractChange
from workflows.contracts.record import KIND_NAMES, MATTER_TYPES, ROLE_OF_SIDE, SIDES, get_contract, record
from workflows.deadlines import due_of, follows, tracked
from workflows.errors import RuleViolation
from workflows.hooks import rules_of, service, validator

WORKER_ROLE = "worker"  # the workforce (as for a disclosure): told in-app when a contract is changed or ended


def _change(params: dict[str, Any]) -> ContractChange:
    return get_change(current_step().uow.session, int(params["change_id"]), lock=True)


def _set(change: ContractChange, stage: str, event: str, payload: dict[str, Any]) -> None:
    """Move the change on; the event goes to the change's chain and to the contract's history."""
    step = current_step()
    change.stage, change.updated_at = stage, step.uow.now()
    body = {"change_id": change.id, "stage": stage, **payload}
    step.uow.audit(instance_chain(step.instance_id), event, body, actor=step.actor, instance_id=step.instance_id)
    record(step.uow, get_contract(step.uow.session, change.contract_id), event, body, step.actor)


@validator("contract_change", "negotiate")
def _check_agreement(uow, data: dict[str, Any], actor) -> None:
    """第39条 (agreed by both sides) and 第34条 (minutes signed by both chiefs): an agreement is on the record."""
    if data.get("agreed") and not (data.get("minutes_signed") and str(data.get("agreement_text") or "").strip()):
        raise RuleViolation("an agreement of both sides is written and its minutes signed by both chiefs "
                            "(集体合同规定第39条、第34条)", "change_agreed_by_both_sides",
                            {"article": ["集体合同规定第39条、第34条"], "minutes_signed": ["required"],
                             "agreement_text": ["required"]})


@validator("contract_change", "file")
def _check_filing(uow, data: dict[str, Any], actor) -> None:
    if dt.date.fromisoformat(data["filed_on"]) > local_today(uow):
        raise ValidationFailed("the bureau cannot have received it in the future", {"filed_on": [data["filed_on"]]})


@service("contract_change.notify_request")
def notify_request(params: dict[str, Any], data: dict[str, Any]) -> int:
    """Tell the other side's negotiators of the written request (第32条 via 第41条)."""
    step, change = current_step(), _change(params)
    other = next(s for s in SIDES if s != change.requesting_side)
    contract = get_contract(step.uow.session, change.contract_id)
    return notify(step.uow, Role(ROLE_OF_SIDE[other]), "contract.change_requested",
                  f"对方提出{ACTIONS[change.action]}集体合同：{contract.title}",
                  f"理由：{GROUNDS[change.ground]}。{change.facts}", f"/contracts/{contract.id}",
                  f"contract_change:{change.id}:requested")


@service("contract_change.record_negotiation")
def record_negotiation(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    change, agreed = _change(params), bool(params["agreed"])
    change.agreement_text = params["agreement_text"] if agreed else None
    if not agreed:
        change.outcome = "not_agreed"
    _set(change, "adoption" if agreed else "closed", "contract.change_negotiated", {"agreed": agreed})
    return {"agreed": agreed}


@service("contract_change.open_vote")
def open_vote(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Open the congress vote on the agreement (第36条 via 第41条); a refusal is returned for another try."""
    step, change = current_step(), _change(params)
    contract = get_contract(step.uow.session, change.contract_id)
    matter_id = int(params["matter_id"])
    try:
        with step.uow.session.begin_nested():
            matter = meetings.get_matter(step.uow.session, matter_id)
            if matter.matter_type != MATTER_TYPES[contract.kind]:
                raise DmflowError(f"matter {matter_id} is a '{matter.matter_type}'; a {contract.kind} contract is "
                                  f"changed under '{MATTER_TYPES[contract.kind]}'")
            vote = ballots.open_vote(step.uow, matter_id, rules=rules_of(step.uow), majority=contract.adoption_majority,
                                     analog=bool(params.get("paper_vote")),
                                     actor=Actor(step.actor or f"instance:{step.instance_id}", frozenset()))
    except DmflowError as exc:
        _set(change, "adoption", "contract.change_vote_refused", {"matter_id": matter_id, "reason": exc.message})
        return {"opened": False, "error": exc.message}
    change.vote_id = vote.id
    _set(change, "adoption", "contract.change_vote_opened", {"vote_id": vote.id, "matter_id": matter_id})
    return {"opened": True, "vote_id": vote.id}


@service("contract_change.record_adoption")
def record_adoption(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    step, change = current_step(), _change(params)
    vote = ballots.get_vote(step.uow, int(params["vote_result"]["vote_id"]))
    adopted = vote.outcome == "adopted"
    if not adopted:
        change.outcome = "rejected"
    _set(change, "filing" if adopted else "closed", "contract.change_adoption_result", {
        "vote_id": vote.id, "outcome": vote.outcome, "seal_hash": vote.seal_hash})
    return {"outcome": vote.outcome}


@service("contract_change.record_filing")
def record_filing(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Filed (第42条): the review runs 15 days from receipt (第46–47条), counted by the legal calendar."""
    step, change = current_step(), _change(params)
    change.filed_on, change.receipt_no = dt.date.fromisoformat(params["filed_on"]), params["receipt_no"]
    review = tracked(calendar_of(step.uow), change.filed_on, rules_of(step.uow).review_days,
                     rules_of(step.uow).day_mode)
    change.review_until = review.due
    _set(change, "under_review", "contract.change_filed", {"filed_on": params["filed_on"],
                                                           "receipt_no": change.receipt_no,
                                                           "review_until": review.due.isoformat(),
                                                           "review_until_confirmed": review.confirmed})
    return {"review_until": review.due.isoformat()}


@service("contract_change.conclude")
def conclude(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The review ended without objection: the change is in force, or the contract ended; workers are told."""
    step, change = current_step(), _change(params)
    contract = get_contract(step.uow.session, change.contract_id, lock=True)
    change.effective_on, change.outcome = local_today(step.uow), ("terminated" if change.action == "terminate"
                                                                   else "changed")
    if change.action == "terminate":
        contract.stage, contract.updated_at = "terminated", step.uow.now()
    _set(change, "concluded", f"contract.{change.outcome}", {
        "ground": change.ground, "reason": GROUNDS[change.ground], "effective_on": change.effective_on.isoformat(),
        "agreement_text": change.agreement_text})
    verb = "已解除" if change.action == "terminate" else "已变更"
    reached = notify(step.uow, Role(WORKER_ROLE), f"contract.{change.outcome}",
                     f"{KIND_NAMES[contract.kind]}{verb}：{contract.title}",
                     f"自{change.effective_on}起{verb}。理由：{GROUNDS[change.ground]}。", f"/contracts/{contract.id}",
                     f"contract_change:{change.id}:concluded", channels=(INAPP,))
    return {"outcome": change.outcome, "effective_on": change.effective_on.isoformat(), "notified": reached}


@follows
def follow_review_deadline(uow, move) -> None:
    """A change's review period moved with the legal calendar (its record keeps a copy)."""
    old, new = due_of(move.old), due_of(move.new)
    if old and new:
        for change in uow.session.scalars(select(ContractChange).where(ContractChange.instance_id == move.instance_id,
                                                                       ContractChange.review_until.is_not(None))):
            if change.review_until == dt.datetime.fromisoformat(old):
                change.review_until = dt.datetime.fromisoformat(new)
