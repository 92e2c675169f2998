"""The representatives' inspection (职工代表巡视): planning and reading; its stages are tasks (/api/v1/tasks)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from workflows.inspection import plan, queries

from ..auth import current_actor
from ..extension import uow as _uow
from ..schemas import inspection as s

blp = Blueprint("inspection", __name__, url_prefix="/api/v1/inspections",
                description="Representatives' inspection (职工代表巡视)")


@blp.route("")
class Inspections(MethodView):
    @blp.arguments(s.InspectionQuerySchema, location="query")
    @blp.response(200, s.InspectionSchema(many=True))
    def get(self, args):
        """Inspections, newest first."""
        current_actor()
        return queries.listing(_uow(readonly=True), status=args.get("status"))

    @blp.arguments(s.PlanSchema)
    @blp.response(201, s.InspectionSchema)
    def post(self, body):
        """Plan an inspection (presidium or union): the unit and the team are notified at once."""
        row = plan.plan_inspection(_uow(), body, actor=current_actor())
        return queries.detail(_uow(readonly=True), row.id)


@blp.route("/<int:inspection_id>")
class InspectionDetail(MethodView):
    @blp.response(200, s.InspectionSchema)
    def get(self, inspection_id):
        """One inspection with its findings and the unit's answers."""
        current_actor()
        return queries.detail(_uow(readonly=True), inspection_id)
