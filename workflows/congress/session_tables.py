"""Tables of the congress's own organisation: the session record (preparatory meeting, presidium), special
committees, delegation heads, joint meetings between sessions, drafts with amendments, speaker lists, minutes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, TenantScoped, UTCDateTime


class SessionRecord(TenantScoped, Base):
    """A session run by its ``congress_session`` instance: ordinary or extraordinary, and who proposed it."""

    __tablename__ = "congress_session_records"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("congress_meetings.id"), primary_key=True)
    instance_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # ordinary | extraordinary
    proposed_by: Mapped[str | None] = mapped_column(String(20))  # enterprise | union | representatives
    supporters_json: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    scrutineers_json: Mapped[str] = mapped_column(Text)
    preparatory_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))


class PresidiumMember(TenantScoped, Base):
    """A member of a session's presidium (主席团), approved by the preparatory meeting (民主管理规定 第19条)."""

    __tablename__ = "congress_presidium_members"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("congress_meetings.id"), primary_key=True)
    representative_id: Mapped[int] = mapped_column(ForeignKey("congress_representatives.id"), primary_key=True)


class Committee(TenantScoped, Base):
    """A special committee (专门委员会) of a term: 提案、集体合同、劳动保护、生活福利、民主评议 or another."""

    __tablename__ = "congress_committees"
    __table_args__ = (UniqueConstraint("term_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("congress_terms.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))


class CommitteeMember(TenantScoped, Base):
    """A committee member approved by the congress at a session (show of hands, its tally kept)."""

    __tablename__ = "congress_committee_members"

    committee_id: Mapped[int] = mapped_column(ForeignKey("congress_committees.id"), primary_key=True)
    representative_id: Mapped[int] = mapped_column(ForeignKey("congress_representatives.id"), primary_key=True)
    is_head: Mapped[bool] = mapped_column(Boolean)
    approved_meeting_id: Mapped[int] = mapped_column(ForeignKey("congress_meetings.id"))
    votes_for: Mapped[int] = mapped_column(Integer)
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DelegationHead(TenantScoped, Base):
    """The head (团长) of a delegation of a term."""

    __tablename__ = "congress_delegation_heads"

    term_id: Mapped[int] = mapped_column(ForeignKey("congress_terms.id"), primary_key=True)
    delegation: Mapped[str] = mapped_column(String(100), primary_key=True)
    representative_id: Mapped[int] = mapped_column(ForeignKey("congress_representatives.id"))


class JointMeeting(TenantScoped, Base):
    """A joint meeting (联席会议) of delegation heads and committee heads, convened by the union between sessions."""

    __tablename__ = "congress_joint_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("congress_terms.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    attendees_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))


class JointDecision(TenantScoped, Base):
    """An urgent matter decided by a joint meeting; the next session confirms it (``confirm_matter_id``)."""

    __tablename__ = "congress_joint_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    joint_meeting_id: Mapped[int] = mapped_column(ForeignKey("congress_joint_meetings.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirm_matter_id: Mapped[int | None] = mapped_column(ForeignKey("congress_matters.id"))


class MatterDraft(TenantScoped, Base):
    """The clauses of a draft put to the congress (``[{number, title, text}]``), the base of its amendments."""

    __tablename__ = "congress_matter_drafts"

    matter_id: Mapped[int] = mapped_column(ForeignKey("congress_matters.id"), primary_key=True)
    clauses_json: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Amendment(TenantScoped, Base):
    """An amendment (修正案) to one clause of a draft, voted as its own matter before the draft."""

    __tablename__ = "congress_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_matter_id: Mapped[int] = mapped_column(ForeignKey("congress_matters.id"), index=True)
    vote_matter_id: Mapped[int] = mapped_column(ForeignKey("congress_matters.id"), unique=True)
    clause_number: Mapped[int] = mapped_column(Integer)
    new_text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    representative_id: Mapped[int | None] = mapped_column(ForeignKey("congress_representatives.id"))
    delegation: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))


class Speaker(TenantScoped, Base):
    """A request to speak on an agenda item: requested, called, spoken (or withdrawn); ordered by ``position``."""

    __tablename__ = "congress_speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("congress_matters.id"), index=True)
    representative_id: Mapped[int] = mapped_column(ForeignKey("congress_representatives.id"))
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    topic: Mapped[str | None] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    spoken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Minutes(TenantScoped, Base):
    """A session's minutes (会议纪要): generated, edited and approved by the presidium, then published."""

    __tablename__ = "congress_minutes"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("congress_meetings.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(10))  # draft | approved | published
    text: Mapped[str] = mapped_column(Text)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(100))
    document_id: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
