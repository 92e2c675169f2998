"""Marshmallow schemas of the yearly "职工之家" assessment (建家评估)."""

from __future__ import annotations

from marshmallow import fields, validate

from api.bounds import Integer

from . import Schema


class CriterionSchema(Schema):
    id = Integer(dump_only=True)
    position = Integer(load_default=None, validate=validate.Range(min=1, max=1000))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    max_score = Integer(required=True, validate=validate.Range(min=1, max=1000),
                               metadata={"description": "the points the criterion is worth"})
    source = fields.String(required=True, validate=validate.Length(min=1, max=300),
                           metadata={"description": "the rule or practice the criterion cites"})
    active = fields.Boolean(load_default=True, metadata={"description": "scored in new assessments"})


class ScoreSchema(Schema):
    criterion_id = Integer()
    name = fields.String()
    source = fields.String()
    max_score = Integer()
    score = Integer()
    note = fields.String(allow_none=True)


class AssessmentCreateSchema(Schema):
    year = Integer(required=True, validate=validate.Range(min=2000, max=2100))
    scores = fields.Dict(keys=Integer(), values=Integer(), required=True,
                         metadata={"description": "criterion id -> score (0 to its points)"})
    notes = fields.Dict(keys=Integer(), values=fields.String(validate=validate.Length(max=2000)),
                        load_default=dict, metadata={"description": "criterion id -> remark"})
    note = fields.String(load_default=None, validate=validate.Length(max=5000))


class AssessmentSchema(Schema):
    id = Integer()
    year = Integer()
    total = Integer()
    max_total = Integer()
    result = fields.String(metadata={"description": "excellent (先进), passed (合格) or failed (不合格)"})
    note = fields.String(allow_none=True)
    assessed_by = fields.String()
    assessed_at = fields.AwareDateTime()
    scores = fields.List(fields.Nested(ScoreSchema))
