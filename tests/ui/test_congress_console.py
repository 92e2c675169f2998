"""The presidium's console with the Flask test client: agenda with the mode from the decision table,
convening, check-in from a paper sheet, a refusal below quorum in words, opening and closing a secret vote
with the live count (no choices), a paper vote's totals, and who may use it. (The browser test is in
test_congress_console__browser.py.)"""

from __future__ import annotations

import re

import pytest

from engine import passwords
from engine.identity import SYSTEM, Actor, create_user
from workflows.congress import ballots

from helpers.congress import make_congress

PASSWORD = "correct-horse-42"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def web_login(client, username: str) -> None:
    token = csrf(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def account(services, username: str, *roles: str, display_name: str | None = None) -> None:
    create_user(services.uow(), username, list(roles), actor=SYSTEM, display_name=display_name)
    passwords.set_password(services.uow(), username, PASSWORD, actor=SYSTEM)


@pytest.fixture
def chair(services, client):
    """A congress of 30 (seats 1..30 linked to rep001..rep030, rep001 with a login) and the presidium logged in."""
    ids = make_congress(services, linked={i: f"rep{i:03d}" for i in range(1, 31)})
    account(services, "chair", "presidium", display_name="张主席")
    account(services, "rep001", "representative")
    web_login(client, "chair")
    return ids


def console_url(ids) -> str:
    return f"/congress/meetings/{ids['meeting_id']}/console"


def post(client, url: str, data: dict | None = None, **kwargs):
    token = csrf(client.get(kwargs.pop("page")).text)
    return client.post(url, data={"csrf_token": token, **(data or {})})


def test_the_presidium_runs_a_secret_vote_from_the_console(client, services, chair):
    ids, url = chair, console_url(chair)
    page = client.get(url).text
    assert "主席团控制台" in page and 'id="convene"' in page and "福利基金使用方案" in page  # DMN descriptions
    added = post(client, f"{url}/matters", {"title": "职工福利基金使用方案", "matter_type": "welfare_fund_plan"},
                 page=url)
    assert added.status_code == 302
    assert post(client, f"{url}/convene", page=url).status_code == 302
    page = client.get(url).text
    assert "会议进行中" in page and "无记名投票" in page and 'class="primary open-vote"' in page
    matter_id = int(re.search(r'data-matter="(\d+)"', page).group(1))

    early = post(client, f"/congress/matters/{matter_id}/console/vote", page=url)
    assert early.status_code == 409  # 民主管理规定 第20条: two thirds present before a vote
    assert "需有全体 30 名代表的三分之二即 20 人到会，目前签到 0 人" in early.text

    reps = ids["representatives"]
    sheet = [str(reps[f"E{i:04d}"]) for i in range(1, 21)]
    token = csrf(client.get(url).text)
    checked = client.post(f"{url}/check-ins", data={"csrf_token": token, "representative_id": sheet})
    assert checked.status_code == 302
    page = client.get(url).text
    assert "已登记 20 人签到" in page and page.count("由 张主席 按签到表登记") == 20
    assert re.search(r'id="live-present">20<', page)

    assert post(client, f"/congress/matters/{matter_id}/console/vote", page=url).status_code == 302
    vote_id = int(re.search(r'data-vote="(\d+)"', client.get(url).text).group(1))
    for i in range(1, 17):
        ballots.cast_ballot(services.uow(), vote_id, "for" if i < 16 else "against",
                            actor=Actor(f"rep{i:03d}", frozenset({"representative"})))
    live = client.get(f"/congress/meetings/{ids['meeting_id']}/live").get_json()
    assert live["present"] == 20 and live["votes"][0]["cast"] == 16 and live["votes"][0]["outcome"] is None
    assert "for" not in live["votes"][0] and "against" not in str(live)

    closed = post(client, f"/congress/votes/{vote_id}/console/close", page=url)
    assert closed.status_code == 302
    page = client.get(url).text
    assert "表决结果: 未通过" in page
    assert "赞成 15，反对 1，弃权 0" in page and "通过需赞成 16 票" in page  # 过半数 of 30 seated
    assert f'href="/congress/votes/{vote_id}"' in page and "决议公告由相应流程生成后在此显示" in page
    assert client.get(f"/congress/meetings/{ids['meeting_id']}/live").get_json()["votes"][0]["outcome"] == "rejected"


def test_a_paper_vote_is_closed_with_totals_that_add_up(client, services, chair):
    ids, url = chair, console_url(chair)
    post(client, f"{url}/matters", {"title": "大会决议", "matter_type": "resolution"}, page=url)
    post(client, f"{url}/convene", page=url)
    reps = ids["representatives"]
    token = csrf(client.get(url).text)
    client.post(f"{url}/check-ins", data={"csrf_token": token,
                                          "representative_id": [str(reps[f"E{i:04d}"]) for i in range(1, 25)]})
    matter_id = int(re.search(r'data-matter="(\d+)"', client.get(url).text).group(1))
    assert post(client, f"/congress/matters/{matter_id}/console/vote", {"analog": "1"}, page=url).status_code == 302
    page = client.get(url).text
    assert "纸质选票统计" in page and "纸质投票" in page
    vote_id = int(re.search(r'data-vote="(\d+)"', page).group(1))
    bad = {"total_ballots_issued": "24", "total_ballots_cast": "24", "total_valid": "23", "total_for": "20",
           "total_against": "2", "total_abstain": "0"}
    refused = post(client, f"/congress/votes/{vote_id}/console/close", bad, page=url)
    assert refused.status_code == 422 and "纸质选票统计数有误，请核对：有效票" in refused.text
    missing = post(client, f"/congress/votes/{vote_id}/console/close", {**bad, "total_for": ""}, page=url)
    assert missing.status_code == 422 and "赞成" in missing.text
    good = bad | {"total_valid": "22"}
    assert post(client, f"/congress/votes/{vote_id}/console/close", good, page=url).status_code == 302
    page = client.get(url).text
    assert "通过" in page and "收回 24 票：赞成 20，反对 2，弃权 0" in page


def test_only_the_presidium_uses_the_console_and_representatives_see_it_live(client, services, chair):
    ids, url = chair, console_url(chair)
    meeting_page = client.get(f"/congress/meetings/{ids['meeting_id']}").text
    assert 'id="to-console"' in meeting_page and "您不是本次会议的在席职工代表" not in meeting_page
    token = csrf(meeting_page)
    client.post("/logout", data={"csrf_token": token})
    web_login(client, "rep001")
    assert client.get(url).status_code == 403
    token = csrf(client.get(f"/congress/meetings/{ids['meeting_id']}").text)
    assert client.post(f"{url}/convene", data={"csrf_token": token}).status_code == 403
    assert client.post(f"{url}/check-ins", data={"csrf_token": token, "representative_id": ["1"]}).status_code == 403
    page = client.get(f"/congress/meetings/{ids['meeting_id']}").text
    assert 'data-live-url="/congress/meetings/' in page and "js/live.js" in page and 'id="to-console"' not in page
    assert 'data-state="planned|"' in page
    assert client.get(f"/congress/meetings/{ids['meeting_id']}/live").get_json()["status"] == "planned"


def test_an_empty_sheet_and_an_untitled_matter_are_refused_in_words(client, services, chair):
    url = console_url(chair)
    empty = post(client, f"{url}/check-ins", page=url)
    assert empty.status_code == 422 and "请至少勾选一名当天在席的代表" in empty.text
    untitled = post(client, f"{url}/matters", {"title": " ", "matter_type": "resolution"}, page=url)
    assert untitled.status_code == 422 and "请填写议题名称" in untitled.text
