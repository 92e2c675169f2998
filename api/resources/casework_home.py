"""The yearly "职工之家" assessment (建家评估): criteria with their sources, a year's scores, the history."""

from __future__ import annotations

from flask.views import MethodView

from workflows.casework import home

from ..auth import current_actor
from ..extension import uow as _uow
from ..schemas import casework_home as hs
from .casework import blp


@blp.route("/home-criteria")
class HomeCriteria(MethodView):
    @blp.response(200, hs.CriterionSchema(many=True))
    def get(self):
        """The assessment's criteria, each with its points and the source it cites."""
        current_actor()
        return home.criteria(_uow(readonly=True))

    @blp.arguments(hs.CriterionSchema)
    @blp.response(201, hs.CriterionSchema)
    def post(self, body):
        """The union committee adds a criterion."""
        new_id = home.save_criterion(_uow(), criterion_id=None, **body, actor=current_actor())
        return next(c for c in home.criteria(_uow(readonly=True)) if c["id"] == new_id)


@blp.route("/home-criteria/<int:criterion_id>")
class HomeCriterion(MethodView):
    @blp.arguments(hs.CriterionSchema)
    @blp.response(200, hs.CriterionSchema)
    def put(self, body, criterion_id):
        """The union committee changes a criterion (or takes it out of force); past years keep their scores."""
        home.save_criterion(_uow(), criterion_id=criterion_id, **body, actor=current_actor())
        return next(c for c in home.criteria(_uow(readonly=True)) if c["id"] == criterion_id)


@blp.route("/home-assessments")
class HomeAssessments(MethodView):
    @blp.response(200, hs.AssessmentSchema(many=True))
    def get(self):
        """Every year's result, latest first."""
        current_actor()
        return home.history(_uow(readonly=True))

    @blp.arguments(hs.AssessmentCreateSchema)
    @blp.response(201, hs.AssessmentSchema)
    def post(self, body):
        """The union committee scores every criterion in force for a year (once a year)."""
        home.assess(_uow(), **body, actor=current_actor())
        return home.assessment(_uow(readonly=True), body["year"])


@blp.route("/home-assessments/<int:year>")
class HomeAssessmentYear(MethodView):
    @blp.response(200, hs.AssessmentSchema)
    def get(self, year):
        """A year's assessment with the score of each criterion as it read that year."""
        current_actor()
        return home.assessment(_uow(readonly=True), year)
