"""The index of two-character task list searches: the overlapping character pairs (bigrams) of each ready task's
case title and business key (migration a001; engine/task_search.py asks it for a text of exactly two characters).

- **SQLite**: ``human_task_search_pairs``, a WITHOUT ROWID table keyed (pair, organisation, task row): one row per
  distinct pair of a ready task's texts, ASCII letters folded as ``lower()`` and ``LIKE`` fold them, so that a
  search reads one key range of its own organisation. ``human_task_search_pair_rows`` numbers the tasks (a short
  integer instead of the 36-character id in every pair) and ``human_task_search_numbers`` (1 to `MAX_INDEXED`)
  lets a trigger cut a text into pairs in plain SQL: triggers on ``human_tasks`` and ``instances`` keep the index
  in step with every writer, and call no Python function, so the sqlite3 shell or a backup tool can still write.
  A text longer than `MAX_INDEXED` characters gets the marker pair '' instead, which every search also reads.
- **PostgreSQL**: an immutable SQL function, ``dmflow_bigrams(text)`` (the text's distinct pairs, case kept, as
  ``LIKE`` is case-sensitive there), and GIN indexes on it for ``human_tasks.case_title`` (ready rows) and
  ``instances.business_key``; the search asks for ``dmflow_bigrams(column) @> ARRAY[text]``. Every writer is
  covered: the database computes the indexed value.

The index only narrows: the list query still applies the exact ``LIKE``, so the results are those of the
unindexed search.
"""

from __future__ import annotations

import weakref

from sqlalchemy import column, func, literal, literal_column, select, table, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import Text

from .models import HumanTask

PAIRS, PAIR_ROWS, NUMBERS = ("human_task_search_pairs", "human_task_search_pair_rows",
                             "human_task_search_numbers")
MAX_INDEXED = 1_000  # characters of one text cut into pairs by the triggers (the models allow 300 and 200)


def _pairs(texts: str) -> str:
    """SQL: the (pair, org_id, task_row) rows of the texts that `texts` selects as (row, org, value); a text too
    long for the numbers table gives the marker pair '' only."""
    return (f"SELECT CASE WHEN length(x.value) > {MAX_INDEXED} THEN '' ELSE substr(lower(x.value), n.n, 2) END, "
            f"x.org, x.row FROM ({texts}) x JOIN {NUMBERS} n ON n.n < length(x.value)")


def _texts(where: str, title: str = "h.case_title", key: str = "i.business_key", org: str = "h.org_id") -> str:
    """SQL: (row, org, value) of the title and the key of the indexed tasks that `where` picks."""
    rows = f"FROM {PAIR_ROWS} m JOIN human_tasks h ON h.id = m.task_id"
    return (f"SELECT m.row AS row, ifnull({org}, 0) AS org, {title} AS value {rows} WHERE {where} UNION ALL "
            f"SELECT m.row, ifnull({org}, 0), {key} {rows} JOIN instances i ON i.id = h.instance_id WHERE {where}")


def _old_texts() -> str:
    """SQL (in a trigger on ``human_tasks``): (row, org, value) of the task's texts before the change."""
    return (f"SELECT m.row AS row, ifnull(OLD.org_id, 0) AS org, OLD.case_title AS value FROM {PAIR_ROWS} m "
            f"WHERE m.task_id = OLD.id UNION ALL SELECT m.row, ifnull(OLD.org_id, 0), i.business_key "
            f"FROM {PAIR_ROWS} m JOIN instances i ON i.id = OLD.instance_id WHERE m.task_id = OLD.id")


_INSERT_NEW = f"""
  INSERT INTO {PAIR_ROWS} (task_id) SELECT NEW.id WHERE NEW.state = 'ready';
  INSERT OR IGNORE INTO {PAIRS} (pair, org_id, task_row) {_pairs(_texts('m.task_id = NEW.id'))};"""
_DELETE_OLD = f"""
  DELETE FROM {PAIRS} WHERE (pair, org_id, task_row) IN ({_pairs(_old_texts())});
  DELETE FROM {PAIR_ROWS} WHERE task_id = OLD.id;"""
_KEY_PAIRS = _pairs(_texts("h.instance_id = NEW.id", key="OLD.business_key"))
TRIGGERS = {
    "human_task_pairs_insert": f"""
CREATE TRIGGER IF NOT EXISTS human_task_pairs_insert AFTER INSERT ON human_tasks WHEN NEW.state = 'ready' BEGIN
{_INSERT_NEW}
END""",
    "human_task_pairs_update": f"""
CREATE TRIGGER IF NOT EXISTS human_task_pairs_update AFTER UPDATE OF state, case_title, org_id, instance_id
ON human_tasks BEGIN
{_DELETE_OLD}
{_INSERT_NEW}
END""",
    "human_task_pairs_delete": f"""
CREATE TRIGGER IF NOT EXISTS human_task_pairs_delete AFTER DELETE ON human_tasks BEGIN
{_DELETE_OLD}
END""",
    "human_task_pairs_key": f"""
CREATE TRIGGER IF NOT EXISTS human_task_pairs_key AFTER UPDATE OF business_key ON instances BEGIN
  DELETE FROM {PAIRS} WHERE (pair, org_id, task_row) IN ({_KEY_PAIRS});
  INSERT OR IGNORE INTO {PAIRS} (pair, org_id, task_row) {_pairs(_texts('h.instance_id = NEW.id'))};
END""",
}
_TABLES = [
    f"CREATE TABLE IF NOT EXISTS {PAIRS} (pair VARCHAR(2) NOT NULL, org_id INTEGER NOT NULL, "
    "task_row INTEGER NOT NULL, PRIMARY KEY (pair, org_id, task_row)) WITHOUT ROWID",
    f"CREATE TABLE IF NOT EXISTS {PAIR_ROWS} (row INTEGER PRIMARY KEY AUTOINCREMENT, "
    "task_id VARCHAR(64) NOT NULL UNIQUE)",
    f"CREATE TABLE IF NOT EXISTS {NUMBERS} (n INTEGER PRIMARY KEY)",
]
_FILL = [
    f"DELETE FROM {NUMBERS}",
    f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {MAX_INDEXED}) "
    f"INSERT INTO {NUMBERS} (n) SELECT n FROM s",
    f"DELETE FROM {PAIRS}",
    f"DELETE FROM {PAIR_ROWS}",
    f"INSERT INTO {PAIR_ROWS} (task_id) SELECT id FROM human_tasks WHERE state = 'ready' ORDER BY created_at, id",
    f"INSERT OR IGNORE INTO {PAIRS} (pair, org_id, task_row) {_pairs(_texts('1 = 1'))}",
]

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION dmflow_bigrams(value text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT array_agg(DISTINCT substr(value, i, 2)) FROM generate_series(1, length(value) - 1) AS i $$"""
PG_INDEXES = {
    "ix_human_tasks_title_bigrams": "CREATE INDEX IF NOT EXISTS ix_human_tasks_title_bigrams ON human_tasks "
                                    "USING gin (dmflow_bigrams(case_title)) WHERE state = 'ready'",
    "ix_instances_business_key_bigrams": "CREATE INDEX IF NOT EXISTS ix_instances_business_key_bigrams ON "
                                         "instances USING gin (dmflow_bigrams(business_key))",
}


def install(conn) -> None:
    """Create the index on a connection (the migration; on SQLite also `task_search.ensure` after a batch
    rebuild) and fill it from the ready tasks."""
    if conn.dialect.name == "sqlite":
        for statement in _TABLES + _FILL + list(TRIGGERS.values()):
            conn.exec_driver_sql(statement)
    elif conn.dialect.name == "postgresql":
        for statement in [PG_FUNCTION, *PG_INDEXES.values()]:
            conn.exec_driver_sql(statement)


def uninstall(conn) -> None:
    if conn.dialect.name == "sqlite":
        for name in TRIGGERS:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        for name in (PAIRS, PAIR_ROWS, NUMBERS):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    elif conn.dialect.name == "postgresql":
        for name in PG_INDEXES:
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS dmflow_bigrams(text)")


_available: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def available(session) -> bool:
    """The index exists in this database (checked once per engine; PostgreSQL test schemas made by
    ``create_all`` have none)."""
    engine = session.get_bind()
    engine = getattr(engine, "engine", engine)
    found = _available.get(engine)
    if found is None:
        probe = (f"SELECT count(*) FROM sqlite_master WHERE name = '{PAIRS}'" if engine.dialect.name == "sqlite"
                 else "SELECT to_regprocedure('dmflow_bigrams(text)') IS NOT NULL")
        found = _available[engine] = bool(session.connection().exec_driver_sql(probe).scalar())
    return found


def _folded(pair: str) -> str:
    """The pair as SQLite's ``lower()`` folds it (ASCII letters only, like its ``LIKE``)."""
    return "".join(c.lower() if c.isascii() else c for c in pair)


_rows = table(PAIR_ROWS, column("row"), column("task_id"))
_pairs_table = table(PAIRS, column("pair"), column("org_id"), column("task_row"))


def _holding(pair: str):
    """Rows of the pairs table that (may) hold `pair`: its own, or the marker of a text too long to cut."""
    return _pairs_table.c.pair.in_([_folded(pair), ""])


def sqlite_matches(pair: str, org: int | None):
    """SELECT of the ``human_tasks.id`` of the ready tasks whose title or key (may) contain the two characters
    `pair`, in organisation `org` (None: any)."""
    scope = _pairs_table.c.org_id == org if org is not None else true()
    return select(_rows.c.task_id).select_from(_pairs_table.join(_rows, _rows.c.row == _pairs_table.c.task_row)) \
        .where(_holding(pair), scope)


def sqlite_holds(pair: str):
    """The condition that the listed task is in `sqlite_matches`, probed row by row through the primary key: a
    list walking its rows in order stops after a page, where ``IN (SELECT …)`` would first collect every match."""
    return select(literal_column("1")).select_from(_rows.join(_pairs_table, _pairs_table.c.task_row == _rows.c.row)) \
        .where(_rows.c.task_id == HumanTask.id, _holding(pair),
               _pairs_table.c.org_id == func.ifnull(HumanTask.org_id, 0)).exists()


def pg_contains(column_, pair: str):
    """PostgreSQL: the condition that the indexed bigrams of `column_` hold `pair` (narrows; LIKE decides)."""
    return func.dmflow_bigrams(column_).op("@>")(literal([pair], ARRAY(Text)))
