"""Service tasks call registered handlers inside the step; unknown operators are refused at deployment."""

from __future__ import annotations

from helpers.bpmn import service_call


def test_service_task_gets_the_engine_clock_time(client, deploy, login_as, clock):
    assert deploy({"s.bpmn": service_call("stamped", "time.now")}).status_code == 201
    body = client.post("/api/v1/instances", json={"process": "stamped"}, headers=login_as("hr")).get_json()
    assert body["status"] == "running"
    assert body["data"]["result"] == clock.now().isoformat()


def test_unknown_service_operator_is_refused_at_deployment(deploy):
    r = deploy({"s.bpmn": service_call("bad_call", "nobody.knows")})
    assert r.status_code == 422
    [where] = r.get_json()["errors"]["diagram"]
    assert where["element_id"] == "call" and "nobody.knows" in where["reason"] and where["line"]


def test_service_parameters_are_compiled_in_the_sandbox(deploy):
    param = '<spiffworkflow:parameter id="x" type="str" value="__import__(&quot;os&quot;)"/>'
    r = deploy({"s.bpmn": service_call("bad_param", "time.now", param)})
    assert r.status_code == 422 and r.get_json()["errors"]["diagram"][0]["element_id"] == "call"
