"""Authentication is cached per process by token hash, and a revocation or role change still counts at once."""

from __future__ import annotations

from sqlalchemy import event, text


def _lookups(services):
    seen: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        if "api_tokens" in statement:
            seen.append(statement)

    event.listen(services.db, "before_cursor_execute", count)
    return seen


def test_a_known_token_is_not_looked_up_again_while_nothing_changed(client, services, users):
    headers = users.headers("clerk", "member")
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    seen = _lookups(services)
    for _ in range(3):
        assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    assert seen == []


def test_a_revoked_token_is_refused_on_the_next_request(client, services, users):
    headers = users.headers("clerk", "member")
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    with services.db.begin() as conn:  # whoever revokes it: another process, an admin's SQL
        conn.execute(text("UPDATE api_tokens SET revoked_at = CURRENT_TIMESTAMP"))
    answer = client.get("/api/v1/tasks", headers=headers)
    assert answer.status_code == 401 and "revoked" in answer.get_json()["message"]


def test_a_deactivated_user_is_refused_on_the_next_request(client, services, users):
    headers = users.headers("clerk", "member")
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    with services.db.begin() as conn:
        conn.execute(text("UPDATE users SET active = false WHERE username = 'clerk'"))
    assert client.get("/api/v1/tasks", headers=headers).status_code == 401


def test_a_role_change_counts_on_the_next_request(client, services, users, login_as):
    headers = users.headers("clerk", "member")
    assert client.get("/api/v1/tasks?all=true", headers=headers).status_code == 403
    answer = client.put("/api/v1/users/clerk/roles", json={"roles": ["member", "auditor"]},
                        headers=login_as("admin"))
    assert answer.status_code == 200, answer.get_json()
    assert client.get("/api/v1/tasks?all=true", headers=headers).status_code == 200
