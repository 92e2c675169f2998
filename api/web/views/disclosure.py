"""Workers' disclosure pages (厂务公开): the published disclosures, one disclosure with its questions and answers,
asking a question (optionally anonymous to other workers) while the feedback window is open, and rating a
closed disclosure. Everything goes through the domain services, which decide what a worker may see."""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from engine.errors import Conflict, DmflowError, Forbidden, NotFound, TooManyRequests, ValidationFailed
from workflows.disclosure import feedback as disclosure_feedback
from workflows.disclosure import stages as disclosure

from ...errors import status_of
from ...extension import uow
from .. import i18n
from ..core import blp, menu, page, render, web_actor
from .congress import label

menu(70, "web.disclosures", "nav.disclosures", "disclosures", group="disclosure")

BODY_MAX = 5000


def error_message(error: DmflowError) -> str:
    """A domain refusal in the page's language (the engine's own words when there is no better one)."""
    rule = getattr(error, "rule", None)
    if rule == "feedback_window":
        return i18n.t("dc.err.window_closed")
    if rule == "rating_window":
        return i18n.t("dc.err.rating_closed")
    if isinstance(error, Conflict) and "already rated" in error.message:
        return i18n.t("dc.err.already_rated")
    if isinstance(error, Forbidden):
        return i18n.t("dc.err.read_only")
    return i18n.t("cg.err.generic", code=status_of(error), message=error.message)


@blp.route("/disclosures")
@page()
def disclosures():
    shown = [d for d in disclosure.listing(uow(readonly=True), web_actor())
             if d["status"] in disclosure.PUBLIC_STATES]  # staff see their drafts on the API, not here
    return render("disclosure_list.html", disclosures=shown, label=label)


def _detail_page(disclosure_id: int, status: int = 200, error: str | None = None, body: str = ""):
    actor = web_actor()
    record = disclosure.detail(uow(readonly=True), disclosure_id, actor)  # NotFound: missing or a hidden draft
    if record["status"] not in disclosure.PUBLIC_STATES:
        raise NotFound(f"disclosure {disclosure_id} does not exist")
    asked = disclosure_feedback.questions(uow(readonly=True), disclosure_id, actor)
    writable = not actor.is_read_only
    return render("disclosure_detail.html", status, d=record, questions=asked, error=error, body=body, label=label,
                  may_ask=writable and record["status"] == "feedback_open",
                  may_rate=writable and record["status"] == "closed",
                  satisfaction=disclosure_feedback.SATISFACTION)


@blp.route("/disclosures/<int:disclosure_id>")
@page()
def disclosure_page(disclosure_id: int):
    return _detail_page(disclosure_id)


@blp.route("/disclosures/<int:disclosure_id>/questions", methods=["POST"])
@page()
def disclosure_ask(disclosure_id: int):
    body = request.form.get("body", "").strip()
    kind = request.form.get("kind", "question")
    if kind not in disclosure_feedback.KINDS:
        kind = "question"
    if not body or len(body) > BODY_MAX:
        return _detail_page(disclosure_id, 422, i18n.t("dc.err.body", n=BODY_MAX), body[:BODY_MAX])
    visibility = "anonymous" if request.form.get("anonymous") else "public"
    try:
        disclosure_feedback.ask(uow(), disclosure_id, body=body, kind=kind, visibility=visibility,
                                actor=web_actor())
    except (Conflict, Forbidden, TooManyRequests, ValidationFailed) as error:
        return _detail_page(disclosure_id, status_of(error), error_message(error), body)
    flash(i18n.t("dc.asked"), "ok")
    return redirect(url_for("web.disclosure_page", disclosure_id=disclosure_id) + "#questions")


@blp.route("/disclosures/<int:disclosure_id>/rating", methods=["POST"])
@page()
def disclosure_rate(disclosure_id: int):
    satisfaction = request.form.get("satisfaction", "")
    if satisfaction not in disclosure_feedback.SATISFACTION:
        return _detail_page(disclosure_id, 422, i18n.t("dc.err.satisfaction"))
    comment = request.form.get("comment", "").strip()[:2000] or None
    try:
        disclosure_feedback.rate(uow(), disclosure_id, satisfaction=satisfaction, comment=comment,
                                 actor=web_actor())
    except (Conflict, Forbidden, ValidationFailed) as error:
        return _detail_page(disclosure_id, status_of(error), error_message(error))
    flash(i18n.t("dc.rated"), "ok")
    return redirect(url_for("web.disclosure_page", disclosure_id=disclosure_id))
