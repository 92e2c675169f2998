"""Democratic appraisal pages (民主评议, 满意度评价): the union committee opens an appraisal; each voter grades every
item on one secret ballot; once voting closes the results per item show the distribution as a chart (inline SVG)
and the items whose dissatisfied share passes the threshold, which the committee follows up from its inbox."""

from __future__ import annotations

from fractions import Fraction

from flask import flash, redirect, request, url_for
from markupsafe import Markup

from engine.errors import DmflowError, ValidationFailed
from workflows import notices
from workflows.casework import appraisal

from ...errors import status_of
from ...extension import uow
from .. import i18n
from ..core import blp, page, render, web_actor
from .casework import act, local_time, refusal

COLOURS = {"satisfied": "#2e7d32", "basically_satisfied": "#f9a825", "dissatisfied": "#c62828",
           "1": "#c62828", "2": "#ef6c00", "3": "#f9a825", "4": "#7cb342", "5": "#2e7d32"}


def grade_label(grade: str) -> str:
    return i18n.t(f"ap.grade.{grade}")


def percent(share: str) -> str:
    """A share such as "2/3" as a percentage, e.g. 66.7%."""
    value = Fraction(share) * 100
    return f"{value.numerator}%" if value.denominator == 1 else f"{float(value):.1f}%"


def organiser(actor) -> bool:
    return actor.has(appraisal.ORGANISER, "admin") and not actor.is_read_only


def chart(item: dict, share: str) -> Markup:
    """The item's distribution as a bar per grade; the dashed line marks the follow-up threshold's count."""
    bars = [(grade_label(g), n, COLOURS[g]) for g, n in item["counts"].items()]
    threshold = float(Fraction(share) * item["ballots"]) if item["ballots"] else None
    svg = notices.vote_chart_svg(bars, scale=max(item["ballots"], 1), threshold=threshold,
                                 threshold_label=i18n.t("ap.threshold_mark", share=share),
                                 title=i18n.t("ap.chart", name=item["name"]))
    return Markup(svg)  # noqa: S704  (vote_chart_svg escapes every text it writes)


@blp.route("/casework/appraisals")
@page()
def appraisals():
    actor = web_actor()
    return render("casework_appraisals.html", rows=appraisal.listing(uow(readonly=True), actor),
                  organiser=organiser(actor))


def _new(status: int = 200, error: str | None = None, values: dict | None = None):
    return render("casework_appraisal_new.html", status, error=error, values=values or {"scale": "three"})


@blp.route("/casework/appraisals/new", methods=["GET", "POST"])
@page()
def appraisal_new():
    if request.method == "GET":
        return _new()
    form = request.form
    values = {k: form.get(k, "").strip() for k in ("title", "items", "scale", "electorate", "closes_at",
                                                   "dissatisfied_share")}
    try:
        closes = local_time("closes_at")
        if closes is None:
            raise ValidationFailed(i18n.t("ap.err.closes_at"), {"closes_at": ["required"]})
        new_id = appraisal.create(uow(), title=values["title"], items=values["items"].splitlines(),
                                  scale=values["scale"], electorate=values["electorate"], closes_at=closes,
                                  dissatisfied_share=values["dissatisfied_share"] or None, actor=web_actor())
    except DmflowError as error:
        return _new(status_of(error), refusal(error), values)
    flash(i18n.t("ap.opened"), "ok")
    return redirect(url_for("web.appraisal_page", appraisal_id=new_id))


@blp.route("/casework/appraisals/<int:appraisal_id>")
@page()
def appraisal_page(appraisal_id: int):
    actor = web_actor()
    record = appraisal.results(uow(readonly=True), appraisal_id, actor)
    voted = appraisal.has_voted(uow(readonly=True), appraisal_id, actor.username)
    closed = record["status"] == "closed"
    return render("casework_appraisal.html", a=record, voted=voted, closed=closed,
                  ballot=not closed and not voted and appraisal.may_vote(actor, record),
                  grades=appraisal.SCALES[record["scale"]], grade_label=grade_label, percent=percent,
                  charts={i["item_id"]: chart(i, record["dissatisfied_share"]) for i in record["items"]} if closed
                  else {}, organiser=organiser(actor),
                  follow_ups=[i for i in record["items"] if i.get("follow_up")])


@blp.route("/casework/appraisals/<int:appraisal_id>/ballot", methods=["POST"])
@page()
def appraisal_ballot(appraisal_id: int):
    grades = {int(k[5:]): v for k, v in request.form.items() if k.startswith("item-") and k[5:].isdigit()}
    return act(url_for("web.appraisal_page", appraisal_id=appraisal_id),
               lambda a: appraisal.vote(uow(), appraisal_id, grades, actor=a), "ap.voted")
