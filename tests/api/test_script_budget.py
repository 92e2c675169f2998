"""Diagram code on a budget: each bomb becomes an incident naming the element, and other users keep writing."""

from __future__ import annotations

import threading
import time
from xml.sax.saxutils import escape

import pytest

from api import create_app

from helpers.api import deploy_files
from helpers.bpmn import intermediate_timer, script_then_task

# An endless loop stops at whichever budget it meets first: the time (on a busy machine) or the operations (on
# an idle one, 5,000,000 loop ticks come before 800 ms).
ENDLESS = ("ran longer than", "more than 5,000,000 operations")
BOMBS = {
    "busy_loop": ("while True:\n    pass", ENDLESS),
    "busy_loop_that_catches": ("while True:\n    try:\n        while True:\n            pass\n"
                               "    except BaseException:\n        pass", ENDLESS),
    "huge_power": ("x = 10**10**8", "a power of about 400,000,000 bits"),
    "huge_string": ('x = "x" * 10**10', "a repetition of 10,000,000,000 items"),
    "huge_range_list": ("x = list(range(10**12))", "a range of 1,000,000,000,000 items"),
    "doubling_string": ('s = "ab"\nfor i in range(64):\n    s = s + s', "a concatenation"),
    "deadline_with_a_billion_days": ('x = deadline("2026-01-01", 10**9, "working")', "argument 1e+09 of deadline()"),
    "huge_format_width": ('x = f"{1:>9999999999}"', "a formatted field"),
    "too_many_operations": ("x = [[0] * 10**6 for _ in range(10**6)]", "operations"),
}
NOT_JSON = {"generator": "x = (i for i in range(3))", "range": "x = range(3)", "map": "x = map(str, [1])",
            "ValueError": 'x = ValueError("boom")'}


@pytest.fixture
def app(db_url, clock):
    app = create_app({"DATABASE_URL": db_url, "TESTING": True, "CLOCK": clock, "SCRIPT_TIME_MS": 800})
    yield app
    app.extensions["dmflow"].db.dispose()


def _start(client, headers, process, data=None):
    return client.post("/api/v1/instances", json={"process": process, "data": data or {}}, headers=headers)


def _bomb_and_write(app, login_as, deploy, script):
    """Start the bomb in one thread; meanwhile another user starts a harmless case. Returns both responses."""
    deploy({"bomb.bpmn": script_then_task("bomb", escape(script)),
            "calm.bpmn": script_then_task("calm", "y = 1")})
    bomber, other = login_as("hr"), login_as("union_chair")
    results = {}

    def bomb():
        results["bomb"] = _start(app.test_client(), bomber, "bomb")

    thread = threading.Thread(target=bomb)
    began = time.monotonic()
    thread.start()
    time.sleep(0.2)
    results["other"] = _start(app.test_client(), other, "calm")
    thread.join(60)
    results["elapsed"] = time.monotonic() - began
    return results


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_a_script_bomb_is_an_incident_and_other_users_keep_writing(app, client, login_as, deploy, name):
    script, reason = BOMBS[name]
    results = _bomb_and_write(app, login_as, deploy, script)
    assert results["elapsed"] < 20
    bomb = results["bomb"]
    assert bomb.status_code == 201, bomb.get_json()
    body = bomb.get_json()
    assert body["status"] == "error"
    [incident] = body["incidents"]
    assert incident["element_id"] == "compute"
    reasons = reason if isinstance(reason, tuple) else (reason,)
    assert "diagram code exceeded its budget" in incident["message"]
    assert any(r in incident["message"] for r in reasons), incident["message"]
    assert "图中代码超出预算" in incident["message"]
    other = results["other"]
    assert other.status_code == 201 and other.get_json()["status"] == "running", other.get_json()
    # the lock is released: a write right after the bomb succeeds too
    again = _start(client, login_as("union_chair"), "calm")
    assert again.status_code == 201 and again.get_json()["status"] == "running"


def test_a_budget_incident_names_the_line(client, login_as, deploy):
    deploy({"bomb.bpmn": script_then_task("bomb", escape("a = 1\nb = 2\nwhile a:\n    b = b + 1"))})
    body = _start(client, login_as("hr"), "bomb").get_json()
    [incident] = body["incidents"]
    assert "line 3: 'while a:'" in incident["message"], incident  # the loop that ran too long


def test_a_timer_expression_bomb_is_an_incident(client, login_as, deploy):
    deploy({"t.bpmn": intermediate_timer("t", "len(str(10**10**7))", kind="timeDate")})
    started = time.monotonic()
    r = _start(client, login_as("hr"), "t")
    assert time.monotonic() - started < 10
    assert r.status_code == 201
    [incident] = r.get_json()["incidents"]
    assert incident["element_id"] == "wait" and "a power of about 40,000,000 bits" in incident["message"]


@pytest.mark.parametrize("kind", sorted(NOT_JSON))
def test_task_data_that_is_not_json_is_an_incident_not_a_500(client, login_as, deploy, kind):
    deploy({"odd.bpmn": script_then_task("odd", escape(NOT_JSON[kind]))})
    r = _start(client, login_as("hr"), "odd")
    assert r.status_code == 201, r.get_data(as_text=True)
    body = r.get_json()
    assert body["status"] == "error"
    [incident] = body["incidents"]
    assert incident["element_id"] == "compute"
    assert f"'x' ({kind})" in incident["message"] and "task data must be JSON data" in incident["message"]


def test_rule_returns_a_copy_that_scripts_cannot_change(client, login_as, deploy):
    script = 'terms = rule("contract_term_years")\nterms.clear()\nafter = rule("contract_term_years")'
    deploy({"rules.bpmn": script_then_task("rules", escape(script))})
    first = _start(client, login_as("hr"), "rules").get_json()
    second = _start(client, login_as("hr"), "rules").get_json()
    assert first["status"] == "running", first
    assert first["data"]["terms"] == [] and first["data"]["after"] != []
    assert second["data"]["after"] == first["data"]["after"]


def test_ordinary_scripts_run_within_the_budget(client, login_as, deploy):
    script = ("total = sum(range(10000))\nnames = ','.join(str(i) for i in range(100))\n"
              "label = f'{3.14159:.2f}'\nbig = 2**200\nwhile total > 10:\n    total = total // 2")
    deploy({"fine.bpmn": script_then_task("fine", escape(script))})
    body = _start(client, login_as("hr"), "fine").get_json()
    assert body["status"] == "running", body
    assert body["data"]["label"] == "3.14" and body["data"]["big"] == 2**200


def test_the_budget_is_configurable(db_url, clock, login_as, users):
    app = create_app({"DATABASE_URL": db_url, "TESTING": True, "CLOCK": clock, "SCRIPT_OPERATIONS": 1000})
    try:
        client = app.test_client()
        headers = {"Authorization": f"Bearer {users.token('designer2', 'designer')}"}
        deploy_files(client, headers, {"loop.bpmn": script_then_task("loop", "x = [i for i in range(2000)]")})
        body = _start(client, headers, "loop").get_json()
        assert "more than 1,000 operations" in body["incidents"][0]["message"]
    finally:
        app.extensions["dmflow"].db.dispose()
