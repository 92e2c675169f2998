"""The presidium's console for a meeting: agenda, convening, check-in from a paper sheet, opening and closing
each vote (paper totals too), and the live counts the console and the representatives' pages poll."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, jsonify, redirect, request, url_for

from engine.errors import DmflowError, ValidationFailed
from engine.identity import ADMIN
from workflows.congress import ballots, console, elections, matter_modes, meetings, tally
from workflows.congress.ballots import TOTALS
from workflows.congress.meetings import PRESIDIUM
from workflows.errors import RuleConflict, RuleViolation

from ...errors import status_of
from ...extension import services, uow
from .. import i18n
from ..core import blp, page, render, web_actor
from .congress import error_message, label

MANAGERS = (PRESIDIUM, ADMIN)
REFUSED = (DmflowError,)


def refusal(error: DmflowError) -> str:
    """A console refusal in the page's language, naming the rule or the field."""
    details = error.errors or {}
    if isinstance(error, RuleConflict) and error.rule == "congress_quorum":
        return i18n.t("con.err.quorum", needed=details["quorum_required"][0], seated=details["seated"][0],
                      present=details["present"][0])
    if isinstance(error, RuleConflict) and error.rule == "amendments_first":
        return i18n.t("ses.err.amendments_first")
    if isinstance(error, RuleViolation):
        return i18n.t("con.err.rule", message=error.message)
    if isinstance(error, ValidationFailed) and set(details) & set(TOTALS):
        fields = "、".join(i18n.t(f"con.total.{k}") for k in TOTALS if k in details)
        return i18n.t("con.err.totals", fields=fields)
    if isinstance(error, ValidationFailed) and "representative_ids" in details:
        return i18n.t("con.err.ticks")
    return error_message(error)


def _console(meeting_id: int, status: int = 200, error: str | None = None):
    summary = meetings.meeting_summary(uow(readonly=True), meeting_id)
    matters = meetings.list_matters(uow(readonly=True), meeting_id)
    votes = {v.matter_id: v for v in ballots.list_votes(uow(readonly=True), meeting_id)}
    state = console.live(uow(readonly=True), meeting_id)
    live = {v["id"]: v for v in state["votes"]}
    notices = console.notices(uow(readonly=True), meeting_id)
    items = [{"matter": m, "vote": votes.get(m.id), "live": live.get(votes[m.id].id) if m.id in votes else None,
              "result": tally.result_of(votes[m.id]) if m.id in votes else None, "notice": notices.get(m.id)}
             for m in matters]
    people = console.attendance(uow(readonly=True), meeting_id)
    types = matter_modes.matter_modes(uow(readonly=True))["rows"]
    elected = {e["matter_id"]: e for e in elections.list_elections(uow(readonly=True), meeting_id)}
    return render("congress_console.html", status, meeting=summary, items=items, people=people, types=types,
                  elections=elected, live_rounds=state["rounds"],
                  error=error, label=label, totals=TOTALS,
                  present=sum(1 for p in people if p["checked_in_at"]))


def _back(meeting_id: int, message_key: str, **values: Any):
    flash(i18n.t(message_key, **values), "ok")
    return redirect(url_for("web.congress_console", meeting_id=meeting_id))


def _attempt(meeting_id: int, action: Callable[[], Any], done_key: str, **values: Any):
    """Run a presidium action; back to the console with a message, or the console again with the refusal."""
    try:
        result = action()
    except REFUSED as error:
        return _console(meeting_id, status_of(error), refusal(error))
    values = {k: v(result) if callable(v) else v for k, v in values.items()}
    return _back(meeting_id, done_key, **values)


def _meeting_of_matter(matter_id: int) -> int:
    unit = uow(readonly=True)
    with unit:
        return meetings.get_matter(unit.session, matter_id).meeting_id


def _meeting_of_vote(vote_id: int) -> int:
    return _meeting_of_matter(ballots.get_vote(uow(readonly=True), vote_id).matter_id)


@blp.route("/congress/meetings/<int:meeting_id>/console")
@page(*MANAGERS)
def congress_console(meeting_id: int):
    return _console(meeting_id)


@blp.route("/congress/meetings/<int:meeting_id>/live")
@page()
def congress_live(meeting_id: int):
    """Small JSON polled every few seconds by the console and the meeting page (counts only, no choices)."""
    return jsonify(console.live(uow(readonly=True), meeting_id))


@blp.route("/congress/meetings/<int:meeting_id>/console/matters", methods=["POST"])
@page(*MANAGERS)
def congress_console_add_matter(meeting_id: int):
    title, matter_type = request.form.get("title", "").strip()[:300], request.form.get("matter_type", "")
    if not title:
        return _console(meeting_id, 422, i18n.t("con.err.title"))
    return _attempt(meeting_id, lambda: meetings.add_matter(uow(), meeting_id, matter_type=matter_type, title=title,
                                                            actor=web_actor()), "con.matter_added", title=title)


@blp.route("/congress/meetings/<int:meeting_id>/console/convene", methods=["POST"])
@page(*MANAGERS)
def congress_console_convene(meeting_id: int):
    return _attempt(meeting_id, lambda: meetings.convene(uow(), meeting_id, rules=services().rules,
                                                         actor=web_actor()), "con.convened")


@blp.route("/congress/meetings/<int:meeting_id>/console/close", methods=["POST"])
@page(*MANAGERS)
def congress_console_close_meeting(meeting_id: int):
    return _attempt(meeting_id, lambda: meetings.close_meeting(uow(), meeting_id, actor=web_actor()),
                    "con.meeting_closed")


@blp.route("/congress/meetings/<int:meeting_id>/console/check-ins", methods=["POST"])
@page(*MANAGERS)
def congress_console_check_in(meeting_id: int):
    ticked = [int(v) for v in request.form.getlist("representative_id") if v.isdigit()]
    return _attempt(meeting_id, lambda: console.check_in_from_sheet(uow(), meeting_id, ticked, actor=web_actor()),
                    "con.checked_in", n=lambda done: len(done["checked_in"]),
                    already=lambda done: len(done["already"]))


@blp.route("/congress/matters/<int:matter_id>/console/vote", methods=["POST"])
@page(PRESIDIUM)
def congress_console_open_vote(matter_id: int):
    meeting_id = _meeting_of_matter(matter_id)
    return _attempt(meeting_id, lambda: ballots.open_vote(uow(), matter_id, rules=services().rules, actor=web_actor(),
                                                          analog=request.form.get("analog") == "1",
                                                          majority=request.form.get("majority") or None),
                    "con.vote_opened")


def _paper_totals() -> dict[str, int] | None:
    """The six totals typed from the paper count, or None when none was typed (an electronic vote)."""
    raw = {k: request.form.get(f"total_{k}", "").strip() for k in TOTALS}
    if not any(raw.values()):
        return None
    bad = [k for k, v in raw.items() if not v.isdigit()]
    if bad:
        raise ValidationFailed("the paper totals must be whole numbers", {k: ["required"] for k in bad})
    return {k: int(v) for k, v in raw.items()}


@blp.route("/congress/votes/<int:vote_id>/console/close", methods=["POST"])
@page(PRESIDIUM)
def congress_console_close_vote(vote_id: int):
    meeting_id = _meeting_of_vote(vote_id)
    return _attempt(meeting_id, lambda: tally.close_vote(uow(), vote_id, rules=services().rules, actor=web_actor(),
                                                         totals=_paper_totals()),
                    "con.vote_closed", outcome=lambda vote: label("cg.outcome.", vote.outcome))
