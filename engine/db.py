"""Database engines for SQLite and PostgreSQL, and schema migration with Alembic."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def make_engine(url: str, **kwargs) -> Engine:
    """Create an SQLAlchemy engine configured for safe concurrent writes.

    On SQLite this applies the recipe from SQLAlchemy's SQLite dialect docs: the driver's own
    transaction handling is switched off and every write transaction starts with BEGIN IMMEDIATE,
    so a read-modify-write cannot interleave with another writer (Python's sqlite3 issues no BEGIN
    before a SELECT, which silently loses updates). WAL mode lets readers proceed during a write.
    Read-only units of work pass the execution option ``dmflow_readonly`` and begin DEFERRED.
    """
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _ensure_sqlite_dir(url: str) -> None:
    path = url.split("///", 1)[-1] if "///" in url else ""
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_on_begin(conn) -> None:
    if conn.get_execution_options().get("dmflow_readonly"):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (views read them afterwards)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def alembic_config(url: str, extra_locations: tuple[str | Path, ...] = ()):
    """An Alembic config for the engine's migrations plus those of the layers above (given by the caller)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    locations = [str(MIGRATIONS_DIR / "versions"), *(str(p) for p in extra_locations)]
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.set_main_option("path_separator", "space")
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "heads", extra_locations: tuple[str | Path, ...] = ()) -> None:
    """Bring the schema of the database at `url` up to `revision` (default: every head).

    Args:
        extra_locations: migration folders of the domain layer (the engine does not know them).
    """
    from alembic import command

    command.upgrade(alembic_config(url, extra_locations), revision)
    from . import task_search
    from .auth_cache import ensure_triggers

    engine = make_engine(url)
    try:
        ensure_triggers(engine)
        task_search.ensure(engine)
    finally:
        engine.dispose()


def current_revision(url: str) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return ",".join(sorted(MigrationContext.configure(conn).get_current_heads())) or None
    finally:
        engine.dispose()
