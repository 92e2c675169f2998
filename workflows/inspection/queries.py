"""Reading inspections: the list and one inspection with its findings and answers."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import func, select

from engine.models import User, UserRole
from engine.unit_of_work import UnitOfWork
from workflows.calendar import local_today
from workflows.congress.tables import Meeting, Representative
from workflows.hooks import rules_of
from workflows.inspection.findings import findings_of
from workflows.inspection.tables import Inspection
from workflows.records import fetch

FIELDS = ("id", "instance_id", "title", "subject_kind", "subject_ref", "scope", "department", "starts_on",
          "ends_on", "notice_days", "answer_days", "status", "notified_at", "answer_due", "escalated_at",
          "rectification_due", "rectification_escalated_at", "meeting_id", "matter_id", "report_document_id",
          "created_by", "created_at")
FINDING_FIELDS = ("id", "position", "text", "owner", "due_on", "answer", "answered_by", "answered_at", "rectification",
                  "rectified_by", "rectified_at")


def _summary(row: Inspection) -> dict[str, Any]:
    return {k: getattr(row, k) for k in FIELDS} | {"team": json.loads(row.team_json)}


def listing(uow: UnitOfWork, *, status: str | None = None) -> list[dict[str, Any]]:
    """Inspections, newest first (every worker may read them: the congress hears them)."""
    with uow:
        query = select(Inspection).order_by(Inspection.id.desc())
        if status:
            query = query.where(Inspection.status == status)
        return [_summary(row) for row in uow.session.scalars(query)]


def detail(uow: UnitOfWork, inspection_id: int) -> dict[str, Any]:
    """One inspection with its findings and answers. Raises: NotFound."""
    with uow:
        row = fetch(uow.session, Inspection, inspection_id, "inspection")
        return _summary(row) | {"findings": [{k: getattr(f, k) for k in FINDING_FIELDS}
                                             for f in findings_of(uow.session, row.id)]}


def planned_in(uow: UnitOfWork, year: int) -> int:
    """How many inspections start in ``year`` (inside an open unit of work)."""
    return uow.session.scalar(select(func.count(Inspection.id)).where(
        Inspection.starts_on >= dt.date(year, 1, 1), Inspection.starts_on <= dt.date(year, 12, 31)))


def this_year(uow: UnitOfWork) -> dict[str, int]:
    """This year's planned inspections against the required number (rules.md §2.5), for the office's reminder."""
    with uow:
        year = local_today(uow).year
        return {"year": year, "planned": planned_in(uow, year), "required": rules_of(uow).inspections_per_year}


def team_candidates(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Who may be on a team: the seated representatives with accounts (marked), then the union's office holders."""
    with uow:
        today = local_today(uow)
        reps = {r.username: r.name for r in uow.session.scalars(select(Representative).where(
            Representative.username.is_not(None), Representative.elected_on <= today,
            (Representative.ended_on.is_(None)) | (Representative.ended_on > today)).order_by(Representative.id))}
        union = uow.session.execute(select(User.username, User.display_name).join(UserRole, UserRole.user_id == User.id)
                                    .where(UserRole.role.in_(("union_chair", "union_negotiator")),
                                           User.active.is_(True)).order_by(User.username)).all()
    people = [{"username": u, "name": n, "representative": True} for u, n in reps.items()]
    return people + [{"username": u, "name": n or u, "representative": False} for u, n in dict(union).items()
                     if u not in reps]


def open_meetings(uow: UnitOfWork) -> list[dict[str, Any]]:
    """The congress sessions that can still hear a report (not closed), newest first."""
    with uow:
        return [{"id": m.id, "title": m.title, "held_on": m.held_on} for m in uow.session.scalars(
            select(Meeting).where(Meeting.status != "closed").order_by(Meeting.held_on.desc(), Meeting.id.desc()))]
