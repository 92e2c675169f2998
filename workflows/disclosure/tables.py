"""Tables of factory-affairs disclosure (厂务公开): the catalogue, each disclosure and its many-of-a-kind records.

BPMN models the stages of one disclosure (draft, checks, publication, feedback window, evaluation, archive);
the records that come in numbers (attachments, channel postings, workers' questions and answers, ratings,
reviews, rectifications) live here, so the instance's task tree stays the same size however many workers
take part. JSON columns hold small lists that are only read back whole (channels, review details).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, TenantScoped, UTCDateTime

DISCLOSURES = "disclosures.id"


class DisclosureItem(TenantScoped, Base):
    """A catalogue entry: what must be disclosed, how often, where, by which department, with which checks."""

    __tablename__ = "disclosure_items"
    __table_args__ = (UniqueConstraint("org_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(30))  # major_decisions | operations | vital_interests | integrity
    topic: Mapped[str | None] = mapped_column(String(40))  # pay, social_insurance, safety, ...
    legal_basis: Mapped[str] = mapped_column(Text)
    frequency: Mapped[str] = mapped_column(String(10))  # monthly | quarterly | yearly | ad_hoc
    channels_json: Mapped[str] = mapped_column(Text)
    owner_role: Mapped[str] = mapped_column(String(100))  # the owner department's role, e.g. dept_hr
    congress_first: Mapped[bool] = mapped_column(Boolean)
    confidentiality_check: Mapped[bool] = mapped_column(Boolean)
    feedback_days: Mapped[int | None] = mapped_column(Integer)  # None: the rule disclosure_feedback_days
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))


class Disclosure(TenantScoped, Base):
    """One disclosure of one catalogue item for one period (or ad hoc), followed by its BPMN instance."""

    __tablename__ = "disclosures"
    __table_args__ = (UniqueConstraint("item_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("disclosure_items.id"), index=True)
    instance_id: Mapped[str | None] = mapped_column(ForeignKey("instances.id"), unique=True)
    period: Mapped[str | None] = mapped_column(String(20))  # 2026-03, 2026-Q1, 2026; None for ad hoc
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(30), index=True)
    # Copied from the catalogue when the disclosure starts: later catalogue edits do not move running work.
    owner_role: Mapped[str] = mapped_column(String(100))
    congress_first: Mapped[bool] = mapped_column(Boolean)
    confidentiality_check: Mapped[bool] = mapped_column(Boolean)
    feedback_days: Mapped[int] = mapped_column(Integer)
    content: Mapped[str | None] = mapped_column(Text)
    period_note: Mapped[str | None] = mapped_column(String(200))
    channels_json: Mapped[str] = mapped_column(Text)
    draft_version: Mapped[int] = mapped_column(Integer)
    publish_due: Mapped[datetime] = mapped_column(UTCDateTime)
    publication_late_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by: Mapped[str | None] = mapped_column(String(100))
    feedback_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rating_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archive_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DisclosureAttachment(TenantScoped, Base):
    """A file of a draft (its bytes, size and SHA-256); visible to workers once the disclosure is published."""

    __tablename__ = "disclosure_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey(DISCLOSURES), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DisclosureReview(TenantScoped, Base):
    """One check of a disclosure: confidentiality, supervision, congress or evaluation, with its decision."""

    __tablename__ = "disclosure_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey(DISCLOSURES), index=True)
    stage: Mapped[str] = mapped_column(String(20))  # confidentiality | supervision | congress | evaluation
    decision: Mapped[str] = mapped_column(String(20))
    details_json: Mapped[str] = mapped_column(Text)
    reviewer: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DisclosurePublication(TenantScoped, Base):
    """A posting on one channel (notice board, intranet, meeting, WeChat group, congress): when, where, by whom."""

    __tablename__ = "disclosure_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey(DISCLOSURES), index=True)
    channel: Mapped[str] = mapped_column(String(30))
    location: Mapped[str | None] = mapped_column(String(200))
    posted_by: Mapped[str] = mapped_column(String(100))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DisclosureQuestion(TenantScoped, Base):
    """A worker's question or objection during the feedback window, and the owner department's answer."""

    __tablename__ = "disclosure_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey(DISCLOSURES), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # question | objection
    body: Mapped[str] = mapped_column(Text)
    asked_by: Mapped[str] = mapped_column(String(100))
    visibility: Mapped[str] = mapped_column(String(20))  # public | department | anonymous
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answer_due: Mapped[datetime] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(100))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DisclosureRating(TenantScoped, Base):
    """A worker's satisfaction with a closed disclosure (测评); one per worker."""

    __tablename__ = "disclosure_ratings"
    __table_args__ = (UniqueConstraint("disclosure_id", "username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey(DISCLOSURES), index=True)
    username: Mapped[str] = mapped_column(String(100))
    satisfaction: Mapped[str] = mapped_column(String(30))  # satisfied | basically_satisfied | unsatisfied
    comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DisclosureRectification(TenantScoped, Base):
    """A rectification the supervision group ordered, with its own deadline and the department's report."""

    __tablename__ = "disclosure_rectifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey(DISCLOSURES), index=True)
    requirements: Mapped[str] = mapped_column(Text)
    ordered_by: Mapped[str | None] = mapped_column(String(100))
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    report: Mapped[str | None] = mapped_column(Text)
    reported_by: Mapped[str | None] = mapped_column(String(100))
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
