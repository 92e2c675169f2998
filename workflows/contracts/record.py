"""Collective contract negotiation (集体合同规定): the contract record, its stage, the request, signature, renewal.

The BPMN process ``collective_contract`` models the stages; this module and its siblings keep the records
(``contract_negotiators``: representatives, vacancies, preparation; ``contract_drafts``: texts, meetings,
agreement; ``contract_filing``: filing package, review, effect, publication). A domain change that ends a
stage tells the waiting diagram with a ``contract.<event>`` message correlated by ``contract_id``, in the
same transaction (``notify``); a change the diagram is not waiting for is refused and rolls back.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import instance_chain
from engine.deployments import find_version
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.identity import Actor
from engine.messages import route_message
from engine.models import Instance
from engine.runtime import create_instance
from engine.unit_of_work import UnitOfWork
from workflows import rules as r
from workflows.contracts.tables import Contract, Negotiator, SignOff
from workflows.errors import RuleViolation

PROCESS_ID = "collective_contract"
KINDS = ("comprehensive", "wage", "women")
KIND_NAMES = {"comprehensive": "集体合同", "wage": "工资专项集体合同", "women": "女职工权益保护专项集体合同"}
# The congress matter type (bpmn/congress/matter_mode.dmn) under which each kind's draft is adopted.
MATTER_TYPES = {"comprehensive": "collective_contract", "wage": "wage_agreement",
                "women": "special_collective_contract"}
SIDES = ("union", "employer")
SIDE_NAMES = {"union": "工会（职工）方", "employer": "用人单位方"}
UNION_NEGOTIATOR, EMPLOYER_NEGOTIATOR = "union_negotiator", "employer_negotiator"
RECORDER, PRESIDIUM, LIAISON = "recorder", "presidium", "liaison"
ROLE_OF_SIDE = {"union": UNION_NEGOTIATOR, "employer": EMPLOYER_NEGOTIATOR}
NEGOTIATORS = (UNION_NEGOTIATOR, EMPLOYER_NEGOTIATOR)
MAX_ROUNDS = 12  # negotiation rounds per instance (suspensions, disputes, rejections, objections)

# Stages, in procedure order. Pre-adoption stages matter for 第36–37条 (no signature before adoption).
STAGES = ("requested", "escalated", "representatives", "preparation", "negotiating", "suspended", "dispute",
          "agreed", "adoption", "signing", "signed", "under_review", "effective", "published", "renewal_window",
          "renewed", "expired", "closed", "abandoned")
BEFORE_ADOPTION = frozenset(STAGES[:STAGES.index("adoption") + 1])
BEFORE_SIGNATURE = BEFORE_ADOPTION | {"signing"}

ARTICLES = {
    "written_request": "集体合同规定第32条",
    "negotiators_min_per_side": "集体合同规定第19条",
    "negotiators_equal": "集体合同规定第19条",
    "one_chief_per_side": "集体合同规定第19条",
    "worker_chief": "集体合同规定第20条",
    "employer_chief": "集体合同规定第21条",
    "outside_experts_max_share": "集体合同规定第23条",
    "outside_expert_not_chief": "集体合同规定第23条",
    "no_dual_roles": "集体合同规定第24条",
    "women_negotiator": "女职工专项集体合同：工会女职工委员会代表参加协商（地方规定，rules.md §1.3）",
    "vacancy_filled": "集体合同规定第31条",
    "recorder_neutral": "集体合同规定第33条",
    "wage_info_before_meeting_days": "集体合同规定第33条；工资集体协商试行办法（协商前5日提供资料）",
    "chairs_alternate": "集体合同规定第34条",
    "minutes_signed": "集体合同规定第34条",
    "suspension_agreed": "集体合同规定第35条",
    "adoption_before_signature": "集体合同规定第36条、第37条",
    "signature_before_filing": "集体合同规定第42条",
    "filing_by_employer": "集体合同规定第42条",
    "filing_package_complete": "集体合同规定第42条；集体合同备案办法（地方，rules.md §1.1 备案材料）",
    "contract_term_years": "集体合同规定第38条",
    "renewal_window": "集体合同规定第38条",
    "dispute_extension_days": "集体合同规定第52条",
}


def violation(message: str, rule: str, errors: dict[str, Any] | None = None) -> RuleViolation:
    """A 422 naming the rule and its article (in the message and in ``errors["article"]``)."""
    article = ARTICLES[rule]
    return RuleViolation(f"{message} ({article})", rule, {"article": [article], **(errors or {})})


def loads(value: str | None, default: Any = None) -> Any:
    return default if value is None else json.loads(value)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def get_contract(session: Session, contract_id: int, *, lock: bool = False) -> Contract:
    """The contract; with ``lock``, its instance row and then its own row are locked for this transaction.

    Locks are always taken instance first: an engine step (a timer, a task) holds the instance and then
    writes the contract through a handler, so taking them in the other order could deadlock.

    Raises: NotFound.
    """
    query = select(Contract).where(Contract.id == contract_id).execution_options(populate_existing=True)
    contract = session.scalar(query)
    if contract is None:
        raise NotFound(f"contract {contract_id} does not exist")
    if lock:
        if contract.instance_id is not None:
            session.execute(select(Instance.id).where(Instance.id == contract.instance_id).with_for_update())
        contract = session.scalar(query.with_for_update())
    return contract


def require_stage(contract: Contract, stages: tuple[str, ...] | frozenset[str], action: str) -> None:
    """Raises: Conflict when the contract is not in one of ``stages``."""
    if contract.stage not in stages:
        raise Conflict(f"contract {contract.id} is at stage '{contract.stage}': cannot {action} now "
                       f"(possible at: {', '.join(s for s in STAGES if s in stages)})")


def set_stage(uow: UnitOfWork, contract: Contract, stage: str) -> None:
    contract.stage, contract.updated_at = stage, uow.now()


def record(uow: UnitOfWork, contract: Contract, event: str, payload: dict[str, Any], actor: str | None) -> None:
    """Append a domain event to the contract's instance chain (its history shows records and steps together)."""
    uow.audit(instance_chain(contract.instance_id), event, {"contract_id": contract.id, **payload}, actor=actor,
              instance_id=contract.instance_id)


def notify(uow: UnitOfWork, contract: Contract, message: str, data: dict[str, Any], actor: str, *,
           required: bool = True) -> list[str]:
    """Deliver ``contract.<event>`` to the contract's waiting instance in this transaction.

    Raises:
        Conflict: ``required`` and the diagram does not wait for the message (the caller's change rolls back).
    """
    delivered = route_message(uow, message, {"contract_id": contract.id}, data, actor=actor)
    if required and not delivered:
        raise Conflict(f"the procedure of contract {contract.id} does not wait for '{message}' now "
                       f"(stage '{contract.stage}')")
    return delivered


def local_tz(contract: Contract) -> ZoneInfo:
    return ZoneInfo(contract.timezone)


def today(uow: UnitOfWork, contract: Contract) -> dt.date:
    return uow.now().astimezone(local_tz(contract)).date()


def side_of(actor: Actor, side: str | None = None) -> str:
    """The side the caller acts for: ``side`` if given (and held), else the one negotiator role they hold.

    Raises:
        Forbidden: the caller holds no negotiator role for the side, or both without saying which.
    """
    held = [s for s in SIDES if actor.has(ROLE_OF_SIDE[s])]
    if side is not None:
        if side not in held:
            raise Forbidden(f"acting for the {side} side needs the role '{ROLE_OF_SIDE[side]}'")
        return side
    if len(held) != 1:
        raise Forbidden("say which side you act for: you hold " + ("both negotiator roles" if held else
                                                                  "no negotiator role"))
    return held[0]


def active_negotiators(session: Session, contract_id: int, side: str | None = None) -> list[Negotiator]:
    query = select(Negotiator).where(Negotiator.contract_id == contract_id, Negotiator.ended_on.is_(None))
    if side is not None:
        query = query.where(Negotiator.side == side)
    return list(session.scalars(query.order_by(Negotiator.side.desc(), Negotiator.is_chief.desc(), Negotiator.id)))


def chief_side(session: Session, contract: Contract, actor: Actor) -> str:
    """The side whose sitting chief representative the caller is.

    Raises:
        Forbidden: the caller is not a sitting chief representative of this contract.
    """
    for chief in (n for n in active_negotiators(session, contract.id) if n.is_chief):
        if chief.username and chief.username == actor.username and actor.has(ROLE_OF_SIDE[chief.side]):
            return chief.side
    raise Forbidden(f"only the chief representatives (首席代表) of contract {contract.id} may do this; "
                    f"'{actor.username}' is not one")


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
            request_json=dumps({k: body.get(k) for k in ("topics", "proposed_time", "proposed_place", "text")}),
            adoption_majority=majority, timezone=timezone, previous_contract_id=previous.id if previous else None,
            deadlines_json="{}", objection_pending=False, failed_vote_attempts=0, created_at=now,
            created_by=actor.username, updated_at=now)
        uow.session.add(contract)
        uow.session.flush()
        data = {"contract_id": contract.id, "kind": contract.kind, "requesting_side": side,
                "received_at": received.isoformat(), "max_rounds": MAX_ROUNDS}
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
    from workflows.contracts.tables import Dispute

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


def get_contract_record(uow: UnitOfWork, contract_id: int) -> Contract:
    """Raises: NotFound."""
    with uow:
        return get_contract(uow.session, contract_id)


def list_contracts(uow: UnitOfWork, *, kind: str | None = None, stage: str | None = None) -> list[Contract]:
    with uow:
        query = select(Contract).order_by(Contract.id.desc())
        if kind:
            query = query.where(Contract.kind == kind)
        if stage:
            query = query.where(Contract.stage == stage)
        return list(uow.session.scalars(query))


def columns(row) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}


def summary(contract: Contract) -> dict[str, Any]:
    """The contract without its stored documents, JSON columns parsed."""
    out = {k: v for k, v in columns(contract).items() if not k.endswith("_json") and k != "notice_html"}
    out.update(kind_name=KIND_NAMES[contract.kind], request=loads(contract.request_json, {}),
               deadlines=loads(contract.deadlines_json, {}), reply=loads(contract.reply_json),
               escalation=loads(contract.escalation_json), preparation=loads(contract.preparation_json),
               adoption=loads(contract.adoption_json), publication=loads(contract.publication_json))
    return out


def detail(uow: UnitOfWork, contract_id: int) -> dict[str, Any]:
    """The contract with its negotiators, vacancies, meetings, drafts, sign-offs, disputes, filings, objections.

    Raises: NotFound.
    """
    from workflows.contracts.tables import Dispute, Draft, Filing, NegotiationMeeting, Objection, Vacancy

    with uow:
        s = uow.session
        contract = get_contract(s, contract_id)

        def rows(table, order):
            return [columns(x) for x in s.scalars(select(table).where(table.contract_id == contract_id)
                                                   .order_by(order))]

        filings = [{k: v for k, v in f.items() if k not in ("package_json", "package_html")}
                   for f in rows(Filing, Filing.number)]
        drafts = [{"version": d["version"], "note": d["note"], "sha256": d["sha256"], "created_by": d["created_by"],
                   "created_at": d["created_at"], "clauses": len(loads(d["clauses_json"]))}
                  for d in rows(Draft, Draft.version)]
        objections = [{**{k: v for k, v in o.items() if k != "clauses_json"}, "clauses": loads(o["clauses_json"])}
                      for o in rows(Objection, Objection.id)]
        disputes = [{**{k: v for k, v in d.items() if k != "coordinators_json"},
                     "coordinators": loads(d["coordinators_json"], [])} for d in rows(Dispute, Dispute.id)]
        return {**summary(contract), "negotiators": rows(Negotiator, Negotiator.id),
                "vacancies": rows(Vacancy, Vacancy.id), "meetings": rows(NegotiationMeeting, NegotiationMeeting.number),
                "drafts": drafts, "sign_offs": rows(SignOff, SignOff.id), "disputes": disputes, "filings": filings,
                "objections": objections}
