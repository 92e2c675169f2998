"""Votes on agenda items: opening, named and secret ballots, paper totals, tallies, receipts and the seal."""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.identity import Actor
from engine.unit_of_work import UnitOfWork
from workflows import rules as r
from workflows.congress import alerts, amendments, roster
from workflows.congress.ballot_keys import ballot_keys_of
from workflows.congress.matter_modes import VOTING_MODES
from workflows.congress.meetings import get_matter, get_meeting, meeting_chain, present_ids, seat_of
from workflows.congress.tables import (
    CheckIn,
    Matter,
    NamedBallot,
    Participation,
    Representative,
    SealedBallot,
    Vote,
)
from workflows.errors import RuleConflict, RuleViolation
from workflows.records import fetch

CHOICES = ("for", "against", "abstain")
TOTALS = ("ballots_issued", "ballots_cast", "valid", "for", "against", "abstain")


def _variant(rules: r.Rules, majority: str) -> r.Rules:
    return dataclasses.replace(rules, adoption_rule=r.Majority(majority))


def _vote(session: Session, vote_id: int, *, lock: bool = False) -> Vote:
    return fetch(session, Vote, vote_id, "vote", lock=lock)


def check_quorum(session, meeting, rules: r.Rules, majority: r.Majority | str | None = None) -> tuple[int, int]:
    """(seated, present) when at least 2/3 of all seated representatives have checked in.

    Raises:
        RuleConflict ``congress_quorum``: fewer are present (民主管理规定 第20条; 集体合同规定 第36条).
    """
    variant = _variant(rules, r.Majority(majority or rules.adoption_rule))
    seated = len(roster.seated(session, meeting.term_id, meeting.held_on))
    present = len(present_ids(session, meeting))
    if not seated or not r.quorum_met(present, seated, variant):
        needed = r.quorum_required(seated, variant) if seated else 1
        raise RuleConflict(f"a vote needs {needed} of the {seated} seated representatives present "
                           f"({rules.congress_quorum}); {present} have checked in", "congress_quorum",
                           {"present": [present], "seated": [seated], "quorum_required": [needed]})
    return seated, present


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
        RuleConflict ``congress_quorum``: fewer than 2/3 of all seated representatives are present;
            ``amendments_first``: an amendment to the draft is not decided yet.
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
        amendments.require_amendments_decided(s, matter_id)
        from workflows.congress.election_tables import Election  # an election set up on the matter runs its rounds

        if s.scalar(select(Election.id).where(Election.matter_id == matter_id)) is not None:
            raise Conflict(f"matter {matter_id} is held as an election with candidates: open its rounds instead")
        if majority is not rules.adoption_rule and majority is r.Majority.AT_LEAST_HALF \
                and not matter.at_least_half_allowed:
            raise RuleViolation("半数以上 applies to collective-contract drafts only (集体合同规定 第36条); this "
                                "matter needs 过半数 of all representatives (民主管理规定 第20条)", "adoption_rule",
                                {"majority": [majority.value]})
        if allow_proxies and not rules.proxies_allowed:
            raise RuleViolation("proxy ballots are not allowed by this congress's rules (RULE_PROXIES_ALLOWED)",
                                "proxies_allowed", {"allow_proxies": ["not allowed"]})
        variant = _variant(rules, majority)
        seated, present = check_quorum(s, meeting, rules, majority)
        vote = Vote(matter_id=matter_id, kind="analog" if analog else ("secret" if matter.secret else "named"),
                    secret=matter.secret, majority=majority.value, rule=f"{majority.value}_of_all_seated",
                    allow_proxies=allow_proxies, status="open", opened_at=uow.now(), opened_by=actor.username,
                    seated=seated, present=present, quorum_required=r.quorum_required(seated, variant),
                    votes_required=r.votes_required(seated, variant))
        s.add(vote)
        s.flush()
        if vote.kind == "secret":  # the private key goes to a file outside the database, never into it
            vote.ballot_key = ballot_keys_of(uow).create(vote.id)
        uow.audit(meeting_chain(meeting.id), "vote.opened", {
            "vote_id": vote.id, "matter_id": matter_id, "kind": vote.kind, "rule": vote.rule,
            "seated": seated, "present": present, "quorum_required": vote.quorum_required,
            "votes_required": vote.votes_required, "allow_proxies": allow_proxies}, actor=actor.username)
        alerts.vote_opened(uow, vote, matter, meeting)
        uow.commit()
    return vote


def _new_receipt() -> tuple[str, str]:
    raw = secrets.token_hex(8).upper()
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4)), receipt_hash(raw)


def receipt_hash(code: str) -> str:
    """The SHA-256 a receipt code is published as (dashes, spaces and case ignored)."""
    return hashlib.sha256(code.replace("-", "").replace(" ", "").upper().encode()).hexdigest()


def _has_voted(session: Session, vote: Vote, representative_id: int) -> bool:
    table = Participation if vote.kind == "secret" else NamedBallot
    return session.get(table, (vote.id, representative_id)) is not None


def cast_ballot(uow: UnitOfWork, vote_id: int, choice: str, *, actor: Actor,
                representative_id: int | None = None) -> dict[str, Any]:
    """Cast a representative's one ballot; it is final.

    A secret ballot writes, in one transaction, a participation row (who) and a sealed ballot (what, encrypted
    to the vote's public key; see `ballot_keys`) with nothing linking them; the voter gets a receipt code,
    shown once, whose hash is published at the close.

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
            # O(1): the ballot is ciphertext of one length under the vote's public key, with a random id; the
            # copy of the database that pairs it with the participation row above learns nothing from it.
            if vote.ballot_key is None:
                raise Conflict(f"vote {vote_id} was opened without a ballot key (before the upgrade): close it "
                               "and hold it again")
            s.add(SealedBallot(id=str(uuid.uuid4()), vote_id=vote.id,
                               sealed=ballot_keys_of(uow).seal(vote.id, vote.ballot_key, choice)))
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


