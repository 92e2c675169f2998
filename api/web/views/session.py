"""The congress organisation pages: a session's steps (start, preparatory meeting, plenary, closing), its special
committees and the joint meetings between sessions (for the presidium and the union), each item's speaker list
and amendments (for representatives and the presidium), and the minutes (edited and approved by the presidium,
read by everyone once published)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request, url_for

from engine.errors import DmflowError
from engine.identity import ADMIN
from workflows.congress import amendments, committees, joint_meetings, meetings, minutes, roster, session, speakers
from workflows.congress.meetings import PRESIDIUM, REPRESENTATIVE
from workflows.errors import RuleConflict, RuleViolation

from ...errors import status_of
from ...extension import services, uow
from .. import forms, i18n
from ..core import blp, desk, page, render, web_actor
from .congress import error_message

MANAGERS = (PRESIDIUM, "union_chair", ADMIN)


def _ints(name: str) -> list[int]:
    return [int(v) for v in request.form.getlist(name) if v.strip().isdigit()]


def _int(name: str) -> int | None:
    value = request.form.get(name, "").strip()
    return int(value) if value.isdigit() else None


def refusal(error: DmflowError, detail: str = "") -> str:
    """A refusal in plain words, naming the rule."""
    if isinstance(error, RuleViolation | RuleConflict) and i18n.known(f"ses.err.{error.rule}"):
        return i18n.t(f"ses.err.{error.rule}", detail=detail)
    return error_message(error)


def _meeting_data(meeting_id: int) -> dict[str, Any]:
    unit = uow(readonly=True)
    with unit:
        meeting = meetings.get_meeting(unit.session, meeting_id)
        people = roster.seated(unit.session, meeting.term_id, meeting.held_on)
        people.sort(key=lambda p: p.employee_no)
        return {"meeting": meeting, "people": people, "term_id": meeting.term_id}


def _session_page(meeting_id: int, status: int = 200, error: str | None = None):
    data = _meeting_data(meeting_id)
    term_id = data["term_id"]
    view = session.session_view(uow(readonly=True), meeting_id)
    actor = web_actor()
    return render("congress_session.html", status, error=error, view=view, **data,
                  summary=meetings.meeting_summary(uow(readonly=True), meeting_id),
                  matters=meetings.list_matters(uow(readonly=True), meeting_id),
                  committees=committees.list_committees(uow(readonly=True), term_id),
                  heads=joint_meetings.heads(uow(readonly=True), term_id),
                  joints=joint_meetings.list_joint_meetings(uow(readonly=True), term_id),
                  delegations=sorted({p.delegation for p in data["people"]}),
                  is_presidium=actor.has(PRESIDIUM, ADMIN), is_union=actor.has("union_chair", ADMIN))


def _attempt(meeting_id: int, action: Callable[[], Any], done_key: str, detail: Callable[[], str] = lambda: "",
             to: str = "web.congress_session", **target: Any):
    try:
        action()
    except DmflowError as error:
        return _session_page(meeting_id, status_of(error), refusal(error, detail()))
    flash(i18n.t(done_key), "ok")
    return redirect(url_for(to, **(target or {"meeting_id": meeting_id})))


def _session_desk(task: dict) -> str | None:
    found = task["data"].get("meeting_id")
    if not found:
        return None
    if task.get("element_id") == "approve_minutes":
        return url_for("web.congress_minutes", meeting_id=int(found))
    return url_for("web.congress_session", meeting_id=int(found))


desk(session.PROCESS_ID, _session_desk)


@blp.route("/congress/meetings/<int:meeting_id>/session")
@page(*MANAGERS)
def congress_session(meeting_id: int):
    return _session_page(meeting_id)


@blp.route("/congress/meetings/<int:meeting_id>/session/start", methods=["POST"])
@page(*MANAGERS)
def congress_session_start(meeting_id: int):
    body = {"kind": request.form.get("kind") or "ordinary", "proposed_by": request.form.get("proposed_by") or None,
            "supporters": _ints("supporters"), "reason": request.form.get("reason", "").strip() or None}
    seated = len(_meeting_data(meeting_id)["people"])
    return _attempt(meeting_id, lambda: session.start_session(uow(), meeting_id, body, rules=services().rules,
                                                              actor=web_actor()),
                    "ses.started", lambda: f"{len(body['supporters'])}/{seated}")


@blp.route("/congress/meetings/<int:meeting_id>/session/preparatory", methods=["POST"])
@page(PRESIDIUM, ADMIN)
def congress_session_preparatory(meeting_id: int):
    data = {"presidium": _ints("presidium"), "scrutineers": _ints("scrutineers"),
            "agenda_approved": request.form.get("agenda_approved") == "1",
            **{k: _int(k) if _int(k) is not None else -1 for k in ("votes_for", "votes_against", "abstentions")}}
    people = {p.id: p for p in _meeting_data(meeting_id)["people"]}

    def detail() -> str:
        chosen = [people[i] for i in data["presidium"] if i in people]
        frontline = sum(p.category in session.FRONTLINE for p in chosen)
        return f"{frontline}/{len(chosen)}" if frontline * 2 < len(chosen) else f"{data['votes_for']}/{len(people)}"

    return _attempt(meeting_id, lambda: session.complete_step(uow(), meeting_id, "preparatory", data,
                                                              actor=web_actor()), "ses.prep.done", detail)


@blp.route("/congress/meetings/<int:meeting_id>/session/close", methods=["POST"])
@page(PRESIDIUM, ADMIN)
def congress_session_close(meeting_id: int):
    return _attempt(meeting_id, lambda: session.complete_step(uow(), meeting_id, "plenary", {}, actor=web_actor()),
                    "ses.closed", to="web.congress_minutes")


@blp.route("/congress/meetings/<int:meeting_id>/committees", methods=["POST"])
@page(*MANAGERS)
def congress_committee_create(meeting_id: int):
    term_id = _meeting_data(meeting_id)["term_id"]
    if request.form.get("defaults") == "1":
        action = lambda: committees.set_up_defaults(uow(), term_id, actor=web_actor())  # noqa: E731
    else:
        action = lambda: committees.create_committee(uow(), term_id, request.form.get("kind", "").strip(),  # noqa: E731
                                                     name=request.form.get("name"), actor=web_actor())
    return _attempt(meeting_id, action, "ses.committees.created")


@blp.route("/congress/meetings/<int:meeting_id>/committees/<int:committee_id>/members", methods=["POST"])
@page(PRESIDIUM, ADMIN)
def congress_committee_members(meeting_id: int, committee_id: int):
    body = {"members": _ints("members"), "head": _int("head"), "votes_for": _int("votes_for") or 0,
            "votes_against": _int("votes_against") or 0, "abstentions": _int("abstentions") or 0}
    seated = len(_meeting_data(meeting_id)["people"])
    return _attempt(meeting_id, lambda: committees.approve_members(uow(), committee_id, meeting_id, body,
                                                                   rules=services().rules, actor=web_actor()),
                    "ses.committees.approved", lambda: f"{body['votes_for']}/{seated}")


@blp.route("/congress/meetings/<int:meeting_id>/delegation-head", methods=["POST"])
@page(*MANAGERS)
def congress_delegation_head(meeting_id: int):
    data = _meeting_data(meeting_id)
    rep_id = _int("representative_id")
    delegation = next((p.delegation for p in data["people"] if p.id == rep_id), "")
    return _attempt(meeting_id, lambda: joint_meetings.set_delegation_head(uow(), data["term_id"], delegation,
                                                                           rep_id or 0, actor=web_actor()),
                    "ses.joint.head_set")


@blp.route("/congress/meetings/<int:meeting_id>/joint-meetings", methods=["POST"])
@page("union_chair", ADMIN)
def congress_joint_meeting(meeting_id: int):
    from datetime import date

    term_id = _meeting_data(meeting_id)["term_id"]
    try:
        held_on = date.fromisoformat(request.form.get("held_on", ""))
    except ValueError:
        held_on = None
    body = {"held_on": held_on, "attendees": _ints("attendees"),
            "decisions": [{"title": request.form.get("title", "").strip(), "text": request.form.get("text", "")}]}
    if held_on is None:
        return _session_page(meeting_id, 422, i18n.t("ses.err.generic", message=i18n.t("ses.joint.held_on")))
    return _attempt(meeting_id, lambda: joint_meetings.hold_joint_meeting(uow(), term_id, body, actor=web_actor()),
                    "ses.joint.recorded")


# --- one agenda item: speakers and amendments ------------------------------------------------------------

# The draft's clauses as repeatable rows (条号, 标题, 内容) through the generic form fields.
DRAFT_FORM = {"type": "object", "required": ["clauses"], "properties": {"clauses": {
    "type": "array", "title": "草案条文", "description": "每条一行：条号（数字）、标题和内容；“添加一条”增加一行。",
    "items": {"type": "object", "properties": {
        "number": {"type": "integer", "title": "条号", "minimum": 1},
        "title": {"type": "string", "title": "标题", "maxLength": 200},
        "text": {"type": "string", "title": "内容"}}}}}}
DRAFT_UI = {"clauses": {"items": {"ui:order": ["number", "title", "text"], "text": {"ui:widget": "textarea",
                                                                                   "ui:options": {"rows": 3}}}},
            "ui:i18n": {"en": {"properties": {"clauses": {
                "title": "Clauses of the draft",
                "description": "One clause a row: its number, title and text; “Add a row” adds one.",
                "items": {"properties": {"number": {"title": "No."}, "title": {"title": "Title"},
                                         "text": {"title": "Text"}}}}}}}}


def _draft_form(clauses: list[dict[str, Any]], errors: dict[str, list[str]] | None = None) -> forms.Form:
    return forms.build(DRAFT_FORM, DRAFT_UI, i18n.current_lang(), {"clauses": clauses}, errors)


def _floor(matter_id: int, status: int = 200, error: str | None = None, draft_form: forms.Form | None = None):
    unit, actor, mine = uow(readonly=True), web_actor(), None
    with unit:
        matter = meetings.get_matter(unit.session, matter_id)
        meeting = meetings.get_meeting(unit.session, matter.meeting_id)
        if actor.has(REPRESENTATIVE):
            try:
                mine = meetings.seat_of(unit.session, meeting, actor)
            except DmflowError:
                mine = None
    heads = {h["id"] for h in joint_meetings.heads(uow(readonly=True), meeting.term_id)}
    draft = amendments.draft_view(uow(readonly=True), matter_id)
    return render("congress_floor.html", status, error=error, matter=matter, meeting=meeting,
                  speakers=speakers.listing(uow(readonly=True), matter_id),
                  draft=draft, mine=mine, draft_form=draft_form or _draft_form(draft["clauses"]),
                  is_head=mine is not None and mine.id in heads,
                  is_presidium=actor.has(PRESIDIUM, ADMIN))


def _floor_attempt(matter_id: int, action: Callable[[], Any], done_key: str):
    try:
        action()
    except DmflowError as error:
        return _floor(matter_id, status_of(error), refusal(error))
    flash(i18n.t(done_key), "ok")
    return redirect(url_for("web.congress_floor", matter_id=matter_id))


@blp.route("/congress/matters/<int:matter_id>/floor")
@page()
def congress_floor(matter_id: int):
    return _floor(matter_id)


@blp.route("/congress/matters/<int:matter_id>/floor/speak", methods=["POST"])
@page(REPRESENTATIVE)
def congress_floor_speak(matter_id: int):
    return _floor_attempt(matter_id, lambda: speakers.request(uow(), matter_id, topic=request.form.get("topic"),
                                                              actor=web_actor()), "ses.speakers.asked")


@blp.route("/congress/matters/<int:matter_id>/floor/speakers/<int:speaker_id>", methods=["POST"])
@page()
def congress_floor_speaker(matter_id: int, speaker_id: int):
    action = request.form.get("action", "")
    if action == "up":
        waiting = [s["id"] for s in speakers.listing(uow(readonly=True), matter_id) if s["status"] == "requested"]
        if speaker_id in waiting and waiting.index(speaker_id) > 0:
            i = waiting.index(speaker_id)
            waiting[i - 1], waiting[i] = waiting[i], waiting[i - 1]
        return _floor_attempt(matter_id, lambda: speakers.reorder(uow(), matter_id, waiting, actor=web_actor()),
                              "ses.speakers.status.requested")
    labels = {"call": "ses.speakers.status.called", "spoken": "ses.speakers.status.spoken",
              "withdraw": "ses.speakers.status.withdrawn"}
    return _floor_attempt(matter_id, lambda: speakers.act(uow(), speaker_id, action, actor=web_actor()),
                          labels.get(action, "ses.speakers.status.requested"))


@blp.route("/congress/matters/<int:matter_id>/floor/draft", methods=["POST"])
@page(PRESIDIUM, ADMIN)
def congress_floor_draft(matter_id: int):
    data, errors = forms.parse(DRAFT_FORM, request.form, services().config["TIMEZONE"])
    clauses = [c for c in data.get("clauses", []) if c.get("text")]
    bad = [i for i, c in enumerate(data.get("clauses", []), start=1) if c.get("number") is None or not c.get("text")]
    if errors or bad or not clauses:
        for i in bad:
            errors.setdefault(f"clauses.{i - 1}.number", []).append(i18n.t("ses.draft.bad"))
        return _floor(matter_id, 422, i18n.t("ses.draft.bad"), _draft_form(data.get("clauses", []), errors))
    return _floor_attempt(matter_id, lambda: amendments.set_draft(uow(), matter_id, clauses, actor=web_actor()),
                          "ses.draft.saved")


@blp.route("/congress/matters/<int:matter_id>/floor/amendments", methods=["POST"])
@page(REPRESENTATIVE)
def congress_floor_amend(matter_id: int):
    body = {"clause_number": _int("clause_number"), "new_text": request.form.get("new_text", ""),
            "reason": request.form.get("reason"), "on_behalf_of_delegation": request.form.get("delegation") == "1"}
    return _floor_attempt(matter_id, lambda: amendments.propose(uow(), matter_id, body, actor=web_actor()),
                          "ses.amendments.proposed")


# --- minutes ---------------------------------------------------------------------------------------------

def _minutes_page(meeting_id: int, status: int = 200, error: str | None = None):
    data = _meeting_data(meeting_id)
    actor = web_actor()
    try:
        row = minutes.view(uow(readonly=True), meeting_id, actor)
    except DmflowError:  # none yet, or a draft for the presidium only
        row = None
    return render("congress_minutes.html", status, error=error, meeting=data["meeting"], minutes=row,
                  is_presidium=actor.has(PRESIDIUM, ADMIN))


@blp.route("/congress/meetings/<int:meeting_id>/minutes")
@page()
def congress_minutes(meeting_id: int):
    return _minutes_page(meeting_id)


@blp.route("/congress/meetings/<int:meeting_id>/minutes", methods=["POST"])
@page(PRESIDIUM, ADMIN)
def congress_minutes_save(meeting_id: int):
    def act():
        if request.form.get("action") == "approve":
            minutes.edit(uow(), meeting_id, request.form.get("text", ""), actor=web_actor())
            return session.complete_step(uow(), meeting_id, "approve_minutes", {}, actor=web_actor())
        return minutes.edit(uow(), meeting_id, request.form.get("text", ""), actor=web_actor())

    try:
        act()
    except DmflowError as error:
        return _minutes_page(meeting_id, status_of(error), refusal(error))
    done = "ses.minutes.published" if request.form.get("action") == "approve" else "ses.minutes.saved"
    flash(i18n.t(done), "ok")
    return redirect(url_for("web.congress_minutes", meeting_id=meeting_id))
