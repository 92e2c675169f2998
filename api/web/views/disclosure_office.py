"""The disclosure office (厂务公开办公室): the staff's side of each disclosure.

The owner department writes the draft and submits it, the confidentiality officer clears, returns or withholds
it, the supervision group reviews it, the owner records the postings on each channel and publishes, then
answers the workers' questions (late ones marked); the supervision group evaluates and closes. Each form is
the form of the procedure's step; the domain services check who may act and when.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, flash, redirect, request, url_for
from sqlalchemy import select

from engine.errors import DmflowError, NotFound, ValidationFailed
from engine.identity import Actor
from workflows.congress.tables import Matter, Meeting
from workflows.disclosure import feedback as disclosure_feedback
from workflows.disclosure import stages as disclosure
from workflows.disclosure.catalogue import CHANNELS, CONFIDENTIALITY, SUPERVISION
from workflows.disclosure.stages import PRESIDIUM

from ...extension import uow
from ...resources.disclosures import matter_heard
from .. import i18n
from ..core import blp, desk, menu, page, render, web_actor
from .congress import label


def _office_member(actor: Actor) -> bool:
    return actor.has(SUPERVISION, CONFIDENTIALITY, PRESIDIUM) or any(r.startswith("dept_") for r in actor.roles)


menu(72, "web.disclosure_office", "nav.disclosure_office", "disclosure-office", _office_member, group="disclosure")

# Who acts next at each status (string keys).
NEXT = {"drafting": "owner", "checking": "confidentiality", "reviewing": "supervision",
        "awaiting_congress": "congress", "approved": "owner", "feedback_open": "owner", "answering": "owner",
        "evaluating": "supervision", "rectifying": "owner", "published": "owner"}


def _mine(row: dict, actor: Actor) -> bool:
    return (actor.has(SUPERVISION, CONFIDENTIALITY) or row["owner_role"] in actor.roles
            or (row["status"] == "awaiting_congress" and actor.has(PRESIDIUM)))


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
    congress = record["status"] == "awaiting_congress" and actor.has(PRESIDIUM)
    if "staff" not in record and record.get("owner_role") not in actor.roles and not congress:
        raise NotFound(f"disclosure {disclosure_id} is not one of your office's")
    asked = disclosure_feedback.questions(uow(readonly=True), disclosure_id, actor)
    owner = record["owner_role"] in actor.roles
    reviews = record.get("staff", {}).get("reviews", [])
    return render("disclosure_desk.html", d=record, questions=asked, label=label, channels=CHANNELS,
                  owner=owner, checker=actor.has(CONFIDENTIALITY), supervisor=actor.has(SUPERVISION),
                  next_who=NEXT.get(record["status"]), reviews=reviews,
                  agenda=_agenda() if congress else [], congress=congress)


def _agenda() -> list[dict]:
    """The agenda items of the congress meetings not yet closed, for the presidium to say where it heard it."""
    unit = uow(readonly=True)
    with unit:
        rows = unit.session.execute(select(Matter, Meeting).join(Meeting, Meeting.id == Matter.meeting_id)
                                    .where(Meeting.status != "closed")
                                    .order_by(Meeting.held_on.desc(), Matter.position).limit(100))
        return [{"id": m.id, "title": m.title, "meeting": mt.title, "held_on": mt.held_on} for m, mt in rows]


@blp.route("/disclosure-office/<int:disclosure_id>/attachments", methods=["POST"])
@page()
def disclosure_attach(disclosure_id: int):
    """The owner department attaches a file to the draft (or to a rectification report)."""
    def add(actor):
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ValidationFailed(i18n.t("do.no_file"), {"file": ["missing"]})
        try:
            content = upload.read()
        finally:
            upload.close()
        disclosure.add_attachment(uow(), disclosure_id, filename=upload.filename,
                                  media_type=upload.mimetype or "application/octet-stream", content=content,
                                  actor=actor)
    return _act(disclosure_id, add, "do.attached")


@blp.route("/disclosures/<int:disclosure_id>/attachments/<int:attachment_id>")
@page()
def disclosure_attachment(disclosure_id: int, attachment_id: int):
    """An attachment's bytes, for whoever may see the disclosure (a hidden draft's: 404)."""
    row = disclosure.get_attachment(uow(readonly=True), disclosure_id, attachment_id, web_actor())
    disposition = f"attachment; filename=\"attachment-{row.id}\"; filename*=UTF-8''{quote(row.filename)}"
    return Response(row.content, mimetype=row.media_type, headers={
        "X-Content-SHA256": row.sha256, "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff"})


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


def _answer(name: str = "answer") -> str:
    text = request.form.get(name, "").strip()
    if not text or len(text) > 20_000:
        raise ValidationFailed(i18n.t("do.empty_answer"), {name: ["1 to 20000 characters"]})
    return text


def _evaluation() -> dict:
    form = request.form
    found = {"truthful": _flag("truthful"), "complete": _flag("complete"), "timely": _flag("timely"),
             "rectification_required": _flag("rectification_required"), "conclusion": form.get("conclusion") or ""}
    if form.get("requirements", "").strip():
        found["rectification_requirements"] = form["requirements"].strip()
    if form.get("rectification_days", "").isdigit():
        found["rectification_days"] = int(form["rectification_days"])
    return found


def _congress_review(disclosure_id: int, actor: Actor) -> None:
    """The presidium records that the congress heard it under an agenda item (noted) or sent it back."""
    if not actor.has(PRESIDIUM):
        raise NotFound(f"disclosure {disclosure_id} does not wait for you")
    matter = request.form.get("matter_id", "")
    if not matter.isdigit():
        raise ValidationFailed(i18n.t("do.choose_matter"), {"matter_id": ["choose the agenda item"]})
    disclosure.congress_reviewed(uow(), disclosure_id, outcome=request.form.get("outcome", ""),
                                 note=request.form.get("note") or None, actor=actor.username,
                                 heard=matter_heard(int(matter)))


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
        "evaluate": (lambda a: disclosure.evaluate(uow(), did, _evaluation(), actor=a), "do.done"),
        "rectify": (lambda a: disclosure.report_rectification(uow(), did, _answer("report"), actor=a),
                    "do.rectified"),
        "congress": (lambda a: _congress_review(did, a), "do.congress_recorded"),
    }
    if action.startswith("answer-"):
        question_id = int(action.removeprefix("answer-")) if action[7:].isdigit() else 0
        return _act(did, lambda a: disclosure_feedback.answer(uow(), did, question_id, _answer(), actor=a),
                    "do.answered")
    if action not in steps:
        raise NotFound(f"no step '{action}'")
    step, done = steps[action]
    return _act(did, step, done)
