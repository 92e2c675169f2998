"""Starting and concluding a negotiation: the request (第32条), signing, coordination by the labour bureau, renewal."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.deployments import find_version
from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.identity import Actor
from engine.messages import route_message
from engine.runtime import create_instance
from engine.unit_of_work import UnitOfWork
from workflows import rules as r
from workflows.contracts.record import (
    BEFORE_ADOPTION,
    KIND_NAMES,
    LIAISON,
    MAX_ROUNDS,
    PROCESS_ID,
    SIDES,
    chief_side,
    dumps,
    get_contract,
    loads,
    notify,
    record,
    require_stage,
    set_stage,
    side_of,
    violation,
)
from workflows.contracts.tables import Contract, Dispute, SignOff


def request_negotiation(uow: UnitOfWork, body: dict[str, Any], *, actor: Actor, rules: r.Rules, timezone: str,
                        adoption_majority: str = r.Majority.AT_LEAST_HALF.value,
                        previous: Contract | None = None) -> Contract:
    """Record a written request to negotiate (第32条) and start its ``collective_contract`` instance.

    Args:
        body: kind, title, enterprise, union_name, side (requesting), topics, proposed_time, proposed_place,
            text, term_years, optional received_at (when the other side received it; default now) and
            adoption_majority (半数以上 by default, 第36条; ``more_than_half`` for the stricter 过半数).

    Raises:
        Forbidden: the caller does not act for the requesting side. NotFound: the diagram is not deployed.
        RuleViolation ``contract_term_years`` (第38条), ``written_request`` (第32条: topics and a written text).
    """
    side = side_of(actor, body.get("side"))
    if not r.contract_term_valid(body["term_years"], rules):
        lo, hi = rules.contract_term_years
        raise violation(f"a contract's term is {lo} to {hi} years, not {body['term_years']}", "contract_term_years",
                        {"term_years": [f"between {lo} and {hi}"]})
    if not body.get("topics") or not str(body.get("text", "")).strip():
        raise violation("a request to negotiate is made in writing and names its topics", "written_request",
                        {"topics": ["at least one topic"], "text": ["the written request"]})
    majority = r.Majority(body.get("adoption_majority") or adoption_majority).value
    with uow:
        now = uow.now()
        received = body.get("received_at") or now
        if received > now:
            raise ValidationFailed("the request cannot be received in the future", {"received_at": [str(received)]})
        pv = find_version(uow.session, PROCESS_ID)
        contract = Contract(
            kind=body["kind"], title=body["title"], enterprise=body["enterprise"], union_name=body["union_name"],
            stage="requested", requesting_side=side, received_at=received, term_years=body["term_years"],
            request_json=dumps({k: body.get(k) for k in ("topics", "proposed_time", "proposed_place", "text")}
                               | {"no_union": bool(body.get("no_union"))}),
            adoption_majority=majority, timezone=timezone, previous_contract_id=previous.id if previous else None,
            deadlines_json="{}", objection_pending=False, failed_vote_attempts=0, created_at=now,
            created_by=actor.username, updated_at=now)
        uow.session.add(contract)
        uow.session.flush()
        data = {"contract_id": contract.id, "kind": contract.kind, "requesting_side": side,
                "received_at": received.isoformat(), "max_rounds": MAX_ROUNDS,
                "case_title": f"{KIND_NAMES[contract.kind]} {contract.title}"}  # what each task row shows
        contract.instance_id = create_instance(uow, pv, actor=actor.username, data=data,
                                               business_key=f"contract:{contract.id}")
        record(uow, contract, "contract.requested", {
            "kind": contract.kind, "title": contract.title, "side": side, "received_at": received,
            "term_years": contract.term_years, "adoption_majority": majority,
            "previous_contract_id": contract.previous_contract_id, **loads(contract.request_json)},
            actor.username)
        uow.commit()
    return contract


def sign(uow: UnitOfWork, contract_id: int, *, actor: Actor) -> dict[str, Any]:
    """A chief representative signs the adopted (or, after an objection, renegotiated) text (第37条).

    When both chiefs have signed, ``contract.signed`` moves the diagram on to filing.

    Raises:
        RuleViolation ``adoption_before_signature``: the congress has not adopted the draft (第36–37条).
        Forbidden: not a chief. Conflict: already signed, or not at the signing stage.
    """
    with uow:
        s = uow.session
        contract = get_contract(s, contract_id, lock=True)
        if contract.stage in BEFORE_ADOPTION:
            raise violation("the chief representatives sign only the draft adopted by the workers' congress; "
                            f"this contract is at stage '{contract.stage}'", "adoption_before_signature",
                            {"stage": [contract.stage]})
        require_stage(contract, ("signing",), "sign")
        side = chief_side(s, contract, actor)
        version = contract.agreed_version
        if s.scalar(select(SignOff).where(SignOff.contract_id == contract.id, SignOff.kind == "signature",
                                          SignOff.draft_version == version, SignOff.side == side)):
            raise Conflict(f"the {side} chief has already signed version {version}")
        now = uow.now()
        s.add(SignOff(contract_id=contract.id, kind="signature", draft_version=version, side=side,
                      signed_by=actor.username, signed_at=now))
        s.flush()
        record(uow, contract, "contract.signature", {"side": side, "draft_version": version}, actor.username)
        sides = set(s.scalars(select(SignOff.side).where(
            SignOff.contract_id == contract.id, SignOff.kind == "signature", SignOff.draft_version == version)))
        if sides == set(SIDES):
            contract.signed_at, contract.signed_version = now, version
            set_stage(uow, contract, "signed")
            notify(uow, contract, "contract.signed", {"signed_at": now.isoformat(), "draft_version": version},
                   actor.username)
        uow.commit()
        return {"contract_id": contract.id, "side": side, "draft_version": version, "signed_at": now,
                "complete": sides == set(SIDES)}


def apply_for_coordination(uow: UnitOfWork, contract_id: int, matters: str, *, actor: Actor) -> Any:
    """A side applies in writing to the labour administration to coordinate a dispute (第49–50条).

    Raises:
        Forbidden: not a negotiator. Conflict: not negotiating.
    """
    side = side_of(actor)
    with uow:
        contract = get_contract(uow.session, contract_id, lock=True)
        require_stage(contract, ("negotiating",), "apply for coordination")
        dispute = Dispute(contract_id=contract.id, applied_by_side=side, applied_by=actor.username,
                          applied_at=uow.now(), matters=matters)
        uow.session.add(dispute)
        uow.session.flush()
        set_stage(uow, contract, "dispute")
        record(uow, contract, "contract.dispute_filed", {"dispute_id": dispute.id, "side": side,
                                                         "matters": matters}, actor.username)
        notify(uow, contract, "contract.dispute_filed", {"dispute_id": dispute.id}, actor.username)
        uow.commit()
    return dispute


def request_renewal(uow: UnitOfWork, contract_id: int, body: dict[str, Any], *, actor: Actor, rules: r.Rules
                    ) -> Contract:
    """Either side asks to renew within the last months before expiry (第38条): a new, linked negotiation.

    Raises:
        RuleViolation ``renewal_window``: the contract is not in its renewal window.
    """
    with uow:
        old = get_contract(uow.session, contract_id, lock=True)
        if old.stage != "renewal_window":
            raise violation("a renewal may be requested only in the window before expiry (three months; 60 days "
                            f"for a wage agreement); contract {old.id} is at stage '{old.stage}'", "renewal_window",
                            {"stage": [old.stage]})
        new = request_negotiation(uow, {
            "kind": old.kind, "title": body.get("title") or old.title, "enterprise": old.enterprise,
            "union_name": old.union_name, "side": body.get("side"), "topics": body["topics"],
            "text": body["text"], "proposed_time": body.get("proposed_time"),
            "proposed_place": body.get("proposed_place"), "term_years": body.get("term_years") or old.term_years,
        }, actor=actor, rules=rules, timezone=old.timezone, adoption_majority=old.adoption_majority, previous=old)
        set_stage(uow, old, "renewed")
        record(uow, old, "contract.renewal_requested", {"new_contract_id": new.id}, actor.username)
        notify(uow, old, "contract.renewal_started", {"new_contract_id": new.id}, actor.username)
        uow.commit()
    return new


def deliver_objection(uow: UnitOfWork, contract_id: int, objection: dict[str, Any], *, actor: Actor) -> None:
    """The liaison enters the labour bureau's review opinion (《审查意见书》, 第45条) received during the review:
    the objected clauses go back to negotiation and the contract is filed again (第46条).

    Raises:
        Forbidden: not the liaison. Conflict: the contract is not under review.
    """
    if not actor.has(LIAISON):
        raise Forbidden("only the liaison (联络员) enters the labour bureau's review opinion")
    with uow:
        contract = get_contract(uow.session, contract_id)
        require_stage(contract, ("under_review",), "enter a review opinion")
        if not route_message(uow, "contract.objection_received", {"contract_id": contract.id}, objection,
                             actor=actor.username):
            raise Conflict(f"contract {contract.id} does not wait for a review opinion")
        uow.commit()
