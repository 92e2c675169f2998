"""A collective contract's change or early termination (集体合同规定 第39–41条); its stages are tasks."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from workflows.contracts import change

from ..auth import current_actor, require
from ..extension import uow as _uow
from ..schemas import contract_changes as s
from .contracts import READERS

blp = Blueprint("contract_changes", __name__, url_prefix="/api/v1/contracts",
                description="Change and early termination of collective contracts (第39–41条)")


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
