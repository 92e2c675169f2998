"""Organisations as tenants: every enterprise (and every federation above enterprises) is an organisation, and
records that belong to one carry its id and are read only within it.

- ``Organisation``: an enterprise (``kind="enterprise"``) or a federation of enterprises (``kind="federation"``,
  a district/county federation of trade unions or an industry union federation); ``parent_id`` is the federation an
  enterprise (or a lower federation) belongs to. ``settings`` holds what an organisation overrides (time zone,
  document-number pattern, short name, rule values); what it does not set comes from its federation, then from the
  installation's configuration.
- ``TenantScoped``: the mixin of every table whose rows belong to one organisation (its ``org_id`` column).
- The *current organisation* is a context variable set per request from the signed-in user (and by the worker per
  job). Every ORM SELECT, UPDATE and DELETE of a session opened while it is set is limited to that organisation's
  rows, and every new tenant-scoped row gets its id, so a user of one enterprise finds nothing of another (the API
  answers 404). ``unscoped()`` lifts the limit for the few readers that span organisations on purpose (the
  federation's dashboard over its members, the worker's queue, audit verification), which then filter explicitly.

The installation's first organisation (id 1, code ``default``) holds everything created before organisations
existed, so a single-enterprise installation never needs to know about them.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, with_loader_criteria

from .models import DEFAULT_ORG, ENTERPRISE, FEDERATION, Organisation, TenantScoped

KINDS = (ENTERPRISE, FEDERATION)
__all__ = ["DEFAULT_ORG", "ENTERPRISE", "FEDERATION", "KINDS", "Organisation", "TenantScoped", "acting_for",
           "ancestors", "by_code", "current", "get", "members", "set_current", "setting", "unscoped"]


_current: contextvars.ContextVar[int | None] = contextvars.ContextVar("dmflow_org", default=None)
_unscoped: contextvars.ContextVar[bool] = contextvars.ContextVar("dmflow_unscoped", default=False)


def current() -> int | None:
    """The organisation whose rows this context reads and writes (None: not limited, e.g. the CLI)."""
    return _current.get()


@contextlib.contextmanager
def acting_for(org_id: int | None) -> Iterator[None]:
    """Limit everything done in this block to ``org_id``'s rows (None: no limit)."""
    token = _current.set(org_id)
    try:
        yield
    finally:
        _current.reset(token)


def set_current(org_id: int | None) -> None:
    """Set the current organisation for the rest of this context (a request: Flask runs each in its own)."""
    _current.set(org_id)


@contextlib.contextmanager
def unscoped() -> Iterator[None]:
    """Read across organisations in this block (callers filter explicitly by the organisations they may see)."""
    token = _unscoped.set(True)
    try:
        yield
    finally:
        _unscoped.reset(token)


def _scope_of(session: Session) -> int | None:
    if _unscoped.get():
        return None
    return session.info.get("org_id", _current.get())


@event.listens_for(Session, "do_orm_execute")
def _limit_to_current_organisation(state) -> None:
    org = _scope_of(state.session)
    if org is None or state.is_column_load or state.is_relationship_load:
        return
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(
            with_loader_criteria(TenantScoped, lambda cls: cls.org_id == org, include_aliases=True))


@event.listens_for(Session, "before_flush")
def _stamp_new_rows(session: Session, flush_context, instances) -> None:
    org = session.info.get("org_id", _current.get())
    if org is None:
        return
    for obj in session.new:
        if isinstance(obj, TenantScoped) and getattr(obj, "org_id", None) is None:
            obj.org_id = org


def get(session: Session, org_id: int) -> Organisation | None:
    return session.get(Organisation, org_id)


def by_code(session: Session, code: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.code == code))


def members(session: Session, federation_id: int, *, recursive: bool = True) -> list[Organisation]:
    """The organisations below a federation (its member enterprises, and their members' when ``recursive``)."""
    found: list[Organisation] = []
    level = [federation_id]
    while level:
        rows = list(session.scalars(select(Organisation).where(Organisation.parent_id.in_(level))
                                    .order_by(Organisation.id)))
        found += rows
        level = [o.id for o in rows] if recursive else []
    return found


def ancestors(session: Session, org_id: int) -> list[Organisation]:
    """The federations above an organisation, nearest first."""
    chain: list[Organisation] = []
    org = session.get(Organisation, org_id)
    seen = {org_id}
    while org is not None and org.parent_id is not None and org.parent_id not in seen:
        seen.add(org.parent_id)
        org = session.get(Organisation, org.parent_id)
        if org is not None:
            chain.append(org)
    return chain


def setting(session: Session, org_id: int, key: str, default: Any = None) -> Any:
    """An organisation's setting, else its nearest federation's, else ``default`` (the installation's)."""
    for org in [session.get(Organisation, org_id), *ancestors(session, org_id)]:
        if org is not None and key in (org.settings or {}):
            return org.settings[key]
    return default
