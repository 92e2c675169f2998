"""Closing a vote: the count (electronic or paper totals), the result under its majority rule, the seal into
the audit trail, the published receipts, and verification."""

from __future__ import annotations

import json
import random
import secrets
from collections import Counter
from typing import Any

from sqlalchemy import delete, func, insert, select, union
from sqlalchemy.orm import Session

from engine import audit, checkpoints
from engine.errors import Conflict, ValidationFailed
from engine.identity import Actor
from engine.messages import route_message
from engine.models import AuditEvent
from engine.unit_of_work import UnitOfWork
from workflows import rules as r
from workflows.congress.ballot_keys import BallotKeys, ballot_keys_of, count_sealed
from workflows.congress.ballots import CHOICES, TOTALS, _variant, _vote, receipt_hash
from workflows.congress.meetings import get_matter, get_meeting, meeting_chain, present_query
from workflows.congress.tables import (
    Meeting,
    NamedBallot,
    Participation,
    Representative,
    SealedBallot,
    SecretBallot,
    Vote,
)


def _check_totals(totals: dict[str, int] | None, vote: Vote) -> dict[str, int]:
    if totals is None or any(totals.get(k) is None for k in TOTALS):
        raise ValidationFailed("a paper vote is closed with its totals",
                               {k: ["required"] for k in TOTALS if (totals or {}).get(k) is None})
    errors = {k: ["must not be negative"] for k in TOTALS if totals[k] < 0}
    if totals["for"] + totals["against"] + totals["abstain"] != totals["valid"]:
        errors["valid"] = ["for + against + abstain must equal the valid ballots"]
    if not totals["valid"] <= totals["ballots_cast"] <= totals["ballots_issued"] <= vote.present:
        errors["ballots_cast"] = [f"need valid <= cast <= issued <= present ({vote.present})"]
    if errors:
        raise ValidationFailed("the paper vote's totals do not add up", errors)
    return totals


def _random_ids(n: int) -> list[str]:
    """n random uuid4 strings (uuid.uuid4() one by one costs ~13 µs each: a quarter of a 2,000-ballot close)."""
    raw = bytearray(secrets.token_bytes(16 * n))
    raw[6::16] = bytes(b & 0x0F | 0x40 for b in raw[6::16])  # version 4
    raw[8::16] = bytes(b & 0x3F | 0x80 for b in raw[8::16])  # RFC 4122 variant
    hexes = raw.hex()
    return [f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}" for h in (hexes[i:i + 32] for i in
                                                                          range(0, 32 * n, 32))]


def _open_sealed(uow: UnitOfWork, vote: Vote, keys: BallotKeys) -> None:
    """Open a secret vote's sealed ballots in memory and store the choices as counted ballots, in random order
    with new random ids; the sealed rows go, and the key file is destroyed once the close has committed.

    Raises:
        BallotKeyError: the key file is missing, damaged or another vote's, or a ballot does not open. Nothing
            is counted then (the transaction rolls back and the vote stays open).
    """
    s = uow.session
    if vote.ballot_key is None:  # opened before ballots were sealed: its choices are stored as they are
        return
    private = keys.load(vote.id, vote.ballot_key)
    boxes = list(s.scalars(select(SealedBallot.sealed).where(SealedBallot.vote_id == vote.id)))
    choices = count_sealed(private, vote.id, boxes, CHOICES, keys.path(vote.id, vote.ballot_key))
    random.Random(secrets.token_bytes(32)).shuffle(choices)
    conn = s.connection()  # Core statements: 2,000 rows without the ORM's per-row bookkeeping
    conn.execute(delete(SealedBallot.__table__).where(SealedBallot.vote_id == vote.id))
    if choices:
        ids = _random_ids(len(choices))
        conn.execute(insert(SecretBallot.__table__), [{"id": i, "vote_id": vote.id, "choice": c}
                                                      for i, c in zip(ids, choices, strict=True)])
    # This vote's key, and any left behind by a close that committed but stopped before removing its key.
    spent = [(vote.id, vote.ballot_key), *s.execute(select(Vote.id, Vote.ballot_key).where(
        Vote.id.in_(keys.vote_ids() - {vote.id}), Vote.status == "closed", Vote.ballot_key.is_not(None))).all()]
    uow.after_commit.append(lambda: [keys.destroy(vote_id, key) for vote_id, key in spent])


def _electronic_totals(session: Session, vote: Vote, meeting: Meeting) -> dict[str, int]:
    """Counted in the database: a vote of 2,000 ballots closes without loading them."""
    if vote.kind == "secret":
        voters = select(Participation.representative_id).where(Participation.vote_id == vote.id)
        choices = dict(session.execute(select(SecretBallot.choice, func.count()).where(
            SecretBallot.vote_id == vote.id).group_by(SecretBallot.choice)).all())
        cast = session.scalar(select(func.count()).select_from(voters.subquery()))
        if sum(choices.values()) != cast:  # cannot happen: both are written in one transaction
            raise Conflict(f"vote {vote.id}: {sum(choices.values())} ballots but {cast} participants")
    else:
        voters = select(NamedBallot.representative_id).where(NamedBallot.vote_id == vote.id)
        choices = dict(session.execute(select(NamedBallot.choice, func.count()).where(
            NamedBallot.vote_id == vote.id).group_by(NamedBallot.choice)).all())
        cast = sum(choices.values())
    issued = session.scalar(select(func.count()).select_from(
        union(present_query(meeting, vote.opened_at), voters).subquery()))
    return {"ballots_issued": issued, "ballots_cast": cast, "valid": cast, **{c: choices.get(c, 0) for c in CHOICES}}


def result_of(vote: Vote) -> dict[str, Any]:
    """The stored result: counts, the rule applied and the outcome (None fields while open)."""
    cast, valid = vote.ballots_cast, vote.valid
    return {"seated": vote.seated, "present": vote.present, "ballots_issued": vote.ballots_issued,
            "ballots_cast": cast, "valid": valid, "invalid": None if cast is None else cast - valid,
            "for": vote.votes_for, "against": vote.votes_against, "abstain": vote.abstentions,
            "rule": vote.rule, "quorum_required": vote.quorum_required, "votes_required": vote.votes_required,
            "outcome": vote.outcome}


def _seal(uow: UnitOfWork, vote: Vote, meeting_id: int) -> None:
    """Append the ballots (choices only, random order) and the receipt hashes to the audit trail."""
    s = uow.session
    # The sealed ballots are the multiset of choices in random order: rebuilt from the counts just taken.
    choices = [c for c, n in (("for", vote.votes_for), ("against", vote.votes_against), ("abstain", vote.abstentions))
               for _ in range(n or 0)]
    random.Random(secrets.token_bytes(32)).shuffle(choices)
    receipts = list(s.scalars(select(Participation.receipt_hash).where(Participation.vote_id == vote.id)
                              .order_by(Participation.receipt_hash)))
    event = uow.audit(meeting_chain(meeting_id), "vote.sealed", {
        "vote_id": vote.id, "matter_id": vote.matter_id, "rule": vote.rule, "result": result_of(vote),
        "ballots": choices, "receipts": receipts}, actor=vote.closed_by)
    vote.seal_hash = event.hash


def close_vote(uow: UnitOfWork, vote_id: int, *, rules: r.Rules, actor: Actor,
               totals: dict[str, int] | None = None) -> Vote:
    """Close a vote, count it, store the result, seal a secret vote into the audit trail.

    A secret vote's ballots are opened with its private key (outside the database), counted, stored in random
    order and sealed; the key file is destroyed after the commit (`_open_sealed`).

    The item is adopted only when the votes for reach ``votes_required``, counted against ALL seated
    representatives (民主管理规定 第20条 过半数, or 集体合同规定 第36条 半数以上 if opened so).

    Args:
        totals: for a paper vote only: ballots_issued, ballots_cast, valid, for, against, abstain.

    Raises:
        NotFound. Conflict: the vote is already closed. ValidationFailed: totals missing, inconsistent,
        or given for an electronic vote. RuleConflict ``ballot_key`` (BallotKeyError): a secret vote's key
        file is missing or wrong; the vote stays open and nothing is counted.
    """
    with uow:
        s = uow.session
        vote = _vote(s, vote_id, lock=True)
        if vote.status != "open":
            raise Conflict(f"vote {vote_id} is already closed")
        meeting = get_meeting(s, get_matter(s, vote.matter_id).meeting_id)
        if vote.kind == "analog":
            counts = _check_totals(totals, vote)
        elif totals:
            raise ValidationFailed("totals are entered for paper votes only", {"totals": ["not allowed"]})
        else:
            if vote.kind == "secret":
                _open_sealed(uow, vote, ballot_keys_of(uow))
            counts = _electronic_totals(s, vote, meeting)
        adopted = r.adopted(counts["for"], vote.seated, _variant(rules, vote.majority))
        vote.ballots_issued, vote.ballots_cast, vote.valid = (counts[k] for k in TOTALS[:3])
        vote.votes_for, vote.votes_against, vote.abstentions = counts["for"], counts["against"], counts["abstain"]
        vote.outcome = "adopted" if adopted else "rejected"
        vote.status, vote.closed_at, vote.closed_by = "closed", uow.now(), actor.username
        if vote.kind == "secret":
            _seal(uow, vote, meeting.id)
        uow.audit(meeting_chain(meeting.id), "vote.closed", {"vote_id": vote.id, "matter_id": vote.matter_id,
                                                             "kind": vote.kind, **result_of(vote)},
                  actor=actor.username)
        checkpoints.request(uow, f"vote.closed:{vote.id}", actor=actor.username)  # a result is public: sign it
        # A diagram waiting at its "voting" stage moves on in this transaction (design.md, conventions).
        route_message(uow, "vote.closed", {"vote_id": vote.id}, {"matter_id": vote.matter_id, **result_of(vote)},
                      actor=actor.username)
        # Diagrams that put a draft on the agenda know only its matter (the vote is opened later in session).
        route_message(uow, "vote.closed", {"matter_id": vote.matter_id}, {"vote_id": vote.id, **result_of(vote)},
                      actor=actor.username)
        uow.commit()
    return vote


def _sealed(session: Session, vote: Vote) -> dict[str, Any]:
    if vote.kind != "secret":
        raise Conflict(f"vote {vote.id} is {vote.kind}: only secret votes are sealed")
    if vote.seal_hash is None:
        raise Conflict(f"vote {vote.id} is still open: ballots and receipts are published at the close")
    chain = meeting_chain(get_matter(session, vote.matter_id).meeting_id)
    event = session.scalar(select(AuditEvent).where(AuditEvent.chain == chain, AuditEvent.event_type == "vote.sealed",
                                                    AuditEvent.hash == vote.seal_hash))
    return json.loads(event.payload)


def published_receipts(uow: UnitOfWork, vote_id: int) -> list[str]:
    """The receipt hashes counted, as sealed (sorted; no choices). Raises: NotFound, Conflict."""
    with uow:
        return _sealed(uow.session, _vote(uow.session, vote_id))["receipts"]


def receipt_counted(uow: UnitOfWork, vote_id: int, code: str) -> bool:
    """Whether the ballot behind a receipt code was counted. Raises: NotFound, Conflict."""
    return receipt_hash(code) in published_receipts(uow, vote_id)


def ballots(uow: UnitOfWork, vote_id: int) -> dict[str, Any]:
    """A closed vote's ballots: voter and choice for a named vote, the sealed choices for a secret one.

    Raises:
        NotFound. Conflict: the vote is open, or a paper vote (no ballots recorded).
    """
    with uow:
        s = uow.session
        vote = _vote(s, vote_id)
        if vote.status == "open" or vote.kind == "analog":
            raise Conflict(f"vote {vote_id} has no ballots to show ({vote.kind}, {vote.status})")
        if vote.kind == "secret":
            return {"vote_id": vote_id, "kind": vote.kind, "choices": _sealed(s, vote)["ballots"], "named": []}
        rows = s.execute(select(NamedBallot, Representative.name).join(
            Representative, Representative.id == NamedBallot.representative_id)
            .where(NamedBallot.vote_id == vote_id).order_by(NamedBallot.representative_id)).all()
        return {"vote_id": vote_id, "kind": vote.kind, "choices": [], "named": [
            {"representative_id": b.representative_id, "name": name, "choice": b.choice, "cast_at": b.cast_at,
             "cast_by": b.cast_by} for b, name in rows]}


def verify(uow: UnitOfWork, vote_id: int) -> dict[str, Any]:
    """What an auditor checks without learning who voted how (a secret vote after its close).

    Returns:
        participants, ballots, whether they are equal, whether the stored tally matches the ballots and
        the seal, whether the published receipts match the participation rows, and the audit chain's state.

    Raises:
        NotFound. Conflict: not a closed secret vote.
    """
    with uow:
        s = uow.session
        vote = _vote(s, vote_id)
        sealed = _sealed(s, vote)
        choices = Counter(s.scalars(select(SecretBallot.choice).where(SecretBallot.vote_id == vote_id)))
        hashes = sorted(s.scalars(select(Participation.receipt_hash).where(Participation.vote_id == vote_id)))
        stored = {"for": vote.votes_for, "against": vote.votes_against, "abstain": vote.abstentions}
        tally = {c: choices.get(c, 0) for c in CHOICES}
        chain = meeting_chain(get_matter(s, vote.matter_id).meeting_id)
        return {"vote_id": vote_id, "participants": len(hashes), "ballots": sum(choices.values()),
                "ballots_equal_participants": len(hashes) == sum(choices.values()) == vote.ballots_cast,
                "tally": tally, "tally_matches_result": tally == stored,
                "seal_matches": Counter(sealed["ballots"]) == choices and sealed["receipts"] == hashes,
                "audit_ok": audit.verify(s, chain).ok}
