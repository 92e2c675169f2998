"""A business key unique per process where the diagram declares it (process property businessKeyUnique):
a second start with the key is a 409 naming the existing case, enforced by a unique index in the database."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from engine.models import Instance

from helpers.bpmn import script_then_task

UNIQUE = ('<bpmn:extensionElements><spiffworkflow:properties>'
          '<spiffworkflow:property name="businessKeyUnique" value="true"/>'
          '</spiffworkflow:properties></bpmn:extensionElements>')


def _unique(pid: str) -> bytes:
    source = script_then_task(pid, "y = 1").decode()
    return source.replace(f'<bpmn:process id="{pid}" isExecutable="true">',
                          f'<bpmn:process id="{pid}" isExecutable="true">{UNIQUE}').encode()


def _start(client, headers, process="contract_case", key="2026-集体合同-001"):
    return client.post("/api/v1/instances", json={"process": process, "business_key": key}, headers=headers)


def test_a_second_case_with_a_declared_unique_business_key_is_a_409_naming_the_first(client, deploy, login_as):
    assert deploy({"case.bpmn": _unique("contract_case")}).status_code == 201
    first = _start(client, login_as("hr"))
    assert first.status_code == 201
    second = _start(client, login_as("union_chair"))
    body = second.get_json()
    assert second.status_code == 409 and first.get_json()["id"] in body["message"]
    assert body["errors"]["existing_instance"] == [first.get_json()["id"]]
    assert _start(client, login_as("hr"), key="2026-集体合同-002").status_code == 201  # another key
    assert client.post("/api/v1/instances", json={"process": "contract_case"},
                       headers=login_as("hr")).status_code == 201  # no key: nothing to collide


def test_processes_that_do_not_declare_it_accept_repeated_keys(client, deploy, login_as):
    assert deploy({"calc.bpmn": script_then_task("calc", "y = 1")}).status_code == 201
    assert _start(client, login_as("hr"), "calc").status_code == 201
    assert _start(client, login_as("hr"), "calc").status_code == 201


def test_a_terminated_case_frees_its_key(client, deploy, login_as):
    assert deploy({"case.bpmn": _unique("contract_case")}).status_code == 201
    first = _start(client, login_as("hr")).get_json()
    ended = client.post(f"/api/v1/instances/{first['id']}/terminate", json={"reason": "录入错误"},
                        headers=login_as("admin"))
    assert ended.status_code == 200
    assert _start(client, login_as("hr")).status_code == 201


def test_concurrent_starts_with_one_key_cannot_both_win(app, deploy, login_as):
    assert deploy({"case.bpmn": _unique("contract_case")}).status_code == 201
    headers, barrier, codes = login_as("hr"), threading.Barrier(4), []

    def run():
        barrier.wait()
        codes.append(_start(app.test_client(), headers).status_code)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(codes) == [201, 409, 409, 409]
    listed = app.test_client().get("/api/v1/instances?process=contract_case", headers=login_as("auditor"))
    assert listed.get_json()["total"] == 1


def test_the_index_itself_refuses_a_second_live_case(services, deploy, client, login_as):
    """The database, not only the check before the insert, keeps the key unique."""
    assert deploy({"case.bpmn": _unique("contract_case")}).status_code == 201
    first = _start(client, login_as("hr")).get_json()
    other = _start(client, login_as("hr"), key="other").get_json()
    unit = services.uow()
    with unit, pytest.raises(IntegrityError):
        unit.session.execute(update(Instance).where(Instance.id == other["id"])
                             .values(unique_business_key="2026-集体合同-001"))
        unit.session.flush()
    assert first["id"] != other["id"]
