"""Every casework role's job on the pages (no browser, Flask's test client): the mediation committee accepts and
the mediator mediates; legal aid from application to outcome; hardship from application through verification,
decision, publicity with an objection, payment; an appraisal opened, voted and read with its chart; the 职工之家
year scored. Unrelated workers get 404 pages; committee reads of a hardship file are audited."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from engine.audit import instance_chain
from engine.models import AuditEvent
from engine.worker import run_once
from workflows.casework import home
from workflows.casework.tables import HardshipCase

from helpers.api import bundled_files
from helpers.casework import mediation_api
from helpers.web import csrf, login


def other_client(client, username: str, *roles: str):
    fresh = client.application.test_client()
    login(fresh, username, *roles)
    return fresh


def post(client, path: str, data: dict, expect: int = 302):
    """Submit a form of the page at ``path``'s parent with its CSRF token; returns the page it leads to."""
    response = client.post(path, data={**data, "csrf_token": csrf(client.get("/casework").text)})
    assert response.status_code == expect, response.text[:500]
    return client.get(response.headers["Location"]) if expect == 302 else response


@pytest.fixture
def casework(client, deploy):
    assert deploy(bundled_files("casework")).status_code == 201
    return client


def test_the_committee_accepts_on_the_page_and_the_mediator_mediates_and_closes(client, deploy, users, services,
                                                                                clock):
    flow = mediation_api(client, deploy, users, services, clock)
    flow.seat_committee()
    case = flow.file()
    chair = other_client(client, "chair1", "mediation_committee")
    page = chair.get(f"/casework/mediations/{case['id']}")
    assert 'id="accept-form"' in page.text and 'id="refuse-form"' in page.text
    refused = post(chair, f"/casework/mediations/{case['id']}/accept", {"mediator": "med1", "employer_rep": "hr1"})
    assert "回避" in refused.text and "待受理" in refused.text  # the conflict-of-interest declaration is missing
    accepted = post(chair, f"/casework/mediations/{case['id']}/accept",
                    {"mediator": "med1", "employer_rep": "hr1", "no_conflict_declared": "1"})
    assert "调解中" in accepted.text and 'id="accept-form"' not in accepted.text

    mediator = other_client(client, "med1", "mediation_committee")
    page = mediator.get(f"/casework/mediations/{case['id']}")
    assert 'id="session-form"' in page.text
    post(mediator, f"/casework/mediations/{case['id']}/session", {"record": "双方陈述意见。"})
    one_side = post(mediator, f"/casework/mediations/{case['id']}/extend", {"days": "10", "applicant_consent": "1"})
    assert "双方当事人同意" in one_side.text
    unsigned = post(mediator, f"/casework/mediations/{case['id']}/close",
                    {"outcome": "agreement", "terms": "补发加班工资3200元。"})
    assert "第14条" in unsigned.text
    closed = post(mediator, f"/casework/mediations/{case['id']}/close",
                  {"outcome": "agreement", "terms": "补发加班工资3200元。", "signed_by_both": "1"})
    assert "达成协议" in closed.text and 'id="agreement-link"' in closed.text and "双方陈述意见。" in closed.text
    assert chair.get(f"/casework/mediations/{case['id']}").status_code == 200
    outsider = other_client(client, "other1")
    assert outsider.post(f"/casework/mediations/{case['id']}/session",
                         data={"record": "x", "csrf_token": csrf(outsider.get("/casework").text)}).status_code == 404


def test_the_inbox_leads_the_committee_to_the_case_page(client, deploy, users, services, clock):
    flow = mediation_api(client, deploy, users, services, clock)
    flow.seat_committee()
    case = flow.file()
    chair = other_client(client, "chair1", "mediation_committee")
    task = flow.tasks("chair", scope="groups")[0]
    opened = chair.get(f"/tasks/{task['id']}")
    assert opened.status_code == 200 and f'href="/casework/mediations/{case["id"]}" id="go-desk"' in opened.text


def test_legal_aid_from_the_application_to_the_outcome_on_the_pages(casework):
    worker = other_client(casework, "worker1")
    form = worker.get("/casework/legal-aid/new")
    assert form.status_code == 200 and "经济困难" in form.text
    empty = post(worker, "/casework/legal-aid/new", {"facts": "", "hardship": ""}, expect=422)
    assert 'id="aid-error"' in empty.text
    filed = post(worker, "/casework/legal-aid/new", {"facts": "被拖欠工资三个月", "hardship": "家庭月收入1800元"})
    assert "审查中" in filed.text
    listing = worker.get("/casework/legal-aid")
    case_id = int(listing.text.split('data-aid="')[1].split('"')[0])
    case_path = f"/casework/legal-aid/{case_id}"
    officer = other_client(casework, "officer1", "legal_aid_officer")
    assert 'id="review-form"' in officer.get(case_path).text
    referred = post(officer, f"{case_path}/review", {"decision": "refer", "reason": "符合援助条件",
                                                     "referred_to": "市总工会法律援助中心"})
    assert "已转介" in referred.text and 'id="referral-letter"' in referred.text
    letter = officer.get(referred.text.split('id="referral-letter" href="')[1].split('"')[0])
    assert "法律援助转介函" in letter.text
    closed = post(officer, f"{case_path}/outcome", {"outcome": "仲裁裁决支持全部请求"})
    assert "已办结" in closed.text
    assert "仲裁裁决支持全部请求" in worker.get(case_path).text
    assert other_client(casework, "other1").get(case_path).status_code == 404


def test_hardship_file_on_the_pages_with_a_publicity_objection_and_audited_reads(casework, services, clock):
    worker = other_client(casework, "worker1")
    post(worker, "/casework/hardship/new", {"household": "本人、配偶（长期患病）", "circumstances": "医疗支出大",
                                            "monthly_income": "2100"})
    case_id = int(worker.get("/casework/hardship").text.split('data-hardship="')[1].split('"')[0])
    path = f"/casework/hardship/{case_id}"
    cm = other_client(casework, "cm1", "assistance_committee")
    page = cm.get(path)
    assert 'id="verify-form"' in page.text and 'id="read-audited"' in page.text
    post(cm, f"{path}/verify", {"visit_record": "入户走访，核对工资流水。", "verified_income": "2000"})
    published = post(cm, f"{path}/decide", {"decision": "approve", "assistance_kind": "生活救助", "amount": "3000",
                                            "reason": "人均收入低于标准"})
    assert "公示中" in published.text

    other = other_client(casework, "other1")
    board = other.get("/casework/hardship/publicity")
    assert "生活救助" in board.text and "2100" not in board.text and "长期患病" not in board.text
    objected = post(other, f"/casework/hardship/publicity/{case_id}/object", {"body": "该职工另有商铺收入"})
    assert "异议已提交" in objected.text
    assert other.get(path).status_code == 404
    with services.uow(readonly=True) as uow:
        until = uow.session.get(HardshipCase, case_id).publicity_until
    clock.set(until + timedelta(minutes=1))
    run_once(services.uow)
    late = post(other, f"/casework/hardship/publicity/{case_id}/object", {"body": "补充"})
    assert "公示" in late.text  # no longer published: refused on the board
    page = cm.get(path)
    objection_id = int(page.text.split('id="resolve-')[1].split('"')[0])
    paying = post(cm, f"{path}/resolve-{objection_id}", {"resolution": "经核实无商铺"})
    assert "待发放" in paying.text and "异议不成立" in paying.text
    over = post(cm, f"{path}/pay", {"amount": "5000"})
    assert "不能超过" in over.text
    paid = post(cm, f"{path}/pay", {"amount": "3000", "reference": "PZ-001"})
    assert "已帮扶" in paid.text and "PZ-001" in paid.text
    assert "3000" in worker.get(path).text
    with services.uow(readonly=True) as uow:
        due = uow.session.get(HardshipCase, case_id).review_due
    assert 'id="review-form"' not in cm.get(path).text  # not before the review falls due
    clock.set(due + timedelta(minutes=1))
    run_once(services.uow)
    closed = post(cm, f"{path}/review", {"decision": "close", "note": "子女已工作，收入改善"})
    assert "已结案" in closed.text

    with services.uow(readonly=True) as uow:
        instance_id = uow.session.get(HardshipCase, case_id).instance_id
        reads = [json.loads(e.payload) for e in uow.session.query(AuditEvent).filter(
            AuditEvent.chain == instance_chain(instance_id), AuditEvent.event_type == "casework.hardship_file_read")]
    assert len(reads) == 9 and all(r["reader"] == "cm1" for r in reads)  # each committee page view; none by worker1


def test_an_appraisal_is_opened_voted_and_its_results_charted_on_the_pages(casework, services, clock):
    union = other_client(casework, "u1", "union_committee")
    opened = post(union, "/casework/appraisals/new", {
        "title": "2026年度工会工作满意度", "items": "职工食堂\n劳动保护", "scale": "three",
        "electorate": "representatives", "closes_at": "2026-03-09T18:00", "dissatisfied_share": "1/3"})
    assert "评议中" in opened.text
    appraisal_id = int(union.get("/casework/appraisals").text.split('data-appraisal="')[1].split('"')[0])
    path = f"/casework/appraisals/{appraisal_id}"
    items = []
    for n, grades in enumerate([("dissatisfied", "satisfied"), ("dissatisfied", "basically_satisfied"),
                                ("satisfied", "satisfied")]):
        rep = other_client(casework, f"rep{n}", "representative")
        page = rep.get(path)
        assert 'id="ballot"' in page.text
        items = [int(x.split('"')[0]) for x in page.text.split('data-item="')[1:]]
        voted = post(rep, f"{path}/ballot", {f"item-{i}": g for i, g in zip(items, grades, strict=True)})
        assert "谢谢参与" in voted.text and 'id="ballot"' not in voted.text
    again = post(rep, f"{path}/ballot", {f"item-{i}": "satisfied" for i in items})
    assert "只能投一次" in again.text
    worker = other_client(casework, "worker1")
    assert 'id="ballot"' not in worker.get(path).text  # not in the electorate
    clock.set(datetime(2026, 3, 9, 10, 1, tzinfo=clock.now().tzinfo))
    run_once(services.uow)
    results = worker.get(path)
    assert results.text.count('<figure class="chart"><svg') == 2
    assert "需跟进整改" in results.text and "已截止" in results.text
    assert 'id="follow-up-task"' not in results.text and 'id="follow-up-task"' in union.get(path).text
    inbox = union.get("/tasks?scope=groups")
    assert "跟进整改" in inbox.text
    task_id = inbox.text.split('href="/tasks/')[1].split('"')[0]
    form = union.get(f"/tasks/{task_id}")
    assert form.status_code == 200 and "跟进措施" in form.text
    done = union.post(f"/tasks/{task_id}", data={"csrf_token": csrf(form.text), "actions": "约谈食堂负责人，限期整改"})
    assert done.status_code == 302
    assert f'href="/tasks/{task_id}"' not in union.get("/tasks?scope=groups").text


def test_the_home_assessment_is_scored_on_the_page_and_kept_by_year(casework, services):
    home.seed_criteria(services.uow())
    union = other_client(casework, "u1", "union_committee")
    page = union.get("/casework/home")
    ids = [int(x.split('"')[0]) for x in page.text.split('data-criterion="')[1:]]
    assert len(ids) == 6 and "(U)" not in page.text and "工会法" in page.text and "按评分标准逐项打分" in page.text
    scores = {f"score-{i}": "10" for i in ids} | {"year": "2025", "note-" + str(ids[0]): "换届推迟"}
    done = post(union, "/casework/home/assess", scores)
    assert "年度评估已记录" in done.text and 'data-year="2025"' in done.text
    year = other_client(casework, "worker1").get("/casework/home/2025")
    assert "60 / 100" in year.text and "合格职工之家" in year.text and "换届推迟" in year.text
    again = post(union, "/casework/home/assess", scores)
    assert "已经评估过" in again.text
    saved = post(union, "/casework/home/criteria", {"name": "女职工工作", "max_score": "10",
                                                    "source": "工会法 第10条 (U)", "active": "1"})
    assert "女职工工作" in saved.text
    worker = other_client(casework, "worker1")
    assert 'id="home-assess"' not in worker.get("/casework/home").text
    refused = post(worker, "/casework/home/criteria", {"name": "x", "max_score": "5", "source": "y"})
    assert "403" in refused.text
