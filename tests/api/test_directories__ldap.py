"""Sign-in against the enterprise's LDAP directory (ldap3), tested against a real OpenLDAP server (slapd) that the
tests start on loopback: users provisioned on first sign-in with roles from their groups (audited), updated on
each later one, wrong and empty passwords refused and counted towards the lock, local accounts never taken over."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine.models import AuditEvent

from helpers.ldap_server import MISSING, PEOPLE, SUFFIX, LdapServer
from helpers.web import PASSWORD, csrf
from helpers.web import login as local_login

pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")

ROLES = {"工会委员会": ["union_chair"], f"cn=hr-dept,ou=groups,{SUFFIX}": ["hr"]}


@pytest.fixture(scope="module")
def ldap(tmp_path_factory):
    server = LdapServer(tmp_path_factory.mktemp("slapd"))
    yield server
    server.stop()


@pytest.fixture
def web(app, ldap):
    app.config.update(ldap.config(), DIRECTORY_GROUP_ROLES=ROLES, DIRECTORY_DEFAULT_ROLES=["representative"])
    return app.test_client()


def _login(client, username, password):
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf(page.text)})


def _user(client, users, username):
    listed = client.get("/api/v1/users", headers=users.headers("admin1", "admin")).get_json()
    return next((u for u in listed if u["username"] == username), None)


def _events(services, event_type):
    unit = services.uow(readonly=True)
    with unit:
        return [json.loads(e.payload) for e in unit.session.scalars(
            select(AuditEvent).where(AuditEvent.event_type == event_type).order_by(AuditEvent.id))]


def test_a_directory_user_is_provisioned_on_first_sign_in_with_roles_from_groups(web, users, services):
    response = _login(web, "zhangsan", PEOPLE["zhangsan"][1])
    assert response.status_code == 302
    user = _user(web, users, "zhangsan")
    assert user["display_name"] == "张三" and user["email"] == "zhangsan@example.com"
    assert user["roles"] == ["representative", "union_chair"]
    [event] = _events(services, "user.provisioned")
    assert event["username"] == "zhangsan" and event["directory"] == "ldap" and "工会委员会" in event["groups"]
    home = web.get("/")
    assert home.status_code == 200 and 'id="who"' in home.text and "zhangsan" in home.text  # signed in


def test_roles_follow_the_groups_on_each_sign_in(web, app, users, services):
    assert _login(web, "lisi", PEOPLE["lisi"][1]).status_code == 302
    assert _user(web, users, "lisi")["roles"] == ["hr", "representative"]
    app.config["DIRECTORY_GROUP_ROLES"] = {"hr-dept": ["hr", "disclosure_officer"]}  # mapped by the group's name
    app.config["DIRECTORY_DEFAULT_ROLES"] = []
    web.post("/logout", data={"csrf_token": csrf(web.get("/").text)})
    assert _login(web, "lisi", PEOPLE["lisi"][1]).status_code == 302
    assert _user(web, users, "lisi")["roles"] == ["disclosure_officer", "hr"]
    [update] = _events(services, "user.directory_updated")
    assert update["changes"]["roles"] == {"old": ["hr", "representative"], "new": ["disclosure_officer", "hr"]}


def test_wrong_empty_and_unknown_passwords_are_refused_and_count_towards_the_lock(web, users):
    assert _login(web, "wangwu", "not-his-password").status_code == 401
    assert _login(web, "wangwu", "").status_code == 401  # never an unauthenticated bind
    assert _login(web, "nobody", "whatever-1").status_code == 401
    assert _login(web, "*", "whatever-1").status_code == 401  # the filter is escaped
    assert _user(web, users, "wangwu") is None
    for _ in range(3):
        _login(web, "wangwu", "still-wrong")
    locked = _login(web, "wangwu", PEOPLE["wangwu"][1])
    assert locked.status_code == 429 and "锁定" in locked.text


def test_a_local_account_with_a_password_is_never_taken_over(web, users):
    local_login(web, "lisi", "admin")  # a local lisi with a password exists before the directory is asked
    web.post("/logout", data={"csrf_token": csrf(web.get("/").text)})
    assert _login(web, "lisi", PEOPLE["lisi"][1]).status_code == 401  # the directory's password does not work
    assert _login(web, "lisi", PASSWORD).status_code == 302
    assert _user(web, users, "lisi")["roles"] == ["admin"]


def test_logout_ends_the_directory_session(web):
    assert _login(web, "wangwu", PEOPLE["wangwu"][1]).status_code == 302
    cookie = web.get_cookie("dmflow_session").value
    web.post("/logout", data={"csrf_token": csrf(web.get("/").text)})
    web.set_cookie("dmflow_session", cookie)
    assert web.get("/").status_code == 302  # the cookie copied before the logout no longer works


def test_an_unreachable_directory_says_so(web, app, ldap):
    app.config["LDAP_URL"] = "ldap://127.0.0.1:9"
    app.config["LDAP_TIMEOUT_SECONDS"] = 2
    response = _login(web, "zhangsan", PEOPLE["zhangsan"][1])
    assert response.status_code == 503 and "企业目录暂时无法连接" in response.text


def test_ldap_is_off_by_default(client):
    assert _login(client, "zhangsan", PEOPLE["zhangsan"][1]).status_code == 401
