"""Representatives' congress pages: meetings (check in, vote with a confirmation, receipt), results with a
chart and a receipt check, proposals with co-signing. Everything goes through the domain services."""

from __future__ import annotations

import re
from typing import Any

from flask import flash, jsonify, redirect, request, url_for
from markupsafe import Markup
from sqlalchemy import select

from engine.errors import Conflict, DmflowError, Forbidden, NotFound, ValidationFailed
from engine.identity import ADMIN, Actor
from workflows import notices
from workflows.congress import ballots, dashboard, election_state, meetings, proposals, roster, tally
from workflows.congress.meetings import PRESIDIUM, REPRESENTATIVE
from workflows.congress.tables import CheckIn, Matter, NamedBallot, Participation, Representative, Vote
from workflows.disclosure import stages as disclosure_stages

from ...errors import status_of
from ...extension import services, uow
from .. import i18n
from ..core import blp, menu, page, render, web_actor

menu(50, "web.congress_meetings", "nav.meetings", "meetings")
menu(60, "web.congress_proposals", "nav.proposals", "proposals", lambda actor: actor.has(REPRESENTATIVE))

CHART_COLOURS = {"for": "#2e7d32", "against": "#c62828", "abstain": "#9e9e9e"}


def label(prefix: str, value: str | None) -> str:
    """A status or mode for people; values without an entry show as they are."""
    key = f"{prefix}{value}"
    return i18n.t(key) if i18n.known(key) else (value or "")


def error_message(error: DmflowError) -> str:
    """A domain refusal in the page's language (the engine's own words when there is no better one)."""
    text, code = error.message, status_of(error)
    if isinstance(error, Conflict) and re.match(r"vote \d+ is (open|closed|already closed)$", text):
        return i18n.t("cg.err.not_open")
    known = (("did not check in", "cg.err.not_checked_in"), ("has not checked in", "cg.err.not_checked_in"),
             ("already voted", "cg.err.already_voted"), ("already checked in", "cg.err.already_checked_in"),
             ("is closed", "cg.err.closed"), ("not a representative seated", "cg.err.not_seated"),
             ("only representatives", "cg.err.not_seated"), ("choice must be", "cg.err.bad_choice"))
    for needle, key in known:
        if needle in text:
            return i18n.t(key)
    return i18n.t("cg.err.generic", code=code, message=text)


# --- meetings -------------------------------------------------------------------------------------------

@blp.route("/congress/meetings")
@page()
def congress_meetings():
    today = services().calendar.local_date(services().clock.now())
    rows = []
    for term in roster.list_terms(uow(readonly=True)):
        if term.starts_on <= today <= term.ends_on:
            rows += [(term, m) for m in meetings.list_meetings(uow(readonly=True), term.id)]
    rows.sort(key=lambda row: (row[1].held_on, row[1].id), reverse=True)
    return render("congress_meetings.html", rows=rows)


def _my_state(meeting_id: int, actor: Actor) -> dict[str, Any]:
    """The caller's seat, check-in and which votes they took part in (None seat: not seated that day)."""
    unit = uow(readonly=True)
    with unit:
        s = unit.session
        meeting = meetings.get_meeting(s, meeting_id)
        try:
            rep = meetings.seat_of(s, meeting, actor)
        except Forbidden:
            return {"seat": None, "check_in": None, "voted": set()}
        check = s.get(CheckIn, (meeting_id, rep.id))
        matters = select(Matter.id).where(Matter.meeting_id == meeting_id)
        vote_ids = select(Vote.id).where(Vote.matter_id.in_(matters))
        voted = set(s.scalars(select(Participation.vote_id).where(Participation.vote_id.in_(vote_ids),
                                                                 Participation.representative_id == rep.id)))
        voted |= set(s.scalars(select(NamedBallot.vote_id).where(NamedBallot.vote_id.in_(vote_ids),
                                                                NamedBallot.representative_id == rep.id)))
        return {"seat": {"name": rep.name, "employee_no": rep.employee_no, "delegation": rep.delegation},
                "check_in": None if check is None else check.checked_in_at, "voted": voted}


def _meeting_page(meeting_id: int, status: int = 200, error: str | None = None):
    actor = web_actor()
    summary = meetings.meeting_summary(uow(readonly=True), meeting_id)
    matters = meetings.list_matters(uow(readonly=True), meeting_id)
    votes = {v.matter_id: v for v in ballots.list_votes(uow(readonly=True), meeting_id)}
    mine = _my_state(meeting_id, actor)
    items = []
    for matter in matters:
        vote = votes.get(matter.id)
        may_vote = (vote is not None and vote.status == "open" and vote.kind != "analog"
                    and mine["check_in"] is not None and mine["check_in"] <= vote.opened_at
                    and vote.id not in mine["voted"] and summary["status"] == "in_session")
        items.append({"matter": matter, "vote": vote, "may_vote": may_vote,
                      "voted": vote is not None and vote.id in mine["voted"],
                      "late": vote is not None and mine["check_in"] is not None and mine["check_in"] > vote.opened_at})
    may_check_in = mine["seat"] is not None and mine["check_in"] is None and summary["status"] == "in_session"
    heard = disclosure_stages.heard_at(uow(readonly=True), meeting_id)  # disclosures the congress saw first
    return render("congress_meeting.html", status, meeting=summary, items=items, mine=mine, error=error,
                  elections=election_state.meeting_rounds(uow(readonly=True), meeting_id, actor),
                  heard=heard, label=label, is_presidium=actor.has(PRESIDIUM, ADMIN), may_check_in=may_check_in)


@blp.route("/congress/meetings/<int:meeting_id>")
@page()
def congress_meeting(meeting_id: int):
    return _meeting_page(meeting_id)


@blp.route("/congress/meetings/<int:meeting_id>/check-in", methods=["POST"])
@page(REPRESENTATIVE)
def congress_check_in(meeting_id: int):
    try:
        meetings.check_in(uow(), meeting_id, actor=web_actor())
    except (Conflict, Forbidden) as error:
        return _meeting_page(meeting_id, status_of(error), error_message(error))
    flash(i18n.t("cg.check_in_done"), "ok")
    return redirect(url_for("web.congress_meeting", meeting_id=meeting_id))


def _vote_context(vote_id: int) -> dict[str, Any]:
    vote = ballots.get_vote(uow(readonly=True), vote_id)
    unit = uow(readonly=True)
    with unit:
        matter = meetings.get_matter(unit.session, vote.matter_id)
        meeting = meetings.get_meeting(unit.session, matter.meeting_id)
    return {"vote": vote, "matter": matter, "meeting": meeting}


@blp.route("/congress/votes/<int:vote_id>/ballot")
@page(REPRESENTATIVE)
def congress_confirm(vote_id: int):
    context = _vote_context(vote_id)
    choice = request.args.get("choice", "")
    if choice not in ballots.CHOICES:
        return redirect(url_for("web.congress_meeting", meeting_id=context["meeting"].id))
    return render("congress_confirm.html", choice=choice, label=label, **context)


@blp.route("/congress/votes/<int:vote_id>/ballot", methods=["POST"])
@page(REPRESENTATIVE)
def congress_cast(vote_id: int):
    context = _vote_context(vote_id)
    meeting_id = context["meeting"].id
    try:
        cast = ballots.cast_ballot(uow(), vote_id, request.form.get("choice", ""), actor=web_actor())
    except (Conflict, Forbidden, NotFound, ValidationFailed) as error:
        return _meeting_page(meeting_id, status_of(error), error_message(error))
    if cast["receipt"] is None:
        flash(i18n.t("cg.named_done"), "ok")
        return redirect(url_for("web.congress_meeting", meeting_id=meeting_id))
    # Shown once: the code is not stored (only its hash), so this page is the only place it appears.
    return render("congress_receipt.html", 201, receipt=cast["receipt"], **context)


# --- results --------------------------------------------------------------------------------------------

def _chart(vote) -> Markup:
    bars = [(i18n.t(f"cg.choice.{c}"), count or 0, CHART_COLOURS[c])
            for c, count in (("for", vote.votes_for), ("against", vote.votes_against), ("abstain", vote.abstentions))]
    svg = notices.vote_chart_svg(bars, scale=max(vote.seated, 1), threshold=vote.votes_required,
                                 threshold_label=i18n.t("cg.threshold", n=vote.votes_required),
                                 title=i18n.t("cg.chart"))
    return Markup(svg)  # noqa: S704  (built by vote_chart_svg, which escapes every text it writes)


def _result_page(vote_id: int, status: int = 200, **extra: Any):
    context = _vote_context(vote_id)
    vote = context["vote"]
    closed = vote.status == "closed"
    return render("congress_result.html", status, result=tally.result_of(vote), closed=closed,
                  chart=_chart(vote) if closed else None, label=label, **context, **extra)


@blp.route("/congress/votes/<int:vote_id>")
@page()
def congress_vote(vote_id: int):
    return _result_page(vote_id)


@blp.route("/congress/votes/<int:vote_id>/receipt", methods=["POST"])
@page()
def congress_receipt_check(vote_id: int):
    code = request.form.get("code", "").strip()
    try:
        counted = tally.receipt_counted(uow(readonly=True), vote_id, code) if code else False
    except Conflict as error:
        return _result_page(vote_id, status_of(error), error=error_message(error), code=code)
    return _result_page(vote_id, counted=counted, code=code)


# --- people picker -------------------------------------------------------------------------------------

@blp.route("/congress/people")
@page()
def congress_people():
    """Seated representatives whose name or employee number contains ``q`` (a form's people picker)."""
    today = services().calendar.local_date(services().clock.now())
    found = roster.search_seated(uow(readonly=True), request.args.get("q", ""), today)
    return jsonify([{"employee_no": rep.employee_no, "name": rep.name, "delegation": rep.delegation}
                    for rep in found])


# --- proposals ------------------------------------------------------------------------------------------

def _my_numbers(actor: Actor) -> set[str]:
    unit = uow(readonly=True)
    with unit:
        return set(unit.session.scalars(select(Representative.employee_no)
                                        .where(Representative.username == actor.username)))


def _is_mine(proposal: dict[str, Any], numbers: set[str]) -> bool:
    return proposal["proposer_employee_no"] in numbers or any(c["employee_no"] in numbers
                                                              for c in proposal["cosignatures"])


@blp.route("/congress/proposals")
@page()
def congress_proposals():
    numbers = _my_numbers(web_actor())
    shown = [dict(p, mine=_is_mine(p, numbers)) for p in proposals.listing(uow(readonly=True))
             if p["status"] == "published" or _is_mine(p, numbers)]
    return render("congress_proposals.html", proposals=shown, label=label)


def _proposal_page(proposal_id: int, status: int = 200, error: str | None = None):
    proposal = proposals.detail(uow(readonly=True), proposal_id)
    numbers = _my_numbers(web_actor())
    if proposal["status"] != "published" and not _is_mine(proposal, numbers):
        raise Forbidden("roles")
    asked = [c for c in proposal["cosignatures"] if c["employee_no"] in numbers]
    may_cosign = proposal["status"] == "cosigning" and any(c["status"] == "pending" for c in asked)
    stage = dashboard.stage_of(uow(readonly=True), proposal_id)
    return render("congress_proposal.html", status, proposal=proposal, may_cosign=may_cosign, numbers=numbers,
                  label=label, error=error, stage=stage, stages=dashboard.STAGES)


@blp.route("/congress/proposals/<int:proposal_id>")
@page()
def congress_proposal(proposal_id: int):
    return _proposal_page(proposal_id)


@blp.route("/congress/proposals/<int:proposal_id>/cosign", methods=["POST"])
@page(REPRESENTATIVE)
def congress_cosign(proposal_id: int):
    confirm = request.form.get("answer") == "confirm"
    comment = request.form.get("comment", "").strip()[:2000] or None
    try:
        proposals.cosign(uow(), proposal_id, confirm, comment, actor=web_actor())
    except (Conflict, Forbidden) as error:
        return _proposal_page(proposal_id, status_of(error), error_message(error))
    flash(i18n.t("cg.cosign_done"), "ok")
    return redirect(url_for("web.congress_proposal", proposal_id=proposal_id))
