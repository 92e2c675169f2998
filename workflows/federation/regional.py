"""Regional and industry collective contracts (区域性、行业性集体合同, 劳动合同法 第53–55条), run as the
``regional_contract`` procedure (``bpmn/federation/``; its steps in ``workflows.federation.handlers``).

A federation negotiates one with the employers' side of a region or trade (sessions recorded, the draft and its
floor clauses revised as they go); it is adopted either by a regional (industry) congress vote (two thirds present,
the contract adoption majority of all representatives, 集体合同规定 第36条) or by the members' own congresses (each
bound member's presidium records its congress's vote in its own organisation, process
``regional_contract_member_vote``; the rule ``regional_members_adoption_share`` decides, every member by default, and
a rejection sends the draft back to negotiation); it is signed, filed once with the labour bureau, whose liaison
registers the receipt (on or after the filing, which is on or after the signature, 第42条/第47条) or an objection
(第45条: back to negotiation), and a timer makes it effective when 15 days pass after the receipt, counted by the
legal calendar (第47条; 劳动合同法 第54条). It is then in force for every member enterprise whose region (regional)
or industry (industry) matches, whose workers are told; a member's own contract may not fall below its floor clauses
(劳动合同法 第55条): ``check_floors`` refuses such a local text with a 422 naming the clause.

The contract's rows belong to the federation; members read them through ``binding`` (unscoped, then filtered to the
member's federations and its region or industry).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import queries, runtime, tenancy
from engine.deployments import find_version
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.identity import Actor
from engine.models import HumanTask, Organisation
from engine.unit_of_work import UnitOfWork
from workflows import hooks
from workflows import rules as r
from workflows.calendar import local_today
from workflows.errors import RuleViolation
from workflows.federation.tables import RegionalContract, RegionalMemberVote

FEDERATION_OFFICER = "federation_officer"
LIAISON = "liaison"
PRESIDIUM = "presidium"
PROCESS_ID = "regional_contract"
MEMBER_PROCESS_ID = "regional_contract_member_vote"
DECIDED = "regional_contract.member_votes_decided"  # a member's vote decided the round (to the federation's case)
SCOPES = {"regional": "区域性集体合同", "industry": "行业性集体合同"}
STAGES = ("negotiating", "adoption", "adopted", "signed", "filed", "under_review", "effective")
DIRECTIONS = {"min": "不低于", "max": "不高于"}
# The terms a floor clause may set (a local contract's clause names the same key): label and usual unit.
FLOOR_TERMS = {
    "minimum_wage": ("最低工资标准", "元/月"), "wage_growth": ("年度工资增长幅度", "%"),
    "weekly_hours": ("每周工作时间", "小时"), "daily_hours": ("每日工作时间", "小时"),
    "overtime_pay": ("加班工资标准", "%"), "annual_leave": ("带薪年休假", "天"),
    "training_days": ("职业培训", "天"), "other": ("其他标准", ""),
}
# The step each stage waits on, and who does it (the API drives these; another stage answers 409).
STEPS = {"negotiate": "negotiating", "regional_congress_vote": "adoption", "sign": "adopted", "file": "signed",
         "register_receipt": "filed", "review": "under_review"}
ARTICLES = {
    "regional_adoption": "劳动合同法第53条；集体合同规定第36条（区域/行业职代会三分之二以上代表出席，"
                         "全体代表半数以上同意）",
    "regional_members_adoption": "劳动合同法第53条；集体合同规定第36条（各成员单位职代会三分之二以上代表出席，"
                                 "全体代表半数以上同意；默认须全部适用的成员单位通过）",
    "regional_members_none": "劳动合同法第53条、第54条（区域性、行业性集体合同对区域或行业内的用人单位有约束力）",
    "receipt_after_filing": "集体合同规定第42条、第47条",
    "regional_objection_clauses": "集体合同规定第45条、第46条",
    "regional_contract_floor": "劳动合同法第54条、第55条（用人单位与劳动者订立的标准不得低于集体合同规定的标准）",
    "contract_term_years": "集体合同规定第38条",
}


def violation(message: str, rule: str, errors: dict[str, Any] | None = None) -> RuleViolation:
    article = ARTICLES[rule]
    return RuleViolation(f"{message} ({article})", rule, {"article": [article], **(errors or {})})


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def loads(text: str | None, default: Any = None) -> Any:
    return json.loads(text) if text else default


def federation_of(session: Session, actor: Actor) -> Organisation:
    """The federation the actor is an officer of. Raises: Forbidden (not an officer of a federation)."""
    org = session.get(Organisation, actor.org_id)
    if not actor.has(FEDERATION_OFFICER) or org is None or org.kind != tenancy.FEDERATION:
        raise Forbidden("only a federation's officers (federation_officer of a federation organisation) may do this")
    return org


def floors_of(raw: list[dict[str, Any]], previous: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Floor clauses as stored: a label (given, kept from the previous draft, or the term's) and a unit.

    Raises: ValidationFailed (a term twice)."""
    before = {f["key"]: f for f in previous or []}
    out, keys = [], set()
    for f in raw:
        if f["key"] in keys:
            raise ValidationFailed("floor clauses have distinct keys", {"floors": [f"{f['key']} appears twice"]})
        keys.add(f["key"])
        label, unit = FLOOR_TERMS.get(f["key"], (f["key"], ""))
        label = f.get("label") or (before.get(f["key"]) or {}).get("label") or label
        out.append({"key": f["key"], "label": label, "value": float(f["value"]),
                    "unit": f.get("unit") if f.get("unit") is not None else unit,
                    "direction": f.get("direction") or "min"})
    return out


def clauses_of(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"number": i, "title": c.get("title") or "", "text": c["text"]} for i, c in enumerate(raw, start=1)]


def get(session: Session, contract_id: int, *, lock: bool = False) -> RegionalContract:
    query = select(RegionalContract).where(RegionalContract.id == contract_id)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(f"regional contract {contract_id} not found")
    return row


def by_instance(session: Session, instance_id: str) -> RegionalContract:
    row = session.scalar(select(RegionalContract).where(RegionalContract.instance_id == instance_id))
    if row is None:
        raise NotFound(f"no regional contract runs in instance {instance_id}")
    return row


def not_future(uow: UnitOfWork, day: dt.date | str, field: str) -> dt.date:
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    today = local_today(uow)
    if day > today:
        raise ValidationFailed(f"{field} cannot be in the future", {field: [f"on or before {today}"]})
    return day


def _form_draft(clauses: list[dict[str, Any]], floors: list[dict[str, Any]]) -> dict[str, Any]:
    """The draft as the negotiation form shows it (the instance's ``clauses`` and ``floors``)."""
    return {"clauses": [{"title": c["title"], "text": c["text"]} for c in clauses],
            "floors": [{"key": f["key"], "value": f["value"], "unit": f["unit"], "direction": f["direction"]}
                       for f in floors]}


def create(uow: UnitOfWork, body: dict[str, Any], *, actor: Actor, rules: r.Rules) -> RegionalContract:
    """The federation records the draft negotiated with the employers' side of a region or trade and starts its
    procedure (the officer's first step: the negotiation).

    Raises: Forbidden (not a federation officer). ValidationFailed (no region for a regional contract, no industry
    for an industry one, duplicate floor terms). RuleViolation ``contract_term_years`` (第38条).
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
        clauses, floors = clauses_of(body["clauses"]), floors_of(body.get("floors") or [])
        now = uow.now()
        row = RegionalContract(
            scope=scope, title=body["title"], region=body.get("region") if scope == "regional" else None,
            industry=body.get("industry") if scope == "industry" else None,
            employer_side=body["employer_side"], clauses_json=dumps(clauses), floors_json=dumps(floors),
            term_years=body["term_years"], stage="negotiating", member_round=0, draft_version=1,
            created_at=now, created_by=actor.username, updated_at=now)
        s.add(row)
        s.flush()
        data = {"regional_contract_id": row.id, "case_title": f"{SCOPES[scope]}《{row.title}》",
                **_form_draft(clauses, floors)}
        row.instance_id = runtime.create_instance(
            uow, find_version(s, PROCESS_ID), actor=actor.username, data=data,
            business_key=f"regional:{row.id}")
        uow.commit()
        return row


def negotiation_data(uow: UnitOfWork, contract_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """A negotiation session's data for the step; the text and floors stay as they are unless the body revises
    them."""
    with uow:
        row = get(uow.session, contract_id)
        current = _form_draft(loads(row.clauses_json, []), loads(row.floors_json, []))
    data = {k: v for k, v in body.items() if v is not None}
    for key in ("clauses", "floors"):
        data.setdefault(key, current[key])
    return data


def open_step(session: Session, row: RegionalContract, element_id: str) -> HumanTask | None:
    return session.scalar(select(HumanTask).where(HumanTask.instance_id == row.instance_id,
                                                  HumanTask.element_id == element_id, HumanTask.state == "ready"))


def drive(uow: UnitOfWork, contract_id: int, element_id: str, data: dict[str, Any], *, actor: Actor) -> None:
    """Do the procedure's step ``element_id`` with ``data`` (what the API's step endpoints do).

    Raises: NotFound. Conflict: the contract waits on another step (its stage is named). What completing the task
    raises (403 not the step's role, 422 the form or a rule).
    """
    with uow:
        row = get(uow.session, contract_id)
        task = open_step(uow.session, row, element_id) if row.instance_id else None
        if task is None:
            raise Conflict(f"regional contract {row.id} is at stage '{row.stage}': the step '{element_id}' is not "
                           f"open now (it is done at stage '{STEPS.get(element_id, '?')}')",
                           {"stage": [row.stage]})
        runtime.complete_task(uow, task.id, data, actor=actor)
        uow.commit()


def member_votes(session: Session, row: RegionalContract) -> list[RegionalMemberVote]:
    with tenancy.unscoped():
        return list(session.scalars(select(RegionalMemberVote).where(
            RegionalMemberVote.regional_contract_id == row.id).order_by(RegionalMemberVote.round,
                                                                        RegionalMemberVote.id)))


def bound_members(session: Session, row: RegionalContract) -> list[Organisation]:
    """The federation's member enterprises the contract binds (its region, or its industry, matches)."""
    return [m for m in tenancy.members(session, row.org_id) if m.kind == tenancy.ENTERPRISE and applies_to(row, m)]


_VOTE_FIELDS = ("round", "member_org_id", "member_name", "outcome", "held_on", "representatives_total", "present",
                "in_favour", "against", "abstained", "recorded_by", "recorded_at")


def view(row: RegionalContract, today: dt.date | None = None, session: Session | None = None,
         officer: bool = False) -> dict[str, Any]:
    out = {c.key: getattr(row, c.key) for c in row.__table__.columns if not c.key.endswith("_json")}
    out.update(scope_name=SCOPES[row.scope], clauses=loads(row.clauses_json, []), floors=loads(row.floors_json, []),
               adoption=loads(row.adoption_json), in_force=bool(today and in_force(row, today)),
               objections=loads(row.objections_json, []))
    if officer:
        out["sessions"] = loads(row.sessions_json, [])
        out["member_votes"] = ([{k: getattr(v, k) for k in _VOTE_FIELDS} for v in member_votes(session, row)]
                               if session is not None else [])
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
            return [view(row, today, s, officer=True) for row in rows]
        return [view(row, today) for row in binding(s, org, today)] if org is not None else []


def read(uow: UnitOfWork, contract_id: int, actor: Actor) -> dict[str, Any]:
    """One contract, for its federation or a member it binds (404 otherwise)."""
    found = [c for c in listing(uow, actor) if c["id"] == contract_id]
    if not found:
        raise NotFound(f"regional contract {contract_id} not found")
    return found[0]


def hub(uow: UnitOfWork, contract_id: int, actor: Actor) -> dict[str, Any]:
    """The contract with what its page shows its federation: the open steps and the procedure's history.

    Raises: NotFound (not this federation's contract, nor one in force for the actor's enterprise)."""
    contract = read(uow, contract_id, actor)
    contract["steps"], contract["history"] = [], []
    if contract.get("instance_id") and "sessions" in contract:
        with uow:
            contract["steps"] = [{"id": t.id, "element_id": t.element_id, "name": t.name, "lane": t.lane}
                                 for t in uow.session.scalars(select(HumanTask).where(
                                     HumanTask.instance_id == contract["instance_id"], HumanTask.state == "ready")
                                     .order_by(HumanTask.created_at))]
        contract["history"] = [e for e in queries.instance_history(uow, contract["instance_id"])
                               if e["type"].startswith("regional_contract.")]
    return contract


def floors_for(uow: UnitOfWork, org_id: int) -> list[dict[str, Any]]:
    """The floor clauses binding an enterprise today, each with its contract's title (for a local draft's form:
    which term a clause sets, so that the check below can compare it)."""
    with uow:
        org = uow.session.get(Organisation, org_id)
        contracts = binding(uow.session, org, local_today(uow)) if org is not None else []
        return [{**f, "contract": row.title} for row in contracts for f in loads(row.floors_json, [])]


def floor_violations(clauses: list[dict[str, Any]], contracts: list[RegionalContract]) -> list[str]:
    """Each clause of a local text that falls below a floor of a binding regional or industry contract."""
    found = []
    for row in contracts:
        floors = {f["key"]: f for f in loads(row.floors_json, [])}
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
