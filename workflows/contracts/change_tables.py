"""Tables of a contract in force: its change or early termination (第39–41条), its yearly performance reports."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, TenantScoped, UTCDateTime


class ContractChange(TenantScoped, Base):
    """A request to change or end a contract in force, its ground, negotiation, adoption, filing and outcome.

    The contract itself is marked ``terminated`` (or keeps its stage for a change); the reason and the date live here.
    """

    __tablename__ = "contract_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(20))  # change | terminate
    ground: Mapped[str] = mapped_column(String(30))
    facts: Mapped[str] = mapped_column(Text)
    proposal_text: Mapped[str] = mapped_column(Text)
    requesting_side: Mapped[str] = mapped_column(String(10))
    stage: Mapped[str] = mapped_column(String(20), index=True)
    agreement_text: Mapped[str | None] = mapped_column(Text)
    vote_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(20))
    filed_on: Mapped[date | None] = mapped_column()
    receipt_no: Mapped[str | None] = mapped_column(String(100))
    review_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    effective_on: Mapped[date | None] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PerformanceReport(TenantScoped, Base):
    """The union's yearly report to the congress on a contract's performance (集体合同规定 第25条, 第55条)."""

    __tablename__ = "contract_performance_reports"
    __table_args__ = (UniqueConstraint("contract_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    obligations_json: Mapped[str] = mapped_column(Text)
    meeting_id: Mapped[int] = mapped_column(Integer)
    matter_id: Mapped[int] = mapped_column(Integer)
    document_id: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
