"""In the browser: the login page offers 使用企业账号登录 when an OpenID Connect provider is configured; pressing it
goes to the provider (a stub served on loopback) and back, signed in with the roles of the person's groups."""

from __future__ import annotations

import secrets
import shutil
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from api import create_app
from engine.clock import FixedClock

from helpers.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def sso_server(sqlite_template, tmp_path):
    provider = Provider()
    provider.person = {"preferred_username": "zhaoliu", "name": "赵六", "groups": ["工会委员会"]}
    shutil.copy(sqlite_template, tmp_path / "sso.db")
    server = make_server("127.0.0.1", 0, None, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'sso.db'}", "TESTING": True,
                      "CLOCK": FixedClock(NOW), "SECRET_KEY": secrets.token_hex(32), "BASE_URL": url,
                      "BALLOT_KEY_DIR": str(tmp_path / "keys"), "OIDC_ISSUER": provider.issuer,
                      "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET,
                      "DIRECTORY_GROUP_ROLES": {"工会委员会": ["union_chair"]}})
    server.app = app
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    thread.join(5)
    provider.stop()
    app.extensions["dmflow"].db.dispose()


def test_a_person_signs_in_with_the_enterprise_account_in_the_browser(page, sso_server):
    page.set_default_timeout(15_000)
    page.goto(sso_server + "/login")
    button = page.locator("#login-sso")
    assert button.inner_text().strip() == "使用企业账号登录"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "login-enterprise.png"), full_page=True)
    button.click()
    page.wait_for_selector("#who")
    who = page.inner_text("#who")
    assert "赵六" in who and "工会主席" in who  # the directory's name; the role mapped from the group 工会委员会
    assert page.url.startswith(sso_server)
