"""Names, not codes, for a case's data: the variables' titles from the diagram's forms (or a table of the
variables services and messages write), people's display names, and values shown as lists, not JSON."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import g

from engine import assignment, departments
from engine.deployments import find_version
from workflows.numerals import chinese

from ..extension import uow
from . import i18n


def _titles(schema: dict, ui: dict, out: dict[str, str], choices: dict[str, dict[str, str]]) -> None:
    """Every property title of a form (nested ones too), the first title of a name winning; and the words of
    each coded choice (``enum`` with the UI schema's ``ui:enumNames``)."""
    props = schema.get("properties") or {}
    en = ((ui.get("ui:i18n") or {}).get("en") or {}) if i18n.current_lang() == "en" else {}
    for name, prop in props.items():
        prop_en = (en.get("properties") or {}).get(name) or {}
        title = prop_en.get("title") or prop.get("title")
        if title:
            out.setdefault(name, title)
        names = prop_en.get("enumNames") or (ui.get(name) or {}).get("ui:enumNames") or []
        if prop.get("enum") and names:
            choices.setdefault(name, {str(v): str(n) for v, n in zip(prop["enum"], names, strict=False)})
        inner = prop.get("items") if prop.get("type") == "array" else prop
        if isinstance(inner, dict) and inner.get("properties"):
            inner_ui = ui.get(name) or {}
            inner_ui = inner_ui.get("items") or {} if prop.get("type") == "array" else inner_ui
            _titles(inner, {**inner_ui, "ui:i18n": {"en": prop_en.get("items") or prop_en}}, out, choices)


def use_process(process_id: str, version: int) -> None:
    """Make the titles of this process version's forms the labels of the data shown on this page."""
    unit = uow(readonly=True)
    with unit:
        pv = find_version(unit.session, process_id, version)
        meta, g.process_name = json.loads(pv.meta_json), pv.name or process_id
    forms = meta.get("forms") or {}
    titles: dict[str, str] = {}
    choices: dict[str, dict[str, str]] = {}
    for filename, schema in sorted(forms.items()):
        if filename.endswith(".schema.json"):
            _titles(schema, forms.get(filename.replace(".schema.", ".uischema."), {}), titles, choices)
    g.var_titles, g.var_choices = titles, choices


def process_name(process_id: str) -> str:
    """The name from the diagram of the process this page shows (its id on other pages)."""
    return g.get("process_name") or process_id


def var_label(name: str) -> str:
    """A variable for people: the table's words for service variables, else its form title, else the name."""
    key = f"var.{name}"
    if i18n.known(key):
        return i18n.t(key)
    return (g.get("var_titles") or {}).get(name, name)


# variables that name a department, by its code or its name (a proposal's handling department, its helpers)
DEPARTMENT_VARS = frozenset({"handling_department", "co_departments"})


def value_label(name: str, value: Any) -> Any:
    """A coded value in words where the table knows it (an outcome, a decision, a department's code), else the
    value itself."""
    key = f"val.{name}.{value}"
    if isinstance(value, bool):
        return i18n.t("val.yes") if value else i18n.t("val.no")
    if not isinstance(value, str):
        return value
    if i18n.known(key):
        return i18n.t(key)
    if name in DEPARTMENT_VARS:
        return _department_names().get(value, value)
    return ((g.get("var_choices") or {}).get(name) or {}).get(value, value)


def _department_names() -> dict[str, str]:
    if "department_names" not in g:
        g.department_names = departments.names(uow(readonly=True))
    return g.department_names


# a key the system gives a case to tie it to its record (regional:1, regional:1:2), not one people chose
INTERNAL_KEY = re.compile(r"[a-z][a-z_]*(?::\d+)+")


def for_people(business_key: str | None) -> str | None:
    """A case's business key when it means something to people (2026-001), else None."""
    if not business_key or INTERNAL_KEY.fullmatch(business_key):
        return None
    return business_key


def ordinal(n: int) -> str:
    """A number in an ordinal (第五届): Chinese numerals on Chinese pages."""
    return chinese(n) if i18n.current_lang() == "zh-CN" else str(n)


BASIS_MARKS = re.compile(r"\s*\((?:U|V~?|V, [^)]*)\)")


def plain_basis(text: str | None) -> str:
    """A legal basis without the research marks (U), (V), (V~) kept in the catalogue."""
    return BASIS_MARKS.sub("", text or "")


def person(username: str | None) -> str:
    """A user's display name (the username when they have none)."""
    if not username:
        return ""
    names = g.setdefault("person_names", {})
    if username not in names:
        unit = uow(readonly=True)
        with unit:
            names[username] = assignment.display_name(unit, username)
    return names[username]
