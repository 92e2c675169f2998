"""The workers' disclosure pages without a browser: a worker lists and reads a published disclosure, asks a
question anonymously and sees it listed without a name, is refused with a message once the feedback window has
run out, and never sees a draft (404 page, absent from the list)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from engine import passwords
from engine.identity import SYSTEM, create_user
from workflows.disclosure.catalogue import seed_catalogue

from helpers.api import bundled_files

PASSWORD = "correct-horse-42"
CONTENT = "2026年第1季度社会保险缴纳情况：养老、医疗、失业、工伤、生育保险全额缴纳。"
SECRET = "机密：2026年裁员名单草稿"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def web_login(client, username: str) -> None:
    create_user(client.application.extensions["dmflow"].uow(), username, [], actor=SYSTEM)
    passwords.set_password(client.application.extensions["dmflow"].uow(), username, PASSWORD, actor=SYSTEM)
    token = csrf(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


class Flow:
    """Drives a disclosure through the API as the HR department and the officers (as tests/api does)."""

    def __init__(self, client, users):
        self.client = client
        self.h = {"hr": users.headers("hr1", "dept_hr"), "sup": users.headers("sup1", "supervision_group"),
                  "conf": users.headers("conf1", "confidentiality_officer")}
        items = client.get("/api/v1/disclosures/catalogue", headers=self.h["hr"]).get_json()
        self.items = {i["code"]: i for i in items}

    def call(self, method: str, path: str, who: str, expect: int = 200, **kwargs):
        response = getattr(self.client, method)(f"/api/v1/disclosures{path}", headers=self.h[who], **kwargs)
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def start(self, code: str = "social_insurance", period: str | None = "2026-Q1") -> int:
        return self.call("post", "", "hr", 201, json={"item_id": self.items[code]["id"], "period": period})["id"]

    def to_feedback(self) -> int:
        did = self.start()
        self.call("put", f"/{did}/draft", "hr", json={"content": CONTENT, "channels": ["notice_board", "intranet"]})
        self.call("post", f"/{did}/submit", "hr")
        if self.items["social_insurance"]["confidentiality_check"]:
            self.call("post", f"/{did}/confidentiality-check", "conf", json={
                "decision": "clear", "state_secret": False, "trade_secret": False, "lawful": True})
        self.call("post", f"/{did}/review", "sup", json={
            "decision": "approve", "truthful": True, "complete": True, "timely": True})
        for channel in self.call("get", f"/{did}", "hr")["channels"]:
            self.call("post", f"/{did}/publications", "hr", 201, json={"channel": channel, "location": "一号楼"})
        assert self.call("post", f"/{did}/publish", "hr")["status"] == "feedback_open"
        return did


@pytest.fixture
def flow(client, deploy, users, services):
    assert deploy(bundled_files("disclosure")).status_code == 201
    seed_catalogue(services.uow())
    return Flow(client, users)


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
