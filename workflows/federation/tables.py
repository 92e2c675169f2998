"""Tables of a federation's own records: its regional and industry collective contracts (劳动合同法 第53条)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, TenantScoped, UTCDateTime


class RegionalContract(TenantScoped, Base):
    """A regional (区域性) or industry (行业性) collective contract; ``org_id`` is the negotiating federation.

    It binds every member enterprise of the federation whose region (or industry) matches. ``floors_json`` holds
    the floor clauses a member's own contract may not fall below: ``[{"key", "label", "value", "unit",
    "direction": "min"|"max"}]``.
    """

    __tablename__ = "federation_regional_contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(20))  # regional | industry
    title: Mapped[str] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(100))
    industry: Mapped[str | None] = mapped_column(String(100))
    employer_side: Mapped[str] = mapped_column(String(200))  # the employers' organisation of the region or trade
    clauses_json: Mapped[str] = mapped_column(Text)
    floors_json: Mapped[str] = mapped_column(Text)
    term_years: Mapped[int] = mapped_column(Integer)
    # negotiating | adopted | signed | filed | effective (in force from effective_on to expires_on)
    stage: Mapped[str] = mapped_column(String(20), index=True)
    adoption_json: Mapped[str | None] = mapped_column(Text)
    signed_on: Mapped[date | None] = mapped_column(Date)
    filed_on: Mapped[date | None] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date)
    receipt_no: Mapped[str | None] = mapped_column(String(100))
    effective_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
