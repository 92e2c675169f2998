"""The election API end to end: 60 seated representatives elect 3 employee supervisors (职工监事) from 5
candidates in a secret competitive election, with scrutineers who confirm the count before it is published."""

from __future__ import annotations

import pytest

import workflows.congress.tables  # noqa: F401  (registers the tables before PostgreSQL's create_all)
from workflows.congress import minutes
from workflows.congress.tables import Meeting

from helpers.congress import CongressApi
from helpers.elections import plan_marks

TARGETS = (52, 47, 41, 33, 7)  # votes in favour of the five candidates


@pytest.fixture
def congress(client, users, login_as) -> CongressApi:
    return CongressApi(client, users, login_as)


def _nominate(c: CongressApi, election_id: int, post_id: int, reps: dict[str, int]) -> list[int]:
    nominations = [
        {"representative_id": reps["E0001"], "nominated_by": "delegation", "nominator": "第1代表团",
         "profile": "装配车间班组长，从事一线生产十二年。"},
        {"representative_id": reps["E0002"], "nominated_by": "delegation", "nominator": "第2代表团",
         "profile": "质检科技术员，工会积极分子。"},
        {"representative_id": reps["E0003"], "nominated_by": "union", "profile": "工会女职工委员会委员。"},
        {"representative_id": reps["E0004"], "nominated_by": "representatives",
         "nominator_ids": [reps["E0010"], reps["E0011"], reps["E0012"]], "profile": "仓储部职工。"},
        {"name": "王敏", "employee_no": "E9001", "nominated_by": "representatives",
         "nominator_ids": [reps["E0020"], reps["E0021"], reps["E0022"]], "profile": "财务部会计。"},
    ]
    return [c.call("post", f"/elections/{election_id}/candidates", c.chair, 201,
                   json={"post_id": post_id, **n}).get_json()["id"] for n in nominations]


def test_sixty_representatives_elect_three_employee_supervisors_from_five_candidates(congress, client, services):
    c = congress
    term_id = c.setup(60)
    meeting_id = c.meeting(term_id, present=60)
    reps = {r["employee_no"]: r["id"] for r in c.call("get", f"/terms/{term_id}/representatives", c.admin,
                                                       200).get_json()}
    matter = c.matter(meeting_id, "election", "选举第一届职工监事")
    election = c.call("post", f"/matters/{matter['id']}/election", c.chair, 201, json={
        "competitive": True, "method": "approve", "posts": [{"title": "职工监事", "seats": 3}]}).get_json()
    assert (election["kind"], election["secret"], election["status"]) == ("election", True, "setup")
    post_id = election["posts"][0]["id"]
    too_few = c.call("post", f"/elections/{election['id']}/candidates", c.chair, 422, json={
        "post_id": post_id, "name": "李四", "nominated_by": "representatives", "nominator_ids": [reps["E0030"]]})
    assert too_few.get_json()["errors"]["rule"] == ["proposal_cosigners_min"]
    candidates = _nominate(c, election["id"], post_id, reps)
    c.call("post", f"/elections/{election['id']}/rounds", c.chair, 409)  # no scrutineers yet

    scrutineers = [reps["E0058"], reps["E0059"], reps["E0060"]]
    refused = c.call("put", f"/meetings/{meeting_id}/scrutineers", c.chair, 422, json={
        "representative_ids": [reps["E0001"], *scrutineers[1:]], "chief_id": reps["E0059"]}).get_json()
    assert refused["errors"]["rule"] == ["scrutineer_not_candidate"]
    c.call("put", f"/meetings/{meeting_id}/scrutineers", c.chair, 200,
           json={"representative_ids": scrutineers, "chief_id": reps["E0058"]})
    listed = c.call("post", f"/meetings/{meeting_id}/scrutineers/approval", c.chair, 201,
                    json={"for": 57, "against": 1, "abstain": 2}).get_json()
    assert [s["status"] for s in listed["scrutineers"]] == ["approved"] * 3 and listed["scrutineers"][0]["chief"]

    rnd = c.call("post", f"/elections/{election['id']}/rounds", c.chair, 201).get_json()
    assert (rnd["number"], rnd["status"], rnd["votes_required"], rnd["result"]) == (1, "open", 31, None)
    c.call("post", f"/election-rounds/{rnd['id']}/ballots", c.rep(1), 422,
           json={"marks": {str(i): "for" for i in candidates[:4]}})  # four in favour for three seats
    marks = plan_marks(dict(zip(candidates, TARGETS, strict=True)), list(range(1, 61)), 3)
    receipts, abstainer = {}, min(i for i, mine in marks.items() if candidates[4] not in mine)
    for seat_no, mine in marks.items():
        ballot = {str(cid): mine.get(cid, "against") for cid in candidates}
        if seat_no == abstainer:  # abstains on the last candidate
            ballot[str(candidates[4])] = "abstain"
        body = c.call("post", f"/election-rounds/{rnd['id']}/ballots", c.rep(seat_no), 201,
                      json={"marks": ballot}).get_json()
        receipts[seat_no] = body["receipt"]
    c.call("post", f"/election-rounds/{rnd['id']}/ballots", c.rep(5), 409, json={"marks": {}})

    closed = c.call("post", f"/election-rounds/{rnd['id']}/close", c.chair, 200).get_json()
    post = closed["result"]["posts"][0]
    assert [(e["name"], e["for"], e["elected"]) for e in post["entries"]] == [
        ("代表1", 52, True), ("代表2", 47, True), ("代表3", 41, True), ("代表4", 33, False), ("王敏", 7, False)]
    assert post["entries"][4]["against"] == 52 and post["entries"][4]["abstain"] == 1
    assert closed["result"]["ballots_cast"] == 60 and "至少31票" in closed["result"]["rule"]
    assert c.call("get", f"/election-rounds/{rnd['id']}", c.rep(7), 200).get_json()["result"] is None
    assert c.call("get", f"/election-rounds/{rnd['id']}", c.rep(58), 200).get_json()["result"] == closed["result"]

    missing = c.call("post", f"/election-rounds/{rnd['id']}/publish", c.chair, 409).get_json()
    assert missing["errors"]["rule"] == ["scrutineers_confirmed"] and len(missing["errors"]["missing"]) == 3
    c.call("post", f"/election-rounds/{rnd['id']}/confirmations", c.rep(7), 403)
    for seat_no in (58, 59, 60):
        c.call("post", f"/election-rounds/{rnd['id']}/confirmations", c.rep(seat_no), 201)
    c.call("post", f"/election-rounds/{rnd['id']}/confirmations", c.rep(58), 409)
    published = c.call("post", f"/election-rounds/{rnd['id']}/publish", c.chair, 200).get_json()
    assert published["next_round"] is None
    pdf = client.get(f"/api/v1/documents/{published['document_id']}", headers=c.rep(7))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    html = client.get(f"/api/v1/documents/{published['html_document_id']}", headers=c.rep(7)).get_data(as_text=True)
    assert "职工代表大会选举结果公告" in html and "代表1" in html and "总监票人" in html

    public = c.call("get", f"/election-rounds/{rnd['id']}", c.rep(7), 200).get_json()
    assert public["result"]["posts"][0]["elected"] == ["代表1", "代表2", "代表3"]
    assert all(s["confirmed"] for s in public["scrutineers"]) and public["notice_pdf"] == published["document_id"]
    detail = c.call("get", f"/elections/{election['id']}", c.rep(7), 200).get_json()
    assert [x["status"] for x in detail["candidates"]] == ["elected"] * 3 + ["not_elected"] * 2
    assert detail["status"] == "finished" and detail["candidates"][0]["delegation"] == "第1代表团"
    check = c.call("post", f"/election-rounds/{rnd['id']}/receipts/check", c.rep(3), 200,
                   json={"code": receipts[3]}).get_json()
    assert check == {"counted": True}
    assert len(c.call("get", f"/election-rounds/{rnd['id']}/receipts", c.rep(3), 200).get_json()["receipts"]) == 60
    verified = c.call("get", f"/election-rounds/{rnd['id']}/verification", c.auditor, 200).get_json()
    assert verified["ballots_equal_participants"] and verified["seal_matches"] and verified["audit_ok"]
    assert verified["result_matches"]

    recall = c.matter(meeting_id, "recall", "罢免职工监事代表3")
    made = c.call("post", f"/matters/{recall['id']}/election", c.chair, 201,
                  json={"recall_of": detail["candidates"][2]["id"]}).get_json()
    assert made["kind"] == "recall" and made["candidates"][0]["name"] == "代表3"
    vote = c.call("post", f"/elections/{made['id']}/rounds", c.chair, 201).get_json()
    person = str(made["candidates"][0]["id"])
    for seat_no in range(1, 61):
        c.call("post", f"/election-rounds/{vote['id']}/ballots", c.rep(seat_no), 201,
               json={"marks": {person: "for" if seat_no <= 31 else "against"}})
    c.call("post", f"/election-rounds/{vote['id']}/close", c.chair, 200)
    for seat_no in (58, 59, 60):
        c.call("post", f"/election-rounds/{vote['id']}/confirmations", c.rep(seat_no), 201)
    c.call("post", f"/election-rounds/{vote['id']}/publish", c.chair, 200)
    after = c.call("get", f"/elections/{election['id']}", c.rep(7), 200).get_json()
    assert after["candidates"][2]["status"] == "recalled"
    listed = c.call("get", f"/meetings/{meeting_id}/elections", c.rep(7), 200).get_json()
    assert [e["kind"] for e in listed] == ["election", "recall"]
    c.call("post", f"/meetings/{meeting_id}/close", c.chair, 200)
    with services.uow(readonly=True) as uow:  # the meeting's minutes (会议纪要) record every published round
        text = minutes.compose(uow.session, uow.session.get(Meeting, meeting_id))
    assert "选举和罢免情况：" in text and "选举第一届职工监事（选举，第一轮，无记名投票）：应到60人，实到60人" in text
    assert "王敏赞成7票、反对52票、弃权1票" in text and "当选：代表1、代表2、代表3。" in text
    assert "罢免职工监事代表3（罢免，第一轮，无记名投票）" in text and "罢免：代表3。" in text
