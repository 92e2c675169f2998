"""Sign-in with the enterprise's OpenID Connect provider (Authlib's client: discovery, code flow, state and nonce,
ID token signature against the provider's JWKS), against a stub provider the tests serve on loopback."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from api import create_app
from engine.identity import list_users
from engine.models import AuditEvent

from helpers.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider

ZHAOLIU = {"preferred_username": "zhaoliu", "name": "赵六", "email": "zhaoliu@example.com",
           "groups": ["工会委员会", "全体职工"]}


@pytest.fixture(scope="module")
def provider():
    served = Provider()
    yield served
    served.stop()


@pytest.fixture
def sso(db_url, clock, tmp_path, provider):
    provider.person, provider.misbehave = dict(ZHAOLIU), None
    app = create_app({"DATABASE_URL": db_url, "TESTING": True, "CLOCK": clock, "BASE_URL": "http://localhost",
                      "BALLOT_KEY_DIR": str(tmp_path / "keys"), "OIDC_ISSUER": provider.issuer,
                      "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET,
                      "DIRECTORY_GROUP_ROLES": {"工会委员会": ["union_chair"]}})
    yield app
    app.extensions["dmflow"].db.dispose()


def _sign_in(client, deliver_to=None):
    """Press 使用企业账号登录, let the provider sign the person in, and bring its answer back to dmflow."""
    start = client.get("/login/sso?next=/tasks")
    assert start.status_code == 302
    at_provider = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == "/login/sso/callback"
    return (deliver_to or client).get(f"{back.path}?{back.query}"), back


def _users(app):
    unit = app.extensions["dmflow"].uow(readonly=True)
    with unit:
        return {u["username"]: u for u in list_users(unit)}


def test_the_login_page_offers_the_enterprise_account_only_when_configured(sso, client):
    assert "使用企业账号登录" in sso.test_client().get("/login").text
    assert "使用企业账号登录" not in client.get("/login").text
    assert client.get("/login/sso").status_code == 404


def test_a_person_signed_in_by_the_provider_is_provisioned_with_roles_from_groups(sso):
    web = sso.test_client()
    answer, _ = _sign_in(web)
    assert answer.status_code == 302 and answer.headers["Location"] == "/tasks"
    user = _users(sso)["zhaoliu"]
    assert user["display_name"] == "赵六" and user["roles"] == ["union_chair"]
    assert user["email"] == "zhaoliu@example.com" and user["directory"] == "oidc"
    assert "zhaoliu" in web.get("/").text
    unit = sso.extensions["dmflow"].uow(readonly=True)
    with unit:
        [event] = unit.session.scalars(select(AuditEvent).where(AuditEvent.event_type == "user.provisioned"))
    assert json.loads(event.payload)["directory"] == "oidc"


@pytest.mark.parametrize("misbehave", ["signature", "nonce", "audience"])
def test_a_forged_id_token_is_refused(sso, provider, misbehave):
    provider.misbehave = misbehave
    answer, _ = _sign_in(sso.test_client())
    assert answer.status_code == 401 and "企业账号登录未完成" in answer.text
    assert "zhaoliu" not in _users(sso)


def test_a_callback_in_another_browser_fails_the_state_check(sso):
    answer, _ = _sign_in(sso.test_client(), deliver_to=sso.test_client())
    assert answer.status_code == 401 and "zhaoliu" not in _users(sso)


def test_a_replayed_callback_signs_nobody_in(sso):
    web = sso.test_client()
    answer, back = _sign_in(web)
    assert answer.status_code == 302
    web.post("/logout", data={"csrf_token": _csrf(web)})
    again = web.get(f"{back.path}?{back.query}")
    assert again.status_code == 401
    assert web.get("/").status_code == 302  # still logged out


def _csrf(web):
    return re.search(r'name="csrf_token" value="([^"]+)"', web.get("/").text).group(1)


def test_a_malformed_group_mapping_stops_the_start_with_its_reason(db_url, tmp_path):
    with pytest.raises(RuntimeError, match="DMFLOW_DIRECTORY_GROUP_ROLES"):
        create_app({"DATABASE_URL": db_url, "TESTING": True, "BALLOT_KEY_DIR": str(tmp_path / "keys"),
                    "DIRECTORY_GROUP_ROLES": '["not", "a", "mapping"]'})
