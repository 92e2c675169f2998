"""Disputes about a contract's performance (履行争议): raised, negotiated, resolved or referred to arbitration.

集体合同规定 第55条: a dispute arising from the performance of a collective contract that the parties cannot settle
by negotiation may be taken to the labour-dispute arbitration committee. 工会法 第20条: when the enterprise breaches
the contract the union may hold it to account, and when negotiation fails the union may apply for arbitration.
So: either side raises a dispute (the clauses, the facts, what it asks); the two sides negotiate in sessions,
each with its record and outcome; an agreement resolves it; after a failed session the union side refers it to
arbitration with a package (the contract's text, the dispute and the negotiation record) kept as a ZIP document
whose SHA-256 is audited. Every step is an event on the contract's chain; the other side is told.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import zipfile
from typing import Any

from sqlalchemy import func, select

from engine.errors import Conflict, Forbidden, NotFound
from engine.identity import Actor
from engine.notifications import Role, notify
from engine.unit_of_work import UnitOfWork
from workflows import documents
from workflows.contracts.change import IN_FORCE
from workflows.contracts.dispute_tables import DisputeSession, PerformanceDispute
from workflows.contracts.drafts import agreed_clauses
from workflows.contracts.record import (
    KIND_NAMES,
    ROLE_OF_SIDE,
    SIDE_NAMES,
    get_contract,
    local_tz,
    record,
    today,
)
from workflows.errors import RuleViolation
from workflows.records import fetch

ARTICLE = "集体合同规定第55条"
UNION_ARTICLE = "工会法第20条"
UNION_ROLES = ("union_negotiator", "union_chair")
OUTCOMES = {"continue": "继续协商", "agreed": "达成一致", "failed": "协商不成"}
STATUS_NAMES = {"negotiating": "协商中", "resolved": "已协商解决", "failed": "协商不成", "referred": "已提请仲裁"}
# the contract's stages in which its performance may be disputed: in force, or ended but with obligations owed
DISPUTABLE = (*IN_FORCE, "expired", "terminated", "renewed")


def _side(actor: Actor) -> str:
    """The side the caller acts for: the union chair and union negotiators for the workers, else the employer's."""
    if actor.has(*UNION_ROLES):
        return "union"
    if actor.has(ROLE_OF_SIDE["employer"]):
        return "employer"
    raise Forbidden("a performance dispute is raised and negotiated by the negotiators of either side or the union "
                    "chair", {"roles": [*UNION_ROLES, ROLE_OF_SIDE["employer"]]})


def _violation(message: str, rule: str, article: str, errors: dict[str, Any]) -> RuleViolation:
    return RuleViolation(f"{message} ({article})", rule, {"article": [article], **errors})


def _tell_other_side(uow: UnitOfWork, contract, side: str, title: str, body: str, key: str) -> None:
    other = "employer" if side == "union" else "union"
    notify(uow, [Role(ROLE_OF_SIDE[other])] + ([Role("union_chair")] if other == "union" else []),
           "contract.dispute", title, body, f"/contracts/{contract.id}/performance-disputes", key)


def get_dispute(session, contract_id: int, dispute_id: int, *, lock: bool = False) -> PerformanceDispute:
    """Raises: NotFound (also for a dispute of another contract)."""
    row = fetch(session, PerformanceDispute, dispute_id, "performance dispute", lock=lock)
    if row.contract_id != contract_id:
        raise NotFound(f"contract {contract_id} has no performance dispute {dispute_id}")
    return row


def raise_dispute(uow: UnitOfWork, contract_id: int, body: dict[str, Any], *, actor: Actor) -> PerformanceDispute:
    """Either side records a dispute about the contract's performance (第55条).

    Args:
        body: clauses (the disputed clauses, text), facts, demand.

    Raises:
        Forbidden: not a negotiator of a side or the union chair. NotFound. RuleViolation ``dispute_contract``:
        the contract never came into force.
    """
    side = _side(actor)
    with uow:
        contract = get_contract(uow.session, contract_id, lock=True)
        if contract.stage not in DISPUTABLE:
            raise _violation(f"contract {contract_id} has not come into force: there is no performance to dispute",
                             "dispute_contract", ARTICLE, {"stage": [contract.stage]})
        now = uow.now()
        row = PerformanceDispute(contract_id=contract_id, raised_by_side=side, clauses=body["clauses"],
                                 facts=body["facts"], demand=body["demand"], status="negotiating",
                                 created_by=actor.username, created_at=now, updated_at=now)
        uow.session.add(row)
        uow.session.flush()
        record(uow, contract, "contract.dispute_raised", {"dispute_id": row.id, "side": side,
                                                          "clauses": row.clauses, "facts": row.facts,
                                                          "demand": row.demand}, actor.username)
        _tell_other_side(uow, contract, side, f"集体合同履行争议：{contract.title}",
                         f"{SIDE_NAMES[side]}就合同履行提出争议：{row.clauses}。请协商解决（{ARTICLE}）。",
                         f"contract:{contract.id}:dispute:{row.id}:raised")
        uow.commit()
    return row


def record_session(uow: UnitOfWork, contract_id: int, dispute_id: int, body: dict[str, Any], *,
                   actor: Actor) -> DisputeSession:
    """A negotiation session on the dispute, with its record and outcome; an agreement resolves the dispute.

    Args:
        body: held_on, place, participants, minutes, outcome (continue | agreed | failed), agreement_text.

    Raises:
        Forbidden. NotFound. Conflict: the dispute is resolved or referred. RuleViolation ``dispute_session``:
        held before the dispute was raised or in the future; an agreement without its text.
    """
    side = _side(actor)
    with uow:
        contract = get_contract(uow.session, contract_id)
        row = get_dispute(uow.session, contract_id, dispute_id, lock=True)
        if row.status not in ("negotiating", "failed"):
            raise Conflict(f"dispute {dispute_id} is {row.status}; no more sessions are held",
                           {"status": [row.status]})
        raised_on = row.created_at.astimezone(local_tz(contract)).date()
        held_on = body["held_on"]
        if not raised_on <= held_on <= today(uow, contract):
            raise _violation(f"a session is held between the day the dispute was raised ({raised_on}) and today",
                             "dispute_session", ARTICLE, {"held_on": [held_on.isoformat()]})
        if body["outcome"] == "agreed" and not str(body.get("agreement_text") or "").strip():
            raise _violation("an agreement is written down", "dispute_session", ARTICLE,
                             {"agreement_text": ["the agreed settlement"]})
        number = (uow.session.scalar(select(func.max(DisputeSession.number))
                                     .where(DisputeSession.dispute_id == row.id)) or 0) + 1
        session = DisputeSession(dispute_id=row.id, number=number, held_on=held_on, place=body["place"],
                                 participants=body["participants"], minutes=body["minutes"],
                                 outcome=body["outcome"], recorded_by=actor.username, recorded_at=uow.now())
        uow.session.add(session)
        row.status = {"agreed": "resolved", "failed": "failed"}.get(body["outcome"], "negotiating")
        if body["outcome"] == "agreed":
            row.agreement_text = body["agreement_text"]
        row.updated_at = uow.now()
        uow.session.flush()
        record(uow, contract, "contract.dispute_session", {
            "dispute_id": row.id, "number": number, "held_on": held_on.isoformat(), "outcome": body["outcome"],
            "side": side, "agreement_text": row.agreement_text if body["outcome"] == "agreed" else None},
            actor.username)
        uow.commit()
    return session


def _contract_page(contract, clauses: list[dict[str, Any]]) -> str:
    e = html.escape
    items = "".join(f"<li><strong>{e(c.get('title') or '')}</strong> {e(c.get('text') or '')}</li>" for c in clauses)
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{e(contract.title)}</title>'
            f"</head><body><h1>{e(contract.title)}</h1><p>{KIND_NAMES.get(contract.kind, '')}，"
            f"{e(contract.enterprise)}与{e(contract.union_name)}</p><ol>{items}</ol></body></html>")


def _record_page(contract, row: PerformanceDispute, sessions: list[DisputeSession]) -> str:
    e = html.escape
    rows = "".join(f"<tr><td>第{s.number}次</td><td>{s.held_on}</td><td>{e(s.place)}</td><td>{e(s.participants)}</td>"
                   f"<td>{e(s.minutes)}</td><td>{OUTCOMES[s.outcome]}</td></tr>" for s in sessions)
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>履行争议协商记录</title></head>'
            f"<body><h1>集体合同履行争议及协商记录</h1><p>合同：{e(contract.title)}</p>"
            f"<h2>争议</h2><p>提出方：{SIDE_NAMES[row.raised_by_side]}</p><p>涉及条款：{e(row.clauses)}</p>"
            f"<p>事实：{e(row.facts)}</p><p>请求：{e(row.demand)}</p><h2>协商记录</h2><table border=\"1\">"
            f"<tr><th>次数</th><th>日期</th><th>地点</th><th>参加人员</th><th>记录</th><th>结果</th></tr>{rows}</table>"
            f"<h2>仲裁请求</h2><p>仲裁机构：{e(row.tribunal or '')}</p><p>{e(row.claims or '')}</p></body></html>")


def _zip(files: dict[str, bytes], when: dt.datetime) -> bytes:
    """A ZIP whose bytes depend only on its files and the referral time (a stored hash can be re-checked)."""
    buffer = io.BytesIO()
    stamp = when.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), content)
    return buffer.getvalue()


def build_package(uow: UnitOfWork, contract, row: PerformanceDispute, sessions: list[DisputeSession]) -> bytes:
    """The arbitration package: the contract's text, the dispute with its negotiation record, a JSON manifest."""
    clauses = agreed_clauses(uow.session, contract) if (contract.signed_version or contract.agreed_version) else []
    files = {"contract.html": _contract_page(contract, clauses).encode("utf-8"),
             "dispute-and-negotiation.html": _record_page(contract, row, sessions).encode("utf-8")}
    data = {"contract": {"id": contract.id, "title": contract.title, "kind": contract.kind,
                         "enterprise": contract.enterprise, "union": contract.union_name, "clauses": clauses},
            "dispute": {"id": row.id, "raised_by_side": row.raised_by_side, "clauses": row.clauses,
                        "facts": row.facts, "demand": row.demand, "raised_at": row.created_at.isoformat(),
                        "tribunal": row.tribunal, "claims": row.claims},
            "sessions": [{"number": s.number, "held_on": s.held_on.isoformat(), "place": s.place,
                          "participants": s.participants, "minutes": s.minutes, "outcome": s.outcome}
                         for s in sessions],
            "basis": [ARTICLE, UNION_ARTICLE]}
    files["dispute.json"] = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    return _zip(files, row.referred_at.astimezone(local_tz(contract)))


def refer_to_arbitration(uow: UnitOfWork, contract_id: int, dispute_id: int, body: dict[str, Any], *,
                         actor: Actor) -> PerformanceDispute:
    """The union refers a dispute negotiation did not settle to arbitration (第55条; 工会法 第20条).

    Args:
        body: tribunal (the arbitration committee), claims.

    Raises:
        Forbidden: not the union side (工会法 第20条). NotFound. Conflict: already resolved or referred.
        RuleViolation ``dispute_negotiate_first``: no session has ended without agreement yet.
    """
    if not actor.has(*UNION_ROLES):
        raise Forbidden(f"the union applies for arbitration ({UNION_ARTICLE})", {"roles": list(UNION_ROLES)})
    with uow:
        contract = get_contract(uow.session, contract_id)
        row = get_dispute(uow.session, contract_id, dispute_id, lock=True)
        if row.status in ("resolved", "referred"):
            raise Conflict(f"dispute {dispute_id} is already {row.status}", {"status": [row.status]})
        if row.status != "failed":
            raise _violation("negotiate first: a dispute goes to arbitration when negotiation has failed",
                             "dispute_negotiate_first", f"{ARTICLE}、{UNION_ARTICLE}",
                             {"status": [row.status]})
        sessions = list(uow.session.scalars(select(DisputeSession).where(DisputeSession.dispute_id == row.id)
                                            .order_by(DisputeSession.number)))
        row.tribunal, row.claims = body["tribunal"], body["claims"]
        row.referred_by, row.referred_at, row.status = actor.username, uow.now(), "referred"
        content = build_package(uow, contract, row, sessions)
        doc = documents.store(uow, kind="contract_dispute_package", title=f"履行争议仲裁材料：{contract.title}",
                              filename=f"contract-{contract.id}-dispute-{row.id}.zip", media_type="application/zip",
                              content=content, instance_id=contract.instance_id, actor=actor.username)
        row.package_document_id, row.updated_at = doc.id, uow.now()
        record(uow, contract, "contract.dispute_referred", {
            "dispute_id": row.id, "tribunal": row.tribunal, "claims": row.claims, "sessions": len(sessions),
            "document_id": doc.id, "sha256": doc.sha256}, actor.username)
        _tell_other_side(uow, contract, "union", f"履行争议已提请仲裁：{contract.title}",
                         f"工会已将履行争议提请{row.tribunal}仲裁（{UNION_ARTICLE}）。",
                         f"contract:{contract.id}:dispute:{row.id}:referred")
        uow.commit()
    return row


FIELDS = ("id", "contract_id", "raised_by_side", "clauses", "facts", "demand", "status", "agreement_text",
          "tribunal", "claims", "referred_by", "referred_at", "package_document_id", "created_by", "created_at")


def disputes_of(uow: UnitOfWork, contract_id: int) -> list[dict[str, Any]]:
    """A contract's performance disputes with their sessions, oldest first."""
    with uow:
        get_contract(uow.session, contract_id)
        rows = list(uow.session.scalars(select(PerformanceDispute).where(PerformanceDispute.contract_id == contract_id)
                                        .order_by(PerformanceDispute.id)))
        sessions: dict[int, list[dict[str, Any]]] = {r.id: [] for r in rows}
        for s in uow.session.scalars(select(DisputeSession).where(DisputeSession.dispute_id.in_(list(sessions)))
                                     .order_by(DisputeSession.dispute_id, DisputeSession.number)):
            sessions[s.dispute_id].append({"number": s.number, "held_on": s.held_on, "place": s.place,
                                           "participants": s.participants, "minutes": s.minutes,
                                           "outcome": s.outcome, "recorded_by": s.recorded_by,
                                           "recorded_at": s.recorded_at})
        return [{**{k: getattr(r, k) for k in FIELDS}, "sessions": sessions[r.id]} for r in rows]


def package(uow: UnitOfWork, contract_id: int, dispute_id: int) -> documents.Document:
    """The stored arbitration package. Raises: NotFound (not referred yet)."""
    with uow:
        doc_id = get_dispute(uow.session, contract_id, dispute_id).package_document_id
    if doc_id is None:
        raise NotFound(f"dispute {dispute_id} has not been referred to arbitration: there is no package yet")
    return documents.get(uow, doc_id)
