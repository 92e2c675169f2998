"""Who a bearer token (or a login session) is, cached per process until users, roles or tokens change.

Triggers on ``users``, ``user_roles`` and ``api_tokens`` add one to ``auth_state.version`` on every insert,
update and delete, whoever makes it (this code, another process, an admin's SQL). A request reads that one
integer (a primary-key lookup on its own connection, no ORM session) and uses the cached actor only when it was
cached at the same version: a revoked token, a deactivated user or a role change takes effect on the very next
request in every process. Unknown or refused tokens are never cached.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from typing import Any

from sqlalchemy import DDL, Engine, event, text
from sqlalchemy.exc import DBAPIError

from .models import AuthState, Base

WATCHED = ("users", "user_roles", "api_tokens")
SIZE = 10_000


def trigger_ddl(dialect: str) -> list[str]:
    """The statements that create the version triggers (SQLite or PostgreSQL)."""
    bump = "UPDATE auth_state SET version = version + 1 WHERE id = 1"
    if dialect == "sqlite":
        return [f"CREATE TRIGGER IF NOT EXISTS auth_bump_{table}_{op.lower()} AFTER {op} ON {table} "
                f"BEGIN {bump}; END" for table in WATCHED for op in ("INSERT", "UPDATE", "DELETE")]
    return [f"CREATE OR REPLACE FUNCTION auth_bump() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {bump}; RETURN NULL; END $$"] + [
        f"CREATE TRIGGER auth_bump_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION auth_bump()" for table in WATCHED]


@event.listens_for(Base.metadata, "after_create")
def _create_triggers(target, connection, **kw) -> None:  # metadata.create_all (tests on PostgreSQL)
    connection.execute(AuthState.__table__.insert().values(id=1, version=0))
    for statement in trigger_ddl(connection.dialect.name):
        connection.execute(DDL(statement.replace("%", "%%")))


def _triggers(conn) -> int:
    if conn.dialect.name == "sqlite":
        query = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE :name"
    else:
        query = ("SELECT count(*) FROM pg_trigger t WHERE t.tgname LIKE :name AND t.tgrelid IN "
                 "(to_regclass('users'), to_regclass('user_roles'), to_regclass('api_tokens'))")
    return conn.execute(text(query), {"name": "auth_bump_%"}).scalar()


def ensure_triggers(engine: Engine) -> None:
    """Create the SQLite triggers that are missing (a later migration that rebuilds a watched table in batch
    mode drops them); called after every `dmflow db upgrade`. PostgreSQL keeps triggers through ALTER TABLE."""
    with engine.begin() as conn:
        if conn.dialect.name != "sqlite" or not conn.execute(text(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'auth_state'")).scalar():
            return
        for statement in trigger_ddl("sqlite"):
            conn.exec_driver_sql(statement)


class AuthCache:
    """Actors by key (a token's hash, or a login session's identity), valid at one `auth_state.version`."""

    def __init__(self, engine: Engine):
        self._read = engine.execution_options(dmflow_readonly=True)
        self._items: OrderedDict[Any, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._armed: bool | None = None  # the triggers exist (checked once per process)

    def version(self) -> int | None:
        """The current version; None when it cannot be read or a trigger is missing (schema not migrated, or a
        later migration rebuilt a table without them): then nothing is cached."""
        try:
            with self._read.connect() as conn:
                if self._armed is None:
                    self._armed = _triggers(conn) >= len(trigger_ddl(conn.dialect.name)) - (
                        conn.dialect.name != "sqlite")  # PostgreSQL: one of the statements is the function
                return conn.exec_driver_sql("SELECT version FROM auth_state WHERE id = 1").scalar() \
                    if self._armed else None
        except DBAPIError:
            return None

    def get(self, key: Any, version: int | None) -> Any:
        if version is None:
            return None
        with self._lock:
            hit = self._items.get(key)
        return hit[1] if hit is not None and hit[0] == version else None

    def put(self, key: Any, version: int | None, actor: Any) -> None:
        if version is None:
            return
        with self._lock:
            self._items[key] = (version, actor)
            self._items.move_to_end(key)
            while len(self._items) > SIZE:
                self._items.popitem(last=False)


_caches: weakref.WeakKeyDictionary[Engine, AuthCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def for_engine(engine: Engine) -> AuthCache:
    """The process's cache for one database engine."""
    with _caches_lock:
        cache = _caches.get(engine)
        if cache is None:
            cache = _caches[engine] = AuthCache(engine)
        return cache
