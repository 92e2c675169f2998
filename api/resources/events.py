"""Messages and signals from outside, incidents, schedules, and instance operations."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from engine import messages, operations, queries
from engine.identity import ADMIN, AUDITOR

from ..auth import current_actor, require
from ..schemas import IncidentSchema, InstanceDetailSchema, StrictSchema
from ..transactions import services as _services

blp = Blueprint("events", __name__, url_prefix="/api/v1", description="Messages, signals, incidents, operations")

OPERATORS = ("admin", "liaison")  # liaison: an officer who records events from outside (e.g. labour bureau)


class MessageSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    correlation = fields.Dict(keys=fields.String(), load_default=dict)
    data = fields.Dict(keys=fields.String(), load_default=dict)


class DeliveredSchema(Schema):
    delivered = fields.List(fields.String())
    skipped = fields.List(fields.Dict())


class SignalSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    data = fields.Dict(keys=fields.String(), load_default=dict)


class IncidentQuerySchema(StrictSchema):
    status = fields.String(load_default="open", validate=validate.OneOf(["open", "resolved", "all"]))
    instance = fields.String()


class ScheduleSchema(Schema):
    id = fields.Integer()
    process_id = fields.String()
    element_id = fields.String()
    expression = fields.String()
    next_due_at = fields.DateTime()
    remaining = fields.Integer(allow_none=True, metadata={"description": "occurrences left; null: forever"})
    active = fields.Boolean()


class ReasonSchema(StrictSchema):
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class DataPatchSchema(StrictSchema):
    data = fields.Dict(keys=fields.String(), required=True, metadata={"description": "variables to set; null removes"})


@blp.route("/messages")
class Messages(MethodView):
    @blp.arguments(MessageSchema)
    @blp.response(200, DeliveredSchema)
    def post(self, body):
        """Deliver a message to the instance waiting for it with these correlation values (or start one)."""
        actor = require(*OPERATORS, "designer")
        ids = messages.send_message(_services().uow(), body["name"], body["correlation"], body["data"], actor=actor)
        return {"delivered": ids, "skipped": []}


@blp.route("/signals")
class Signals(MethodView):
    @blp.arguments(SignalSchema)
    @blp.response(200, DeliveredSchema)
    def post(self, body):
        """Broadcast a signal to every waiting instance."""
        actor = require(*OPERATORS)
        return messages.send_signal(_services().uow, body["name"], body["data"], actor=actor)


@blp.route("/incidents")
class Incidents(MethodView):
    @blp.arguments(IncidentQuerySchema, location="query")
    @blp.response(200, IncidentSchema(many=True))
    def get(self, args):
        """Incidents (open by default), newest first."""
        require(ADMIN, AUDITOR)
        status = None if args["status"] == "all" else args["status"]
        return operations.list_incidents(_services().uow(readonly=True), status=status,
                                         instance_id=args.get("instance"))


@blp.route("/incidents/<int:incident_id>/retry")
class Retry(MethodView):
    @blp.response(200, IncidentSchema)
    def post(self, incident_id):
        """Run the failed element again (after fixing the data or deploying a fix)."""
        return operations.retry(_services().uow(), incident_id, actor=require(ADMIN))


@blp.route("/instances/<instance_id>/data")
class InstanceData(MethodView):
    @blp.arguments(DataPatchSchema)
    @blp.response(200, InstanceDetailSchema)
    def patch(self, body, instance_id):
        """Change instance variables (admins); old and new values are audited."""
        operations.patch_data(_services().uow(), instance_id, body["data"], actor=require(ADMIN))
        return queries.get_instance(_services().uow(readonly=True), instance_id)


@blp.route("/instances/<instance_id>/suspend")
class Suspend(MethodView):
    @blp.arguments(ReasonSchema)
    @blp.response(200, InstanceDetailSchema)
    def post(self, body, instance_id):
        """Suspend: no task completion, message or timer until resumed (admins)."""
        operations.suspend(_services().uow(), instance_id, actor=require(ADMIN), reason=body["reason"])
        return queries.get_instance(_services().uow(readonly=True), instance_id)


@blp.route("/instances/<instance_id>/resume")
class Resume(MethodView):
    @blp.response(200, InstanceDetailSchema)
    def post(self, instance_id):
        """Resume; timers that fell due meanwhile fire now (admins)."""
        operations.resume(_services().uow(), instance_id, actor=require(ADMIN))
        return queries.get_instance(_services().uow(readonly=True), instance_id)


@blp.route("/schedules")
class Schedules(MethodView):
    @blp.response(200, ScheduleSchema(many=True))
    def get(self):
        """Timer start event schedules and their next occurrence."""
        current_actor()
        return queries.list_schedules(_services().uow(readonly=True))
