"""The background worker: fires due timers and starts scheduled instances, one instance per transaction."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from . import checkpoints, jobs, outbox, reminders, tenancy
from .errors import Conflict
from .housekeeping import KeyRetention
from .notifications import settings_of
from .runtime import start_scheduled
from .steps import RUNNING, load, save_step, settle, snapshot
from .timers import advance, due_instances, due_schedules
from .unit_of_work import UnitOfWork

log = logging.getLogger("dmflow.worker")


@dataclass(frozen=True)
class CheckpointSchedule:
    """Take a signed checkpoint whenever the latest is older than `every` (the key never enters the database)."""

    key: Any  # an Ed25519 private key
    every: timedelta


@dataclass
class Pass:
    """What one pass over the due work did."""

    timers_fired: list[str] = field(default_factory=list)
    instances_started: list[str] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    tasks_reminded: int = 0
    messages_sent: int = 0
    messages_failed: int = 0
    checkpoint: dict[str, Any] | None = None  # the checkpoint this pass took, if one was due
    keys_forgotten: int | None = None  # idempotency keys past their retention, when this pass looked

    @property
    def count(self) -> int:
        return len(self.timers_fired) + len(self.instances_started)


def _skip_locked(uow: UnitOfWork) -> bool:
    # PostgreSQL lets several workers take different rows; SQLite serialises writers with BEGIN IMMEDIATE.
    return uow.engine.dialect.name == "postgresql"


def fire_instance(uow: UnitOfWork, instance_id: str) -> bool:
    """Fire whatever timers of one instance are due (inside an open uow); False if nothing was due any more."""
    loaded = load(uow, instance_id)
    row = loaded.row
    if row.status != RUNNING or row.next_timer_at is None or row.next_timer_at > uow.now():
        return False  # another worker got there first, or the instance changed meanwhile
    with tenancy.acting_for(row.org_id):  # what the timer's step creates belongs to the instance's organisation
        before = snapshot(loaded.workflow)
        save_step(uow, loaded, before, error=settle(uow, loaded))
    return True


def run_once(uow_factory: Callable[[], UnitOfWork], *, limit: int = 10_000,
             checkpointing: CheckpointSchedule | None = None, retention: KeyRetention | None = None) -> Pass:
    """Process everything due now: schedule occurrences first (oldest first), then instance timers,
    then a checkpoint if one is due (after the timers, so that it covers what they appended).

    Each occurrence and each instance is its own transaction, so a worker killed mid-pass loses
    nothing: what it did is committed, what it did not do is still due for the next pass.
    """
    result = Pass()
    tried: set = set()
    while result.count + len(result.failed) < limit:
        uow = uow_factory()
        with uow:
            schedules = due_schedules(uow.session, uow.now(), 1, _skip_locked(uow))
            if not schedules:
                break
            schedule = schedules[0]
            due = schedule.next_due_at
            with tenancy.acting_for(schedule.org_id):
                result.instances_started.append(start_scheduled(uow, schedule, due))
            advance(schedule)
            uow.commit()
    while result.count + len(result.failed) < limit:
        uow = uow_factory()
        try:
            with uow:
                ids = [i for i in due_instances(uow.session, uow.now(), 50, _skip_locked(uow)) if i not in tried]
                if not ids:
                    break
                tried.add(ids[0])
                if fire_instance(uow, ids[0]):
                    result.timers_fired.append(ids[0])
                uow.commit()
        except Exception as exc:  # one bad instance must not stop the others; it is logged and reported
            log.exception("timer of instance %s failed", ids[0])
            result.failed.append({"instance_id": ids[0], "error": str(exc)})
    if checkpointing is not None:
        every = None if checkpoints.requested(uow_factory()) else checkpointing.every  # asked for: now
        result.checkpoint = checkpoints.take(uow_factory(), checkpointing.key, every=every)
    if retention is not None:
        result.keys_forgotten = retention.run(uow_factory)
    notify_pass(uow_factory, result)
    return result


def notify_pass(uow_factory: Callable[[], UnitOfWork], result: Pass) -> None:
    """Remind of due and overdue tasks, then send the outbox (after the timers, so their notices go out now)."""
    try:
        result.tasks_reminded = reminders.scan(uow_factory())
    except Conflict:  # another worker reminded of the same task at the same moment; nothing is lost
        log.info("reminder scan raced with another worker")
    channels = outbox.default_transports(settings_of(uow_factory())) | jobs.transports(uow_factory)
    delivery = outbox.deliver(uow_factory, transports=channels)
    result.messages_sent, result.messages_failed = len(delivery.sent), len(delivery.failed)


def run_forever(uow_factory: Callable[[], UnitOfWork], *, interval: float = 5.0,
                stop: threading.Event | None = None, checkpointing: CheckpointSchedule | None = None,
                retention: KeyRetention | None = None) -> None:
    """Poll for due work every `interval` seconds until `stop` is set."""
    stop = stop or threading.Event()
    while not stop.is_set():
        done = run_once(uow_factory, checkpointing=checkpointing, retention=retention)
        if done.keys_forgotten:
            log.info("forgot %d idempotency keys past their retention", done.keys_forgotten)
        if done.checkpoint:
            log.info("checkpoint %d taken: %s", done.checkpoint["seq"], done.checkpoint["fingerprint"])
        if done.count or done.messages_sent or done.tasks_reminded:
            log.info("fired %d timers, started %d scheduled instances, reminded of %d tasks, sent %d messages",
                     len(done.timers_fired), len(done.instances_started), done.tasks_reminded, done.messages_sent)
        stop.wait(interval)
