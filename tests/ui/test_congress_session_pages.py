"""The congress organisation pages with the Flask test client: an extraordinary session refused in words below
one third, the union's joint meeting whose decision lands on the next session's agenda, committee members
approved in session, a representative's speaking request and amendment, the presidium's call and the ordering
rule in words, and who may use each page. (The browser test is test_congress_session__browser.py.)"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from workflows.congress import amendments, meetings, session
from workflows.congress.session_tables import Speaker

from helpers.api import bundled_files
from helpers.congress import CHAIR, make_congress
from helpers.web import csrf, login


@pytest.fixture
def congress(services, client, deploy):
    assert deploy(bundled_files("congress")).status_code == 201
    ids = make_congress(services, linked={i: f"rep{i:03d}" for i in (4, 5, 6)})
    ids["seat"] = {int(no[1:]): rep_id for no, rep_id in ids["representatives"].items()}
    return ids


def _post(client, path: str, data: dict, page: str | None = None):
    token = csrf(client.get(page or path).text)
    return client.post(path, data={**data, "csrf_token": token})


def test_extraordinary_session_below_one_third_is_refused_in_words_1986_tiaoli_di_18_tiao(client, congress):
    login(client, "union1", "union_chair")
    page = f"/congress/meetings/{congress['meeting_id']}/session"
    assert "本次会议尚未启动" in client.get(page).text
    refused = _post(client, page + "/start", {"kind": "extraordinary", "proposed_by": "representatives",
                                              "supporters": [congress["seat"][i] for i in range(1, 10)]}, page)
    assert refused.status_code == 422
    assert "临时会议须由三分之一以上职工代表提议：9/30（1986 条例 第18条）" in refused.text
    done = _post(client, page + "/start", {"kind": "extraordinary", "proposed_by": "union"}, page)
    assert done.status_code == 302
    body = client.get(page).text
    assert "临时会议" in body and "预备会议" in body and "extraordinary" not in body


def test_the_union_records_a_joint_meeting_whose_decision_goes_to_the_next_session(client, congress, services):
    login(client, "union1", "union_chair")
    page = f"/congress/meetings/{congress['meeting_id']}/session"
    assert _post(client, f"/congress/meetings/{congress['meeting_id']}/delegation-head",
                 {"representative_id": congress["seat"][2]}, page).status_code == 302
    response = _post(client, f"/congress/meetings/{congress['meeting_id']}/joint-meetings", {
        "held_on": "2026-03-05", "attendees": [congress["seat"][2]], "title": "高温津贴提前发放",
        "text": "6月起"}, page)
    assert response.status_code == 302
    body = client.get(page).text
    assert "高温津贴提前发放" in body and "已列入会议议程待确认" in body and "第2代表团团长" in body
    meeting_page = client.get(f"/congress/meetings/{congress['meeting_id']}").text
    assert "确认联席会议决定：高温津贴提前发放" in meeting_page and 'id="to-session"' in meeting_page
    login(client, "rep004", "representative")
    assert client.get(page).status_code == 403


def test_speakers_and_amendments_on_the_floor_page(client, congress, services):
    meeting_id = congress["meeting_id"]
    draft = meetings.add_matter(services.uow(), meeting_id, matter_type="resolution", title="职工培训办法",
                                actor=CHAIR)
    session.start_session(services.uow(), meeting_id, {}, rules=services.rules, actor=CHAIR)
    session.complete_step(services.uow(), meeting_id, "preparatory", {
        "presidium": [congress["seat"][i] for i in (4, 5)], "scrutineers": [], "agenda_approved": True,
        "votes_for": 20, "votes_against": 0, "abstentions": 0}, actor=CHAIR)
    amendments.set_draft(services.uow(), draft.id, [{"number": 1, "title": "学时", "text": "每年24学时。"}],
                         actor=CHAIR)
    floor = f"/congress/matters/{draft.id}/floor"
    login(client, "rep005", "representative")
    assert _post(client, floor + "/speak", {"topic": "培训经费"}, floor).status_code == 302
    assert _post(client, floor + "/amendments", {"clause_number": "1", "new_text": "每年40学时。"}, floor).status_code \
        == 302
    body = client.get(floor).text
    assert "代表5" in body and "等候发言" in body and "每年40学时。" in body and "待表决" in body
    assert "申请发言" in body and "请其发言" not in body  # a representative does not call speakers

    login(client, "chair1", "presidium")
    body = client.get(floor).text
    assert "请其发言" in body
    with (uow := services.uow(readonly=True)):
        speaker_id = uow.session.scalar(select(Speaker.id))
    assert _post(client, f"{floor}/speakers/{speaker_id}", {"action": "call"}, floor).status_code == 302
    assert "正在发言" in client.get(floor).text
    console = client.get(f"/congress/meetings/{meeting_id}/console").text
    assert console.index("修正案：《职工培训办法》第1条") < console.index("<h3>职工培训办法</h3>")
    refused = _post(client, f"/congress/matters/{draft.id}/console/vote", {},
                    f"/congress/meetings/{meeting_id}/console")
    assert refused.status_code == 409 and "还有修正案未表决：修正案须先于草案表决。" in refused.text


def test_minutes_are_not_shown_to_workers_before_they_are_published(client, congress):
    login(client, "worker1", "worker")
    body = client.get(f"/congress/meetings/{congress['meeting_id']}/minutes").text
    assert "会议纪要在闭会后自动生成" in body


def test_committee_defaults_set_up_from_the_session_page(client, congress):
    login(client, "union1", "union_chair")
    page = f"/congress/meetings/{congress['meeting_id']}/session"
    assert _post(client, f"/congress/meetings/{congress['meeting_id']}/committees", {"defaults": "1"},
                 page).status_code == 302
    body = client.get(page).text
    for name in ("提案工作委员会", "集体合同监督检查委员会", "劳动保护监督检查委员会", "生活福利委员会",
                 "民主评议委员会"):
        assert name in body
    assert "proposal_committee" not in body and "labour_protection" not in body


def test_the_presidium_enters_a_drafts_clauses_as_rows(client, congress, services):
    draft = meetings.add_matter(services.uow(), congress["meeting_id"], matter_type="resolution",
                                title="职工培训办法", actor=CHAIR)
    floor = f"/congress/matters/{draft.id}/floor"
    login(client, "chair1", "presidium")
    form = client.get(floor).text
    assert 'name="clauses.0.number"' in form and "条号" in form and "|" not in form.split('id="draft-form"')[1][:3000]
    rows = {"clauses.0.number": "1", "clauses.0.title": "学时", "clauses.0.text": "每年24学时。",
            "clauses.1.number": "2", "clauses.1.title": "经费", "clauses.1.text": "按工资总额的1.5%提取。",
            "clauses.2.number": "", "clauses.2.title": "", "clauses.2.text": ""}  # a blank row is dropped
    assert _post(client, floor + "/draft", rows, floor).status_code == 302
    assert [(c["number"], c["title"]) for c in amendments.draft_view(services.uow(readonly=True), draft.id)[
        "clauses"]] == [(1, "学时"), (2, "经费")]
    refused = _post(client, floor + "/draft", {"clauses.0.title": "学时", "clauses.0.text": "每年40学时。"}, floor)
    assert refused.status_code == 422 and "每条都要有数字条号和内容。" in refused.text
    assert 'value="每年40学时。"' in refused.text or ">每年40学时。<" in refused.text  # what was typed stays
