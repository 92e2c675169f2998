"""Secret election rounds keep the secrecy of secret votes: ballots sealed to the round's key (kept outside the
database until the close) and padded to one length whatever they mark or write in, a participation row that
says nothing of the marks, receipts, the seal in the audit trail, and no count without the key."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, text

import workflows.congress.tables  # noqa: F401  (registers the tables before PostgreSQL's create_all)
from engine.models import AuditEvent
from workflows.congress import ballot_keys, election_ballots, election_tally

from helpers.congress import rep
from helpers.elections import close, election, meeting_with_scrutineers, open_round

WRITTEN = "诸葛孔明"  # a name written in (另选他人): it must not be readable anywhere before the close


def _secret_round(services):
    ids = meeting_with_scrutineers(services)
    made = election(services, ids, seats=2, candidates=3, method="approve")
    return made, open_round(services, made["election_id"])


def _cast(services, made, rnd, i: int):
    c1, c2, c3 = made["candidates"]
    marks = [{c1: "for", c2: "for", c3: "against"}, {c1: "against", c2: "abstain", c3: "for"}, {c1: "abstain"}][i % 3]
    write_ins = {made["post_id"]: [WRITTEN]} if i % 3 == 1 else None
    return election_ballots.cast(services.uow(), rnd.id, marks, actor=rep(i), write_ins=write_ins)["receipt"]


def _copy(services, folder: Path) -> bytes:
    folder.mkdir()
    database = Path(services.db.url.database)
    raw = b""
    for suffix in ("", "-wal"):
        if Path(f"{database}{suffix}").exists():
            shutil.copy(f"{database}{suffix}", folder / f"db{suffix}")
            raw += (folder / f"db{suffix}").read_bytes()
    return raw


def _key_files(services) -> list[Path]:
    folder = services.runtime.context["ballot_keys"].folder / "elections"
    return sorted(folder.glob("*.key")) if folder.exists() else []


def test_a_copy_taken_mid_round_holds_no_mark_and_no_name_written_in(services, keep_the_wal, tmp_path):
    made, rnd = _secret_round(services)
    receipts = [_cast(services, made, rnd, i) for i in range(1, 31)]
    raw = _copy(services, tmp_path / "mid")
    assert WRITTEN.encode() not in raw  # ten ballots wrote the name in: none of it is readable
    with services.db.connect() as conn:
        lengths = {len(b) for (b,) in conn.execute(text("SELECT sealed FROM congress_election_sealed"))}
        assert len(lengths) == 1  # one length, whatever the marks and the names written in
        assert conn.execute(text("SELECT COUNT(*) FROM congress_election_ballots")).scalar() == 0
        columns = {r[1] for r in conn.execute(text("PRAGMA table_info(congress_election_participation)"))}
    assert columns == {"round_id", "representative_id", "receipt_hash", "cast_by"}
    [key] = _key_files(services)
    assert key.read_bytes() not in raw and key.stat().st_mode & 0o077 == 0
    receipts += [_cast(services, made, rnd, i) for i in range(31, 61)]
    closed = close(services, rnd.id)
    assert _key_files(services) == []  # destroyed after the close
    assert WRITTEN.encode() in _copy(services, tmp_path / "after")  # counted ballots are stored at the close
    entries = {e["name"]: e for e in closed.result["posts"][0]["entries"]}
    assert entries[WRITTEN]["for"] == 20 and entries["代表1"]["for"] == 20 and entries["代表1"]["abstain"] == 20
    assert all(election_tally.receipt_counted(services.uow(readonly=True), rnd.id, code) for code in receipts)
    report = election_tally.verify(services.uow(readonly=True), rnd.id)
    assert report["ballots_equal_participants"] and report["seal_matches"] and report["audit_ok"]


def test_participation_events_carry_no_marks_and_the_seal_holds_ballots_without_voters(services):
    made, rnd = _secret_round(services)
    for i in range(1, 61):
        _cast(services, made, rnd, i)
    close(services, rnd.id)
    unit = services.uow(readonly=True)
    with unit:
        events = list(unit.session.scalars(select(AuditEvent).where(
            AuditEvent.event_type.in_(["election.participated", "election.sealed"]))))
    participated = [json.loads(e.payload) for e in events if e.event_type == "election.participated"]
    assert len(participated) == 60 and all(set(p) == {"round_id", "representative_id"} for p in participated)
    [sealed] = [json.loads(e.payload) for e in events if e.event_type == "election.sealed"]
    assert len(sealed["ballots"]) == 60 and len(sealed["receipts"]) == 60
    assert all(set(b) == {"m", "w"} for b in sealed["ballots"])


def test_a_lost_key_stops_the_count_and_the_round_stays_open(services):
    made, rnd = _secret_round(services)
    for i in range(1, 6):
        _cast(services, made, rnd, i)
    [key] = _key_files(services)
    kept = key.read_bytes()
    key.unlink()
    with pytest.raises(ballot_keys.BallotKeyError, match="is missing"):
        close(services, rnd.id)
    with services.db.connect() as conn:
        assert conn.execute(text("SELECT status FROM congress_election_rounds")).scalar() == "open"
    forged = ballot_keys.seal(ballot_keys.public_key_of(ballot_keys.X25519PrivateKey.generate()), rnd.id, "{}")
    key.write_bytes(kept)
    with services.db.begin() as conn:  # an insider swaps a ballot for one sealed under a key of their own
        conn.execute(text("UPDATE congress_election_sealed SET sealed = :s WHERE id = "
                          "(SELECT MIN(id) FROM congress_election_sealed)"), {"s": forged})
    with pytest.raises(ballot_keys.BallotKeyError, match="does not open every ballot"):
        close(services, rnd.id)


def test_election_keys_live_apart_from_vote_keys(services):
    made, rnd = _secret_round(services)
    [key] = _key_files(services)
    assert key.parent.name == "elections" and key.name.startswith(f"vote-{rnd.id}-")
    assert services.runtime.context["ballot_keys"].vote_ids() == set()  # the votes' sweep never sees it
