"""The task inbox, reading a task with its form, and completing tasks with validation and role checks."""

from __future__ import annotations

from conftest import bundled_files

REP, COMMITTEE = "representative", "proposal_committee"
GOOD = {"title": "食堂扩建", "reason": "午餐排队太久", "measures": "增加窗口"}


def _started(client, deploy, login_as):
    deploy(bundled_files("congress"))
    body = client.post("/api/v1/instances", json={"process": "proposal_intake"}, headers=login_as(REP)).get_json()
    return body["id"], body["ready_tasks"][0]["id"]


def test_inbox_lists_only_tasks_of_the_callers_roles(client, deploy, login_as):
    _, task_id = _started(client, deploy, login_as)
    assert [t["id"] for t in client.get("/api/v1/tasks", headers=login_as(REP)).get_json()["items"]] == [task_id]
    assert client.get("/api/v1/tasks", headers=login_as(COMMITTEE)).get_json()["items"] == []


def test_all_tasks_only_for_admins_and_auditors(client, deploy, login_as):
    _, task_id = _started(client, deploy, login_as)
    for role in ("admin", "auditor"):
        r = client.get("/api/v1/tasks?all=true", headers=login_as(role))
        assert r.status_code == 200 and [t["id"] for t in r.get_json()["items"]] == [task_id]
    r = client.get("/api/v1/tasks?all=true", headers=login_as(REP))
    assert r.status_code == 403 and "admins and auditors" in r.get_json()["message"]


def test_task_detail_has_form_schema_ui_schema_and_data(client, deploy, login_as):
    _, task_id = _started(client, deploy, login_as)
    r = client.get(f"/api/v1/tasks/{task_id}", headers=login_as(REP))
    assert r.status_code == 200
    body = r.get_json()
    assert body["form"] == "proposal_intake.submit.schema.json"
    assert body["form_schema"]["required"] == ["title", "reason", "measures"]
    assert "ui:order" in body["ui_schema"]
    assert body["name"] == "提交提案" and body["state"] == "ready" and body["data"] == {}
    assert client.get(f"/api/v1/tasks/{task_id}", headers=login_as(COMMITTEE)).status_code == 403
    assert client.get(f"/api/v1/tasks/{task_id}", headers=login_as("auditor")).status_code == 200
    assert client.get("/api/v1/tasks/unknown", headers=login_as(REP)).status_code == 404


def test_invalid_form_data_is_422_with_one_error_per_field_and_changes_nothing(client, deploy, login_as):
    iid, task_id = _started(client, deploy, login_as)
    before = client.get(f"/api/v1/instances/{iid}/history", headers=login_as("auditor")).get_json()
    r = client.post(f"/api/v1/tasks/{task_id}/complete", headers=login_as(REP),
                    json={"data": {"title": "x", "cosigners": ["A1", "A1"], "colour": "red"}})
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert set(errors) == {"title", "reason", "measures", "cosigners", "colour"}
    assert all(isinstance(v, list) and v for v in errors.values())
    assert client.get(f"/api/v1/instances/{iid}/history", headers=login_as("auditor")).get_json() == before
    assert client.get(f"/api/v1/tasks/{task_id}", headers=login_as(REP)).get_json()["state"] == "ready"


def test_conditional_requirement_in_form_is_enforced(client, deploy, login_as):
    iid, task_id = _started(client, deploy, login_as)
    client.post(f"/api/v1/tasks/{task_id}/complete", headers=login_as(REP), json={"data": GOOD})
    screen = client.get("/api/v1/tasks", headers=login_as(COMMITTEE)).get_json()["items"][0]
    r = client.post(f"/api/v1/tasks/{screen['id']}/complete", headers=login_as(COMMITTEE),
                    json={"data": {"decision": "reject"}})
    assert r.status_code == 422 and list(r.get_json()["errors"]) == ["screening_reason"]


def test_wrong_role_is_403_and_auditor_cannot_complete(client, deploy, login_as):
    _, task_id = _started(client, deploy, login_as)
    for role in (COMMITTEE, "auditor", "admin"):
        r = client.post(f"/api/v1/tasks/{task_id}/complete", headers=login_as(role), json={"data": GOOD})
        assert r.status_code == 403, role
        assert "representative" in r.get_json()["message"]


def test_completed_task_cannot_be_completed_again(client, deploy, login_as):
    _, task_id = _started(client, deploy, login_as)
    assert client.post(f"/api/v1/tasks/{task_id}/complete", headers=login_as(REP),
                       json={"data": GOOD}).status_code == 200
    r = client.post(f"/api/v1/tasks/{task_id}/complete", headers=login_as(REP), json={"data": GOOD})
    assert r.status_code == 409
    assert r.get_json()["message"] == "task '提交提案' is already completed by user_representative"


def test_missing_token_is_401_and_bad_token_is_401(client):
    r = client.get("/api/v1/tasks")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/v1/tasks", headers={"Authorization": "Bearer dmf_nope"}).status_code == 401
    assert client.get("/api/v1/tasks", headers={"Authorization": "Basic abc"}).status_code == 401


def test_whole_intake_accept_path_completes_with_data(client, deploy, login_as):
    iid, task_id = _started(client, deploy, login_as)
    client.post(f"/api/v1/tasks/{task_id}/complete", headers=login_as(REP), json={"data": GOOD})
    screen = client.get("/api/v1/tasks", headers=login_as(COMMITTEE)).get_json()["items"][0]
    assert screen["element_id"] == "screen_proposal"
    r = client.post(f"/api/v1/tasks/{screen['id']}/complete", headers=login_as(COMMITTEE),
                    json={"data": {"decision": "accept", "handling_department": "后勤部"}})
    body = r.get_json()
    assert r.status_code == 200 and body["status"] == "completed" and body["ended_at"]
    assert body["data"] == GOOD | {"decision": "accept", "handling_department": "后勤部"}
    history = client.get(f"/api/v1/instances/{iid}/history", headers=login_as("auditor")).get_json()
    ends = [e["payload"]["element_id"] for e in history if e["type"] == "task.completed"]
    assert "accepted" in ends and "rejected" not in ends
