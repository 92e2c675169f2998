"""Monitoring a contract's performance: the union's yearly report to the congress (集体合同规定 第25条, 第55条).

第25条 charges the negotiators with supervising the contract's performance, and the union supervises it and
reports to the workers' congress (第55条; 工会法 第20条). Each year the union lists the contract's obligations
(clause, owner, deadline, met or not) and the report goes on a congress session's agenda as a matter heard
(听取, mode ``report`` in matter_mode.dmn), with the report document's SHA-256 in the audit trail.
"""

from __future__ import annotations

import html
import json
from typing import Any

from sqlalchemy import select

from engine.errors import Conflict, Forbidden
from engine.identity import Actor
from engine.unit_of_work import UnitOfWork
from workflows import documents
from workflows.calendar import local_today
from workflows.congress.meetings import append_matter, get_meeting
from workflows.contracts.change_tables import PerformanceReport
from workflows.contracts.record import KIND_NAMES, get_contract, local_tz, record
from workflows.errors import RuleViolation

REPORTERS = ("union_negotiator", "union_chair")
STATUS_NAMES = {"met": "已履行", "partly_met": "部分履行", "not_met": "未履行", "not_due": "未到期"}
ARTICLE = "集体合同规定第25条、第55条"


def _years_in_force(contract, today) -> range:
    if contract.effective_at is None:
        return range(0)
    last = min(today.year, contract.expires_on.year if contract.expires_on else today.year)
    return range(contract.effective_at.astimezone(local_tz(contract)).year, last + 1)


def render(contract, year: int, summary: str, obligations: list[dict[str, Any]]) -> str:
    """The report page (zh-CN): each obligation with its owner, deadline and whether it was met."""
    e = html.escape
    rows = "".join(f"<tr><td>{e(o['clause'])}</td><td>{e(o.get('owner') or '')}</td><td>{o.get('due_on') or ''}</td>"
                   f"<td>{STATUS_NAMES[o['status']]}</td><td>{e(o.get('note') or '')}</td></tr>" for o in obligations)
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{e(contract.title)}</title></head>'
            f"<body><h1>{year}年度{KIND_NAMES[contract.kind]}履行情况报告</h1><p>{e(contract.title)}"
            f"（{e(contract.enterprise)}）</p><h2>总体情况</h2><p>{e(summary)}</p><h2>条款履行</h2><table border=\"1\">"
            f"<tr><th>条款</th><th>责任方</th><th>期限</th><th>履行情况</th><th>说明</th></tr>{rows}</table></body></html>")


def report_performance(uow: UnitOfWork, contract_id: int, body: dict[str, Any], *, actor: Actor) -> PerformanceReport:
    """The union reports one year's performance to a congress session (once per contract and year).

    Args:
        body: year, meeting_id, summary, obligations [{clause, owner, due_on, status, note}].

    Raises:
        Forbidden: not the union side. NotFound. Conflict: the year is already reported, or the session is
        closed. RuleViolation ``performance_year``: the contract was not in force that year.
    """
    if not actor.has(*REPORTERS):
        raise Forbidden("the union reports on the contract's performance", {"roles": list(REPORTERS)})
    with uow:
        contract = get_contract(uow.session, contract_id, lock=True)
        year = body["year"]
        if year not in _years_in_force(contract, local_today(uow)):
            raise RuleViolation(f"contract {contract_id} was not in force in {year} ({ARTICLE})", "performance_year",
                                {"article": [ARTICLE], "year": [str(year)]})
        if uow.session.scalar(select(PerformanceReport.id).where(PerformanceReport.contract_id == contract_id,
                                                                 PerformanceReport.year == year)):
            raise Conflict(f"the performance of contract {contract_id} in {year} is already reported")
        meeting = get_meeting(uow.session, body["meeting_id"], lock=True)
        if meeting.status == "closed":
            raise Conflict(f"congress meeting {meeting.id} is closed; report to the next session")
        page = render(contract, year, body["summary"], body["obligations"])
        title = f"{year}年度{KIND_NAMES[contract.kind]}履行情况报告"
        doc = documents.store(uow, kind="contract_performance_report", title=title,
                              filename=f"contract-{contract.id}-performance-{year}.html",
                              media_type="text/html; charset=utf-8", content=page.encode("utf-8"),
                              instance_id=contract.instance_id, actor=actor.username)
        matter = append_matter(uow, meeting, matter_type="report", title=title, actor=actor.username)
        row = PerformanceReport(contract_id=contract.id, year=year, summary=body["summary"],
                                obligations_json=json.dumps(body["obligations"], ensure_ascii=False, default=str),
                                meeting_id=meeting.id, matter_id=matter.id, document_id=doc.id,
                                created_by=actor.username, created_at=uow.now())
        uow.session.add(row)
        uow.session.flush()
        record(uow, contract, "contract.performance_reported", {
            "report_id": row.id, "year": year, "meeting_id": meeting.id, "matter_id": matter.id,
            "document_id": doc.id, "sha256": doc.sha256,
            "not_met": [o["clause"] for o in body["obligations"] if o["status"] == "not_met"]}, actor.username)
        uow.commit()
    return row


def reports_of(uow: UnitOfWork, contract_id: int) -> list[dict[str, Any]]:
    """The yearly performance reports of a contract, oldest first."""
    with uow:
        get_contract(uow.session, contract_id)
        rows = uow.session.scalars(select(PerformanceReport).where(PerformanceReport.contract_id == contract_id)
                                   .order_by(PerformanceReport.year))
        return [{"id": r.id, "year": r.year, "summary": r.summary, "obligations": json.loads(r.obligations_json),
                 "meeting_id": r.meeting_id, "matter_id": r.matter_id, "document_id": r.document_id,
                 "created_by": r.created_by, "created_at": r.created_at} for r in rows]
