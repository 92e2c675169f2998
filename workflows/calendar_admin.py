"""The legal calendar's admin table: override days and confirmed years, stored, audited and applied."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from engine import tenancy
from engine.audit import SYSTEM_CHAIN
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.identity import Actor
from engine.unit_of_work import UnitOfWork
from workflows import deadlines
from workflows.calendar import LegalCalendar, calendar_of
from workflows.tables import CalendarOverride, CalendarYear


def load(session) -> tuple[dict[dt.date, bool], set[int]]:
    """The stored override days and confirmed years (the installation's, whichever organisation reads them)."""
    with tenancy.unscoped():
        overrides = {o.day: o.working for o in session.scalars(_installations(select(CalendarOverride)))}
    return overrides, set(session.scalars(select(CalendarYear.year)))


def _installations(query):
    return query.where(CalendarOverride.org_id == tenancy.DEFAULT_ORG)


def _installation_only(actor: Actor) -> None:
    """The State Council's notice is national: the installation's administrators (organisation 1) keep the table
    for every organisation, and its changes move the deadlines of every organisation's cases."""
    if actor.org_id != tenancy.DEFAULT_ORG:
        raise Forbidden("the legal calendar is the installation's: its administrators keep it")


def refresh(uow: UnitOfWork, calendar: LegalCalendar) -> None:
    """Apply the stored table to an in-memory calendar."""
    with uow:
        overrides, years = load(uow.session)
    calendar.replace(overrides, years)


def _follow(uow: UnitOfWork, actor: Actor, reason: dict[str, Any]) -> int:
    """Recompute the kept deadlines of running instances with the changed table (same transaction)."""
    uow.session.flush()
    overrides, years = load(uow.session)
    changed = LegalCalendar(calendar_of(uow).tz.key, overrides, confirmed_years=years)
    moves = deadlines.recompute_all(uow, changed, actor=actor.username, reason=reason)
    if moves:
        uow.audit(SYSTEM_CHAIN, "calendar.deadlines_recomputed", {**reason, "moved": len(moves),
                                                                  "instances": sorted({m.instance_id for m in moves})},
                  actor=actor.username)
    return len(moves)


def listing(uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        with tenancy.unscoped():
            days = list(uow.session.scalars(_installations(select(CalendarOverride)).order_by(CalendarOverride.day)))
        years = uow.session.scalars(select(CalendarYear).order_by(CalendarYear.year))
        return {"overrides": [{"day": o.day, "working": o.working, "note": o.note, "updated_by": o.updated_by,
                               "updated_at": o.updated_at} for o in days],
                "confirmed_years": [{"year": y.year, "confirmed_by": y.confirmed_by, "confirmed_at": y.confirmed_at}
                                    for y in years]}


def set_day(uow: UnitOfWork, day: dt.date, working: bool, note: str | None, *, actor: Actor) -> int:
    """Enter one day of the State Council's notice (a holiday, or a weekend turned working day).

    Every deadline a running instance waits on is recomputed with it; returns how many moved.
    """
    _installation_only(actor)
    with uow:
        row = uow.session.get(CalendarOverride, day)
        previous = None if row is None else {"working": row.working, "note": row.note}
        if row is None:
            row = CalendarOverride(day=day)
            uow.session.add(row)
        row.working, row.note, row.updated_by, row.updated_at = working, note, actor.username, uow.now()
        uow.audit(SYSTEM_CHAIN, "calendar.day_set", {"day": day.isoformat(), "working": working, "note": note,
                                                      "previous": previous}, actor=actor.username)
        moved = _follow(uow, actor, {"change": "calendar.day_set", "day": day.isoformat(), "working": working})
        uow.commit()
    return moved


def remove_day(uow: UnitOfWork, day: dt.date, *, actor: Actor) -> int:
    """Remove an override; deadlines follow as for `set_day`. Raises: NotFound."""
    _installation_only(actor)
    with uow:
        row = uow.session.get(CalendarOverride, day)
        if row is None:
            raise NotFound(f"no override for {day.isoformat()}")
        uow.session.delete(row)
        uow.audit(SYSTEM_CHAIN, "calendar.day_removed", {"day": day.isoformat(), "working": row.working},
                  actor=actor.username)
        moved = _follow(uow, actor, {"change": "calendar.day_removed", "day": day.isoformat()})
        uow.commit()
    return moved


def confirm_year(uow: UnitOfWork, year: int, confirmed: bool, *, actor: Actor) -> int:
    """Mark a year's notice as completely entered (its plain days become confirmed), or withdraw that.

    Deadlines follow as for `set_day` (a deadline's ``confirmed`` mark changes with it)."""
    _installation_only(actor)
    if not 2000 <= year <= 2100:
        raise ValidationFailed("year out of range", {"year": [str(year)]})
    with uow:
        row = uow.session.get(CalendarYear, year)
        if confirmed and row is None:
            uow.session.add(CalendarYear(year=year, confirmed_by=actor.username, confirmed_at=uow.now()))
        elif not confirmed and row is not None:
            uow.session.delete(row)
        event = "calendar.year_confirmed" if confirmed else "calendar.year_unconfirmed"
        uow.audit(SYSTEM_CHAIN, event, {"year": year}, actor=actor.username)
        moved = _follow(uow, actor, {"change": event, "year": year})
        uow.commit()
    return moved
