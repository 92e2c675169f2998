"""Schemas of a contract in force: change and early termination (第39–41条), yearly performance reports."""

from __future__ import annotations

from marshmallow import fields, validate

from api.bounds import Integer
from workflows.contracts.change import ACTIONS, GROUNDS
from workflows.contracts.performance import STATUS_NAMES

from . import Schema


class ChangeRequestSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(list(ACTIONS)),
                           metadata={"description": "change (变更) or terminate (解除)"})
    ground = fields.String(required=True, metadata={"description": "agreed (第39条), enterprise_ended, "
                                                                  "force_majeure, agreed_condition, other_legal "
                                                                  "(第40条)"})
    facts = fields.String(load_default="", validate=validate.Length(max=4000),
                          metadata={"description": "the facts of the ground (required unless agreed)"})
    proposal_text = fields.String(required=True, validate=validate.Length(max=20000))
    side = fields.String(load_default=None, validate=validate.OneOf(["union", "employer"]))


class ChangeSchema(Schema):
    id = Integer()
    contract_id = Integer()
    instance_id = fields.String(allow_none=True)
    action = fields.String()
    ground = fields.String()
    ground_name = fields.Function(lambda c: GROUNDS.get(c["ground"]))
    facts = fields.String()
    proposal_text = fields.String()
    requesting_side = fields.String()
    stage = fields.String(metadata={"description": "negotiating, adoption, filing, under_review, concluded, closed"})
    agreement_text = fields.String(allow_none=True)
    vote_id = Integer(allow_none=True)
    outcome = fields.String(allow_none=True, metadata={"description": "changed, terminated, not_agreed, rejected"})
    filed_on = fields.Date(allow_none=True)
    receipt_no = fields.String(allow_none=True)
    review_until = fields.DateTime(allow_none=True)
    effective_on = fields.Date(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()


class ObligationSchema(Schema):
    clause = fields.String(required=True, validate=validate.Length(min=1, max=500))
    owner = fields.String(load_default=None, validate=validate.Length(max=100))
    due_on = fields.Date(load_default=None)
    status = fields.String(required=True, validate=validate.OneOf(list(STATUS_NAMES)),
                           metadata={"description": "met, partly_met, not_met, not_due"})
    note = fields.String(load_default=None, validate=validate.Length(max=2000))


class PerformanceReportRequestSchema(Schema):
    year = Integer(required=True, validate=validate.Range(min=2000, max=2100))
    meeting_id = Integer(required=True, metadata={"description": "the congress session that hears it"})
    summary = fields.String(required=True, validate=validate.Length(min=1, max=8000))
    obligations = fields.List(fields.Nested(ObligationSchema), required=True, validate=validate.Length(min=1))


class PerformanceReportSchema(Schema):
    id = Integer()
    year = Integer()
    summary = fields.String()
    obligations = fields.List(fields.Dict())
    meeting_id = Integer()
    matter_id = Integer()
    document_id = Integer()
    created_by = fields.String()
    created_at = fields.DateTime()
