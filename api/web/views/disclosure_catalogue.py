"""The disclosure catalogue (厂务公开目录) and its schedules, for the office and the administrator.

The catalogue says what must be disclosed, by which department, how often, on which channels, and whether the
confidentiality check and the congress come first; admins edit it here (disclosures already started keep their
values). The schedules page shows, for each regular item, the last period started, the period the schedule
starts next and by when it must be published, and the disclosures still to be published; the owner
department or the supervision group starts a missed period or an ad hoc disclosure from it.
"""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, request, url_for
from sqlalchemy import func, select

from engine.errors import DmflowError, ValidationFailed
from engine.identity import ADMIN, Actor
from workflows.disclosure import catalogue
from workflows.disclosure import stages as disclosure
from workflows.disclosure.catalogue import CATEGORIES, CHANNELS, FREQUENCIES, SUPERVISION
from workflows.disclosure.tables import Disclosure

from ...extension import services, uow
from .. import i18n
from ..core import blp, menu, page, render, web_actor
from .congress import label
from .disclosure_office import _office_member

menu(104, "web.disclosure_catalogue", "nav.disclosure_catalogue", "disclosure-catalogue",
     lambda actor: actor.has(ADMIN), group="disclosure")

OPEN = ("starting", "drafting", "checking", "reviewing", "awaiting_congress", "approved")


def _may_read(actor: Actor) -> bool:
    return actor.has(ADMIN) or _office_member(actor)


@blp.route("/disclosure-office/catalogue")
@page()
def disclosure_catalogue():
    actor = web_actor()
    items = catalogue.list_items(uow(readonly=True))
    if not _may_read(actor):
        items = [i for i in items if i["active"]]
    return render("disclosure_catalogue.html", items=items, admin=actor.has(ADMIN), label=label,
                  categories=CATEGORIES, frequencies=FREQUENCIES, channels=CHANNELS)


def _item_form() -> dict:
    form = request.form
    fields = {"title": form.get("title", "").strip(), "category": form.get("category", ""),
              "frequency": form.get("frequency", ""), "channels": form.getlist("channels"),
              "owner_role": form.get("owner_role", "").strip(), "legal_basis": form.get("legal_basis", "").strip(),
              "congress_first": form.get("congress_first") == "1",
              "confidentiality_check": form.get("confidentiality_check") == "1",
              "active": form.get("active") == "1"}
    days = form.get("feedback_days", "").strip()
    if days and not (days.isdigit() and 1 <= int(days) <= 90):
        raise ValidationFailed(i18n.t("dk.bad_days"), {"feedback_days": [days]})
    fields["feedback_days"] = int(days) if days else None
    if not fields["title"] or not fields["legal_basis"]:
        raise ValidationFailed(i18n.t("dk.required"), {"title": ["required"], "legal_basis": ["required"]})
    return fields


def _done(action, done_key: str, endpoint: str):
    try:
        action()
    except DmflowError as error:
        flash(i18n.t("do.refused", message=error.message), "error")
    else:
        flash(i18n.t(done_key), "ok")
    return redirect(url_for(endpoint))


@blp.route("/disclosure-office/catalogue/<int:item_id>", methods=["POST"])
@page(ADMIN)
def disclosure_catalogue_item(item_id: int):
    return _done(lambda: catalogue.update_item(uow(), item_id, _item_form(), actor=web_actor()), "dk.saved",
                 "web.disclosure_catalogue")


@blp.route("/disclosure-office/catalogue/new", methods=["POST"])
@page(ADMIN)
def disclosure_catalogue_new():
    def create():
        fields = _item_form()
        fields["code"] = request.form.get("code", "").strip()
        if not fields["code"]:
            raise ValidationFailed(i18n.t("dk.required"), {"code": ["required"]})
        catalogue.create_item(uow(), fields, actor=web_actor())
    return _done(create, "dk.created", "web.disclosure_catalogue")


def _schedule_rows() -> list[dict]:
    """Each active item: the last period started, the next one and by when that one is published."""
    svc = services()
    cal, cfg = svc.calendar, catalogue.settings(uow(readonly=True))
    today = cal.local_date(svc.clock.now())
    unit = uow(readonly=True)
    with unit:
        last = dict(unit.session.execute(select(Disclosure.item_id, func.max(Disclosure.period))
                                         .group_by(Disclosure.item_id)).all())
    rows = []
    for item in catalogue.list_items(uow(readonly=True), active_only=True):
        frequency, label = item["frequency"], last.get(item["id"])
        row = {"item": item, "last": catalogue.parse_period(frequency, label).title if label else None}
        if frequency != "ad_hoc":
            current = catalogue.period_containing(frequency, today)
            ended = catalogue.last_ended_period(frequency, today)
            row |= {"next": current, "starts_on": current.last_day + dt.timedelta(days=1),
                    "publish_by": cal.deadline(current.last_day, cfg.publish_by_day).last_day,
                    "missed": ended if (label or "") < ended.label else None}
        rows.append(row)
    return rows


@blp.route("/disclosure-office/schedules")
@page()
def disclosure_schedules():
    actor = web_actor()
    if not _may_read(actor):
        return redirect(url_for("web.disclosures"))
    due = [d for d in disclosure.listing(uow(readonly=True), actor) if d["status"] in OPEN]
    due.sort(key=lambda d: d["publish_due"])
    now = services().clock.now()
    return render("disclosure_schedules.html", rows=_schedule_rows(), due=due, now=now, label=label,
                  may_start=lambda item: actor.has(item["owner_role"], SUPERVISION))


@blp.route("/disclosure-office/schedules/<int:item_id>/start", methods=["POST"])
@page()
def disclosure_start(item_id: int):
    """Start a period the schedule did not start, or an ad hoc disclosure (owner department or supervision)."""
    period = request.form.get("period", "").strip() or None
    return _done(lambda: catalogue.request_disclosure(uow(), item_id, period=period, within_days=None,
                                                      actor=web_actor()), "dk.started", "web.disclosure_schedules")
