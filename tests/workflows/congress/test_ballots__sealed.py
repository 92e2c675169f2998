"""Sealed secret ballots against the database's history: the SQLite write-ahead log replayed commit by commit,
a backup copy taken mid-vote, PostgreSQL's tuple versions, the key file's life, and a lost key."""

from __future__ import annotations

import re
import shutil
import sqlite3
import stat
import struct
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import text

from engine.errors import Conflict
from workflows.congress import ballot_keys, ballots, meetings, tally

from helpers.congress import CHAIR, convened_meeting, rep

SEATS = 30
PATTERN = ["for", "against"] * 15  # who votes how, in the order they vote
SEALED_LENGTH = 76  # ephemeral public key (32) + nonce (12) + padded choice (16) + tag (16), whatever the choice


def open_secret_vote(services) -> int:
    ids = convened_meeting(services, SEATS, present=SEATS, headcount=600, women_count=0, managers=0, women=SEATS,
                           name="保密公司")
    item = meetings.add_matter(services.uow(), ids["meeting_id"], matter_type="election", title="职工董事", actor=CHAIR)
    return ballots.open_vote(services.uow(), item.id, rules=services.rules, actor=CHAIR).id


def cast(services, vote_id: int, i: int) -> str:
    return ballots.cast_ballot(services.uow(), vote_id, PATTERN[i - 1], actor=rep(i))["receipt"]


def close(services, vote_id: int):
    return tally.close_vote(services.uow(), vote_id, rules=services.rules, actor=CHAIR)


def db_path(services) -> Path:
    return Path(services.db.url.database)


def key_files(services) -> list[Path]:
    folder = services.runtime.context["ballot_keys"].folder
    return sorted(folder.glob("*.key")) if folder.exists() else []


def backup(services, folder: Path) -> Path:
    """What `cp var/dmflow.db* backup/` takes while the server runs."""
    folder.mkdir()
    for suffix in ("", "-wal"):
        shutil.copy(f"{db_path(services)}{suffix}", folder / f"dmflow.db{suffix}")
    return folder / "dmflow.db"


def choice_bytes(copy: Path) -> int:
    """How often the word "against" appears in a copy's file and log, outside the column name votes_against (the
    schema's text may hold it too, as another column's name: the test compares with a copy before any ballot)."""
    return len(re.findall(rb"(?<!votes_)against", copy.read_bytes() + Path(f"{copy}-wal").read_bytes()))


def read(path: Path, sql: str) -> list:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return conn.execute(sql).fetchall()


def replay_commits(db: Path, folder: Path) -> list[Path]:
    """Every committed version of a database copy and its WAL: one database per commit frame, in order."""
    wal = Path(f"{db}-wal").read_bytes()
    page_size = struct.unpack(">I", wal[8:12])[0]
    salts = wal[16:24]
    versions, frame = [], 32  # a frame: page number, database size after a commit (0 otherwise), salts, ...
    while frame + 24 + page_size <= len(wal) and wal[frame + 8:frame + 16] == salts:
        committed = struct.unpack(">I", wal[frame + 4:frame + 8])[0]
        frame += 24 + page_size
        if committed:  # the WAL up to here is the database as that commit left it
            version = folder / f"v{len(versions):03d}"
            version.mkdir()
            shutil.copy(db, version / "dmflow.db")
            (version / "dmflow.db-wal").write_bytes(wal[:frame])
            versions.append(version / "dmflow.db")
    return versions


def test_wal_replayed_commit_by_commit_links_no_voter_to_a_choice_and_shows_no_running_tally(
        services, keep_the_wal, tmp_path):
    vote_id = open_secret_vote(services)
    services.db.dispose()
    with closing(sqlite3.connect(db_path(services))) as conn:
        assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0  # the WAL starts at the 1st cast
    for i in range(1, SEATS + 1):
        cast(services, vote_id, i)
    close(services, vote_id)
    versions = replay_commits(backup(services, tmp_path / "after"), tmp_path)
    assert len(versions) == SEATS + 1  # one commit per cast, then the close

    voters, sealed, linked = set(), {}, {}
    for version in versions[:-1]:
        now_voters = {r for (r,) in read(version, f"SELECT representative_id FROM congress_participation "
                                                  f"WHERE vote_id = {vote_id}")}
        now_sealed = dict(read(version, f"SELECT id, sealed FROM congress_sealed_ballots WHERE vote_id = {vote_id}"))
        [new_voter], [new_ballot] = now_voters - voters, set(now_sealed) - set(sealed)
        linked[new_voter] = now_sealed[new_ballot]  # the history pairs each voter with a ballot row...
        voters, sealed = now_voters, now_sealed
        assert read(version, "SELECT COUNT(*) FROM congress_secret_ballots") == [(0,)]  # no running tally
        assert read(version, f"SELECT votes_for, votes_against FROM congress_votes WHERE id = {vote_id}") == \
            [(None, None)]
    # ...but the row holds ciphertext of one length, never the same twice, whatever the choice.
    assert len(linked) == SEATS and {len(box) for box in linked.values()} == {SEALED_LENGTH}
    assert len(set(linked.values())) == SEATS
    assert not [box for box in linked.values() if b"for" in box or b"against" in box]

    closed = versions[-1]
    counted = read(closed, f"SELECT id, choice FROM congress_secret_ballots WHERE vote_id = {vote_id}")
    assert Counter(c for _, c in counted) == Counter(PATTERN)
    assert read(closed, "SELECT COUNT(*) FROM congress_sealed_ballots") == [(0,)]
    assert not {i for i, _ in counted} & set(sealed)  # new ids: no counted ballot names a sealed one


def test_a_copy_taken_mid_vote_holds_no_choice_and_the_vote_still_counts(services, keep_the_wal, tmp_path):
    vote_id = open_secret_vote(services)
    schema = choice_bytes(backup(services, tmp_path / "open"))  # the word in the schema's text (a column name)
    receipts = [cast(services, vote_id, i) for i in range(1, SEATS // 2 + 1)]
    copy = backup(services, tmp_path / "mid")
    raw = copy.read_bytes() + Path(f"{copy}-wal").read_bytes()
    assert choice_bytes(copy) == schema  # no ballot's choice anywhere in the file or its log, in any form
    assert read(copy, "SELECT COUNT(*) FROM congress_participation") == [(SEATS // 2,)]
    assert {len(box) for (box,) in read(copy, "SELECT sealed FROM congress_sealed_ballots")} == {SEALED_LENGTH}
    assert read(copy, "SELECT COUNT(*) FROM congress_secret_ballots") == [(0,)]
    [key] = key_files(services)
    assert key.read_bytes() not in raw  # the private key never entered the database

    receipts += [cast(services, vote_id, i) for i in range(SEATS // 2 + 1, SEATS + 1)]
    closed = close(services, vote_id)
    assert (closed.votes_for, closed.votes_against, closed.abstentions) == (15, 15, 0)
    assert choice_bytes(backup(services, tmp_path / "after")) >= schema + 15  # the measure sees stored choices
    assert all(tally.receipt_counted(services.uow(readonly=True), vote_id, code) for code in receipts)
    report = tally.verify(services.uow(readonly=True), vote_id)
    assert report["tally_matches_result"] and report["seal_matches"] and report["ballots_equal_participants"]


def test_key_file_exists_only_while_the_vote_is_open_and_only_for_its_owner(services):
    vote_id = open_secret_vote(services)
    [key] = key_files(services)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32
    vote = ballots.get_vote(services.uow(readonly=True), vote_id)
    assert key == services.runtime.context["ballot_keys"].path(vote_id, vote.ballot_key)
    for i in range(1, 4):
        cast(services, vote_id, i)
    close(services, vote_id)
    assert key_files(services) == [] and not key.exists()

    key.write_bytes(b"\0" * 32)  # as if the close had stopped between its commit and the removal
    strangers = services.runtime.context["ballot_keys"].folder / f"vote-{vote_id}-0000000000000000.key"
    strangers.write_bytes(b"\1" * 32)  # another database's vote of the same number, sharing the folder
    ids = convened_meeting(services, SEATS, present=SEATS, headcount=600, women_count=0, managers=0, women=SEATS,
                           name="另一公司")
    item = meetings.add_matter(services.uow(), ids["meeting_id"], matter_type="election", title="监事", actor=CHAIR)
    other = ballots.open_vote(services.uow(), item.id, rules=services.rules, actor=CHAIR).id
    close(services, other)  # the next close removes the stale key of the closed vote, and no other file
    assert key_files(services) == [strangers]


def test_a_lost_key_stops_the_close_with_a_clear_error_and_never_a_wrong_count(services):
    vote_id = open_secret_vote(services)
    for i in range(1, 6):
        cast(services, vote_id, i)
    [key] = key_files(services)
    kept = key.read_bytes()
    key.unlink()  # a restart on a host without the key folder
    with pytest.raises(ballot_keys.BallotKeyError, match="cannot be counted.*is missing") as refused:
        close(services, vote_id)
    assert refused.value.rule == "ballot_key" and isinstance(refused.value, Conflict)
    vote = ballots.get_vote(services.uow(readonly=True), vote_id)
    assert vote.status == "open" and vote.votes_for is None
    with services.db.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM congress_secret_ballots")).scalar() == 0

    key.write_bytes(ballot_keys.X25519PrivateKey.generate().private_bytes_raw())  # another key under its name
    with pytest.raises(ballot_keys.BallotKeyError, match="another key pair"):
        close(services, vote_id)

    key.write_bytes(kept)  # restored: the close counts
    closed = close(services, vote_id)
    assert (closed.votes_for, closed.votes_against, closed.status) == (3, 2, "closed")


def test_an_altered_sealed_ballot_stops_the_close(services):
    vote_id = open_secret_vote(services)
    for i in range(1, 4):
        cast(services, vote_id, i)
    forged = ballot_keys.seal(ballot_keys.public_key_of(ballot_keys.X25519PrivateKey.generate()), vote_id, "for")
    with services.db.begin() as conn:  # an insider swaps one ballot for a "for" under a key of their own
        conn.execute(text("UPDATE congress_sealed_ballots SET sealed = :s WHERE id = "
                          "(SELECT MIN(id) FROM congress_sealed_ballots)"), {"s": forged})
    with pytest.raises(ballot_keys.BallotKeyError, match="does not open every ballot"):
        close(services, vote_id)
    assert ballots.get_vote(services.uow(readonly=True), vote_id).status == "open"


def test_sealing_pads_every_choice_to_one_length_and_opens_only_with_its_key():
    private = ballot_keys.X25519PrivateKey.generate()
    public = ballot_keys.public_key_of(private)
    boxes = {c: ballot_keys.seal(public, 7, c) for c in ballots.CHOICES}
    assert {len(b) for b in boxes.values()} == {SEALED_LENGTH}
    assert {c: ballot_keys.unseal(private, 7, b) for c, b in boxes.items()} == {c: c for c in ballots.CHOICES}
    assert ballot_keys.seal(public, 7, "for") != boxes["for"]  # a fresh ephemeral key each time
    sender = ballot_keys.Sender(public, 7)  # one sender, many ballots: a fresh nonce each time
    again = [ballot_keys.seal(public, 7, "for", sender) for _ in range(2)]
    assert again[0] != again[1] and [ballot_keys.unseal(private, 7, b) for b in again] == ["for", "for"]
    with pytest.raises(ballot_keys.InvalidTag):
        ballot_keys.unseal(private, 8, boxes["for"])  # bound to its vote
    with pytest.raises(ballot_keys.InvalidTag):
        ballot_keys.unseal(ballot_keys.X25519PrivateKey.generate(), 7, boxes["for"])


def tuple_versions(conn, table: str) -> list[tuple[int, int, bytes]]:
    """Every tuple version PostgreSQL still stores for a table, live or dead: (xmin, xmax, raw data)."""
    pages = conn.execute(text(f"SELECT pg_relation_size('{table}') / current_setting('block_size')::int")).scalar()
    return [(int(xmin), int(xmax), bytes(data)) for page in range(pages) for xmin, xmax, data in conn.execute(text(
        f"SELECT t_xmin, t_xmax, t_data FROM heap_page_items(get_raw_page('{table}', {page})) "
        "WHERE t_data IS NOT NULL"))]


def test_postgres_tuple_versions_hold_only_ciphertext(services, backend):
    """What a PostgreSQL WAL archive or a reader of dead tuples finds: the cast's transaction id pairs a voter
    with a sealed row, whose bytes are ciphertext; the counted choices all carry the close's transaction id."""
    if backend != "postgres":
        pytest.skip("PostgreSQL's heap (SQLite: the WAL tests above)")
    with services.db.begin() as conn:  # the worker's schema is reused: no dead tuples of an earlier test's votes
        conn.execute(text("TRUNCATE congress_participation, congress_sealed_ballots, congress_secret_ballots"))
    vote_id = open_secret_vote(services)
    for i in range(1, SEATS + 1):
        cast(services, vote_id, i)
    close(services, vote_id)
    with services.db.begin() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pageinspect'")).scalar():
            conn.execute(text("CREATE EXTENSION pageinspect"))
        voters = tuple_versions(conn, "congress_participation")
        sealed = tuple_versions(conn, "congress_sealed_ballots")
        counted = tuple_versions(conn, "congress_secret_ballots")
    assert len(sealed) == SEATS and all(xmax for _, xmax, _ in sealed)  # deleted by the close, still on disk
    assert {xmin for xmin, _, _ in sealed} == {xmin for xmin, _, _ in voters}  # the pairing a watcher gets...
    assert not [d for _, _, d in sealed if b"for" in d[-SEALED_LENGTH:] or b"against" in d]  # ...is to ciphertext
    assert len(counted) == SEATS and len({xmin for xmin, _, _ in counted}) == 1
    assert not {xmin for xmin, _, _ in counted} & {xmin for xmin, _, _ in voters}
    assert Counter(b"against" in d for _, _, d in counted) == {True: 15, False: 15}  # the measure reads data
