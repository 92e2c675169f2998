"""The disclosure office (厂务公开办公室): the staff's side of each disclosure.

The owner department writes the draft and submits it, the confidentiality officer clears, returns or withholds
it, the supervision group reviews it, the owner records the postings on each channel and publishes, then
answers the workers' questions (late ones marked); the supervision group evaluates and closes. Each form is
the form of the procedure's step; the domain services check who may act and when.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from engine.errors import DmflowError, NotFound, ValidationFailed
from engine.identity import Actor
from workflows.disclosure import feedback as disclosure_feedback
from workflows.disclosure import stages as disclosure
from workflows.disclosure.catalogue import CHANNELS, CONFIDENTIALITY, SUPERVISION

from ...extension import uow
from .. import i18n
from ..core import blp, desk, menu, page, render, web_actor
from .congress import label


def _office_member(actor: Actor) -> bool:
    return actor.has(SUPERVISION, CONFIDENTIALITY) or any(r.startswith("dept_") for r in actor.roles)


menu(72, "web.disclosure_office", "nav.disclosure_office", "disclosure-office", _office_member)

# Who acts next at each status (string keys).
NEXT = {"drafting": "owner", "checking": "confidentiality", "reviewing": "supervision",
        "awaiting_congress": "congress", "approved": "owner", "feedback_open": "owner", "answering": "owner",
        "evaluating": "supervision", "rectifying": "owner", "published": "owner"}


def _mine(row: dict, actor: Actor) -> bool:
    return actor.has(SUPERVISION, CONFIDENTIALITY) or row["owner_role"] in actor.roles


@blp.route("/disclosure-office")
@page()
def disclosure_office():
    actor = web_actor()
    rows = [d for d in disclosure.listing(uow(readonly=True), actor) if _mine(d, actor)]
    return render("disclosure_office.html", rows=rows, label=label, next_who=NEXT)


def _desk_url(task: dict) -> str | None:
    """A disclosure's steps are done on its desk, which checks the department named on the disclosure."""
    found = task["data"].get("disclosure_id")
    return url_for("web.disclosure_desk", disclosure_id=int(found)) if found else None


desk("disclosure", _desk_url)


@blp.route("/disclosure-office/<int:disclosure_id>")
@page()
def disclosure_desk(disclosure_id: int):
    actor = web_actor()
    record = disclosure.detail(uow(readonly=True), disclosure_id, actor)
    if "staff" not in record and record.get("owner_role") not in actor.roles:
        raise NotFound(f"disclosure {disclosure_id} is not one of your office's")
    asked = disclosure_feedback.questions(uow(readonly=True), disclosure_id, actor)
    owner = record["owner_role"] in actor.roles
    return render("disclosure_desk.html", d=record, questions=asked, label=label, channels=CHANNELS,
                  owner=owner, checker=actor.has(CONFIDENTIALITY), supervisor=actor.has(SUPERVISION),
                  next_who=NEXT.get(record["status"]))


def _act(disclosure_id: int, action, done_key: str):
    """Run one step; a refusal is shown on the desk page with the rule it names."""
    try:
        action(web_actor())
    except DmflowError as error:
        flash(i18n.t("do.refused", message=error.message), "error")
    else:
        flash(i18n.t(done_key), "ok")
    return redirect(url_for("web.disclosure_desk", disclosure_id=disclosure_id))


def _flag(name: str) -> bool:
    return request.form.get(name) in ("1", "on", "true")


def _answer() -> str:
    text = request.form.get("answer", "").strip()
    if not text or len(text) > 20_000:
        raise ValidationFailed(i18n.t("do.empty_answer"), {"answer": ["1 to 20000 characters"]})
    return text


@blp.route("/disclosure-office/<int:disclosure_id>/<action>", methods=["POST"])
@page()
def disclosure_step(disclosure_id: int, action: str):
    form, did = request.form, disclosure_id
    steps = {
        "draft": (lambda a: disclosure.edit_draft(
            uow(), did, content=form.get("content", ""), channels=form.getlist("channels"),
            period_note=form.get("period_note") or None, actor=a), "do.saved"),
        "submit": (lambda a: disclosure.submit_draft(uow(), did, actor=a), "do.submitted"),
        "check": (lambda a: disclosure.confidentiality_check(uow(), did, {
            "decision": form.get("decision", ""), "state_secret": _flag("state_secret"),
            "trade_secret": _flag("trade_secret"), "lawful": _flag("lawful")}, form.get("notes") or None,
            actor=a), "do.done"),
        "review": (lambda a: disclosure.supervision_review(uow(), did, {
            "decision": form.get("decision", ""), "truthful": _flag("truthful"), "complete": _flag("complete"),
            "timely": _flag("timely")}, form.get("comments") or None, actor=a), "do.done"),
        "posting": (lambda a: disclosure.record_posting(uow(), did, channel=form.get("channel", ""),
                                                        location=form.get("location") or None, posted_at=None,
                                                        actor=a), "do.posted"),
        "publish": (lambda a: disclosure.publish(uow(), did, actor=a), "do.published"),
        "evaluate": (lambda a: disclosure.evaluate(uow(), did, {
            "truthful": _flag("truthful"), "complete": _flag("complete"), "timely": _flag("timely"),
            "rectification_required": _flag("rectification_required"),
            "conclusion": form.get("conclusion") or ""}, actor=a), "do.done"),
    }
    if action.startswith("answer-"):
        question_id = int(action.removeprefix("answer-")) if action[7:].isdigit() else 0
        return _act(did, lambda a: disclosure_feedback.answer(uow(), did, question_id, _answer(), actor=a),
                    "do.answered")
    if action not in steps:
        raise NotFound(f"no step '{action}'")
    step, done = steps[action]
    return _act(did, step, done)
