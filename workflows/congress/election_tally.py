"""Counting an election round: the sealed ballots opened with the round's key, every candidate's votes, who is
elected under the rule (more than half of ALL seated representatives, 民主管理规定 第20条 / 1986 条例 第18条;
by votes in descending order when more qualify than seats), what a further round is held on (a tie, an unfilled
seat), the seal into the audit trail, published receipts and verification."""

from __future__ import annotations

import json
import random
import secrets
from collections import Counter
from typing import Any

from sqlalchemy import delete, func, insert, select, union
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import Conflict
from engine.identity import Actor
from engine.unit_of_work import UnitOfWork
from workflows import rules as r
from workflows.congress.ballot_keys import BallotKeyError, unseal
from workflows.congress.ballots import receipt_hash
from workflows.congress.election_ballots import ballot_layout, election_keys, get_round, meeting_of_round
from workflows.congress.election_notice import election_rule_text, further_round_text
from workflows.congress.election_tables import (
    Election,
    ElectionBallot,
    ElectionNamedBallot,
    ElectionParticipation,
    ElectionRound,
    ElectionSealedBallot,
)
from workflows.congress.meetings import meeting_chain, present_query
from workflows.congress.tally import _random_ids


def decide(seats: int, entries: list[dict[str, Any]], votes_required: int) -> dict[str, Any]:
    """Who of ``entries`` (each with ``key`` and ``for``) fills ``seats``.

    Elected: votes for reach ``votes_required`` (more than half of all seated); when more qualify than seats, the
    most votes first; those tied for the last seats are not elected and go to a further round for those seats.

    Returns:
        {"elected": [keys], "tied": [keys], "tie_seats": n, "unfilled": n}.
    """
    qualified = sorted((e for e in entries if e["for"] >= votes_required), key=lambda e: -e["for"])
    if len(qualified) <= seats:
        return {"elected": [e["key"] for e in qualified], "tied": [], "tie_seats": 0,
                "unfilled": seats - len(qualified)}
    cut = qualified[seats - 1]["for"]
    above = [e["key"] for e in qualified if e["for"] > cut]
    at_cut = [e["key"] for e in qualified if e["for"] == cut]
    if len(above) + len(at_cut) <= seats:  # the next one down has fewer votes: no tie
        return {"elected": above + at_cut, "tied": [], "tie_seats": 0, "unfilled": 0}
    return {"elected": above, "tied": at_cut, "tie_seats": seats - len(above), "unfilled": 0}


def _open_ballots(uow: UnitOfWork, rnd: ElectionRound) -> list[str]:
    """The round's ballots as canonical JSON: opened in memory from the sealed rows (secret; the counted
    ballots are written back in random order with new ids, the sealed rows and then the key file go) or read
    from the named ballots. Raises: BallotKeyError (the key is missing or a ballot does not open)."""
    s = uow.session
    if not rnd.secret:
        return list(s.scalars(select(ElectionNamedBallot.content).where(ElectionNamedBallot.round_id == rnd.id)))
    keys = election_keys(uow)
    private = keys.load(rnd.id, rnd.ballot_key)
    opened, cache = [], {}
    for box in s.scalars(select(ElectionSealedBallot.sealed).where(ElectionSealedBallot.round_id == rnd.id)):
        try:
            text = unseal(private, rnd.id, box, cache)
            json.loads(text)
        except Exception:  # noqa: BLE001  (InvalidTag, a damaged payload: nothing is counted)
            raise BallotKeyError(rnd.id, keys.path(rnd.id, rnd.ballot_key),
                                 "does not open every ballot (altered ballots?)") from None
        opened.append(text)
    random.Random(secrets.token_bytes(32)).shuffle(opened)
    conn = s.connection()
    conn.execute(delete(ElectionSealedBallot.__table__).where(ElectionSealedBallot.round_id == rnd.id))
    if opened:
        conn.execute(insert(ElectionBallot.__table__), [
            {"id": i, "round_id": rnd.id, "content": c} for i, c in zip(_random_ids(len(opened)), opened, strict=True)])
    spent = [(rnd.id, rnd.ballot_key), *s.execute(select(ElectionRound.id, ElectionRound.ballot_key).where(
        ElectionRound.id.in_(keys.vote_ids() - {rnd.id}), ElectionRound.status != "open",
        ElectionRound.ballot_key.is_not(None))).all()]
    uow.after_commit.append(lambda: [keys.destroy(round_id, key) for round_id, key in spent])
    return opened


def _post_result(post: dict[str, Any], ballots: list[dict[str, Any]], rnd: ElectionRound,
                 rules: r.Rules) -> dict[str, Any]:
    counts = {c.id: Counter() for c in post["candidates"]}
    written: Counter = Counter()
    for ballot in ballots:
        for cid, mark in ballot["m"].items():
            if int(cid) in counts:
                counts[int(cid)][mark] += 1
        written.update(ballot["w"].get(str(post["post"].id), []))
    entries = [{"key": f"c{c.id}", "candidate_id": c.id, "name": c.name, "write_in": False,
                "for": counts[c.id]["f"], "against": counts[c.id]["a"], "abstain": counts[c.id]["n"]}
               for c in post["candidates"]]
    entries += [{"key": f"w:{name}", "candidate_id": None, "name": name, "write_in": True, "for": n,
                 "against": None, "abstain": None} for name, n in sorted(written.items(), key=lambda x: -x[1])]
    decided = decide(post["seats"], entries, rnd.votes_required)
    for e in entries:
        e["qualified"] = e["for"] >= rnd.votes_required
        e["elected"], e["tied"] = e["key"] in decided["elected"], e["key"] in decided["tied"]
    entries.sort(key=lambda e: (-e["for"], e["write_in"]))
    further = None
    if decided["tied"]:
        tied = [e["candidate_id"] for e in entries if e["tied"] and e["candidate_id"]]
        further = {"reason": "tie", "seats": decided["tie_seats"], "candidates": tied}
    elif decided["unfilled"]:
        left = [e for e in entries if not e["elected"] and e["candidate_id"]]
        take = decided["unfilled"] + rules.election_competitive_min_extra
        if len(left) > take:  # those tied at the cut-off go in together
            left = [e for e in left if e["for"] >= left[take - 1]["for"]]
        further = {"reason": "unfilled", "seats": decided["unfilled"],
                   "candidates": [e["candidate_id"] for e in left]} if left else None
    return {"post_id": post["post"].id, "title": post["post"].title, "seats": post["seats"], "entries": entries,
            "elected": [e["name"] for e in entries if e["elected"]], "unfilled": decided["unfilled"],
            "tie_seats": decided["tie_seats"], "further": further}


def _count(uow: UnitOfWork, rnd: ElectionRound, election: Election,
           rules: r.Rules) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    s = uow.session
    ballots = [json.loads(c) for c in _open_ballots(uow, rnd)]
    meeting = meeting_of_round(s, rnd)
    table = ElectionParticipation if rnd.secret else ElectionNamedBallot
    voters = select(table.representative_id).where(table.round_id == rnd.id)
    issued = s.scalar(select(func.count()).select_from(union(present_query(meeting, rnd.opened_at), voters)
                                                       .subquery()))
    if len(ballots) != s.scalar(select(func.count()).select_from(voters.subquery())):
        raise Conflict(f"election round {rnd.id}: ballots and participants differ")  # one transaction writes both
    posts = [_post_result(p, ballots, rnd, rules) for p in ballot_layout(s, rnd)]
    return {"kind": election.kind, "seated": rnd.seated, "present": rnd.present, "ballots_issued": issued,
            "ballots_cast": len(ballots), "valid": len(ballots), "votes_required": rnd.votes_required,
            "majority": rnd.majority, "posts": posts,
            "rule": election_rule_text(rnd.seated, rnd.votes_required, "zh-CN", election.kind),
            "rule_en": election_rule_text(rnd.seated, rnd.votes_required, "en", election.kind),
            "further": [dict(p["further"], post_id=p["post_id"], title=p["title"],
                             text=further_round_text(p["further"]["reason"], rules, "zh-CN"),
                             text_en=further_round_text(p["further"]["reason"], rules, "en"))
                        for p in posts if p["further"] and election.kind == "election"]}, ballots


def close_round(uow: UnitOfWork, round_id: int, *, rules: r.Rules, actor: Actor) -> ElectionRound:
    """Close a round and count it; a secret round is sealed into the audit trail. The result is published only
    once every approved scrutineer has confirmed the count (`election_publish.publish`).

    Raises:
        NotFound. Conflict: the round is not open. RuleConflict ``ballot_key``: the key file is missing or a
        ballot does not open; nothing is counted and the round stays open.
    """
    with uow:
        s = uow.session
        rnd = get_round(s, round_id, lock=True)
        if rnd.status != "open":
            raise Conflict(f"election round {round_id} is {rnd.status}, not open")
        election = s.get(Election, rnd.election_id)
        result, ballots = _count(uow, rnd, election, rules)
        rnd.result, rnd.ballots_issued, rnd.ballots_cast = result, result["ballots_issued"], result["ballots_cast"]
        rnd.status, rnd.closed_at, rnd.closed_by = "closed", uow.now(), actor.username
        chain = meeting_chain(meeting_of_round(s, rnd).id)
        if rnd.secret:
            receipts = list(s.scalars(select(ElectionParticipation.receipt_hash)
                                      .where(ElectionParticipation.round_id == rnd.id)
                                      .order_by(ElectionParticipation.receipt_hash)))
            random.Random(secrets.token_bytes(32)).shuffle(ballots)
            event = uow.audit(chain, "election.sealed", {"round_id": rnd.id, "election_id": election.id,
                                                         "result": result, "ballots": ballots,
                                                         "receipts": receipts}, actor=actor.username)
            rnd.seal_hash = event.hash
        uow.audit(chain, "election.round_closed", {"round_id": rnd.id, "election_id": election.id,
                                                   "number": rnd.number, "result": result}, actor=actor.username)
        uow.commit()
    return rnd


def _sealed(session: Session, rnd: ElectionRound) -> dict[str, Any]:
    if not rnd.secret:
        raise Conflict(f"election round {rnd.id} is named: only secret rounds are sealed")
    if rnd.seal_hash is None:
        raise Conflict(f"election round {rnd.id} is still open: ballots and receipts are published at the close")
    from engine.models import AuditEvent

    event = session.scalar(select(AuditEvent).where(AuditEvent.event_type == "election.sealed",
                                                    AuditEvent.hash == rnd.seal_hash))
    return json.loads(event.payload)


def published_receipts(uow: UnitOfWork, round_id: int) -> list[str]:
    """The receipt hashes counted in a closed secret round (sorted). Raises: NotFound, Conflict."""
    with uow:
        return _sealed(uow.session, get_round(uow.session, round_id))["receipts"]


def receipt_counted(uow: UnitOfWork, round_id: int, code: str) -> bool:
    """Whether the ballot behind a receipt code was counted. Raises: NotFound, Conflict."""
    return receipt_hash(code) in published_receipts(uow, round_id)


def verify(uow: UnitOfWork, round_id: int) -> dict[str, Any]:
    """What an auditor checks of a closed secret round without learning who marked what: ballots equal
    participants, the stored ballots equal the seal, the receipts match, the audit chain is intact."""
    with uow:
        s = uow.session
        rnd = get_round(s, round_id)
        sealed = _sealed(s, rnd)
        stored = Counter(s.scalars(select(ElectionBallot.content).where(ElectionBallot.round_id == round_id)))
        hashes = sorted(s.scalars(select(ElectionParticipation.receipt_hash)
                                  .where(ElectionParticipation.round_id == round_id)))
        sealed_ballots = Counter(json.dumps(b, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
                                 for b in sealed["ballots"])
        return {"round_id": round_id, "participants": len(hashes), "ballots": sum(stored.values()),
                "ballots_equal_participants": len(hashes) == sum(stored.values()) == rnd.ballots_cast,
                "seal_matches": sealed_ballots == stored and sealed["receipts"] == hashes,
                "result_matches": sealed["result"] == rnd.result,
                "audit_ok": audit.verify(s, meeting_chain(meeting_of_round(s, rnd).id)).ok}
