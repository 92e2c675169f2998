"""Performance disputes (履行争议) of a collective contract: raised, negotiated, referred to arbitration with a
package (集体合同规定 第55条; 工会法 第20条)."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from workflows.contracts import performance_disputes as disputes

from ..auth import current_actor, require
from ..extension import uow as _uow
from ..schemas import contract_disputes as s
from .contracts import READERS

blp = Blueprint("contract_disputes", __name__, url_prefix="/api/v1/contracts",
                description="Performance disputes of collective contracts (第55条; 工会法 第20条)")


def _one(contract_id: int, dispute_id: int) -> dict:
    return next(d for d in disputes.disputes_of(_uow(readonly=True), contract_id) if d["id"] == dispute_id)


@blp.route("/<int:contract_id>/performance-disputes")
class Disputes(MethodView):
    @blp.response(200, s.DisputeSchema(many=True))
    def get(self, contract_id):
        """The contract's performance disputes with their negotiation sessions, oldest first."""
        require(*READERS, "union_chair")
        return disputes.disputes_of(_uow(readonly=True), contract_id)

    @blp.arguments(s.DisputeRequestSchema)
    @blp.response(201, s.DisputeSchema)
    def post(self, body, contract_id):
        """Either side (or the union chair) records a dispute about the contract's performance; the other is told."""
        row = disputes.raise_dispute(_uow(), contract_id, body, actor=current_actor())
        return _one(contract_id, row.id)


@blp.route("/<int:contract_id>/performance-disputes/<int:dispute_id>/sessions")
class DisputeSessions(MethodView):
    @blp.arguments(s.DisputeSessionRequestSchema)
    @blp.response(201, s.DisputeSchema)
    def post(self, body, contract_id, dispute_id):
        """A negotiation session with its record; outcome agreed resolves the dispute, failed opens arbitration."""
        disputes.record_session(_uow(), contract_id, dispute_id, body, actor=current_actor())
        return _one(contract_id, dispute_id)


@blp.route("/<int:contract_id>/performance-disputes/<int:dispute_id>/referral")
class Referral(MethodView):
    @blp.arguments(s.ReferralRequestSchema)
    @blp.response(201, s.DisputeSchema)
    def post(self, body, contract_id, dispute_id):
        """The union refers a dispute negotiation did not settle to arbitration; the package is built and hashed."""
        disputes.refer_to_arbitration(_uow(), contract_id, dispute_id, body, actor=current_actor())
        return _one(contract_id, dispute_id)


@blp.route("/<int:contract_id>/performance-disputes/<int:dispute_id>/package")
class Package(MethodView):
    @blp.response(200, content_type="application/zip")
    def get(self, contract_id, dispute_id):
        """The arbitration package (ZIP: the contract, the dispute and the negotiation record); SHA-256 in a header."""
        require(*READERS, "union_chair")
        doc = disputes.package(_uow(readonly=True), contract_id, dispute_id)
        return Response(doc.content, mimetype=doc.media_type, headers={
            "X-Content-SHA256": doc.sha256, "Content-Disposition": f'attachment; filename="{doc.filename}"'})
