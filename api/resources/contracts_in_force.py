"""A contract in force: its change or early termination (第39–41条; stages are tasks), its performance reports."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from workflows.contracts import change, performance

from ..auth import current_actor, require
from ..extension import uow as _uow
from ..schemas import contracts_in_force as s
from .contracts import READERS

blp = Blueprint("contracts_in_force", __name__, url_prefix="/api/v1/contracts",
                description="Collective contracts in force: change, early termination (第39–41条), "
                            "performance reports (第25条, 第55条)")


@blp.route("/<int:contract_id>/changes")
class Changes(MethodView):
    @blp.response(200, s.ChangeSchema(many=True))
    def get(self, contract_id):
        """The changes and terminations requested for a contract, oldest first."""
        require(*READERS)
        return change.changes_of(_uow(readonly=True), contract_id)

    @blp.arguments(s.ChangeRequestSchema)
    @blp.response(201, s.ChangeSchema)
    def post(self, body, contract_id):
        """Either side asks in writing to change or end a contract in force, on a ground of 第39–40条."""
        row = change.request_change(_uow(), contract_id, body, actor=current_actor())
        return next(c for c in change.changes_of(_uow(readonly=True), contract_id) if c["id"] == row.id)


@blp.route("/<int:contract_id>/performance-reports")
class PerformanceReports(MethodView):
    @blp.response(200, s.PerformanceReportSchema(many=True))
    def get(self, contract_id):
        """The union's yearly performance reports, oldest first."""
        require(*READERS)
        return performance.reports_of(_uow(readonly=True), contract_id)

    @blp.arguments(s.PerformanceReportRequestSchema)
    @blp.response(201, s.PerformanceReportSchema)
    def post(self, body, contract_id):
        """The union reports a year's performance; it goes on the session's agenda as a matter heard (听取)."""
        row = performance.report_performance(_uow(), contract_id, body, actor=current_actor())
        return next(r for r in performance.reports_of(_uow(readonly=True), contract_id) if r["id"] == row.id)
