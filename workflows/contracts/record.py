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
from engine.errors import Conflict, Forbidden, NotFound
from engine.identity import Actor
from engine.messages import route_message
from engine.models import Instance
from engine.unit_of_work import UnitOfWork
from workflows.contracts.tables import (
    Contract,
    Dispute,
    Draft,
    Filing,
    NegotiationMeeting,
    Negotiator,
    Objection,
    SignOff,
    Vacancy,
)
from workflows.errors import RuleViolation

PROCESS_ID = "collective_contract"
KINDS = ("comprehensive", "wage", "women", "safety")
# 劳动合同法 第52条: special contracts on labour safety and health (劳动安全卫生), wages, women's rights.
KIND_NAMES = {"comprehensive": "集体合同", "wage": "工资专项集体合同", "women": "女职工权益保护专项集体合同",
              "safety": "劳动安全卫生专项集体合同"}
# The congress matter type (bpmn/congress/matter_mode.dmn) under which each kind's draft is adopted.
MATTER_TYPES = {"comprehensive": "collective_contract", "wage": "wage_agreement",
                "women": "special_collective_contract", "safety": "special_collective_contract"}
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
# Who takes the next step at each stage (the contract's ``next_by``; the hub page says it in words).
NEXT_BY = {
    "requested": "other_side", "escalated": "liaison", "representatives": "both_sides",
    "preparation": "both_sides", "negotiating": "recorder_chiefs", "suspended": "both_sides",
    "dispute": "liaison", "agreed": "presidium", "adoption": "representatives", "signing": "chiefs",
    "signed": "employer", "filed": "liaison", "under_review": "liaison", "effective": "union",
    "published": "both_sides", "renewal_window": "both_sides",
}
BEFORE_ADOPTION = frozenset(STAGES[:STAGES.index("adoption") + 1])
BEFORE_SIGNATURE = BEFORE_ADOPTION | {"signing"}

ARTICLES = {
    "written_request": "集体合同规定第32条",
    "negotiators_min_per_side": "集体合同规定第19条",
    "negotiators_equal": "集体合同规定第19条",
    "one_chief_per_side": "集体合同规定第19条",
    "worker_chief": "集体合同规定第20条",
    "worker_side_endorsement": "集体合同规定第20条（未建立工会的，职工民主推荐并经半数以上职工同意）",
    "employer_chief": "集体合同规定第21条",
    "outside_experts_max_share": "集体合同规定第23条",
    "outside_expert_not_chief": "集体合同规定第23条",
    "no_dual_roles": "集体合同规定第24条",
    "women_negotiator": "女职工权益保护专项集体合同：职工方协商代表中应有女职工委员会代表（地方规定）",
    "vacancy_filled": "集体合同规定第31条",
    "recorder_neutral": "集体合同规定第33条",
    "wage_info_before_meeting_days": "集体合同规定第33条；工资集体协商试行办法（协商前5日提供资料）",
    "chairs_alternate": "集体合同规定第34条",
    "minutes_signed": "集体合同规定第34条",
    "suspension_agreed": "集体合同规定第35条",
    "adoption_before_signature": "集体合同规定第36条、第37条",
    "signature_before_filing": "集体合同规定第42条",
    "filing_by_employer": "集体合同规定第42条",
    "filing_package_complete": "集体合同规定第42条；集体合同备案办法（地方规定：备案材料）",
    "receipt_after_filing": "集体合同规定第42条、第47条",
    "publication_after_effect": "集体合同规定第48条",
    "meeting_after_agreed_first_day": "集体合同规定第33条",
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


def _iso(value: Any) -> Any:
    """Dates and times as ISO 8601 (aware times with their offset); anything else as its string."""
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_iso)


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
    out.update(kind_name=KIND_NAMES[contract.kind], next_by=NEXT_BY.get(contract.stage),
               request=loads(contract.request_json, {}),
               deadlines=loads(contract.deadlines_json, {}), reply=loads(contract.reply_json),
               escalation=loads(contract.escalation_json), preparation=loads(contract.preparation_json),
               adoption=_adoption(contract), publication=loads(contract.publication_json))
    return out


def _adoption(contract: Contract) -> dict[str, Any] | None:
    """The congress resolution; a closing time stored by an earlier version ("2026-03-09 09:00:00+00:00") is
    given as ISO 8601 like every other time."""
    adoption = loads(contract.adoption_json)
    if adoption and isinstance(adoption.get("closed_at"), str) and " " in adoption["closed_at"]:
        adoption["closed_at"] = dt.datetime.fromisoformat(adoption["closed_at"]).isoformat()
    return adoption


def detail(uow: UnitOfWork, contract_id: int) -> dict[str, Any]:
    """The contract with its negotiators, vacancies, meetings, drafts, sign-offs, disputes, filings, objections.

    Raises: NotFound.
    """

    with uow:
        s = uow.session
        contract = get_contract(s, contract_id)

        def rows(table, order, *, iso: bool = False):  # iso: for lists the schema passes through as plain dicts
            return [{k: _iso(v) if iso and isinstance(v, (dt.date, dt.datetime)) else v for k, v in columns(x).items()}
                    for x in s.scalars(select(table).where(table.contract_id == contract_id).order_by(order))]

        filings = [{k: v for k, v in f.items() if k not in ("package_json", "package_html")}
                   for f in rows(Filing, Filing.number)]
        drafts = [{"version": d["version"], "note": d["note"], "sha256": d["sha256"], "created_by": d["created_by"],
                   "created_at": d["created_at"], "clauses": len(loads(d["clauses_json"]))}
                  for d in rows(Draft, Draft.version, iso=True)]
        objections = [{**{k: v for k, v in o.items() if k != "clauses_json"}, "clauses": loads(o["clauses_json"])}
                      for o in rows(Objection, Objection.id, iso=True)]
        disputes = [{**{k: v for k, v in d.items() if k != "coordinators_json"},
                     "coordinators": loads(d["coordinators_json"], [])} for d in rows(Dispute, Dispute.id, iso=True)]
        return {**summary(contract), "negotiators": rows(Negotiator, Negotiator.id),
                "vacancies": rows(Vacancy, Vacancy.id), "meetings": rows(NegotiationMeeting, NegotiationMeeting.number),
                "drafts": drafts, "sign_offs": rows(SignOff, SignOff.id, iso=True), "disputes": disputes,
                "filings": filings, "objections": objections}
