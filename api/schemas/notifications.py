"""Marshmallow schemas of notifications and of users' contact details and notification channels."""

from __future__ import annotations

from marshmallow import fields, validate

from api.bounds import Integer

from . import Schema


class NotificationSchema(Schema):
    id = Integer()
    kind = fields.String(metadata={"description": "task.ready, task.due_soon, task.overdue, vote.opened, "
                                                  "disclosure.published, disclosure.answered, proposal.screened, "
                                                  "proposal.replied, ..."})
    title = fields.String()
    body = fields.String()
    link = fields.String(allow_none=True, metadata={"description": "path of the page it is about"})
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    read = fields.Boolean()


class NotificationPageSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    total = Integer(metadata={"description": "notices matching the filter"})
    unread = Integer(metadata={"description": "all unread notices of the caller"})
    limit = Integer()
    offset = Integer()


class NotificationQuerySchema(Schema):
    unread = fields.Boolean(load_default=False, metadata={"description": "only unread notices"})
    limit = Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = Integer(load_default=0, validate=validate.Range(min=0))


class ReadAllSchema(Schema):
    marked = Integer(metadata={"description": "how many notices were marked read"})


class ProfileSchema(Schema):
    username = fields.String(dump_only=True)
    display_name = fields.String(dump_only=True, allow_none=True)
    email = fields.String(allow_none=True, validate=validate.Length(max=254))
    mobile = fields.String(allow_none=True, validate=validate.Length(max=30))
    notify_inapp = fields.Boolean(metadata={"description": "in-app notices (default on)"})
    notify_email = fields.Boolean(metadata={"description": "e-mail notices when an address is set (default on)"})


class ProfileUpdateSchema(Schema):
    email = fields.String(allow_none=True, validate=validate.Length(max=254),
                          metadata={"description": "empty or null removes it"})
    mobile = fields.String(allow_none=True, validate=validate.Length(max=30))
    notify_inapp = fields.Boolean()
    notify_email = fields.Boolean()
