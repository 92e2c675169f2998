"""Schemas of the task lists, one task with its form, completing, claiming, delegating and reassigning."""

from __future__ import annotations

from marshmallow import fields, validate

from api.bounds import Integer

from . import Schema

SCOPES = ["mine", "groups", "open", "all"]
DUE = ["overdue", "today", "week"]


class CandidateUserSchema(Schema):
    username = fields.String()
    name = fields.String(metadata={"description": "display name"})


class TaskSchema(Schema):
    id = fields.String()
    instance_id = fields.String()
    process_id = fields.String()
    element_id = fields.String()
    name = fields.String(allow_none=True, metadata={"description": "the step, as the diagram names it"})
    lane = fields.String(allow_none=True)
    form = fields.String(allow_none=True)
    state = fields.String()
    created_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    ended_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True, metadata={"description": "the one user the task waits on"})
    owner = fields.String(allow_none=True, metadata={"description": "who delegated it (转办), if anyone"})
    case_title = fields.String(allow_none=True)


class TaskRowSchema(TaskSchema):
    business_key = fields.String(allow_none=True)
    assignee_name = fields.String(allow_none=True)
    candidate_users = fields.List(fields.Nested(CandidateUserSchema))
    candidate_groups = fields.List(fields.String(), metadata={"description": "roles, or dept:<code>"})


class TaskPageSchema(Schema):
    items = fields.List(fields.Nested(TaskRowSchema))
    total = Integer(metadata={"description": "rows matching, counted up to 1,000 (see total_capped)"})
    total_capped = fields.Boolean(metadata={"description": "true: there are more than `total` rows"})
    page = Integer()
    per_page = Integer()
    next = fields.String(allow_none=True, metadata={"description": "cursor of the next page (pass as `after`); "
                                                                   "null on the last page"})


class WaitsOnSchema(Schema):
    assignee = fields.String(allow_none=True)
    users = fields.List(fields.String())
    groups = fields.List(fields.String())


class TaskDetailSchema(TaskSchema):
    form_schema = fields.Dict(allow_none=True)
    ui_schema = fields.Dict(allow_none=True)
    documentation = fields.String(allow_none=True)
    instructions = fields.String(allow_none=True)
    data = fields.Dict()
    version = Integer()
    process_name = fields.String(metadata={"description": "the process's name from its diagram"})
    assignee_name = fields.String(allow_none=True)
    waits_on = fields.Nested(WaitsOnSchema)
    may_complete = fields.Boolean()
    may_claim = fields.Boolean()


class TaskQuerySchema(Schema):
    scope = fields.String(load_default="open", validate=validate.OneOf(SCOPES), metadata={
        "description": "mine: assigned to me; groups: pooled tasks I may claim; open: both; all: every ready "
                       "task (admins, auditors)"})
    all = fields.Boolean(load_default=False, metadata={"description": "the same as scope=all"})
    process = fields.String(validate=validate.Length(max=200))
    instance = fields.String(validate=validate.Length(max=36), metadata={"description": "one instance's tasks"})
    due = fields.String(validate=validate.OneOf(DUE), metadata={
        "description": "overdue; today or week: due by the end of today / of the next 7 days (local time)"})
    q = fields.String(validate=validate.Length(max=200), metadata={
        "description": "text in the case title or the business key"})
    page = Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(validate=validate.Length(max=200), metadata={
        "description": "the `next` cursor of the previous page: the page after it (replaces `page`)"})


class TaskCompleteSchema(Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict)


class DelegateSchema(Schema):
    to = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata={
        "description": "the username of someone who may do the task"})


class ReassignSchema(Schema):
    to = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100), metadata={
        "description": "the new assignee; null puts the task back in its pool"})
    reason = fields.String(load_default="", validate=validate.Length(max=500))
