"""The inspection report to the next congress session: a document, and an agenda matter of mode 听取."""

from __future__ import annotations

import html
import json
from typing import Any

from engine.audit import instance_chain
from engine.errors import Conflict
from engine.unit_of_work import UnitOfWork
from engine.zones import zone_name
from workflows import documents
from workflows.calendar import calendar_of
from workflows.congress.meetings import append_matter
from workflows.congress.tables import Meeting
from workflows.inspection.findings import findings_of
from workflows.inspection.tables import Inspection
from workflows.records import fetch

SUBJECT_NAMES = {"resolution": "职代会决议落实", "proposal": "提案办理", "disclosure": "厂务公开",
                 "contract": "集体合同履行", "safety": "安全生产和劳动保护", "other": "其他"}
REPORT_MATTER_TYPE = "report"  # matter_mode.dmn: "report" is heard (听取)


def open_meeting(session, meeting_id: int, *, lock: bool = False) -> Meeting:
    """A congress session that can still take a matter. Raises: NotFound, Conflict (closed)."""
    meeting = fetch(session, Meeting, meeting_id, "congress meeting", lock=lock)
    if meeting.status == "closed":
        raise Conflict(f"congress meeting {meeting_id} is closed; report to the next session",
                       {"meeting_id": [str(meeting_id)]})
    return meeting


def render(inspection: Inspection, findings: list, summary: str, zone: str = "Asia/Shanghai") -> str:
    """The report as a standalone HTML page (zh-CN): plan, findings with owners, deadlines and answers; dates are
    the organisation's local dates in ``zone``."""
    e = html.escape
    rows = "".join(
        f"<tr><td>{f.position}</td><td>{e(f.text)}</td><td>{e(f.owner or '')}</td>"
        f"<td>{f.due_on or ''}</td><td>{e(f.answer or '未答复')}</td><td>{e(f.rectification or '未完成')}</td></tr>"
        for f in findings)
    team = "、".join(json.loads(inspection.team_json))
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{e(inspection.title)}</title>'
            f"</head><body><h1>职工代表巡视报告：{e(inspection.title)}</h1>"
            f"<p>巡视内容：{SUBJECT_NAMES[inspection.subject_kind]}；{e(inspection.scope)}</p>"
            f"<p>被巡视单位：{e(inspection.department)}；巡视组：{e(team)}；"
            f"时间：{inspection.starts_on} 至 {inspection.ends_on}（{zone_name(zone)}）</p>"
            f"<h2>总结</h2><p>{e(summary)}</p><h2>问题与答复</h2><table border=\"1\">"
            f"<tr><th>序号</th><th>问题</th><th>责任人</th><th>整改期限</th><th>答复</th><th>整改情况</th></tr>{rows}</table>"
            f"</body></html>")


def report(uow: UnitOfWork, inspection: Inspection, meeting_id: int, summary: str, *, actor: str,
           instance_id: str) -> dict[str, Any]:
    """Store the report document, put it on the session's agenda, and mark the inspection reported."""
    meeting = open_meeting(uow.session, meeting_id, lock=True)
    page = render(inspection, findings_of(uow.session, inspection.id), summary, calendar_of(uow).tz.key)
    doc = documents.store(uow, kind="inspection_report", title=f"职工代表巡视报告：{inspection.title}",
                          filename=f"inspection-{inspection.id}.html", media_type="text/html; charset=utf-8",
                          content=page.encode("utf-8"), instance_id=instance_id, actor=actor)
    matter = append_matter(uow, meeting, matter_type=REPORT_MATTER_TYPE, title=f"职工代表巡视报告：{inspection.title}",
                           actor=actor)
    inspection.status, inspection.updated_at = "reported", uow.now()
    inspection.meeting_id, inspection.matter_id, inspection.report_document_id = meeting.id, matter.id, doc.id
    uow.audit(instance_chain(instance_id), "inspection.reported", {
        "inspection_id": inspection.id, "meeting_id": meeting.id, "matter_id": matter.id, "mode": matter.mode,
        "document_id": doc.id, "sha256": doc.sha256}, actor=actor, instance_id=instance_id)
    return {"document_id": doc.id, "matter_id": matter.id, "meeting_id": meeting.id, "sha256": doc.sha256}
