"""Timers: SpiffWorkflow reads our clock, timer start events run on schedules, due work is found by index."""

from __future__ import annotations

import contextlib
import contextvars
from calendar import monthrange
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from math import ceil
from typing import Any

import SpiffWorkflow.bpmn.specs.event_definitions.timer as spiff_timer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from .audit import SYSTEM_CHAIN
from .clock import Clock
from .models import Instance, TimerSchedule

_current_clock: contextvars.ContextVar[Clock | None] = contextvars.ContextVar("dmflow_clock", default=None)
_real_datetime = datetime


class _ClockedDatetime(_real_datetime):
    """Stands in for `datetime` inside SpiffWorkflow's timer module so timers see the engine's clock."""

    @classmethod
    def now(cls, tz=None):
        clock = _current_clock.get()
        if clock is None:
            return _real_datetime.now(tz)
        now = clock.now()
        return now.astimezone(tz) if tz is not None else now.astimezone().replace(tzinfo=None)


def install_clock_hook() -> None:
    """Route SpiffWorkflow's timer `datetime.now()` through the clock set by `using_clock` (idempotent)."""
    spiff_timer.datetime = _ClockedDatetime


@contextlib.contextmanager
def using_clock(clock: Clock) -> Iterator[None]:
    """Within the block, SpiffWorkflow's timers read `clock` (per thread/context, so requests don't mix)."""
    token = _current_clock.set(clock)
    try:
        yield
    finally:
        _current_clock.reset(token)


def timer_start_events(spec) -> list[tuple[str, TimerEventDefinition]]:
    """(element id, timer definition) of every timer start event of a top-level process spec."""
    found = []
    for task_spec in spec.task_specs.values():
        definition = getattr(task_spec, "event_definition", None)
        if isinstance(task_spec, StartEvent) and isinstance(definition, TimerEventDefinition):
            found.append((task_spec.bpmn_id, definition))
    return found


def first_occurrence(definition: TimerEventDefinition, value: str, now: datetime) -> tuple[datetime, int | None,
                                                                                          float | None]:
    """When a schedule first fires, how many times it fires (None: forever), and its period in seconds."""
    if isinstance(definition, CycleTimerEventDefinition):
        cycles, start, duration = TimerEventDefinition.parse_iso_recurring_interval(value)
        return start, (None if cycles < 0 else cycles), duration.total_seconds()
    if isinstance(definition, DurationTimerEventDefinition):
        parsed = TimerEventDefinition.parse_iso_duration(value)
        return now + TimerEventDefinition.get_timedelta_from_start(parsed, now), 1, None
    if isinstance(definition, TimeDateEventDefinition):
        return TimerEventDefinition.get_datetime(value), 1, None
    raise ValueError(f"unsupported timer definition {type(definition).__name__}")


def register_schedules(uow, pv, spec, *, actor: str) -> list[TimerSchedule]:
    """Replace the schedules of `pv.process_id` by those of its newly deployed version `pv`.

    Expressions are evaluated once, at deployment, with the sandboxed script engine and no data.
    """
    s = uow.session
    for old in s.scalars(select(TimerSchedule).where(TimerSchedule.process_id == pv.process_id,
                                                     TimerSchedule.active.is_(True))):
        old.active = False
    created = []
    engine = uow.runtime.script_engine
    with using_clock(uow.clock):
        for element_id, definition in timer_start_events(spec):
            value = engine.environment.evaluate(definition.expression, {})
            due, remaining, period = first_occurrence(definition, value, uow.now())
            schedule = TimerSchedule(process_id=pv.process_id, process_version_id=pv.id, element_id=element_id,
                                     expression=str(value), next_due_at=due.astimezone(UTC), remaining=remaining,
                                     period_seconds=period, active=True, created_at=uow.now())
            skipped = skip_past(schedule, uow.now())
            s.add(schedule)
            created.append(schedule)
            uow.audit(SYSTEM_CHAIN, "schedule.registered", {
                "process_id": pv.process_id, "version": pv.version, "element_id": element_id,
                "expression": str(value), "first_due": schedule.next_due_at.isoformat() if schedule.active else None,
                "occurrences": schedule.remaining, "skipped_before_deployment": skipped,
            }, actor=actor)
    return created


def fire_start_timer(workflow, element_id: str, now: datetime) -> None:
    """Make the waiting timer start event of a freshly created instance due now, exactly once.

    A cycle on a start event would otherwise spawn repeated tokens inside one instance; dmflow
    runs each occurrence of a schedule as its own instance instead (one quarterly disclosure per quarter).
    """
    for task in workflow.get_tasks(state=TaskState.WAITING | TaskState.READY | TaskState.FUTURE):
        if task.task_spec.bpmn_id != element_id:
            continue
        definition = task.task_spec.event_definition
        if isinstance(definition, CycleTimerEventDefinition):
            task.internal_data["event_value"] = {"cycles": 1, "next": now.isoformat(), "duration": 0.0}
        else:
            task.internal_data["event_value"] = now.isoformat()


def _add_months(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.month - 1 + months, 12)
    year += moment.year
    month += 1
    return moment.replace(year=year, month=month, day=min(moment.day, monthrange(year, month)[1]))


def _shift(moment: datetime, period: dict[str, float], times: int) -> datetime:
    """`moment` plus `times` periods, months and years counted on the calendar (in `moment`'s own offset)."""
    months = int(times * (12 * period.get("years", 0) + period.get("months", 0)))
    rest = timedelta(weeks=times * period.get("weeks", 0), days=times * period.get("days", 0),
                     hours=times * period.get("hours", 0), minutes=times * period.get("minutes", 0),
                     seconds=times * period.get("seconds", 0))
    return _add_months(moment, months) + rest


def advance(schedule: TimerSchedule) -> None:
    """Move a schedule past the occurrence that just fired.

    Months and years are calendar months and years, counted from the cycle's start in the offset the
    diagram gives (``R/2026-04-01T01:00:00+08:00/P3M`` fires on 1 July, 1 October, 1 January at 01:00 Beijing
    time, never drifting by the lengths of months), so a quarterly disclosure keeps its day.
    """
    if schedule.remaining is not None:
        schedule.remaining -= 1
    if schedule.remaining == 0 or not schedule.period_seconds:
        schedule.active = False
        return
    parts = schedule.expression.split("/")
    period = TimerEventDefinition.parse_iso_duration(parts[-1])
    if not (period.get("months") or period.get("years")):
        schedule.next_due_at = schedule.next_due_at + timedelta(seconds=schedule.period_seconds)
        return
    if len(parts) == 3:  # R[n]/start/period: every occurrence counted from the start, so none drifts
        anchor = datetime.fromisoformat(parts[1].replace("Z", "+00:00"))
        times = 1
        while _shift(anchor, period, times) <= schedule.next_due_at:
            times += 1
        schedule.next_due_at = _shift(anchor, period, times).astimezone(UTC)
    else:
        schedule.next_due_at = _shift(schedule.next_due_at, period, 1)


def skip_past(schedule: TimerSchedule, now: datetime) -> int:
    """Start a newly registered cycle at its first occurrence at or after `now`; how many it skipped.

    A cycle whose start lies before the deployment (``R/2026-04-01T01:00:00+08:00/P1M`` deployed in December)
    would otherwise fire every past occurrence at the worker's next pass: nine monthly disclosures at once. Only
    occurrences missed after registration (a worker that was down, a rehearsal clock moved on) are caught up.
    Computed, not stepped, so a cycle of seconds from 1900 costs nothing.
    """
    due = schedule.next_due_at
    if due >= now or not schedule.period_seconds:
        return 0
    parts = schedule.expression.split("/")
    period = TimerEventDefinition.parse_iso_duration(parts[-1])
    months = int(12 * period.get("years", 0) + period.get("months", 0))
    if months and len(parts) == 3:
        anchor = datetime.fromisoformat(parts[1].replace("Z", "+00:00"))
        times = max(0, ((now.year - anchor.year) * 12 + now.month - anchor.month) // months - 1)
        while _shift(anchor, period, times) < now:
            times += 1
        skipped, next_due = times, _shift(anchor, period, times).astimezone(UTC)
    else:
        skipped = ceil((now - due).total_seconds() / schedule.period_seconds)
        next_due = due + timedelta(seconds=skipped * schedule.period_seconds)
    if schedule.remaining is not None:
        skipped = min(skipped, schedule.remaining)
        schedule.remaining -= skipped
        if schedule.remaining == 0:
            schedule.active = False
            return skipped
    schedule.next_due_at = next_due
    return skipped


def due_instances(session, now: datetime, limit: int, skip_locked: bool) -> list[str]:
    """Ids of running instances whose next timer is due, locked for this worker when the database can."""
    query = (select(Instance.id).where(Instance.status == "running", Instance.next_timer_at <= now)
             .order_by(Instance.next_timer_at).limit(limit))
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def due_schedules(session, now: datetime, limit: int, skip_locked: bool) -> list[TimerSchedule]:
    query = (select(TimerSchedule).where(TimerSchedule.active.is_(True), TimerSchedule.next_due_at <= now)
             .order_by(TimerSchedule.next_due_at).limit(limit))
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def describe(schedule: TimerSchedule) -> dict[str, Any]:
    return {"id": schedule.id, "process_id": schedule.process_id, "element_id": schedule.element_id,
            "expression": schedule.expression, "next_due_at": schedule.next_due_at,
            "remaining": schedule.remaining, "active": schedule.active}
