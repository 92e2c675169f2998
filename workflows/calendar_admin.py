"""The legal calendar's admin table: override days (each organisation's own, over its federations' and the
installation's) and confirmed years (the installation's), stored, audited and applied; and each organisation's
calendar built from them (`Calendars`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from engine import tenancy, zones
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.identity import Actor
from engine.unit_of_work import UnitOfWork
from workflows import deadlines
from workflows.calendar import LegalCalendar, calendar_of
from workflows.tables import CalendarOverride, CalendarYear


class Calendars:
    """Each organisation's legal calendar: its time zone (its ``time_zone`` setting, else its federations', else the
    installation's DMFLOW_TIMEZONE) and the override days of the installation, its federations and itself, the
    nearest winning. One `LegalCalendar` per (zone, organisations with override days in its line), built on first
    use and kept until the stored table changes, so many organisations of one zone share one calendar."""

    def __init__(self, default_zone: str = "Asia/Shanghai",
                 days: dict[int, dict[dt.date, bool]] | None = None, years: set[int] | frozenset[int] = frozenset(),
                 zones_of: dict[int, str] | None = None):
        self.default_zone = LegalCalendar(default_zone).tz.key  # an unknown zone fails here, at the start
        self._zones = dict(zones_of or {})  # organisations whose zone is a change not yet committed
        self._state: tuple[dict[int, dict[dt.date, bool]], frozenset[int], dict] = ({}, frozenset(), {})
        self.replace(days or {}, years)

    def replace(self, days: dict[int, dict[dt.date, bool]], years: set[int] | frozenset[int]) -> None:
        """Swap in the stored table (one organisation's days per id); readers see the old or the new one. An
        unchanged table keeps the calendars built (and the holiday rules they computed)."""
        table, confirmed = {org: dict(d) for org, d in days.items() if d}, frozenset(years)
        if (table, confirmed) != self._state[:2]:
            self._state = (table, confirmed, {})

    def with_table(self, days: dict[int, dict[dt.date, bool]], years: set[int]) -> Calendars:
        """Calendars of the same installation over another table (a change not yet committed)."""
        return Calendars(self.default_zone, days, years, self._zones)

    def with_zones(self, zones_of: dict[int, str]) -> Calendars:
        """Calendars of the same installation and table with these organisations' zones, as a change not yet
        committed sets them."""
        days, years, _ = self._state
        return Calendars(self.default_zone, days, years, {**self._zones, **zones_of})

    def of(self, bind, org_id: int | None) -> LegalCalendar:
        """The calendar of ``org_id`` (None: the installation's first organisation)."""
        org = tenancy.DEFAULT_ORG if org_id is None else org_id
        days, years, built = self._state
        zone = self._zones.get(org) or zones.zone_of(bind, org, self.default_zone)
        line = tuple(dict.fromkeys((tenancy.DEFAULT_ORG, *reversed(tenancy.chain_of(bind, org)))))
        layers = tuple(o for o in line if o in days)  # the installation first, the organisation itself last
        found = built.get((zone, layers))
        if found is None:
            merged: dict[dt.date, bool] = {}
            for layer in layers:
                merged.update(days[layer])
            found = built[(zone, layers)] = LegalCalendar(zone, merged, confirmed_years=years)
        return found


def load(session) -> tuple[dict[int, dict[dt.date, bool]], set[int]]:
    """The stored override days of every organisation (id -> day -> working) and the confirmed years."""
    days: dict[int, dict[dt.date, bool]] = {}
    with tenancy.unscoped():
        for org, day, working in session.execute(select(CalendarOverride.org_id, CalendarOverride.day,
                                                        CalendarOverride.working)):
            days.setdefault(org, {})[day] = working
    return days, set(session.scalars(select(CalendarYear.year)))


def _installation_only(actor: Actor) -> None:
    """The State Council's notice is national: only the installation's administrators (organisation 1) declare
    a year's notice completely entered."""
    if actor.org_id != tenancy.DEFAULT_ORG:
        raise Forbidden("a year's notice is the installation's: its administrators confirm it")


def refresh(uow: UnitOfWork, calendars: Calendars) -> None:
    """Apply the stored table to the in-memory calendars."""
    with uow:
        days, years = load(uow.session)
    calendars.replace(days, years)


def _registry(uow: UnitOfWork) -> Calendars:
    found = (getattr(uow.runtime, "context", None) or {}).get("calendars")
    return found if found is not None else Calendars(calendar_of(uow).tz.key)


def _follow(uow: UnitOfWork, actor: Actor, reason: dict[str, Any]) -> int:
    """Recompute the kept deadlines of running instances with the changed table (same transaction): those of the
    organisation that changed its days and of the organisations below it (all of them for the installation's)."""
    uow.session.flush()
    changed = _registry(uow).with_table(*load(uow.session))
    org = _own(actor)
    orgs = None if org == tenancy.DEFAULT_ORG or reason["change"].startswith("calendar.year") else \
        {org, *(o.id for o in tenancy.members(uow.session, org))}
    return _recompute(uow, changed, actor, reason, orgs, "calendar.deadlines_recomputed")


def _recompute(uow: UnitOfWork, calendars: Calendars, actor: Actor, reason: dict[str, Any], orgs: set[int] | None,
               event: str, cause: tuple[str, str] | None = None) -> int:
    """Recompute the waiting deadlines of ``orgs``' cases (None: everyone's) with ``calendars``; the moves are
    summed up by one ``event`` on the actor's organisation's system chain. Returns how many moved."""
    bind = uow.session.get_bind()
    moves = deadlines.recompute_all(uow, lambda o: calendars.of(bind, o), actor=actor.username, reason=reason,
                                    orgs=orgs, cause=cause)
    if moves:
        uow.audit(tenancy.system_chain(uow.session, _own(actor)), event,
                  {**reason, "moved": len(moves), "instances": sorted({m.instance_id for m in moves})},
                  actor=actor.username)
    return len(moves)


def follow_zone(uow: UnitOfWork, actor: Actor, zones_of: dict[int, tuple[str | None, str | None]]) -> int | None:
    """Recompute the waiting deadlines of the organisations whose time zone just changed (organisation id -> its
    zone setting before and after, None for the installation's), each with its calendar in its new zone, in the
    change's open unit of work (`engine.organisations.update_organisation` calls it); returns how many moved, None
    when no organisation's zone changed in effect (its setting became the zone it already worked in)."""
    uow.session.flush()
    registry = _registry(uow)
    changed = {o: new or registry.default_zone for o, (old, new) in zones_of.items()
               if (old or registry.default_zone) != (new or registry.default_zone)}
    if not changed:
        return None
    calendars = registry.with_table(*load(uow.session)).with_zones(changed)
    reason = {"change": "organisation.time_zone", "time_zones": {str(o): changed[o] for o in sorted(changed)}}
    return _recompute(uow, calendars, actor, reason, set(changed), "organisation.deadlines_recomputed",
                      cause=("本单位时区的变更", "the organisation's new time zone"))


def listing(uow: UnitOfWork) -> dict[str, Any]:
    """The current organisation's own override days, those it inherits (the installation's and its federations',
    each with the organisation that entered it, nearest winning), and the confirmed years."""
    with uow:
        s = uow.session
        org = tenancy.current() if tenancy.current() is not None else tenancy.DEFAULT_ORG
        line = [o for o in tenancy.lineage_of(s, org)]  # itself, its federations nearest first, the installation
        with tenancy.unscoped():
            rows = list(s.scalars(select(CalendarOverride).where(CalendarOverride.org_id.in_(line))))
            names = dict(s.execute(select(tenancy.Organisation.id, tenancy.Organisation.name)
                                   .where(tenancy.Organisation.id.in_(line))).all())
        nearest: dict[dt.date, CalendarOverride] = {}
        for row in sorted(rows, key=lambda r: line.index(r.org_id), reverse=True):
            nearest[row.day] = row
        years = s.scalars(select(CalendarYear).order_by(CalendarYear.year))
        return {"overrides": [{"day": o.day, "working": o.working, "note": o.note, "updated_by": o.updated_by,
                               "updated_at": o.updated_at, "own": o.org_id == org,
                               "organisation": names.get(o.org_id)}
                              for o in sorted(nearest.values(), key=lambda r: r.day)],
                "confirmed_years": [{"year": y.year, "confirmed_by": y.confirmed_by, "confirmed_at": y.confirmed_at}
                                    for y in years]}


def _own(actor: Actor) -> int:
    return actor.org_id if actor.org_id is not None else tenancy.DEFAULT_ORG


def _chain(uow: UnitOfWork, actor: Actor) -> str:
    return tenancy.system_chain(uow.session, _own(actor))


def set_day(uow: UnitOfWork, day: dt.date, working: bool, note: str | None, *, actor: Actor) -> int:
    """Enter one day of the State Council's notice (a holiday, or a weekend turned working day).

    An organisation's admin enters its own days (a local holiday), over its federations' and the installation's.
    Every deadline a running instance of the organisation (and of those below it) waits on is recomputed with it;
    returns how many moved.
    """
    with uow:
        row = uow.session.get(CalendarOverride, (_own(actor), day))
        previous = None if row is None else {"working": row.working, "note": row.note}
        if row is None:
            row = CalendarOverride(org_id=_own(actor), day=day)
            uow.session.add(row)
        row.working, row.note, row.updated_by, row.updated_at = working, note, actor.username, uow.now()
        uow.audit(_chain(uow, actor), "calendar.day_set", {"day": day.isoformat(), "working": working, "note": note,
                                                      "previous": previous}, actor=actor.username)
        moved = _follow(uow, actor, {"change": "calendar.day_set", "day": day.isoformat(), "working": working})
        uow.commit()
    return moved


def remove_day(uow: UnitOfWork, day: dt.date, *, actor: Actor) -> int:
    """Remove one of the organisation's own overrides; deadlines follow as for `set_day`. Raises: NotFound."""
    with uow:
        row = uow.session.get(CalendarOverride, (_own(actor), day))
        if row is None:
            raise NotFound(f"no override for {day.isoformat()}")
        uow.session.delete(row)
        uow.audit(_chain(uow, actor), "calendar.day_removed", {"day": day.isoformat(), "working": row.working},
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
        uow.audit(_chain(uow, actor), event, {"year": year}, actor=actor.username)
        moved = _follow(uow, actor, {"change": event, "year": year})
        uow.commit()
    return moved
