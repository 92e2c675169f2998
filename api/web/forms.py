"""Task forms: JSON schema + UI schema -> fields to render, posted fields -> data, errors -> messages."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jsonschema import Draft202012Validator
from werkzeug.datastructures import MultiDict

from .i18n import known, t


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
    children: list[Field] = field(default_factory=list)  # an object's fields; a row template for "rows"
    rows: list[list[Field]] = field(default_factory=list)  # the rows of an array of objects

    @property
    def all_errors(self) -> list[tuple[str, str]]:
        """(label, message) of this field and every sub-field, for the summary above the form."""
        own = [(self.label, e) for e in self.errors]
        subs = [pair for child in self.children if self.kind == "object" for pair in child.all_errors]
        rows = [(f"{self.label} {i}·{child.label}", e) for i, row in enumerate(self.rows, start=1)
                for child in row for _, e in child.all_errors]
        return own + subs + rows

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
    if kind == "array" and (prop.get("items") or {}).get("type") == "string":
        return "checks" if "enum" in prop["items"] else "list"  # several of a fixed set: a box each
    if kind == "object" and _flat(prop):
        return "object"
    if kind == "array" and _flat(prop.get("items") or {}):
        return "rows"
    return "json"  # deeper structures: edited as JSON text, checked on the server


SCALARS = ("text", "textarea", "select", "radio", "checkbox", "integer", "number", "date", "datetime", "list",
           "checks")
PEOPLE_URL = "/congress/people"  # the seated representatives matching ?q= (api/web/views/congress.py)


def _flat(prop: dict) -> bool:
    """An object whose properties are all plain inputs: shown as a group of fields (or rows of them)."""
    props = prop.get("properties") or {}
    return prop.get("type") == "object" and bool(props) and all(_kind(p, {}) in SCALARS for p in props.values())


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
    if kind in ("list", "text") and "people" in (ui.get("ui:widget"), items_ui.get("ui:widget")):
        attrs["data-people"] = PEOPLE_URL  # a people picker: suggestions from the roster as one types
        attrs["autocomplete"] = "off"
    rows = (ui.get("ui:options") or {}).get("rows")
    if kind in ("textarea", "json"):
        attrs["rows"] = rows or (6 if kind == "json" else 4)
    return attrs


def _field(name: str, prop: dict, ui: dict, en: dict, required: bool, value: Any,
           errors: dict[str, list[str]]) -> Field:
    """One field (and its sub-fields) named by its path; errors are taken by exact path below the top."""
    kind = _kind(prop, ui)
    f = Field(name=name, kind=kind, label=en.get("title") or prop.get("title") or name.split(".")[-1],
              description=en.get("description") or prop.get("description") or "",
              required=required and kind != "checkbox", attrs=_attrs(kind, prop, ui, en),
              value=value if value is not None else prop.get("default"))
    if kind in ("radio", "select", "checks"):
        source, source_ui, source_en = ((prop["items"], ui.get("items") or {}, en.get("items") or {})
                                        if kind == "checks" else (prop, ui, en))
        names = source_en.get("enumNames") or source_ui.get("ui:enumNames") or []
        f.options = [(str(v), str(names[i]) if i < len(names) else str(v)) for i, v in enumerate(source["enum"])]
    f.errors = list(errors.get(name, []))
    if kind == "object":
        f.children = _fields(prop, ui, en, name + ".", f.value if isinstance(f.value, dict) else {}, errors)
    elif kind == "rows":
        items, items_ui, items_en = prop["items"], ui.get("items") or {}, en.get("items") or {}
        values = [v for v in (f.value or []) if isinstance(v, dict)] or ([{}] if not errors else [])
        f.rows = [_fields(items, items_ui, items_en, f"{name}.{i}.", v, errors) for i, v in enumerate(values)]
        f.children = _fields(items, items_ui, items_en, f"{name}.__i__.", {}, {})
        f.attrs = {"data-next": len(values)}
    return f


def _fields(schema: dict, ui: dict, en: dict, prefix: str, values: dict[str, Any],
            errors: dict[str, list[str]]) -> list[Field]:
    required = set(schema.get("required") or [])
    return [_field(prefix + name, schema["properties"][name], ui.get(name) or {},
                   (en.get("properties") or {}).get(name) or {}, name in required, values.get(name), errors)
            for name in _order(schema, ui)]


def build(schema: dict | None, ui: dict | None, lang: str, values: dict[str, Any] | None = None,
          errors: dict[str, list[str]] | None = None) -> Form:
    """The fields of a task form, labelled in `lang` (English from the UI schema's ``ui:i18n.en``)."""
    schema, ui, values, errors = schema or {}, ui or {}, values or {}, errors or {}
    en = _english(ui, lang)
    fields = _fields(schema, ui, en, "", values, errors)
    for f in fields:  # a plain field also takes the messages about its parts (an item of a list)
        if f.kind not in ("object", "rows"):
            f.errors = [m for path, msgs in errors.items() if path.split(".")[0] == f.name for m in msgs]
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


def _scalar(kind: str, raw: str, posted: MultiDict, name: str, tz: str) -> Any:
    """One posted input as typed data; None when left blank. Raises: ValueError."""
    if kind == "checkbox":
        return name in posted
    if kind in ("list", "checks"):
        return [v.strip() for v in posted.getlist(name) if v.strip()] or None
    if raw.strip() == "":
        return None
    if kind in ("integer", "number"):
        return _number(kind, raw.strip())
    if kind == "datetime":
        return datetime.fromisoformat(raw).replace(tzinfo=ZoneInfo(tz)).isoformat()
    return json.loads(raw) if kind == "json" else raw


def _bad(kind: str) -> list[str]:
    return [t(f"form.bad_{kind}" if kind in ("integer", "number", "json") else "form.bad_value")]


def _group(schema: dict, posted: MultiDict, prefix: str, path: str, tz: str,
           errors: dict[str, list[str]]) -> dict[str, Any]:
    """The posted inputs named ``prefix + property`` as an object (errors under ``path + property``)."""
    out: dict[str, Any] = {}
    for name, prop in (schema.get("properties") or {}).items():
        kind = _kind(prop, {})
        raw = posted.get(prefix + name, "")
        try:
            value = _scalar(kind, raw, posted, prefix + name, tz)
        except ValueError:
            errors[path + name], value = _bad(kind), raw  # kept as typed, to show it again
        if value is not None and value is not False:
            out[name] = value
        elif value is False and kind == "checkbox" and not path:
            out[name] = False
    return out


def _rows(name: str, items: dict, posted: MultiDict, tz: str, errors: dict[str, list[str]]) -> list[dict]:
    """The rows posted as ``name.<i>.<property>`` in their order; rows left wholly blank are dropped."""
    indices = sorted({int(k.split(".")[1]) for k in posted if k.startswith(name + ".")
                      and k.count(".") == 2 and k.split(".")[1].isdigit()})
    rows: list[dict] = []
    for i in indices:
        found: dict[str, list[str]] = {}
        row = _group(items, posted, f"{name}.{i}.", f"{name}.{len(rows)}.", tz, found)
        if row or found:
            rows.append(row)
            errors.update(found)
    return rows


def parse(schema: dict | None, posted: MultiDict, tz: str) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Posted form fields -> task data; errors for fields whose text is not of their type."""
    schema = schema or {}
    errors: dict[str, list[str]] = {}
    props = schema.get("properties") or {}
    plain = {n: p for n, p in props.items() if _kind(p, {}) not in ("object", "rows")}
    data = _group({"properties": plain}, posted, "", "", tz, errors)
    required = set(schema.get("required") or [])
    for name, prop in props.items():
        kind = _kind(prop, {})
        if kind == "rows":
            rows = _rows(name, prop["items"], posted, tz, errors)
            if rows or name in required:
                data[name] = rows
        elif kind == "object":
            group = _group(prop, posted, name + ".", name + ".", tz, errors)
            if group or name in required:
                data[name] = group
    return data, errors


_MESSAGES = {
    "required": "form.required", "minLength": "form.min_length", "maxLength": "form.max_length",
    "pattern": "form.pattern", "minimum": "form.minimum", "maximum": "form.maximum", "enum": "form.enum",
    "const": "form.enum", "type": "form.type", "uniqueItems": "form.unique", "maxItems": "form.max_items",
    "minItems": "form.min_items", "additionalProperties": "form.unknown_field",
}


def refusal_messages(errors: dict[str, Any] | None) -> dict[str, list[str]]:
    """A rule's refusal (``errors["rule"]`` names it) in the page's language, on the fields it names.

    Rules without words in the table keep the engine's own text, so nothing is lost.
    """
    errors = dict(errors or {})
    rules = errors.pop("rule", [])
    words = [t(f"rule.{r}") for r in rules if known(f"rule.{r}")]
    if not words:
        return {k: [str(m) for m in v] if isinstance(v, list) else [str(v)] for k, v in errors.items()}
    out = {}
    for key, found in errors.items():
        found = found if isinstance(found, list) else [found]
        named = [str(m).split(": ", 1)[1] for m in found if ": " in str(m)]  # the values the rule names
        out[key] = [w + (f"（{'、'.join(named)}）" if named else "") for w in words]
    return out or {"": words}


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
