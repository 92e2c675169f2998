"""Shared fixtures: app on a fresh database (SQLite, and PostgreSQL when configured), clock, users.

A test marked ``@pytest.mark.prebuilt.with_args(build)`` starts instead on a database that ``build(services)``
filled: on SQLite built once per worker and copied per test, on PostgreSQL built again for each test; the
``prebuilt`` fixture holds what ``build`` returned (plain ids and values: the tests of a worker share it).
"""

from __future__ import annotations

import copy
import os
import shutil
import sqlite3
import uuid
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from api import create_app
from api.extension import Services
from engine import db, tenancy
from engine.clock import FixedClock
from engine.identity import SYSTEM, create_user
from engine.models import Base
from workflows import tables as domain_models

from helpers.api import ROOT, SHARED, bundled_files, deploy_files  # noqa: F401  (re-exported for tests)

POSTGRES_URL = os.environ.get("DMFLOW_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # the test clock's instant (Monday 09:00 in Beijing)


def pytest_configure(config):
    config.addinivalue_line("markers", "prebuilt(build): start on a database filled once by build(services)")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One database migrated with Alembic (so every SQLite test runs on the real migrations), copied per test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db.upgrade(f"sqlite:///{path}", extra_locations=(domain_models.MIGRATIONS,))
    return path


@pytest.fixture(scope="session")
def sqlite_prebuilt(sqlite_template, tmp_path_factory) -> Callable[[Callable], tuple[Path, object]]:
    """build -> (a database file that build(services) filled from the template, what it returned); once each."""
    built: dict[Callable, tuple[Path, object]] = {}

    def get(build: Callable) -> tuple[Path, object]:
        if build not in built:
            folder = tmp_path_factory.mktemp("prebuilt")
            shutil.copy(sqlite_template, folder / "work.db")
            app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'work.db'}", "TESTING": True,
                              "CLOCK": FixedClock(START), "BALLOT_KEY_DIR": str(folder / "ballot_keys")})
            try:
                result = build(app.extensions["dmflow"])
            finally:
                app.extensions["dmflow"].db.dispose()
            with closing(sqlite3.connect(folder / "work.db")) as src, closing(sqlite3.connect(folder / "db")) as dst:
                src.backup(dst)  # one self-contained file, whatever the write-ahead log still held
            built[build] = (folder / "db", result)
        return built[build]

    return get


def _prebuild(request) -> Callable | None:
    marker = request.node.get_closest_marker("prebuilt")
    return marker.args[0] if marker else None


def _postgres_schema_url(schema: str) -> str:
    sep = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"


# The rows a database starts with (create_all inserts the first organisation and the auth version itself).
_RESET = ["SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
          "WHERE c.relkind = 'S' AND n.nspname = current_schema()",
          "INSERT INTO organisations (id, code, name, kind, settings, created_at) "
          "VALUES (1, 'default', '本单位', 'enterprise', '{}', now())",
          "SELECT setval(pg_get_serial_sequence('organisations', 'id'), 1)",
          "INSERT INTO audit_chains (chain, last_seq, last_hash) VALUES ('system', 0, repeat('0', 64))"]


@pytest.fixture(scope="session")
def postgres_schema():
    """One PostgreSQL schema per test worker with every table, emptied before each test (deleting the few rows a
    test wrote takes about a tenth of a second where creating 100 tables, or cloning a database, took seconds)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(_postgres_schema_url(schema), poolclass=NullPool)
    Base.metadata.create_all(engine)
    tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name != "auth_state"]
    yield _postgres_schema_url(schema), engine, tables
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path, sqlite_template) -> str:
    """A fresh, empty dmflow database: a copy of the migrated SQLite template, or the worker's PostgreSQL schema
    emptied to its first rows."""
    if request.param == "sqlite":
        path = tmp_path / "dmflow.db"
        build = _prebuild(request)
        source = request.getfixturevalue("sqlite_prebuilt")(build)[0] if build else sqlite_template
        shutil.copy(source, path)
        if (source.parent / "ballot_keys").is_dir():  # the private keys of the secret votes it left open
            shutil.copytree(source.parent / "ballot_keys", tmp_path / "ballot_keys")
        return f"sqlite:///{path}"
    url, engine, tables = request.getfixturevalue("postgres_schema")
    with engine.begin() as conn:
        for table in tables:
            conn.execute(text(f'DELETE FROM "{table}"'))
        for statement in _RESET:
            conn.execute(text(statement))
    return url


@pytest.fixture
def backend(db_url) -> str:
    return "sqlite" if db_url.startswith("sqlite") else "postgres"


@pytest.fixture
def prebuilt(request, backend, services):
    """What the test's ``prebuilt`` build returned (run now on PostgreSQL, once per worker on SQLite)."""
    build = _prebuild(request)
    assert build, "the prebuilt fixture needs @pytest.mark.prebuilt(build)"
    return request.getfixturevalue("sqlite_prebuilt")(build)[1] if backend == "sqlite" else build(services)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(scope="session")
def app_shell():
    """One Flask app per test worker, built once (registering 350 routes and their OpenAPI documentation took
    about a second per test), and the configuration it started with."""
    shell = create_app({"DATABASE_URL": "sqlite://", "TESTING": True})
    shell.extensions["dmflow"].db.dispose()
    return shell, copy.deepcopy(dict(shell.config))


@pytest.fixture
def app(app_shell, db_url, clock, tmp_path):
    """The worker's app with this test's own configuration and services (database, clock, ballot keys, caches):
    what a test changes in either is gone before the next test."""
    app, config = app_shell
    app.config.clear()
    app.config.update(copy.deepcopy(config))
    app.config.update({"DATABASE_URL": db_url, "CLOCK": clock, "BALLOT_KEY_DIR": str(tmp_path / "ballot_keys")})
    for key in [k for k in app.extensions if k.startswith("dmflow")]:
        del app.extensions[key]
    tenancy.forget()  # the organisations' tree and settings of the last test (a PostgreSQL schema is reused)
    app.extensions["dmflow"] = Services(app, clock)
    yield app
    app.extensions["dmflow"].db.dispose()


@pytest.fixture
def services(app):
    return app.extensions["dmflow"]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Users:
    """Creates users on demand and hands out their Authorization headers (flaskr's AuthActions)."""

    def __init__(self, services):
        self.services = services
        self.tokens: dict[str, str] = {}

    def token(self, username: str, *roles: str) -> str:
        if username not in self.tokens:
            _, self.tokens[username] = create_user(self.services.uow(), username, list(roles), actor=SYSTEM)
        return self.tokens[username]

    def headers(self, username: str, *roles: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username, *roles)}"}


@pytest.fixture
def users(services) -> Users:
    return Users(services)


@pytest.fixture
def login_as(users) -> Callable[[str], dict[str, str]]:
    """Headers of a user holding exactly `role` (one user per role)."""
    return lambda role: users.headers(f"user_{role}", role)


@pytest.fixture
def deploy(client, login_as):
    """Deploy files as a designer and return the response."""
    return lambda files, **kw: deploy_files(client, login_as("designer"), files, **kw)
