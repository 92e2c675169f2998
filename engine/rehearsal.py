"""The rehearsal clock (演练): an offset on the installation's clock, kept in the database.

Offices rehearse a congress or a negotiation before the real one, and acceptance checks reach the late
stages of long procedures, by moving the whole installation's time forward (`dmflow clock advance P16D`).
The offset is one row that every process (server, workers) reads, so all agree on the time; each advance is
audited on the system chain in the same transaction. Only forward: timers and deadlines already computed
stay valid, and timers that fall due in the skipped time fire at the worker's next pass, oldest first.
"""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from .audit import SYSTEM_CHAIN
from .clock import Clock
from .errors import ValidationFailed
from .models import AuditEvent, ClockOffset
from .unit_of_work import UnitOfWork

_DURATION = re.compile(r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")
MAX_ADVANCE = timedelta(days=3660)


def parse_duration(text: str) -> timedelta:
    """An ISO-8601 duration in weeks, days, hours, minutes and seconds (`P16D`, `PT36H`, `P1W2D`).

    Raises:
        ValidationFailed: not such a duration, zero, or longer than ten years.
    """
    match = _DURATION.fullmatch((text or "").strip().upper())
    if not match or not any(match.groups()) or text.strip().upper().endswith("T"):
        raise ValidationFailed(f"时长格式错误 / not an ISO-8601 duration such as P16D or PT36H: {text!r}",
                               {"advance": ["use weeks, days, hours, minutes or seconds, e.g. P16D"]})
    weeks, days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    delta = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    if not timedelta(0) < delta <= MAX_ADVANCE:
        raise ValidationFailed("a rehearsal advances the clock by more than nothing and at most ten years",
                               {"advance": [f"between PT1S and P{MAX_ADVANCE.days}D"]})
    return delta


def read_offset(session: Session) -> timedelta:
    row = session.get(ClockOffset, 1)
    return timedelta(seconds=row.offset_seconds) if row is not None else timedelta(0)


class RehearsalClock:
    """`base` plus the offset stored in the database, re-read at most every `ttl` seconds per process."""

    def __init__(self, base: Clock, engine: Engine, ttl: float = 2.0):
        # A deferred read: the offset is read while the caller may hold SQLite's write lock in another connection
        # of this thread (BEGIN IMMEDIATE here waited for it until the 30 s busy timeout ran out).
        self.base, self._engine, self._ttl = base, engine.execution_options(dmflow_readonly=True), ttl
        self._offset, self._read_at = timedelta(0), float("-inf")
        self._lock = threading.Lock()

    def offset(self) -> timedelta:
        with self._lock:
            if time.monotonic() - self._read_at > self._ttl:
                with Session(self._engine) as session:
                    try:
                        self._offset = read_offset(session)
                    except Exception:  # noqa: BLE001 (not migrated yet: no offset)
                        self._offset = timedelta(0)
                self._read_at = time.monotonic()
            return self._offset

    def forget(self) -> None:
        """Re-read the offset on the next call (after this process changed it)."""
        with self._lock:
            self._read_at = float("-inf")

    def now(self) -> datetime:
        return self.base.now() + self.offset()


def advance(uow: UnitOfWork, delta: timedelta, *, actor: str) -> timedelta:
    """Move the installation's clock forward by `delta` (audited); returns the new total offset."""
    with uow:
        row = uow.session.scalar(select(ClockOffset).where(ClockOffset.id == 1).with_for_update())
        if row is None:
            row = ClockOffset(id=1, offset_seconds=0.0)
            uow.session.add(row)
        before = timedelta(seconds=row.offset_seconds or 0.0)
        row.offset_seconds = (before + delta).total_seconds()
        row.updated_at = uow.clock.base.now() if isinstance(uow.clock, RehearsalClock) else uow.now()
        uow.audit(SYSTEM_CHAIN, "clock.advanced", {
            "by_seconds": delta.total_seconds(), "offset_seconds": row.offset_seconds,
            "rehearsal_now": (uow.now() + delta).isoformat()}, actor=actor)
        uow.commit()
    if isinstance(uow.clock, RehearsalClock):
        uow.clock.forget()
    return before + delta


def advances(session: Session, limit: int = 20) -> list[dict]:
    """The latest advances of the clock, newest first: when (real time), who, by how much, and the time after."""
    rows = session.execute(select(AuditEvent.occurred_at, AuditEvent.actor, AuditEvent.payload)
                           .where(AuditEvent.chain == SYSTEM_CHAIN, AuditEvent.event_type == "clock.advanced")
                           .order_by(AuditEvent.seq.desc()).limit(limit)).all()
    return [{"at": at, "actor": actor, **json.loads(payload)} for at, actor, payload in rows]
