"""Starting, listing, reading and terminating instances through the API."""

from __future__ import annotations

from conftest import bundled_files

REP = "representative"


def _start(client, headers, **body):
    return client.post("/api/v1/instances", json={"process": "proposal_intake", **body}, headers=headers)


def test_start_runs_until_the_first_human_task(client, deploy, login_as):
    deploy(bundled_files("congress"))
    r = _start(client, login_as(REP), business_key="P-2026-001", data={"session": 3})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["status"] == "running" and body["version"] == 1 and body["business_key"] == "P-2026-001"
    assert [t["element_id"] for t in body["ready_tasks"]] == ["submit_proposal"]
    assert body["ready_tasks"][0]["lane"] == REP
    assert body["data"] == {"session": 3}


def test_start_unknown_process_or_version_is_404(client, deploy, login_as):
    deploy(bundled_files("congress"))
    r = client.post("/api/v1/instances", json={"process": "nope"}, headers=login_as(REP))
    assert r.status_code == 404 and "nope" in r.get_json()["message"]
    r = _start(client, login_as(REP), version=7)
    assert r.status_code == 404 and "version 7" in r.get_json()["message"]


def test_start_body_is_validated(client, login_as):
    r = client.post("/api/v1/instances", json={"data": "x", "extra": 1}, headers=login_as(REP))
    assert r.status_code == 422
    errors = r.get_json()["errors"]["json"]
    assert {"process", "data", "extra"} <= set(errors)


def test_auditor_cannot_start_an_instance(client, deploy, login_as):
    deploy(bundled_files("congress"))
    r = _start(client, login_as("auditor"))
    assert r.status_code == 403 and r.get_json()["code"] == 403


def test_list_filters_by_process_status_and_business_key_with_pagination(client, deploy, login_as):
    deploy(bundled_files("congress"))
    rep = login_as(REP)
    ids = [_start(client, rep, business_key=f"K{i}").get_json()["id"] for i in range(5)]
    page = client.get("/api/v1/instances?per_page=2&page=1", headers=rep).get_json()
    assert page["total"] == 5 and len(page["items"]) == 2
    page3 = client.get("/api/v1/instances?per_page=2&page=3", headers=rep).get_json()
    assert len(page3["items"]) == 1
    seen = {i["id"] for p in (1, 2, 3)
            for i in client.get(f"/api/v1/instances?per_page=2&page={p}", headers=rep).get_json()["items"]}
    assert seen == set(ids)
    by_key = client.get("/api/v1/instances?business_key=K3", headers=rep).get_json()
    assert [i["id"] for i in by_key["items"]] == [ids[3]]
    assert client.get("/api/v1/instances?status=completed", headers=rep).get_json()["total"] == 0
    assert client.get("/api/v1/instances?process=proposal_intake&status=running",
                      headers=rep).get_json()["total"] == 5
    assert client.get("/api/v1/instances?status=bogus", headers=rep).status_code == 422


def test_unknown_instance_is_404_with_error_shape(client, login_as):
    r = client.get("/api/v1/instances/does-not-exist", headers=login_as(REP))
    assert r.status_code == 404
    assert r.get_json() == {"code": 404, "status": "Not Found",
                            "message": "instance 'does-not-exist' does not exist"}


def test_terminate_cancels_open_tasks_and_is_audited(client, deploy, login_as):
    deploy(bundled_files("congress"))
    iid = _start(client, login_as(REP)).get_json()["id"]
    assert client.post(f"/api/v1/instances/{iid}/terminate", json={"reason": "x"},
                       headers=login_as(REP)).status_code == 403
    r = client.post(f"/api/v1/instances/{iid}/terminate", json={"reason": "重复提交"}, headers=login_as("admin"))
    assert r.status_code == 200
    assert r.get_json()["status"] == "terminated" and r.get_json()["ready_tasks"] == []
    assert client.get("/api/v1/tasks", headers=login_as(REP)).get_json()["items"] == []
    again = client.post(f"/api/v1/instances/{iid}/terminate", json={"reason": "x"}, headers=login_as("admin"))
    assert again.status_code == 409
    history = client.get(f"/api/v1/instances/{iid}/history", headers=login_as("auditor")).get_json()
    terminated = [e for e in history if e["type"] == "instance.terminated"]
    assert terminated and terminated[0]["payload"] == {"reason": "重复提交"} and terminated[0]["actor"] == "user_admin"
    assert any(e["type"] == "task.cancelled" and e["payload"]["element_id"] == "submit_proposal" for e in history)


def test_terminate_needs_a_reason(client, deploy, login_as):
    deploy(bundled_files("congress"))
    iid = _start(client, login_as(REP)).get_json()["id"]
    r = client.post(f"/api/v1/instances/{iid}/terminate", json={"reason": ""}, headers=login_as("admin"))
    assert r.status_code == 422 and "reason" in r.get_json()["errors"]["json"]


def test_only_those_involved_may_read_a_case(client, deploy, login_as, users):
    deploy(bundled_files("congress"))
    iid = _start(client, login_as(REP)).get_json()["id"]
    outsider = users.headers("outsider", "hr")
    assert client.get(f"/api/v1/instances/{iid}", headers=outsider).status_code == 403
    assert client.get(f"/api/v1/instances/{iid}/history", headers=outsider).status_code == 403
    assert client.get("/api/v1/instances", headers=outsider).get_json()["total"] == 0
    for allowed in (login_as(REP), login_as("auditor"), login_as("admin")):
        assert client.get(f"/api/v1/instances/{iid}", headers=allowed).status_code == 200
        assert client.get("/api/v1/instances", headers=allowed).get_json()["total"] == 1
    # A draft is its starter's: another representative and the committee see it once it reaches them.
    committee, other_rep = login_as("proposal_committee"), users.headers("other_rep", REP)
    for reader in (committee, other_rep):
        assert client.get(f"/api/v1/instances/{iid}", headers=reader).status_code == 403
    task_id = client.get(f"/api/v1/instances/{iid}", headers=login_as(REP)).get_json()["ready_tasks"][0]["id"]
    client.post(f"/api/v1/tasks/{task_id}/complete", headers=login_as(REP),
                json={"data": {"title": "食堂扩建", "reason": "排队", "measures": "加窗口"}})
    assert client.get(f"/api/v1/instances/{iid}", headers=committee).status_code == 200
    assert client.get("/api/v1/instances", headers=committee).get_json()["total"] == 1
    assert client.get(f"/api/v1/instances/{iid}", headers=other_rep).status_code == 403
