"""Democratic appraisal and satisfaction ratings (民主评议, 满意度评价): secret graded ballots and their results."""

from __future__ import annotations

from flask.views import MethodView

from workflows.casework import appraisal

from ..auth import current_actor
from ..extension import uow as _uow
from ..schemas import casework as cs
from .casework import blp


@blp.route("/appraisals")
class Appraisals(MethodView):
    @blp.arguments(cs.AppraisalCreateSchema)
    @blp.response(201, cs.AppraisalSchema)
    def post(self, body):
        """The union committee opens an appraisal of leaders or work items."""
        appraisal_id = appraisal.create(_uow(), **body, actor=current_actor())
        return appraisal.results(_uow(readonly=True), appraisal_id, current_actor())


@blp.route("/appraisals/<int:appraisal_id>")
class AppraisalDetail(MethodView):
    @blp.response(200, cs.AppraisalSchema)
    def get(self, appraisal_id):
        """The appraisal; the distribution per item once voting has closed."""
        return appraisal.results(_uow(readonly=True), appraisal_id, current_actor())


@blp.route("/appraisals/<int:appraisal_id>/ballot")
class Ballot(MethodView):
    @blp.arguments(cs.BallotSchema)
    @blp.response(200, cs.AppraisalSchema)
    def post(self, body, appraisal_id):
        """Cast one secret ballot grading every item (only counts are kept)."""
        appraisal.vote(_uow(), appraisal_id, body["grades"], actor=current_actor())
        return appraisal.results(_uow(readonly=True), appraisal_id, current_actor())
