"""The congress pages: a representative checks in and casts a secret ballot on a phone-sized screen with a
confirmation step, gets the receipt code, and reads the result with its chart once the presidium closes the
vote; without a browser: the receipt check, the refusals (409 second ballot, 403 late check-in) shown as
messages, and co-signing a proposal."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from engine import passwords
from engine.identity import SYSTEM, Actor, create_user
from workflows.congress import ballots, meetings, roster, tally

from helpers.api import bundled_files
from helpers.congress import make_congress
from helpers.roundtrip import ready as _ready

CHAIR = Actor("chair", frozenset({"presidium"}))
PASSWORD = "correct-horse-42"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def web_login(client, username: str, password: str = PASSWORD):
    token = csrf(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302


def add_user(services, username: str) -> None:
    create_user(services.uow(), username, ["representative"], actor=SYSTEM)
    passwords.set_password(services.uow(), username, PASSWORD, actor=SYSTEM)


def in_session(services, linked: dict[int, str]) -> dict:
    """A congress of 30 with the meeting convened and a secret matter on the agenda."""
    for username in linked.values():
        add_user(services, username)
    ids = make_congress(services, linked=linked)
    meetings.convene(services.uow(), ids["meeting_id"], rules=services.rules, actor=CHAIR)
    matter = meetings.add_matter(services.uow(), ids["meeting_id"], matter_type="welfare_fund_plan",
                                 title="职工福利基金使用方案", actor=CHAIR)
    assert matter.secret
    return ids | {"matter_id": matter.id}


def quorum_and_open(services, ids: dict, seats: range) -> int:
    """The presidium checks in the others (two thirds present) and opens the matter's vote."""
    reps = ids["representatives"]
    for seat in seats:
        meetings.check_in(services.uow(), ids["meeting_id"], actor=CHAIR, representative_id=reps[f"E{seat:04d}"])
    return ballots.open_vote(services.uow(), ids["matter_id"], rules=services.rules, actor=CHAIR).id


def test_a_representative_checks_in_votes_secretly_and_sees_the_result(ui, live_server):
    services = live_server.services
    ids = in_session(services, {1: "cg_rep1"})
    page = ui.page
    page.set_viewport_size({"width": 390, "height": 844})  # representatives vote on their phones
    ui.login("cg_rep1")
    page.goto(ui.url("/congress/meetings"))
    page.locator("#meetings a", has_text="第五届职工代表大会第二次会议").click()
    page.wait_for_selector("#meeting-title")
    assert page.inner_text("#meeting-status") == "会议进行中"
    assert "代表1" in page.inner_text("#seat-name")
    assert page.locator(".choices").count() == 0  # not checked in, no vote open
    page.click("#check-in")
    page.wait_for_selector("#checked-in")
    assert "签到成功" in page.inner_text(".flash.ok")

    vote_id = quorum_and_open(services, ids, range(2, 22))
    page.reload()
    matter = page.locator(f"[data-matter='{ids['matter_id']}']")
    assert "无记名投票" in matter.inner_text() and "表决进行中" in matter.inner_text()
    assert [b.inner_text() for b in matter.locator("button.choice").all()] == ["赞成", "反对", "弃权"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert matter.locator("button.choice").first.bounding_box()["height"] >= 48  # easy to hit on a phone
    ui.shot("meeting-vote-zh", "您的席位", "已签到", "赞成", "反对", "弃权")

    matter.locator("button[data-choice=for]").click()
    page.wait_for_selector("#confirm-choice")
    assert page.inner_text("#confirm-choice") == "赞成"
    assert "投票后不可更改" in page.inner_text("#final-note")
    ui.shot("vote-confirm-zh", "确认投票", "赞成")
    page.click("#back")  # changing one's mind before casting is fine
    page.locator(f"[data-matter='{ids['matter_id']}'] button[data-choice=for]").click()
    page.click("#cast")
    page.wait_for_selector("#receipt-code")
    code = page.inner_text("#receipt-code").strip()
    assert re.fullmatch(r"[0-9A-F]{4}(-[0-9A-F]{4}){3}", code)
    assert "它只能证明您的选票已计入，不显示您的选择" in page.inner_text("#receipt-help")
    ui.shot("vote-receipt-zh", "回执码", code)
    page.click("#back-meeting")
    assert "已投票" in page.locator(f"[data-matter='{ids['matter_id']}']").inner_text()
    assert page.locator(".choices").count() == 0

    for seat in range(2, 21):  # the others vote (19 for: 20 with ours > 15 = half of 30), then the close
        username = f"rep_seat{seat}"
        add_user(services, username)
        roster.link_account(services.uow(), ids["representatives"][f"E{seat:04d}"], username, actor=SYSTEM)
        choice = "for" if seat < 18 else "against"
        ballots.cast_ballot(services.uow(), vote_id, choice, actor=Actor(username, frozenset({"representative"})))
    tally.close_vote(services.uow(), vote_id, rules=services.rules, actor=CHAIR)

    page.set_viewport_size({"width": 1280, "height": 800})
    ui.switch_language("en")
    page.locator(f"[data-matter='{ids['matter_id']}'] a.result-link").click()
    page.wait_for_selector("#chart svg")
    assert page.inner_text("#outcome") == "Outcome: Adopted"
    assert (page.inner_text("#count-for"), page.inner_text("#count-against")) == ("17", "3")
    assert "more than half of all seated representatives" in page.inner_text("#rule")
    assert page.locator("#chart svg rect").count() == 3
    page.fill("#receipt-input", code.lower())
    page.click("#receipt-submit")
    page.wait_for_selector("#receipt-result")
    assert page.inner_text("#receipt-result").startswith("Counted")
    ui.shot("vote-result-en", "Vote result", "Seated representatives", "Adopted", "Counted")


@pytest.fixture
def voting(services, client):
    """wang (seat 1) checked in through the page before the vote opened; li (seat 2) did not."""
    ids = in_session(services, {1: "wang", 2: "li"})
    web_login(client, "wang")
    page = client.get(f"/congress/meetings/{ids['meeting_id']}").text
    response = client.post(f"/congress/meetings/{ids['meeting_id']}/check-in", data={"csrf_token": csrf(page)})
    assert response.status_code == 302
    return ids | {"vote_id": quorum_and_open(services, ids, range(3, 23))}


def test_receipt_check_and_refusals_are_shown_as_messages(client, services, clock, voting):
    vote_id, meeting_id = voting["vote_id"], voting["meeting_id"]
    page = client.get(f"/congress/meetings/{meeting_id}").text
    assert 'data-choice="against"' in page
    confirm = client.get(f"/congress/votes/{vote_id}/ballot?choice=against").text
    assert "投票后不可更改" in confirm and "反对" in confirm
    token = csrf(confirm)

    cast = client.post(f"/congress/votes/{vote_id}/ballot", data={"choice": "against", "csrf_token": token})
    assert cast.status_code == 201
    code = re.search(r'id="receipt-code">([0-9A-F-]+)<', cast.text).group(1)
    again = client.post(f"/congress/votes/{vote_id}/ballot", data={"choice": "for", "csrf_token": token})
    assert again.status_code == 409
    assert "您已经投过票，选票不可更改。" in again.text and 'id="cg-error"' in again.text
    assert "Traceback" not in again.text and "已投票" in again.text
    assert client.post(f"/congress/votes/{vote_id}/ballot", data={"choice": "for"}).status_code == 400  # no CSRF

    early = client.post(f"/congress/votes/{vote_id}/receipt", data={"code": code, "csrf_token": token})
    assert early.status_code == 409 and "表决尚未结束" in early.text  # receipts are published at the close
    tally.close_vote(services.uow(), vote_id, rules=services.rules, actor=CHAIR)
    counted = client.post(f"/congress/votes/{vote_id}/receipt", data={"code": code, "csrf_token": token})
    assert counted.status_code == 200 and "已计入" in counted.text
    forged = client.post(f"/congress/votes/{vote_id}/receipt",
                         data={"code": "0000-0000-0000-0000", "csrf_token": token})
    assert forged.status_code == 200 and "未找到" in forged.text
    result = client.get(f"/congress/votes/{vote_id}").text
    assert "<svg" in result and "未通过" in result and "过半数" in result  # 0 for out of 30 seated

    client.post("/logout", data={"csrf_token": token})
    web_login(client, "li")  # checks in only now: too late for the vote already open
    clock.set(clock.now() + timedelta(minutes=5))
    page = client.get(f"/congress/meetings/{meeting_id}").text
    client.post(f"/congress/meetings/{meeting_id}/check-in", data={"csrf_token": csrf(page)})
    matter = meetings.add_matter(services.uow(), meeting_id, matter_type="welfare_fund_plan", title="第二项",
                                 actor=CHAIR)
    late_vote = ballots.open_vote(services.uow(), matter.id, rules=services.rules, actor=CHAIR)
    assert client.get(f"/congress/meetings/{meeting_id}").status_code == 200
    refused = client.post(f"/congress/votes/{vote_id}/ballot", data={"choice": "for", "csrf_token": csrf(page)})
    assert refused.status_code == 409 and "该表决未在进行中" in refused.text  # the first vote is closed
    ok = client.post(f"/congress/votes/{late_vote.id}/ballot", data={"choice": "for", "csrf_token": csrf(page)})
    assert ok.status_code == 201  # checked in before this one opened


def test_late_check_in_is_refused_with_a_message(client, services, clock, voting):
    client.post("/logout", data={"csrf_token": csrf(client.get("/congress/meetings").text)})
    web_login(client, "li")
    clock.set(clock.now() + timedelta(minutes=5))
    meeting_id, vote_id = voting["meeting_id"], voting["vote_id"]
    page = client.get(f"/congress/meetings/{meeting_id}").text
    client.post(f"/congress/meetings/{meeting_id}/check-in", data={"csrf_token": csrf(page)})
    page = client.get(f"/congress/meetings/{meeting_id}").text
    assert "您在表决开始后才签到" in page and 'data-choice="for"' not in page
    refused = client.post(f"/congress/votes/{vote_id}/ballot", data={"choice": "for", "csrf_token": csrf(page)})
    assert refused.status_code == 403 and "您未在表决开始前签到，不能投票。" in refused.text


def test_a_cosigner_confirms_a_proposal_on_its_page(client, services, users, deploy):
    make_congress(services, linked={1: "rep1", 2: "rep2", 3: "rep3"})
    assert deploy(bundled_files("congress")).status_code == 201
    rep1 = users.headers("rep1", "representative")
    users.headers("rep2", "representative")
    passwords.set_password(services.uow(), "rep2", PASSWORD, actor=SYSTEM)
    iid = client.post("/api/v1/instances", json={"process": "proposal"}, headers=rep1).get_json()["id"]
    _, ready = _ready(client, rep1, iid)
    data = {"title": "食堂扩建", "reason": "午餐排队超过30分钟", "measures": "增加4个窗口",
            "cosigners": ["E0002", "E0003"]}
    done = client.post(f"/api/v1/tasks/{ready['submit']}/complete", headers=rep1, json={"data": data})
    assert done.status_code == 200

    web_login(client, "rep2")
    listing = client.get("/congress/proposals").text
    assert "食堂扩建" in listing and "附议中" in listing
    proposal_id = int(re.search(r"/congress/proposals/(\d+)", listing).group(1))
    page = client.get(f"/congress/proposals/{proposal_id}").text
    assert 'id="cosign-confirm"' in page and "待确认" in page
    response = client.post(f"/congress/proposals/{proposal_id}/cosign",
                           data={"answer": "confirm", "comment": "同意", "csrf_token": csrf(page)})
    assert response.status_code == 302
    page = client.get(f"/congress/proposals/{proposal_id}").text
    assert "已附议" in page and 'id="cosign-confirm"' not in page
    again = client.post(f"/congress/proposals/{proposal_id}/cosign",
                        data={"answer": "decline", "csrf_token": csrf(page)})
    assert again.status_code == 409 and "Traceback" not in again.text
