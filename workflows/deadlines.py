"""Statutory deadlines that follow the legal calendar: each is kept with how it was computed, and recomputed when
an admin enters or changes a year's holidays, or an organisation's time zone changes.

A deadline computed while a step runs (the diagrams' ``deadline(...)`` / ``deadline_info(...)``, or a handler's
`tracked`) is noted with the engine (engine/recompute.py) with its spec: ``{"kind": "legal_deadline", "start",
"days", "mode", "form": "due"|"info"}``. `recompute_all` recomputes them with the new calendar in the calendar
change's own transaction; the engine moves the instance data and waiting timers and audits each move, and the
records that keep a copy of a deadline (a contract's deadlines, an inspection's answer deadline) follow by the
functions the procedures register with `follows`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from engine import recompute, tenancy
from engine.unit_of_work import UnitOfWork
from workflows.calendar import Deadline, LegalCalendar, in_force, zone_name

KIND = "legal_deadline"


def _spec(start: Any, days: int, mode: str, form: str) -> dict[str, Any]:
    start = start.isoformat() if isinstance(start, (dt.date, dt.datetime)) else str(start)
    return {"kind": KIND, "start": start, "days": days, "mode": str(mode), "form": form}


def tracking_helpers(calendar: LegalCalendar | Callable[[], LegalCalendar]) -> dict[str, Callable[..., Any]]:
    """The diagrams' ``deadline`` and ``deadline_info``, which also keep their spec for recomputation."""
    cal = in_force(calendar)

    def deadline(start_iso: str, days: int, mode: str = "calendar") -> str:
        value = cal().deadline(start_iso, days, mode).iso()
        recompute.note(value, _spec(start_iso, days, mode, "due"))
        return value

    def deadline_info(start_iso: str, days: int, mode: str = "calendar") -> dict[str, Any]:
        value = cal().deadline(start_iso, days, mode).as_dict()
        recompute.note(value, _spec(start_iso, days, mode, "info"))
        return value

    return {"deadline": deadline, "deadline_info": deadline_info}


def tracked(calendar: LegalCalendar, start: dt.datetime | dt.date | str, days: int, mode: str = "calendar") -> Deadline:
    """A deadline computed by a service-task handler, kept for recomputation when the step's instance waits on it."""
    found = calendar.deadline(start, days, mode)
    recompute.note(found.iso(), _spec(start, days, mode, "due"))
    return found


CalendarOf = Callable[[int | None], LegalCalendar]  # an organisation's calendar (None: the installation's)


def _compute(calendar_of: CalendarOf, now: dt.datetime) -> Callable[[dict[str, Any], Any], Any]:
    def compute(spec: dict[str, Any], old: Any) -> Any:
        due = due_of(old)
        if spec.get("kind") != KIND or (due is not None and dt.datetime.fromisoformat(due) <= now):
            return None  # not ours, or a period that has run out already: what happened on it stands
        found = calendar_of(tenancy.current()).deadline(spec["start"], int(spec["days"]),
                                                        spec.get("mode") or "calendar")
        return found.as_dict() if spec.get("form") == "info" else found.iso()
    return compute


def _local(calendar_of: CalendarOf) -> Callable[[dt.datetime], str]:
    def when(due: dt.datetime) -> str:
        zone = calendar_of(tenancy.current()).tz  # the case's organisation's zone
        local, named = due.astimezone(zone), zone_name(zone.key)
        if local.time() != dt.time(0):  # a deadline of another zone (before a change of zone): its local hour
            return f"{local.year}年{local.month}月{local.day}日{local.hour}时{local.minute:02d}分（{named}）"
        last_day = (local - dt.timedelta(seconds=1)).date()
        return f"{last_day.year}年{last_day.month}月{last_day.day}日24时（{named}）"
    return when


def recompute_all(uow: UnitOfWork, calendar_of: CalendarOf, *, actor: str, reason: dict[str, Any],
                  orgs: set[int] | None = None, cause: tuple[str, str] | None = None) -> list[recompute.Move]:
    """Recompute every kept deadline of the running instances (of ``orgs`` only, when given) with each one's
    organisation's calendar as just changed (``calendar_of``).

    Called inside the change's open unit of work (of the calendar, or of an organisation's time zone): the moves
    commit, or fail, with it. ``cause``: what the people of a task whose due time moved are told changed (the
    official holiday calendar when not given).
    """
    moves = recompute.recompute(uow, _compute(calendar_of, uow.now()), actor=actor, reason=reason,
                                when=_local(calendar_of), orgs=orgs, **({"cause": cause} if cause else {}))
    for move in moves:
        with tenancy.acting_for(move.org_id):
            _follow_records(uow, move)
    return moves


def due_of(value: Any) -> str | None:
    """The due instant (ISO text) of a moved value: a ``deadline`` string or a ``deadline_info`` dict."""
    return value.get("due") if isinstance(value, dict) else value if isinstance(value, str) else None


Follower = Callable[[UnitOfWork, recompute.Move], None]
FOLLOWERS: list[Follower] = []


def follows(fn: Follower) -> Follower:
    """Register a procedure's function that brings its records' copy of a moved deadline up to date."""
    if fn not in FOLLOWERS:
        FOLLOWERS.append(fn)
    return fn


def _follow_records(uow: UnitOfWork, move: recompute.Move) -> None:
    for follower in FOLLOWERS:
        follower(uow, move)
