"""Users, roles and bearer tokens through the API: who am I, admin-only administration, audited."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import text

from engine.audit import SYSTEM_CHAIN


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def user_count(services) -> int:
    with services.db.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM users")).scalar_one()


def system_events(services, event_type: str) -> list[dict]:
    with services.db.connect() as conn:
        rows = conn.execute(text("SELECT seq, actor, payload FROM audit_events "
                                 "WHERE chain = :c AND event_type = :t ORDER BY seq"),
                            {"c": SYSTEM_CHAIN, "t": event_type}).all()
    return [{"seq": r.seq, "actor": r.actor, "payload": json.loads(r.payload)} for r in rows]


# -- who am I -----------------------------------------------------------------------------------------------


def test_me_returns_the_caller_and_their_roles(client, users):
    response = client.get("/api/v1/me", headers=users.headers("wang", "representative", "hr"))
    assert response.status_code == 200
    assert response.json == {"username": "wang", "roles": ["hr", "representative"]}


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer dmf_not-a-real-token"},
    {"Authorization": "Basic d2FuZzpzZWNyZXQ="},
    {"Authorization": "Bearer "},
], ids=["none", "unknown", "basic", "empty"])
def test_me_without_a_valid_bearer_token_is_401(client, users, headers):
    users.token("wang", "representative")  # a user exists; the header still does not name them
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json["code"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


# -- creating users -----------------------------------------------------------------------------------------

NEW_USER = {"username": "li", "roles": ["representative", "hr"], "display_name": "李强"}


def test_admin_creates_a_user_whose_token_works(client, login_as):
    response = client.post("/api/v1/users", json=NEW_USER, headers=login_as("admin"))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["username"] == "li"
    assert body["display_name"] == "李强"
    assert body["roles"] == ["hr", "representative"]
    assert body["active"] is True
    assert body["token"].startswith("dmf_")

    me = client.get("/api/v1/me", headers=bearer(body["token"]))
    assert me.status_code == 200
    assert me.json == {"username": "li", "roles": ["hr", "representative"]}

    listed = client.get("/api/v1/users", headers=login_as("admin")).json
    assert {"username": "li", "roles": ["hr", "representative"], "display_name": "李强"}.items() <= next(
        u for u in listed if u["username"] == "li").items()


def test_created_user_roles_in_the_response_are_the_stored_roles(client, login_as):
    body = {"username": "zhao", "roles": [" hr ", "hr", "representative"]}
    response = client.post("/api/v1/users", json=body, headers=login_as("admin"))
    assert response.status_code == 201, response.json
    me = client.get("/api/v1/me", headers=bearer(response.json["token"])).json
    assert me["roles"] == ["hr", "representative"]
    assert response.json["roles"] == me["roles"]


@pytest.mark.parametrize("role", ["designer", "representative", "auditor"])
def test_only_admins_create_users(client, login_as, services, role):
    before = user_count(services)
    response = client.post("/api/v1/users", json=NEW_USER, headers=login_as(role))
    assert response.status_code == 403
    assert "admin" in response.json["message"]
    assert user_count(services) == before + 1  # only the caller, created by login_as


def test_creating_users_needs_a_valid_token(client, users, services):
    users.token("someone", "admin")
    before = user_count(services)
    assert client.post("/api/v1/users", json=NEW_USER).status_code == 401
    assert client.post("/api/v1/users", json=NEW_USER, headers=bearer("dmf_wrong")).status_code == 401
    assert user_count(services) == before


def test_a_duplicate_username_is_409(client, login_as, services):
    admin = login_as("admin")
    assert client.post("/api/v1/users", json=NEW_USER, headers=admin).status_code == 201
    before = user_count(services)
    again = client.post("/api/v1/users", json=NEW_USER | {"roles": ["admin"]}, headers=admin)
    assert again.status_code == 409
    assert "'li' already exists" in again.json["message"]
    assert user_count(services) == before
    assert len(system_events(services, "user.created")) == before  # one event per user, none for the 409


@pytest.mark.parametrize(("body", "field"), [
    ({"username": "li"}, "roles"),
    ({"username": "li", "roles": []}, "roles"),
    ({"roles": ["hr"]}, "username"),
    ({"username": "", "roles": ["hr"]}, "username"),
], ids=["no-roles", "empty-roles", "no-username", "empty-username"])
def test_a_bad_body_is_422_with_field_errors(client, login_as, services, body, field):
    admin = login_as("admin")
    before = user_count(services)
    response = client.post("/api/v1/users", json=body, headers=admin)
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]
    assert user_count(services) == before


def test_a_blank_role_is_422(client, login_as, services):
    admin = login_as("admin")
    before = user_count(services)
    response = client.post("/api/v1/users", json={"username": "li", "roles": ["  "]}, headers=admin)
    assert response.status_code == 422
    assert "roles" in response.json["errors"]
    assert user_count(services) == before


# -- changing roles -----------------------------------------------------------------------------------------


def test_replacing_roles_changes_permissions_immediately(client, login_as, users):
    admin = login_as("admin")
    chen = users.headers("chen", "designer", "hr")
    assert client.get("/api/v1/users", headers=chen).status_code == 403

    response = client.put("/api/v1/users/chen/roles", json={"roles": ["admin", "auditor"]}, headers=admin)
    assert response.status_code == 200
    assert response.json == {"roles": ["admin", "auditor"]}

    # the same token, the next request: the new roles count and the old ones are gone
    assert client.get("/api/v1/me", headers=chen).json["roles"] == ["admin", "auditor"]
    assert client.get("/api/v1/users", headers=chen).status_code == 200

    client.put("/api/v1/users/chen/roles", json={"roles": ["hr"]}, headers=admin)
    assert client.get("/api/v1/users", headers=chen).status_code == 403


def test_replacing_roles_of_an_unknown_user_is_404(client, login_as):
    response = client.put("/api/v1/users/nobody/roles", json={"roles": ["hr"]}, headers=login_as("admin"))
    assert response.status_code == 404
    assert "nobody" in response.json["message"]


def test_only_admins_replace_roles(client, login_as, users):
    target = users.headers("chen", "hr")
    assert client.put("/api/v1/users/chen/roles", json={"roles": ["admin"]}).status_code == 401
    response = client.put("/api/v1/users/chen/roles", json={"roles": ["admin"]}, headers=target)
    assert response.status_code == 403
    assert client.get("/api/v1/me", headers=target).json["roles"] == ["hr"]


# -- tokens are stored hashed, administration is audited ----------------------------------------------------


def test_tokens_are_stored_only_as_their_hash(client, login_as, services, users):
    created = client.post("/api/v1/users", json=NEW_USER, headers=login_as("admin")).json["token"]
    tokens = [created, *users.tokens.values()]
    with services.db.connect() as conn:
        rows = conn.execute(text("SELECT * FROM api_tokens")).all()
        audit_payloads = conn.execute(text("SELECT payload FROM audit_events")).scalars().all()
    assert len(rows) == len(tokens)
    stored = " ".join(str(value) for row in rows for value in row)
    for token in tokens:
        assert token not in stored
        assert hashlib.sha256(token.encode()).hexdigest() in stored
        assert not any(token in p for p in audit_payloads)


def test_user_administration_is_audited_on_the_system_chain(client, login_as, services):
    admin = login_as("admin")
    assert client.post("/api/v1/users", json=NEW_USER, headers=admin).status_code == 201
    changed = client.put("/api/v1/users/li/roles", json={"roles": ["presidium"]}, headers=admin)
    assert changed.status_code == 200

    created = [e for e in system_events(services, "user.created") if e["payload"]["username"] == "li"]
    assert len(created) == 1
    assert created[0]["actor"] == "user_admin"
    assert created[0]["payload"] == {"username": "li", "roles": ["hr", "representative"],
                                     "display_name": "李强"}

    (changed,) = system_events(services, "user.roles_changed")
    assert changed["actor"] == "user_admin"
    assert changed["payload"] == {"username": "li", "old": ["hr", "representative"], "new": ["presidium"]}
    assert changed["seq"] > created[0]["seq"]

    report = client.get("/api/v1/audit/verify", headers=login_as("auditor")).json
    assert report["ok"] is True
