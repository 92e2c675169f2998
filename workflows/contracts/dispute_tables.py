"""Tables of a performance dispute (履行争议) of a contract in force and the negotiation sessions held on it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, TenantScoped, UTCDateTime


class PerformanceDispute(TenantScoped, Base):
    """A dispute about a contract's performance: raised, negotiated, then resolved or referred to arbitration
    (集体合同规定 第55条; 工会法 第20条)."""

    __tablename__ = "contract_performance_disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    raised_by_side: Mapped[str] = mapped_column(String(10))
    clauses: Mapped[str] = mapped_column(Text)  # the clauses whose performance is disputed
    facts: Mapped[str] = mapped_column(Text)
    demand: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)  # negotiating | resolved | failed | referred
    agreement_text: Mapped[str | None] = mapped_column(Text)
    tribunal: Mapped[str | None] = mapped_column(String(200))
    claims: Mapped[str | None] = mapped_column(Text)
    referred_by: Mapped[str | None] = mapped_column(String(100))
    referred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    package_document_id: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DisputeSession(TenantScoped, Base):
    """One negotiation session on a performance dispute, with its record and outcome."""

    __tablename__ = "contract_dispute_sessions"
    __table_args__ = (UniqueConstraint("dispute_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("contract_performance_disputes.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200))
    participants: Mapped[str] = mapped_column(Text)
    minutes: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(20))  # continue | agreed | failed
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
