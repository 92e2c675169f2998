"""End to end through the HTTP API: a quarterly social-insurance disclosure from its schedule to its archive, with
200 workers' questions answered, one return by the supervision group and one rectification."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from io import BytesIO

from sqlalchemy import select

from engine import steps
from engine.models import Instance
from engine.worker import run_once
from workflows.disclosure.catalogue import seed_catalogue

from conftest import bundled_files
from helpers.roundtrip import assert_round_trip

WORKERS = 200
CONTENT = "2026年第1季度社会保险缴纳情况：参保职工1,200人，单位缴费合计368万元。"


class Api:
    def __init__(self, client, users):
        self.client = client
        self.h = {"hr": users.headers("hr_chen", "dept_hr"), "sup": users.headers("sup_wang", "supervision_group"),
                  "conf": users.headers("conf_li", "confidentiality_officer"),
                  "auditor": users.headers("aud", "auditor")}
        self.workers = [users.headers(f"w{n:03d}") for n in range(WORKERS)]

    def __call__(self, method, path, headers, expect=200, **kwargs):
        r = getattr(self.client, method)(f"/api/v1{path}", headers=headers, **kwargs)
        assert r.status_code == expect, (path, r.get_json())
        return r.get_json()


def _row(services, instance_id: str) -> tuple[str, int]:
    uow = services.uow(readonly=True)
    with uow:
        row = uow.session.get(Instance, instance_id)
        return row.state_json, row.version


def _tree(services, instance_id: str) -> int:
    uow = services.uow(readonly=True)
    with uow:
        return len(steps.load(uow, instance_id, lock=False).workflow.get_tasks(max_depth=steps.DEEP))


def _ready(api, services, iid: str) -> dict[str, str]:
    assert_round_trip(services, iid)  # the standing assertion, at every stage
    body = api("get", f"/instances/{iid}", api.h["auditor"])
    return {t["element_id"]: t["id"] for t in body["ready_tasks"]}


def _at(clock, services, when: str | datetime) -> None:
    clock.set((datetime.fromisoformat(when) if isinstance(when, str) else when) + timedelta(minutes=1))
    assert run_once(services.uow).failed == []


def test_quarterly_social_insurance_disclosure_from_schedule_to_archive(client, deploy, users, services, clock):
    assert deploy(bundled_files("disclosure")).status_code == 201
    seed_catalogue(services.uow())
    api = Api(client, users)
    hr, conf, sup, worker = api.h["hr"], api.h["conf"], api.h["sup"], api.workers[0]

    # The quarterly schedule fires on 1 April (Beijing time) and starts the first quarter's disclosure.
    _at(clock, services, "2026-03-31T17:00:00+00:00")
    item = next(i for i in api("get", "/disclosures/catalogue", worker) if i["code"] == "social_insurance")
    [found] = api("get", f"/disclosures?item_id={item['id']}", hr)
    did, base = found["id"], f"/disclosures/{found['id']}"
    assert (found["period"], found["status"]) == ("2026-Q1", "drafting")
    assert found["publish_due"] == "2026-04-10T16:00:00+00:00"  # by the 10th of the following month
    iid = api("get", f"/instances?process=disclosure&business_key=disclosure:{did}", api.h["auditor"])["items"][0]["id"]
    assert set(_ready(api, services, iid)) == {"draft"}
    assert api("get", "/disclosures", worker) == []

    # Draft with an attachment; checked; returned once by the supervision group; redrafted; approved.
    api("put", f"{base}/draft", hr, json={"content": CONTENT, "channels": item["channels"], "period_note": "1-3月"})
    sheet = api("post", f"{base}/attachments", hr, 201, content_type="multipart/form-data",
                data={"file": (BytesIO("部门,人数,金额\n一车间,300,92万\n".encode()), "缴费明细.csv", "text/csv")})
    api("post", f"{base}/submit", hr)
    assert set(_ready(api, services, iid)) == {"confidentiality_check"}
    checks = {"state_secret": False, "trade_secret": False, "lawful": True}
    api("post", f"{base}/confidentiality-check", conf, json={"decision": "clear", **checks})
    returned = api("post", f"{base}/review", sup, json={"decision": "return", "truthful": True, "complete": False,
                                                       "timely": True, "comments": "缺少二、三车间明细"})
    assert returned["status"] == "drafting" and set(_ready(api, services, iid)) == {"draft"}
    api("put", f"{base}/draft", hr, json={"content": CONTENT + "（含各车间明细）", "channels": item["channels"]})
    api("post", f"{base}/submit", hr)
    api("post", f"{base}/confidentiality-check", conf, json={"decision": "clear", **checks})
    assert api("post", f"{base}/review", sup, json={"decision": "approve", "truthful": True, "complete": True,
                                                   "timely": True})["status"] == "approved"
    assert api("get", "/disclosures", worker) == []  # approved is not published

    # Posted on every planned channel (time, place, poster), then published: the feedback window opens.
    for channel, location in zip(item["channels"], ("一号楼厂务公开栏", "内网厂务公开专栏", "全厂职工群"), strict=True):
        api("post", f"{base}/publications", hr, 201, json={"channel": channel, "location": location})
    published = api("post", f"{base}/publish", hr)
    assert published["status"] == "feedback_open"
    assert published["feedback_until"] == "2026-04-08T16:00:00+00:00"  # 7 days, to 24:00 of 8 April
    assert [p["posted_by"] for p in published["publications"]] == ["hr_chen"] * 3
    seen = api("get", base, worker)
    assert seen["content"].endswith("（含各车间明细）")
    assert [a["sha256"] for a in seen["attachments"]] == [sheet["sha256"]]
    assert set(_ready(api, services, iid)) == set()  # waiting: the feedback window, the deadline watch
    state, version = _row(services, iid)
    tree = _tree(services, iid)

    # 200 workers ask; the owner department answers all but one in the window. Questions are records: the
    # instance is not stepped, so its serialized state and its task tree stay exactly as they were.
    questions = [api("post", f"{base}/questions", h, 201, json={
        "body": f"第{n}号职工：我的缴费基数是否正确？", "kind": "objection" if n % 10 == 0 else "question",
        "visibility": ("public", "department", "anonymous")[n % 3]}) for n, h in enumerate(api.workers)]
    for question in questions[1:]:
        api("post", f"{base}/questions/{question['id']}/answer", hr, json={"answer": "已核对，基数正确。"})
    assert _row(services, iid) == (state, version) and _tree(services, iid) == tree
    listed = api("get", f"{base}/questions", api.workers[1])
    assert len(listed) == WORKERS and sum(q["answer"] is not None for q in listed) == WORKERS - 1
    assert sum(q["asked_by"] is not None for q in listed) == len(range(0, WORKERS, 3)) + 1  # public ones + own

    # The one unanswered question runs late: the diagram's daily check gives the supervision group a task.
    late = questions[0]
    assert late["answer_due"] == "2026-04-07T16:00:00+00:00"  # 5 days, past the Qingming holiday (4-6 April)
    _at(clock, services, late["answer_due"])
    ready = _ready(api, services, iid)
    assert set(ready) == {"supervise_answers"}
    api("post", f"/tasks/{ready['supervise_answers']}/complete", sup,
        json={"data": {"action_taken": "电话督促人力资源部"}})
    answered = api("post", f"{base}/questions/{late['id']}/answer", hr, json={"answer": "经核对已补正。"})
    assert answered["late"] and answered["answered_by"] == "hr_chen"

    # The window closes with everything answered; the supervision group orders one rectification.
    _at(clock, services, published["feedback_until"])
    assert set(_ready(api, services, iid)) == {"evaluate"}
    ordered = api("post", f"{base}/evaluation", sup, json={
        "truthful": True, "complete": False, "timely": True, "rectification_required": True,
        "rectification_requirements": "补充公开企业年金缴纳情况", "rectification_days": 5})
    assert ordered["status"] == "rectifying" and set(_ready(api, services, iid)) == {"rectify"}
    api("post", f"{base}/attachments", hr, 201, content_type="multipart/form-data",
        data={"file": (BytesIO("企业年金,已缴\n".encode()), "企业年金.csv", "text/csv")})
    api("post", f"{base}/rectification", hr, json={"report": "已在公开栏和内网补充企业年金缴纳情况"})
    closed = api("post", f"{base}/evaluation", sup, json={
        "truthful": True, "complete": True, "timely": True, "rectification_required": False, "conclusion": "合格"})
    assert closed["status"] == "closed" and len(closed["rectifications"]) == 1 and len(closed["attachments"]) == 2

    # Workers rate it; the supervision group sees the ratings; it is archived when the survey ends.
    for n, h in enumerate(api.workers[:30]):
        api("post", f"{base}/ratings", h, 201, json={"satisfaction": "satisfied" if n % 5 else "basically_satisfied"})
    ratings = api("get", f"{base}/ratings", sup)
    assert ratings["summary"] == {"satisfied": 24, "basically_satisfied": 6, "unsatisfied": 0}
    _at(clock, services, closed["rating_until"])
    archived = api("get", base, worker)
    assert archived["status"] == "archived" and archived["questions"] == WORKERS and archived["unanswered"] == 0
    instance = api("get", f"/instances/{iid}", api.h["auditor"])
    assert instance["status"] == "completed" and instance["ready_tasks"] == []
    assert_round_trip(services, iid)

    # The trail: every stage audited, the archive sealed with a hash, the draft text never in it.
    history = api("get", f"/instances/{iid}/history", api.h["auditor"])
    types = [e["type"] for e in history]
    assert types.count("disclosure.reviewed") == 2 and "disclosure.rectification_ordered" in types
    sealed = next(e for e in history if e["type"] == "disclosure.archived")
    uow = services.uow(readonly=True)
    with uow:
        from workflows.disclosure.tables import Disclosure

        assert sealed["payload"]["archive_sha256"] == uow.session.get(Disclosure, did).archive_sha256
        assert uow.session.scalar(select(Instance.status).where(Instance.process_id == "disclosure_quarterly")) \
            == "completed"
    assert CONTENT not in json.dumps(history, ensure_ascii=False)
    assert api("get", "/audit/verify", api.h["auditor"])["ok"]
    assert _tree(services, iid) < 150  # tens of tasks for a whole procedure with 200 participants
    assert api("get", f"/tasks?all=true&instance={iid}", api.h["auditor"])["items"] == []
