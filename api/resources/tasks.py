"""Human tasks: the caller's inbox, one task with its form, completing a task."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from engine import queries, runtime

from ..auth import current_actor
from ..extension import act_then_view
from ..extension import uow as _uow
from ..schemas.engine import InstanceDetailSchema, TaskCompleteSchema, TaskDetailSchema, TaskQuerySchema, TaskSchema

blp = Blueprint("tasks", __name__, url_prefix="/api/v1/tasks", description="Human tasks")


@blp.route("")
class Tasks(MethodView):
    @blp.arguments(TaskQuerySchema, location="query")
    @blp.response(200, TaskSchema(many=True))
    def get(self, args):
        """Ready tasks the caller's roles may complete (`all=true`: every ready task, admins and auditors)."""
        return queries.list_tasks(_uow(readonly=True), current_actor(), all_tasks=args["all"],
                                  instance_id=args.get("instance"))


@blp.route("/<task_id>")
class TaskDetail(MethodView):
    @blp.response(200, TaskDetailSchema)
    def get(self, task_id):
        """A task with its form schema and the data it shows."""
        return queries.get_task(_uow(readonly=True), task_id, current_actor())


@blp.route("/<task_id>/complete")
class CompleteTask(MethodView):
    @blp.arguments(TaskCompleteSchema)
    @blp.response(200, InstanceDetailSchema)
    def post(self, body, task_id):
        """Complete a ready task with form data (validated against its JSON schema)."""
        actor = current_actor()
        return act_then_view(lambda uow: runtime.complete_task(uow, task_id, body["data"], actor=actor),
                             queries.get_instance)
