"""Factory-affairs disclosure (厂务公开) through the HTTP API: the rules of rules.md §3 that dmflow enforces, the
errors bad input gets (and that it changes nothing), and who sees what at every stage."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from io import BytesIO

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from engine.errors import Conflict, ValidationFailed
from workflows.congress import meetings
from workflows.disclosure import stages as disclosure
from workflows.disclosure.catalogue import DisclosureSettings

from helpers.congress import CHAIR, make_congress
from helpers.disclosure import DisclosureApi, disclosure_api
from helpers.roundtrip import assert_round_trip
from helpers.web import login

SECRET = "机密：2026年裁员名单草稿，涉及商业秘密"
@pytest.fixture
def flow(client, deploy, users, services, clock) -> DisclosureApi:
    return disclosure_api(client, deploy, users, services, clock)


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _worker_sees_nothing_of(flow: DisclosureApi, did: int, *needles: str) -> None:
    """Neither the disclosure API nor the generic instance, history and task APIs show a worker the draft."""
    assert flow.call("get", f"/{did}", "worker", 404)["message"] == f"disclosure {did} does not exist"
    assert did not in [d["id"] for d in flow.call("get", "", "worker")]
    flow.call("get", f"/{did}/questions", "worker", 404)
    flow.call("post", f"/{did}/questions", "worker", 404, json={"body": "这是什么？"})
    iid = flow._instance(did)
    seen = json.dumps([flow.client.get(path, headers=flow.h["worker"]).get_json() for path in (
        f"/api/v1/instances/{iid}", f"/api/v1/instances/{iid}/history", "/api/v1/tasks")], ensure_ascii=False)
    for needle in needles:
        assert needle not in seen


def test_confidential_draft_is_never_visible_to_workers_at_any_stage__s3_1_limits(flow):
    did = flow.start("staff_reduction", None)
    flow.call("put", f"/{did}/draft", "hr", json={"content": SECRET, "channels": ["congress"]})
    attachment = flow.call("post", f"/{did}/attachments", "hr", 201,
                           data={"file": (BytesIO(SECRET.encode()), "裁员名单.xlsx")},
                           content_type="multipart/form-data")
    _worker_sees_nothing_of(flow, did, SECRET, "裁员名单")
    flow.call("get", f"/{did}/attachments/{attachment['id']}", "worker", 404)
    flow.call("post", f"/{did}/submit", "hr")
    _worker_sees_nothing_of(flow, did, SECRET, "裁员名单")
    flow.check(did, "withhold", trade_secret=True, notes="含商业秘密，不予公开")
    detail = flow.call("get", f"/{did}", "conf")
    assert detail["status"] == "withheld"
    assert detail["staff"]["reviews"][0]["details"]["notes"] == "含商业秘密，不予公开"
    _worker_sees_nothing_of(flow, did, SECRET, "裁员名单", "含商业秘密")
    instance = flow.client.get(f"/api/v1/instances/{flow._instance(did)}", headers=flow.h["auditor"]).get_json()
    assert instance["status"] == "completed" and instance["next_timer_at"] is None  # terminated: nothing waits
    flow.call("post", f"/{did}/publications", "hr", 409, json={"channel": "congress"})
    assert flow.call("get", f"/{did}", "auditor")["content"] == SECRET  # auditors read everything


def test_a_draft_becomes_visible_to_workers_only_with_the_publish_step(flow):
    did = flow.start("budget", "2026", "finance")  # congress first, confidentiality check: every stage there is
    flow.call("put", f"/{did}/draft", "finance", json={"content": "2026年度预算草案", "channels": ["intranet"]})
    stages = ["drafting"]
    _worker_sees_nothing_of(flow, did, "2026年度预算草案")
    flow.call("post", f"/{did}/submit", "finance")
    stages.append(flow.call("get", f"/{did}", "finance")["status"])
    _worker_sees_nothing_of(flow, did, "2026年度预算草案")
    stages.append(flow.check(did)["status"])
    _worker_sees_nothing_of(flow, did, "2026年度预算草案")
    stages.append(flow.review(did)["status"])
    _worker_sees_nothing_of(flow, did, "2026年度预算草案")
    with pytest.raises(ValidationFailed):
        disclosure.congress_reviewed(flow.services.uow(), did, outcome="maybe", note=None, actor="presidium1")
    disclosure.congress_reviewed(flow.services.uow(), did, outcome="noted", note="第二次会议已听取", actor="presidium1")
    with pytest.raises(Conflict):  # it no longer waits for the congress
        disclosure.congress_reviewed(flow.services.uow(), did, outcome="noted", note=None, actor="presidium1")
    stages.append(flow.call("get", f"/{did}", "finance")["status"])
    flow.call("post", f"/{did}/publications", "finance", 201, json={"channel": "intranet"})
    _worker_sees_nothing_of(flow, did, "2026年度预算草案")  # posted, but the publish step is not done
    assert stages == ["drafting", "checking", "reviewing", "awaiting_congress", "approved"]
    flow.call("post", f"/{did}/publish", "finance")
    seen = flow.call("get", f"/{did}", "worker")
    assert seen["content"] == "2026年度预算草案" and seen["status"] == "feedback_open" and "staff" not in seen
    assert did in [d["id"] for d in flow.call("get", "", "worker")]


def test_state_or_trade_secret_is_never_cleared_for_publication__s3_1_limits(flow):
    did = flow.start()
    flow.draft(did)
    for flags in ({"state_secret": True}, {"trade_secret": True}, {"lawful": False}):
        body = flow.check(did, "clear", 422, **flags)
        assert body["errors"]["rule"] == ["protect_state_and_trade_secrets"]
    detail = flow.call("get", f"/{did}", "conf")
    assert detail["status"] == "checking" and detail["staff"]["reviews"] == []  # nothing changed
    assert flow.check(did, "return", state_secret=True, notes="删去第3段")["status"] == "drafting"
    assert flow.draft(did)["status"] == "checking"


def test_supervision_group_approves_only_a_truthful_complete_timely_disclosure__s3_2_supervision(flow):
    did = flow.start()
    flow.draft(did)
    flow.check(did)
    for check in ("truthful", "complete", "timely"):
        body = flow.review(did, "approve", 422, **{check: False})
        assert body["errors"]["rule"] == ["truthful_complete_timely"] and check in body["errors"]
    assert flow.call("get", f"/{did}", "sup")["status"] == "reviewing"
    flow.call("post", f"/{did}/review", "hr", 403, json={"decision": "approve", "truthful": True, "complete": True,
                                                          "timely": True})
    returned = flow.review(did, "return", complete=False, comments="缺少分险种明细")
    assert returned["status"] == "drafting"
    assert returned["staff"]["reviews"][-1]["details"] == {"truthful": True, "complete": False, "timely": True,
                                                           "comments": "缺少分险种明细"}


def test_publishing_without_the_supervision_groups_approval_is_refused__s3_2_supervision(flow):
    did = flow.start()
    flow.draft(did)
    flow.check(did)
    body = flow.call("post", f"/{did}/publications", "hr", 409, json={"channel": "notice_board"})
    assert body["errors"]["rule"] == ["supervision_approval_before_publication"]
    body = flow.call("post", f"/{did}/publish", "hr", 409)
    assert body["errors"]["rule"] == ["supervision_approval_before_publication"]
    detail = flow.call("get", f"/{did}", "hr")
    assert detail["publications"] == [] and detail["status"] == "reviewing" and detail["published_at"] is None


def test_each_channel_is_recorded_with_time_and_poster_before_publication__s3_2_channels(flow):
    did = flow.start()
    flow.draft(did, channels=("notice_board", "wechat", "meeting"))
    flow.check(did)
    flow.review(did)
    posted = flow.call("post", f"/{did}/publications", "hr", 201,
                       json={"channel": "notice_board", "location": "一号楼厂务公开栏"})
    assert posted["posted_by"] == "hr1" and _when(posted["posted_at"]) == flow.clock.now()
    flow.call("post", f"/{did}/publications", "finance", 404, json={"channel": "wechat"})  # not theirs to see
    flow.call("post", f"/{did}/publications", "hr", 422, json={"channel": "wechat",
                                                               "posted_at": "2030-01-01T00:00:00+08:00"})
    body = flow.call("post", f"/{did}/publish", "hr", 409)
    assert body["errors"] == {"rule": ["every_channel_recorded"], "channels": ["wechat", "meeting"]}
    flow.call("post", f"/{did}/publications", "hr", 201, json={"channel": "wechat", "location": "全厂职工群"})
    flow.call("post", f"/{did}/publications", "hr", 201, json={"channel": "meeting", "location": "季度职工大会"})
    published = flow.call("post", f"/{did}/publish", "hr")
    assert [(p["channel"], p["location"]) for p in published["publications"]] == [
        ("notice_board", "一号楼厂务公开栏"), ("wechat", "全厂职工群"), ("meeting", "季度职工大会")]


def test_matters_the_congress_reviews_are_disclosed_to_it_first__s3_2_main_channel(flow):
    did = flow.start("budget", "2026", "finance")
    flow.draft(did, "finance", "预算草案", ("congress",))
    flow.check(did)
    assert flow.review(did)["status"] == "awaiting_congress"
    body = flow.call("post", f"/{did}/publications", "finance", 409, json={"channel": "congress"})
    assert body["errors"]["rule"] == ["supervision_approval_before_publication"]
    message = {"name": "disclosure.congress_reviewed", "correlation": {"disclosure_id": did},
               "data": {"outcome": "returned", "note": "请补充三年对比"}}
    assert flow.client.post("/api/v1/messages", headers=flow.h["liaison"], json=message).status_code == 200
    detail = flow.call("get", f"/{did}", "finance")
    assert detail["status"] == "drafting" and detail["staff"]["reviews"][-1]["details"] == {"note": "请补充三年对比"}
    flow.draft(did, "finance", "预算草案（补充三年对比）", ("congress",))
    flow.check(did)
    flow.review(did)
    message["data"] = {"outcome": "noted"}
    assert flow.client.post("/api/v1/messages", headers=flow.h["liaison"], json=message).status_code == 200
    assert flow.publish(did, "finance")["status"] == "feedback_open"


def test_question_after_the_feedback_window_is_refused__s3_2_feedback(flow):
    did = flow.to_feedback()
    until = _when(flow.call("get", f"/{did}", "worker")["feedback_until"])
    assert flow.call("post", f"/{did}/questions", "worker", 201, json={"body": "单位缴费基数是多少？"})["asked_by"]
    flow.clock.set(until)  # the window has run out, even before the worker closes it
    body = flow.call("post", f"/{did}/questions", "worker2", 409, json={"body": "迟到的问题"})
    assert body["errors"]["rule"] == ["feedback_window"]
    flow.at(until)
    flow.call("post", f"/{did}/questions", "worker2", 409, json={"body": "迟到的问题"})
    assert [q["body"] for q in flow.call("get", f"/{did}/questions", "worker")] == ["单位缴费基数是多少？"]


def test_task_rows_name_the_disclosure_they_belong_to(flow):
    did = flow.start()
    rows = flow.client.get("/api/v1/tasks?scope=all", headers=flow.h["admin"]).get_json()["items"]
    [row] = [r for r in rows if r["business_key"] == f"disclosure:{did}"]
    assert row["case_title"].startswith("厂务公开 社会保险和企业年金缴纳情况（2026年第1季度")


def test_too_many_questions_from_one_worker_are_429_with_a_clear_message(flow, services):
    services.runtime.context["disclosure"] = DisclosureSettings(questions_per_disclosure=10, questions_per_hour=2)
    did = flow.to_feedback()
    for n in range(2):
        flow.call("post", f"/{did}/questions", "worker", 201, json={"body": f"问题{n}", "visibility": "anonymous"})
    response = flow.client.post(f"/api/v1/disclosures/{did}/questions", headers=flow.h["worker"],
                                json={"body": "第三个"})
    body = response.get_json()
    assert response.status_code == 429 and body["status"] == "Too Many Requests"
    assert "一小时内最多提出 2 条问题" in body["message"] and int(response.headers["Retry-After"]) > 0
    flow.call("post", f"/{did}/questions", "worker2", 201, json={"body": "另一位职工"})


def test_answer_by_someone_outside_the_owner_department_is_refused__s3_2_responsibility(flow):
    did = flow.to_feedback()
    qid = flow.call("post", f"/{did}/questions", "worker", 201, json={"body": "公积金比例？"})["id"]
    for who in ("finance", "sup", "worker2", "admin", "auditor"):
        flow.call("post", f"/{did}/questions/{qid}/answer", who, 403, json={"answer": "12%"})
    [question] = flow.call("get", f"/{did}/questions", "worker")
    assert question["answer"] is None and question["answered_by"] is None
    answered = flow.call("post", f"/{did}/questions/{qid}/answer", "hr", json={"answer": "单位和个人各12%"})
    assert answered["answered_by"] == "hr1" and answered["late"] is False
    flow.call("post", f"/{did}/questions/{qid}/answer", "hr", 409, json={"answer": "again"})


def test_empty_or_oversized_attachment_is_refused_and_changes_nothing(flow, services):
    did = flow.start()
    upload = {"content_type": "multipart/form-data"}
    body = flow.call("post", f"/{did}/attachments", "hr", 422, data={"file": (BytesIO(b""), "空.pdf")}, **upload)
    assert body["errors"] == {"file": ["0 bytes"]}
    limit = DisclosureSettings().attachment_max_bytes
    assert limit == 10 * 1024 * 1024
    # Encoded here: the test client would spool a body this size to a temporary file it never closes.
    boundary, big = encode_multipart({"file": FileStorage(BytesIO(b"x" * (limit + 1)), "big.pdf")})
    body = flow.call("post", f"/{did}/attachments", "hr", 422, data=big,
                     content_type=f"multipart/form-data; boundary={boundary}")
    assert body["errors"] == {"file": [f"{limit + 1} bytes"]}
    services.runtime.context["disclosure"] = DisclosureSettings(attachment_max_bytes=4)
    flow.call("post", f"/{did}/attachments", "hr", 422, data={"file": (BytesIO(b"12345"), "a.pdf")}, **upload)
    stored = flow.call("post", f"/{did}/attachments", "hr", 201, data={"file": (BytesIO(b"1234"), "a/b.pdf")},
                       **upload)
    assert stored["filename"] == "b.pdf" and stored["sha256"] == \
        "03ac674216f3e15c761ee1a5e255f067953623c8b388b4459e13f978d7c846f4" and stored["size"] == 4
    flow.call("post", f"/{did}/attachments", "finance", 404, data={"file": (BytesIO(b"1"), "c.pdf")}, **upload)
    flow.call("post", f"/{did}/attachments", "sup", 403, data={"file": (BytesIO(b"1"), "c.pdf")}, **upload)
    assert [a["id"] for a in flow.call("get", f"/{did}", "hr")["attachments"]] == [stored["id"]]
    got = flow.client.get(f"/api/v1/disclosures/{did}/attachments/{stored['id']}", headers=flow.h["hr"])
    assert got.data == b"1234" and got.headers["X-Content-SHA256"] == stored["sha256"]
    assert got.headers["Content-Disposition"].endswith("filename*=UTF-8''b.pdf")


def test_owner_department_stages_cannot_be_completed_through_the_generic_task_api(flow, users):
    did = flow.start()
    anyone = users.headers("impostor", "owner_department")  # holds the placeholder lane role
    task = flow.tasks(did)["draft"]
    r = flow.client.post(f"/api/v1/tasks/{task}/complete", json={"data": {"declaration": True}}, headers=anyone)
    assert r.status_code == 403 and "candidates" in r.get_json()["message"]  # the lane name alone is nothing
    r = flow.client.post(f"/api/v1/tasks/{task}/complete", json={"data": {"declaration": True}}, headers=flow.h["hr"])
    assert r.status_code == 403 and "/api/v1/disclosures" in r.get_json()["message"]  # the desk's checks apply
    flow.call("post", f"/{did}/submit", "finance", 404)
    flow.call("post", f"/{did}/submit", "sup", 403)
    flow.call("post", f"/{did}/submit", "hr", 422)  # no content yet
    assert flow.call("get", f"/{did}", "hr")["status"] == "drafting"


def test_asker_is_shown_only_as_the_asker_allowed(flow):
    did = flow.to_feedback()
    for visibility in ("public", "department", "anonymous"):
        flow.call("post", f"/{did}/questions", "worker", 201, json={"body": visibility, "visibility": visibility,
                                                                    "kind": "objection"})

    def askers(who):
        return {q["body"]: q["asked_by"] for q in flow.call("get", f"/{did}/questions", who)}

    assert askers("worker2") == {"public": "worker1", "department": None, "anonymous": None}
    assert askers("hr") == {"public": "worker1", "department": "worker1", "anonymous": None}
    assert askers("worker") == askers("auditor") == {v: "worker1" for v in ("public", "department", "anonymous")}
    assert all(q["mine"] for q in flow.call("get", f"/{did}/questions", "worker"))
    history = json.dumps(flow.client.get(f"/api/v1/instances/{flow._instance(did)}/history",
                                         headers=flow.h["worker2"]).get_json())
    assert "worker1" not in history  # the questions' audit chain is not the instance's


def test_catalogue_is_edited_by_admins_and_running_disclosures_keep_their_values(flow):
    item = flow.items["social_insurance"]
    did = flow.start()
    for who in ("hr", "sup", "worker"):
        flow.call("patch", f"/catalogue/{item['id']}", who, 403, json={"owner_role": "dept_finance"})
    changed = flow.call("patch", f"/catalogue/{item['id']}", "admin", json={"owner_role": "dept_finance",
                                                                            "feedback_days": 10})
    assert changed["owner_role"] == "dept_finance" and changed["updated_by"] == "admin1"
    assert flow.call("get", f"/{did}", "hr")["owner_role"] == "dept_hr"  # started before the edit
    flow.call("patch", f"/catalogue/{item['id']}", "admin", 422, json={"channels": ["fax"]})
    created = flow.call("post", "/catalogue", "admin", 201, json={
        "code": "canteen", "title": "食堂收支", "category": "vital_interests", "legal_basis": "本企业厂务公开制度",
        "frequency": "quarterly", "channels": ["notice_board"], "owner_role": "dept_logistics",
        "congress_first": False, "confidentiality_check": False})
    assert created["active"] and created["channels"] == ["notice_board"]
    flow.call("post", "/catalogue", "admin", 409, json={k: created[k] for k in (
        "code", "title", "category", "legal_basis", "frequency", "channels", "owner_role", "congress_first",
        "confidentiality_check")})


def test_ad_hoc_disclosure_starts_on_demand__s3_2_timing(flow):
    item = flow.items["staff_reduction"]
    flow.call("post", "", "finance", 403, json={"item_id": item["id"]})
    flow.call("post", "", "hr", 422, json={"item_id": item["id"], "period": "2026-Q1"})
    first = flow.call("post", "", "hr", 201, json={"item_id": item["id"], "within_days": 3})
    second = flow.call("post", "", "sup", 201, json={"item_id": item["id"]})
    assert first["status"] == second["status"] == "drafting" and first["period"] is None
    assert _when(first["publish_due"]) < _when(second["publish_due"])  # 3 days vs the default 10
    regular = flow.items["social_insurance"]["id"]
    flow.call("post", "", "hr", 422, json={"item_id": regular})
    flow.call("post", "", "hr", 201, json={"item_id": regular, "period": "2025-Q4"})
    flow.call("post", "", "hr", 409, json={"item_id": regular, "period": "2025-Q4"})


def test_late_answers_escalate_to_the_supervision_group__s3_2_supervision(flow):
    did = flow.to_feedback()
    late = flow.call("post", f"/{did}/questions", "worker", 201, json={"body": "为何少缴一个月？"})
    on_time = flow.call("post", f"/{did}/questions", "worker2", 201, json={"body": "基数如何确定？"})
    flow.call("post", f"/{did}/questions/{on_time['id']}/answer", "hr", json={"answer": "按上年月平均工资"})
    flow.at(_when(late["answer_due"]) - timedelta(minutes=2))
    assert "supervise_answers" not in flow.tasks(did)
    flow.at(_when(late["answer_due"]) + timedelta(hours=1))
    assert "supervise_answers" in flow.tasks(did)
    [question] = [q for q in flow.call("get", f"/{did}/questions", "sup") if q["id"] == late["id"]]
    assert question["late"] and question["answer"] is None
    flow.at(_when(late["answer_due"]) + timedelta(days=1, hours=1))  # nothing new is late: no second task
    uow = flow.services.uow(readonly=True)
    with uow:
        from engine.models import HumanTask

        assert uow.session.query(HumanTask).filter_by(element_id="supervise_answers").count() == 1
    answered = flow.call("post", f"/{did}/questions/{late['id']}/answer", "hr", json={"answer": "系统故障已补缴"})
    assert answered["late"]


def test_unanswered_questions_hold_the_evaluation_until_the_last_answer__s3_2_feedback(flow):
    did = flow.to_feedback()
    qid = flow.call("post", f"/{did}/questions", "worker", 201, json={"body": "企业年金何时启动？"})["id"]
    flow.at(_when(flow.call("get", f"/{did}", "hr")["feedback_until"]))
    assert flow.call("get", f"/{did}", "hr")["status"] == "answering"
    assert "evaluate" not in flow.tasks(did)
    flow.call("post", f"/{did}/evaluation", "sup", 409, json={"truthful": True, "complete": True, "timely": True,
                                                               "rectification_required": False})
    flow.call("post", f"/{did}/questions/{qid}/answer", "hr", json={"answer": "明年一月"})
    assert flow.call("get", f"/{did}", "hr")["status"] == "evaluating" and "evaluate" in flow.tasks(did)


def test_publication_not_made_by_the_deadline_alerts_the_supervision_group__s3_2_timing(flow):
    did = flow.start()
    on_time = flow.to_feedback("housing_fund")
    due = _when(flow.call("get", f"/{did}", "hr")["publish_due"])
    assert due.isoformat() == "2026-04-10T16:00:00+00:00"  # 24:00 of 10 April, Beijing time
    flow.at(due - timedelta(minutes=2))
    assert "urge_publication" not in flow.tasks(did)
    flow.at(due)
    assert "urge_publication" in flow.tasks(did)
    assert flow.call("get", f"/{did}", "sup")["staff"]["publication_late_at"]
    assert "urge_publication" not in flow.tasks(on_time)
    assert flow.call("get", f"/{on_time}", "sup")["staff"]["publication_late_at"] is None


def test_rectification_has_its_own_deadline_and_late_rectification_is_pressed__s3_2_supervision(flow):
    did = flow.to_feedback()
    flow.at(_when(flow.call("get", f"/{did}", "hr")["feedback_until"]))
    body = flow.call("post", f"/{did}/evaluation", "sup", 422, json={
        "truthful": True, "complete": False, "timely": True, "rectification_required": False})
    assert body["errors"]["rule"] == ["rectify_when_needed"]
    ordered = flow.call("post", f"/{did}/evaluation", "sup", json={
        "truthful": True, "complete": False, "timely": True, "rectification_required": True,
        "rectification_requirements": "补充分险种缴费明细", "rectification_days": 5})
    [rectification] = ordered["rectifications"]
    assert ordered["status"] == "rectifying" and rectification["requirements"] == "补充分险种缴费明细"
    flow.at(_when(rectification["due_at"]))
    assert {"rectify", "urge_rectification"} <= set(flow.tasks(did))
    assert flow.call("get", f"/{did}", "worker")["rectifications"][0]["overdue_at"]
    flow.call("post", f"/{did}/rectification", "finance", 403, json={"report": "已补充"})
    done = flow.call("post", f"/{did}/rectification", "hr", json={"report": "已在公开栏补充明细"})
    assert done["status"] == "evaluating" and set(flow.tasks(did)) == {"evaluate", "urge_rectification"}
    assert done["rectifications"][0]["report"] == "已在公开栏补充明细"
    urge = flow.client.post(f"/api/v1/tasks/{flow.tasks(did)['urge_rectification']}/complete", headers=flow.h["sup"],
                            json={"data": {"action_taken": "已约谈人力资源部负责人"}})
    assert urge.status_code == 200 and set(flow.tasks(did)) == {"evaluate"}


def test_workers_rate_a_closed_disclosure_once_and_the_supervision_group_sees_the_ratings__s3_2(flow):
    did = flow.to_feedback()
    flow.call("post", f"/{did}/ratings", "worker", 409, json={"satisfaction": "satisfied"})
    flow.at(_when(flow.call("get", f"/{did}", "hr")["feedback_until"]))
    closed = flow.call("post", f"/{did}/evaluation", "sup", json={
        "truthful": True, "complete": True, "timely": True, "rectification_required": False, "conclusion": "良好"})
    assert closed["status"] == "closed"
    flow.call("post", f"/{did}/ratings", "worker", 201, json={"satisfaction": "satisfied", "comment": "清楚"})
    flow.call("post", f"/{did}/ratings", "worker", 409, json={"satisfaction": "unsatisfied"})
    flow.call("post", f"/{did}/ratings", "worker2", 201, json={"satisfaction": "unsatisfied"})
    flow.call("post", f"/{did}/ratings", "auditor", 403, json={"satisfaction": "satisfied"})
    flow.call("get", f"/{did}/ratings", "hr", 403)
    seen = flow.call("get", f"/{did}/ratings", "sup")
    assert seen["summary"] == {"satisfied": 1, "basically_satisfied": 0, "unsatisfied": 1}
    assert "worker1" not in json.dumps(seen) and seen["ratings"][0]["comment"] == "清楚"
    flow.at(_when(closed["rating_until"]))
    archived = flow.call("get", f"/{did}", "worker")
    assert archived["status"] == "archived" and archived["archived_at"]
    flow.call("post", f"/{did}/ratings", "worker2", 409, json={"satisfaction": "satisfied"})
    assert_round_trip(flow.services, flow._instance(did))


def test_an_instance_started_around_the_disclosure_api_cannot_take_over_a_record(flow):
    did = flow.start()
    r = flow.client.post("/api/v1/instances", headers=flow.h["worker"],
                         json={"process": "disclosure", "data": {"disclosure_id": did, "publish_due": "2026-04-10"}})
    assert r.status_code == 201 and r.get_json()["status"] == "error"
    assert "POST /api/v1/disclosures" in r.get_json()["incidents"][0]["message"]
    assert flow._instance(did) != r.get_json()["id"] and set(flow.tasks(did)) == {"draft"}


def test_the_presidium_records_the_congress_review_over_http__s3_2_main_channel(flow):
    did = flow.start("budget", "2026", "finance")  # the congress sees the budget before it is disclosed
    flow.call("put", f"/{did}/draft", "finance", json={"content": "2026年度预算草案", "channels": ["intranet"]})
    flow.call("post", f"/{did}/submit", "finance")
    flow.check(did)
    assert flow.review(did)["status"] == "awaiting_congress"
    presidium = flow.users.headers("chair", "presidium")
    r = flow.client.post(f"/api/v1/disclosures/{did}/congress-review", headers=flow.h["finance"],
                         json={"outcome": "noted"})
    assert r.status_code == 403
    r = flow.client.post(f"/api/v1/disclosures/{did}/congress-review", headers=presidium,
                         json={"outcome": "noted", "note": "第二次会议已听取"})
    assert r.status_code == 200 and r.get_json()["outcome"] == "noted"
    assert flow.call("get", f"/{did}", "finance")["status"] == "approved"
    again = flow.client.post(f"/api/v1/disclosures/{did}/congress-review", headers=presidium,
                             json={"outcome": "noted"})
    assert again.status_code == 409


def test_publication_tells_the_workforce_in_app_and_an_answer_tells_the_asker(flow, client, users):
    staff = users.headers("worker_zhou", "worker")
    did = flow.to_feedback()
    [published] = client.get("/api/v1/notifications", headers=staff).get_json()["items"]
    assert published["kind"] == "disclosure.published" and published["link"] == f"/disclosures/{did}"
    qid = flow.call("post", f"/{did}/questions", "worker", 201, json={"body": "公积金比例？"})["id"]
    assert client.get("/api/v1/notifications", headers=flow.h["worker"]).get_json()["total"] == 0
    flow.call("post", f"/{did}/questions/{qid}/answer", "hr", json={"answer": "单位和个人各12%"})
    [answered] = client.get("/api/v1/notifications", headers=flow.h["worker"]).get_json()["items"]
    assert answered["kind"] == "disclosure.answered" and answered["link"] == f"/disclosures/{did}"
    assert client.get("/api/v1/notifications", headers=flow.h["worker2"]).get_json()["total"] == 0


def test_the_owner_departments_steps_are_in_its_peoples_inbox_and_lead_to_the_disclosure_desk(flow):
    """A lane whose people come from the disclosure's data (its owner department) works like any candidate group."""
    did = flow.start()
    [row] = flow.client.get("/api/v1/tasks?scope=groups", headers=flow.h["hr"]).get_json()["items"]
    assert row["element_id"] == "draft" and row["candidate_groups"] == ["dept_hr"]
    assert row["case_title"].startswith("厂务公开")
    assert flow.client.get("/api/v1/tasks?scope=groups", headers=flow.h["finance"]).get_json()["items"] == []
    task = flow.client.get(f"/api/v1/tasks/{row['id']}", headers=flow.h["hr"]).get_json()
    assert task["may_claim"] and task["data"]["disclosure_id"] == did
    web = flow.client.application.test_client()
    login(web, "hr", "dept_hr")
    page = web.get(f"/tasks/{row['id']}").text
    assert f'href="/disclosure-office/{did}"' in page and 'id="task-form"' not in page
    flow.draft(did)  # the desk's own path still works with the candidate group
    assert "draft" not in flow.tasks(did) and "confidentiality_check" in flow.tasks(did)


def test_the_congress_review_names_the_agenda_item_it_was_heard_under__s3_2_main_channel(flow, services):
    ids = make_congress(services)
    matter = meetings.add_matter(services.uow(), ids["meeting_id"], matter_type="report", title="预算报告",
                                 actor=CHAIR).id
    did = flow.start("budget", "2026", "finance")
    flow.draft(did, "finance", content="2026年度预算草案", channels=["intranet"])
    flow.check(did)
    flow.review(did)
    presidium = flow.users.headers("chair", "presidium")
    url = f"/api/v1/disclosures/{did}/congress-review"
    missing = flow.client.post(url, headers=presidium, json={"outcome": "noted", "matter_id": 99999})
    assert missing.status_code == 422 and "matter_id" in missing.get_json()["errors"]
    assert flow.call("get", f"/{did}", "finance")["status"] == "awaiting_congress"
    done = flow.client.post(url, headers=presidium, json={"outcome": "noted", "matter_id": matter})
    assert done.status_code == 200 and done.get_json()["matter_id"] == matter
    [review] = [r for r in flow.call("get", f"/{did}", "finance")["staff"]["reviews"] if r["stage"] == "congress"]
    assert review["details"] == {"note": None, "meeting_id": ids["meeting_id"], "matter_id": matter,
                                 "matter_title": "预算报告"}
