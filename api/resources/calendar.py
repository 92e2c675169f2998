"""The legal calendar: statutory deadlines, and the admin table of holidays and adjusted working days."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from engine.identity import ADMIN
from workflows import calendar_admin

from ..auth import current_actor, require
from ..schemas import StrictSchema
from ..transactions import services as _services

blp = Blueprint("calendar", __name__, url_prefix="/api/v1/calendar", description="Legal calendar")


class DeadlineQuerySchema(StrictSchema):
    start = fields.String(required=True, metadata={"description": "ISO date or date-time with offset"})
    days = fields.Integer(required=True, validate=validate.Range(min=1, max=3650))
    mode = fields.String(load_default="calendar", validate=validate.OneOf(["calendar", "working"]))


class DeadlineSchema(Schema):
    due = fields.String(metadata={"description": "the instant the period is over (ISO 8601, UTC)"})
    last_day = fields.String(metadata={"description": "the last allowed local day"})
    confirmed = fields.Boolean(metadata={"description": "false if it rests on a year not yet announced"})


class DaySchema(StrictSchema):
    working = fields.Boolean(required=True, metadata={"description": "true: working day; false: holiday"})
    note = fields.String(load_default=None, validate=validate.Length(max=200))


class YearSchema(StrictSchema):
    confirmed = fields.Boolean(required=True)


class OverrideSchema(Schema):
    day = fields.Date()
    working = fields.Boolean()
    note = fields.String(allow_none=True)
    updated_by = fields.String()
    updated_at = fields.DateTime()


class ConfirmedYearSchema(Schema):
    year = fields.Integer()
    confirmed_by = fields.String()
    confirmed_at = fields.DateTime()


class CalendarTableSchema(Schema):
    overrides = fields.List(fields.Nested(OverrideSchema))
    confirmed_years = fields.List(fields.Nested(ConfirmedYearSchema))


@blp.route("/deadline")
class Deadline(MethodView):
    @blp.arguments(DeadlineQuerySchema, location="query")
    @blp.response(200, DeadlineSchema)
    def get(self, args):
        """When a statutory period that starts at `start` ends (first day not counted, holidays skipped)."""
        current_actor()
        services = _services()
        services.refresh_calendar()
        try:
            return services.calendar.deadline(args["start"], args["days"], args["mode"]).as_dict()
        except ValueError as exc:
            from engine.errors import ValidationFailed

            raise ValidationFailed(str(exc), {"start": [str(exc)]}) from exc


@blp.route("/overrides")
class Overrides(MethodView):
    @blp.response(200, CalendarTableSchema)
    def get(self):
        """Entered holidays, adjusted working days and confirmed years."""
        current_actor()
        return calendar_admin.listing(_services().uow(readonly=True))


@blp.route("/overrides/<isodate:day>")
class Override(MethodView):
    @blp.arguments(DaySchema)
    @blp.response(204)
    def put(self, body, day):
        """Enter a day from the State Council's notice (admins); applies to every deadline computed after."""
        calendar_admin.set_day(_services().uow(), day, body["working"], body["note"], actor=require(ADMIN))
        _services().refresh_calendar(force=True)

    @blp.response(204)
    def delete(self, day):
        """Remove an entered day (admins)."""
        calendar_admin.remove_day(_services().uow(), day, actor=require(ADMIN))
        _services().refresh_calendar(force=True)


@blp.route("/years/<int:year>")
class Year(MethodView):
    @blp.arguments(YearSchema)
    @blp.response(204)
    def put(self, body, year):
        """Mark a year's notice as completely entered (admins)."""
        calendar_admin.confirm_year(_services().uow(), year, body["confirmed"], actor=require(ADMIN))
        _services().refresh_calendar(force=True)
