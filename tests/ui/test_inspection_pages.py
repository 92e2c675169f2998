"""The inspection pages without a browser (职工代表巡视, rules.md §2.5): the union chair plans on the office page
(team with representatives in the majority, the unit told 10 days ahead), the team records its methods and
findings, the inspected unit answers and reports its rectification, and the chair reports to the congress."""

from __future__ import annotations

import re

import pytest

from helpers.inspection import InspectionApi
from helpers.web import csrf, login

PLAN = {"title": "食堂提案办理巡视", "subject_kind": "proposal", "scope": "食堂扩建提案的落实",
        "department": "logistics", "starts_on": "2026-03-12", "ends_on": "2026-03-13", "notice_days": "10"}


@pytest.fixture
def api(client, deploy, users, services, clock):
    return InspectionApi(client, deploy, users, services, clock)


def _text(html: str) -> str:
    """The page's visible text (tags and attribute values removed)."""
    return re.sub(r"<[^>]+>", " ", html)


def _step(client, iid: int, element: str, page: str, data: dict) -> str:
    r = client.post(f"/inspections/{iid}/steps/{element}", data={"csrf_token": csrf(page), **data},
                    follow_redirects=True)
    assert r.status_code == 200
    return r.text


def test_inspection_planned_recorded_answered_rectified_and_reported_on_the_pages_rules_2_5(api, client):
    login(client, "chair", "union_chair")
    office = client.get("/inspections").text
    assert "2026年已安排职工代表巡视 0 次，每年至少 1 次" in office and 'id="plan-new"' in office
    form = client.get("/inspections/new").text
    assert 'value="rep1"' in form and "职工代表" in form and "提前通知" in form
    # Representatives must be the majority of the team: refused with the rule, nothing planned.
    r = client.post("/inspections/new", data={"csrf_token": csrf(form), **PLAN, "team": ["rep1"],
                                              "other_members": "unionist，chair"}, follow_redirects=True)
    assert "未能办理" in r.text and "representatives must be the majority" in r.text
    r = client.post("/inspections/new", data={"csrf_token": csrf(form), **PLAN, "team": ["rep1", "rep2"],
                                              "other_members": "unionist"}, follow_redirects=True)
    assert "巡视计划已确定，已通知被巡视单位和巡视组成员。" in r.text
    iid = int(re.search(r'/inspections/(\d+)/', r.text + "/inspections/1/").group(1))
    assert "后勤保障部" in r.text and "已通知" in r.text and "等待巡视组记录巡视情况。" in r.text

    login(client, "unionist")
    page = client.get(f"/inspections/{iid}").text
    assert 'id="findings-form"' in page and "听取汇报" in page and "质询" in page
    page = _step(client, iid, "record_findings", page, {
        "methods": ["reports", "site_visits", "questions"],
        "findings.0.text": "新增窗口尚未启用", "findings.0.owner": "后勤保障部 王经理",
        "findings.0.due_on": "2026-04-30", "findings.1.text": "排队时间未做统计",
        "findings.2.text": "", "findings.2.owner": ""})  # a blank row is dropped
    assert "巡视记录已提交。" in page and "新增窗口尚未启用" in page and "待答复" in page
    assert 'id="findings-form"' not in page

    login(client, "dept")
    page = client.get(f"/inspections/{iid}").text
    ids = re.findall(r'name="answer_(\d+)"', page)
    assert len(ids) == 2 and "答复并制定整改方案" in page
    page = _step(client, iid, "answer", page, {f"answer_{ids[0]}": "4月底前启用", f"answer_{ids[1]}": "每周统计并公示"})
    assert "答复已提交。" in page and "报告整改完成情况" in page and "2026-04-30 24时止（北京时间）" in page
    page = _step(client, iid, "rectify", page, {f"done_{ids[0]}": "1", f"note_{ids[0]}": "已启用",
                                                f"note_{ids[1]}": "统计表设计中"})
    assert "未能办理" in page and f"finding {ids[1]} is not rectified yet" in page
    page = _step(client, iid, "rectify", page, {f"done_{ids[0]}": "1", f"note_{ids[0]}": "已启用",
                                                f"done_{ids[1]}": "1", f"note_{ids[1]}": "每周一公示"})
    assert "整改情况已提交。" in page and "每周一公示" in page

    login(client, "chair", "union_chair")
    page = client.get(f"/inspections/{iid}").text
    assert 'id="report-form"' in page and api.congress["meeting_id"] and "选举大会" not in page
    page = _step(client, iid, "report", page, {"meeting_id": str(api.congress["meeting_id"]),
                                               "summary": "两项问题均已整改"})
    assert "巡视报告已列入大会议程（听取）。" in page and 'id="report-document"' in page and "已报告" in page
    text = _text(page)
    for raw in ("answering", "rectifying", "reported", "record_findings", "logistics", "union_chair", "None"):
        assert raw not in text, raw
    assert client.get("/inspections").text.count('data-inspection="') == 1


def test_inspection_tasks_in_the_inbox_lead_to_the_inspection_page(api, client):
    plan = api.plan()
    task = api.tasks(plan["instance_id"])["record_findings"]
    login(client, "unionist")
    page = client.get(f"/tasks/{task}").text
    assert f'href="/inspections/{plan["id"]}"' in page and 'id="go-desk"' in page


def test_a_worker_outside_the_team_cannot_record_findings(api, client):
    plan = api.plan()
    login(client, "rep3", "representative")
    page = client.get(f"/inspections/{plan['id']}").text
    assert 'id="findings-form"' not in page
    page = _step(client, plan["id"], "record_findings", page, {"findings.0.text": "随便写"})
    assert "未能办理" in page
    assert api.get(plan["id"])["findings"] == []
