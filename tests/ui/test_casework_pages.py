"""The mediation pages: a worker applies for mediation in the browser and follows the case; without a browser, an
unrelated worker gets a 404 page, and the parties read the agreement once it is generated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine import passwords
from engine.deployments import deploy
from engine.identity import SYSTEM, create_user
from workflows.catalog import read_folder

from helpers.casework import CLAIM, MediationApi, mediation_api

PASSWORD = "correct-horse-42"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def web_login(client, username: str) -> None:
    services = client.application.extensions["dmflow"]
    passwords.set_password(services.uow(), username, PASSWORD, actor=SYSTEM)
    token = csrf(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


@pytest.fixture
def flow(client, deploy, users, services, clock) -> MediationApi:
    flow = mediation_api(client, deploy, users, services, clock)
    flow.seat_committee()
    return flow


def test_a_worker_files_on_the_page_and_an_unrelated_worker_sees_a_404(client, flow):
    web_login(client, "worker1")
    form = client.get("/casework/mediations/new")
    assert form.status_code == 200 and "十五日" in form.text
    refused = client.post("/casework/mediations/new",
                          data={"respondent": "", "claim": "", "csrf_token": csrf(form.text)})
    assert refused.status_code == 422 and 'id="md-error"' in refused.text
    filed = client.post("/casework/mediations/new", data={"respondent": "某某机械有限公司", "claim": CLAIM,
                                                          "csrf_token": csrf(form.text)})
    assert filed.status_code == 302
    case = flow.call("get", "/mediations", "chair")[0]
    assert case["applicants"] == ["worker1"] and not case["oral"]
    page = client.get(filed.headers["Location"])
    assert CLAIM in page.text and "待受理" in page.text and "2026-03-17 24:00" in page.text
    listing = client.get("/casework/mediations")
    assert f'data-mediation="{case["id"]}"' in listing.text and 'data-nav="casework"' in listing.text
    flow.accept(case["id"])
    closed = flow.close(case["id"])
    page = client.get(f"/casework/mediations/{case['id']}")
    assert 'id="agreement-link"' in page.text and "达成协议" in page.text
    doc = client.get(f"/casework/mediations/{case['id']}/documents/{closed['agreement_document_id']}")
    assert "调解协议书" in doc.text

    other = client.application.test_client()
    web_login(other, "other1")
    assert other.get(f"/casework/mediations/{case['id']}").status_code == 404
    assert CLAIM not in other.get("/casework/mediations").text
    assert other.get(f"/casework/mediations/{case['id']}/documents/{closed['agreement_document_id']}").status_code \
        == 404


def test_a_worker_applies_for_mediation_in_the_browser(ui, live_server):
    services = live_server.services
    root = Path(live_server.app.config["BPMN_DIR"]) / "casework"
    deploy(services.uow(), read_folder(root), actor=SYSTEM)
    create_user(services.uow(), "wk_li", [], actor=SYSTEM)
    passwords.set_password(services.uow(), "wk_li", PASSWORD, actor=SYSTEM)
    page = ui.login("wk_li")
    ui.nav("casework")
    page.click("[data-tile='md']")
    page.click("#mediation-new")
    page.fill("#md-respondent", "某某机械有限公司")
    page.fill("#md-claim", CLAIM)
    page.click("#md-submit")
    page.wait_for_selector("#mediation-status")
    ui.shot("casework-mediation-filed", CLAIM, "待受理", "调解期限")
