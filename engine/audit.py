"""Append-only, hash-chained audit events: appending in the caller's transaction, and verifying chains."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, event, insert, inspect, select, text, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from .clock import as_utc
from .models import AuditChain, AuditEvent

SYSTEM_CHAIN = "system"
GENESIS = "0" * 64


def instance_chain(instance_id: str) -> str:
    """The chain name of one instance's events."""
    return f"instance:{instance_id}"


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
_str = json.encoder.encode_basestring  # the JSON string form json.dumps(..., ensure_ascii=False) produces


def canonical_json(value: Any) -> str:
    """The one JSON text a value hashes as: sorted keys, no spaces, UTF-8 kept readable."""
    return _CANONICAL.encode(value)


def timestamp(value: datetime | str) -> str:
    """The UTC text an event's time hashes as (and an exported case carries)."""
    if isinstance(value, str) and len(value) == 26 and value[10] == " ":
        return f"{value[:10]}T{value[11:]}Z"  # SQLite's stored UTC text, without a parse per event
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(chain: str, seq: int, event_type: str, instance_id: str | None, actor: str | None,
               occurred_at: datetime | str, payload: str, prev_hash: str) -> str:
    """SHA-256 over the canonical form of one event, including the hash of its predecessor.

    The hashed text is ``canonical_json([chain, seq, type, instance_id, actor, time, payload, prev_hash])``,
    built directly because verification hashes millions of events.
    """
    body = (f"[{_str(chain)},{seq},{_str(event_type)},{'null' if instance_id is None else _str(instance_id)},"
            f"{'null' if actor is None else _str(actor)},{_str(timestamp(occurred_at))},{_str(payload)},"
            f"{_str(prev_hash)}]")
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True)
class Appended:
    """An event appended in the current transaction (written with the others of the step at commit)."""

    chain: str
    seq: int
    event_type: str
    hash: str


def append(session: Session, chain: str, event_type: str, payload: dict[str, Any], *, actor: str | None,
           occurred_at: datetime, instance_id: str | None = None, heads: dict[str, AuditChain] | None = None,
           pending: list[dict[str, Any]] | None = None) -> AuditEvent | Appended:
    """Append one event to `chain` inside the session's open transaction.

    The chain head row is locked (``FOR UPDATE`` on PostgreSQL; SQLite transactions are already
    exclusive), so concurrent appends to one chain are serialised and never fork it. A unit of work passes
    `heads` (the heads it has locked) and `pending` (rows it writes together before it commits): the head is
    then read once per transaction and a step's events go to the database in one batch. The event's hash is
    computed here either way, so a caller can use it at once.
    """
    head = heads.get(chain) if heads is not None else None
    if head is None:
        with session.no_autoflush:
            head = session.execute(
                select(AuditChain).where(AuditChain.chain == chain).with_for_update()
            ).scalar_one_or_none()
        if head is None:
            head = AuditChain(chain=chain, last_seq=0, last_hash=GENESIS)
            if heads is not None:  # a new chain: its head row is inserted by `write_heads`, with the last values
                session.info.setdefault(_NEW_HEADS, {})[chain] = head
            else:
                session.add(head)
        if heads is not None:
            heads[chain] = head
    seq = head.last_seq + 1
    body = canonical_json(payload)
    digest = event_hash(chain, seq, event_type, instance_id, actor, occurred_at, body, head.last_hash)
    row = {"chain": chain, "seq": seq, "event_type": event_type, "instance_id": instance_id, "actor": actor,
           "occurred_at": occurred_at, "payload": body, "prev_hash": head.last_hash, "hash": digest}
    if heads is not None and inspect(head).persistent:
        # The row is written by `write_heads` (one Core UPDATE before the commit, or before the next ORM statement
        # of the session), not by an ORM flush; the object shows the new head meanwhile (``session.get``).
        set_committed_value(head, "last_seq", seq)
        set_committed_value(head, "last_hash", digest)
        session.info.setdefault(_DIRTY_HEADS, {})[chain] = head
    else:
        head.last_seq, head.last_hash = seq, digest
    if pending is not None:
        pending.append(row)
        return Appended(chain, seq, event_type, digest)
    event = AuditEvent(**row)
    session.add(event)
    return event


_DIRTY_HEADS = "dmflow_audit_heads"  # session.info: chain -> head object appended to, not written yet
_NEW_HEADS = "dmflow_audit_new_heads"  # session.info: chain -> head object of a chain not in the database yet
_WRITE_HEAD = (update(AuditChain.__table__).where(AuditChain.__table__.c.chain == bindparam("head_chain"))
               .values(last_seq=bindparam("head_seq"), last_hash=bindparam("head_hash")))


def write_heads(session: Session) -> None:
    """Write the chain heads appended to since the last write: new chains' heads with one Core INSERT (the objects
    then become the session's, persistent), the others with one Core UPDATE, executed for each."""
    new = session.info.pop(_NEW_HEADS, None)
    if new:
        session.connection().execute(insert(AuditChain.__table__), [
            {"chain": h.chain, "last_seq": h.last_seq, "last_hash": h.last_hash} for h in new.values()])
        for head in new.values():
            make_transient_to_detached(head)
            session.add(head)
    dirty = session.info.pop(_DIRTY_HEADS, None)
    if dirty:
        session.execute(_WRITE_HEAD, [{"head_chain": h.chain, "head_seq": h.last_seq, "head_hash": h.last_hash}
                                      for h in dirty.values()])


@event.listens_for(Session, "do_orm_execute")
def _heads_before_reading(state) -> None:
    """Write pending chain heads before another statement of the session (what an ORM autoflush did): a read of
    `audit_chains`, or a locked re-read of a head, sees the head as appended (not in a ``no_autoflush`` block)."""
    info = state.session.info
    if (_DIRTY_HEADS in info or _NEW_HEADS in info) and state.session.autoflush:
        write_heads(state.session)


def write_pending(session: Session, rows: list[dict[str, Any]]) -> None:
    """Write the chain heads appended to and insert the rows appended with `pending`, in one statement each."""
    write_heads(session)
    if rows:
        session.execute(insert(AuditEvent.__table__), rows)  # Core: one executemany, NULLs rendered
        rows.clear()


@dataclass(frozen=True)
class Problem:
    """The first thing found wrong in a chain."""

    chain: str
    seq: int | None
    event_id: int | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"chain": self.chain, "seq": self.seq, "event_id": self.event_id, "reason": self.reason}


@dataclass(frozen=True)
class VerifyReport:
    chains: int
    events: int
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "chains": self.chains, "events": self.events,
                "problems": [p.as_dict() for p in self.problems]}


_ROWS = text(
    "SELECT id, chain, seq, event_type, instance_id, actor, occurred_at, payload, prev_hash, hash "
    "FROM audit_events {where} ORDER BY chain, seq"
)
_BATCH = 5_000


def _rows(session: Session, chain: str | None) -> Iterator[tuple]:
    """The events in (chain, seq) order as the driver's tuples, fetched in batches on the session's connection."""
    query = _ROWS.text.format(where="WHERE chain = :chain" if chain else "")
    result = session.execute(text(query), {"chain": chain} if chain else {})
    cursor = result.cursor  # the DBAPI cursor: no Row objects per event (a verify reads millions)
    try:
        while batch := cursor.fetchmany(_BATCH):
            yield from batch
    finally:
        result.close()


def one_snapshot(session: Session) -> None:
    """Read the heads and the events in one snapshot.

    Under PostgreSQL's default READ COMMITTED every statement sees new commits, so an append
    committed between reading the heads and reading the events would be reported as tampering;
    REPEATABLE READ (harmless for a read-only transaction) prevents that. A SQLite read
    transaction is already one snapshot. Only a fresh session can change its isolation level.
    """
    if not session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


STATE_MARK = '"state":{"data_sha256":"'  # in the canonical JSON of an event recording a saved instance state


@dataclass
class Collected:
    """What a verification pass gathers for the cross-checks of stored state against history."""

    states: dict[str, tuple[int, str]] = field(default_factory=dict)  # chain -> (seq, payload) of its last state
    completions: list[tuple[str, int, str, str]] = field(default_factory=list)  # (chain, seq, actor, payload)


# chain -> {seq: (hash, who recorded it)}: event hashes an earlier checkpoint saw at those positions
Expected = dict[str, dict[int, tuple[str, str]]]


def verify(session: Session, chain: str | None = None, *, collect: Collected | None = None,
           expect: Expected | None = None) -> VerifyReport:
    """Recompute every hash of every chain (or one) and compare it with the stored heads.

    Finds an altered event (its hash no longer matches), a removed or reordered event (a gap in
    the sequence, or a predecessor hash that does not match), and a removed tail (the chain head
    records a longer chain than the events present). With `expect`, also that each chain still holds
    the events a checkpoint recorded (so a chain rewritten consistently, head included, is found);
    with `collect`, gathers the events that record instance states and human task completions.
    """
    one_snapshot(session)
    return check(_rows(session, chain), heads_of(session, chain), collect=collect, expect=expect)


def heads_of(session: Session, chain: str | None = None) -> dict[str, tuple[int, str]]:
    """chain -> (last_seq, last_hash) of every chain head (or one), as plain tuples (there may be millions)."""
    query = select(AuditChain.chain, AuditChain.last_seq, AuditChain.last_hash)
    result = session.connection().execute(query.where(AuditChain.chain == chain) if chain else query)
    return {name: (seq, digest) for name, seq, digest in result.cursor.fetchall()}


def check(rows: Iterable[tuple], heads: dict[str, tuple[int, str]], *, collect: Collected | None = None,
          expect: Expected | None = None) -> VerifyReport:
    """Verify events given in (chain, seq) order against the chain heads (chain -> (last_seq, last_hash)) read in
    the same snapshot; see `verify`. Pure: the parallel verify runs it in each process over its chains.

    The loop hashes what `event_hash` hashes, built with fewer calls per event: a chain's name, its instance id,
    event types and actors are escaped once and reused; the predecessor hash (checked equal to the computed one:
    hex digits) needs no escaping; the chain being walked is held in locals.
    """
    problems: list[Problem] = []
    bad_chains: set[str] = set()
    seen: dict[str, tuple[int, str]] = {}
    count = 0
    sha256, enc = hashlib.sha256, _str
    texts: dict[Any, str] = {None: "null"}  # event types and actors, escaped
    current: str | None = None  # the chain being walked, its last good (seq, hash) in last_seq, last_hash
    last_seq, last_hash = 0, GENESIS
    chain_text = iid_text = ""
    last_iid: Any = object()
    states = collect.states if collect is not None else None
    completions = collect.completions if collect is not None else None
    for row in rows:
        count += 1
        rid, ch, seq, etype, iid, actor, occurred, payload, prev, digest = row
        if ch != current:
            if current is not None and current not in bad_chains:
                seen[current] = (last_seq, last_hash)
            if ch in bad_chains:
                current = None
                continue
            current = ch
            last_seq, last_hash = seen.get(ch, (0, GENESIS))
            chain_text = enc(ch)
            checked = expect.get(ch) if expect is not None else None
        if seq != last_seq + 1:
            reason = f"sequence gap: expected {last_seq + 1}, found {seq} (an event was removed or moved)"
        elif prev != last_hash:
            reason = "previous-hash mismatch (events were reordered or a predecessor was altered)"
        else:
            if iid != last_iid:
                iid_text, last_iid = ("null" if iid is None else enc(iid)), iid
            type_text = texts.get(etype)
            if type_text is None:
                type_text = texts[etype] = enc(etype)
            actor_text = texts.get(actor)
            if actor_text is None:
                actor_text = texts[actor] = enc(actor)
            if isinstance(occurred, str) and len(occurred) == 26 and occurred[10] == " ":
                when = enc(f"{occurred[:10]}T{occurred[11:]}Z")  # SQLite's stored UTC text, not parsed
            else:
                when = enc(timestamp(occurred))
            body = f'[{chain_text},{seq},{type_text},{iid_text},{actor_text},{when},{enc(payload)},"{prev}"]'
            if sha256(body.encode()).hexdigest() == digest:
                last_seq, last_hash = seq, digest
                if states is not None:
                    if STATE_MARK in payload:
                        states[ch] = (seq, payload)
                    if actor is not None and etype == "task.completed":
                        completions.append((ch, seq, actor, payload))
                if checked is not None:
                    recorded = checked.get(seq)
                    if recorded is not None and recorded[0] != digest:
                        problems.append(Problem(ch, seq, rid, f"differs from the event {recorded[1]} recorded at "
                                                              "this position: it or an event before it was "
                                                              "altered and the chain re-hashed"))
                        bad_chains.add(ch)
                        seen[ch] = (last_seq, last_hash)
                        current = None
                continue
            reason = "hash mismatch: the event's content was altered"
        problems.append(Problem(ch, seq, rid, reason))
        bad_chains.add(ch)
        if last_seq:
            seen[ch] = (last_seq, last_hash)
        current = None
    if current is not None and current not in bad_chains:
        seen[current] = (last_seq, last_hash)
    for name, head in heads.items():
        if name in bad_chains:
            continue
        last_seq, last_hash = seen.get(name, (0, GENESIS))
        if (last_seq, last_hash) != head:
            problems.append(Problem(name, last_seq + 1, None,
                                    f"chain head records {head[0]} events, found {last_seq}: "
                                    "events at the end were removed or the head was altered"))
    for name in seen.keys() - heads.keys():
        problems.append(Problem(name, None, None, "events exist for a chain with no head"))
    problems += _missing_expected(expect or {}, seen, bad_chains)
    return VerifyReport(chains=len(heads.keys() | seen.keys()), events=count, problems=problems)


def _missing_expected(expect: Expected, seen: dict[str, tuple[int, str]], bad: set[str]) -> list[Problem]:
    problems = []
    for name, recorded in expect.items():
        length = seen.get(name, (0, GENESIS))[0]
        if name in bad or not recorded:
            continue
        seq = max(recorded)
        if seq > length:
            what = "was removed" if length == 0 else f"was cut back to {length} events"
            problems.append(Problem(name, length + 1, None,
                                    f"{recorded[seq][1]} recorded {seq} events in this chain; it {what}"))
    return problems


def history(session: Session, instance_id: str) -> Iterable[AuditEvent]:
    """All events of one instance, oldest first."""
    return session.scalars(
        select(AuditEvent).where(AuditEvent.chain == instance_chain(instance_id)).order_by(AuditEvent.seq)
    )
