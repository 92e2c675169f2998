"""Tables of the representatives' inspection (职工代表巡视): the inspection and its findings.

BPMN models the stages (notice, inspection, answer, report); the findings come in numbers and are rows here.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, TenantScoped, UTCDateTime


class Inspection(TenantScoped, Base):
    """One inspection: its subject, the inspected department, the team, the dates and where it stands."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    title: Mapped[str] = mapped_column(String(300))
    subject_kind: Mapped[str] = mapped_column(String(30))
    subject_ref: Mapped[int | None] = mapped_column(Integer)
    scope: Mapped[str] = mapped_column(Text)
    department: Mapped[str] = mapped_column(String(100))
    team_json: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    notice_days: Mapped[int] = mapped_column(Integer)
    answer_days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rectification_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rectification_escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    meeting_id: Mapped[int | None] = mapped_column(Integer)
    matter_id: Mapped[int | None] = mapped_column(Integer)
    report_document_id: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InspectionFinding(TenantScoped, Base):
    """A finding of the team (问题), with its owner and deadline, and the inspected department's answer."""

    __tablename__ = "inspection_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(100))
    due_on: Mapped[date | None] = mapped_column(Date)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(100))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rectification: Mapped[str | None] = mapped_column(Text)  # what was done, reported by the unit
    rectified_by: Mapped[str | None] = mapped_column(String(100))
    rectified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
