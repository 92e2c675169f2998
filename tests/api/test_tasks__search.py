"""The task lists' text search (``q``) through the index (engine/task_search.py): the same results as the plain
``LIKE`` over the case title and business key, kept in step as tasks become ready and end, and no organisation
finding another's tasks through it."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, text

from engine import task_bigrams, task_search
from engine.models import HumanTask

from helpers.letters import DIAGRAM, start_letters, titles
from helpers.roundtrip import complete
from helpers.tenancy import headers, organisation

CASES = [("GD-001", "食堂开放时间"), ("GD-002", "Canteen Opening ABC"), ("HT-2026-07", "集体合同续签"),
         ("GD-100", "食堂窗口"), ("XY-1", "夜班补贴 canteen"), (None, "无编号的来信")]
QUERIES = ["食堂", "食", "堂开放", "canteen", "CANTEEN", "ABC", "abc", "GD-", "GD-00", "G", "2026-07", "T-2",
           "续签", "合同续", "窗口", "xyz", "编号的来", "X", "%", "_1", " 食堂 ", "签G", "Opening A", "n O"]


def _expected(query: str, backend: str) -> list[str]:
    """What the unindexed LIKE finds: a substring of the title or the key (ASCII case folded on SQLite only)."""
    needle = query.strip().replace("%", "").replace("_", "")

    def has(value):
        if value is None:
            return False
        return needle.lower() in value.lower() if backend == "sqlite" else needle in value

    return sorted(title for key, title in CASES if has(title) or has(key))


@pytest.fixture
def cases(client, deploy, users):
    assert deploy({"letters.bpmn": DIAGRAM}).status_code == 201
    clerk = users.headers("clerk", "clerk")
    return clerk, start_letters(client, clerk, CASES)


def test_the_search_finds_what_the_plain_like_finds(client, cases, backend):
    clerk, _ = cases
    for query in QUERIES:
        assert titles(client, clerk, query) == _expected(query, backend), query


def test_the_index_follows_tasks_as_they_become_ready_and_end(client, cases, services, users, backend):
    clerk, ids = cases
    admin = users.headers("admin", "admin")
    body = complete(client, clerk, ids["食堂开放时间"], {})  # its next task is the review, same title
    assert body["ready_tasks"][0]["id"] != ids["食堂开放时间"]
    assert titles(client, admin, "食堂", "all") == ["食堂开放时间", "食堂窗口"]
    answer = client.post(f"/api/v1/instances/{body['id']}/terminate", json={"reason": "撤回"}, headers=admin)
    assert answer.status_code == 200, answer.get_json()
    assert titles(client, admin, "食堂开放", "all") == [] and titles(client, admin, "食堂", "all") == ["食堂窗口"]
    if backend == "sqlite":  # the search table holds exactly the ready tasks
        uow = services.uow(readonly=True)
        with uow:
            ready = set(uow.session.scalars(select(HumanTask.id).where(HumanTask.state == "ready")))
            indexed = set(uow.session.execute(text(f"SELECT task_id FROM {task_search.ROWS}")).scalars())
            texts = uow.session.execute(text(f"SELECT count(*) FROM {task_search.SEARCH}")).scalar()
        assert indexed == ready and texts == len(ready) == len(CASES) - 1


def test_the_search_uses_the_fts_index_on_sqlite(client, cases, services, backend):
    if backend != "sqlite":
        pytest.skip("the FTS5 table is SQLite's; PostgreSQL's trigram indexes come with the migration")
    clerk, _ = cases
    seen: list[str] = []

    def note(conn, cursor, statement, *args) -> None:
        seen.append(statement)

    event.listen(services.db, "before_cursor_execute", note)
    try:
        assert titles(client, clerk, "合同续") == ["集体合同续签"]
        assert titles(client, clerk, "窗口") == ["食堂窗口"]
        assert titles(client, clerk, "窗") == ["食堂窗口"]
    finally:
        event.remove(services.db, "before_cursor_execute", note)
    assert any(f"{task_search.SEARCH} MATCH" in s for s in seen)  # three characters: the trigram index
    assert any(f"FROM {task_bigrams.PAIRS} JOIN" in s for s in seen)  # two: the bigram index
    assert any(f"{task_search.SEARCH}.case_title LIKE" in s for s in seen)  # one: the bounded scan of its texts


def test_the_migration_fills_the_index_from_the_ready_tasks(client, cases, services, backend):
    if backend != "sqlite":
        pytest.skip("the SQLite search table")
    clerk, _ = cases
    with services.db.begin() as conn:
        task_search.uninstall_sqlite(conn)
        assert task_search.install_sqlite(conn)
    for query in ("食堂", "canteen", "GD-00", "续签"):
        assert titles(client, clerk, query) == _expected(query, backend), query


def test_one_organisation_does_not_find_anothers_tasks_by_text(client, cases, services):
    clerk_a, _ = cases
    other = organisation(services, "east")
    clerk_b = headers(services, other, "clerk_b", "clerk")
    answer = client.post("/api/v1/instances", headers=clerk_b,
                         json={"process": "letters", "business_key": "GD-901", "data": {"title": "食堂东区"}})
    assert answer.status_code == 201, answer.get_json()
    for query in ("食堂", "食堂开放", "GD-", "GD-001", "食", "开放时间"):
        found = titles(client, clerk_b, query)
        assert found == (["食堂东区"] if query in ("食堂", "GD-", "食") else []), query
    assert "食堂东区" not in titles(client, clerk_a, "食堂") + titles(client, clerk_a, "东区")


def test_a_search_shorter_than_a_trigram_reads_a_bounded_number_of_matches(client, cases, backend, monkeypatch):
    if backend != "sqlite":
        pytest.skip("the bounded scan of SQLite's search table")
    clerk, _ = cases
    monkeypatch.setattr(task_search, "SHORT_LIMIT", 1)
    answer = client.get("/api/v1/tasks", query_string={"q": "食"}, headers=clerk).get_json()
    assert [row["case_title"] for row in answer["items"]] == ["食堂开放时间"]  # the first match only
    assert answer["total"] == 1 and answer["total_capped"] is True  # said to be a lower bound
    answer = client.get("/api/v1/tasks", query_string={"q": "食堂窗"}, headers=clerk).get_json()
    assert answer["total"] == 1 and answer["total_capped"] is False  # three characters: the index, unbounded
