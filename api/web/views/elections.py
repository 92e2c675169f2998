"""The presidium's election pages: set up an election (or a recall) on a matter, nominate candidates, the
meeting's scrutineers and their show of hands, and the rounds: open, close and count, publish, finish."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request, url_for

from engine.errors import DmflowError, ValidationFailed
from engine.identity import ADMIN
from workflows import rules as r
from workflows.congress import (
    console,
    election_ballots,
    election_publish,
    election_state,
    election_tally,
    elections,
    meetings,
    scrutineers,
)
from workflows.congress.meetings import PRESIDIUM
from workflows.errors import RuleConflict, RuleViolation

from ...errors import status_of
from ...extension import services, uow
from .. import i18n
from ..core import blp, page, render, web_actor
from .console import refusal

MANAGERS = (PRESIDIUM, ADMIN)


def election_refusal(error: DmflowError) -> str:
    """A refusal on the election pages in the page's language, naming the rule."""
    rules = services().rules
    if isinstance(error, RuleConflict) and error.rule == "scrutineers_confirmed":
        return i18n.t("el.err.confirm_first", names="、".join(str(n) for n in error.errors.get("missing", [])))
    if isinstance(error, RuleViolation | RuleConflict) and i18n.known(f"el.err.{error.rule}"):
        n = {"election_competitive_min_extra": rules.election_competitive_min_extra,
             "scrutineers_min": rules.scrutineers_min,
             "proposal_cosigners_min": rules.proposal_cosigners_min + 1}.get(error.rule, "")
        return i18n.t(f"el.err.{error.rule}", n=n)
    if isinstance(error, ValidationFailed) and not isinstance(error, RuleViolation) and \
            set(error.errors or {}) & {"marks", "write_ins"}:
        return i18n.t("el.err.ballot", message=error.message)
    return refusal(error)


def _matter(matter_id: int):
    unit = uow(readonly=True)
    with unit:
        return meetings.get_matter(unit.session, matter_id)


# --- setting up -----------------------------------------------------------------------------------------

def _elected(meeting_id: int) -> list[dict[str, Any]]:
    """Everyone elected in the elections of a meeting's term so far (whom a recall may name)."""
    people = []
    for row in elections.list_elections(uow(readonly=True), meeting_id):
        detail = elections.detail(uow(readonly=True), row["id"])
        posts = {p["id"]: p["title"] for p in detail["posts"]}
        people += [dict(c, post=posts[c["post_id"]]) for c in detail["candidates"] if c["status"] == "elected"]
    return people


def _new_page(matter_id: int, status: int = 200, error: str | None = None):
    matter = _matter(matter_id)
    return render("election_new.html", status, matter=matter, error=error, elected=_elected(matter.meeting_id))


@blp.route("/congress/matters/<int:matter_id>/election/new")
@page(*MANAGERS)
def election_new(matter_id: int):
    return _new_page(matter_id)


@blp.route("/congress/matters/<int:matter_id>/election/new", methods=["POST"])
@page(PRESIDIUM)
def election_create(matter_id: int):
    form = request.form
    try:
        seats = int(form.get("seats") or 1)
        max_choices = int(form["max_choices"]) if form.get("max_choices", "").strip() else None
        recall_of = int(form["recall_of"]) if form.get("recall_of", "").isdigit() else None
        made = elections.create_election(
            uow(), matter_id, rules=services().rules, actor=web_actor(), competitive=form.get("competitive") != "0",
            method=form.get("method", "approve"), recall_of=recall_of,
            posts=[{"title": form.get("post_title", "").strip(), "seats": seats, "max_choices": max_choices,
                    "write_in": form.get("write_in") == "1"}])
    except ValueError:
        return _new_page(matter_id, 422, i18n.t("el.err.ballot", message=i18n.t("el.seats")))
    except DmflowError as error:
        return _new_page(matter_id, status_of(error), election_refusal(error))
    flash(i18n.t("el.created"), "ok")
    return redirect(url_for("web.election_desk", election_id=made.id))


# --- the desk -------------------------------------------------------------------------------------------

def _desk(election_id: int, status: int = 200, error: str | None = None):
    detail = elections.detail(uow(readonly=True), election_id)
    meeting_id = detail["meeting_id"]
    people = console.attendance(uow(readonly=True), meeting_id)
    listing = scrutineers.listing(uow(readonly=True), meeting_id)
    return render("election_desk.html", status, election=detail, error=error, people=people,
                  delegations=sorted({p["delegation"] for p in people if p["delegation"]}),
                  scrutineers=listing, counts=election_state.round_counts(uow(readonly=True), election_id),
                  taken={s["representative_id"] for s in listing["scrutineers"]},
                  posts={p["id"]: p for p in detail["posts"]}, min_joint=services().rules.proposal_cosigners_min + 1)


def _attempt(election_id: int, action: Callable[[], Any], done_key: str, **values: Any):
    try:
        result = action()
    except DmflowError as error:
        return _desk(election_id, status_of(error), election_refusal(error))
    flash(i18n.t(done_key, **{k: v(result) if callable(v) else v for k, v in values.items()}), "ok")
    return redirect(url_for("web.election_desk", election_id=election_id))


@blp.route("/congress/elections/<int:election_id>/desk")
@page(*MANAGERS)
def election_desk(election_id: int):
    return _desk(election_id)


@blp.route("/congress/elections/<int:election_id>/candidates", methods=["POST"])
@page(PRESIDIUM)
def election_nominate(election_id: int):
    form = request.form
    rep_id = int(form["representative_id"]) if form.get("representative_id", "").isdigit() else None
    ids = [int(v) for v in form.getlist("nominator_ids") if v.isdigit()]
    by = form.get("nominated_by", "")
    nominator = form.get("delegation", "") if by == "delegation" else ""
    return _attempt(election_id, lambda: elections.nominate(
        uow(), election_id, post_id=int(form.get("post_id") or 0), name=form.get("name", "").strip(),
        employee_no=form.get("employee_no", "").strip() or None, representative_id=rep_id, nominated_by=by,
        nominator=nominator, nominator_ids=ids, profile=form.get("profile", ""), rules=services().rules,
        actor=web_actor()), "el.nominated", name=lambda c: c.name)


@blp.route("/congress/elections/<int:election_id>/posts", methods=["POST"])
@page(PRESIDIUM)
def election_add_post(election_id: int):
    form = request.form
    try:
        post = {"title": form.get("post_title", "").strip(), "seats": int(form.get("seats") or 0),
                "max_choices": int(form["max_choices"]) if form.get("max_choices", "").strip() else None,
                "write_in": form.get("write_in") == "1"}
    except ValueError:
        return _desk(election_id, 422, i18n.t("el.err.ballot", message=i18n.t("el.seats")))
    return _attempt(election_id, lambda: elections.add_post(uow(), election_id, post, rules=services().rules,
                                                            actor=web_actor()), "el.post_added")


@blp.route("/congress/candidates/<int:candidate_id>/withdraw", methods=["POST"])
@page(PRESIDIUM)
def election_withdraw(candidate_id: int):
    election_id = int(request.form.get("election_id") or 0)
    return _attempt(election_id, lambda: elections.withdraw(uow(), candidate_id, actor=web_actor()), "el.withdrawn")


@blp.route("/congress/elections/<int:election_id>/rounds", methods=["POST"])
@page(PRESIDIUM)
def election_open_round(election_id: int):
    return _attempt(election_id, lambda: election_ballots.open_round(uow(), election_id, rules=services().rules,
                                                                     actor=web_actor()), "el.round_opened")


@blp.route("/congress/election-rounds/<int:round_id>/close", methods=["POST"])
@page(PRESIDIUM)
def election_close_round(round_id: int):
    election_id = int(request.form.get("election_id") or 0)
    return _attempt(election_id, lambda: election_tally.close_round(uow(), round_id, rules=services().rules,
                                                                    actor=web_actor()), "el.round_closed")


@blp.route("/congress/election-rounds/<int:round_id>/publish", methods=["POST"])
@page(PRESIDIUM)
def election_publish_round(round_id: int):
    election_id = int(request.form.get("election_id") or 0)
    return _attempt(election_id, lambda: election_publish.publish(uow(), round_id, actor=web_actor()),
                    "el.published")


@blp.route("/congress/elections/<int:election_id>/finish", methods=["POST"])
@page(PRESIDIUM)
def election_finish(election_id: int):
    return _attempt(election_id, lambda: election_publish.finish(uow(), election_id, actor=web_actor()),
                    "el.finished")


# --- scrutineers ----------------------------------------------------------------------------------------

def _scrutineers(meeting_id: int, status: int = 200, error: str | None = None):
    summary = meetings.meeting_summary(uow(readonly=True), meeting_id)
    rules = services().rules
    return render("election_scrutineers.html", status, meeting=summary, error=error,
                  listing=scrutineers.listing(uow(readonly=True), meeting_id),
                  people=console.attendance(uow(readonly=True), meeting_id),
                  needed=r.votes_required(summary["seated"], rules) if summary["seated"] else 1,
                  elections=elections.list_elections(uow(readonly=True), meeting_id))


def _back_to_scrutineers(meeting_id: int, action: Callable[[], Any], done: Callable[[Any], str]):
    try:
        result = action()
    except DmflowError as error:
        return _scrutineers(meeting_id, status_of(error), election_refusal(error))
    flash(done(result), "ok")
    return redirect(url_for("web.election_scrutineers", meeting_id=meeting_id))


@blp.route("/congress/meetings/<int:meeting_id>/scrutineers")
@page(*MANAGERS)
def election_scrutineers(meeting_id: int):
    return _scrutineers(meeting_id)


@blp.route("/congress/meetings/<int:meeting_id>/scrutineers", methods=["POST"])
@page(PRESIDIUM)
def election_propose_scrutineers(meeting_id: int):
    picked = [int(v) for v in request.form.getlist("representative_id") if v.isdigit()]
    chief = request.form.get("chief", "")
    if not chief.isdigit():
        return _scrutineers(meeting_id, 422, i18n.t("el.err.chief"))
    return _back_to_scrutineers(meeting_id, lambda: scrutineers.propose(
        uow(), meeting_id, picked, int(chief), rules=services().rules, actor=web_actor()),
        lambda _: i18n.t("el.proposed"))


@blp.route("/congress/meetings/<int:meeting_id>/scrutineers/approval", methods=["POST"])
@page(PRESIDIUM)
def election_approve_scrutineers(meeting_id: int):
    raw = {k: request.form.get(k, "").strip() for k in ("for", "against", "abstain")}
    if not all(v.isdigit() for v in raw.values()):
        return _scrutineers(meeting_id, 422, i18n.t("con.err.totals", fields=i18n.t("el.hands")))
    return _back_to_scrutineers(meeting_id, lambda: scrutineers.approve(
        uow(), meeting_id, votes_for=int(raw["for"]), votes_against=int(raw["against"]),
        abstentions=int(raw["abstain"]), rules=services().rules, actor=web_actor()),
        lambda record: i18n.t(f"el.hands_done.{record.outcome}"))
