"""Lists that stay fast as data grows: keyset cursors (`after` / `next`) and a bounded total, on instances and
on the task inbox. The fixed test clock gives every row the same created_at, so ties are what is paged over."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from engine import paging

from conftest import bundled_files

REP = "representative"


def _start(client, headers, n, clock=None):
    ids = []
    for i in range(n):
        if clock is not None and i % 3 == 0:  # some rows share a created_at, some do not
            clock.set(clock.now() + timedelta(seconds=1))
        r = client.post("/api/v1/instances", json={"process": "proposal_intake", "business_key": f"K{i}"},
                        headers=headers)
        assert r.status_code == 201, r.get_json()
        ids.append(r.get_json()["id"])
    return ids


def _walk(client, url, headers, per_page):
    """Every page of a list by following `next`; returns the ids in order and the number of pages."""
    seen, cursor, pages = [], None, 0
    while True:
        sep = "&" if "?" in url else "?"
        query = f"{url}{sep}per_page={per_page}" + (f"&after={cursor}" if cursor else "")
        body = client.get(query, headers=headers).get_json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            return seen, pages


@pytest.mark.parametrize("ticking", [False, True], ids=["same-created-at", "distinct-created-at"])
def test_following_next_visits_every_instance_once_in_the_order_of_the_offset_pages(client, deploy, login_as,
                                                                                    clock, ticking):
    deploy(bundled_files("congress"))
    rep = login_as(REP)
    ids = _start(client, rep, 11, clock if ticking else None)
    walked, pages = _walk(client, "/api/v1/instances", rep, 4)
    by_offset = [i["id"] for p in (1, 2, 3)
                 for i in client.get(f"/api/v1/instances?per_page=4&page={p}", headers=rep).get_json()["items"]]
    assert walked == by_offset and sorted(walked) == sorted(ids) and pages == 3
    first = client.get("/api/v1/instances?per_page=11", headers=rep).get_json()
    assert first["next"] is None and first["total"] == 11 and first["total_capped"] is False


def test_a_new_instance_does_not_shift_the_pages_after_a_cursor(client, deploy, login_as, clock):
    deploy(bundled_files("congress"))
    rep = login_as(REP)
    _start(client, rep, 6, clock)
    first = client.get("/api/v1/instances?per_page=3", headers=rep).get_json()
    clock.set(clock.now() + timedelta(seconds=5))
    newest = _start(client, rep, 1)[0]  # lands on page 1 of a fresh listing; an offset page 2 would repeat a row
    second = client.get(f"/api/v1/instances?per_page=3&after={first['next']}", headers=rep).get_json()
    shown = [i["id"] for i in first["items"] + second["items"]]
    assert len(set(shown)) == 6 and newest not in shown and second["next"] is None


def test_following_next_visits_every_ready_task_once(client, deploy, login_as, clock):
    deploy(bundled_files("congress"))
    rep = login_as(REP)
    _start(client, rep, 9, clock)
    walked, pages = _walk(client, "/api/v1/tasks?scope=mine", rep, 4)
    by_offset = [t["id"] for p in (1, 2, 3)
                 for t in client.get(f"/api/v1/tasks?scope=mine&per_page=4&page={p}", headers=rep).get_json()["items"]]
    assert walked == by_offset and len(set(walked)) == 9 and pages == 3
    oldest_first = client.get("/api/v1/tasks?scope=mine&per_page=9", headers=rep).get_json()["items"]
    assert [t["created_at"] for t in oldest_first] == sorted(t["created_at"] for t in oldest_first)


def test_a_cursor_that_this_api_did_not_give_is_refused_with_422(client, deploy, login_as):
    rep = login_as(REP)
    for url in ("/api/v1/instances?after=not-a-cursor", "/api/v1/tasks?after=%21%21",
                "/api/v1/tasks?after=" + base64.urlsafe_b64encode(b"2026-03-02T08:00:00|x").decode()):  # no zone
        r = client.get(url, headers=rep)
        assert r.status_code == 422 and "after" in r.get_json()["message"], (url, r.get_json())


def test_the_total_is_counted_up_to_a_cap_and_says_so(client, deploy, login_as, monkeypatch):
    deploy(bundled_files("congress"))
    rep = login_as(REP)
    _start(client, rep, 5)
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    body = client.get("/api/v1/instances?per_page=2", headers=rep).get_json()
    assert body["total"] == 3 and body["total_capped"] is True and len(body["items"]) == 2
    tasks = client.get("/api/v1/tasks?scope=mine", headers=rep).get_json()
    assert tasks["total"] == 3 and tasks["total_capped"] is True and len(tasks["items"]) == 5


def test_per_page_is_capped(client, login_as):
    for url in ("/api/v1/instances?per_page=501", "/api/v1/tasks?per_page=501"):
        assert client.get(url, headers=login_as(REP)).status_code == 422
