"""The text search of the task lists (``q``: a substring of the case title or the business key), index-backed.

- **SQLite** (3.34 or later): an FTS5 table with the trigram tokenizer, ``human_task_search`` (the case title and
  business key of every *ready* task), and ``human_task_search_rows`` (which task each FTS row is, and its
  organisation: FTS rows are numbered by that table's integer key, which VACUUM keeps, unlike the rowid of
  ``human_tasks``). Triggers on ``human_tasks`` and ``instances`` keep both in step with every writer (the engine,
  a bulk load, an admin's SQL); migration v001 creates and fills them, and `ensure` recreates triggers that a later
  migration rebuilding ``human_tasks`` in batch mode dropped.
- **PostgreSQL**: ``pg_trgm`` GIN indexes on ``human_tasks.case_title`` (ready rows) and
  ``instances.business_key`` (migration v001); the query is the same ``LIKE`` as without them, written so that each
  side can use its index. Without the extension (it could not be created) the ``LIKE`` runs unindexed.

The index only narrows: the rows it yields are matched again with the exact ``LIKE`` of the unindexed search, so
the results are the same (SQLite's ``LIKE`` folds ASCII case; the trigram index folds more, never less). A trigram
index cannot find one or two characters: two characters go to the bigram index of engine/task_bigrams.py
(migration a001), as completely as three; one character reads the FTS table's text (a scan of the ready tasks'
short texts, no join) and keeps at most `SHORT_LIMIT` matches of the current organisation, oldest first, which is
as far as the list's capped total counts anyway. The search tables hold ids and texts only; which rows a person sees is
decided by the list's own query (tenancy, scope) around them.
"""

from __future__ import annotations

import sqlite3
import weakref
from typing import Any

from sqlalchemy import Engine, and_, column, literal_column, or_, select, table, text, true
from sqlalchemy.orm import aliased

from . import task_bigrams, tenancy
from .models import HumanTask, Instance

SHORT_LIMIT = 1_000  # matches a query shorter than a trigram keeps
PROBE_LIMIT = 1_000  # up to this many matching ids, the list query looks them up by key
MIN_SQLITE = (3, 34, 0)  # the trigram tokenizer

SEARCH, ROWS = "human_task_search", "human_task_search_rows"
_TRIGGERS = {
    "human_task_search_insert": f"""
CREATE TRIGGER IF NOT EXISTS human_task_search_insert AFTER INSERT ON human_tasks WHEN NEW.state = 'ready' BEGIN
  INSERT INTO {ROWS} (task_id, org_id) VALUES (NEW.id, NEW.org_id);
  INSERT INTO {SEARCH} (rowid, case_title, business_key)
    SELECT m.row, NEW.case_title, (SELECT business_key FROM instances WHERE id = NEW.instance_id)
    FROM {ROWS} m WHERE m.task_id = NEW.id;
END""",
    "human_task_search_update": f"""
CREATE TRIGGER IF NOT EXISTS human_task_search_update AFTER UPDATE OF state, case_title, org_id ON human_tasks
BEGIN
  DELETE FROM {SEARCH} WHERE rowid = (SELECT row FROM {ROWS} WHERE task_id = OLD.id);
  DELETE FROM {ROWS} WHERE task_id = OLD.id;
  INSERT INTO {ROWS} (task_id, org_id) SELECT NEW.id, NEW.org_id WHERE NEW.state = 'ready';
  INSERT INTO {SEARCH} (rowid, case_title, business_key)
    SELECT m.row, NEW.case_title, (SELECT business_key FROM instances WHERE id = NEW.instance_id)
    FROM {ROWS} m WHERE m.task_id = NEW.id;
END""",
    "human_task_search_delete": f"""
CREATE TRIGGER IF NOT EXISTS human_task_search_delete AFTER DELETE ON human_tasks BEGIN
  DELETE FROM {SEARCH} WHERE rowid = (SELECT row FROM {ROWS} WHERE task_id = OLD.id);
  DELETE FROM {ROWS} WHERE task_id = OLD.id;
END""",
    "human_task_search_key": f"""
CREATE TRIGGER IF NOT EXISTS human_task_search_key AFTER UPDATE OF business_key ON instances BEGIN
  UPDATE {SEARCH} SET business_key = NEW.business_key WHERE rowid IN (
    SELECT m.row FROM {ROWS} m JOIN human_tasks h ON h.id = m.task_id WHERE h.instance_id = NEW.id);
END""",
}
_TABLES = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH} USING fts5(case_title, business_key, tokenize = 'trigram')",
    f"CREATE TABLE IF NOT EXISTS {ROWS} (row INTEGER PRIMARY KEY, task_id VARCHAR(64) NOT NULL UNIQUE, "
    "org_id INTEGER)",
]
_FILL = [
    f"DELETE FROM {SEARCH}",
    f"DELETE FROM {ROWS}",
    f"INSERT INTO {ROWS} (task_id, org_id) SELECT id, org_id FROM human_tasks WHERE state = 'ready' "
    "ORDER BY created_at, id",
    f"INSERT INTO {SEARCH} (rowid, case_title, business_key) SELECT m.row, h.case_title, i.business_key "
    f"FROM {ROWS} m JOIN human_tasks h ON h.id = m.task_id JOIN instances i ON i.id = h.instance_id",
]
# {ops}: the operator class, qualified with the schema the extension lives in (not always on the search path)
PG_INDEXES = [
    "CREATE INDEX IF NOT EXISTS ix_human_tasks_title_trgm ON human_tasks USING gin (case_title {ops}) "
    "WHERE state = 'ready'",
    "CREATE INDEX IF NOT EXISTS ix_instances_business_key_trgm ON instances USING gin (business_key {ops})",
]
PG_EXTENSION_SCHEMA = ("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                       "WHERE e.extname = 'pg_trgm'")


PG_INDEX_NAMES = ("ix_human_tasks_title_trgm", "ix_instances_business_key_trgm", *task_bigrams.PG_INDEXES)


def outside_models(name: str | None, kind: str) -> bool:
    """Is this a table or index of the search, made by migrations v001 and a001 and not declared in the models
    (FTS5 virtual tables with their shadow tables, and PostgreSQL indexes on an extension's or our function)?"""
    return bool(name) and (name.startswith(SEARCH) if kind == "table" else name in PG_INDEX_NAMES)


def sqlite_supported() -> bool:
    """The linked SQLite has FTS5's trigram tokenizer."""
    return sqlite3.sqlite_version_info >= MIN_SQLITE


def install_sqlite(conn) -> bool:
    """Create the search tables and triggers on a SQLite connection and fill them from the ready tasks (the
    migration; `ensure` after a batch rebuild). False when this SQLite has no trigram tokenizer."""
    if not sqlite_supported():
        return False
    for statement in _TABLES + _FILL + list(_TRIGGERS.values()):
        conn.exec_driver_sql(statement)
    return True


def uninstall_sqlite(conn) -> None:
    for name in _TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {SEARCH}")
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {ROWS}")


def ensure(engine: Engine) -> None:
    """After `dmflow db upgrade` on SQLite: when a search table (trigram, v001; bigram, a001) exists but one of
    its triggers is missing (a migration rebuilt ``human_tasks`` or ``instances`` in batch mode), recreate the
    triggers and refill that index."""
    with engine.begin() as conn:
        if conn.dialect.name != "sqlite":
            return
        for name, triggers, install in ((SEARCH, _TRIGGERS, install_sqlite),
                                        (task_bigrams.PAIRS, task_bigrams.TRIGGERS, task_bigrams.install)):
            if conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE name = ?", (name,)).scalar() and \
                    conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
                                         f"({', '.join('?' * len(triggers))})", tuple(triggers)).scalar() \
                    < len(triggers):
                install(conn)


_available: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _indexed(session) -> bool:
    """The SQLite search table exists (checked once per engine)."""
    engine = session.get_bind()
    engine = getattr(engine, "engine", engine)
    found = _available.get(engine)
    if found is None:
        found = _available[engine] = bool(sqlite_supported() and session.connection().exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE name = ?", (SEARCH,)).scalar())
    return found


def cleaned(value: str) -> str:
    """The searched text: trimmed, without LIKE's wildcards (as the lists always did)."""
    return value.strip().replace("%", "").replace("_", "")


def condition(session, value: str) -> tuple[Any, bool, bool]:
    """The WHERE clause of a task list query (``human_tasks`` joined with ``instances``) for text `value`;
    whether it probes a list of matching ids by key (SQLite; the list query then keeps its other conditions off
    the indexes, see `inbox.list_tasks`, or SQLite still walks every ready row); and whether a query shorter
    than a trigram stopped at `SHORT_LIMIT` matches (its total is then a lower bound)."""
    needle = cleaned(value)
    pattern = f"%{needle}%"
    exact = or_(HumanTask.case_title.like(pattern), Instance.business_key.like(pattern))
    if not needle:
        return exact, False, False
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # Each side on its own table, so that each can use its trigram index (an OR across the join cannot).
        task, inst = aliased(HumanTask), aliased(Instance)
        title, key = task.case_title.like(pattern), inst.business_key.like(pattern)
        if len(needle) == 2 and task_bigrams.available(session):  # too short for a trigram: the bigram indexes
            title, key = (title & task_bigrams.pg_contains(task.case_title, needle),
                          key & task_bigrams.pg_contains(inst.business_key, needle))
        return or_(HumanTask.id.in_(select(task.id).where(task.state == "ready", title)),
                   HumanTask.instance_id.in_(select(inst.id).where(key))), False, False
    if dialect != "sqlite" or not _indexed(session):
        return exact, False, False
    search, rows = table(SEARCH), table(ROWS, column("row"), column("task_id"), column("org_id"))
    bounded = False
    if len(needle) >= 3:
        phrase = '"' + needle.replace('"', '""') + '"'
        matched = select(literal_column("rowid")).select_from(search).where(
            text(f"{SEARCH} MATCH :dmflow_phrase").bindparams(dmflow_phrase=phrase))
        found = select(rows.c.task_id).where(rows.c.row.in_(matched))
    elif len(needle) == 2 and task_bigrams.available(session):
        found = task_bigrams.sqlite_matches(needle, tenancy.current())
    else:
        bounded = True
        hit = or_(literal_column(f"{SEARCH}.case_title").like(pattern),
                  literal_column(f"{SEARCH}.business_key").like(pattern))
        org = tenancy.current()
        scope = rows.c.org_id == org if org is not None else true()
        joined = search.join(rows, rows.c.row == literal_column(f"{SEARCH}.rowid"))
        # No ORDER BY: the scan of an FTS5 table runs in rowid order (oldest first) and stops at the limit.
        found = select(rows.c.task_id).select_from(joined).where(and_(hit, scope)).limit(SHORT_LIMIT)
    # The matching ids first, then the list query probes them by key: with the subquery inline, SQLite walks every
    # ready row in list order and tests each against it. Many matches (more than `PROBE_LIMIT`): the walk is the
    # better plan (a page of them comes early), so the subquery stays.
    ids = session.execute(found if bounded else found.limit(PROBE_LIMIT + 1)).scalars().all()
    truncated = bounded and len(ids) >= SHORT_LIMIT
    if len(ids) <= PROBE_LIMIT:
        return and_(HumanTask.id.in_(ids), exact), True, truncated
    if len(needle) == 2 and not bounded:
        return and_(task_bigrams.sqlite_holds(needle), exact), False, False
    return and_(HumanTask.id.in_(found), exact), False, truncated
