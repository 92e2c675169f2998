"""Human tasks: the caller's inbox, one task with its form, completing, claiming, delegating, reassigning."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from engine import handover, inbox, queries, runtime

from ..auth import current_actor
from ..extension import act_then_view
from ..extension import uow as _uow
from ..filters import task_filter
from ..schemas.engine import InstanceDetailSchema
from ..schemas.tasks import (
    DelegateSchema,
    ReassignSchema,
    TaskCompleteSchema,
    TaskDetailSchema,
    TaskPageSchema,
    TaskQuerySchema,
)

blp = Blueprint("tasks", __name__, url_prefix="/api/v1/tasks", description="Human tasks")


@blp.route("")
class Tasks(MethodView):
    @blp.arguments(TaskQuerySchema, location="query")
    @blp.response(200, TaskPageSchema)
    def get(self, args):
        """Ready tasks: assigned to me, in my groups' pool, or (admins, auditors) all of them; paged."""
        return inbox.list_tasks(_uow(readonly=True), current_actor(), task_filter(args))


@blp.route("/<task_id>")
class TaskDetail(MethodView):
    @blp.response(200, TaskDetailSchema)
    def get(self, task_id):
        """A task with its form schema, the data it shows, and who may act on it."""
        return queries.get_task(_uow(readonly=True), task_id, current_actor())


@blp.route("/<task_id>/complete")
class CompleteTask(MethodView):
    @blp.arguments(TaskCompleteSchema)
    @blp.response(200, InstanceDetailSchema)
    def post(self, body, task_id):
        """Complete a ready task with form data (validated against its JSON schema); a pooled task is claimed."""
        actor = current_actor()
        return act_then_view(lambda uow: runtime.complete_task(uow, task_id, body["data"], actor=actor),
                             queries.get_instance)


@blp.route("/<task_id>/claim")
class ClaimTask(MethodView):
    @blp.response(200, TaskDetailSchema)
    def post(self, task_id):
        """Take a pooled task (认领): it leaves the others' lists. 409 when someone holds it already."""
        actor = current_actor()
        handover.claim(_uow(), task_id, actor=actor)
        return queries.get_task(_uow(readonly=True), task_id, actor)


@blp.route("/<task_id>/unclaim")
class UnclaimTask(MethodView):
    @blp.response(200, TaskDetailSchema)
    def post(self, task_id):
        """Give a claimed task back to its pool."""
        actor = current_actor()
        handover.unclaim(_uow(), task_id, actor=actor)
        return queries.get_task(_uow(readonly=True), task_id, actor)


@blp.route("/<task_id>/delegate")
class DelegateTask(MethodView):
    @blp.arguments(DelegateSchema)
    @blp.response(200, TaskDetailSchema)
    def post(self, body, task_id):
        """Hand a task I hold to another user who may do it (转办); I stay its owner."""
        actor = current_actor()
        handover.delegate(_uow(), task_id, body["to"], actor=actor)
        return queries.get_task(_uow(readonly=True), task_id, actor)


@blp.route("/<task_id>/reassign")
class ReassignTask(MethodView):
    @blp.arguments(ReassignSchema)
    @blp.response(200, TaskDetailSchema)
    def post(self, body, task_id):
        """Admins: give a task to another user who may do it, or back to its pool (to: null)."""
        actor = current_actor()
        handover.reassign(_uow(), task_id, body["to"], actor=actor, reason=body["reason"])
        return queries.get_task(_uow(readonly=True), task_id, actor)
