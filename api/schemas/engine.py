"""Marshmallow schemas for every request and response body of the generic engine API."""

from __future__ import annotations

from marshmallow import fields, validate

from api.bounds import Integer, Upload

from . import Schema
from .tasks import TaskSchema


# Deployments and processes
class DeployFilesSchema(Schema):
    files = fields.List(Upload(), required=True, metadata={
        "description": "One or more .bpmn/.dmn files plus the JSON-schema form files they name"})


class DeployFormSchema(Schema):
    name = fields.String(validate=validate.Length(max=200), metadata={"description": "deployment label"})


class VersionSummarySchema(Schema):
    process_id = fields.String()
    version = Integer()
    name = fields.String(allow_none=True)
    content_hash = fields.String()
    created = fields.Boolean(metadata={"description": "false when identical content was already deployed"})
    deployed_at = fields.DateTime()
    deployment_id = Integer()


class WarningSchema(Schema):
    element_id = fields.String()
    reason = fields.String()


class DeployResultSchema(Schema):
    deployment_id = Integer(allow_none=True)
    created = fields.Boolean()
    versions = fields.List(fields.Nested(VersionSummarySchema))
    warnings = fields.List(fields.Nested(WarningSchema))


class ProcessSchema(Schema):
    process_id = fields.String()
    name = fields.String(allow_none=True)
    latest_version = Integer()
    versions = fields.List(fields.Nested(VersionSummarySchema))


class UserTaskSpecSchema(Schema):
    element_id = fields.String()
    name = fields.String(allow_none=True)
    lane = fields.String(allow_none=True)
    process = fields.String()
    form = fields.String(allow_none=True)
    ui_form = fields.String(allow_none=True)
    documentation = fields.String(allow_none=True)
    instructions = fields.String(allow_none=True)
    form_schema = fields.Dict(allow_none=True)


class VersionDetailSchema(VersionSummarySchema):
    bpmn_filename = fields.String()
    files = fields.List(fields.String())
    lanes = fields.List(fields.String())
    called_processes = fields.List(fields.String())
    user_tasks = fields.List(fields.Nested(UserTaskSpecSchema))


# Instances and tasks
class InstanceStartSchema(Schema):
    process = fields.String(required=True, validate=validate.Length(min=1, max=200))
    version = Integer(validate=validate.Range(min=1), load_default=None)
    business_key = fields.String(validate=validate.Length(max=200), load_default=None)
    data = fields.Dict(keys=fields.String(), load_default=dict)


class InstanceQuerySchema(Schema):
    process = fields.String()
    status = fields.String(validate=validate.OneOf(["running", "completed", "terminated", "error", "suspended"]))
    business_key = fields.String()
    page = Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(validate=validate.Length(max=200), metadata={
        "description": "the `next` cursor of the previous page: the page after it (replaces `page`; the same cost "
                       "at any depth)"})


class IncidentSchema(Schema):
    id = Integer()
    instance_id = fields.String()
    task_id = fields.String(allow_none=True)
    element_id = fields.String(allow_none=True)
    message = fields.String()
    status = fields.String()
    created_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)


class InstanceSchema(Schema):
    id = fields.String()
    process_id = fields.String()
    version = Integer()
    status = fields.String()
    business_key = fields.String(allow_none=True)
    started_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    next_timer_at = fields.DateTime(allow_none=True)


class InstanceDetailSchema(InstanceSchema):
    data = fields.Dict()
    ready_tasks = fields.List(fields.Nested(TaskSchema))
    incidents = fields.List(fields.Nested(IncidentSchema))


class InstancePageSchema(Schema):
    items = fields.List(fields.Nested(InstanceSchema))
    total = Integer(metadata={"description": "rows matching, counted up to 1,000 (see total_capped)"})
    total_capped = fields.Boolean(metadata={"description": "true: there are more than `total` rows"})
    page = Integer()
    per_page = Integer()
    next = fields.String(allow_none=True, metadata={"description": "cursor of the next page (pass as `after`); "
                                                                   "null on the last page"})


class TerminateSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class HistoryEventSchema(Schema):
    seq = Integer()
    type = fields.String()
    actor = fields.String(allow_none=True)
    occurred_at = fields.DateTime()
    payload = fields.Dict()
    hash = fields.String()
    prev_hash = fields.String()


# Audit and users
class ProblemSchema(Schema):
    chain = fields.String()
    seq = Integer(allow_none=True)
    event_id = Integer(allow_none=True)
    reason = fields.String()


class VerifySchema(Schema):
    ok = fields.Boolean()
    chains = Integer()
    events = Integer()
    problems = fields.List(fields.Nested(ProblemSchema))


class UserCreateSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    roles = fields.List(fields.String(validate=validate.Length(min=1, max=100)), required=True,
                        validate=validate.Length(min=1))
    display_name = fields.String(validate=validate.Length(max=200), load_default=None)
    org = fields.String(validate=validate.Length(min=1, max=64), load_default=None,
                        metadata={"description": "the code of the user's organisation (the installation's "
                                                 "administrators only; default: the caller's)"})


class UserSchema(Schema):
    username = fields.String()
    display_name = fields.String(allow_none=True)
    active = fields.Boolean()
    roles = fields.List(fields.String())
    created_at = fields.DateTime()
    email = fields.String(allow_none=True)
    mobile = fields.String(allow_none=True)
    directory = fields.String(allow_none=True, metadata={
        "description": "ldap or oidc: provisioned by an enterprise directory, which sets its roles; null: local"})


class UserCreatedSchema(UserSchema):
    token = fields.String(metadata={"description": "shown once; only its hash is stored"})


class RolesSchema(Schema):
    roles = fields.List(fields.String(validate=validate.Length(min=1, max=100)), required=True)


class PasswordSetSchema(Schema):
    password = fields.String(load_default=None, validate=validate.Length(min=8, max=1024),
                             metadata={"description": "the new password; omitted: one is generated and returned"})


class PasswordIssuedSchema(Schema):
    username = fields.String()
    password = fields.String(allow_none=True, metadata={"description": "the generated password, shown once; "
                                                                      "null when the caller chose it"})


class AccountSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    display_name = fields.String(validate=validate.Length(max=200), load_default=None)
    roles = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=["representative"],
                        validate=validate.Length(min=1),
                        metadata={"description": "default: representative (职工代表)"})


class AccountsCreateSchema(Schema):
    accounts = fields.List(fields.Nested(AccountSchema), required=True, validate=validate.Length(min=1, max=2000))


class AccountIssuedSchema(Schema):
    username = fields.String()
    display_name = fields.String(allow_none=True)
    roles = fields.List(fields.String())
    password = fields.String(metadata={"description": "initial password, shown once; only its hash is stored"})


class AccountsIssuedSchema(Schema):
    accounts = fields.List(fields.Nested(AccountIssuedSchema))


class MeSchema(Schema):
    username = fields.String()
    roles = fields.List(fields.String())


class UsersFileSchema(Schema):
    file = Upload(required=True, metadata={"description": "CSV: 用户名, 姓名, 角色, 邮箱, 手机"})


class UsersImportedSchema(Schema):
    created = fields.List(fields.String())
    updated = fields.List(fields.String())
