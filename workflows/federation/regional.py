"""Regional and industry collective contracts (区域性、行业性集体合同, 劳动合同法 第53–55条).

A federation negotiates one with the employers' side of a region or trade; it is adopted by a regional congress
vote (two thirds present, the contract adoption majority of all representatives, 集体合同规定 第36条), signed,
filed once with the labour bureau (its receipt on or after the filing, which is on or after the signature,
第42条/第47条), and takes effect when 15 days pass after the receipt in silence (第47条; 劳动合同法 第54条). It is in
force for every member enterprise whose region (regional) or industry (industry) matches; a member's own contract
may not fall below its floor clauses (劳动合同法 第55条): ``check_floors`` refuses such a local text with a 422
naming the clause.

The contract's rows belong to the federation; members read them through ``in_force_for`` (unscoped, then filtered
to the member's federations and its region or industry).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import tenancy
from engine.audit import SYSTEM_CHAIN
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.identity import Actor
from engine.models import Organisation
from engine.unit_of_work import UnitOfWork
from workflows import hooks
from workflows import rules as r
from workflows.calendar import add_months, local_today
from workflows.errors import RuleViolation
from workflows.federation.tables import RegionalContract

FEDERATION_OFFICER = "federation_officer"
SCOPES = {"regional": "区域性集体合同", "industry": "行业性集体合同"}
STAGES = ("negotiating", "adopted", "signed", "filed", "effective")
DIRECTIONS = {"min": "不低于", "max": "不高于"}
ARTICLES = {
    "regional_adoption": "劳动合同法第53条；集体合同规定第36条（区域/行业职代会三分之二以上代表出席，"
                         "全体代表半数以上同意）",
    "receipt_after_filing": "集体合同规定第42条、第47条",
    "regional_contract_floor": "劳动合同法第54条、第55条（用人单位与劳动者订立的标准不得低于集体合同规定的标准）",
    "contract_term_years": "集体合同规定第38条",
}


def violation(message: str, rule: str, errors: dict[str, Any] | None = None) -> RuleViolation:
    article = ARTICLES[rule]
    return RuleViolation(f"{message} ({article})", rule, {"article": [article], **(errors or {})})


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def federation_of(session: Session, actor: Actor) -> Organisation:
    """The federation the actor is an officer of. Raises: Forbidden (not an officer of a federation)."""
    org = session.get(Organisation, actor.org_id)
    if not actor.has(FEDERATION_OFFICER) or org is None or org.kind != tenancy.FEDERATION:
        raise Forbidden("only a federation's officers (federation_officer of a federation organisation) may do this")
    return org


def _floors(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out, keys = [], set()
    for f in raw:
        if f["key"] in keys:
            raise ValidationFailed("floor clauses have distinct keys", {"floors": [f"{f['key']} appears twice"]})
        keys.add(f["key"])
        out.append({"key": f["key"], "label": f["label"], "value": float(f["value"]), "unit": f.get("unit") or "",
                    "direction": f.get("direction") or "min"})
    return out


def _get(session: Session, contract_id: int, *, lock: bool = False) -> RegionalContract:
    query = select(RegionalContract).where(RegionalContract.id == contract_id)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(f"regional contract {contract_id} not found")
    return row


def _stage(row: RegionalContract, expected: str, action: str) -> None:
    if row.stage != expected:
        raise Conflict(f"regional contract {row.id} is at stage '{row.stage}': cannot {action} now "
                       f"(possible at: {expected})")


def _audit(uow: UnitOfWork, row: RegionalContract, event: str, payload: dict[str, Any], actor: Actor) -> None:
    row.updated_at = uow.now()
    uow.audit(SYSTEM_CHAIN, f"federation.regional_contract_{event}",
              {"regional_contract_id": row.id, "org_id": row.org_id, **payload}, actor=actor.username)


def create(uow: UnitOfWork, body: dict[str, Any], *, actor: Actor, rules: r.Rules) -> RegionalContract:
    """The federation records the text negotiated with the employers' side of a region or trade.

    Raises: Forbidden (not a federation officer). ValidationFailed (no region for a regional contract, no industry
    for an industry one, duplicate floor keys). RuleViolation ``contract_term_years`` (第38条).
    """
    with uow:
        s = uow.session
        federation_of(s, actor)
        scope = body["scope"]
        if scope == "regional" and not body.get("region"):
            raise ValidationFailed("a regional contract names its region", {"region": ["required"]})
        if scope == "industry" and not body.get("industry"):
            raise ValidationFailed("an industry contract names its industry", {"industry": ["required"]})
        if not r.contract_term_valid(body["term_years"], rules):
            lo, hi = rules.contract_term_years
            raise violation(f"a contract's term is {lo} to {hi} years, not {body['term_years']}",
                            "contract_term_years", {"term_years": [f"{lo}..{hi}"]})
        clauses = [{"number": i, "title": c.get("title") or "", "text": c["text"]}
                   for i, c in enumerate(body["clauses"], start=1)]
        now = uow.now()
        row = RegionalContract(
            scope=scope, title=body["title"], region=body.get("region"), industry=body.get("industry"),
            employer_side=body["employer_side"], clauses_json=_dumps(clauses),
            floors_json=_dumps(_floors(body.get("floors") or [])), term_years=body["term_years"], stage="negotiating",
            created_at=now, created_by=actor.username, updated_at=now)
        s.add(row)
        s.flush()
        _audit(uow, row, "recorded", {"scope": scope, "region": row.region, "industry": row.industry,
                                      "floors": json.loads(row.floors_json)}, actor)
        uow.commit()
        return row


def adopt(uow: UnitOfWork, contract_id: int, body: dict[str, Any], *, actor: Actor,
          rules: r.Rules) -> RegionalContract:
    """The federation records the regional (or industry) congress's vote on the text.

    Raises: RuleViolation ``regional_adoption``: fewer than two thirds of the representatives present, or fewer in
    favour than the contract adoption majority of all representatives (集体合同规定 第36条); the contract stays in
    negotiation. Conflict: not negotiating.
    """
    seated, present, in_favour = body["representatives_total"], body["present"], body["in_favour"]
    with uow:
        s = uow.session
        federation_of(s, actor)
        if not in_favour + body.get("against", 0) + body.get("abstained", 0) <= present <= seated:
            raise ValidationFailed("votes cast <= present <= representatives",
                                   {"present": [f"{present} of {seated}"]})
        row = _get(s, contract_id, lock=True)
        _stage(row, "negotiating", "record its adoption")
        if not r.quorum_met(present, seated, rules):
            raise violation(f"{present} of {seated} representatives present: at least "
                            f"{r.quorum_required(seated, rules)} must attend", "regional_adoption",
                            {"present": [f"at least {r.quorum_required(seated, rules)}"]})
        majority = dataclasses.replace(rules, adoption_rule=rules.contract_adoption_rule)
        if not r.adopted(in_favour, seated, majority):
            raise violation(f"{in_favour} of {seated} representatives in favour: the text needs "
                            f"{r.votes_required(seated, majority)}", "regional_adoption",
                            {"in_favour": [f"at least {r.votes_required(seated, majority)}"]})
        row.adoption_json = _dumps({k: body.get(k) for k in (
            "body", "held_on", "representatives_total", "present", "in_favour", "against", "abstained")})
        row.stage = "adopted"
        _audit(uow, row, "adopted", json.loads(row.adoption_json), actor)
        uow.commit()
        return row


def sign(uow: UnitOfWork, contract_id: int, body: dict[str, Any], *, actor: Actor) -> RegionalContract:
    """Both sides signed the adopted text (第37条). Raises: Conflict (not adopted), ValidationFailed (future)."""
    with uow:
        row = _get(uow.session, contract_id, lock=True)
        federation_of(uow.session, actor)
        _stage(row, "adopted", "record its signature")
        _not_future(uow, body["signed_on"], "signed_on")
        row.signed_on, row.stage = body["signed_on"], "signed"
        _audit(uow, row, "signed", {"signed_on": row.signed_on}, actor)
        uow.commit()
        return row


def file(uow: UnitOfWork, contract_id: int, body: dict[str, Any], *, actor: Actor) -> RegionalContract:
    """The federation files the signed text once with the labour bureau (第42条); not before the signature."""
    with uow:
        row = _get(uow.session, contract_id, lock=True)
        federation_of(uow.session, actor)
        _stage(row, "signed", "file it")
        _not_future(uow, body["filed_on"], "filed_on")
        if body["filed_on"] < row.signed_on:
            raise violation(f"the text cannot be filed on {body['filed_on']}, before it was signed on {row.signed_on}",
                            "receipt_after_filing", {"filed_on": [f"on or after {row.signed_on}"]})
        row.filed_on, row.stage = body["filed_on"], "filed"
        _audit(uow, row, "filed", {"filed_on": row.filed_on}, actor)
        uow.commit()
        return row


def register_receipt(uow: UnitOfWork, contract_id: int, body: dict[str, Any], *, actor: Actor,
                     rules: r.Rules) -> RegionalContract:
    """The bureau's receipt date (on or after the filing, 第42/47条); the contract takes effect 15 days later unless
    the bureau objects (第47条; 劳动合同法 第54条), and runs for its term."""
    with uow:
        row = _get(uow.session, contract_id, lock=True)
        federation_of(uow.session, actor)
        _stage(row, "filed", "register the bureau's receipt")
        received = body["received_on"]
        _not_future(uow, received, "received_on")
        if received < row.filed_on:
            raise violation(f"the labour administration cannot receive the text on {received}, before it was filed "
                            f"on {row.filed_on}", "receipt_after_filing",
                            {"received_on": [f"on or after {row.filed_on}"]})
        row.received_on, row.receipt_no, row.stage = received, body.get("receipt_no"), "effective"
        row.effective_on = received + dt.timedelta(days=rules.review_days)
        row.expires_on = add_months(row.effective_on, 12 * row.term_years) - dt.timedelta(days=1)
        _audit(uow, row, "received", {"received_on": received, "receipt_no": row.receipt_no,
                                      "effective_on": row.effective_on, "expires_on": row.expires_on}, actor)
        uow.commit()
        return row


def _not_future(uow: UnitOfWork, day: dt.date, field: str) -> None:
    today = local_today(uow)
    if day > today:
        raise ValidationFailed(f"{field} cannot be in the future", {field: [f"on or before {today}"]})


def view(row: RegionalContract, today: dt.date | None = None) -> dict[str, Any]:
    out = {c.key: getattr(row, c.key) for c in row.__table__.columns if not c.key.endswith("_json")}
    out.update(scope_name=SCOPES[row.scope], clauses=json.loads(row.clauses_json), floors=json.loads(row.floors_json),
               adoption=json.loads(row.adoption_json) if row.adoption_json else None,
               in_force=bool(today and in_force(row, today)))
    return out


def in_force(row: RegionalContract, today: dt.date) -> bool:
    return (row.stage == "effective" and row.effective_on is not None and row.effective_on <= today
            and (row.expires_on is None or today <= row.expires_on))


def applies_to(row: RegionalContract, org: Organisation) -> bool:
    """Whether the contract binds this member enterprise (its region, or its industry, matches)."""
    if row.scope == "regional":
        return bool(org.region) and org.region == row.region and (not row.industry or row.industry == org.industry)
    return bool(org.industry) and org.industry == row.industry and (not row.region or row.region == org.region)


def binding(session: Session, org: Organisation, today: dt.date) -> list[RegionalContract]:
    """The regional and industry contracts of the organisation's federations in force for it today."""
    federations = [f.id for f in tenancy.ancestors(session, org.id)]
    if not federations:
        return []
    with tenancy.unscoped():
        rows = list(session.scalars(select(RegionalContract).where(
            RegionalContract.org_id.in_(federations), RegionalContract.stage == "effective")
            .order_by(RegionalContract.id)))
    return [row for row in rows if in_force(row, today) and applies_to(row, org)]


def listing(uow: UnitOfWork, actor: Actor) -> list[dict[str, Any]]:
    """A federation officer: the federation's own contracts. Anyone else: those in force for their enterprise."""
    with uow:
        s = uow.session
        today = local_today(uow)
        org = s.get(Organisation, actor.org_id)
        if org is not None and org.kind == tenancy.FEDERATION:
            rows = s.scalars(select(RegionalContract).where(RegionalContract.org_id == org.id)
                             .order_by(RegionalContract.id))
            return [view(row, today) for row in rows]
        return [view(row, today) for row in binding(s, org, today)] if org is not None else []


def read(uow: UnitOfWork, contract_id: int, actor: Actor) -> dict[str, Any]:
    """One contract, for its federation or a member it binds (404 otherwise)."""
    found = [c for c in listing(uow, actor) if c["id"] == contract_id]
    if not found:
        raise NotFound(f"regional contract {contract_id} not found")
    return found[0]


def floor_violations(clauses: list[dict[str, Any]], contracts: list[RegionalContract]) -> list[str]:
    """Each clause of a local text that falls below a floor of a binding regional or industry contract."""
    found = []
    for row in contracts:
        floors = {f["key"]: f for f in json.loads(row.floors_json)}
        for clause in clauses:
            floor = floors.get(clause.get("key"))
            if floor is None or clause.get("value") is None:
                continue
            value = float(clause["value"])
            below = value < floor["value"] if floor["direction"] == "min" else value > floor["value"]
            if below:
                found.append(f"第{clause['number']}条「{clause.get('title') or floor['label']}」{_num(value)}"
                             f"{floor['unit']}：《{row.title}》规定{floor['label']}{DIRECTIONS[floor['direction']]}"
                             f"{_num(floor['value'])}{floor['unit']}")
    return found


def _num(value: float) -> str:
    return f"{value:g}"


@hooks.contract_text_check
def check_floors(session: Session, org_id: int, clauses: list[dict[str, Any]], today: dt.date) -> None:
    """Refuse a local contract text that falls below a regional or industry contract binding the enterprise.

    Raises: RuleViolation ``regional_contract_floor`` (422) naming every clause below a floor.
    """
    org = session.get(Organisation, org_id)
    if org is None:
        return
    found = floor_violations(clauses, binding(session, org, today))
    if found:
        raise violation("本单位集体合同的标准不得低于区域性、行业性集体合同：" + "；".join(found),
                        "regional_contract_floor", {"clauses": found})
