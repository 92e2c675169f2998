"""Proposals (提案): listing, co-signing; generated documents (notices) for download."""

from __future__ import annotations

import json

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint, abort

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
    @blp.alt_response(202, schema=ps.DocumentPendingSchema, description="the PDF is still being rendered")
    def get(self, document_id):
        """A generated document (notice PDF or HTML); its SHA-256 is in the header and in the audit trail.

        A notice's PDF is rendered after the commit that published it: until it exists this answers 202 with
        ``{"status": "rendering"}`` and a Retry-After header; 503 if rendering failed (the message says why)."""
        current_actor()
        doc = documents.get(_uow(readonly=True), document_id)
        state, error = documents.status(_uow(readonly=True), doc)
        if state == documents.FAILED:
            abort(503, message=f"The PDF of document {document_id} could not be rendered: {error}")
        if state == documents.RENDERING:
            body = {"status": "rendering", "document_id": doc.id,
                    "message": "The PDF is being rendered (正在生成); try again in a few seconds."}
            return Response(json.dumps(body, ensure_ascii=False), status=202, mimetype="application/json",
                            headers={"Retry-After": "2"})
        return Response(doc.content, mimetype=doc.media_type, headers={
            "X-Content-SHA256": doc.sha256, "Content-Disposition": f'inline; filename="{doc.filename}"'})
