"""The installation's organisations pages (its operator, an admin of organisation 1): enterprises and the
federations above them, a form to add one, and one organisation's edit page (its particulars and settings: rule
overrides beside the installation's values, the notice document-number pattern, the time zone)."""

from __future__ import annotations

from zoneinfo import available_timezones

from flask import flash, redirect, request, url_for

from engine import organisations, tenancy
from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.identity import ADMIN
from workflows import calendar_admin
from workflows.calendar import ZONE_NAMES, zone_name

from ... import org_settings
from ...extension import services, uow
from .. import i18n
from ..core import blp, menu, page, render, web_actor

menu(106, "web.organisations_page", "nav.organisations", "organisations", organisations.is_operator, group="people")


def _page(status: int = 200, **context):
    actor = web_actor()
    return render("organisations.html", status, kinds=tenancy.KINDS, can_edit=organisations.is_operator(actor),
                  organisations=organisations.list_organisations(uow(readonly=True), actor), **context)


@blp.route("/admin/organisations")
@page(ADMIN)
def organisations_page():
    return _page()


@blp.route("/admin/organisations", methods=["POST"])
@page(ADMIN)
def organisations_create():
    actor = web_actor()
    if not organisations.is_operator(actor):
        return _page(403, error=i18n.t("org.operator_only"))
    form = request.form
    headcount = (form.get("headcount") or "").strip()
    try:
        organisations.create_organisation(
            uow(), actor, (form.get("code") or "").strip()[:64], name=(form.get("name") or "").strip()[:200],
            kind=form.get("kind") or tenancy.ENTERPRISE, parent=(form.get("parent") or "").strip() or None,
            region=(form.get("region") or "").strip()[:100] or None,
            industry=(form.get("industry") or "").strip()[:100] or None,
            headcount=int(headcount) if headcount.isdigit() and len(headcount) < 9 else None)
    except Conflict:
        return _page(409, error=i18n.t("org.errors.code_taken"), draft=form)
    except ValidationFailed as error:
        return _page(422, error="；".join(i18n.t(f"org.errors.{key}") for key in error.errors), draft=form)
    flash(i18n.t("org.saved"), "ok")
    return redirect(url_for("web.organisations_page"))


# -- one organisation's edit page ---------------------------------------------------------------------------------

SETTING_FIELDS = ("org_short_name", "notice_reference_pattern", "time_zone")


# The fields of a notice number pattern as the form writes them (Chinese words, or plain English ones).
PATTERN_WORDS = {"zh-CN": {"org_short": "简称", "year": "年份", "seq": "序号"},
                 "en": {"org_short": "short", "year": "year", "seq": "seq"}}
BRACES = {"o": "{", "c": "}"}


def _pattern_shown(pattern: str) -> str:
    for field, word in PATTERN_WORDS[i18n.current_lang()].items():
        pattern = pattern.replace("{" + field + "}", "{" + word + "}")
    return pattern


def _pattern_stored(text: str) -> str:
    for words in PATTERN_WORDS.values():
        for field, word in words.items():
            text = text.replace("{" + word + "}", "{" + field + "}")
    return text


def _zones(current: str | None) -> list[tuple[str, str]]:
    """(key, name) of the zones people pick from, one per name (北京时间 once), with the one set if another."""
    lang, seen, out = i18n.current_lang(), set(), []
    for key in ZONE_NAMES:
        name = zone_name(key, lang)
        if name not in seen:
            seen.add(name)
            out.append((key, name))
    if current and current not in {k for k, _ in out}:
        out.append((current, zone_name(current, lang)))
    return out


def _shown(kind: str, value) -> str:
    """A rule's value as the form shows it (and takes it back)."""
    if value is None:
        return ""
    if kind == "bool":
        return "true" if value in (True, "true", "True", 1) else "false"
    if kind == "range" and isinstance(value, list | tuple):
        return f"{value[0]}-{value[1]}"
    return str(value)


def _installed(kind: str, value) -> str:
    if kind in ("bool", "choice"):
        return i18n.t(f"org.values.{_shown(kind, value)}")
    return _shown(kind, value)


def _rules(settings: dict, draft) -> list[dict]:
    installed = services().installation_rules.as_dict()
    rows = []
    for name, kind, default in org_settings.rule_fields():
        key = org_settings.RULE_PREFIX + name
        own = draft.get(key, "") if draft is not None else _shown(kind, settings.get(key))
        choices = [m.value for m in type(default)] if kind == "choice" else ["true", "false"] if kind == "bool" \
            else []
        rows.append({"key": key, "name": name, "kind": kind, "choices": choices, "own": own,
                     "installed": _installed(kind, installed[name])})
    return rows


def _edit_page(org: dict, status: int = 200, errors: dict | None = None, draft=None):
    organisations_list = organisations.list_organisations(uow(readonly=True), web_actor())
    settings = org["settings"]
    return render("organisation_edit.html", status, org=org, kinds=tenancy.KINDS, errors=errors or {},
                  draft=draft, pattern=_pattern_shown(settings.get("notice_reference_pattern", "")), braces=BRACES,
                  rules=_rules(settings, draft), zones=_zones(settings.get("time_zone")),
                  parents=[o for o in organisations_list if o["kind"] == tenancy.FEDERATION and o["id"] != org["id"]])


def _operator_only():
    actor = web_actor()
    if not organisations.is_operator(actor):
        raise Forbidden("roles")
    return actor


@blp.route("/admin/organisations/<int:org_id>")
@page(ADMIN)
def organisation_edit(org_id: int):
    actor = _operator_only()
    return _edit_page(organisations.get_organisation(uow(readonly=True), actor, org_id))


def _rule_value(kind: str, raw: str):
    if kind == "int":
        return int(raw) if raw.isdigit() and len(raw) < 9 else raw
    if kind == "bool":
        return {"true": True, "false": False}.get(raw, raw)
    return raw


def _form_settings(form, rules: list[dict], errors: dict[str, str]) -> dict:
    settings = {}
    for key in SETTING_FIELDS:
        value = (form.get(key) or "").strip()[:200]
        if value:
            settings[key] = _pattern_stored(value) if key == "notice_reference_pattern" else value
    if settings.get("time_zone") and settings["time_zone"] not in available_timezones():
        errors["time_zone"] = i18n.t("org.errors.time_zone")
    for row in rules:
        raw = (form.get(row["key"]) or "").strip()[:50]
        if not raw:
            continue
        value = _rule_value(row["kind"], raw)
        if row["kind"] in ("bool", "choice") and raw not in row["choices"]:
            errors[row["key"]] = i18n.t("org.errors.choice")
        settings[row["key"]] = value
    for key in org_settings.invalid_settings(settings):
        kind = next((r["kind"] for r in rules if r["key"] == key), None)
        errors.setdefault(key, i18n.t("org.errors.notice_pattern", **BRACES) if kind is None else
                          i18n.t("org.errors." + {"bool": "choice", "choice": "choice"}.get(kind, kind)))
    return settings


@blp.route("/admin/organisations/<int:org_id>", methods=["POST"])
@page(ADMIN)
def organisation_save(org_id: int):
    actor = _operator_only()
    org = organisations.get_organisation(uow(readonly=True), actor, org_id)
    form, errors = request.form, {}
    settings = _form_settings(form, _rules(org["settings"], None), errors)
    headcount = (form.get("headcount") or "").strip()
    if headcount and not (headcount.isdigit() and len(headcount) < 9):
        errors["headcount"] = i18n.t("org.errors.headcount")
    if not errors:
        try:
            saved = organisations.update_organisation(
                uow(), actor, org_id, follow_zone=calendar_admin.follow_zone,
                name=(form.get("name") or "").strip()[:200],
                kind=form.get("kind") or org["kind"], parent=(form.get("parent") or "").strip() or None,
                region=(form.get("region") or "").strip()[:100] or None,
                industry=(form.get("industry") or "").strip()[:100] or None,
                headcount=int(headcount) if headcount else None, settings=settings)
        except ValidationFailed as error:
            errors = {key: i18n.t(f"org.errors.{key}") for key in error.errors}
    if errors:
        return _edit_page(org, 422, errors=errors, draft=form)
    moved = saved["deadlines_moved"]  # not None: the zone changed, and the waiting deadlines followed it
    flash(i18n.t("org.changed") if moved is None else i18n.t("org.changed_zone", moved=moved), "ok")
    return redirect(url_for("web.organisation_edit", org_id=org_id))
