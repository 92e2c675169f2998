"""Proposals (提案): listing, co-signing; generated documents (notices) for download."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from workflows import documents
from workflows.congress import proposals

from ..auth import current_actor
from ..extension import uow as _uow
from ..schemas import proposals as ps

blp = Blueprint("proposals", __name__, url_prefix="/api/v1", description="Proposals (提案) and documents")


@blp.route("/congress/proposals")
class Proposals(MethodView):
    @blp.arguments(ps.ProposalQuerySchema, location="query")
    @blp.response(200, ps.ProposalSchema(many=True))
    def get(self, args):
        """Proposals, newest first (every worker may read them)."""
        current_actor()
        return proposals.listing(_uow(readonly=True), status=args.get("status"))


@blp.route("/congress/proposals/<int:proposal_id>")
class ProposalDetail(MethodView):
    @blp.response(200, ps.ProposalSchema)
    def get(self, proposal_id):
        """One proposal with its co-signatures."""
        current_actor()
        return proposals.detail(_uow(readonly=True), proposal_id)


@blp.route("/congress/proposals/<int:proposal_id>/cosign")
class Cosign(MethodView):
    @blp.arguments(ps.CosignSchema)
    @blp.response(200, ps.ProposalSchema)
    def post(self, body, proposal_id):
        """A co-signer confirms (附议) or declines; when all have answered, screening begins."""
        proposals.cosign(_uow(), proposal_id, body["confirm"], body["comment"], actor=current_actor())
        return proposals.detail(_uow(readonly=True), proposal_id)


@blp.route("/documents/<int:document_id>")
class DocumentFile(MethodView):
    @blp.response(200, content_type="application/octet-stream")
    def get(self, document_id):
        """A generated document (notice PDF or HTML); its SHA-256 is in the header and in the audit trail."""
        current_actor()
        doc = documents.get(_uow(readonly=True), document_id)
        return Response(doc.content, mimetype=doc.media_type, headers={
            "X-Content-SHA256": doc.sha256, "Content-Disposition": f'inline; filename="{doc.filename}"'})
