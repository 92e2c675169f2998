"""Bounds on what the API accepts: integers that fit the database, real file uploads, JSON of sane depth.

Out-of-range ids in a path answer 404 (the URL names nothing); out-of-range integers in a query or body,
a text field where a file belongs and JSON nested too deep answer 422 — never a 500 from the driver.
"""

from __future__ import annotations

from typing import Any

import flask_smorest.fields
from flask import request
from flask_smorest import abort
from flask_smorest.spec.plugins import integerconverter2paramschema
from marshmallow import ValidationError, fields, validate
from werkzeug.datastructures import FileStorage
from werkzeug.routing import IntegerConverter

from engine.jsonbounds import loads_bounded

# The database's INTEGER (32-bit on PostgreSQL): every id, count and page the API takes fits in it.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class Integer(fields.Integer):
    """marshmallow's Integer, refusing values outside the database's INTEGER range (422, documented)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.validators.insert(0, validate.Range(min=INT_MIN, max=INT_MAX))


class Upload(flask_smorest.fields.Upload):
    """A multipart file; a plain text field in its place is a 422, not an AttributeError."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> FileStorage:
        if not isinstance(value, FileStorage):
            raise ValidationError("必须上传文件 / must be an uploaded file, not a text field")
        return value


class IdConverter(IntegerConverter):
    """`<int:...>` URL segments bounded to the database's INTEGER range: a larger id is a 404."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any):  # noqa: A002 (werkzeug's parameter name)
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


def check_json_body() -> None:
    """Refuse a JSON request body nested too deep before any parser recurses into it (a 422, not a 500).

    Registered with `before_request`; the body stays cached for the request's own parser.
    """
    if not request.is_json:
        return
    try:
        loads_bounded(request.get_data(cache=True))
    except ValueError as exc:
        if "nested deeper" in str(exc):
            abort(422, message=str(exc))


def install(app: Any, api: Any) -> None:
    """Bound `<int:...>` segments (documented with their maximum) and JSON bodies; call before registering
    blueprints."""
    app.before_request(check_json_body)
    app.url_map.converters["int"] = IdConverter
    api.register_converter(IdConverter, integerconverter2paramschema)
