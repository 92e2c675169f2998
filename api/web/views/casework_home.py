"""The "职工之家" yearly assessment page (建家评估): the criteria with their points and sources, the history by year
and each year's scores for everyone; the union committee keeps the criteria and scores a year on the checklist."""

from __future__ import annotations

from flask import request, url_for

from engine.errors import ValidationFailed
from workflows.casework import home

from ...extension import services, uow
from .. import i18n
from ..core import blp, page, render, web_actor
from .casework import act, flag, number, text


def organiser(actor) -> bool:
    return actor.has(home.ORGANISER, "admin") and not actor.is_read_only


@blp.route("/casework/home")
@page()
def home_assessment():
    actor = web_actor()
    this_year = i18n.localtime(services().clock.now())[:4]
    return render("casework_home.html", criteria=home.criteria(uow(readonly=True)),
                  history=home.history(uow(readonly=True)), organiser=organiser(actor), this_year=int(this_year))


@blp.route("/casework/home/<int:year>")
@page()
def home_year(year: int):
    return render("casework_home_year.html", a=home.assessment(uow(readonly=True), year))


def _scores() -> tuple[dict[int, int], dict[int, str]]:
    scores, notes = {}, {}
    for key in request.form:
        if key.startswith("score-") and key[6:].isdigit():
            scores[int(key[6:])] = number(key)
        elif key.startswith("note-") and key[5:].isdigit() and request.form[key].strip():
            notes[int(key[5:])] = text(key, limit=2000)
    return scores, notes


@blp.route("/casework/home/assess", methods=["POST"])
@page()
def home_assess():
    def run(actor):
        scores, notes = _scores()
        return home.assess(uow(), year=number("year"), scores=scores, notes=notes,
                           note=text("note", required=False, limit=5000) or None, actor=actor)
    return act(url_for("web.home_assessment"), run, "home.assessed")


@blp.route("/casework/home/criteria", methods=["POST"])
@page()
def home_criterion():
    raw_id = request.form.get("criterion_id", "")
    if raw_id and not raw_id.isdigit():
        raise ValidationFailed("unknown criterion", {"criterion_id": [raw_id]})
    return act(url_for("web.home_assessment"), lambda a: home.save_criterion(
        uow(), criterion_id=int(raw_id) if raw_id else None, name=text("name", limit=200),
        max_score=number("max_score"), source=text("source", limit=300), active=flag("active"), actor=a),
        "home.criterion_saved")
