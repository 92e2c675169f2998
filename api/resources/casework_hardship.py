"""Hardship assistance (困难职工帮扶): files per household, the publicity list (公示) and objections, payments."""

from __future__ import annotations

from flask.views import MethodView

from workflows.casework import hardship, hardship_stages

from ..auth import current_actor
from ..extension import uow as _uow
from ..schemas import casework as cs
from .casework import blp


def _file(case_id: int) -> dict:
    return hardship.detail(_uow(), case_id, current_actor())  # writable: a committee read is audited


@blp.route("/hardship")
class HardshipFiles(MethodView):
    @blp.response(200, cs.HardshipSummarySchema(many=True))
    def get(self):
        """Files without personal data: all for the assistance committee, a worker's own."""
        return hardship.listing(_uow(readonly=True), current_actor())

    @blp.arguments(cs.HardshipApplicationSchema)
    @blp.response(201, cs.HardshipSchema)
    def post(self, body):
        """A worker applies for hardship assistance for their household."""
        return _file(hardship.apply(_uow(), **body, actor=current_actor()))


@blp.route("/hardship/publicity")
class HardshipPublicity(MethodView):
    @blp.response(200, cs.HardshipPublishedSchema(many=True))
    def get(self):
        """The list under publicity (公示), for every worker: names and kinds of assistance only."""
        current_actor()
        return hardship.publicity(_uow(readonly=True))


@blp.route("/hardship/<int:case_id>")
class HardshipFile(MethodView):
    @blp.response(200, cs.HardshipSchema)
    def get(self, case_id):
        """The file, for its applicant and the committee; every committee read enters the audit trail."""
        return _file(case_id)


@blp.route("/hardship/<int:case_id>/verify")
class HardshipVerify(MethodView):
    @blp.arguments(cs.HardshipVerifySchema)
    @blp.response(200, cs.HardshipSchema)
    def post(self, body, case_id):
        """The committee records the home visit and the income it checked."""
        hardship_stages.verify(_uow(), case_id, **body, actor=current_actor())
        return _file(case_id)


@blp.route("/hardship/<int:case_id>/decide")
class HardshipDecide(MethodView):
    @blp.arguments(cs.HardshipDecideSchema)
    @blp.response(200, cs.HardshipSchema)
    def post(self, body, case_id):
        """The committee grants (kind, amount) or refuses assistance, with reasons."""
        hardship_stages.decide(_uow(), case_id, **body, actor=current_actor())
        return _file(case_id)


@blp.route("/hardship/<int:case_id>/review")
class HardshipReview(MethodView):
    @blp.arguments(cs.HardshipReviewSchema)
    @blp.response(200, cs.HardshipSchema)
    def post(self, body, case_id):
        """The yearly review: continue assistance or close the file."""
        hardship_stages.review(_uow(), case_id, **body, actor=current_actor())
        return _file(case_id)


@blp.route("/hardship/<int:case_id>/objections")
class HardshipObjections(MethodView):
    @blp.arguments(cs.HardshipObjectionCreateSchema)
    @blp.response(201, cs.HardshipPublishedSchema)
    def post(self, body, case_id):
        """Any worker objects to a published entry while the publicity period runs (公示期内)."""
        hardship.object_to(_uow(), case_id, body=body["body"], actor=current_actor())
        return next(p for p in hardship.publicity(_uow(readonly=True)) if p["id"] == case_id)


@blp.route("/hardship/<int:case_id>/objections/<int:objection_id>/resolve")
class HardshipResolve(MethodView):
    @blp.arguments(cs.HardshipResolveSchema)
    @blp.response(200, cs.HardshipSchema)
    def post(self, body, case_id, objection_id):
        """The committee resolves an objection after the publicity period."""
        hardship_stages.resolve_objection(_uow(), case_id, objection_id, **body, actor=current_actor())
        return _file(case_id)


@blp.route("/hardship/<int:case_id>/payments")
class HardshipPayments(MethodView):
    @blp.arguments(cs.HardshipPaymentCreateSchema)
    @blp.response(201, cs.HardshipSchema)
    def post(self, body, case_id):
        """The committee records assistance given (at most the amount decided)."""
        hardship_stages.pay(_uow(), case_id, **body, actor=current_actor())
        return _file(case_id)
