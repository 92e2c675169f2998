"""The pages' languages: zh-CN first, English switchable; the choice lives in the session."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context, has_request_context, session

from engine.clock import as_utc
from workflows.calendar import zone_name

from . import catalogue

LANGS = ("zh-CN", "en")
DEFAULT = "zh-CN"


def current_lang() -> str:
    if has_request_context():
        lang = session.get("lang")
        if lang in LANGS:
            return lang
    return DEFAULT


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The text of `key` in the session's language; `{name}` placeholders filled from `values`.

    An unknown key shows as itself, so a missing entry is visible on the page (and fails the
    completeness test) instead of breaking it.
    """
    text = _catalogue(lang).gettext(key)
    if "{zone}" in text and "zone" not in values:  # times are shown in the organisation's zone, named as people do
        values["zone"] = zone_name(zone_key(), "en" if (lang or (current_lang() if has_request_context() else DEFAULT))
                                   == "en" else "zh-CN")
    return text.format(**values) if values and text != key else text


def _catalogue(lang: str | None):
    """The request's catalogue through Flask-Babel; another language's (or none in a request) directly."""
    if has_request_context() and lang in (None, current_lang()):
        from flask_babel import get_translations

        return get_translations()
    return catalogue.translations(lang or DEFAULT)


def known(key: str) -> bool:
    """Whether the catalogues have a text for `key`."""
    return key in catalogue.msgids()


def role_codes() -> set[str]:
    """The roles the catalogues name."""
    return {k[5:] for k in catalogue.msgids() if k.startswith("role.")}


def role_label(role: str) -> str:
    key = f"role.{role}"
    return t(key) if known(key) else role


def group_label(group: str) -> str:
    """A task's candidate group for people: a role's name, a department's name, or everyone."""
    if group == "*":
        return t("inbox.anyone")
    if group.startswith("dept:"):
        return department_name(group[5:])
    return role_label(group)


def department_name(code: str) -> str:
    from flask import g

    names = g.get("department_names")
    if names is None:
        from engine import departments

        from ..extension import uow

        names = g.department_names = departments.names(uow(readonly=True))
    return names.get(code, code)


def process_label(process_id: str, processes: list[dict] | None = None) -> str:
    """A process's name from its diagram (the id when it has none)."""
    for p in processes or []:
        if p["process_id"] == process_id:
            return p.get("name") or process_id
    return process_id


def event_label(event_type: str) -> str:
    """An audit event type for people; types without an entry show as they are."""
    key = f"event.{event_type}"
    return t(key if known(key) else "event.other")


def notice_kind(kind: str) -> str:
    """A notification kind for people; kinds without an entry show as they are."""
    key = f"notice.{kind}"
    return t(key) if known(key) else kind


def zone_key() -> str:
    """The time zone of the signed-in user's organisation (its setting, its federations', else DMFLOW_TIMEZONE)."""
    if not has_app_context():
        return "Asia/Shanghai"
    found = current_app.extensions.get("dmflow")
    return found.zone() if found is not None else current_app.config["TIMEZONE"]


def zone() -> ZoneInfo:
    return ZoneInfo(zone_key())


def zone_label() -> str:
    """The organisation's time zone as people name it in the page's language (北京时间 for Asia/Shanghai)."""
    return zone_name(zone_key(), "en" if current_lang() == "en" else "zh-CN")


def localtime(value: datetime | str | None, seconds: bool = False) -> str:
    """A UTC time as the wall-clock time of the signed-in user's organisation, e.g. ``2026-03-02 09:00``."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    local = as_utc(value).astimezone(zone())
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")

