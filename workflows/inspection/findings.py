"""Findings of an inspection and the inspected unit's answers (rules.md §2.5: written findings, rectification)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import ValidationFailed
from workflows.inspection.tables import Inspection, InspectionFinding


def findings_of(session: Session, inspection_id: int) -> list[InspectionFinding]:
    return list(session.scalars(select(InspectionFinding).where(InspectionFinding.inspection_id == inspection_id)
                                .order_by(InspectionFinding.position)))


def record_findings(session: Session, inspection: Inspection, items: list[dict[str, Any]], *, actor: str,
                    now: dt.datetime) -> list[InspectionFinding]:
    """Add the team's findings as rows, numbered in order."""
    rows = []
    for position, item in enumerate(items, start=1):
        due = item.get("due_on")
        rows.append(InspectionFinding(inspection_id=inspection.id, position=position, text=item["text"],
                                      owner=item.get("owner") or None,
                                      due_on=dt.date.fromisoformat(due) if due else None,
                                      recorded_by=actor, recorded_at=now))
    session.add_all(rows)
    session.flush()
    return rows


def check_answers(session: Session, inspection_id: int, answers: list[dict[str, Any]]) -> None:
    """Every finding of this inspection is answered once, and only its findings.

    Raises:
        ValidationFailed naming the findings left unanswered or unknown.
    """
    expected = {f.id for f in findings_of(session, inspection_id)}
    given = [int(a["finding_id"]) for a in answers]
    unknown = sorted(set(given) - expected)
    missing = sorted(expected - set(given))
    if unknown or missing or len(given) != len(set(given)):
        raise ValidationFailed("answer every finding of this inspection once", {
            "answers": [f"unknown finding {i}" for i in unknown] + [f"finding {i} is not answered" for i in missing]
            + (["a finding is answered twice"] if len(given) != len(set(given)) else [])})


def record_answers(session: Session, inspection_id: int, answers: list[dict[str, Any]], *, actor: str,
                   now: dt.datetime) -> int:
    """Store the unit's answers on their findings. Raises: ValidationFailed (see check_answers)."""
    check_answers(session, inspection_id, answers)
    by_id = {f.id: f for f in findings_of(session, inspection_id)}
    for item in answers:
        row = by_id[int(item["finding_id"])]
        row.answer, row.answered_by, row.answered_at = item["answer"], actor, now
    return len(answers)


def check_rectifications(session: Session, inspection_id: int, items: list[dict[str, Any]]) -> None:
    """Every finding of this inspection is reported rectified, once.

    Raises:
        ValidationFailed naming the findings left out, unknown, or not rectified yet.
    """
    expected = {f.id for f in findings_of(session, inspection_id)}
    given = [int(i["finding_id"]) for i in items]
    problems = [f"unknown finding {i}" for i in sorted(set(given) - expected)]
    problems += [f"finding {i} is not reported" for i in sorted(expected - set(given))]
    problems += [f"finding {int(i['finding_id'])} is not rectified yet" for i in items if not i.get("done")]
    if len(given) != len(set(given)):
        problems.append("a finding is reported twice")
    if problems:
        raise ValidationFailed("report every finding of this inspection as rectified, once (整改完成后逐项报告)",
                               {"rectifications": problems})


def record_rectifications(session: Session, inspection_id: int, items: list[dict[str, Any]], *, actor: str,
                          now: dt.datetime) -> int:
    """Store what the unit did on each finding. Raises: ValidationFailed (see check_rectifications)."""
    check_rectifications(session, inspection_id, items)
    by_id = {f.id: f for f in findings_of(session, inspection_id)}
    for item in items:
        row = by_id[int(item["finding_id"])]
        row.rectification, row.rectified_by, row.rectified_at = item["note"], actor, now
    return len(items)


def overdue(findings: list[InspectionFinding], today: dt.date) -> list[InspectionFinding]:
    """The findings whose own deadline has passed without a reported rectification."""
    return [f for f in findings if f.rectified_at is None and f.due_on is not None and f.due_on < today]
