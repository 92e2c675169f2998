"""Schemas of organisations: enterprises and the federations above them."""

from __future__ import annotations

from marshmallow import fields, validate

from api.bounds import Integer

from . import Schema

_KINDS = validate.OneOf(("enterprise", "federation"))
_SETTINGS = {"description": "overrides of the installation's configuration: time_zone, notice_reference_pattern, "
                            "org_short_name, rule_<name> (as DMFLOW_RULE_<NAME>)"}


class TenantOrganisationSchema(Schema):
    id = Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.String(metadata={"description": "enterprise (企业) or federation (工会联合会)"})
    parent = fields.String(allow_none=True, metadata={"description": "the federation's code"})
    region = fields.String(allow_none=True)
    industry = fields.String(allow_none=True)
    headcount = Integer(allow_none=True)
    settings = fields.Dict(keys=fields.String(), metadata=_SETTINGS)
    created_at = fields.DateTime()


class TenantOrganisationChangedSchema(TenantOrganisationSchema):
    deadlines_moved = Integer(allow_none=True, metadata={
        "description": "how many waiting deadlines of its cases (and of the organisations below it that inherit its "
                       "time zone) were recomputed because the time zone they work in changed; null: no zone changed"})


class _Editable(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    kind = fields.String(validate=_KINDS)
    parent = fields.String(allow_none=True, validate=validate.Length(max=64),
                           metadata={"description": "the code of the federation it belongs to"})
    region = fields.String(allow_none=True, validate=validate.Length(max=100))
    industry = fields.String(allow_none=True, validate=validate.Length(max=100))
    headcount = Integer(allow_none=True)
    settings = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=60)),
                           values=fields.Raw(allow_none=False), metadata=_SETTINGS)


class TenantOrganisationCreateSchema(_Editable):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TenantOrganisationPatchSchema(_Editable):
    pass
