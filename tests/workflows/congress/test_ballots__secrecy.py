"""Secret ballots: nothing in the database links a participation row to a choice; receipts; the seal.

What copies of the database's history show during a vote: test_ballots__sealed.py.
"""

from __future__ import annotations

import json
import random
import uuid
from collections import Counter

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

import workflows.congress.tables  # noqa: F401  (registers the tables before PostgreSQL's create_all)
from engine import audit
from engine.errors import Conflict
from workflows.congress import ballots, meetings, tally

from helpers.congress import CHAIR, convened_meeting, rep

SEATS = 60
# Who votes how, in the order they vote: a fixed shuffle, so that no ordering of choices (by choice
# itself, say) matches it except by chance.
PATTERN = ["for"] * 30 + ["against"] * 30
random.Random(20260302).shuffle(PATTERN)
LEAK_LIMIT = 48  # matching positions out of 60: about 30 by chance (sd ~3.9); 60 if an order followed casting


def matches(sequence: list[str]) -> int:
    """Positions where a sequence of ballot choices agrees with the choices in participation order."""
    return max(sum(a == b for a, b in zip(sequence, PATTERN, strict=True)),
               sum(a != b for a, b in zip(sequence, PATTERN, strict=True)))


def build_secret_vote(services) -> dict:
    """An open secret vote of 60 in which representative i, in this order, voted PATTERN[i-1]."""
    ids = convened_meeting(services, SEATS, present=SEATS, women_count=0, managers=0, women=SEATS)
    item = meetings.add_matter(services.uow(), ids["meeting_id"], matter_type="welfare_fund_plan", title="福利基金",
                               actor=CHAIR)
    v = ballots.open_vote(services.uow(), item.id, rules=services.rules, actor=CHAIR)
    assert v.kind == "secret"
    receipts = {i: ballots.cast_ballot(services.uow(), v.id, PATTERN[i - 1], actor=rep(i))["receipt"]
                for i in range(1, SEATS + 1)}
    return {"vote_id": v.id, "meeting": ids["meeting_id"], "receipts": receipts}


# The 60 seats, their check-ins and casts take a while: built once per worker (a copy per test, see conftest.py).
with_secret_vote = pytest.mark.prebuilt.with_args(build_secret_vote)  # with_args: the argument is a function


@pytest.fixture
def secret_vote(prebuilt) -> dict:
    return prebuilt


def close(services, vote_id: int):
    return tally.close_vote(services.uow(), vote_id, rules=services.rules, actor=CHAIR)


def rows(services, sql: str) -> list:
    with services.db.connect() as conn:
        return conn.execute(text(sql)).all()


@with_secret_vote
def test_secret_ballot_rows_carry_no_voter_no_time_and_nothing_shared_with_participation(services, secret_vote):
    insp = inspect(services.db)
    ballot_cols = {c["name"] for c in insp.get_columns("congress_secret_ballots")}
    sealed_cols = {c["name"] for c in insp.get_columns("congress_sealed_ballots")}
    participation_cols = {c["name"] for c in insp.get_columns("congress_participation")}
    assert ballot_cols == {"id", "vote_id", "choice"} and sealed_cols == {"id", "vote_id", "sealed"}
    assert ballot_cols & participation_cols == sealed_cols & participation_cols == {"vote_id"}
    assert participation_cols == {"vote_id", "representative_id", "receipt_hash", "cast_by"}
    for table in ("congress_secret_ballots", "congress_sealed_ballots", "congress_participation"):
        assert not [c for c in insp.get_columns(table) if "TIME" in str(c["type"]).upper()
                    or "DATE" in str(c["type"]).upper()], f"{table} has a time column"
    for table in ("congress_secret_ballots", "congress_sealed_ballots"):
        assert [(fk["constrained_columns"], fk["referred_table"]) for fk in
                insp.get_foreign_keys(table)] == [(["vote_id"], "congress_votes")]


@with_secret_vote
def test_ballots_equal_participants_after_a_secret_vote(services, secret_vote):
    vote_id = secret_vote["vote_id"]
    [(participants,)] = rows(services, f"SELECT COUNT(*) FROM congress_participation WHERE vote_id = {vote_id}")
    [(sealed,)] = rows(services, f"SELECT COUNT(*) FROM congress_sealed_ballots WHERE vote_id = {vote_id}")
    assert participants == sealed == SEATS
    assert rows(services, "SELECT COUNT(*) FROM congress_secret_ballots") == [(0,)]  # no choice before the close
    close(services, vote_id)
    choices = Counter(c for (c,) in rows(services, f"SELECT choice FROM congress_secret_ballots "
                                                   f"WHERE vote_id = {vote_id}"))
    assert choices == Counter(PATTERN)
    assert rows(services, "SELECT COUNT(*) FROM congress_sealed_ballots") == [(0,)]
    report = tally.verify(services.uow(readonly=True), vote_id)
    assert {k: report[k] for k in ("participants", "ballots", "ballots_equal_participants", "tally_matches_result",
                                   "seal_matches", "audit_ok")} == {
        "participants": 60, "ballots": 60, "ballots_equal_participants": True, "tally_matches_result": True,
        "seal_matches": True, "audit_ok": True}


@with_secret_vote
def test_secret_ballot_ids_are_random_uuid4(services, secret_vote):
    sealed = [i for (i,) in rows(services, "SELECT id FROM congress_sealed_ballots")]
    close(services, secret_vote["vote_id"])
    counted = [i for (i,) in rows(services, "SELECT id FROM congress_secret_ballots")]
    ids = sealed + counted  # the counted ballots get new ids: nothing carries over from the sealed ones
    assert len(set(ids)) == 2 * SEATS and all(uuid.UUID(i).version == 4 for i in ids)
    hashes = {h for (h,) in rows(services, "SELECT receipt_hash FROM congress_participation")}
    assert not hashes & set(ids)


@with_secret_vote
def test_no_order_of_counted_ballot_rows_follows_the_order_of_participation(services, secret_vote, backend):
    assert matches(PATTERN) == SEATS > LEAK_LIMIT  # the measure sees a leak when there is one
    close(services, secret_vote["vote_id"])  # before it there are only sealed ballots (test_ballots__sealed.py)
    orders = ["", "ORDER BY id", "ORDER BY id DESC", "ORDER BY vote_id", "ORDER BY choice", "ORDER BY choice DESC"]
    if backend == "postgres":
        orders += ["ORDER BY ctid", "ORDER BY ctid DESC", "ORDER BY xmin::text::bigint"]
        xmins = rows(services, "SELECT DISTINCT xmin::text FROM congress_secret_ballots")
        assert len(xmins) == 1, "every counted ballot carries the transaction id of the close"
    else:
        with pytest.raises(Exception, match="rowid"):
            rows(services, "SELECT rowid FROM congress_secret_ballots")
    for order in orders:
        sequence = [c for (c,) in rows(services, f"SELECT choice FROM congress_secret_ballots {order}")]
        assert matches(sequence) <= LEAK_LIMIT, f"ballots {order or '(storage order)'} follow the casting order"


@with_secret_vote
def test_seal_records_the_choices_in_random_order_and_the_receipts_counted(services, secret_vote):
    vote_id = secret_vote["vote_id"]
    with pytest.raises(Conflict):
        tally.published_receipts(services.uow(readonly=True), vote_id)
    closed = close(services, vote_id)
    [(payload, digest)] = rows(services, "SELECT payload, hash FROM audit_events WHERE event_type = 'vote.sealed'")
    sealed = json.loads(payload)
    assert digest == closed.seal_hash
    assert set(sealed) == {"vote_id", "matter_id", "rule", "result", "ballots", "receipts"}
    assert Counter(sealed["ballots"]) == Counter(PATTERN) and matches(sealed["ballots"]) <= LEAK_LIMIT
    assert sealed["receipts"] == sorted(h for (h,) in rows(services, "SELECT receipt_hash FROM congress_participation"))
    assert sealed["result"]["for"] == 30 and sealed["result"]["outcome"] == "rejected"
    with Session(services.db) as session:
        assert audit.verify(session).ok


@with_secret_vote
def test_receipt_shows_the_ballot_was_counted_without_revealing_the_choice(services, secret_vote):
    vote_id, receipts = secret_vote["vote_id"], secret_vote["receipts"]
    close(services, vote_id)
    published = tally.published_receipts(services.uow(readonly=True), vote_id)
    assert len(published) == SEATS and published == sorted(published)
    assert all(tally.receipt_counted(services.uow(readonly=True), vote_id, code) for code in receipts.values())
    assert tally.receipt_counted(services.uow(readonly=True), vote_id, receipts[1].lower().replace("-", " "))
    assert not tally.receipt_counted(services.uow(readonly=True), vote_id, "0000-0000-0000-0000")
    [(stored,)] = rows(services, "SELECT COUNT(*) FROM congress_participation WHERE receipt_hash = "
                                 f"'{ballots.receipt_hash(receipts[1])}'")
    stored_rows = rows(services, "SELECT * FROM congress_participation")
    assert stored == 1 and all(receipts[1] not in str(r) for r in stored_rows)


@with_secret_vote
def test_participation_events_in_the_audit_trail_carry_no_choice(services, secret_vote):
    payloads = [json.loads(p) for (p,) in rows(services, "SELECT payload FROM audit_events "
                                                         "WHERE event_type = 'vote.participated'")]
    assert len(payloads) == SEATS and all(set(p) == {"vote_id", "representative_id"} for p in payloads)
    assert rows(services, "SELECT COUNT(*) FROM audit_events WHERE event_type = 'ballot.cast'") == [(0,)]


@with_secret_vote
def test_secret_ballots_stay_sealed_until_the_close(services, secret_vote):
    with pytest.raises(Conflict):
        tally.ballots(services.uow(readonly=True), secret_vote["vote_id"])
    close(services, secret_vote["vote_id"])
    shown = tally.ballots(services.uow(readonly=True), secret_vote["vote_id"])
    assert shown["named"] == [] and Counter(shown["choices"]) == Counter(PATTERN)


def test_concurrent_secret_ballots_keep_ballots_equal_to_participants(services):
    """Casts racing each other (and a repeated cast) never lose or duplicate a ballot."""
    from concurrent.futures import ThreadPoolExecutor

    ids = convened_meeting(services, 30, present=30, headcount=600, women_count=0, managers=0, women=30,
                           name="并发公司")
    item = meetings.add_matter(services.uow(), ids["meeting_id"], matter_type="election", title="职工董事", actor=CHAIR)
    vote_id = ballots.open_vote(services.uow(), item.id, rules=services.rules, actor=CHAIR).id

    def cast(i: int) -> str:
        try:
            ballots.cast_ballot(services.uow(), vote_id, PATTERN[i], actor=rep(i % 30 + 1))
            return "ok"
        except Conflict:
            return "conflict"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = Counter(pool.map(cast, range(36)))  # representatives 1..6 try twice
    assert outcomes == {"ok": 30, "conflict": 6}
    closed = close(services, vote_id)
    report = tally.verify(services.uow(readonly=True), vote_id)
    assert closed.ballots_cast == report["participants"] == report["ballots"] == 30
    assert report["ballots_equal_participants"] and report["tally_matches_result"] and report["audit_ok"]
