"""Hardship assistance pages (困难职工帮扶): a worker applies for their household and follows the file; the
assistance committee verifies (home visit, income check), decides, resolves objections after the publicity
period, records the assistance given and reviews the file periodically until it closes. Every worker sees the
publicity list (公示: names and kinds of assistance only) and may object while it runs. A file is read only by its
applicant and the committee; every read by the committee enters the audit trail."""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from engine.errors import DmflowError, ValidationFailed
from workflows.casework import hardship, hardship_stages

from ...errors import status_of
from ...extension import services, uow
from .. import i18n
from ..core import blp, desk, page, render, web_actor
from .casework import _case_page, act, flag, number, refusal, text

FIELDS = ("household", "circumstances", "monthly_income")


def status_label(status: str) -> str:
    return i18n.t(f"hs.status.{status}")


@blp.route("/casework/hardship")
@page()
def hardship_list():
    actor = web_actor()
    return render("casework_hardship_list.html", files=hardship.listing(uow(readonly=True), actor),
                  status_label=status_label, may_apply=not actor.is_read_only)


@blp.route("/casework/hardship/new", methods=["GET", "POST"])
@page()
def hardship_new():
    values = {k: request.form.get(k, "").strip() for k in FIELDS}
    if request.method == "GET":
        return render("casework_hardship_new.html", values=values, error=None)
    try:
        income = number("monthly_income")
        case_id = hardship.apply(uow(), household=values["household"], circumstances=values["circumstances"],
                                 monthly_income=income, actor=web_actor())
    except DmflowError as error:
        return render("casework_hardship_new.html", status_of(error), values=values, error=refusal(error))
    flash(i18n.t("hs.filed"), "ok")
    return redirect(url_for("web.hardship_page", case_id=case_id))


@blp.route("/casework/hardship/publicity")
@page()
def hardship_publicity():
    return render("casework_hardship_publicity.html", rows=hardship.publicity(uow(readonly=True)),
                  may_object=not web_actor().is_read_only)


@blp.route("/casework/hardship/publicity/<int:case_id>/object", methods=["POST"])
@page()
def hardship_object(case_id: int):
    return act(url_for("web.hardship_publicity"),
               lambda a: hardship.object_to(uow(), case_id, body=text("body", limit=5000), actor=a),
               "hs.done.object")


@blp.route("/casework/hardship/<int:case_id>")
@page()
def hardship_page(case_id: int):
    actor = web_actor()
    file = hardship.detail(uow(), case_id, actor)  # NotFound for others; a committee read is audited
    committee = actor.has(hardship.COMMITTEE) and not actor.is_read_only
    status = file["status"]
    review_open = bool(file["review_due"]) and services().clock.now() >= file["review_due"]
    return render("casework_hardship.html", f=file, status_label=status_label, committee=committee,
                  staff=hardship.is_staff(actor), review_open=committee and status == "assisted" and review_open,
                  open_objections=[o for o in file["objections"] if o["resolved_at"] is None],
                  paid=sum(p["amount"] for p in file["payments"]))


def _steps(case_id: int) -> dict:
    form = request.form
    return {
        "verify": lambda a: hardship_stages.verify(uow(), case_id, visit_record=text("visit_record"),
                                                   verified_income=number("verified_income"), actor=a),
        "decide": lambda a: hardship_stages.decide(
            uow(), case_id, decision=form.get("decision", ""), reason=text("reason"),
            assistance_kind=text("assistance_kind", required=False, limit=100) or None,
            amount=number("amount", required=False), actor=a),
        "pay": lambda a: hardship_stages.pay(uow(), case_id, amount=number("amount"),
                                             reference=text("reference", required=False, limit=200) or None,
                                             actor=a),
        "review": lambda a: hardship_stages.review(uow(), case_id, decision=form.get("decision", ""),
                                                   note=text("note"),
                                                   verified_income=number("verified_income", required=False),
                                                   actor=a),
    }


@blp.route("/casework/hardship/<int:case_id>/<action>", methods=["POST"])
@page()
def hardship_step(case_id: int, action: str):
    target = url_for("web.hardship_page", case_id=case_id)
    if action.startswith("resolve-") and action[8:].isdigit():
        objection_id = int(action[8:])
        return act(target, lambda a: hardship_stages.resolve_objection(
            uow(), case_id, objection_id, upheld=flag("upheld"), resolution=text("resolution"), actor=a),
            "hs.done.resolve")
    steps = _steps(case_id)
    if action not in steps:
        raise ValidationFailed(f"unknown step {action}")
    return act(target, steps[action], f"hs.done.{action}")


desk(hardship.PROCESS_ID, _case_page("web.hardship_page"))
