"""Two-character task list searches through the bigram index (engine/task_bigrams.py, migration a001): exactly
what the plain ``LIKE '%xy%'`` finds, through the index on both databases, never another organisation's tasks."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event, insert, select, text

from engine import task_bigrams, task_search
from engine.models import HumanTask, Instance

from helpers.letters import DIAGRAM, start_letters, titles
from helpers.tenancy import headers, organisation

CORPUS = [("HT-2026-07", "集体合同续签（第三版）"), ("GD-001", "工会提案：食堂开放时间"),
          ("gd-002", "Canteen Opening, ABC ltd."), ("XY 9", "夜班补贴 canteen 2026"), (None, "合同"),
          ("A1", "Café CAFÉ café"), ("工会-12", "a_b%c 工会"), ("ZZ", "提案"), ("K.9", "x"),
          ("Ab", "劳动合同 合同工 3.5%"), ("会合", "Mixed Case mIXED cASE")]
ABSENT = ["无此", "QQ", "9Z", "é!", "签工", "）G"]  # the last two: a title's end and its key's start


def _pairs(value: str | None) -> set[str]:
    return {value[i:i + 2] for i in range(len(value) - 1)} if value else set()


def _queries() -> list[str]:
    """Every two characters of the corpus, as written and with their letters' case changed, and some absent."""
    found = set().union(*(_pairs(key) | _pairs(title) for key, title in CORPUS))
    changed = {q.upper() for q in found} | {q.lower() for q in found} | {q.swapcase() for q in found}
    return sorted(q for q in found | changed | set(ABSENT) if len(task_search.cleaned(q)) == 2)


def _like(services, query: str) -> list[str]:
    """What the unindexed search found: LIKE over the ready tasks' titles and keys, by the database itself."""
    with services.db.connect() as conn:
        return sorted(conn.execute(text(
            "SELECT h.case_title FROM human_tasks h JOIN instances i ON i.id = h.instance_id WHERE h.state = "
            "'ready' AND (h.case_title LIKE :p OR i.business_key LIKE :p)"),
            {"p": f"%{task_search.cleaned(query)}%"}).scalars())


@pytest.fixture
def indexed(services, backend):
    """The bigram index as migration a001 leaves it (the PostgreSQL test schema is built by ``create_all``; the
    SQLite one is migrated)."""
    if backend == "postgres":
        with services.db.begin() as conn:
            task_bigrams.install(conn)
    yield
    if backend == "postgres":
        with services.db.begin() as conn:
            task_bigrams.uninstall(conn)


@pytest.fixture
def corpus(client, deploy, users, indexed):
    assert deploy({"letters.bpmn": DIAGRAM}).status_code == 201
    clerk = users.headers("clerk", "clerk")
    return clerk, start_letters(client, clerk, CORPUS)


def test_a_two_character_search_finds_exactly_what_like_finds(client, corpus, services):
    clerk, _ = corpus
    queries = _queries()
    assert len(queries) > 100 and "合同" in queries and "é!" in queries
    hits = 0
    for query in queries:
        expected = _like(services, query)
        assert titles(client, clerk, query) == expected, query
        hits += bool(expected)
    assert hits > 80  # most of them find something


class _Statements:
    """The SQL statements (and their parameters) the app's engine runs while in the block."""

    def __init__(self, engine):
        self.engine, self.seen = engine, []

    def note(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.seen.append((statement, parameters))

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self.note)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self.note)

    def plan(self, marker: str) -> str:
        """The database's plan of the first statement holding `marker`: ``EXPLAIN QUERY PLAN`` on SQLite,
        ``EXPLAIN`` on PostgreSQL."""
        statement, parameters = next((s, p) for s, p in self.seen
                                     if marker in s and "sqlite_master" not in s and "to_regprocedure" not in s)
        with self.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            else:
                rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
            conn.rollback()
        return "\n".join(str(row[-1]) for row in rows)


def _crowd(services, n: int) -> None:
    """`n` more ready letters written in bulk (copies of one started through the API), then the planner's
    statistics: with a handful of rows any plan is cheap, and PostgreSQL rightly skips an index."""
    instances, tasks = Instance.__table__, HumanTask.__table__
    with services.db.begin() as conn:
        task = conn.execute(select(tasks).limit(1)).mappings().one()
        instance = conn.execute(select(instances).where(instances.c.id == task["instance_id"])).mappings().one()
        new = [str(uuid.uuid4()) for _ in range(n)]
        conn.execute(insert(instances), [dict(instance, id=i, business_key=f"LX-{k}") for k, i in enumerate(new)])
        conn.execute(insert(tasks), [dict(task, id=str(uuid.uuid4()), instance_id=i, case_title=f"来信{k:05d}")
                                     for k, i in enumerate(new)])
        conn.execute(text("ANALYZE"))


def test_a_two_character_search_reads_the_bigram_index(client, corpus, services, backend, monkeypatch):
    clerk, _ = corpus
    _crowd(services, 2_000)
    with _Statements(services.db) as statements:
        assert titles(client, clerk, "合同") == ["劳动合同 合同工 3.5%", "合同", "集体合同续签（第三版）"]
    if backend == "sqlite":  # the matching ids, then the list probes them by key
        plan = statements.plan(task_bigrams.PAIRS)
        assert f"SEARCH {task_bigrams.PAIRS} USING PRIMARY KEY (pair=? AND org_id=?)" in plan, plan
        assert "SCAN" not in plan, plan
        monkeypatch.setattr(task_search, "PROBE_LIMIT", 1)  # many matches: each listed row probes the index
        with _Statements(services.db) as statements:
            answer = client.get("/api/v1/tasks", query_string={"q": "合同"}, headers=clerk).get_json()
        assert answer["total"] == 3 and answer["total_capped"] is False  # complete, unlike the 1-char scan
        plan = statements.plan("EXISTS")
        assert f"SEARCH {task_bigrams.PAIRS} USING PRIMARY KEY (pair=? AND org_id=? AND task_row=?)" in plan, plan
        assert f"SCAN {task_bigrams.PAIRS}" not in plan and f"SCAN {task_search.SEARCH}" not in plan, plan
    else:
        plan = statements.plan("dmflow_bigrams")
        assert "Bitmap Index Scan on ix_human_tasks_title_bigrams" in plan, plan
        assert "Bitmap Index Scan on ix_instances_business_key_bigrams" in plan, plan


def test_one_organisation_does_not_find_anothers_tasks_by_two_characters(client, corpus, services,
                                                                          monkeypatch):
    clerk_a, _ = corpus
    east = organisation(services, "east")
    clerk_b = headers(services, east, "clerk_b", "clerk")
    start_letters(client, clerk_b, [("HT-901", "东区合同")])
    for probe_limit in (task_search.PROBE_LIMIT, 1):  # the ids probed by key, and each row probing the index
        monkeypatch.setattr(task_search, "PROBE_LIMIT", probe_limit)
        for query in ("合同", "HT", "食堂", "工会", "Ca", "09"):
            assert titles(client, clerk_b, query) == (["东区合同"] if query in ("合同", "HT") else []), query
        assert titles(client, clerk_a, "东区") == [] and "东区合同" not in titles(client, clerk_a, "合同")


def test_the_bigram_index_follows_every_writer(client, corpus, services, backend):
    """Titles and keys changed by plain SQL (an admin's script, a bulk load), not through the engine."""
    clerk, ids = corpus
    longest = 300 if backend == "postgres" else task_bigrams.MAX_INDEXED + 50  # SQLite has no VARCHAR limit
    with services.db.begin() as conn:
        conn.execute(text("UPDATE instances SET business_key = 'QW-1' WHERE business_key = 'ZZ'"))
        conn.execute(text("UPDATE human_tasks SET case_title = :t WHERE id = :id"),
                     {"t": "长" * (longest - 2) + "尾巴", "id": ids["x"]})
        conn.execute(text("UPDATE human_tasks SET state = 'completed' WHERE id = :id"), {"id": ids["合同"]})
    assert titles(client, clerk, "QW") == ["提案"] and titles(client, clerk, "ZZ") == []
    assert [t[-2:] for t in titles(client, clerk, "尾巴")] == ["尾巴"]  # SQLite: past the texts cut into pairs
    assert titles(client, clerk, "合同") == ["劳动合同 合同工 3.5%", "集体合同续签（第三版）"]
    if backend == "sqlite":  # the migration's fill: the same index from the rows as they are now
        with services.db.begin() as conn:
            task_bigrams.uninstall(conn)
            task_bigrams.install(conn)
            assert conn.execute(text(f"SELECT count(*) FROM {task_bigrams.PAIR_ROWS}")).scalar() == len(CORPUS) - 1
            conn.execute(text("DROP TRIGGER human_task_pairs_insert"))  # as a batch rebuild of human_tasks would
            conn.execute(text(f"DELETE FROM {task_bigrams.PAIRS}"))
        task_search.ensure(services.db)  # what `dmflow db upgrade` runs after the migrations
        start_letters(client, clerk, [("NEW-1", "新来的合同")])
    for query in ("QW", "尾巴", "合同", "ca", "工会", "新来"):
        assert titles(client, clerk, query) == _like(services, query), query
    assert len(titles(client, clerk, "合同")) == 2 + (backend == "sqlite")
