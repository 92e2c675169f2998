"""Sign-in that resists guessing and ends on logout; security headers everywhere; 401 before 422 on the API."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from api import create_app
from engine import passwords
from engine.identity import SYSTEM, create_user
from engine.models import AuditEvent

PASSWORD = "a-good-password"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, username="wang", password=PASSWORD, address="10.0.0.1"):
    token = csrf(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


@pytest.fixture
def member(services) -> str:
    _, token = create_user(services.uow(), "wang", ["representative"], actor=SYSTEM)
    passwords.set_password(services.uow(), "wang", PASSWORD, actor=SYSTEM)
    return token


def _events(services, event_type):
    unit = services.uow(readonly=True)
    with unit:
        rows = unit.session.scalars(select(AuditEvent).where(AuditEvent.event_type == event_type)).all()
        return [json.loads(e.payload) for e in rows]


class TestLockout:
    def test_five_wrong_passwords_lock_the_user_even_against_the_right_one(self, client, services, clock, member):
        for _ in range(5):
            assert login(client, password="wrong-password").status_code == 401
        refused = login(client)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) == 900
        assert "登录失败次数过多" in refused.text and "15 分钟后再试" in refused.text
        assert client.get("/tasks").status_code == 302  # not signed in
        [locked] = _events(services, "login.locked")
        assert locked["by"] == "user" and locked["username"] == "wang" and locked["failures"] == 5
        clock.advance(minutes=16)
        assert login(client).status_code == 302 and client.get("/tasks").status_code == 200

    def test_the_lock_is_per_user_and_a_success_resets_the_count(self, app, services, member):
        create_user(services.uow(), "li", ["hr"], actor=SYSTEM)
        passwords.set_password(services.uow(), "li", PASSWORD, actor=SYSTEM)
        client = app.test_client
        for _ in range(4):
            login(client(), password="wrong-password")
        assert login(client()).status_code == 302
        for _ in range(4):
            assert login(client(), password="wrong-password").status_code == 401
        for _ in range(5):
            login(client(), "li", "wrong-password", address="10.0.0.2")
        assert login(client(), "li", address="10.0.0.2").status_code == 429
        assert login(client(), address="10.0.0.3").status_code == 302  # wang is not locked by li's failures

    def test_an_address_guessing_many_names_is_locked_and_the_lock_holds_in_another_process(
            self, db_url, clock, services, member):
        config = {"DATABASE_URL": db_url, "TESTING": True, "CLOCK": clock, "LOGIN_MAX_FAILURES_PER_ADDRESS": 3}
        first, second = create_app(config), create_app(config)
        try:
            for name in ("ghost1", "ghost2", "ghost3"):
                assert login(first.test_client(), name, address="10.9.9.9").status_code == 401
            assert login(second.test_client(), address="10.9.9.9").status_code == 429
            assert login(second.test_client(), address="10.9.9.8").status_code == 302
            assert [e["by"] for e in _events(services, "login.locked")] == ["address"]
        finally:
            first.extensions["dmflow"].db.dispose()
            second.extensions["dmflow"].db.dispose()


class TestSessionsEnd:
    def test_logout_ends_every_session_of_the_user_even_a_saved_cookie(self, app, client, services, member):
        login(client)
        saved = client.get_cookie("dmflow_session").value
        elsewhere = app.test_client()
        login(elsewhere)
        assert elsewhere.get("/tasks").status_code == 200
        token = csrf(client.get("/tasks").text)
        assert client.post("/logout", data={"csrf_token": token}).status_code == 302
        replay = app.test_client()
        replay.set_cookie("dmflow_session", saved)
        assert replay.get("/tasks").headers["Location"].startswith("/login")
        assert elsewhere.get("/tasks").headers["Location"].startswith("/login")
        assert _events(services, "user.sessions_ended") == [{"username": "wang", "reason": "logout"}]
        assert login(client).status_code == 302 and client.get("/tasks").status_code == 200

    def test_a_password_change_ends_every_session(self, app, client, services, member):
        login(client)
        passwords.set_password(services.uow(), "wang", "another-password", actor=SYSTEM)
        assert client.get("/tasks").headers["Location"].startswith("/login")


class TestHeaders:
    @pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/openapi.json", "/api/v1/instances/nope", "/login"])
    def test_every_response_has_the_security_headers(self, client, member, path):
        response = client.get(path, headers={"Authorization": f"Bearer {member}"})
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]

    def test_api_answers_may_run_nothing(self, client, member):
        csp = client.get("/api/v1/me", headers={"Authorization": f"Bearer {member}"}).headers
        assert csp["Content-Security-Policy"].startswith("default-src 'none'")
        assert client.get("/api/v1/me").headers["Content-Security-Policy"].startswith("default-src 'none'")

    def test_the_docs_page_runs_only_its_own_inline_script(self, client):
        response = client.get("/api/v1/docs")
        csp = response.headers["Content-Security-Policy"]
        assert response.status_code == 200 and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
        assert re.search(r"script-src 'self' 'sha256-[A-Za-z0-9+/=]+'", csp)

    def test_pages_allow_no_inline_script(self, client):
        csp = client.get("/login").headers["Content-Security-Policy"]
        assert "script-src 'self';" in csp


class TestAuthenticationFirst:
    @pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}])
    def test_no_or_a_bad_token_is_401_before_the_body_is_validated(self, client, headers):
        for method, path, body in (("post", "/api/v1/instances", {"unknown": 1}),
                                   ("post", "/api/v1/congress/terms", {}),
                                   ("get", "/api/v1/instances?page=0", None)):
            response = getattr(client, method)(path, json=body, headers=headers)
            assert response.status_code == 401, (path, response.get_json())

    def test_with_a_token_the_body_is_validated(self, client, member):
        response = client.post("/api/v1/instances", json={"unknown": 1},
                               headers={"Authorization": f"Bearer {member}"})
        assert response.status_code == 422

    def test_the_openapi_document_docs_and_health_check_stay_public(self, client):
        for path in ("/api/v1/openapi.json", "/api/v1/docs", "/api/v1/health"):
            assert client.get(path).status_code == 200, path
