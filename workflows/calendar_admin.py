"""The legal calendar's admin table: override days and confirmed years, stored, audited and applied."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from engine.audit import SYSTEM_CHAIN
from engine.errors import NotFound, ValidationFailed
from engine.identity import Actor
from engine.unit_of_work import UnitOfWork
from workflows.calendar import LegalCalendar
from workflows.tables import CalendarOverride, CalendarYear


def load(session) -> tuple[dict[dt.date, bool], set[int]]:
    """The stored override days and confirmed years."""
    overrides = {o.day: o.working for o in session.scalars(select(CalendarOverride))}
    return overrides, set(session.scalars(select(CalendarYear.year)))


def refresh(uow: UnitOfWork, calendar: LegalCalendar) -> None:
    """Apply the stored table to an in-memory calendar."""
    with uow:
        overrides, years = load(uow.session)
    calendar.replace(overrides, years)


def listing(uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        days = uow.session.scalars(select(CalendarOverride).order_by(CalendarOverride.day))
        years = uow.session.scalars(select(CalendarYear).order_by(CalendarYear.year))
        return {"overrides": [{"day": o.day, "working": o.working, "note": o.note, "updated_by": o.updated_by,
                               "updated_at": o.updated_at} for o in days],
                "confirmed_years": [{"year": y.year, "confirmed_by": y.confirmed_by, "confirmed_at": y.confirmed_at}
                                    for y in years]}


def set_day(uow: UnitOfWork, day: dt.date, working: bool, note: str | None, *, actor: Actor) -> None:
    """Enter one day of the State Council's notice (a holiday, or a weekend turned working day)."""
    with uow:
        row = uow.session.get(CalendarOverride, day)
        previous = None if row is None else {"working": row.working, "note": row.note}
        if row is None:
            row = CalendarOverride(day=day)
            uow.session.add(row)
        row.working, row.note, row.updated_by, row.updated_at = working, note, actor.username, uow.now()
        uow.audit(SYSTEM_CHAIN, "calendar.day_set", {"day": day.isoformat(), "working": working, "note": note,
                                                      "previous": previous}, actor=actor.username)
        uow.commit()


def remove_day(uow: UnitOfWork, day: dt.date, *, actor: Actor) -> None:
    """Remove an override. Raises: NotFound."""
    with uow:
        row = uow.session.get(CalendarOverride, day)
        if row is None:
            raise NotFound(f"no override for {day.isoformat()}")
        uow.session.delete(row)
        uow.audit(SYSTEM_CHAIN, "calendar.day_removed", {"day": day.isoformat(), "working": row.working},
                  actor=actor.username)
        uow.commit()


def confirm_year(uow: UnitOfWork, year: int, confirmed: bool, *, actor: Actor) -> None:
    """Mark a year's notice as completely entered (its plain days become confirmed), or withdraw that."""
    if not 2000 <= year <= 2100:
        raise ValidationFailed("year out of range", {"year": [str(year)]})
    with uow:
        row = uow.session.get(CalendarYear, year)
        if confirmed and row is None:
            uow.session.add(CalendarYear(year=year, confirmed_by=actor.username, confirmed_at=uow.now()))
        elif not confirmed and row is not None:
            uow.session.delete(row)
        uow.audit(SYSTEM_CHAIN, "calendar.year_confirmed" if confirmed else "calendar.year_unconfirmed",
                  {"year": year}, actor=actor.username)
        uow.commit()
