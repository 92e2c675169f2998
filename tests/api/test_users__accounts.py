"""Accounts for many people at once and passwords set through the API (admins): initial passwords shown once,
all or none, the representative role by default; the passwords work on the login page."""

from __future__ import annotations

from helpers.web import csrf


def _sign_in(client, username: str, password: str) -> int:
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf(page.text)}).status_code


def test_bulk_accounts_get_the_representative_role_and_an_initial_password_that_signs_in(client, users):
    admin = users.headers("root", "admin")
    r = client.post("/api/v1/users/accounts", headers=admin, json={"accounts": [
        {"username": "rep31", "display_name": "赵敏"}, {"username": "clerk2", "roles": ["worker"]}]})
    assert r.status_code == 201, r.get_json()
    issued = {a["username"]: a for a in r.get_json()["accounts"]}
    assert issued["rep31"]["roles"] == ["representative"] and issued["rep31"]["display_name"] == "赵敏"
    assert issued["clerk2"]["roles"] == ["worker"]
    assert all(len(a["password"]) >= 8 for a in issued.values())
    listed = {u["username"]: u for u in client.get("/api/v1/users", headers=admin).get_json()}
    assert listed["rep31"]["roles"] == ["representative"]
    assert _sign_in(client, "rep31", issued["rep31"]["password"]) == 302


def test_bulk_accounts_are_all_or_none_and_name_the_bad_entry(client, users):
    admin = users.headers("root", "admin")
    users.headers("taken", "worker")
    r = client.post("/api/v1/users/accounts", headers=admin, json={"accounts": [
        {"username": "fresh1"}, {"username": "taken"}, {"username": "fresh1"}]})
    assert r.status_code == 422
    assert set(r.get_json()["errors"]) == {"accounts.1.username", "accounts.2.username"}
    names = {u["username"] for u in client.get("/api/v1/users", headers=admin).get_json()}
    assert "fresh1" not in names
    clerk = users.headers("clerk", "worker")
    assert client.post("/api/v1/users/accounts", headers=clerk,
                       json={"accounts": [{"username": "x1"}]}).status_code == 403


def test_an_admin_sets_or_generates_a_password_and_the_old_one_stops_working(client, users):
    admin = users.headers("root", "admin")
    users.headers("rep_wang", "representative")
    chosen = client.put("/api/v1/users/rep_wang/password", headers=admin, json={"password": "chosen-pass-1"})
    assert chosen.status_code == 200 and chosen.get_json() == {"username": "rep_wang", "password": None}
    assert _sign_in(client, "rep_wang", "chosen-pass-1") == 302
    generated = client.put("/api/v1/users/rep_wang/password", headers=admin, json={})
    new = generated.get_json()["password"]
    assert generated.status_code == 200 and new and new != "chosen-pass-1"
    assert client.get("/").status_code == 302  # a new password ends every session of the user
    assert _sign_in(client, "rep_wang", "chosen-pass-1") == 401
    assert _sign_in(client, "rep_wang", new) == 302
    assert client.put("/api/v1/users/nobody/password", headers=admin, json={}).status_code == 404
    assert client.put("/api/v1/users/rep_wang/password", headers=admin, json={"password": "short"}).status_code == 422
    assert client.put("/api/v1/users/rep_wang/password", headers=users.headers("rep_li", "representative"),
                      json={}).status_code == 403
