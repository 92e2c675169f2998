"""The casework pages (工会服务): the hub, and labour-dispute mediation (劳动争议调解). A worker applies and follows
their cases; the committee accepts (assigning a mediator who declares no conflict of interest) or refuses, or
records an oral application; the mediator records sessions, extends with both parties' consent and closes with an
agreement or without. Everything goes through the domain services, which decide who sees and does what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Response, flash, redirect, request, url_for

from engine.errors import DmflowError, ValidationFailed
from engine.identity import Actor, list_users
from workflows.casework import committee
from workflows.casework import mediation as cases
from workflows.casework import mediation_stages as stages

from ...errors import status_of
from ...extension import uow
from .. import i18n
from .. import people as picker
from ..core import blp, desk, menu, page, render, web_actor

menu(75, "web.casework_hub", "nav.casework", "casework")

CLAIM_MAX = 20000
TEXT_MAX = 20000


# --- shared by the casework pages -----------------------------------------------------------------------------

def refusal(error: DmflowError) -> str:
    """A refusal in plain words: the rule's own sentence when the rule has one, else the server's message."""
    rule = getattr(error, "rule", None)
    if rule and i18n.known(f"cw.rule.{rule}"):
        return i18n.t(f"cw.rule.{rule}")
    return i18n.t("cw.refused", code=status_of(error), message=error.message)


def act(target: str, action: Callable[[Actor], object], done_key: str):
    """Run one step for the logged-in user; its refusal or its success is shown on ``target``."""
    try:
        action(web_actor())
    except DmflowError as error:
        flash(refusal(error), "error")
    else:
        flash(i18n.t(done_key), "ok")
    return redirect(target)


def text(name: str, *, required: bool = True, limit: int = TEXT_MAX) -> str:
    """A form field's text. Raises: ValidationFailed when required and empty, or too long."""
    value = request.form.get(name, "").strip()
    if (required and not value) or len(value) > limit:
        raise ValidationFailed(i18n.t("cw.err.text", n=limit), {name: [f"1 to {limit} characters"]})
    return value


def number(name: str, *, required: bool = True) -> int | None:
    """A form field's whole number. Raises: ValidationFailed."""
    raw = request.form.get(name, "").strip()
    if not raw and not required:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed(i18n.t("cw.err.number"), {name: [raw]}) from None


def flag(name: str) -> bool:
    return request.form.get(name) in ("1", "on", "true")


def local_time(name: str) -> datetime | None:
    """A datetime-local field read in the signed-in user's organisation's zone. Raises: ValidationFailed."""
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=i18n.zone())
    except ValueError:
        raise ValidationFailed(i18n.t("cw.err.time"), {name: [raw]}) from None


def people() -> list[dict]:
    """Active users for the pickers (display name and username)."""
    return [u for u in list_users(uow(readonly=True)) if u["active"]]


@blp.route("/casework")
@page()
def casework_hub():
    return render("casework_hub.html")


# --- mediation ------------------------------------------------------------------------------------------------

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


def _form(status: int = 200, error: str | None = None, values: dict | None = None, co_error: str | None = None):
    values = values or {}
    return render("casework_mediation_new.html", status, error=error, values=values,
                  recorder=web_actor().has(committee.ROLE), people=people(),
                  chosen=picker.shown(values.get("co_applicant", [])), co_error=co_error)


@blp.route("/casework/mediations/new")
@page()
def mediation_new():
    return _form()


@blp.route("/casework/mediations/new", methods=["POST"])
@page()
def mediation_file():
    actor = web_actor()
    values: dict = {k: request.form.get(k, "").strip() for k in ("respondent", "claim", "co_applicant_names",
                                                                  "applicant")}
    # co_applicants: the comma-separated logins the form took before it had a picker
    values["co_applicant"] = request.form.getlist("co_applicant") + picker.split(request.form.get("co_applicants"))
    oral = actor.has(committee.ROLE) and flag("oral")
    values["oral"] = oral
    if not values["respondent"] or not values["claim"] or len(values["claim"]) > CLAIM_MAX:
        return _form(422, i18n.t("md.err.claim", n=CLAIM_MAX), values)
    try:
        others = picker.many(values["co_applicant"], values["co_applicant_names"], "co_applicant")
    except picker.PickRefused as refused:
        return _form(422, refused.message, values, co_error=refused.message)
    first = values["applicant"] if actor.has(committee.ROLE) and values["applicant"] else actor.username
    try:
        case_id = cases.file_application(uow(), applicants_=[first, *others], respondent=values["respondent"],
                                         claim=values["claim"], oral=oral, actor=actor)
    except DmflowError as error:
        return _form(status_of(error), refusal(error), values)
    flash(i18n.t("md.filed"), "ok")
    return redirect(url_for("web.mediation_page", case_id=case_id))


@blp.route("/casework/mediations/<int:case_id>")
@page()
def mediation_page(case_id: int):
    actor = web_actor()
    case = cases.detail(uow(readonly=True), case_id, actor)  # NotFound for anyone not involved
    on_committee = actor.has(committee.ROLE) and not actor.is_read_only
    return render("casework_mediation.html", c=case, status_label=status_label, last_day=last_day,
                  deciding=on_committee and case["status"] == "received",
                  mediating=case["status"] == "mediating" and actor.username == case["mediator"],
                  roster=committee.roster(uow(readonly=True)) if on_committee else [],
                  people=people() if on_committee else [])


def _mediation_step(case_id: int, action: str) -> Callable[[Actor], object] | None:
    return {
        "accept": lambda a: stages.accept(uow(), case_id, mediator=text("mediator", limit=100),
                                          employer_rep=text("employer_rep", required=False, limit=100) or None,
                                          no_conflict_declared=flag("no_conflict_declared"), actor=a),
        "refuse": lambda a: stages.refuse(uow(), case_id, reason=text("reason"), actor=a),
        "session": lambda a: stages.add_session(uow(), case_id, held_at=local_time("held_at"),
                                                record_text=text("record"), actor=a),
        "extend": lambda a: stages.extend(uow(), case_id, days=number("days"),
                                          applicant_consent=flag("applicant_consent"),
                                          employer_consent=flag("employer_consent"), actor=a),
        "close": lambda a: stages.close(uow(), case_id, outcome=request.form.get("outcome", ""),
                                        terms=text("terms", required=False), signed_by_both=flag("signed_by_both"),
                                        actor=a),
    }.get(action)


@blp.route("/casework/mediations/<int:case_id>/<action>", methods=["POST"])
@page()
def mediation_step(case_id: int, action: str):
    cases.detail(uow(readonly=True), case_id, web_actor())  # NotFound first for anyone not involved
    step = _mediation_step(case_id, action)
    if step is None:
        raise ValidationFailed(f"unknown step {action}")
    return act(url_for("web.mediation_page", case_id=case_id), step, f"md.done.{action}")


@blp.route("/casework/mediations/<int:case_id>/documents/<int:document_id>")
@page()
def mediation_document(case_id: int, document_id: int):
    doc = cases.case_document(uow(readonly=True), case_id, document_id, web_actor())
    return Response(doc.content, mimetype=doc.media_type, headers={"X-Content-SHA256": doc.sha256})


def _case_page(endpoint: str, variable: str = "case_id") -> Callable[[dict], str | None]:
    """A casework task is done on its case's page (the stage tasks refuse the generic task form)."""
    def url_of(task: dict) -> str | None:
        found = (task.get("data") or {}).get(variable)
        return url_for(endpoint, case_id=int(found)) if found else None
    return url_of


desk(cases.PROCESS_ID, _case_page("web.mediation_page"))
