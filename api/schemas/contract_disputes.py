"""Schemas of a performance dispute (履行争议) of a collective contract (第55条; 工会法 第20条)."""

from __future__ import annotations

from marshmallow import fields, validate

from api.bounds import Integer
from workflows.contracts.performance_disputes import OUTCOMES, STATUS_NAMES

from . import Schema


class DisputeRequestSchema(Schema):
    clauses = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                            metadata={"description": "the clauses whose performance is disputed"})
    facts = fields.String(required=True, validate=validate.Length(min=1, max=8000))
    demand = fields.String(required=True, validate=validate.Length(min=1, max=4000),
                           metadata={"description": "what the side asks the other to do"})


class DisputeSessionRequestSchema(Schema):
    held_on = fields.Date(required=True)
    place = fields.String(required=True, validate=validate.Length(min=1, max=200))
    participants = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    minutes = fields.String(required=True, validate=validate.Length(min=1, max=20000),
                            metadata={"description": "the record of the session (协商记录)"})
    outcome = fields.String(required=True, validate=validate.OneOf(list(OUTCOMES)),
                            metadata={"description": "continue, agreed (needs agreement_text), failed"})
    agreement_text = fields.String(load_default=None, validate=validate.Length(max=20000))


class ReferralRequestSchema(Schema):
    tribunal = fields.String(required=True, validate=validate.Length(min=1, max=200),
                             metadata={"description": "the labour-dispute arbitration committee (劳动争议仲裁委员会)"})
    claims = fields.String(required=True, validate=validate.Length(min=1, max=8000))


class DisputeSessionSchema(Schema):
    number = Integer()
    held_on = fields.Date()
    place = fields.String()
    participants = fields.String()
    minutes = fields.String()
    outcome = fields.String()
    outcome_name = fields.Function(lambda s: OUTCOMES.get(s["outcome"]))
    recorded_by = fields.String()
    recorded_at = fields.DateTime()


class DisputeSchema(Schema):
    id = Integer()
    contract_id = Integer()
    raised_by_side = fields.String()
    clauses = fields.String()
    facts = fields.String()
    demand = fields.String()
    status = fields.String(metadata={"description": "negotiating, resolved, failed, referred"})
    status_name = fields.Function(lambda d: STATUS_NAMES.get(d["status"]))
    agreement_text = fields.String(allow_none=True)
    tribunal = fields.String(allow_none=True)
    claims = fields.String(allow_none=True)
    referred_by = fields.String(allow_none=True)
    referred_at = fields.DateTime(allow_none=True)
    package_document_id = Integer(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    sessions = fields.List(fields.Nested(DisputeSessionSchema))
