"""Turning a list request's arguments into the engine's filters (days counted in the caller's organisation's zone)."""

from __future__ import annotations

import datetime as dt

from engine import inbox

from .extension import services


def due_window(due: str | None, now: dt.datetime) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(from, before) in UTC for a due filter, days counted in the caller's organisation's time zone."""
    if not due:
        return None, None
    if due == "overdue":
        return None, now
    calendar = services().calendar
    start_of_today = dt.datetime.combine(calendar.local_date(now), dt.time(0), tzinfo=calendar.tz)
    days = 1 if due == "today" else 7
    return None, (start_of_today + dt.timedelta(days=days)).astimezone(dt.UTC)


def task_filter(args: dict) -> inbox.TaskFilter:
    due_from, due_before = due_window(args.get("due"), services().clock.now())
    return inbox.TaskFilter(scope="all" if args["all"] else args["scope"], process_id=args.get("process"),
                            instance_id=args.get("instance"), due_from=due_from, due_before=due_before,
                            text=args.get("q"), page=args["page"], per_page=args["per_page"],
                            after=args.get("after"))
