"""Legal-aid referral pages (法律援助): a worker applies with the facts and their hardship and follows the case; the
union's legal-aid officers review it (refer to a legal-aid body, generating the referral letter, or decline with a
reason) and record the outcome. Only the applicant and the officers see a case (404 to anyone else)."""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for

from engine.errors import DmflowError, ValidationFailed
from workflows.casework import legal_aid

from ...errors import status_of
from ...extension import uow
from .. import i18n
from ..core import blp, desk, page, render, web_actor
from .casework import _case_page, act, refusal, text


def status_label(status: str) -> str:
    return i18n.t(f"la.status.{status}")


@blp.route("/casework/legal-aid")
@page()
def legal_aid_list():
    actor = web_actor()
    return render("casework_aid_list.html", cases=legal_aid.listing(uow(readonly=True), actor),
                  status_label=status_label, may_apply=not actor.is_read_only)


@blp.route("/casework/legal-aid/new", methods=["GET", "POST"])
@page()
def legal_aid_new():
    values = {k: request.form.get(k, "").strip() for k in ("facts", "hardship")}
    if request.method == "GET":
        return render("casework_aid_new.html", values=values, error=None)
    try:
        case_id = legal_aid.apply(uow(), facts=values["facts"], hardship=values["hardship"], actor=web_actor())
    except DmflowError as error:
        return render("casework_aid_new.html", status_of(error), values=values, error=refusal(error))
    flash(i18n.t("la.filed"), "ok")
    return redirect(url_for("web.legal_aid_page", case_id=case_id))


@blp.route("/casework/legal-aid/<int:case_id>")
@page()
def legal_aid_page(case_id: int):
    actor = web_actor()
    case = legal_aid.detail(uow(readonly=True), case_id, actor)  # NotFound for anyone else
    officer = actor.has(legal_aid.OFFICER) and not actor.is_read_only
    return render("casework_aid.html", c=case, status_label=status_label,
                  reviewing=officer and case["status"] == "reviewing",
                  following=officer and case["status"] == "referred")


@blp.route("/casework/legal-aid/<int:case_id>/<action>", methods=["POST"])
@page()
def legal_aid_step(case_id: int, action: str):
    legal_aid.detail(uow(readonly=True), case_id, web_actor())
    steps = {
        "review": lambda a: legal_aid.review(uow(), case_id, decision=request.form.get("decision", ""),
                                             reason=text("reason"),
                                             referred_to=text("referred_to", required=False, limit=200) or None,
                                             actor=a),
        "outcome": lambda a: legal_aid.record_outcome(uow(), case_id, outcome=text("outcome"), actor=a),
    }
    if action not in steps:
        raise ValidationFailed(f"unknown step {action}")
    return act(url_for("web.legal_aid_page", case_id=case_id), steps[action], f"la.done.{action}")


@blp.route("/casework/legal-aid/<int:case_id>/documents/<int:document_id>")
@page()
def legal_aid_document(case_id: int, document_id: int):
    doc = legal_aid.case_document(uow(readonly=True), case_id, document_id, web_actor())
    return Response(doc.content, mimetype=doc.media_type, headers={"X-Content-SHA256": doc.sha256})


desk(legal_aid.PROCESS_ID, _case_page("web.legal_aid_page"))
