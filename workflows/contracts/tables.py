"""SQLAlchemy tables of collective contract negotiation (集体合同): the contract and its negotiation records.

BPMN models the stages of the procedure; the many-of-a-kind records (representatives, meetings, draft
versions, sign-offs, filings, objections) live here. JSON columns hold small nested values that are only
read back whole (the written request, the reply, the preparation, the adoption result, the deadlines).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, TenantScoped, UTCDateTime


class Contract(TenantScoped, Base):
    """One negotiation of a collective contract, a wage agreement or a women workers' special contract."""

    __tablename__ = "contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # comprehensive | wage | women
    title: Mapped[str] = mapped_column(String(200))
    enterprise: Mapped[str] = mapped_column(String(200))
    union_name: Mapped[str] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(30), index=True)
    requesting_side: Mapped[str] = mapped_column(String(10))  # union | employer
    request_json: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    term_years: Mapped[int] = mapped_column(Integer)
    adoption_majority: Mapped[str] = mapped_column(String(20))
    timezone: Mapped[str] = mapped_column(String(60))
    instance_id: Mapped[str | None] = mapped_column(ForeignKey("instances.id"), index=True)
    previous_contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    deadlines_json: Mapped[str] = mapped_column(Text)
    reply_json: Mapped[str | None] = mapped_column(Text)
    escalation_json: Mapped[str | None] = mapped_column(Text)
    representatives_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    preparation_json: Mapped[str | None] = mapped_column(Text)
    agreed_version: Mapped[int | None] = mapped_column(Integer)
    objection_pending: Mapped[bool] = mapped_column(Boolean)
    vote_id: Mapped[int | None] = mapped_column(Integer)
    failed_vote_attempts: Mapped[int] = mapped_column(Integer)
    adoption_json: Mapped[str | None] = mapped_column(Text)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_version: Mapped[int | None] = mapped_column(Integer)
    effective_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_on: Mapped[date | None] = mapped_column(Date)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    publication_json: Mapped[str | None] = mapped_column(Text)
    notice_html: Mapped[str | None] = mapped_column(Text)
    notice_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Negotiator(TenantScoped, Base):
    """A negotiating representative (协商代表) of one side; ``ended_on`` set when the seat fell vacant."""

    __tablename__ = "contract_negotiators"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    side: Mapped[str] = mapped_column(String(10))  # union | employer
    name: Mapped[str] = mapped_column(String(100))
    person_id: Mapped[str] = mapped_column(String(64))  # 工号 or ID number: who a person is, across sides
    username: Mapped[str | None] = mapped_column(String(100))
    gender: Mapped[str | None] = mapped_column(String(10))
    position: Mapped[str | None] = mapped_column(String(100))
    is_chief: Mapped[bool] = mapped_column(Boolean)
    # union_chair | legal_representative | written_delegation | member
    credential: Mapped[str] = mapped_column(String(30))
    delegation_ref: Mapped[str | None] = mapped_column(String(200))
    outside_expert: Mapped[bool] = mapped_column(Boolean)
    appointed_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(200))
    replaces_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Vacancy(TenantScoped, Base):
    """A seat that fell vacant (replacement, resignation, force majeure); filled within 15 days (第31条)."""

    __tablename__ = "contract_vacancies"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    negotiator_id: Mapped[int] = mapped_column(ForeignKey("contract_negotiators.id"))
    side: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(200))
    occurred_on: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_day: Mapped[date | None] = mapped_column(Date)
    filled_by_id: Mapped[int | None] = mapped_column(Integer)
    filled_on: Mapped[date | None] = mapped_column(Date)
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))


class NegotiationMeeting(TenantScoped, Base):
    """One negotiation meeting (第34条): chair, both positions, minutes signed by both chief representatives."""

    __tablename__ = "contract_meetings"
    __table_args__ = (UniqueConstraint("contract_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200))
    chair_side: Mapped[str] = mapped_column(String(10))
    union_position: Mapped[str] = mapped_column(Text)
    employer_position: Mapped[str] = mapped_column(Text)
    minutes: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(20))  # continue | suspended
    resume_on: Mapped[date | None] = mapped_column(Date)
    draft_version: Mapped[int | None] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    union_signed_by: Mapped[str | None] = mapped_column(String(100))
    union_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    employer_signed_by: Mapped[str | None] = mapped_column(String(100))
    employer_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Draft(TenantScoped, Base):
    """One version of the contract text, clause by clause; never changed once stored."""

    __tablename__ = "contract_drafts"
    __table_args__ = (UniqueConstraint("contract_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    clauses_json: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SignOff(TenantScoped, Base):
    """A chief representative's declaration of agreement on a draft (第34条) or signature of the text (第37条)."""

    __tablename__ = "contract_sign_offs"
    __table_args__ = (UniqueConstraint("contract_id", "kind", "draft_version", "side"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # agreement | signature
    draft_version: Mapped[int] = mapped_column(Integer)
    side: Mapped[str] = mapped_column(String(10))
    signed_by: Mapped[str] = mapped_column(String(100))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Dispute(TenantScoped, Base):
    """An application for coordination by the labour administration (第49–54条), ended by an agreement."""

    __tablename__ = "contract_disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    applied_by_side: Mapped[str] = mapped_column(String(10))
    applied_by: Mapped[str] = mapped_column(String(100))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    matters: Mapped[str] = mapped_column(Text)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    coordinators_json: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extended_days: Mapped[int | None] = mapped_column(Integer)
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    agreement_text: Mapped[str | None] = mapped_column(Text)
    agreement_signed_on: Mapped[date | None] = mapped_column(Date)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Filing(TenantScoped, Base):
    """One submission of the signed text for review (第42条), with its generated filing package."""

    __tablename__ = "contract_filings"
    __table_args__ = (UniqueConstraint("contract_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    draft_version: Mapped[int] = mapped_column(Integer)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    filed_by: Mapped[str] = mapped_column(String(100))
    package_json: Mapped[str] = mapped_column(Text)
    package_html: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    html_sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    receipt_no: Mapped[str | None] = mapped_column(String(100))


class Objection(TenantScoped, Base):
    """A review opinion (审查意见书) of the labour administration objecting to clauses (第45–46条)."""

    __tablename__ = "contract_objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("contract_filings.id"))
    clauses_json: Mapped[str] = mapped_column(Text)
    opinion: Mapped[str] = mapped_column(Text)
    issued_on: Mapped[date | None] = mapped_column(Date)
    document_no: Mapped[str | None] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
