"""Messages and signals from outside reach exactly the instances waiting for them."""

from __future__ import annotations

from helpers.bpmn import correlated_wait, message_start, message_thrower, signal_wait

LIAISON = "liaison"


def _start(client, login_as, process, data):
    r = client.post("/api/v1/instances", json={"process": process, "data": data}, headers=login_as("union_chair"))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _detail(client, login_as, iid):
    return client.get(f"/api/v1/instances/{iid}", headers=login_as("auditor")).get_json()


def _send(client, login_as, name, correlation, data=None, role=LIAISON):
    return client.post("/api/v1/messages", headers=login_as(role),
                       json={"name": name, "correlation": correlation, "data": data or {}})


def test_message_reaches_exactly_the_instance_with_that_correlation(client, deploy, login_as):
    assert deploy({"review.bpmn": correlated_wait("contract_review")}).status_code == 201
    ids = {f"C-{n}": _start(client, login_as, "contract_review", {"contract_id": f"C-{n}"}) for n in range(1, 21)}
    r = _send(client, login_as, "contract.objection", {"contract_id": "C-7"}, {"clauses": ["第5条"]})
    assert r.status_code == 200 and r.get_json()["delivered"] == [ids["C-7"]]
    target = _detail(client, login_as, ids["C-7"])
    assert [t["element_id"] for t in target["ready_tasks"]] == ["renegotiate"]
    assert target["data"]["objection"]["clauses"] == ["第5条"]
    others = [_detail(client, login_as, i) for k, i in ids.items() if k != "C-7"]
    assert all(o["ready_tasks"] == [] and o["status"] == "running" for o in others)
    history = client.get(f"/api/v1/instances/{ids['C-7']}/history", headers=login_as("auditor")).get_json()
    received = [e for e in history if e["type"] == "message.received"]
    assert received[0]["payload"]["correlation"] == {"contract_id": "C-7"} and received[0]["actor"] == "user_liaison"


def test_wrong_correlation_is_404_and_changes_nothing(client, deploy, login_as):
    deploy({"review.bpmn": correlated_wait("contract_review")})
    iid = _start(client, login_as, "contract_review", {"contract_id": "C-1"})
    before = client.get(f"/api/v1/instances/{iid}/history", headers=login_as("auditor")).get_json()
    for name, correlation in (("contract.objection", {"contract_id": "C-2"}), ("contract.objection", {}),
                              ("other.message", {"contract_id": "C-1"})):
        r = _send(client, login_as, name, correlation)
        assert r.status_code == 404, (name, correlation)
        assert "no instance waits" in r.get_json()["message"]
    assert client.get(f"/api/v1/instances/{iid}/history", headers=login_as("auditor")).get_json() == before


def test_a_message_is_taken_once(client, deploy, login_as):
    deploy({"review.bpmn": correlated_wait("contract_review")})
    _start(client, login_as, "contract_review", {"contract_id": "C-1"})
    assert _send(client, login_as, "contract.objection", {"contract_id": "C-1"}).status_code == 200
    assert _send(client, login_as, "contract.objection", {"contract_id": "C-1"}).status_code == 404


def test_messages_need_an_operator_role(client, deploy, login_as):
    deploy({"review.bpmn": correlated_wait("contract_review")})
    assert _send(client, login_as, "contract.objection", {"contract_id": "C-1"}, role="representative").status_code \
        == 403
    assert client.post("/api/v1/messages", json={"correlation": {}}, headers=login_as(LIAISON)).status_code == 422


def test_message_start_event_starts_a_new_instance(client, deploy, login_as):
    deploy({"request.bpmn": message_start("negotiation_request", "contract.request")})
    r = _send(client, login_as, "contract.request", {}, {"topics": ["工资调整"], "side": "union"})
    assert r.status_code == 200
    [iid] = r.get_json()["delivered"]
    body = _detail(client, login_as, iid)
    assert body["process_id"] == "negotiation_request"
    assert [t["element_id"] for t in body["ready_tasks"]] == ["reply"]
    assert body["data"]["request"]["topics"] == ["工资调整"]


def test_message_thrown_by_one_process_reaches_the_waiting_instance_of_another(client, deploy, login_as):
    deploy({"review.bpmn": correlated_wait("contract_review"), "bureau.bpmn": message_thrower("bureau_review")})
    waiting = _start(client, login_as, "contract_review", {"contract_id": "C-9"})
    bystander = _start(client, login_as, "contract_review", {"contract_id": "C-8"})
    bureau = _start(client, login_as, "bureau_review", {"contract_id": "C-9", "clauses": ["第12条"]})
    [task] = _detail(client, login_as, bureau)["ready_tasks"]
    r = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {}}, headers=login_as("union_chair"))
    assert r.status_code == 200 and r.get_json()["status"] == "completed"
    target = _detail(client, login_as, waiting)
    assert [t["element_id"] for t in target["ready_tasks"]] == ["renegotiate"]
    assert target["data"]["objection"]["clauses"] == ["第12条"]
    assert _detail(client, login_as, bystander)["ready_tasks"] == []
    history = client.get(f"/api/v1/instances/{bureau}/history", headers=login_as("auditor")).get_json()
    thrown = [e for e in history if e["type"] == "message.thrown"]
    assert thrown and thrown[0]["payload"]["delivered_to"] == [waiting]


def test_signal_reaches_every_waiting_instance(client, deploy, login_as):
    deploy({"s.bpmn": signal_wait("shutdown_notice", "factory.closed")})
    ids = [_start(client, login_as, "shutdown_notice", {}) for _ in range(3)]
    client.post(f"/api/v1/instances/{ids[2]}/suspend", json={"reason": "核查"}, headers=login_as("admin"))
    r = client.post("/api/v1/signals", json={"name": "factory.closed", "data": {"date": "2026-04-01"}},
                    headers=login_as(LIAISON))
    assert r.status_code == 200
    assert sorted(r.get_json()["delivered"]) == sorted(ids[:2])
    assert r.get_json()["skipped"][0]["instance_id"] == ids[2]
    for iid in ids[:2]:
        assert [t["element_id"] for t in _detail(client, login_as, iid)["ready_tasks"]] == ["after"]
    nobody = client.post("/api/v1/signals", json={"name": "nothing"}, headers=login_as(LIAISON))
    assert nobody.status_code == 200 and nobody.get_json()["delivered"] == []


def test_message_reaches_a_wait_inside_an_embedded_subprocess(client, deploy, login_as):
    from helpers.bpmn import correlated_wait_in_subprocess

    assert deploy({"sub.bpmn": correlated_wait_in_subprocess("staged_review")}).status_code == 201
    ids = {n: _start(client, login_as, "staged_review", {"contract_id": f"C-{n}"}) for n in (1, 2)}
    r = _send(client, login_as, "contract.objection", {"contract_id": "C-2"}, {"clauses": ["第3条"]})
    assert r.status_code == 200 and r.get_json()["delivered"] == [ids[2]]
    assert [t["element_id"] for t in _detail(client, login_as, ids[2])["ready_tasks"]] == ["renegotiate"]
    assert _detail(client, login_as, ids[1])["ready_tasks"] == []
