"""Schemas of departments (organisational units), their members and heads."""

from __future__ import annotations

from marshmallow import fields, validate

from api.bounds import Upload

from . import Schema

_username = fields.String(validate=validate.Length(min=1, max=100))


class MemberSchema(Schema):
    username = fields.String()
    name = fields.String(metadata={"description": "display name"})
    head = fields.Boolean(metadata={"description": "负责人"})


class DepartmentSchema(Schema):
    code = fields.String()
    name = fields.String()
    parent_code = fields.String(allow_none=True)
    active = fields.Boolean()
    members = fields.List(fields.Nested(MemberSchema))


class DepartmentSaveSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    parent_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    members = fields.List(_username, load_default=list, validate=validate.Length(max=5000))
    heads = fields.List(_username, load_default=list, validate=validate.Length(max=100))


class DepartmentSavedSchema(Schema):
    code = fields.String()
    name = fields.String()
    members = fields.List(fields.String())
    heads = fields.List(fields.String())


class DepartmentFileSchema(Schema):
    file = Upload(required=True, metadata={"description": "CSV: 编码, 名称, 上级编码, 成员, 负责人"})
