"""Service-task handlers and task checks of the inspection diagram (bpmn/inspection/inspection.bpmn).

Each handler changes the inspection record inside the step's transaction and audits what it did.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select

from engine import tenancy
from engine.audit import instance_chain
from engine.models import DepartmentMember
from engine.notifications import Role, notify
from engine.steps import current_step
from engine.zones import zone_name
from workflows.calendar import calendar_of
from workflows.deadlines import due_of, follows, tracked
from workflows.hooks import case_validator, rules_of, service
from workflows.inspection import findings, report
from workflows.inspection.queries import planned_in
from workflows.inspection.tables import Inspection
from workflows.records import fetch

LINK = "/inspections/{}"


def _inspection(params: dict[str, Any]) -> Inspection:
    return fetch(current_step().uow.session, Inspection, int(params["inspection_id"]), "inspection", lock=True)


def _of_case(uow, instance_id: str) -> Inspection:
    return uow.session.scalar(select(Inspection).where(Inspection.instance_id == instance_id))


def _set(row: Inspection, status: str, event: str, payload: dict[str, Any]) -> None:
    step = current_step()
    row.status, row.updated_at = status, step.uow.now()
    step.uow.audit(instance_chain(step.instance_id), event, {"inspection_id": row.id, "status": status, **payload},
                   actor=step.actor, instance_id=step.instance_id)


@case_validator("inspection", "answer")
def _check_answers(uow, instance_id: str, data: dict[str, Any], actor) -> None:
    findings.check_answers(uow.session, _of_case(uow, instance_id).id, data.get("answers") or [])


@case_validator("inspection", "report")
def _check_meeting(uow, instance_id: str, data: dict[str, Any], actor) -> None:
    report.open_meeting(uow.session, int(data["meeting_id"]))


@service("inspection.notify_unit")
def notify_unit(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Tell the inspected department's members and the team of the plan (rules.md §2.5: notice ahead)."""
    step = current_step()
    row = _inspection(params)
    members = list(step.uow.session.scalars(select(DepartmentMember.username).where(
        DepartmentMember.department_code == row.department)))
    team = json.loads(row.team_json)
    subject = report.SUBJECT_NAMES[row.subject_kind]
    zone = zone_name(calendar_of(step.uow).tz.key)  # the organisation's
    body = f"巡视时间：{row.starts_on} 至 {row.ends_on}（{zone}）；巡视内容：{subject}。{row.scope}"
    reached = notify(step.uow, members + team, "inspection.notice", f"职工代表巡视通知：{row.title}", body,
                     LINK.format(row.id), f"inspection:{row.id}:notice")
    row.notified_at = step.uow.now()
    _set(row, "notified", "inspection.unit_notified", {"department": row.department, "recipients": reached,
                                                       "starts_on": row.starts_on.isoformat()})
    return {"recipients": reached}


@service("inspection.record_findings")
def record_findings(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Store the team's findings and set the unit's answer deadline (legal calendar, start day not counted)."""
    step = current_step()
    row, now = _inspection(params), step.uow.now()
    rows = findings.record_findings(step.uow.session, row, list(params["findings"] or []),
                                    actor=step.actor or "system", now=now)
    due = tracked(calendar_of(step.uow), now, row.answer_days, rules_of(step.uow).day_mode)
    row.answer_due = due.due if rows else None
    _set(row, "answering" if rows else "findings_recorded", "inspection.findings_recorded", {
        "methods": list(params.get("methods") or []), "count": len(rows),
        "findings": [{"id": f.id, "text": f.text, "owner": f.owner, "due_on": f.due_on and f.due_on.isoformat()}
                     for f in rows],
        "answer_due": due.due.isoformat() if rows else None, "answer_due_confirmed": due.confirmed})
    return {"count": len(rows), "answer_due": due.due.isoformat()}


@service("inspection.flag_overdue")
def flag_overdue(params: dict[str, Any], data: dict[str, Any]) -> bool:
    """The answer is overdue: record it and tell the department's members and the union (escalation)."""
    step = current_step()
    row, zone = _inspection(params), calendar_of(step.uow).tz
    row.escalated_at = step.uow.now()
    members = list(step.uow.session.scalars(select(DepartmentMember.username).where(
        DepartmentMember.department_code == row.department)))
    notify(step.uow, members + [Role("union_chair")], "inspection.overdue", f"巡视问题答复已超期：{row.title}",
           f"答复期限：{row.answer_due.astimezone(zone):%Y-%m-%d %H:%M}（{zone_name(zone.key)}）",
           LINK.format(row.id), f"inspection:{row.id}:overdue")
    _set(row, row.status, "inspection.answer_overdue", {"answer_due": row.answer_due.isoformat()})
    return True


@service("inspection.record_answers")
def record_answers(params: dict[str, Any], data: dict[str, Any]) -> int:
    """Store the department's answer to each finding."""
    step = current_step()
    row = _inspection(params)
    count = findings.record_answers(step.uow.session, row.id, list(params["answers"]),
                                    actor=step.actor or "system", now=step.uow.now())
    _set(row, "answered", "inspection.answered", {"answers": [
        {"finding_id": int(a["finding_id"]), "answer": a["answer"]} for a in params["answers"]],
        "late": row.escalated_at is not None})
    return count


@case_validator("inspection", "rectify")
def _check_rectifications(uow, instance_id: str, data: dict[str, Any], actor) -> None:
    findings.check_rectifications(uow.session, _of_case(uow, instance_id).id, data.get("rectifications") or [])


@service("inspection.open_rectification")
def open_rectification(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The rectification deadline: the latest finding deadline (to 24:00 that day), else the answer period again
    from today (legal calendar, kept for recomputation)."""
    step = current_step()
    row, cal = _inspection(params), calendar_of(step.uow)
    days = [f.due_on for f in findings.findings_of(step.uow.session, row.id) if f.due_on is not None]
    if days:
        due = dt.datetime.combine(max(days) + dt.timedelta(days=1), dt.time(0), tzinfo=cal.tz).astimezone(dt.UTC)
    else:
        due = tracked(cal, step.uow.now(), row.answer_days, rules_of(step.uow).day_mode).due
    row.rectification_due = due
    _set(row, "rectifying", "inspection.rectification_opened", {"rectification_due": due.isoformat()})
    return {"due": due.isoformat()}


@service("inspection.flag_rectification_overdue")
def flag_rectification_overdue(params: dict[str, Any], data: dict[str, Any]) -> bool:
    """The rectification is overdue: record which findings, tell the department and the union chair (督办)."""
    step = current_step()
    row, cal = _inspection(params), calendar_of(step.uow)
    row.rectification_escalated_at = step.uow.now()
    late = findings.overdue(findings.findings_of(step.uow.session, row.id), cal.local_date(step.uow.now()))
    members = list(step.uow.session.scalars(select(DepartmentMember.username).where(
        DepartmentMember.department_code == row.department)))
    notify(step.uow, members + [Role("union_chair")], "inspection.rectification_overdue",
           f"巡视问题整改已超期：{row.title}",
           f"整改期限：{row.rectification_due.astimezone(cal.tz):%Y-%m-%d %H:%M}（{zone_name(cal.tz.key)}）；"
           "未完成的问题："
           + ("；".join(f.text for f in late) or "见巡视页面"), LINK.format(row.id),
           f"inspection:{row.id}:rectification_overdue")
    _set(row, row.status, "inspection.rectification_overdue", {
        "rectification_due": row.rectification_due.isoformat(), "findings": [f.id for f in late]})
    return True


@service("inspection.record_rectification")
def record_rectification(params: dict[str, Any], data: dict[str, Any]) -> int:
    """Store the unit's report of what it rectified on each finding."""
    step = current_step()
    row = _inspection(params)
    items = list(params["rectifications"])
    count = findings.record_rectifications(step.uow.session, row.id, items, actor=step.actor or "system",
                                           now=step.uow.now())
    _set(row, "rectified", "inspection.rectified", {
        "rectifications": [{"finding_id": int(i["finding_id"]), "note": i["note"]} for i in items],
        "late": row.rectification_escalated_at is not None})
    return count


@service("inspection.report")
def make_report(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The report document, on the agenda of the chosen congress session as a matter to hear (听取)."""
    step = current_step()
    return report.report(step.uow, _inspection(params), int(params["meeting_id"]), params["summary"],
                         actor=step.actor or "system", instance_id=step.instance_id)



def _yearly_key(year: int) -> str:
    """The reminder's key: once a year per organisation (the installation's first keeps the key it always had;
    another's names it, so that one enterprise's reminder neither stops nor breaks another's)."""
    org = tenancy.current()
    return f"inspection:year:{year}:too_few" + ("" if org in (None, tenancy.DEFAULT_ORG) else f":org:{org}")


@service("inspection.remind_if_too_few")
def remind_if_too_few(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """rules.md §2.5 (V as practice): at least ``inspections_per_year`` a year; remind when fewer are planned."""
    step = current_step()
    year = calendar_of(step.uow).local_date(step.uow.now()).year
    planned = planned_in(step.uow, year)
    required = rules_of(step.uow).inspections_per_year
    reached = 0
    if planned < required:
        reached = notify(step.uow, [Role("union_chair"), Role("presidium")], "inspection.too_few",
                         f"{year}年职工代表巡视尚未达到{required}次", f"本年度已计划{planned}次，请安排巡视。",
                         "/inspections", _yearly_key(year))
    step.uow.audit(instance_chain(step.instance_id), "inspection.year_checked", {
        "year": year, "planned": planned, "required": required, "reminded": reached},
        actor=step.actor, instance_id=step.instance_id)
    return {"year": year, "planned": planned, "required": required, "reminded": reached}


@follows
def follow_answer_deadline(uow, move) -> None:
    """The inspection's answer deadline moved with the legal calendar (its record keeps a copy)."""
    old, new = due_of(move.old), due_of(move.new)
    if old and new:
        for row in uow.session.scalars(select(Inspection).where(Inspection.instance_id == move.instance_id)):
            if row.answer_due == dt.datetime.fromisoformat(old):
                row.answer_due = dt.datetime.fromisoformat(new)
