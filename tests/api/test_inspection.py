"""A representatives' inspection (职工代表巡视, rules.md §2.5) from the plan to the congress report, over HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from engine.models import AuditEvent
from engine.worker import run_once

from helpers.inspection import FINDINGS, InspectionApi


@pytest.fixture
def api(client, deploy, users, services, clock):
    return InspectionApi(client, deploy, users, services, clock)


def test_inspection_from_plan_to_congress_report_with_overdue_answer_and_rectification_escalated_rules_2_5(api, client):
    plan = api.plan(answer_days=10)
    iid, instance = plan["id"], plan["instance_id"]
    assert plan["status"] == "notified" and plan["team"] == ["rep1", "rep2", "unionist"]
    inbox = client.get("/api/v1/notifications", headers=api.h["dept"]).get_json()
    assert any("职工代表巡视通知" in n["title"] for n in inbox["items"])

    assert list(api.tasks(instance)) == ["record_findings"]
    api.complete(instance, "record_findings", "rep3", FINDINGS, expect=403)  # a representative outside the team
    api.complete(instance, "record_findings", "unionist", FINDINGS)
    body = api.get(iid)
    assert body["status"] == "answering"
    assert [f["text"] for f in body["findings"]] == ["新增窗口尚未启用", "排队时间未做统计"]
    assert body["findings"][0]["owner"] == "后勤保障部 王经理" and body["findings"][0]["due_on"] == "2026-04-30"
    # 10 days from 2026-03-02 (start day not counted): 2026-03-12 ends at 24:00 Beijing time
    assert body["answer_due"] == "2026-03-12T16:00:00+00:00"
    assert list(api.tasks(instance)) == ["answer"]
    api.complete(instance, "answer", "rep1", {"answers": [{"finding_id": 1, "answer": "x"}]}, expect=403)

    api.at(datetime.fromisoformat(body["answer_due"]))
    assert sorted(api.tasks(instance)) == ["answer", "escalate"]  # the answer is still owed
    assert api.get(iid)["escalated_at"] is not None
    assert any("超期" in n["title"] for n in client.get("/api/v1/notifications", headers=api.h["chair"])
               .get_json()["items"])
    api.complete(instance, "escalate", "chair", {"urge_note": "电话督促，承诺三日内答复"})

    first, second = (f["id"] for f in body["findings"])
    r = api.complete(instance, "answer", "dept", {"answers": [{"finding_id": first, "answer": "4月底前启用"}]},
                     expect=422)
    assert r["errors"]["answers"] == [f"finding {second} is not answered"]
    api.complete(instance, "answer", "dept", {"answers": [{"finding_id": first, "answer": "4月底前启用"},
                                                          {"finding_id": second, "answer": "每周统计并公示"}]})
    assert api.get(iid)["findings"][1]["answer"] == "每周统计并公示"

    # The unit rectifies by the latest finding deadline (2026-04-30, to 24:00 Beijing time); reminded the day before.
    assert list(api.tasks(instance)) == ["rectify"]
    body = api.get(iid)
    assert body["status"] == "rectifying" and body["rectification_due"] == "2026-04-30T16:00:00+00:00"
    api.at(datetime(2026, 4, 30, 1, tzinfo=UTC))
    dept_notices = client.get("/api/v1/notifications", headers=api.h["dept"]).get_json()["items"]
    assert any(n["kind"] == "task.due_soon" and "报告整改完成情况" in n["title"] for n in dept_notices)
    # Overdue: escalated to the union chair (督办整改), the department and the chair are told; the step goes on.
    api.at(datetime.fromisoformat(body["rectification_due"]))
    assert sorted(api.tasks(instance)) == ["rectify", "supervise_rectification"]
    assert api.get(iid)["rectification_escalated_at"] is not None
    chair_notices = client.get("/api/v1/notifications", headers=api.h["chair"]).get_json()["items"]
    assert any(n["kind"] == "inspection.rectification_overdue" and "新增窗口尚未启用" in n["body"]
               for n in chair_notices)
    api.complete(instance, "supervise_rectification", "chair", {"urge_note": "约谈后勤负责人，限五日内完成"})
    partial = {"rectifications": [{"finding_id": first, "done": True, "note": "新窗口5月3日启用"},
                                  {"finding_id": second, "done": False, "note": "统计表在设计"}]}
    r = api.complete(instance, "rectify", "dept", partial, expect=422)
    assert r["errors"]["rectifications"] == [f"finding {second} is not rectified yet"]
    api.complete(instance, "rectify", "dept", {"rectifications": [
        {"finding_id": first, "done": True, "note": "新窗口5月3日启用"},
        {"finding_id": second, "done": True, "note": "每周一公示排队时间统计"}]})
    assert api.get(iid)["findings"][0]["rectification"] == "新窗口5月3日启用"

    meeting = api.congress["meeting_id"]
    api.complete(instance, "report", "chair", {"meeting_id": meeting + 99, "summary": "总体良好"}, expect=404)
    api.complete(instance, "report", "chair", {"meeting_id": meeting, "summary": "总体良好，两项问题已整改"})
    done = api.get(iid)
    assert done["status"] == "reported" and done["meeting_id"] == meeting
    matters = client.get(f"/api/v1/congress/meetings/{meeting}/matters", headers=api.h["chair"]).get_json()
    [matter] = [m for m in matters if m["id"] == done["matter_id"]]
    assert matter["mode"] == "hear" and matter["title"].startswith("职工代表巡视报告")
    doc = client.get(f"/api/v1/documents/{done['report_document_id']}", headers=api.h["auditor"])
    assert "每周统计并公示" in doc.get_data(as_text=True) and doc.headers["X-Content-SHA256"]
    assert "每周一公示排队时间统计" in doc.get_data(as_text=True)
    assert api.events(instance) == ["inspection.unit_notified", "inspection.planned", "inspection.findings_recorded",
                                    "inspection.answer_overdue", "inspection.answered",
                                    "inspection.rectification_opened", "inspection.rectification_overdue",
                                    "inspection.rectified", "inspection.reported"]
    instance_body = client.get(f"/api/v1/instances/{instance}", headers=api.h["auditor"]).get_json()
    assert instance_body["status"] == "completed"


def test_inspection_without_findings_goes_straight_to_the_report(api):
    plan = api.plan(who="presidium")
    api.complete(plan["instance_id"], "record_findings", "rep2", {"methods": ["documents"], "findings": []})
    assert list(api.tasks(plan["instance_id"])) == ["report"]


def test_inspection_team_must_have_representatives_in_the_majority_rules_2_5(api):
    r = api.plan(expect=422, team=["rep1", "unionist", "chair"])
    assert r["errors"]["rule"] == ["inspection_team_representatives_majority"]
    assert r["errors"]["team"] == ["not a seated representative: unionist", "not a seated representative: chair"]


def test_inspected_unit_is_notified_ten_days_ahead_rules_2_5(api):
    r = api.plan(expect=422, starts_on="2026-03-11", ends_on="2026-03-11")
    assert r["errors"]["rule"] == ["inspection_notice_days"] and r["errors"]["starts_on"] == ["on or after 2026-03-12"]
    assert api.plan(starts_on="2026-03-05", ends_on="2026-03-05", notice_days=3)["notice_days"] == 3


def test_only_the_presidium_or_the_union_plans_an_inspection(api):
    api.plan(who="rep1", expect=403)


def test_inspected_department_must_be_known(api):
    r = api.plan(expect=422, department="不存在的部门")
    assert "department" in r["errors"]


def test_union_is_reminded_when_fewer_than_one_inspection_a_year_is_planned_rules_2_5(api, client, clock):
    clock.set(datetime(2026, 9, 30, 17, 1, tzinfo=UTC))  # 2026-10-01 01:01 Beijing time
    run_once(api.services.uow)
    assert any(n["title"] == "2026年职工代表巡视尚未达到1次" for n in client.get(
        "/api/v1/notifications", headers=api.h["chair"]).get_json()["items"])
    api.plan(starts_on="2027-10-20", ends_on="2027-10-21")  # next year's
    clock.set(datetime(2027, 9, 30, 17, 1, tzinfo=UTC))
    run_once(api.services.uow)
    titles = [n["title"] for n in client.get("/api/v1/notifications", headers=api.h["chair"]).get_json()["items"]]
    assert "2027年职工代表巡视尚未达到1次" not in titles
    with (uow := api.services.uow(readonly=True)):
        checks = [json.loads(e.payload) for e in uow.session.scalars(select(AuditEvent).where(
            AuditEvent.event_type == "inspection.year_checked").order_by(AuditEvent.id))]
    by_year: dict[int, list] = {}
    for c in checks:  # a schedule may fire again in the same run: the reminder's key keeps it to one
        by_year.setdefault(c["year"], []).append(c)
    assert sum(c["reminded"] for c in by_year[2026]) == 2  # the union chair and the presidium, once each
    assert {(c["planned"], c["reminded"]) for c in by_year[2027]} == {(1, 0)}


def test_each_enterprise_is_reminded_of_its_own_too_few_inspections_rules_2_5(api, client, clock, services):
    """The yearly reminder (rules.md §2.5) is once a year per enterprise: another enterprise's reminder for the same
    year neither stops nor breaks it (its key names the organisation)."""
    from engine import tenancy

    from helpers.api import bundled_files, deploy_files
    from helpers.tenancy import headers, organisation

    b = organisation(services, "ent_b")
    b_designer, b_chair = headers(services, b, "b_designer", "designer"), headers(services, b, "b_chair", "union_chair")
    assert deploy_files(client, b_designer, bundled_files("inspection")).status_code == 201
    clock.set(datetime(2026, 9, 30, 17, 1, tzinfo=UTC))  # 2026-10-01 01:01 Beijing time
    run_once(api.services.uow)
    for who in (api.h["chair"], b_chair):
        titles = [n["title"] for n in client.get("/api/v1/notifications", headers=who).get_json()["items"]]
        assert titles.count("2026年职工代表巡视尚未达到1次") == 1, titles
    with tenancy.acting_for(b), (uow := services.uow(readonly=True)):
        assert uow.session.scalars(select(AuditEvent.id).where(AuditEvent.event_type == "inspection.year_checked")
                                   ).all()
