"""Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
import os
import pkgutil
import uuid
from collections import Counter

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import Session

import engine as engine_package
import workflows as workflows_package
from engine import audit, db, task_search
from engine.models import Base
from workflows import tables as domain_models


def _import_every_table() -> None:
    """Import every module of the engine and domain layers, so each table they define is on Base.metadata."""
    for package in (engine_package, workflows_package):
        for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            if not info.name.endswith(".migrations"):
                importlib.import_module(info.name)


_import_every_table()
POSTGRES_URL = os.environ.get("DMFLOW_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])
DOMAIN = (domain_models.MIGRATIONS,)
ENGINE_TABLES = {m.local_table.name for m in Base.registry.mappers
                 if m.class_.__module__.startswith("engine.")}


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path):
    """The URL of an empty database: a new SQLite file, or a new PostgreSQL schema (dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    schema = f"m_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def schema_diff(url: str, tables: set[str] | None = None) -> list:
    """Alembic's autogenerate diff between the database and Base.metadata (optionally only `tables`).

    compare_type is on: the UTCDateTime TypeDecorator is compared through its impl,
    DateTime(timezone=True), so it matches a migrated DateTime(timezone=True) column.
    """
    def include(obj, name, type_, reflected, compare_to):
        if task_search.outside_models(name, type_):
            return False
        return tables is None or type_ != "table" or name in tables

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def snapshot(url: str) -> dict:
    """Everything a migration could change: tables, columns, keys, indexes, version, audit heads."""
    engine = create_engine(url)
    try:
        insp = inspect(engine)
        shape = {}
        for table in sorted(insp.get_table_names()):
            shape[table] = {
                "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(table)],
                "pk": insp.get_pk_constraint(table),
                "fks": sorted((f["name"], tuple(f["constrained_columns"]), f["referred_table"])
                              for f in insp.get_foreign_keys(table)),
                "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                                  for i in insp.get_indexes(table)),
                "uniques": sorted((u["name"], tuple(u["column_names"]))
                                  for u in insp.get_unique_constraints(table)),
            }
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            shape["@version"] = sorted(versions)
            chains = conn.execute(text("SELECT chain, last_seq, last_hash FROM audit_chains ORDER BY chain"))
            shape["@heads"] = [tuple(r) for r in chains]
        return shape
    finally:
        engine.dispose()


def heads() -> list[str]:
    return sorted(ScriptDirectory.from_config(db.alembic_config("sqlite://", DOMAIN)).get_heads())


def test_upgrade_yields_exactly_the_models_schema(empty_url):
    db.upgrade(empty_url, extra_locations=DOMAIN)
    assert schema_diff(empty_url) == []
    assert db.current_revision(empty_url) == ",".join(heads())


def test_engine_migrations_alone_create_exactly_the_engine_tables(empty_url):
    db.upgrade(empty_url)
    engine = create_engine(empty_url)
    try:
        tables = {t for t in inspect(engine).get_table_names() if not task_search.outside_models(t, "table")}
    finally:
        engine.dispose()
    assert tables - {"alembic_version"} == ENGINE_TABLES
    assert schema_diff(empty_url, ENGINE_TABLES) == []


def test_index_and_constraint_names_are_unique_in_the_schema(empty_url):
    """PostgreSQL keeps index, unique and primary-key names in one namespace per schema."""
    db.upgrade(empty_url, extra_locations=DOMAIN)
    engine = create_engine(empty_url)
    try:
        insp = inspect(engine)
        names = Counter()
        for table in insp.get_table_names():
            names[insp.get_pk_constraint(table)["name"]] += 1
            names.update(u["name"] for u in insp.get_unique_constraints(table))
            names.update(i["name"] for i in insp.get_indexes(table) if not i.get("duplicates_constraint"))
    finally:
        engine.dispose()
    names.pop(None, None)  # SQLite reports no name for some primary keys
    assert [name for name, count in names.items() if count > 1] == []


def test_upgrading_twice_is_a_no_op(empty_url):
    db.upgrade(empty_url, extra_locations=DOMAIN)
    before = snapshot(empty_url)
    db.upgrade(empty_url, extra_locations=DOMAIN)
    assert snapshot(empty_url) == before
    assert before["@version"] == heads()


def test_the_system_chain_head_exists_after_migration(empty_url):
    db.upgrade(empty_url, extra_locations=DOMAIN)
    engine = db.make_engine(empty_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT chain, last_seq, last_hash FROM audit_chains")).all()
        assert [tuple(r) for r in rows] == [(audit.SYSTEM_CHAIN, 0, audit.GENESIS)]
        with Session(engine) as session:
            report = audit.verify(session)
        assert (report.ok, report.chains, report.events) == (True, 1, 0)
    finally:
        engine.dispose()


def test_current_revision_of_an_empty_database_is_none(empty_url):
    assert db.current_revision(empty_url) is None


def test_downgrade_to_base_and_upgrade_again_round_trips(empty_url):
    db.upgrade(empty_url, extra_locations=DOMAIN)
    command.downgrade(db.alembic_config(empty_url, DOMAIN), "base")
    engine = create_engine(empty_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    assert db.current_revision(empty_url) is None
    db.upgrade(empty_url, extra_locations=DOMAIN)
    assert schema_diff(empty_url) == []
