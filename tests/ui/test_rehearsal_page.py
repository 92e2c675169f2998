"""The rehearsal clock page (演练时钟): the operator moves the installation's time forward in the browser's form,
sees the time and every advance with who made it; nobody else may, and without rehearsal nobody can."""

from __future__ import annotations

import pytest

from api import create_app
from engine import tenancy
from engine.identity import SYSTEM, create_user
from engine.worker import run_once

from helpers.bpmn import intermediate_timer
from helpers.tenancy import organisation
from helpers.web import csrf, login


@pytest.fixture
def app(request, db_url, clock, tmp_path):
    rehearsal = request.node.get_closest_marker("production") is None
    app = create_app({"DATABASE_URL": db_url, "TESTING": True, "CLOCK": clock, "REHEARSAL": rehearsal,
                      "BALLOT_KEY_DIR": str(tmp_path / "ballot_keys")})
    yield app
    app.extensions["dmflow"].db.dispose()


def _advance(client, **form):
    return client.post("/admin/clock", data={**form, "csrf_token": csrf(client.get("/admin/clock").text)})


def test_the_operator_moves_the_clock_forward_and_the_worker_fires_what_fell_due(client, services, deploy,
                                                                                 login_as):
    deploy({"wait.bpmn": intermediate_timer("wait15", "P15D")})
    iid = client.post("/api/v1/instances", json={"process": "wait15"}, headers=login_as("hr")).get_json()["id"]
    create_user(services.uow(), "ops", ["admin"], actor=SYSTEM, display_name="运维 张工")
    login(client, "ops")
    page = client.get("/admin/clock").text
    assert 'href="/admin/clock"' in client.get("/").text  # in the operator's menu
    assert "已启用" in page and "2026-03-02" in page and "0 天 0 小时" in page and "尚未拨快过时钟" in page
    assert _advance(client, days="16", hours="2").status_code == 302
    page = client.get("/admin/clock").text
    assert "时钟已拨快 16 天 2 小时。" in page and "16 天 2 小时" in page and "2026-03-18" in page
    assert "运维 张工" in page and 'id="advances"' in page
    assert run_once(services.uow).timers_fired == [iid]
    refused = _advance(client, days="0", hours="0")
    assert refused.status_code == 422 and "请填写要拨快的天数或小时数。" in refused.text
    assert _advance(client, days="-3").status_code == 422


def test_only_the_operator_may_move_the_clock(client, services):
    login(client, "rep1", "representative")
    assert client.get("/admin/clock").status_code == 403
    with tenancy.acting_for(organisation(services, "other_co")):  # an admin of another enterprise
        create_user(services.uow(), "their_admin", ["admin"], actor=SYSTEM)
    login(client, "their_admin")
    assert 'href="/admin/clock"' not in client.get("/").text
    refused = _advance(client, days="1")
    assert refused.status_code == 403 and "0 天 0 小时" in refused.text


@pytest.mark.production
def test_without_rehearsal_the_clock_cannot_be_moved(client):
    login(client, "ops", "admin")
    assert 'href="/admin/clock"' not in client.get("/").text
    page = client.get("/admin/clock").text
    assert "未启用" in page and 'id="advance-form"' not in page
    assert _advance(client, days="1").status_code == 409
