"""Incidents, data fixes and retries, suspend and resume: operations on instances, all audited."""

from __future__ import annotations

from engine.worker import run_once

from helpers.bpmn import correlated_wait, intermediate_timer, script_then_task

ADMIN = "admin"


def _broken(client, deploy, login_as):
    deploy({"divide.bpmn": script_then_task("divide", "share = total / count")})
    r = client.post("/api/v1/instances", json={"process": "divide", "data": {"total": 10, "count": 0}},
                    headers=login_as("hr"))
    return r.get_json()


def _history(client, login_as, iid):
    return client.get(f"/api/v1/instances/{iid}/history", headers=login_as("auditor")).get_json()


def test_script_error_incident_is_listed_and_retry_after_data_fix_completes(client, deploy, login_as):
    body = _broken(client, deploy, login_as)
    iid = body["id"]
    [incident] = client.get("/api/v1/incidents", headers=login_as("auditor")).get_json()
    assert incident["instance_id"] == iid and incident["element_id"] == "compute"
    fixed = client.patch(f"/api/v1/instances/{iid}/data", json={"data": {"count": 4}}, headers=login_as(ADMIN))
    assert fixed.status_code == 200 and fixed.get_json()["data"]["count"] == 4
    r = client.post(f"/api/v1/incidents/{incident['id']}/retry", headers=login_as(ADMIN))
    assert r.status_code == 200 and r.get_json()["status"] == "resolved"
    after = client.get(f"/api/v1/instances/{iid}", headers=login_as("auditor")).get_json()
    assert after["status"] == "running" and after["data"]["share"] == 2.5
    [task] = after["ready_tasks"]
    done = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {}}, headers=login_as("hr"))
    assert done.get_json()["status"] == "completed"
    types = [e["type"] for e in _history(client, login_as, iid)]
    assert types.index("incident.raised") < types.index("instance.data_patched") < types.index("incident.retried")
    patched = next(e for e in _history(client, login_as, iid) if e["type"] == "instance.data_patched")
    assert patched["payload"] == {"old": {"count": 0}, "new": {"count": 4}} and patched["actor"] == "user_admin"
    assert client.get("/api/v1/incidents", headers=login_as("auditor")).get_json() == []
    resolved = client.get("/api/v1/incidents?status=resolved", headers=login_as("auditor")).get_json()
    assert [i["id"] for i in resolved] == [incident["id"]]


def test_retry_without_a_fix_raises_a_new_incident(client, deploy, login_as):
    body = _broken(client, deploy, login_as)
    incident = body["incidents"][0]
    r = client.post(f"/api/v1/incidents/{incident['id']}/retry", headers=login_as(ADMIN))
    assert r.status_code == 200
    after = client.get(f"/api/v1/instances/{body['id']}", headers=login_as("auditor")).get_json()
    assert after["status"] == "error" and len(after["incidents"]) == 1 and after["incidents"][0]["id"] != incident["id"]
    again = client.post(f"/api/v1/incidents/{incident['id']}/retry", headers=login_as(ADMIN))
    assert again.status_code == 409


def test_operations_are_for_admins(client, deploy, login_as):
    body = _broken(client, deploy, login_as)
    iid, incident = body["id"], body["incidents"][0]["id"]
    hr = login_as("hr")
    assert client.patch(f"/api/v1/instances/{iid}/data", json={"data": {"count": 1}}, headers=hr).status_code == 403
    assert client.post(f"/api/v1/incidents/{incident}/retry", headers=hr).status_code == 403
    assert client.get("/api/v1/incidents", headers=hr).status_code == 403
    assert client.post("/api/v1/incidents/999/retry", headers=login_as(ADMIN)).status_code == 404
    assert client.patch(f"/api/v1/instances/{iid}/data", json={"data": {}}, headers=login_as(ADMIN)).status_code == 422


def test_suspended_instance_accepts_no_completion_message_or_timer(client, deploy, login_as, services, clock):
    deploy({"review.bpmn": correlated_wait("contract_review"), "wait.bpmn": intermediate_timer("timed", "PT1H")})
    waiting = client.post("/api/v1/instances", json={"process": "contract_review", "data": {"contract_id": "C-1"}},
                          headers=login_as("hr")).get_json()["id"]
    timed = client.post("/api/v1/instances", json={"process": "timed"}, headers=login_as("hr")).get_json()["id"]
    for iid in (waiting, timed):
        r = client.post(f"/api/v1/instances/{iid}/suspend", json={"reason": "审计核查"}, headers=login_as(ADMIN))
        assert r.status_code == 200 and r.get_json()["status"] == "suspended"
    msg = client.post("/api/v1/messages", json={"name": "contract.objection", "correlation": {"contract_id": "C-1"}},
                      headers=login_as("liaison"))
    assert msg.status_code == 409 and "suspended" in msg.get_json()["message"]
    clock.advance(hours=2)
    assert run_once(services.uow).timers_fired == []
    assert client.post(f"/api/v1/instances/{timed}/suspend", json={}, headers=login_as(ADMIN)).status_code == 409
    r = client.post(f"/api/v1/instances/{timed}/resume", headers=login_as(ADMIN))
    assert r.status_code == 200 and r.get_json()["status"] == "running"
    assert [t["element_id"] for t in r.get_json()["ready_tasks"]] == ["after"]  # the timer due meanwhile fired
    types = [e["type"] for e in _history(client, login_as, timed)]
    assert types.index("instance.suspended") < types.index("instance.resumed") < types.index("timer.fired")


def test_suspended_instance_refuses_task_completion(client, deploy, login_as):
    deploy({"divide.bpmn": script_then_task("divide", "share = total / count")})
    body = client.post("/api/v1/instances", json={"process": "divide", "data": {"total": 1, "count": 1}},
                       headers=login_as("hr")).get_json()
    client.post(f"/api/v1/instances/{body['id']}/suspend", json={}, headers=login_as(ADMIN))
    task = body["ready_tasks"][0]
    r = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {}}, headers=login_as("hr"))
    assert r.status_code == 409 and "suspended" in r.get_json()["message"]
