"""Votes on agenda items: opening, named and secret ballots, paper totals, tallies, receipts and the seal."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import secrets
import uuid
from collections import Counter
from typing import Any

from sqlalchemy import delete, func, insert, select, union
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.identity import Actor
from engine.messages import route_message
from engine.models import AuditEvent
from engine.unit_of_work import UnitOfWork
from workflows import rules as r
from workflows.congress import roster
from workflows.congress.meetings import (
    VOTING_MODES,
    get_matter,
    get_meeting,
    meeting_chain,
    present_ids,
    present_query,
    seat_of,
)
from workflows.congress.tables import (
    CheckIn,
    Matter,
    Meeting,
    NamedBallot,
    Participation,
    Representative,
    SecretBallot,
    Vote,
)
from workflows.errors import RuleConflict, RuleViolation
from workflows.records import fetch

CHOICES = ("for", "against", "abstain")
TOTALS = ("ballots_issued", "ballots_cast", "valid", "for", "against", "abstain")
_RANDOM = random.SystemRandom()


def _variant(rules: r.Rules, majority: str) -> r.Rules:
    return dataclasses.replace(rules, adoption_rule=r.Majority(majority))


def _vote(session: Session, vote_id: int, *, lock: bool = False) -> Vote:
    return fetch(session, Vote, vote_id, "vote", lock=lock)


def open_vote(uow: UnitOfWork, matter_id: int, *, rules: r.Rules, actor: Actor, analog: bool = False,
              majority: str | None = None, allow_proxies: bool = False) -> Vote:
    """Open the one vote on a matter item (分项表决); named or secret as the matter_mode table says.

    Args:
        analog: a paper vote whose totals the presidium enters at the close.
        majority: ``more_than_half`` (过半数, 民主管理规定 第20条, the default from ``rules``) or
            ``at_least_half`` (半数以上, 集体合同规定 第36条, only where the table allows it).
        allow_proxies: whether a present representative may cast an absent one's ballot; only where the
            rules allow proxies at all (``proxies_allowed``, default off).

    Raises:
        NotFound. Conflict: the matter takes no vote, already has one, or the meeting is not in session.
        RuleConflict ``congress_quorum``: fewer than 2/3 of all seated representatives are present.
        RuleViolation ``adoption_rule``: 半数以上 asked for a matter that must be adopted by 过半数;
            ``proxies_allowed``: proxies asked for where the rules forbid them.
    """
    try:
        majority = r.Majority(majority or rules.adoption_rule)
    except ValueError:
        raise ValidationFailed("unknown majority rule", {"majority": [f"one of {[m.value for m in r.Majority]}"]}) \
            from None
    with uow:
        s = uow.session
        matter = get_matter(s, matter_id, lock=True)
        meeting = get_meeting(s, matter.meeting_id)
        if matter.mode not in VOTING_MODES:
            raise Conflict(f"matter {matter_id} is for '{matter.mode}': it takes opinions, not a vote")
        if meeting.status != "in_session":
            raise Conflict(f"meeting {meeting.id} is {meeting.status}, not in session")
        if s.scalar(select(Vote.id).where(Vote.matter_id == matter_id)) is not None:
            raise Conflict(f"matter {matter_id} already has its vote (one vote per item)")
        if majority is not rules.adoption_rule and majority is r.Majority.AT_LEAST_HALF \
                and not matter.at_least_half_allowed:
            raise RuleViolation("半数以上 applies to collective-contract drafts only (集体合同规定 第36条); this "
                                "matter needs 过半数 of all representatives (民主管理规定 第20条)", "adoption_rule",
                                {"majority": [majority.value]})
        if allow_proxies and not rules.proxies_allowed:
            raise RuleViolation("proxy ballots are not allowed by this congress's rules (RULE_PROXIES_ALLOWED)",
                                "proxies_allowed", {"allow_proxies": ["not allowed"]})
        variant = _variant(rules, majority)
        seated = len(roster.seated(s, meeting.term_id, meeting.held_on))
        present = len(present_ids(s, meeting))
        if not seated or not r.quorum_met(present, seated, variant):
            needed = r.quorum_required(seated, variant) if seated else 1
            raise RuleConflict(f"a vote needs {needed} of the {seated} seated representatives present "
                               f"({rules.congress_quorum}); {present} have checked in", "congress_quorum",
                               {"present": [present], "seated": [seated], "quorum_required": [needed]})
        vote = Vote(matter_id=matter_id, kind="analog" if analog else ("secret" if matter.secret else "named"),
                    secret=matter.secret, majority=majority.value, rule=f"{majority.value}_of_all_seated",
                    allow_proxies=allow_proxies, status="open", opened_at=uow.now(), opened_by=actor.username,
                    seated=seated, present=present, quorum_required=r.quorum_required(seated, variant),
                    votes_required=r.votes_required(seated, variant))
        s.add(vote)
        s.flush()
        uow.audit(meeting_chain(meeting.id), "vote.opened", {
            "vote_id": vote.id, "matter_id": matter_id, "kind": vote.kind, "rule": vote.rule,
            "seated": seated, "present": present, "quorum_required": vote.quorum_required,
            "votes_required": vote.votes_required, "allow_proxies": allow_proxies}, actor=actor.username)
        uow.commit()
    return vote


def _new_receipt() -> tuple[str, str]:
    raw = secrets.token_hex(8).upper()
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4)), receipt_hash(raw)


def receipt_hash(code: str) -> str:
    """The SHA-256 a receipt code is published as (dashes, spaces and case ignored)."""
    return hashlib.sha256(code.replace("-", "").replace(" ", "").upper().encode()).hexdigest()


def _rewrite_secret_ballots(session: Session, vote_id: int, choice: str) -> None:
    """Add one secret ballot, leaving nothing that tells which ballot was added last.

    The ballot row has no voter, no time and a random uuid4 key, but a database also remembers order:
    SQLite's hidden rowid grows with each insert, and PostgreSQL stores rows in insertion order (ctid) and
    stamps each with its transaction id (xmin), the same one the participation row written beside it
    gets. So every cast deletes the vote's ballots and inserts them all again, with new random ids, in a
    random order, in the casting transaction: afterwards every ballot of the vote carries the newest
    transaction id and a position that says nothing. (The table is also WITHOUT ROWID on SQLite.) The cost
    is linear in the ballots cast so far, about 600 small rows per cast at the largest congress.
    Out of reach, as design.md says: someone reading the live database, its WAL or its dead tuples
    between two casts.
    """
    choices = list(session.scalars(select(SecretBallot.choice).where(SecretBallot.vote_id == vote_id)))
    session.execute(delete(SecretBallot).where(SecretBallot.vote_id == vote_id))
    choices.append(choice)
    _RANDOM.shuffle(choices)
    session.execute(insert(SecretBallot), [{"id": str(uuid.uuid4()), "vote_id": vote_id, "choice": c}
                                           for c in choices])


def _has_voted(session: Session, vote: Vote, representative_id: int) -> bool:
    table = Participation if vote.kind == "secret" else NamedBallot
    return session.get(table, (vote.id, representative_id)) is not None


def cast_ballot(uow: UnitOfWork, vote_id: int, choice: str, *, actor: Actor,
                representative_id: int | None = None) -> dict[str, Any]:
    """Cast a representative's one ballot; it is final.

    A secret ballot writes a participation row (who) and a ballot row (what) with nothing linking them,
    in one transaction; the voter gets a receipt code, shown once, whose hash is published at the close.

    Returns:
        {vote_id, representative_id, kind, receipt}; ``receipt`` is None for a named vote.

    Raises:
        NotFound. ValidationFailed: unknown choice. Conflict: the vote is not open, is a paper vote, or
        this representative has voted already. Forbidden: the caller is not a seated representative who
        checked in before the vote opened, or casts for someone else where proxies are not allowed.
    """
    if choice not in CHOICES:
        raise ValidationFailed(f"choice must be one of {', '.join(CHOICES)}", {"choice": [choice]})
    with uow:
        s = uow.session
        vote = _vote(s, vote_id, lock=True)  # serialises the casts of one vote (and a cast with the close)
        if vote.status != "open":
            raise Conflict(f"vote {vote_id} is {vote.status}")
        if vote.kind == "analog":
            raise Conflict(f"vote {vote_id} is a paper vote: its totals are entered by the presidium")
        meeting = get_meeting(s, get_matter(s, vote.matter_id).meeting_id)
        own = seat_of(s, meeting, actor)
        target = own
        if representative_id is not None and representative_id != own.id:
            if not vote.allow_proxies:
                raise Forbidden("a representative votes only for themselves: this vote allows no proxies")
            target = s.scalar(roster.seated_query(meeting.term_id, meeting.held_on)
                              .where(Representative.id == representative_id))
            if target is None:
                raise Forbidden(f"representative {representative_id} is not seated on {meeting.held_on}")
        check = s.get(CheckIn, (meeting.id, own.id))
        if check is None or check.checked_in_at > vote.opened_at:
            raise Forbidden(f"representative {own.id} did not check in before vote {vote_id} opened")
        if _has_voted(s, vote, target.id):
            raise Conflict(f"representative {target.id} has already voted in vote {vote_id}; a ballot is final")
        receipt = None
        if vote.kind == "secret":
            receipt, digest = _new_receipt()
            s.add(Participation(vote_id=vote.id, representative_id=target.id, receipt_hash=digest,
                                cast_by=actor.username))
            s.flush()
            _rewrite_secret_ballots(s, vote.id, choice)
            uow.audit(meeting_chain(meeting.id), "vote.participated", {"vote_id": vote.id,
                                                                       "representative_id": target.id},
                      actor=actor.username)
        else:
            s.add(NamedBallot(vote_id=vote.id, representative_id=target.id, choice=choice, cast_at=uow.now(),
                              cast_by=actor.username))
            uow.audit(meeting_chain(meeting.id), "ballot.cast", {"vote_id": vote.id, "representative_id": target.id,
                                                                 "choice": choice}, actor=actor.username)
        uow.commit()
    return {"vote_id": vote_id, "representative_id": target.id, "kind": vote.kind, "receipt": receipt}


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

    The item is adopted only when the votes for reach ``votes_required``, counted against ALL seated
    representatives (民主管理规定 第20条 过半数, or 集体合同规定 第36条 半数以上 if opened so).

    Args:
        totals: for a paper vote only: ballots_issued, ballots_cast, valid, for, against, abstain.

    Raises:
        NotFound. Conflict: the vote is already closed. ValidationFailed: totals missing, inconsistent,
        or given for an electronic vote.
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
        # A diagram waiting at its "voting" stage moves on in this transaction (design.md, conventions).
        route_message(uow, "vote.closed", {"vote_id": vote.id}, {"matter_id": vote.matter_id, **result_of(vote)},
                      actor=actor.username)
        # Diagrams that put a draft on the agenda know only its matter (the vote is opened later in session).
        route_message(uow, "vote.closed", {"matter_id": vote.matter_id}, {"vote_id": vote.id, **result_of(vote)},
                      actor=actor.username)
        uow.commit()
    return vote


def get_vote(uow: UnitOfWork, vote_id: int) -> Vote:
    """Raises: NotFound."""
    with uow:
        return _vote(uow.session, vote_id)


def list_votes(uow: UnitOfWork, meeting_id: int) -> list[Vote]:
    """The votes of a meeting in agenda order. Raises: NotFound."""
    with uow:
        get_meeting(uow.session, meeting_id)
        return list(uow.session.scalars(select(Vote).join(Matter, Matter.id == Vote.matter_id)
                                        .where(Matter.meeting_id == meeting_id).order_by(Matter.position)))


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
