"""SQLAlchemy tables of congress elections: posts and seats, candidates, rounds, their sealed and counted
ballots, scrutineers and their confirmations (see `elections`, `election_ballots`, `election_tally`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, TenantScoped, UTCDateTime


class Election(TenantScoped, Base):
    """An election (选举) or a recall (罢免) held on one agenda matter whose mode is ``elect``.

    ``competitive``: 差额 (more candidates than seats, by the configured margin) or 等额 (as many as seats).
    ``method``: ``approve`` (for / against / abstain on each candidate) or ``choose`` (tick up to N).
    """

    __tablename__ = "congress_elections"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("congress_matters.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # election | recall
    competitive: Mapped[bool] = mapped_column(Boolean)
    method: Mapped[str] = mapped_column(String(10))  # approve | choose
    secret: Mapped[bool] = mapped_column(Boolean)
    recall_of: Mapped[int | None] = mapped_column(Integer)  # the elected candidate recalled
    status: Mapped[str] = mapped_column(String(12))  # setup | running | finished
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))


class ElectionPost(TenantScoped, Base):
    """A post to fill (e.g. 职工监事) with its number of seats; ``max_choices`` marks a ballot may give."""

    __tablename__ = "congress_election_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("congress_elections.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    seats: Mapped[int] = mapped_column(Integer)
    max_choices: Mapped[int] = mapped_column(Integer)
    write_in: Mapped[bool] = mapped_column(Boolean)


class Candidate(TenantScoped, Base):
    """A candidate for one post, nominated by a delegation, the union or a number of representatives.

    ``status``: nominated, elected, not_elected, withdrawn, recalled. A write-in (另选他人) elected is added
    with ``nominated_by`` = write_in when the round is published.
    """

    __tablename__ = "congress_candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("congress_elections.id"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("congress_election_posts.id"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    employee_no: Mapped[str | None] = mapped_column(String(50))
    representative_id: Mapped[int | None] = mapped_column(ForeignKey("congress_representatives.id"))
    nominated_by: Mapped[str] = mapped_column(String(20))  # delegation | union | representatives | write_in
    nominator: Mapped[str] = mapped_column(String(200))
    nominator_ids: Mapped[list[int] | None] = mapped_column(JSON)
    profile: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))
    elected_round: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ElectionRound(TenantScoped, Base):
    """One ballot of an election: the first, or a further round among the candidates the rule names.

    ``seats`` maps post id -> seats filled in this round; ``candidates`` lists the candidate ids on the ballot.
    ``result`` (after the close) holds every candidate's votes, the write-ins, who is elected and what follows.
    """

    __tablename__ = "congress_election_rounds"
    __table_args__ = (UniqueConstraint("election_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("congress_elections.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))  # open | closed | published
    secret: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    seats: Mapped[dict[str, Any]] = mapped_column(JSON)
    candidates: Mapped[list[int]] = mapped_column(JSON)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[str] = mapped_column(String(100))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(100))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by: Mapped[str | None] = mapped_column(String(100))
    seated: Mapped[int] = mapped_column(Integer)
    present: Mapped[int] = mapped_column(Integer)
    quorum_required: Mapped[int] = mapped_column(Integer)
    votes_required: Mapped[int] = mapped_column(Integer)
    majority: Mapped[str] = mapped_column(String(20))
    ballots_issued: Mapped[int | None] = mapped_column(Integer)
    ballots_cast: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    seal_hash: Mapped[str | None] = mapped_column(String(64))
    # The round's X25519 public key (base64); its private key is a file outside the database until the close.
    ballot_key: Mapped[str | None] = mapped_column(String(44))


class ElectionParticipation(Base):
    """That a representative took part in a secret round; never what they marked (see ElectionSealedBallot)."""

    __tablename__ = "congress_election_participation"

    round_id: Mapped[int] = mapped_column(ForeignKey("congress_election_rounds.id"), primary_key=True)
    representative_id: Mapped[int] = mapped_column(ForeignKey("congress_representatives.id"), primary_key=True)
    receipt_hash: Mapped[str] = mapped_column(String(64))
    cast_by: Mapped[str] = mapped_column(String(100))


class ElectionSealedBallot(Base):
    """A ballot of an open secret round, encrypted to the round's public key and padded to one length for
    the round: no voter, no time, a random id, no storage order (WITHOUT ROWID); deleted by the close."""

    __tablename__ = "congress_election_sealed"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("congress_election_rounds.id"), index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class ElectionBallot(Base):
    """A counted ballot of a closed secret round (its marks as JSON), written by the close in random order."""

    __tablename__ = "congress_election_ballots"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("congress_election_rounds.id"), index=True)
    content: Mapped[str] = mapped_column(Text)


class ElectionNamedBallot(Base):
    """A named (记名) election ballot: voter and marks together."""

    __tablename__ = "congress_election_named"

    round_id: Mapped[int] = mapped_column(ForeignKey("congress_election_rounds.id"), primary_key=True)
    representative_id: Mapped[int] = mapped_column(ForeignKey("congress_representatives.id"), primary_key=True)
    content: Mapped[str] = mapped_column(Text)
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cast_by: Mapped[str] = mapped_column(String(100))


class Scrutineer(TenantScoped, Base):
    """A scrutineer of a meeting (总监票人 when ``chief``, else 监票人): proposed, then approved by a show of
    hands; never a candidate in an election of the meeting."""

    __tablename__ = "congress_scrutineers"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("congress_meetings.id"), primary_key=True)
    representative_id: Mapped[int] = mapped_column(ForeignKey("congress_representatives.id"), primary_key=True)
    chief: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(10))  # proposed | approved
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    proposed_by: Mapped[str] = mapped_column(String(100))


class ScrutineerApproval(TenantScoped, Base):
    """The show of hands (举手表决) on a meeting's list of scrutineers, as counted by the presidium."""

    __tablename__ = "congress_scrutineer_approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("congress_meetings.id"), index=True)
    seated: Mapped[int] = mapped_column(Integer)
    present: Mapped[int] = mapped_column(Integer)
    votes_required: Mapped[int] = mapped_column(Integer)
    votes_for: Mapped[int] = mapped_column(Integer)
    votes_against: Mapped[int] = mapped_column(Integer)
    abstentions: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(10))  # adopted | rejected
    members: Mapped[list[int]] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(100))


class ScrutineerConfirmation(TenantScoped, Base):
    """A scrutineer's confirmation of a closed round's count (before the result is published)."""

    __tablename__ = "congress_scrutineer_confirmations"

    round_id: Mapped[int] = mapped_column(ForeignKey("congress_election_rounds.id"), primary_key=True)
    representative_id: Mapped[int] = mapped_column(ForeignKey("congress_representatives.id"), primary_key=True)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[str] = mapped_column(String(100))
