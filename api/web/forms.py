"""Task forms: JSON schema + UI schema -> fields to render, posted fields -> data, errors -> messages."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jsonschema import Draft202012Validator
from werkzeug.datastructures import MultiDict

from .i18n import t


@dataclass
class Field:
    """One input of a rendered form."""

    name: str
    kind: str  # text textarea select radio checkbox integer number date datetime list json
    label: str
    description: str = ""
    required: bool = False
    attrs: dict[str, Any] = field(default_factory=dict)
    options: list[tuple[str, str]] = field(default_factory=list)
    value: Any = None
    errors: list[str] = field(default_factory=list)

    @property
    def item_values(self) -> list[str]:
        """A list field's inputs: its values plus one empty input to add another."""
        return [str(v) for v in (self.value or [])] + [""]

    @property
    def text_value(self) -> str:
        if self.value is None:
            return ""
        if self.kind == "json":
            return self.value if isinstance(self.value, str) else json.dumps(self.value, ensure_ascii=False,
                                                                             indent=2)
        if self.kind == "datetime" and isinstance(self.value, str):
            return self.value[:16]
        return str(self.value)


@dataclass
class Form:
    title: str
    description: str
    fields: list[Field]
    errors: list[str]


def _english(ui: dict, lang: str) -> dict:
    return (ui.get("ui:i18n") or {}).get("en") or {} if lang == "en" else {}


def _order(schema: dict, ui: dict) -> list[str]:
    props = list((schema.get("properties") or {}).keys())
    order = [n for n in ui.get("ui:order", []) if n in props]
    return order + [n for n in props if n not in order]


def _kind(prop: dict, ui: dict) -> str:
    kind, widget = prop.get("type"), ui.get("ui:widget")
    if kind == "string":
        if "enum" in prop:
            return "radio" if widget == "radio" else "select"
        if prop.get("format") == "date" or widget == "date":
            return "date"
        if prop.get("format") == "date-time":
            return "datetime"
        return "textarea" if widget == "textarea" else "text"
    if kind in ("integer", "number", "boolean"):
        return "checkbox" if kind == "boolean" else kind
    if kind == "array" and (prop.get("items") or {}).get("type") == "string" and "enum" not in prop["items"]:
        return "list"
    return "json"  # objects, arrays of objects: edited as JSON text, checked on the server


def _attrs(kind: str, prop: dict, ui: dict, en: dict) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    source = prop["items"] if kind == "list" else prop
    for key, html in (("minLength", "minlength"), ("maxLength", "maxlength"), ("pattern", "pattern")):
        if key in source and kind not in ("select", "radio", "date", "datetime"):
            attrs[html] = source[key]
    if kind in ("integer", "number"):
        attrs["step"] = 1 if kind == "integer" else "any"
        for key in ("minimum", "maximum"):
            if key in prop:
                attrs[key[:3]] = prop[key]
    items_ui = ui.get("items") or {} if kind == "list" else ui
    placeholder = (en.get("items") or {}).get("placeholder") if kind == "list" else en.get("placeholder")
    placeholder = placeholder or items_ui.get("ui:placeholder")
    if placeholder:
        attrs["placeholder"] = placeholder
    rows = (ui.get("ui:options") or {}).get("rows")
    if kind in ("textarea", "json"):
        attrs["rows"] = rows or (6 if kind == "json" else 4)
    return attrs


def build(schema: dict | None, ui: dict | None, lang: str, values: dict[str, Any] | None = None,
          errors: dict[str, list[str]] | None = None) -> Form:
    """The fields of a task form, labelled in `lang` (English from the UI schema's ``ui:i18n.en``)."""
    schema, ui, values, errors = schema or {}, ui or {}, values or {}, errors or {}
    en = _english(ui, lang)
    required = set(schema.get("required") or [])
    fields = []
    for name in _order(schema, ui):
        prop, prop_ui = schema["properties"][name], ui.get(name) or {}
        prop_en = (en.get("properties") or {}).get(name) or {}
        kind = _kind(prop, prop_ui)
        f = Field(name=name, kind=kind, label=prop_en.get("title") or prop.get("title") or name,
                  description=prop_en.get("description") or prop.get("description") or "",
                  required=name in required and kind != "checkbox", attrs=_attrs(kind, prop, prop_ui, prop_en),
                  value=values.get(name, prop.get("default")))
        if kind in ("radio", "select"):
            names = prop_en.get("enumNames") or prop_ui.get("ui:enumNames") or []
            f.options = [(str(v), str(names[i]) if i < len(names) else str(v)) for i, v in enumerate(prop["enum"])]
        f.errors = [m for path, msgs in errors.items() if path.split(".")[0] == name for m in msgs]
        fields.append(f)
    form_errors = [m for path, msgs in errors.items() if path.split(".")[0] not in schema.get("properties", {})
                   for m in msgs]
    return Form(title=en.get("title") or schema.get("title") or "",
                description=en.get("description") or schema.get("description") or "",
                fields=fields, errors=form_errors)


def _number(kind: str, raw: str) -> int | float:
    if kind == "integer":
        return int(raw)
    value = float(raw)
    return int(value) if value.is_integer() and not any(c in raw for c in ".eE") else value


def parse(schema: dict | None, posted: MultiDict, tz: str) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Posted form fields -> task data; errors for fields whose text is not of their type."""
    schema = schema or {}
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, prop in (schema.get("properties") or {}).items():
        kind = _kind(prop, {})
        raw = posted.get(name, "")
        try:
            if kind == "checkbox":
                data[name] = name in posted
            elif kind == "list":
                items = [v.strip() for v in posted.getlist(name) if v.strip()]
                if items:
                    data[name] = items
            elif raw.strip() == "":
                continue
            elif kind in ("integer", "number"):
                data[name] = _number(kind, raw.strip())
            elif kind == "datetime":
                data[name] = datetime.fromisoformat(raw).replace(tzinfo=ZoneInfo(tz)).isoformat()
            elif kind == "json":
                data[name] = json.loads(raw)
            else:
                data[name] = raw
        except ValueError:
            errors[name] = [t(f"form.bad_{kind}" if kind in ("integer", "number", "json") else "form.bad_value")]
    return data, errors


_MESSAGES = {
    "required": "form.required", "minLength": "form.min_length", "maxLength": "form.max_length",
    "pattern": "form.pattern", "minimum": "form.minimum", "maximum": "form.maximum", "enum": "form.enum",
    "const": "form.enum", "type": "form.type", "uniqueItems": "form.unique", "maxItems": "form.max_items",
    "minItems": "form.min_items", "additionalProperties": "form.unknown_field",
}


def messages(schema: dict | None, data: dict[str, Any]) -> dict[str, list[str]]:
    """The schema's complaints about `data` in the page's language, keyed by field path like the engine's."""
    out: dict[str, list[str]] = {}
    for err in Draft202012Validator(schema or {}).iter_errors(data):
        path = ".".join(str(p) for p in err.absolute_path)
        if err.validator in ("required", "additionalProperties") and "'" in err.message:
            path = ".".join(p for p in (path, err.message.split("'")[1]) if p)
        key = _MESSAGES.get(err.validator)
        text = t(key, n=err.validator_value) if key else err.message
        out.setdefault(path, []).append(text)
    return out
