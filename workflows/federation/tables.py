"""Tables of a federation's own records: its regional and industry collective contracts (劳动合同法 第53条)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
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
    # negotiating | adoption | adopted | signed | filed | under_review | effective (in force from effective_on to
    # expires_on); the ``regional_contract`` diagram moves it on (its instance is ``instance_id``)
    stage: Mapped[str] = mapped_column(String(20), index=True)
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    adoption_path: Mapped[str | None] = mapped_column(String(20))  # congress | members (the path of the last vote)
    member_round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # the negotiation sessions [{held_on, place, participants, summary}], the bureau's objections
    # [{issued_on, document_no, clauses, opinion}] and the draft's version (each revision of text or floors)
    sessions_json: Mapped[str | None] = mapped_column(Text)
    objections_json: Mapped[str | None] = mapped_column(Text)
    draft_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    review_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
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


class RegionalMemberVote(TenantScoped, Base):
    """A bound member enterprise's congress vote on a regional or industry contract's draft (the members'
    congresses path); ``org_id`` is the federation, ``member_org_id`` the member whose presidium records it in the
    member's own instance ``instance_id`` (process ``regional_contract_member_vote``). ``outcome``: pending |
    adopted | rejected | cancelled (the round ended before this member voted)."""

    __tablename__ = "federation_regional_member_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    regional_contract_id: Mapped[int] = mapped_column(ForeignKey("federation_regional_contracts.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    member_org_id: Mapped[int] = mapped_column(Integer)
    member_name: Mapped[str] = mapped_column(String(200))
    instance_id: Mapped[str | None] = mapped_column(String(36))
    outcome: Mapped[str] = mapped_column(String(20), default="pending")
    held_on: Mapped[date | None] = mapped_column(Date)
    representatives_total: Mapped[int | None] = mapped_column(Integer)
    present: Mapped[int | None] = mapped_column(Integer)
    in_favour: Mapped[int | None] = mapped_column(Integer)
    against: Mapped[int | None] = mapped_column(Integer)
    abstained: Mapped[int | None] = mapped_column(Integer)
    recorded_by: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
