"""Safe retries: a create sent again with the same Idempotency-Key answers the first result, creating nothing."""

from __future__ import annotations

import hashlib
import json
import re
import threading

from sqlalchemy import select

from engine.models import IdempotencyRecord

from helpers.api import bundled_files
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


def _creates(spec: dict) -> list[str]:
    """Every operation that creates something: the POSTs documenting 201 Created."""
    return sorted(path for path, ops in spec["paths"].items()
                  if "post" in ops and "201" in ops["post"]["responses"])


def test_every_create_in_the_openapi_document_honours_the_header(app, client, services, login_as):
    """Each create answers a planted first result for its key (method, path and body fingerprinted) instead of
    running again; so a retry of any create, whatever it creates, cannot create twice."""
    spec = client.get("/api/v1/openapi.json").get_json()
    creates = _creates(spec)
    assert len(creates) >= 30 and "/api/v1/instances" in creates and "/api/v1/casework/hardship" in creates
    headers = login_as("admin")
    for number, template in enumerate(creates):
        params = spec["paths"][template]["post"]["parameters"]
        assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in params), template
        dates = {p["name"] for p in params if p["in"] == "path" and p.get("schema", {}).get("format") == "date"}
        path = re.sub(r"\{([^}]+)\}", lambda m, dates=dates: "2026-01-01" if m.group(1) in dates else "1", template)
        assert app.url_map.bind("localhost").match(path, method="POST"), template  # a real route
        body = json.dumps({"n": number}).encode()
        digest = hashlib.sha256(f"POST {path}\n".encode())
        digest.update(body)
        unit = services.uow()
        with unit:
            unit.session.add(IdempotencyRecord(actor="user_admin", key=f"planted-{number}",
                                               fingerprint=digest.hexdigest(), status=201,
                                               response=json.dumps({"planted": number}), created_at=unit.now()))
            unit.commit()
        answer = client.post(path, data=body, content_type="application/json",
                             headers=headers | {"Idempotency-Key": f"planted-{number}"})
        assert (answer.status_code, answer.get_json()) == (201, {"planted": number}), template
        assert answer.headers["Idempotent-Replayed"] == "true"


def _retried(client, path, headers, body, key):
    first = client.post(path, json=body, headers=headers | {"Idempotency-Key": key})
    again = client.post(path, json=body, headers=headers | {"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201, first.get_json()
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    return first.get_json()


def test_retried_creates_of_users_organisations_and_casework_create_once(client, deploy, users, login_as):
    assert deploy(bundled_files("casework")).status_code == 201
    admin, worker = login_as("admin"), users.headers("worker1")
    _retried(client, "/api/v1/users", admin, {"username": "li", "roles": ["hr"]}, "u-1")
    assert [u["username"] for u in client.get("/api/v1/users", headers=admin).get_json()
            if u["username"] == "li"] == ["li"]
    _retried(client, "/api/v1/congress/organisations", admin, {"name": "一厂", "headcount": 300}, "o-1")
    assert len(client.get("/api/v1/congress/organisations", headers=admin).get_json()) == 1
    application = {"facts": "2026年1月被解除劳动合同，未支付经济补偿金。", "hardship": "家庭收入低于低保标准。"}
    case = _retried(client, "/api/v1/casework/legal-aid", worker, application, "la-1")
    mine = client.get("/api/v1/casework/legal-aid", headers=worker).get_json()
    items = mine["items"] if isinstance(mine, dict) else mine
    assert [c["id"] for c in items] == [case["id"]]


def test_a_claim_whose_create_committed_without_an_answer_is_a_409_naming_it(client, services, deploy, login_as):
    """A server killed between the commit and the answer leaves the key marked committed: the retry is told the
    first request was carried out (409), never run again."""
    deploy({"calc.bpmn": script_then_task("calc", "y = 1")})
    _start(client, login_as("hr"), key="k-7")
    unit = services.uow()
    with unit:
        row = unit.session.get(IdempotencyRecord, ("user_hr", "k-7"))
        row.status, row.response = -1, ""
        unit.commit()
    again = _start(client, login_as("hr"), key="k-7")
    assert again.status_code == 409 and "已经执行" in again.get_json()["message"]
    assert _count(client, login_as) == 1


def test_the_worker_forgets_keys_past_their_retention_and_keeps_the_recent_ones(client, clock, runner, deploy,
                                                                                login_as):
    from api.cli import main

    deploy({"calc.bpmn": script_then_task("calc", "y = 1")})
    first = _start(client, login_as("hr"), key="old").get_json()
    clock.advance(hours=23)
    _start(client, login_as("hr"), key="recent", business_key="2026-002")
    clock.advance(hours=2)  # "old" is 25 hours old, "recent" 2 hours
    result = runner.invoke(main, ["worker", "--once"])
    assert result.exit_code == 0 and "forgot 1 idempotency keys" in result.stdout
    replayed = _start(client, login_as("hr"), key="recent", business_key="2026-002")
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    anew = _start(client, login_as("hr"), key="old", business_key="2026-003")  # forgotten: a new request
    assert anew.status_code == 201 and "Idempotent-Replayed" not in anew.headers
    assert anew.get_json()["id"] != first["id"] and _count(client, login_as) == 3
