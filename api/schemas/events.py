"""Schemas of messages, signals, incidents and schedules."""

from __future__ import annotations

from marshmallow import fields, validate

from api.bounds import Integer

from . import Schema


class MessageSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    correlation = fields.Dict(keys=fields.String(), load_default=dict)
    data = fields.Dict(keys=fields.String(), load_default=dict)


class DeliveredSchema(Schema):
    delivered = fields.List(fields.String())
    skipped = fields.List(fields.Dict())


class SignalSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    data = fields.Dict(keys=fields.String(), load_default=dict)


class IncidentQuerySchema(Schema):
    status = fields.String(load_default="open", validate=validate.OneOf(["open", "resolved", "all"]))
    instance = fields.String()


class ScheduleSchema(Schema):
    id = Integer()
    process_id = fields.String()
    element_id = fields.String()
    expression = fields.String()
    next_due_at = fields.DateTime()
    remaining = Integer(allow_none=True, metadata={"description": "occurrences left; null: forever"})
    active = fields.Boolean()


class ReasonSchema(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class DataPatchSchema(Schema):
    data = fields.Dict(keys=fields.String(), required=True, metadata={"description": "variables to set; null removes"})
