"""Tables of proposals (提案) and their co-signatures, and of generated documents (notices, packages)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, UTCDateTime


class Proposal(Base):
    """A proposal of one term, followed by its BPMN instance (submit, co-sign, screen, handle, rate, publish)."""

    __tablename__ = "congress_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36), unique=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("congress_terms.id"), index=True)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("congress_representatives.id"))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(30), index=True)
    decision: Mapped[str | None] = mapped_column(String(30))
    satisfaction: Mapped[str | None] = mapped_column(String(30))
    implementation_status: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Cosignature(Base):
    """A representative asked to second (附议) a proposal, and their answer."""

    __tablename__ = "congress_cosignatures"
    __table_args__ = (UniqueConstraint("proposal_id", "representative_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("congress_proposals.id"), index=True)
    representative_id: Mapped[int] = mapped_column(ForeignKey("congress_representatives.id"))
    status: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Document(Base):
    """A generated document (notice, filing package); its SHA-256 is also in the audit trail."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
