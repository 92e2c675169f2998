"""SQLAlchemy tables of the workers' congress: roster, meetings, agenda, check-in, votes and ballots."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, TenantScoped, UTCDateTime


class Organisation(TenantScoped, Base):
    """An enterprise with its workforce figures (the base of the composition rules)."""

    __tablename__ = "congress_organisations"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    headcount: Mapped[int] = mapped_column(Integer)
    women_count: Mapped[int] = mapped_column(Integer)
    dispatched_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Term(TenantScoped, Base):
    """A congress term (第N届), 3 to 5 years."""

    __tablename__ = "congress_terms"
    __table_args__ = (UniqueConstraint("organisation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("congress_organisations.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Representative(TenantScoped, Base):
    """A representative of one term; seated from ``elected_on`` until ``ended_on`` (recall or vacancy)."""

    __tablename__ = "congress_representatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("congress_terms.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    employee_no: Mapped[str] = mapped_column(String(50))
    delegation: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20))
    gender: Mapped[str] = mapped_column(String(10))
    dispatched: Mapped[bool] = mapped_column(Boolean)
    elected_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(20))
    username: Mapped[str | None] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Meeting(TenantScoped, Base):
    """A session (第N届第M次) of one term: planned, in_session, closed."""

    __tablename__ = "congress_meetings"
    __table_args__ = (UniqueConstraint("term_id", "session_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("congress_terms.id"), index=True)
    session_number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    convened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Matter(TenantScoped, Base):
    """An agenda item; its mode and secrecy come from the matter_mode decision table when it is added."""

    __tablename__ = "congress_matters"
    __table_args__ = (UniqueConstraint("meeting_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("congress_meetings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    matter_type: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    mode: Mapped[str] = mapped_column(String(20))
    secret: Mapped[bool] = mapped_column(Boolean)
    at_least_half_allowed: Mapped[bool] = mapped_column(Boolean)
    decision_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CheckIn(TenantScoped, Base):
    """A representative present at a meeting (签到)."""

    __tablename__ = "congress_check_ins"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("congress_meetings.id"), primary_key=True)
    representative_id: Mapped[int] = mapped_column(ForeignKey("congress_representatives.id"), primary_key=True)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checked_in_by: Mapped[str] = mapped_column(String(100))


class Opinion(TenantScoped, Base):
    """An opinion (意见建议) on a matter under deliberation; such matters take no vote."""

    __tablename__ = "congress_opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("congress_matters.id"), index=True)
    representative_id: Mapped[int] = mapped_column(ForeignKey("congress_representatives.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Vote(TenantScoped, Base):
    """The one vote on one matter item (分项表决), and its stored result once closed."""

    __tablename__ = "congress_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("congress_matters.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # named | secret | analog
    secret: Mapped[bool] = mapped_column(Boolean)
    majority: Mapped[str] = mapped_column(String(20))
    rule: Mapped[str] = mapped_column(String(60))
    allow_proxies: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(10))  # open | closed
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[str] = mapped_column(String(100))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(100))
    seated: Mapped[int] = mapped_column(Integer)
    present: Mapped[int] = mapped_column(Integer)
    quorum_required: Mapped[int] = mapped_column(Integer)
    votes_required: Mapped[int] = mapped_column(Integer)
    ballots_issued: Mapped[int | None] = mapped_column(Integer)
    ballots_cast: Mapped[int | None] = mapped_column(Integer)
    valid: Mapped[int | None] = mapped_column(Integer)
    votes_for: Mapped[int | None] = mapped_column(Integer)
    votes_against: Mapped[int | None] = mapped_column(Integer)
    abstentions: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(10))  # adopted | rejected
    seal_hash: Mapped[str | None] = mapped_column(String(64))
    # A secret vote's X25519 public key (base64); its private key is a file outside the database until the close.
    ballot_key: Mapped[str | None] = mapped_column(String(44))


class NamedBallot(Base):
    """A named (记名) ballot: voter and choice together."""

    __tablename__ = "congress_named_ballots"

    vote_id: Mapped[int] = mapped_column(ForeignKey("congress_votes.id"), primary_key=True)
    representative_id: Mapped[int] = mapped_column(ForeignKey("congress_representatives.id"), primary_key=True)
    choice: Mapped[str] = mapped_column(String(10))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cast_by: Mapped[str] = mapped_column(String(100))


class Participation(Base):
    """That a representative took part in a secret vote; never what they chose (see SecretBallot).

    No timestamp: the audit trail records when; ``receipt_hash`` is the SHA-256 of the receipt code.
    """

    __tablename__ = "congress_participation"

    vote_id: Mapped[int] = mapped_column(ForeignKey("congress_votes.id"), primary_key=True)
    representative_id: Mapped[int] = mapped_column(ForeignKey("congress_representatives.id"), primary_key=True)
    receipt_hash: Mapped[str] = mapped_column(String(64))
    cast_by: Mapped[str] = mapped_column(String(100))


class SealedBallot(Base):
    """A ballot of an open secret vote, encrypted to the vote's public key (``ballot_keys.seal``).

    No voter, no time, a random id. Written by the cast beside its participation row (so a copy of the
    database's history can pair them), it holds only ciphertext of one length whatever the choice; the close
    opens them with the private key kept outside the database, writes the counted choices as `SecretBallot`
    rows in random order, and deletes these.
    """

    __tablename__ = "congress_sealed_ballots"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("congress_votes.id"), index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class SecretBallot(Base):
    """A counted choice of a closed secret vote: no voter, no time, a random id, no storage order (WITHOUT ROWID).

    Written all at once by the close, in random order, from the opened `SealedBallot` rows (the recount's
    material, with the seal in the audit trail).
    """

    __tablename__ = "congress_secret_ballots"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("congress_votes.id"), index=True)
    choice: Mapped[str] = mapped_column(String(10))


class Proposal(TenantScoped, Base):
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


class Cosignature(TenantScoped, Base):
    """A representative asked to second (附议) a proposal, and their answer."""

    __tablename__ = "congress_cosignatures"
    __table_args__ = (UniqueConstraint("proposal_id", "representative_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("congress_proposals.id"), index=True)
    representative_id: Mapped[int] = mapped_column(ForeignKey("congress_representatives.id"))
    status: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
