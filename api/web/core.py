"""The pages' blueprint: the logged-in actor from the session cookie, CSRF checks, navigation, errors."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, g, redirect, render_template, request, session, url_for

from engine import assignment, notifications, passwords, tenancy
from engine.errors import BadRequest, DmflowError, Forbidden, Unauthorized
from engine.identity import Actor
from engine.models import HumanTask

from ..errors import payload, status_of
from ..extension import services, uow
from . import i18n, labels

blp = Blueprint("web", __name__)
blp.add_app_template_filter(i18n.localtime, "localtime")
blp.add_app_template_filter(labels.plain_basis, "plain_basis")
blp.add_app_template_filter(labels.for_people, "for_people")

CSRF_FIELD, CSRF_HEADER = "csrf_token", "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def csrf_token() -> str:
    """This session's CSRF token (created on first use, also for anonymous sessions: the login form)."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def _check_csrf() -> None:
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
    expected = session.get("csrf")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise BadRequest("csrf")


def web_actor() -> Actor | None:
    return g.get("web_actor")


def login(result: passwords.Login) -> None:
    """Start a fresh session for the user (a new CSRF token too; the language choice is kept)."""
    lang = session.get("lang")
    session.clear()
    session.update({"user": result.actor.username, "stamp": result.stamp, "sv": result.version,
                    "csrf": secrets.token_urlsafe(32)})
    if lang:
        session["lang"] = lang


def logout() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


@blp.before_request
def _load_session() -> None:
    g.web_actor = None
    username = session.get("user")
    if username:
        actor = passwords.resume(uow(readonly=True), username, session.get("stamp", ""), session.get("sv"))
        if actor is None:  # deactivated, or a new password or a logout since this session logged in
            logout()
        g.web_actor = actor
        if actor is not None:
            tenancy.set_current(actor.org_id)
    if request.method not in SAFE_METHODS:
        _check_csrf()


@blp.after_request
def _headers(response):
    # Content-Security-Policy and the other security headers: api/headers.py, on every response.
    if web_actor() is not None:
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def safe_next(target: str | None, default: str = "/") -> str:
    """A redirect target on this site only (no scheme, no host, not protocol-relative)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def page(*roles: str) -> Callable:
    """A view for logged-in users holding one of `roles` (any role when none are given)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            actor = web_actor()
            if actor is None:
                if request.method in SAFE_METHODS:
                    return redirect(url_for("web.login_page", next=request.full_path.rstrip("?")))
                raise Unauthorized("login")
            if roles and not actor.has(*roles):
                raise Forbidden("roles")
            return view(*args, **kwargs)

        return wrapper

    return decorate


@dataclass(frozen=True)
class MenuEntry:
    """One entry of the page menu: where it leads, its label key, its id, who sees it, its place and group."""

    order: int
    endpoint: str
    label: str
    ident: str
    visible: Callable[[Actor], bool]
    group: str | None = None


MENU: list[MenuEntry] = []
# The menu's groups (a disclosure each, so the administrators' long menu fits a screen): id -> (place, label key).
# A group of which the actor sees one entry only is shown as that entry, in that entry's place.
GROUPS: dict[str, tuple[int, str]] = {
    "flows": (30, "nav.group.flows"),
    "disclosure": (70, "nav.group.disclosure"),
    "bargaining": (77, "nav.group.bargaining"),
    "people": (100, "nav.group.people"),
    "calendar": (107, "nav.group.calendar"),
}


def menu(order: int, endpoint: str, label: str, ident: str,
         visible: Callable[[Actor], bool] = lambda actor: True, group: str | None = None) -> None:
    """Add a menu entry, in one of `GROUPS` or on its own (called by each view module when it is imported)."""
    if group is not None and group not in GROUPS:
        raise ValueError(f"no menu group {group!r}")
    MENU.append(MenuEntry(order, endpoint, label, ident, visible, group))
    MENU.sort(key=lambda entry: entry.order)


@dataclass(frozen=True)
class NavLink:
    endpoint: str
    label: str
    ident: str


@dataclass(frozen=True)
class NavGroup:
    ident: str
    label: str
    links: list[NavLink]


# process id -> where that procedure's tasks are done instead of the generic task form (its office page)
DESKS: dict[str, Callable[[dict], str | None]] = {}


def desk(process_id: str, url_of: Callable[[dict], str | None]) -> None:
    """Send a process's tasks to a page of their own (called by the view module that serves it)."""
    DESKS[process_id] = url_of


def desk_of(task: dict) -> str | None:
    """The page where this task is done, if its procedure has one."""
    url_of = DESKS.get(task["process_id"])
    return url_of(task) if url_of else None


def nav_items(actor: Actor | None) -> list[NavLink | NavGroup]:
    """The menu the actor may use, in menu order: entries on their own and groups of two or more entries."""
    if actor is None:
        return []
    placed: list[tuple[int, NavLink | NavGroup]] = []
    grouped: dict[str, list[NavLink]] = {}
    for entry in MENU:
        if not entry.visible(actor):
            continue
        link = NavLink(entry.endpoint, entry.label, entry.ident)
        if entry.group is None:
            placed.append((entry.order, link))
        else:
            grouped.setdefault(entry.group, []).append(link)
    for ident, links in grouped.items():
        order, label = GROUPS[ident]
        if len(links) == 1:
            order = next(e.order for e in MENU if e.ident == links[0].ident)
        placed.append((order, links[0] if len(links) == 1 else NavGroup(ident, label, links)))
    return [item for _, item in sorted(placed, key=lambda pair: pair[0])]


@blp.app_context_processor
def _template_globals() -> dict[str, Any]:
    actor = g.get("web_actor")
    return {"t": i18n.t, "lang": i18n.current_lang(), "actor": actor, "csrf_token": csrf_token,
            "nav": nav_items(actor), "role_label": i18n.role_label, "event_label": i18n.event_label,
            "group_label": i18n.group_label, "process_label": i18n.process_label,
            "unread_notices": _unread_notices, "notice_kind": i18n.notice_kind,
            "rehearsal": _rehearsal(), "var_label": labels.var_label, "value_label": labels.value_label,
            "person": labels.person, "process_name": labels.process_name, "ordinal": labels.ordinal,
            "zone_label": i18n.zone_label}


def _unread_notices() -> int:
    """The bell's count (queried only when a page with the header renders)."""
    actor = g.get("web_actor")
    return notifications.unread_count(uow(readonly=True), actor.username) if actor else 0


def _rehearsal() -> dict[str, Any] | None:
    """The banner's facts when the installation runs a rehearsal (演练) with a moved clock."""
    svc = services()
    if not getattr(svc, "rehearsal", False):
        return None
    offset = svc.clock.offset()
    return {"now": svc.clock.now(), "days": f"{round(offset.total_seconds() / 86400, 1):g}"}  # 16, 16.5


def may_complete(task_id: str) -> bool:
    """Whether the signed-in person may complete this task (an office page shows its button only then)."""
    unit = uow(readonly=True)
    with unit:
        row = unit.session.get(HumanTask, task_id)
        return row is not None and assignment.may_complete(unit, row, web_actor())


def render(template: str, status: int = 200, **context: Any):
    return render_template(template, **context), status


@blp.errorhandler(DmflowError)
def _error_page(error: DmflowError):
    code = status_of(error)
    if code == 401:
        return redirect(url_for("web.login_page"))
    known = {"csrf": "error.csrf", "roles": "error.forbidden"}
    message = i18n.t(known[error.message]) if error.message in known else error.message
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        return payload(code, message, error.errors), code
    return render("error.html", code, code=code, message=message)
