"""Messages and signals from outside, incidents, schedules, and instance operations."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from engine import messages, operations, queries
from engine.identity import ADMIN, AUDITOR

from ..auth import current_actor, require
from ..extension import services as _services
from ..schemas import events as es
from ..schemas.engine import IncidentSchema, InstanceDetailSchema

blp = Blueprint("events", __name__, url_prefix="/api/v1", description="Messages, signals, incidents, operations")

OPERATORS = ("admin", "liaison")  # liaison: an officer who records events from outside (e.g. labour bureau)


@blp.route("/messages")
class Messages(MethodView):
    @blp.arguments(es.MessageSchema)
    @blp.response(200, es.DeliveredSchema)
    def post(self, body):
        """Deliver a message to the instance waiting for it with these correlation values (or start one)."""
        actor = require(*OPERATORS, "designer")
        ids = messages.send_message(_services().uow(), body["name"], body["correlation"], body["data"], actor=actor)
        return {"delivered": ids, "skipped": []}


@blp.route("/signals")
class Signals(MethodView):
    @blp.arguments(es.SignalSchema)
    @blp.response(200, es.DeliveredSchema)
    def post(self, body):
        """Broadcast a signal to every waiting instance."""
        actor = require(*OPERATORS)
        return messages.send_signal(_services().uow, body["name"], body["data"], actor=actor)


@blp.route("/incidents")
class Incidents(MethodView):
    @blp.arguments(es.IncidentQuerySchema, location="query")
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
    @blp.arguments(es.DataPatchSchema)
    @blp.response(200, InstanceDetailSchema)
    def patch(self, body, instance_id):
        """Change instance variables (admins); old and new values are audited."""
        operations.patch_data(_services().uow(), instance_id, body["data"], actor=require(ADMIN))
        return queries.get_instance(_services().uow(readonly=True), instance_id)


@blp.route("/instances/<instance_id>/suspend")
class Suspend(MethodView):
    @blp.arguments(es.ReasonSchema)
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
    @blp.response(200, es.ScheduleSchema(many=True))
    def get(self):
        """Timer start event schedules and their next occurrence."""
        current_actor()
        return queries.list_schedules(_services().uow(readonly=True))
