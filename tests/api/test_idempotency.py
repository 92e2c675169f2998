"""Safe retries: a create sent again with the same Idempotency-Key answers the first result, creating nothing."""

from __future__ import annotations

import json
import threading

from sqlalchemy import select

from engine.models import IdempotencyRecord

from helpers.bpmn import script_then_task


def _start(client, headers, key=None, business_key="2026-001"):
    extra = {"Idempotency-Key": key} if key else {}
    return client.post("/api/v1/instances", json={"process": "calc", "business_key": business_key},
                       headers=headers | extra)


def _count(client, login_as):
    return client.get("/api/v1/instances?process=calc", headers=login_as("auditor")).get_json()["total"]


def test_a_retry_with_the_same_key_answers_the_first_result_and_creates_nothing(client, deploy, login_as):
    deploy({"calc.bpmn": script_then_task("calc", "y = 1")})
    first = _start(client, login_as("hr"), key="k-1")
    again = _start(client, login_as("hr"), key="k-1")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert _count(client, login_as) == 1
    assert _start(client, login_as("hr")).status_code == 201 and _count(client, login_as) == 2  # no key


def test_the_first_answer_is_stored_in_the_create_transaction(client, services, deploy, login_as):
    deploy({"calc.bpmn": script_then_task("calc", "y = 1")})
    body = _start(client, login_as("hr"), key="k-2").get_json()
    unit = services.uow(readonly=True)
    with unit:
        row = unit.session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.key == "k-2"))
    assert row.actor == "user_hr" and row.status == 201 and json.loads(row.response)["id"] == body["id"]


def test_a_key_reused_for_another_request_is_a_422(client, deploy, login_as):
    deploy({"calc.bpmn": script_then_task("calc", "y = 1")})
    _start(client, login_as("hr"), key="k-3")
    other = _start(client, login_as("hr"), key="k-3", business_key="2026-002")
    assert other.status_code == 422 and "Idempotency-Key" in other.get_json()["errors"]
    assert _count(client, login_as) == 1


def test_keys_belong_to_their_caller(client, deploy, login_as):
    deploy({"calc.bpmn": script_then_task("calc", "y = 1")})
    mine, theirs = _start(client, login_as("hr"), key="k-4"), _start(client, login_as("union_chair"), key="k-4")
    assert mine.get_json()["id"] != theirs.get_json()["id"] and _count(client, login_as) == 2


def test_a_failed_create_stores_no_key_and_can_be_retried(client, deploy, login_as):
    assert _start(client, login_as("hr"), key="k-5").status_code == 404  # not deployed yet
    deploy({"calc.bpmn": script_then_task("calc", "y = 1")})
    assert _start(client, login_as("hr"), key="k-5").status_code == 201


def test_two_racing_requests_with_one_key_create_one_instance(app, deploy, login_as):
    deploy({"calc.bpmn": script_then_task("calc", "y = 1")})
    headers, barrier, codes = login_as("hr"), threading.Barrier(2), []

    def run():
        barrier.wait()
        codes.append(_start(app.test_client(), headers, key="k-6").status_code)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert 201 in codes and set(codes) <= {201, 409}
    assert _count(app.test_client(), login_as) == 1
    assert _start(app.test_client(), headers, key="k-6").status_code == 201


def test_the_header_is_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    params = spec["paths"]["/api/v1/instances"]["post"]["parameters"]
    assert [p["in"] for p in params if p["name"] == "Idempotency-Key"] == ["header"]
