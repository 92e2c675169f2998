"""The workers' disclosure pages without a browser: a worker lists and reads a published disclosure, asks a
question anonymously and sees it listed without a name, is refused with a message once the feedback window has
run out, and never sees a draft (404 page, absent from the list)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from engine import passwords
from engine.identity import SYSTEM, create_user

from helpers.disclosure import CONTENT, DisclosureApi, disclosure_api

PASSWORD = "correct-horse-42"
SECRET = "机密：2026年裁员名单草稿"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def web_login(client, username: str) -> None:
    create_user(client.application.extensions["dmflow"].uow(), username, [], actor=SYSTEM)
    passwords.set_password(client.application.extensions["dmflow"].uow(), username, PASSWORD, actor=SYSTEM)
    token = csrf(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


@pytest.fixture
def flow(client, deploy, users, services, clock) -> DisclosureApi:
    return disclosure_api(client, deploy, users, services, clock)


def test_a_worker_reads_a_disclosure_and_asks_anonymously(client, flow):
    did = flow.to_feedback()
    web_login(client, "wk_zhang")
    listing = client.get("/disclosures")
    assert listing.status_code == 200
    assert f'data-disclosure="{did}"' in listing.text and "2026-Q1" in listing.text
    assert "意见征集中" in listing.text and 'data-nav="disclosures"' in listing.text

    page = client.get(f"/disclosures/{did}")
    assert page.status_code == 200
    assert CONTENT in page.text and "公开栏" in page.text and "内网" in page.text
    assert 'id="ask-form"' in page.text and "暂无问题" in page.text

    assert client.post(f"/disclosures/{did}/questions", data={"body": "缺少公积金？"}).status_code == 400  # CSRF
    asked = client.post(f"/disclosures/{did}/questions", data={
        "body": "为什么没有公积金的缴纳情况？", "anonymous": "1", "csrf_token": csrf(page.text)})
    assert asked.status_code == 302
    page = client.get(f"/disclosures/{did}").text
    assert "已提交" in page and "为什么没有公积金的缴纳情况？" in page
    assert "wk_zhang" in page  # the asker sees their own name on their own question
    question = flow.call("get", f"/{did}/questions", "hr")[0]
    assert question["visibility"] == "anonymous" and question["asked_by"] is None

    client.post("/logout", data={"csrf_token": csrf(page)})
    web_login(client, "wk_li")  # another worker sees the question, not who asked it
    other = client.get(f"/disclosures/{did}").text
    assert "为什么没有公积金的缴纳情况？" in other and "wk_zhang" not in other and "匿名" in other


def test_a_question_after_the_window_is_refused_with_a_message(client, clock, flow):
    did = flow.to_feedback()
    web_login(client, "wk_zhang")
    page = client.get(f"/disclosures/{did}").text
    clock.set(datetime.fromisoformat(flow.call("get", f"/{did}", "hr")["feedback_until"]))
    refused = client.post(f"/disclosures/{did}/questions", data={"body": "还能提问吗？", "csrf_token": csrf(page)})
    assert refused.status_code == 409
    assert "意见反馈期已结束" in refused.text and 'id="dc-error"' in refused.text
    assert "Traceback" not in refused.text
    assert flow.call("get", f"/{did}/questions", "hr") == []


def test_a_draft_is_404_for_a_worker(client, flow):
    did = flow.start("staff_reduction", None)
    flow.call("put", f"/{did}/draft", "hr", json={"content": SECRET, "channels": ["congress"]})
    web_login(client, "wk_zhang")
    page = client.get(f"/disclosures/{did}")
    assert page.status_code == 404 and SECRET not in page.text
    listing = client.get("/disclosures").text
    assert f'data-disclosure="{did}"' not in listing and "暂无已发布的公开事项" in listing
    token = csrf(listing)
    refused = client.post(f"/disclosures/{did}/questions", data={"body": "这是什么？", "csrf_token": token})
    assert refused.status_code == 404 and SECRET not in refused.text
