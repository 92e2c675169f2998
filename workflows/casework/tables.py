"""Tables of the union's casework: mediation cases and their sessions (personal data stays here, never in task
data or audit payloads, which the generic instance API shows to every authenticated user)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, TenantScoped, UTCDateTime


class MediationCase(TenantScoped, Base):
    """One labour-dispute mediation case (劳动争议调解), from the application to agreement or failure."""

    __tablename__ = "mediation_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    status: Mapped[str] = mapped_column(String(20))  # received, mediating, refused, agreed, failed
    applicants_json: Mapped[str] = mapped_column(Text)  # usernames of the applying worker(s)
    oral: Mapped[bool] = mapped_column(Boolean)  # an oral application recorded by the committee
    recorded_by: Mapped[str] = mapped_column(String(100))
    respondent: Mapped[str] = mapped_column(String(200))  # the other party (the enterprise, a department)
    claim: Mapped[str] = mapped_column(Text)  # facts and requests (personal data)
    employer_rep: Mapped[str | None] = mapped_column(String(100))  # the enterprise's representative
    mediator: Mapped[str | None] = mapped_column(String(100))
    conflict_declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    outcome_note: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extension_days: Mapped[int] = mapped_column(Integer, default=0)  # agreed by both parties, cumulative
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    agreement_document_id: Mapped[int | None] = mapped_column(Integer)
    referral_document_id: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MediationSession(TenantScoped, Base):
    """A mediation session with its record (调解笔录)."""

    __tablename__ = "mediation_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_cases.id"), index=True)
    held_at: Mapped[datetime] = mapped_column(UTCDateTime)
    record: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MediationCommitteeMember(TenantScoped, Base):
    """A member of the enterprise's labour-dispute mediation committee (劳动争议调解仲裁法 第10条)."""

    __tablename__ = "mediation_committee_members"

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    side: Mapped[str] = mapped_column(String(20))  # worker (职工代表) or employer (企业代表)
    union_member: Mapped[bool] = mapped_column(Boolean)
    chair: Mapped[bool] = mapped_column(Boolean)
    chair_agreed_by_both: Mapped[bool] = mapped_column(Boolean)  # a chair not from the union, 双方推举
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LegalAidCase(TenantScoped, Base):
    """A worker's application for the union's legal aid (工会法律援助), its review, referral and outcome."""

    __tablename__ = "legal_aid_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    status: Mapped[str] = mapped_column(String(20))  # reviewing, declined, referred, closed
    applicant: Mapped[str] = mapped_column(String(100))
    facts: Mapped[str] = mapped_column(Text)  # the dispute and the rights infringed (personal data)
    hardship: Mapped[str] = mapped_column(Text)  # the evidence of financial hardship (personal data)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    referred_to: Mapped[str | None] = mapped_column(String(200))  # the upper-level union's legal-aid body
    referral_document_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HardshipCase(TenantScoped, Base):
    """A household's file of hardship assistance (困难职工帮扶): application, verification, decision, publicity,
    assistance given, yearly review. Income and household data are personal: read by the committee (audited) and
    the applicant only."""

    __tablename__ = "hardship_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    status: Mapped[str] = mapped_column(String(20))
    applicant: Mapped[str] = mapped_column(String(100))
    household: Mapped[str] = mapped_column(Text)  # members, health, housing (personal data)
    circumstances: Mapped[str] = mapped_column(Text)  # why the household is in hardship (personal data)
    monthly_income: Mapped[int] = mapped_column(Integer)  # declared household income per month, yuan
    verified_income: Mapped[int | None] = mapped_column(Integer)
    visit_record: Mapped[str | None] = mapped_column(Text)  # the home visit (入户核实) record
    visited_by: Mapped[str | None] = mapped_column(String(100))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    assistance_kind: Mapped[str | None] = mapped_column(String(40))  # 生活救助, 医疗救助, 助学, ...
    amount: Mapped[int | None] = mapped_column(Integer)  # yuan per assistance
    publicity_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HardshipObjection(TenantScoped, Base):
    """An objection lodged against a published assistance list entry (公示期内的异议)."""

    __tablename__ = "hardship_objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("hardship_cases.id"), index=True)
    objector: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    lodged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    upheld: Mapped[bool | None] = mapped_column(Boolean)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HardshipPayment(TenantScoped, Base):
    """Assistance given to the household (发放记录)."""

    __tablename__ = "hardship_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("hardship_cases.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str | None] = mapped_column(String(100))
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(100))


class Appraisal(TenantScoped, Base):
    """A democratic appraisal or satisfaction rating (民主评议, 满意度评价): a secret graded ballot on items."""

    __tablename__ = "appraisals"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    title: Mapped[str] = mapped_column(String(200))
    scale: Mapped[str] = mapped_column(String(10))  # three (满意/基本满意/不满意) or five (1-5)
    electorate: Mapped[str] = mapped_column(String(20))  # representatives or all workers
    dissatisfied_share: Mapped[str] = mapped_column(String(20))  # the follow-up threshold, e.g. "1/3"
    status: Mapped[str] = mapped_column(String(20))  # open, closed
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AppraisalItem(TenantScoped, Base):
    """One leader or work item appraised; ``follow_up`` once its dissatisfied share passes the threshold."""

    __tablename__ = "appraisal_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    appraisal_id: Mapped[int] = mapped_column(ForeignKey("appraisals.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    follow_up: Mapped[bool] = mapped_column(Boolean, default=False)


class AppraisalCount(Base):
    """How many ballots gave an item a grade: counts only, so no ballot can be traced to its voter."""

    __tablename__ = "appraisal_counts"

    item_id: Mapped[int] = mapped_column(ForeignKey("appraisal_items.id"), primary_key=True)
    grade: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class AppraisalVoter(Base):
    """Who has voted (once per appraisal), never what."""

    __tablename__ = "appraisal_voters"

    appraisal_id: Mapped[int] = mapped_column(ForeignKey("appraisals.id"), primary_key=True)
    username: Mapped[str] = mapped_column(String(100), primary_key=True)


class HomeCriterion(TenantScoped, Base):
    """A criterion of the yearly "职工之家" assessment (建家评估): what is scored, its points and its source."""

    __tablename__ = "home_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    max_score: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(300))  # the rule or practice it cites
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HomeAssessment(TenantScoped, Base):
    """One year's "职工之家" assessment: the total against the criteria in force, and the result."""

    __tablename__ = "home_assessments"
    __table_args__ = (UniqueConstraint("org_id", "year"),)  # once a year in each organisation

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    max_total: Mapped[int] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(String(20))  # excellent (先进), passed (合格), failed (不合格)
    note: Mapped[str | None] = mapped_column(Text)
    assessed_by: Mapped[str] = mapped_column(String(100))
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HomeScore(TenantScoped, Base):
    """A criterion's score in one year's assessment, with the criterion as it read then."""

    __tablename__ = "home_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("home_assessments.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("home_criteria.id"))
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(300))
    max_score: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
