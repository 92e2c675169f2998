"""Representatives' election pages (phone-friendly): the ballot, a confirmation before casting, the receipt; the
round's page with its count (scrutineers confirm there) and, once published, the result for everyone."""

from __future__ import annotations

import json
from typing import Any

from flask import flash, redirect, request, url_for

from engine.errors import Conflict, DmflowError, Forbidden
from workflows.congress import election_ballots, election_publish, election_state, election_tally, scrutineers
from workflows.congress.meetings import PRESIDIUM, REPRESENTATIVE

from ...errors import status_of
from ...extension import uow
from .. import i18n
from ..core import blp, page, render, web_actor
from .elections import election_refusal


def _form_ballot(layout: list[dict[str, Any]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The marks and names written in, as the ballot form posts them (mark-<id>, write-<post>-<k>)."""
    marks = {}
    for post in layout:
        for candidate in post["candidates"]:
            value = request.form.get(f"mark-{candidate.id}", "")
            if value in ("for", "against", "abstain"):
                marks[str(candidate.id)] = value
    write_ins = {str(p["post"].id): [v for k in range(p["max_choices"])
                                     if (v := request.form.get(f"write-{p['post'].id}-{k}", "").strip())]
                 for p in layout if p["write_in"]}
    return marks, {k: v for k, v in write_ins.items() if v}


def _ballot(round_id: int, status: int = 200, error: str | None = None, marks=None, write_ins=None):
    context = election_state.ballot_context(uow(readonly=True), round_id, web_actor())
    return render("election_ballot.html", status, error=error, marks=marks or {}, write_ins=write_ins or {},
                  **context)


@blp.route("/congress/election-rounds/<int:round_id>/ballot")
@page(REPRESENTATIVE)
def election_ballot(round_id: int):
    return _ballot(round_id)


@blp.route("/congress/election-rounds/<int:round_id>/ballot/review", methods=["POST"])
@page(REPRESENTATIVE)
def election_review(round_id: int):
    """Check the ballot (nothing is cast) and show it back for confirmation."""
    context = election_state.ballot_context(uow(readonly=True), round_id, web_actor())
    marks, write_ins = _form_ballot(context["layout"])
    try:
        election_ballots.normalise(context["election"], context["layout"], marks, write_ins)
    except DmflowError as error:
        return _ballot(round_id, status_of(error), election_refusal(error), marks, write_ins)
    return render("election_confirm.html", marks=marks, write_ins=write_ins,
                  payload=json.dumps({"marks": marks, "write_ins": write_ins}, ensure_ascii=False), **context)


@blp.route("/congress/election-rounds/<int:round_id>/ballot", methods=["POST"])
@page(REPRESENTATIVE)
def election_cast(round_id: int):
    try:
        body = json.loads(request.form.get("ballot", "{}"))
        marks, write_ins = dict(body.get("marks") or {}), dict(body.get("write_ins") or {})
    except (ValueError, AttributeError, TypeError):
        marks, write_ins = {}, {}
    context = election_state.ballot_context(uow(readonly=True), round_id, web_actor())
    try:
        cast = election_ballots.cast(uow(), round_id, marks, write_ins=write_ins, actor=web_actor())
    except DmflowError as error:
        return _ballot(round_id, status_of(error), election_refusal(error), marks, write_ins)
    if cast["receipt"] is None:
        flash(i18n.t("el.named_done"), "ok")
        return redirect(url_for("web.congress_meeting", meeting_id=context["meeting"].id))
    # Shown once: the code is not stored (only its hash).
    return render("congress_receipt.html", 201, receipt=cast["receipt"], matter=context["matter"],
                  meeting=context["meeting"])


def _round_page(round_id: int, status: int = 200, **extra: Any):
    actor = web_actor()
    view = election_publish.round_view(uow(readonly=True), round_id, actor)
    context = election_state.ballot_context(uow(readonly=True), round_id, actor)
    seat = context["seat"]
    mine = next((s for s in view["scrutineers"] if seat and s["representative_id"] == seat.id), None)
    return render("election_round.html", status, view=view, scrutineer=mine, is_presidium=actor.has(PRESIDIUM),
                  **context, **extra)


@blp.route("/congress/election-rounds/<int:round_id>")
@page()
def election_round(round_id: int):
    return _round_page(round_id)


@blp.route("/congress/election-rounds/<int:round_id>/confirm", methods=["POST"])
@page(REPRESENTATIVE)
def election_confirm_count(round_id: int):
    try:
        scrutineers.confirm(uow(), round_id, actor=web_actor(), meeting_of_round=election_ballots.meeting_of_round)
    except (Conflict, Forbidden) as error:
        return _round_page(round_id, status_of(error), error=election_refusal(error))
    flash(i18n.t("el.count_confirmed"), "ok")
    return redirect(url_for("web.election_round", round_id=round_id))


@blp.route("/congress/election-rounds/<int:round_id>/receipt", methods=["POST"])
@page()
def election_receipt_check(round_id: int):
    code = request.form.get("code", "").strip()
    try:
        counted = election_tally.receipt_counted(uow(readonly=True), round_id, code) if code else False
    except Conflict as error:
        return _round_page(round_id, status_of(error), error=election_refusal(error), code=code)
    return _round_page(round_id, counted=counted, code=code)
