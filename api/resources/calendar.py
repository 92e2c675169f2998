"""The legal calendar: statutory deadlines, and the admin table of holidays and adjusted working days."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from engine.identity import ADMIN
from workflows import calendar_admin

from ..auth import current_actor, require
from ..extension import services as _services
from ..schemas import calendar as calendar_schemas

blp = Blueprint("calendar", __name__, url_prefix="/api/v1/calendar", description="Legal calendar")


@blp.route("/deadline")
class Deadline(MethodView):
    @blp.arguments(calendar_schemas.DeadlineQuerySchema, location="query")
    @blp.response(200, calendar_schemas.DeadlineSchema)
    def get(self, args):
        """When a statutory period that starts at `start` ends (first day not counted, holidays skipped), in the
        caller's organisation's time zone and calendar."""
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
    @blp.response(200, calendar_schemas.CalendarTableSchema)
    def get(self):
        """The caller's organisation's entered days with those it inherits (nearest first wins), and confirmed years."""
        current_actor()
        return calendar_admin.listing(_services().uow(readonly=True))


@blp.route("/overrides/<isodate:day>")
class Override(MethodView):
    @blp.arguments(calendar_schemas.DaySchema)
    @blp.response(204)
    def put(self, body, day):
        """Enter a day for the admin's organisation (the State Council's notice for the installation's first
        organisation; a local holiday or working day for another, over its federations' and the installation's);
        the waiting deadlines of that organisation's cases (and of those below it) are recomputed."""
        calendar_admin.set_day(_services().uow(), day, body["working"], body["note"], actor=require(ADMIN))
        _services().refresh_calendar(force=True)

    @blp.response(204)
    def delete(self, day):
        """Remove a day the admin's organisation entered (404 for a day it did not enter)."""
        calendar_admin.remove_day(_services().uow(), day, actor=require(ADMIN))
        _services().refresh_calendar(force=True)


@blp.route("/years/<int:year>")
class Year(MethodView):
    @blp.arguments(calendar_schemas.YearSchema)
    @blp.response(204)
    def put(self, body, year):
        """Mark a year's notice as completely entered (admins of the installation's first organisation; 403 else)."""
        calendar_admin.confirm_year(_services().uow(), year, body["confirmed"], actor=require(ADMIN))
        _services().refresh_calendar(force=True)
