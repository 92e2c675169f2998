"""The rehearsal clock page (演练时钟): the installation's operator moves the time forward in a rehearsal
installation (DMFLOW_REHEARSAL=true), sees the time the procedures run on and every earlier advance."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, request, url_for

from engine import organisations, rehearsal
from engine.errors import Conflict, ValidationFailed
from engine.identity import ADMIN

from ...extension import services, uow
from .. import i18n
from ..core import blp, menu, page, render, web_actor

menu(108, "web.rehearsal_page", "nav.rehearsal", "rehearsal",
     lambda actor: organisations.is_operator(actor) and services().rehearsal, group="calendar")


def _page(status: int = 200, **context):
    clock = services().clock
    offset = clock.offset() if isinstance(clock, rehearsal.RehearsalClock) else timedelta(0)
    unit = uow(readonly=True)
    with unit:
        history = rehearsal.advances(unit.session)
    return render("rehearsal.html", status, on=services().rehearsal, now=clock.now(), offset_days=offset.days,
                  offset_hours=offset.seconds // 3600, history=history,
                  operator=organisations.is_operator(web_actor()), **context)


@blp.route("/admin/clock")
@page(ADMIN)
def rehearsal_page():
    return _page()


def _count(name: str) -> int:
    raw = (request.form.get(name) or "0").strip() or "0"
    if not raw.isdigit():
        raise ValidationFailed(i18n.t("reh.not_a_number"), {name: [raw]})
    return int(raw)


@blp.route("/admin/clock", methods=["POST"])
@page(ADMIN)
def rehearsal_advance():
    """Move the clock forward by the days and hours of the form (the operator only; audited)."""
    if not organisations.is_operator(web_actor()):
        return _page(403, error=i18n.t("org.operator_only"))
    if not services().rehearsal:
        return _page(409, error=i18n.t("reh.off"))
    try:
        days, hours = _count("days"), _count("hours")
        if days == hours == 0:
            raise ValidationFailed(i18n.t("reh.nothing"), {"days": ["0"]})
        rehearsal.advance(uow(), rehearsal.parse_duration(f"P{days}DT{hours}H" if hours else f"P{days}D"),
                          actor=web_actor().username)
    except (ValidationFailed, Conflict) as error:
        return _page(422 if isinstance(error, ValidationFailed) else 409, error=error.message)
    flash(i18n.t("reh.advanced", days=days, hours=hours), "ok")
    return redirect(url_for("web.rehearsal_page"))
