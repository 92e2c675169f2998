"""Legal calendar: statutory day counting on China's official working calendar."""

import datetime as dt
from calendar import monthrange
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar
import holidays

from engine.zones import ZONE_NAMES, zone_name  # noqa: F401  (re-exported: how people name a zone)

# No real calendar has a year of consecutive rest days; more than this means the override table is wrong.
_MAX_REST_RUN = 366
# No statutory period in dmflow's procedures is longer than a congress term or a contract (5 years); the bound
# keeps a designer's `deadline(d, 10**6, "working")` from computing for minutes inside a step.
MAX_PERIOD_YEARS = 100
MAX_PERIOD_DAYS = 3660


class DayMode(StrEnum):
    """How a statutory period counts its days."""

    CALENDAR = "calendar"  # 日: national rules (集体合同规定 etc.)
    WORKING = "working"  # 工作日: some local rules


class DaySource(StrEnum):
    """Where the status of one day came from, strongest first."""

    OVERRIDE = "override"  # admin table entered from the State Council notice
    OFFICIAL = "official"  # chinese_calendar's copy of the State Council notices (2004-2026 in 1.11.0)
    NOTICE = "notice"  # year declared complete in the override table; unlisted days are plain days
    RULE = "rule"  # computed by `holidays` from the holiday rules; adjusted working weekends unknown


class _Day(NamedTuple):
    working: bool
    holiday: bool
    source: DaySource


@dataclass(frozen=True)
class Deadline:
    """A statutory deadline.

    Attributes:
        due: Aware UTC instant at which the period has run out: 00:00 local time of the day *after*
            ``last_day`` (民法典 第203条 ¶2: the last day ends at 24:00). A BPMN timer set to ``due``
            fires on the day after the last allowed day, never on it.
        last_day: The last allowed local day.
        confirmed: False when the status of any day the computation depended on came from the rule-based
            fallback rather than official data or the override table; such a deadline must be shown as
            provisional until the State Council notice for that year is entered.
    """

    due: dt.datetime
    last_day: dt.date
    confirmed: bool

    def __post_init__(self) -> None:
        if self.due.tzinfo is None:
            raise ValueError("Deadline.due must be timezone-aware")

    def iso(self) -> str:
        """Return ``due`` as ISO 8601 with its UTC offset, for a BPMN ``timeDate``."""
        return self.due.isoformat()

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly form: ``{"due": iso, "last_day": "YYYY-MM-DD", "confirmed": bool}``."""
        return {"due": self.iso(), "last_day": self.last_day.isoformat(), "confirmed": self.confirmed}


class LegalCalendar:
    """China's working calendar for one enterprise time zone, with an admin override table.

    The status of a day is taken, in this order, from: the override table (admins enter the State Council's
    annual notice there: ``True`` = working day, e.g. an adjusted working weekend, ``False`` = holiday);
    chinese_calendar's official data; for a year listed in ``confirmed_years`` (notice fully entered), plain
    Monday-Friday working days; and last the rule-based computation of the ``holidays`` package, which knows
    the statutory holidays of any year but not the adjusted working weekends, and so is never confirmed.

    Args:
        tz: IANA time zone of the enterprise; local dates are taken in it.
        overrides: Date to working-day flag, winning over every other source.
        confirmed_years: Years whose notice has been entered completely in ``overrides``.

    Raises:
        ValueError: Unknown time zone, or an override that does not map a ``date`` to a ``bool``.
    """

    def __init__(
        self,
        tz: str = "Asia/Shanghai",
        overrides: Mapping[dt.date, bool] | None = None,
        *,
        confirmed_years: Iterable[int] = (),
    ) -> None:
        try:
            self._tz = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {tz!r}") from exc
        self._rule_years: dict[int, holidays.HolidayBase] = {}  # memo only; results never change
        self.replace(overrides, confirmed_years)

    def replace(self, overrides: Mapping[dt.date, bool] | None, confirmed_years: Iterable[int] = ()) -> None:
        """Swap in a new override table (admins edited it); readers see the old or the new one, never a mix.

        Raises:
            ValueError: an override that does not map a ``date`` to a ``bool``.
        """
        checked: dict[dt.date, bool] = {}
        for day, working in (overrides or {}).items():
            if isinstance(day, dt.datetime) or not isinstance(day, dt.date) or not isinstance(working, bool):
                raise ValueError(f"override must map a date to a bool, got {day!r}: {working!r}")
            checked[day] = working
        self._overrides, self._confirmed_years = MappingProxyType(checked), frozenset(confirmed_years)

    @property
    def tz(self) -> ZoneInfo:
        """The enterprise time zone."""
        return self._tz

    @property
    def overrides(self) -> Mapping[dt.date, bool]:
        """The override table (read-only)."""
        return self._overrides

    def _day(self, d: dt.date) -> _Day:
        if d in self._overrides:
            working = self._overrides[d]
            return _Day(working, not working, DaySource.OVERRIDE)
        try:
            rest, name = chinese_calendar.get_holiday_detail(d)
        except NotImplementedError:
            pass
        else:
            # A named rest day belongs to a holiday period; an unnamed one is a plain weekend.
            return _Day(not rest, rest and name is not None, DaySource.OFFICIAL)
        if d.year in self._confirmed_years:
            return _Day(d.weekday() < 5, False, DaySource.NOTICE)
        rule = self._rule_years.get(d.year)
        if rule is None:
            rule = self._rule_years[d.year] = holidays.China(years=d.year)
        holiday = d in rule
        working = not holiday and (d.weekday() < 5 or d in rule.weekend_workdays)
        return _Day(working, holiday, DaySource.RULE)

    def source(self, d: dt.date) -> DaySource:
        """Return where the status of ``d`` comes from."""
        return self._day(d).source

    def is_working_day(self, d: dt.date) -> bool:
        """Return True if ``d`` is a working day (including an adjusted working weekend)."""
        return self._day(d).working

    def is_holiday(self, d: dt.date) -> bool:
        """Return True if ``d`` is in a public-holiday period (holiday, in-lieu day), not a plain weekend."""
        return self._day(d).holiday

    def is_confirmed(self, d: dt.date) -> bool:
        """Return True if the status of ``d`` comes from official data or the override table."""
        return self._day(d).source is not DaySource.RULE

    def local_date(self, moment: dt.datetime | dt.date | str) -> dt.date:
        """Return the enterprise-local date of ``moment``.

        Args:
            moment: Aware datetime (converted to the enterprise time zone), date, or an ISO 8601 string
                of either.

        Raises:
            ValueError: Unparseable string, or a datetime without a UTC offset (its date would be a guess).
            TypeError: Any other type.
        """
        if isinstance(moment, str):
            try:
                moment = dt.date.fromisoformat(moment)
            except ValueError:
                try:
                    moment = dt.datetime.fromisoformat(moment)
                except ValueError as exc:
                    raise ValueError(f"not an ISO 8601 date or timestamp: {moment!r}") from exc
        if isinstance(moment, dt.datetime):
            if moment.utcoffset() is None:
                raise ValueError(f"timestamp without UTC offset: {moment.isoformat()}")
            return moment.astimezone(self._tz).date()
        if isinstance(moment, dt.date):
            return moment
        raise TypeError(f"expected datetime, date or ISO string, got {type(moment).__name__}")

    def _walk(self, after: dt.date, count: int) -> tuple[dt.date, bool]:
        """Return the ``count``-th working day after ``after``, and whether all days seen are confirmed."""
        day, confirmed, rest_run = after, True, 0
        while count:
            day += dt.timedelta(days=1)
            info = self._day(day)
            confirmed = confirmed and info.source is not DaySource.RULE
            if info.working:
                count, rest_run = count - 1, 0
            else:
                rest_run += 1
                if rest_run > _MAX_REST_RUN:
                    raise ValueError(f"no working day found in the year before {day}; check the overrides")
        return day, confirmed

    def deadline(
        self, start: dt.datetime | dt.date | str, days: int, mode: DayMode | str = DayMode.CALENDAR
    ) -> Deadline:
        """Compute a statutory deadline (民法典 第201条, 第203条; rules.md marks both U).

        The start day is never counted (第201条 ¶2: "开始的当日不计入，自下一日开始计算").

        * ``calendar``: the last day is the local start date plus ``days``. If it is not a working day it
          moves to the next working day (第203条 ¶1: "期间的最后一日是法定休假日的，以法定休假日结束的次日为
          期间的最后一日"). In Chinese practice 法定休假日 includes the weekly rest days: the 1988
          民通意见 第198条 named 星期日 expressly and followed the actual rest days where the State Council
          shifted them (U). So a last day on a plain weekend moves; one on an adjusted working Saturday stays.
        * ``working``: the last day is the ``days``-th working day after the start day (local 工作日 rules).

        The period ends at 24:00 of the last day (第203条 ¶2); ``Deadline.due`` is that instant.

        Args:
            start: When the period was triggered (receipt, signature...): aware datetime, date or ISO string.
            days: Length of the period, at least 1.
            mode: ``"calendar"`` or ``"working"``.

        Raises:
            ValueError: Bad ``start``, ``days`` < 1 or > MAX_PERIOD_DAYS, unknown ``mode``, or an override
                table without any working day for a year.
            TypeError: ``days`` is not an int.
        """
        _check_int("days", days, MAX_PERIOD_DAYS)
        if days < 1:
            raise ValueError(f"days must be at least 1, got {days}")
        try:
            mode = DayMode(mode)
        except ValueError as exc:
            raise ValueError(f"unknown day mode {mode!r}; use 'calendar' or 'working'") from exc
        day = self.local_date(start)
        if mode is DayMode.CALENDAR:
            # The first working day on or after the nominal last day = first working day after the one before.
            day, confirmed = self._walk(day + dt.timedelta(days=days - 1), 1)
        else:
            day, confirmed = self._walk(day, days)
        midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=self._tz)
        return Deadline(due=midnight.astimezone(dt.UTC), last_day=day, confirmed=confirmed)


def _check_int(name: str, value: object, limit: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if abs(value) > limit:
        raise ValueError(f"{name} must be at most {limit} in size, got {value}")


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the day ``months`` months after (or before, if negative) ``day``.

    Follows 民法典 第202条 (U): "到期月的对应日为期间的最后一日；没有对应日的，月末日为期间的最后一日" — so
    2025-01-31 plus one month is 2025-02-28. Used for 续订 windows (集体合同规定 第38条: 期满前3个月内).
    """
    _check_int("months", months, 12 * MAX_PERIOD_YEARS)
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month0 + 1, min(day.day, monthrange(year, month0 + 1)[1]))


def in_force(calendar: LegalCalendar | Callable[[], LegalCalendar]) -> Callable[[], LegalCalendar]:
    """A calendar, or a callable returning the one in force at each call (the current organisation's)."""
    return calendar if callable(calendar) else (lambda: calendar)


def make_helpers(calendar: LegalCalendar | Callable[[], LegalCalendar]) -> dict[str, Callable[..., Any]]:
    """Return pure, JSON-friendly helpers for BPMN scripts and conditions, bound to ``calendar`` (or to the
    calendar a callable returns at each call: the current organisation's zone and overrides).

    Inputs and outputs are ISO strings, ints and bools. There is deliberately no "today": a script takes its
    start instant from task data (stamped by the engine's clock), so a replay computes the same dates.

    Helpers:
        deadline(start_iso, days, mode="calendar") -> str: ``Deadline.iso()``, for a ``timeDate``.
        deadline_info(start_iso, days, mode="calendar") -> dict: ``Deadline.as_dict()``.
        add_days(date_iso, days) -> str: local date plus ``days`` calendar days, no holiday shift.
        add_months(date_iso, months) -> str: local date plus ``months`` months (民法典 第202条).
        local_date(timestamp_iso) -> str: the enterprise-local date of an instant.
        is_working_day(date_iso) -> bool, is_holiday(date_iso) -> bool, is_confirmed(date_iso) -> bool.
    """

    cal = in_force(calendar)

    def deadline(start_iso: str, days: int, mode: str = "calendar") -> str:
        return cal().deadline(start_iso, days, mode).iso()

    def deadline_info(start_iso: str, days: int, mode: str = "calendar") -> dict[str, Any]:
        return cal().deadline(start_iso, days, mode).as_dict()

    def add_days(date_iso: str, days: int) -> str:
        _check_int("days", days, 366 * MAX_PERIOD_YEARS)
        return (cal().local_date(date_iso) + dt.timedelta(days=days)).isoformat()

    def add_months_(date_iso: str, months: int) -> str:
        return add_months(cal().local_date(date_iso), months).isoformat()

    def local_date(timestamp_iso: str) -> str:
        return cal().local_date(timestamp_iso).isoformat()

    def is_working_day(date_iso: str) -> bool:
        c = cal()
        return c.is_working_day(c.local_date(date_iso))

    def is_holiday(date_iso: str) -> bool:
        c = cal()
        return c.is_holiday(c.local_date(date_iso))

    def is_confirmed(date_iso: str) -> bool:
        c = cal()
        return c.is_confirmed(c.local_date(date_iso))

    return {
        "deadline": deadline,
        "deadline_info": deadline_info,
        "add_days": add_days,
        "add_months": add_months_,
        "local_date": local_date,
        "is_working_day": is_working_day,
        "is_holiday": is_holiday,
        "is_confirmed": is_confirmed,
    }


_DEFAULT: LegalCalendar | None = None


def calendar_of(uow: Any) -> LegalCalendar:
    """The legal calendar of the current organisation in the app a unit of work belongs to (its time zone, and the
    override days of itself, its federations and the installation)."""
    global _DEFAULT
    found = (getattr(uow.runtime, "context", None) or {}).get("calendar")
    if found is not None:
        return found
    if _DEFAULT is None:
        _DEFAULT = LegalCalendar()
    return _DEFAULT


def local_today(uow: Any) -> dt.date:
    """Today in the current organisation's time zone, by the unit of work's clock."""
    return calendar_of(uow).local_date(uow.now())

