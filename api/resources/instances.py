"""Process instances: start, list, read, terminate, history."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from engine import queries, runtime
from engine.identity import ADMIN, AUDITOR

from ..auth import current_actor, require
from ..case_export import export_case
from ..extension import act_then_view
from ..extension import uow as _uow
from ..schemas.audit import CaseExportSchema
from ..schemas.engine import (
    HistoryEventSchema,
    InstanceDetailSchema,
    InstancePageSchema,
    InstanceQuerySchema,
    InstanceStartSchema,
    TerminateSchema,
)

blp = Blueprint("instances", __name__, url_prefix="/api/v1/instances", description="Process instances")


@blp.route("")
class Instances(MethodView):
    @blp.arguments(InstanceQuerySchema, location="query")
    @blp.response(200, InstancePageSchema)
    def get(self, args):
        """Instances, newest first, filtered by process, status or business key; paged by `page` or, at any
        depth for the same cost, by the cursor `after` (each page's `next`)."""
        return queries.list_instances(_uow(readonly=True), actor=current_actor(), process_id=args.get("process"),
                                      status=args.get("status"), business_key=args.get("business_key"),
                                      page=args["page"], per_page=args["per_page"], after=args.get("after"))

    @blp.arguments(InstanceStartSchema)
    @blp.response(201, InstanceDetailSchema)
    def post(self, body):
        """Start an instance and run it until it waits."""
        actor = current_actor()
        return act_then_view(
            lambda uow: runtime.start_instance(uow, body["process"], actor=actor, version=body["version"],
                                               data=body["data"], business_key=body["business_key"]),
            queries.get_instance)


@blp.route("/<instance_id>")
class InstanceDetail(MethodView):
    @blp.response(200, InstanceDetailSchema)
    def get(self, instance_id):
        """Status, current data, ready tasks and open incidents."""
        return queries.get_instance(_uow(readonly=True), instance_id, actor=current_actor())


@blp.route("/<instance_id>/terminate")
class Terminate(MethodView):
    @blp.arguments(TerminateSchema)
    @blp.response(200, InstanceDetailSchema)
    def post(self, body, instance_id):
        """End an instance now, cancelling its open tasks (admins)."""
        actor = require(ADMIN)
        return act_then_view(lambda uow: runtime.terminate(uow, instance_id, body["reason"], actor=actor),
                             lambda uow, _: queries.get_instance(uow, instance_id))


@blp.route("/<instance_id>/history")
class History(MethodView):
    @blp.response(200, HistoryEventSchema(many=True))
    def get(self, instance_id):
        """Every audit event of the instance, oldest first, with its hash chain."""
        return queries.instance_history(_uow(readonly=True), instance_id, actor=current_actor())


@blp.route("/<instance_id>/export")
class Export(MethodView):
    @blp.response(200, CaseExportSchema)
    def get(self, instance_id):
        """The case as one file (auditors, admins): history, data, diagram, documents' SHA-256, and the newest
        signed checkpoints covering it with inclusion proofs, checkable offline by `dmflow audit verify-export`."""
        actor = require(AUDITOR, ADMIN)
        return export_case(instance_id, actor.username)
