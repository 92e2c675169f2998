"""Election rounds and their ballots: opening a round (the first among every candidate, a further one among
those the rule names), a ballot's marks checked against the seats, and the cast, secret by default.

A secret ballot is sealed exactly as a secret vote's (`ballot_keys`): encrypted to the round's public key whose
private half is a file outside the database until the close, padded to one length for the whole round, beside
a participation row that says who took part and nothing of what they marked; the voter gets a receipt code.
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.identity import Actor
from engine.notifications import notify
from engine.unit_of_work import UnitOfWork
from workflows import rules as r
from workflows.congress import alerts, scrutineers
from workflows.congress.ballot_keys import BallotKeys, Sender, ballot_keys_of
from workflows.congress.ballots import _new_receipt, check_quorum
from workflows.congress.election_tables import (
    Election,
    ElectionNamedBallot,
    ElectionParticipation,
    ElectionRound,
    ElectionSealedBallot,
)
from workflows.congress.elections import (
    candidates_of,
    get_election,
    meeting_of,
    next_round_plan,
    posts_of,
    rounds_of,
)
from workflows.congress.meetings import get_matter, meeting_chain, seat_of
from workflows.congress.tables import CheckIn
from workflows.errors import RuleViolation
from workflows.records import fetch

MARKS = {"for": "f", "against": "a", "abstain": "n"}
WRITE_IN_LENGTH = 20


def election_keys(uow: UnitOfWork) -> BallotKeys:
    """The key folder of election rounds: a sub-folder of the votes' one, so a round never meets a vote's key."""
    return BallotKeys(ballot_keys_of(uow).folder / "elections")


def get_round(session: Session, round_id: int, *, lock: bool = False) -> ElectionRound:
    """Raises: NotFound."""
    return fetch(session, ElectionRound, round_id, "election round", lock=lock)


def meeting_of_round(session: Session, rnd: ElectionRound):
    return meeting_of(session, session.get(Election, rnd.election_id))


def _first_round(session: Session, election: Election, rules: r.Rules) -> tuple[dict[str, int], list[int], str]:
    standing = candidates_of(session, election.id)
    seats, on_ballot = {}, []
    for post in posts_of(session, election.id):
        mine = [c.id for c in standing if c.post_id == post.id]
        if election.competitive and not r.competitive_margin_met(len(mine), post.seats, rules):
            needed = post.seats + rules.election_competitive_min_extra
            raise RuleViolation(
                f"{post.title}: a competitive election (差额选举) needs at least {needed}"
                f" candidates for {post.seats} seat(s); {len(mine)} are nominated", "election_competitive_min_extra",
                {"post_id": [post.id], "candidates": [len(mine)], "seats": [post.seats]})
        if not election.competitive and len(mine) != post.seats:
            raise RuleViolation(f"{post.title}: an equal election (等额选举) has as many candidates as seats "
                                f"({post.seats}); {len(mine)} are nominated", "equal_election",
                                {"post_id": [post.id], "candidates": [len(mine)], "seats": [post.seats]})
        seats[str(post.id)] = post.seats
        on_ballot += mine
    return seats, on_ballot, "first"


def _tell_representatives(uow: UnitOfWork, rnd: ElectionRound, matter, meeting) -> int:
    """Every representative seated in the meeting (with an account) learns that the round is open."""
    return notify(uow, alerts.seated_usernames(uow, meeting), "vote.opened",
                  f"选举开始：{matter.title}（第{rnd.number}轮）",
                  f"本次会议的“{matter.title}”第{rnd.number}轮投票已开始，请投票。(An election round is open.)",
                  f"/congress/election-rounds/{rnd.id}/ballot", f"election.opened/{rnd.id}")


def open_round(uow: UnitOfWork, election_id: int, *, rules: r.Rules, actor: Actor) -> ElectionRound:
    """Open the election's next round: the first among all candidates, or a further round as the rule names.

    Raises:
        NotFound. Conflict: the meeting is not in session, a round is open or not yet published, or nothing is
        left to elect. RuleConflict ``scrutineers_approved``: no approved scrutineers; ``congress_quorum``: fewer
        than 2/3 present. RuleViolation ``election_competitive_min_extra`` / ``equal_election``: the candidates do
        not fit the kind of election.
    """
    with uow:
        s = uow.session
        election = get_election(s, election_id, lock=True)
        matter = get_matter(s, election.matter_id)
        meeting = meeting_of(s, election)
        if meeting.status != "in_session":
            raise Conflict(f"meeting {meeting.id} is {meeting.status}, not in session")
        rounds = rounds_of(s, election_id)
        if rounds and rounds[-1].status != "published":
            raise Conflict(f"round {rounds[-1].number} of election {election_id} is {rounds[-1].status}: publish "
                           "its result before another round")
        if election.status == "finished":
            raise Conflict(f"election {election_id} is finished")
        scrutineers.require_approved(s, meeting.id)
        if not rounds:
            seats, on_ballot, reason = _first_round(s, election, rules)
        else:
            plan = next_round_plan(s, election, rounds)
            if plan is None:
                raise Conflict(f"election {election_id} has no seat left to fill by a further round")
            seats, on_ballot, reason = plan["seats"], plan["candidates"], plan["reason"]
        seated, present = check_quorum(s, meeting, rules)
        rnd = ElectionRound(election_id=election_id, number=len(rounds) + 1, status="open", secret=election.secret,
                            reason=reason, seats=seats, candidates=on_ballot, opened_at=uow.now(),
                            opened_by=actor.username, seated=seated, present=present,
                            quorum_required=r.quorum_required(seated, rules),
                            votes_required=r.votes_required(seated, rules), majority=rules.adoption_rule.value)
        s.add(rnd)
        s.flush()
        if rnd.secret:  # the private key goes to a file outside the database, never into it
            rnd.ballot_key = election_keys(uow).create(rnd.id)
        election.status = "running"
        uow.audit(meeting_chain(meeting.id), "election.round_opened", {
            "election_id": election_id, "round_id": rnd.id, "number": rnd.number, "reason": reason,
            "seats": seats, "candidates": on_ballot, "secret": rnd.secret, "seated": seated, "present": present,
            "votes_required": rnd.votes_required}, actor=actor.username)
        _tell_representatives(uow, rnd, matter, meeting)
        uow.commit()
    return rnd


def ballot_layout(session: Session, rnd: ElectionRound) -> list[dict[str, Any]]:
    """The round's ballot: per post its seats in this round, marks allowed, write-ins, and its candidates."""
    election = session.get(Election, rnd.election_id)
    on_ballot = set(rnd.candidates)
    candidates = [c for c in candidates_of(session, election.id, standing=False) if c.id in on_ballot]
    layout = []
    for post in posts_of(session, election.id):
        if str(post.id) not in rnd.seats:
            continue
        seats = rnd.seats[str(post.id)]
        layout.append({"post": post, "seats": seats, "max_choices": min(post.max_choices, seats),
                       "write_in": post.write_in and election.kind == "election",
                       "candidates": [c for c in candidates if c.post_id == post.id]})
    return layout


def pad_length(layout: list[dict[str, Any]]) -> int:
    """The bytes every sealed ballot of the round is padded to, whatever it marks or writes in."""
    return 64 + sum(16 + 24 * len(p["candidates"]) + (p["max_choices"] * (3 * WRITE_IN_LENGTH + 8)
                                                      if p["write_in"] else 0) for p in layout)


def normalise(election: Election, layout: list[dict[str, Any]], marks: dict[Any, str],
              write_ins: dict[Any, list[str]] | None) -> dict[str, Any]:
    """A ballot's marks in canonical form ``{"m": {candidate: f|a|n}, "w": {post: [names]}}``.

    ``approve``: for / against / abstain per candidate, an unmarked candidate counting as abstain; ``choose``:
    ``for`` on the candidates chosen. Per post, the candidates marked ``for`` plus the names written in are at
    most the marks allowed (as many as the seats of the round).

    Raises:
        ValidationFailed: a candidate not on this ballot, an unknown mark, too many marks, a write-in where
        none is allowed or a name that is empty, too long, repeated or already on the ballot.
    """
    marks = {str(k): v for k, v in (marks or {}).items()}
    write_ins = {str(k): v for k, v in (write_ins or {}).items()}
    by_post = {str(p["post"].id): p for p in layout}
    on_ballot = {str(c.id): c for p in layout for c in p["candidates"]}
    if stranger := [k for k in marks if k not in on_ballot]:
        raise ValidationFailed("not a candidate on this ballot", {"marks": stranger})
    allowed = ("for",) if election.method == "choose" else tuple(MARKS)
    if bad := [k for k, v in marks.items() if v not in allowed]:
        raise ValidationFailed(f"a mark is one of {', '.join(allowed)}", {"marks": bad})
    if stranger := [k for k in write_ins if k not in by_post]:
        raise ValidationFailed("not a post on this ballot", {"write_ins": stranger})
    out: dict[str, Any] = {"m": {}, "w": {}}
    for key, post in by_post.items():
        names = [" ".join(str(n).split()) for n in write_ins.get(key) or []]
        names = [n for n in names if n]
        if names and not post["write_in"]:
            raise ValidationFailed(f"{post['post'].title}: no write-in (另选他人) on this ballot", {"write_ins": [key]})
        taken = {c.name for c in post["candidates"]}
        if [n for n in names if len(n) > WRITE_IN_LENGTH or n in taken] or len(set(names)) != len(names):
            raise ValidationFailed(f"{post['post'].title}: a name written in is at most {WRITE_IN_LENGTH} characters, "
                                   "written once, and not a candidate on the ballot", {"write_ins": [key]})
        in_favour = 0
        for candidate in post["candidates"]:
            mark = marks.get(str(candidate.id), "abstain" if election.method == "approve" else None)
            if mark is not None:
                out["m"][str(candidate.id)] = MARKS[mark]
                in_favour += mark == "for"
        if in_favour + len(names) > post["max_choices"]:
            raise ValidationFailed(f"{post['post'].title}: at most {post['max_choices']} in favour, write-ins "
                                   f"included; this ballot has {in_favour + len(names)}", {"marks": [key]})
        if names:
            out["w"][key] = names
    return out


def _seal(keys: BallotKeys, rnd: ElectionRound, payload: bytes, pad: int) -> bytes:
    if len(payload) > pad:  # cannot happen: normalise bounds every part of the payload
        raise ValidationFailed("the ballot is longer than the round allows", {"marks": ["too long"]})
    sender = Sender(rnd.ballot_key, rnd.id)
    nonce = os.urandom(12)
    return sender.epub + nonce + sender.box.encrypt(nonce, payload.ljust(pad, b"\0"), None)


def cast(uow: UnitOfWork, round_id: int, marks: dict[Any, str], *, actor: Actor,
         write_ins: dict[Any, list[str]] | None = None) -> dict[str, Any]:
    """Cast a representative's one ballot in a round; it is final. Returns {round_id, kind, receipt}.

    Raises:
        NotFound. ValidationFailed: see `normalise`. Conflict: the round is not open, or this representative
        has voted already. Forbidden: not a seated representative checked in before the round opened.
    """
    with uow:
        s = uow.session
        rnd = get_round(s, round_id, lock=True)  # serialises the casts of one round (and a cast with the close)
        if rnd.status != "open":
            raise Conflict(f"election round {round_id} is {rnd.status}")
        election = s.get(Election, rnd.election_id)
        meeting = meeting_of(s, election)
        rep = seat_of(s, meeting, actor)
        check = s.get(CheckIn, (meeting.id, rep.id))
        if check is None or check.checked_in_at > rnd.opened_at:
            raise Forbidden(f"representative {rep.id} did not check in before election round {round_id} opened")
        table = ElectionParticipation if rnd.secret else ElectionNamedBallot
        if s.get(table, (round_id, rep.id)) is not None:
            raise Conflict(f"representative {rep.id} has already voted in election round {round_id}; a ballot is final")
        layout = ballot_layout(s, rnd)
        ballot = normalise(election, layout, marks, write_ins)
        payload = json.dumps(ballot, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        receipt = None
        if rnd.secret:
            receipt, digest = _new_receipt()
            s.add(ElectionParticipation(round_id=round_id, representative_id=rep.id, receipt_hash=digest,
                                        cast_by=actor.username))
            s.add(ElectionSealedBallot(id=str(uuid.uuid4()), round_id=round_id,
                                       sealed=_seal(election_keys(uow), rnd, payload.encode(), pad_length(layout))))
            uow.audit(meeting_chain(meeting.id), "election.participated", {
                "round_id": round_id, "representative_id": rep.id}, actor=actor.username)
        else:
            s.add(ElectionNamedBallot(round_id=round_id, representative_id=rep.id, content=payload,
                                      cast_at=uow.now(), cast_by=actor.username))
            uow.audit(meeting_chain(meeting.id), "election.ballot_cast", {
                "round_id": round_id, "representative_id": rep.id, "ballot": ballot}, actor=actor.username)
        uow.commit()
    return {"round_id": round_id, "representative_id": rep.id, "kind": "secret" if rnd.secret else "named",
            "receipt": receipt}


def has_voted(session: Session, rnd: ElectionRound, representative_id: int) -> bool:
    table = ElectionParticipation if rnd.secret else ElectionNamedBallot
    return session.get(table, (rnd.id, representative_id)) is not None


def cast_count(session: Session, rnd: ElectionRound) -> int:
    table = ElectionParticipation if rnd.secret else ElectionNamedBallot
    return session.scalar(select(func.count()).select_from(table).where(table.round_id == rnd.id)) or 0

