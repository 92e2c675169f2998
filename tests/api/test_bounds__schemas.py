"""Every integer the API loads fits the database's INTEGER: a schema's integer fields are api.bounds.Integer
(the fuzzer found a hardship application's monthly income of 2**77 answered 500 by the driver)."""

from __future__ import annotations

import importlib
import pkgutil

from marshmallow import Schema, fields

import api.schemas
from api.bounds import Integer


def _integer_fields(field: fields.Field):
    if isinstance(field, fields.Integer):
        yield field
    for part in ("inner", "key_field", "value_field"):  # a list's items, a dict's keys and values
        inner = getattr(field, part, None)
        if inner is not None:
            yield from _integer_fields(inner)


def test_every_integer_an_api_schema_loads_is_bounded():
    for info in pkgutil.iter_modules(api.schemas.__path__):
        importlib.import_module(f"api.schemas.{info.name}")
    loose = []
    for schema in _subclasses(Schema):
        if not schema.__module__.startswith("api.schemas"):
            continue
        for name, field in schema._declared_fields.items():
            if field.dump_only:
                continue
            loose += [f"{schema.__module__}.{schema.__name__}.{name}" for f in _integer_fields(field)
                      if not isinstance(f, Integer)]
    assert loose == []


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_a_hardship_income_beyond_the_database_is_a_422(client, login_as):
    answer = client.post("/api/v1/casework/hardship", headers=login_as("worker"), json={
        "household": "三口之家", "monthly_income": 241998834980686626816, "circumstances": "家属重病"})
    assert answer.status_code == 422 and "monthly_income" in answer.get_json()["errors"]["json"]
