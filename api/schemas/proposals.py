"""Schemas of the proposals (提案) read API and co-signing."""

from __future__ import annotations

from marshmallow import fields, validate

from api.bounds import Integer

from . import Schema


class CosignatureSchema(Schema):
    employee_no = fields.String()
    status = fields.String(metadata={"description": "pending, confirmed or declined"})
    responded_at = fields.DateTime(allow_none=True)


class ProposalSchema(Schema):
    id = Integer()
    instance_id = fields.String()
    title = fields.String()
    status = fields.String(metadata={"description": "cosigning, submitted, not_registered, turned_into_opinion, "
                                                    "merged, published"})
    decision = fields.String(allow_none=True)
    satisfaction = fields.String(allow_none=True)
    implementation_status = fields.String(allow_none=True)
    proposer = fields.String()
    proposer_employee_no = fields.String()
    created_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)
    reason = fields.String(allow_none=True, metadata={"description": "理由, as submitted"})
    measures = fields.String(allow_none=True, metadata={"description": "建议措施, as submitted"})
    cosignatures = fields.List(fields.Nested(CosignatureSchema))


class ProposalQuerySchema(Schema):
    status = fields.String()


class CosignSchema(Schema):
    confirm = fields.Boolean(required=True, metadata={"description": "true: 附议; false: decline"})
    comment = fields.String(load_default=None, validate=validate.Length(max=2000))


class DocumentPendingSchema(Schema):
    status = fields.String(metadata={"description": "rendering: the PDF is rendered after the commit that "
                                                    "published it"})
    document_id = Integer()
    message = fields.String()
