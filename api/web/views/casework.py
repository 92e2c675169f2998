"""The casework pages (工会个案): a worker applies for labour-dispute mediation and follows their cases; the
parties, the mediator and the committee read a case. The committee's and mediator's actions are on the API
(/api/v1/casework) and in the inbox. Everything goes through the domain services, which decide who sees what."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Response, flash, redirect, request, url_for

from engine.errors import DmflowError
from workflows.casework import mediation as cases

from ...errors import status_of
from ...extension import uow
from .. import i18n
from ..core import blp, menu, page, render, web_actor

menu(75, "web.mediations", "nav.mediations", "mediations")

CLAIM_MAX = 20000


def status_label(status: str) -> str:
    return i18n.t(f"md.status.{status}")


def last_day(due: datetime | None) -> str:
    """A deadline as its last day at 24:00 (民法典 第203条), not as 00:00 of the next day."""
    return i18n.localtime(due - timedelta(minutes=1))[:10] + " 24:00" if due else "—"


@blp.route("/casework/mediations")
@page()
def mediations():
    actor = web_actor()
    return render("casework_mediations.html", cases=cases.listing(uow(readonly=True), actor),
                  status_label=status_label, last_day=last_day, may_file=not actor.is_read_only)


def _form(status: int = 200, error: str | None = None, values: dict | None = None):
    return render("casework_mediation_new.html", status, error=error, values=values or {})


@blp.route("/casework/mediations/new")
@page()
def mediation_new():
    return _form()


@blp.route("/casework/mediations/new", methods=["POST"])
@page()
def mediation_file():
    actor = web_actor()
    values = {k: request.form.get(k, "").strip() for k in ("respondent", "claim", "co_applicants")}
    if not values["respondent"] or not values["claim"] or len(values["claim"]) > CLAIM_MAX:
        return _form(422, i18n.t("md.err.claim", n=CLAIM_MAX), values)
    others = [n.strip() for n in values["co_applicants"].replace("，", ",").split(",") if n.strip()]
    try:
        case_id = cases.file_application(uow(), applicants_=[actor.username, *others],
                                         respondent=values["respondent"], claim=values["claim"], oral=False,
                                         actor=actor)
    except DmflowError as error:
        return _form(status_of(error), i18n.t("cg.err.generic", code=status_of(error), message=error.message),
                     values)
    flash(i18n.t("md.filed"), "ok")
    return redirect(url_for("web.mediation_page", case_id=case_id))


@blp.route("/casework/mediations/<int:case_id>")
@page()
def mediation_page(case_id: int):
    case = cases.detail(uow(readonly=True), case_id, web_actor())  # NotFound for anyone not involved
    return render("casework_mediation.html", c=case, status_label=status_label, last_day=last_day)


@blp.route("/casework/mediations/<int:case_id>/documents/<int:document_id>")
@page()
def mediation_document(case_id: int, document_id: int):
    doc = cases.case_document(uow(readonly=True), case_id, document_id, web_actor())
    return Response(doc.content, mimetype=doc.media_type, headers={"X-Content-SHA256": doc.sha256})
