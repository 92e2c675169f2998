"""Schemas of the legal calendar API: deadlines, days, years, admin overrides."""

from __future__ import annotations

from marshmallow import fields, validate

from api.bounds import Integer

from . import Schema


class DeadlineQuerySchema(Schema):
    start = fields.String(required=True, metadata={"description": "ISO date or date-time with offset"})
    days = Integer(required=True, validate=validate.Range(min=1, max=3650))
    mode = fields.String(load_default="calendar", validate=validate.OneOf(["calendar", "working"]))


class DeadlineSchema(Schema):
    due = fields.String(metadata={"description": "the instant the period is over (ISO 8601, UTC)"})
    last_day = fields.String(metadata={"description": "the last allowed local day"})
    confirmed = fields.Boolean(metadata={"description": "false if it rests on a year not yet announced"})


class DaySchema(Schema):
    working = fields.Boolean(required=True, metadata={"description": "true: working day; false: holiday"})
    note = fields.String(load_default=None, validate=validate.Length(max=200))


class YearSchema(Schema):
    confirmed = fields.Boolean(required=True)


class OverrideSchema(Schema):
    day = fields.Date()
    working = fields.Boolean()
    note = fields.String(allow_none=True)
    updated_by = fields.String()
    updated_at = fields.DateTime()
    own = fields.Boolean(metadata={"description": "entered by the caller's organisation (false: inherited from a "
                                                  "federation above it or the installation)"})
    organisation = fields.String(allow_none=True, metadata={"description": "the organisation that entered it"})


class ConfirmedYearSchema(Schema):
    year = Integer()
    confirmed_by = fields.String()
    confirmed_at = fields.DateTime()


class CalendarTableSchema(Schema):
    overrides = fields.List(fields.Nested(OverrideSchema))
    confirmed_years = fields.List(fields.Nested(ConfirmedYearSchema))
