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
import functools
import time
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Join, Table, event, select
from sqlalchemy.orm import Session, with_loader_criteria

from .models import DEFAULT_ORG, ENTERPRISE, FEDERATION, Base, Inherited, Organisation, TenantScoped

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


_LINEAGE_TTL = 60.0  # seconds an organisation tree read is trusted (changes in this process forget it at once)
_tree: dict[str, Any] = {"parents": {}, "at": None}


def forget() -> None:
    """Drop the cached organisation tree (after an organisation is created or moved)."""
    _tree["at"] = None
    _settings_table["at"] = None
    _codes.clear()


def _parents(connection) -> dict[int, int | None]:
    now, url = time.monotonic(), str(connection.engine.url)
    if _tree["at"] is None or now - _tree["at"] > _LINEAGE_TTL or _tree.get("url") != url:
        rows = connection.execute(select(Organisation.id, Organisation.parent_id)).all()
        _tree["parents"], _tree["at"], _tree["url"] = {i: p for i, p in rows}, now, url
    return _tree["parents"]


def lineage_of(session: Session, org_id: int) -> tuple[int, ...]:
    """The organisations whose diagrams are in force for ``org_id``: itself, its federations nearest first, then
    the installation's (organisation 1)."""
    parents = _parents(session.connection())
    chain, org = [org_id], parents.get(org_id)
    while org is not None and org not in chain:
        chain.append(org)
        org = parents.get(org)
    if DEFAULT_ORG not in chain:
        chain.append(DEFAULT_ORG)
    return tuple(chain)


def _visible(session: Session, org: int) -> tuple[int, ...]:
    """``lineage_of`` once per session and organisation: every statement of a unit of work filters by it."""
    memo = session.info.get("dmflow_lineage")
    if memo is None or memo[0] != org:
        memo = session.info["dmflow_lineage"] = (org, lineage_of(session, org))
    return memo[1]


def _stamp_parameters(state, org: int) -> None:
    params = state.parameters
    rows = params if isinstance(params, list) else [params] if isinstance(params, dict) else []
    if rows:
        for row in rows:
            if isinstance(row, dict) and row.get("org_id") is None:
                row["org_id"] = org
    elif "org_id" not in {getattr(c, "key", c) for c in (state.statement._values or {})}:
        state.statement = state.statement.values(org_id=org)


@functools.lru_cache(maxsize=4096)
def _criteria(org: int, visible: tuple[int, ...]) -> tuple:
    """The loader criteria limiting a statement to `org` (and what it inherits from `visible`), built once per
    organisation: building them analyses their lambdas, which cost more than the rest of a short query."""
    return (with_loader_criteria(TenantScoped, lambda cls: cls.org_id == org, include_aliases=True),
            with_loader_criteria(Inherited, lambda cls: cls.org_id.in_(visible), include_aliases=True))


@event.listens_for(Session, "do_orm_execute")
def _limit_to_current_organisation(state) -> None:
    stmt = state.statement
    if state.is_insert:  # Core and bulk ORM inserts (never flushed objects) take the current organisation too
        org = state.session.info.get("org_id", _current.get())
        table = getattr(stmt, "table", None)
        if org is not None and table is not None and "org_id" in table.c:
            _stamp_parameters(state, org)
        return
    org = _scope_of(state.session)
    if org is None or state.is_column_load or state.is_relationship_load:
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    visible = _visible(state.session, org)
    stmt = stmt.options(*_criteria(org, visible))
    if not state.is_orm_statement:  # bare tables (``delete(Model.__table__)``) get no loader criteria: filter here
        stmt = _filter_tables(stmt, state.is_select, org, visible)
    state.statement = stmt


def _inner_tables(from_clause) -> Iterator[Table]:
    """The tables of a FROM whose rows a WHERE may filter (not the optional side of an outer join)."""
    if isinstance(from_clause, Table):
        yield from_clause
    elif isinstance(from_clause, Join):
        yield from _inner_tables(from_clause.left)
        if not from_clause.isouter:
            yield from _inner_tables(from_clause.right)


def _filter_tables(stmt, is_select: bool, org: int, visible: tuple[int, ...]):
    if is_select:  # a textual or compound SELECT names no tables to filter: its callers filter themselves
        froms = stmt.get_final_froms() if hasattr(stmt, "get_final_froms") else []
        tables = [t for f in froms for t in _inner_tables(f)]
    else:
        tables = [stmt.table] if isinstance(getattr(stmt, "table", None), Table) else []
    for table in tables:
        if "org_id" in table.c:
            inherited = table in _inherited_tables()
            stmt = stmt.where(table.c.org_id.in_(visible) if inherited else table.c.org_id == org)
    return stmt


@functools.cache
def _inherited_tables() -> frozenset[Table]:
    """The tables of the ``Inherited`` models (deployed diagrams), read from the mappings."""
    return frozenset(m.local_table for m in Base.registry.mappers if issubclass(m.class_, Inherited))


def writing_org(session: Session) -> int:
    """The organisation a new row written in this session belongs to (what ``_stamp_new_rows`` fills in)."""
    org = session.info.get("org_id", _current.get())
    return DEFAULT_ORG if org is None else org


@event.listens_for(Session, "before_flush")
def _stamp_new_rows(session: Session, flush_context, instances) -> None:
    org = session.info.get("org_id", _current.get())
    if org is None:
        return
    for obj in session.new:
        if isinstance(obj, TenantScoped | Inherited) and getattr(obj, "org_id", None) is None:
            obj.org_id = org


_codes: dict[tuple[str, int], str] = {}


def system_chain(session: Session, org_id: int | None) -> str:
    """The audit chain of an organisation's system events: ``system`` for the installation's first organisation
    (and for work done for no organisation), ``system:<code>`` for the others."""
    if org_id is None or org_id == DEFAULT_ORG:
        return "system"
    key = (str(session.get_bind().url), org_id)  # one process may serve several databases (tests do)
    code = _codes.get(key)
    if code is None:
        code = _codes[key] = session.connection().execute(
            select(Organisation.code).where(Organisation.id == org_id)).scalar_one()
    return f"system:{code}"


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


def create(session: Session, code: str, name: str, *, kind: str = ENTERPRISE, parent_id: int | None = None,
           region: str | None = None, industry: str | None = None, headcount: int | None = None,
           settings: dict[str, Any] | None = None, now: Any = None) -> Organisation:
    """Add an organisation (caller commits; codes are checked by the caller or the unique constraint)."""
    org = Organisation(code=code, name=name, kind=kind, parent_id=parent_id, region=region, industry=industry,
                       headcount=headcount, settings=settings or {}, created_at=now)
    session.add(org)
    session.flush()
    forget()
    return org


SETTINGS_TTL = 60.0  # seconds an organisation's settings are trusted (a change here is seen at once)
_settings_table: dict[str, Any] = {"rows": {}, "at": None}


def _settings_rows(bind) -> dict[int, tuple[int | None, dict[str, Any]]]:
    """id -> (parent id, own settings) of every organisation, read once per ``SETTINGS_TTL`` per process."""
    now, url = time.monotonic(), str(bind.url)
    if _settings_table["at"] is None or now - _settings_table["at"] > SETTINGS_TTL \
            or _settings_table.get("url") != url:
        with bind.execution_options(dmflow_readonly=True).connect() as conn:  # never waits for a writer
            rows = conn.execute(select(Organisation.id, Organisation.parent_id, Organisation.settings)).all()
        _settings_table["rows"] = {i: (p, dict(s or {})) for i, p, s in rows}
        _settings_table["at"], _settings_table["url"] = now, url
    return _settings_table["rows"]


def chain_of(bind, org_id: int | None) -> tuple[int, ...]:
    """An organisation and its federations, nearest first (empty for no organisation or an unknown one); from the
    same cached table as `effective_settings`, so it costs no query on the hot path."""
    table, chain, org = _settings_rows(bind) if org_id is not None else {}, [], org_id
    while org is not None and org in table and org not in chain:
        chain.append(org)
        org = table[org][0]
    return tuple(chain)


def effective_settings(bind, org_id: int | None) -> dict[str, Any]:
    """What an organisation sets for itself over what its federations set (nearest wins); empty for no
    organisation. The installation's configuration is the caller's fallback for every key missing here. One read
    of the (small) organisations table per ``SETTINGS_TTL`` per process keeps this off the hot path."""
    if org_id is None:
        return {}
    table, merged = _settings_rows(bind), {}
    for org in reversed(chain_of(bind, org_id)):
        merged.update(table[org][1])
    return merged
