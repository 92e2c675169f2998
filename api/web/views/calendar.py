"""The legal calendar page (节假日与调休): an organisation's admin enters the days of the State Council's yearly
notice (holidays, weekends turned working days) or its own local days, sees those it inherits from its
federations and the installation, and the installation's operator confirms a year as completely entered. Every
change recomputes the deadlines waiting on it (workflows/calendar_admin.py), and the page says how many moved."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, request, url_for

from engine import organisations
from engine.errors import DmflowError
from engine.identity import ADMIN
from workflows import calendar_admin

from ...errors import status_of
from ...extension import services, uow
from .. import i18n
from ..core import blp, menu, page, render, web_actor

menu(107, "web.calendar_page", "nav.calendar", "calendar", lambda actor: actor.has(ADMIN), group="calendar")
WEEKDAYS = "一二三四五六日"


def _page(status: int = 200, **context):
    table = calendar_admin.listing(uow(readonly=True))
    today = dt.date.fromisoformat(i18n.localtime(services().clock.now())[:10])
    return render("calendar_admin.html", status, overrides=table["overrides"], years=table["confirmed_years"],
                  weekdays=WEEKDAYS, operator=organisations.is_operator(web_actor()), this_year=today.year,
                  **context)


@blp.route("/admin/calendar")
@page(ADMIN)
def calendar_page():
    return _page()


def _done(moved: int):
    flash(i18n.t("cal.saved", moved=moved), "ok")
    return redirect(url_for("web.calendar_page"))


def _date(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((request.form.get(name) or "").strip())
    except ValueError:
        return None


@blp.route("/admin/calendar/days", methods=["POST"])
@page(ADMIN)
def calendar_day():
    """Enter (or change) one of the organisation's own days."""
    day, kind = _date("day"), request.form.get("kind")
    if day is None or kind not in ("holiday", "working"):
        return _page(422, error=i18n.t("cal.bad_day"))
    try:
        moved = calendar_admin.set_day(uow(), day, kind == "working", (request.form.get("note") or "").strip()[:200]
                                       or None, actor=web_actor())
    except DmflowError as error:
        return _page(status_of(error), error=error.message)
    return _done(moved)


@blp.route("/admin/calendar/days/<isodate:day>/remove", methods=["POST"])
@page(ADMIN)
def calendar_day_remove(day: dt.date):
    """Remove one of the organisation's own days (another's is not found)."""
    try:
        moved = calendar_admin.remove_day(uow(), day, actor=web_actor())
    except DmflowError as error:
        return _page(status_of(error), error=error.message)
    return _done(moved)


@blp.route("/admin/calendar/years", methods=["POST"])
@page(ADMIN)
def calendar_year():
    """The operator marks a year's notice as completely entered, or withdraws that."""
    year = request.form.get("year", type=int)
    if year is None:
        return _page(422, error=i18n.t("cal.bad_year"))
    try:
        moved = calendar_admin.confirm_year(uow(), year, request.form.get("confirmed") == "1", actor=web_actor())
    except DmflowError as error:
        return _page(status_of(error), error=error.message)
    return _done(moved)
