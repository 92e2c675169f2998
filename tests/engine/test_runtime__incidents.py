"""Failing scripts and runaway loops become incidents on the instance, never a 500 or a false completion."""

from __future__ import annotations

import pytest

from helpers.bpmn import revise_loop, script_then_task


def test_script_error_at_run_time_puts_instance_in_error_with_incident(client, deploy, login_as):
    r = deploy({"divide.bpmn": script_then_task("divide", "share = total / count")})
    assert r.status_code == 201, r.get_json()
    r = client.post("/api/v1/instances", json={"process": "divide", "data": {"total": 10, "count": 0}},
                    headers=login_as("hr"))
    assert r.status_code == 201
    body = r.get_json()
    assert body["status"] == "error" and body["ready_tasks"] == []
    [incident] = body["incidents"]
    assert incident["element_id"] == "compute" and incident["status"] == "open"
    assert "ZeroDivisionError" in incident["message"] or "division by zero" in incident["message"]
    history = client.get(f"/api/v1/instances/{body['id']}/history", headers=login_as("auditor")).get_json()
    raised = [e for e in history if e["type"] == "incident.raised"]
    assert raised and raised[0]["payload"]["element_id"] == "compute"


def test_script_that_succeeds_reaches_the_human_task(client, deploy, login_as):
    deploy({"divide.bpmn": script_then_task("divide", "share = total / count")})
    body = client.post("/api/v1/instances", json={"process": "divide", "data": {"total": 10, "count": 4}},
                       headers=login_as("hr")).get_json()
    assert body["status"] == "running" and body["data"]["share"] == 2.5
    assert [t["element_id"] for t in body["ready_tasks"]] == ["review"]


@pytest.fixture
def shallow_app_client(db_url, clock):
    from api import create_app

    app = create_app({"DATABASE_URL": db_url, "TESTING": True, "CLOCK": clock, "MAX_TREE_DEPTH": 25})
    yield app.test_client(), app
    app.extensions["dmflow"].db.dispose()


def test_instance_past_the_depth_limit_gets_an_incident_not_a_false_completion(shallow_app_client):
    client, app = shallow_app_client
    from conftest import Users, deploy_files

    users = Users(app.extensions["dmflow"])
    designer, worker = users.headers("d", "designer"), users.headers("w", "clerk")
    assert deploy_files(client, designer, {"loop.bpmn": revise_loop("loop")}).status_code == 201
    body = client.post("/api/v1/instances", json={"process": "loop"}, headers=worker).get_json()
    iid = body["id"]
    for _ in range(40):
        if body["status"] != "running":
            break
        [task] = body["ready_tasks"]
        body = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"again": True}},
                           headers=worker).get_json()
    assert body["status"] == "error", body
    assert "depth" in body["incidents"][0]["message"]
    assert client.get(f"/api/v1/instances/{iid}", headers=worker).get_json()["status"] != "completed"
