"""The disclosure office pages without a browser: the owner department drafts and submits on its desk, the
confidentiality officer clears it, the supervision group approves it, the owner records two channels and
publishes, a worker asks on the workers' page, the owner answers on the desk (the questions queue), the window
closes and the supervision group evaluates and closes it; a refusal shows on the desk with its rule."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import datetime

import pytest

from workflows.congress import meetings

from helpers.congress import CHAIR, make_congress
from helpers.disclosure import DisclosureApi, disclosure_api
from helpers.web import csrf, login


@pytest.fixture
def flow(client, deploy, users, services, clock) -> DisclosureApi:
    return disclosure_api(client, deploy, users, services, clock)


def step(client, did: int, action: str, **data) -> str:
    desk = client.get(f"/disclosure-office/{did}").text
    response = client.post(f"/disclosure-office/{did}/{action}", data={"csrf_token": csrf(desk), **data})
    assert response.status_code == 302, response.text
    return client.get(f"/disclosure-office/{did}").text


def test_the_office_runs_a_disclosure_from_draft_to_close_on_its_pages(client, flow):
    did = flow.start()  # 社会保险 2026-Q1: confidentiality check, then review
    login(client, "hr1")
    office = client.get("/disclosure-office").text
    assert f'data-disclosure="{did}"' in office and 'data-nav="disclosure-office"' in office and "责任部门" in office
    desk = step(client, did, "submit")
    assert "未能办理" in desk and 'id="draft-editor"' in desk  # no content yet: refused, with the reason
    desk = step(client, did, "draft", content="2026年第1季度社会保险全额缴纳。", channels=["notice_board", "intranet"])
    assert "草稿已保存" in desk
    desk = step(client, did, "submit")
    assert "保密审查中" in desk and "保密审查人员" in desk

    login(client, "conf1")
    desk = step(client, did, "check", decision="clear", lawful="1")
    assert "监督审核中" in desk
    login(client, "sup1")
    desk = step(client, did, "review", decision="approve", truthful="1", complete="1")  # not timely: refused
    assert "未能办理" in desk and "监督审核中" in desk
    desk = step(client, did, "review", decision="approve", truthful="1", complete="1", timely="1")
    assert "已审核待发布" in desk

    login(client, "hr1")
    step(client, did, "posting", channel="notice_board", location="一号楼公开栏")
    desk = step(client, did, "publish")
    assert "未能办理" in desk  # the intranet has no posting yet
    step(client, did, "posting", channel="intranet", location="内网首页")
    desk = step(client, did, "publish")
    assert "意见征集中" in desk and 'data-channel="intranet"' in desk

    login(client, "wk_zhao")
    page = client.get(f"/disclosures/{did}").text
    client.post(f"/disclosures/{did}/questions", data={"body": "补缴怎么办？", "anonymous": "1",
                                                       "csrf_token": csrf(page)})
    login(client, "hr1")
    desk = client.get(f"/disclosure-office/{did}").text
    [qid] = re.findall(r'data-question="(\d+)"', desk)
    assert "补缴怎么办？" in desk and "匿名" in desk and "wk_zhao" not in desk
    desk = step(client, did, f"answer-{qid}", answer="由人力资源部统一办理。")
    assert "已答复" in desk and "由人力资源部统一办理。" in desk

    flow.at(datetime.fromisoformat(flow.call("get", f"/{did}", "hr")["feedback_until"]))
    login(client, "sup1")
    desk = step(client, did, "evaluate", truthful="1", complete="1", timely="1", conclusion="按时公开")
    assert "已关闭" in desk


def test_the_owner_attaches_files_to_the_draft_and_workers_download_them_once_published(client, flow):
    did = flow.start()
    login(client, "hr1")
    desk = client.get(f"/disclosure-office/{did}").text
    sent = client.post(f"/disclosure-office/{did}/attachments", data={
        "csrf_token": csrf(desk), "file": (io.BytesIO("缴费明细,金额\n养老,100\n".encode()), "缴费明细.csv")},
        content_type="multipart/form-data")
    assert sent.status_code == 302
    desk = client.get(f"/disclosure-office/{did}").text
    [aid] = re.findall(r'data-attachment="(\d+)"', desk)
    assert "附件已上传" in desk and "缴费明细.csv" in desk
    empty = client.post(f"/disclosure-office/{did}/attachments", data={"csrf_token": csrf(desk)},
                        content_type="multipart/form-data")
    assert "请选择要上传的文件" in client.get(empty.headers["Location"]).text
    got = client.get(f"/disclosures/{did}/attachments/{aid}")
    assert got.status_code == 200 and "养老,100" in got.data.decode()
    assert got.headers["X-Content-SHA256"] == hashlib.sha256(got.data).hexdigest()

    login(client, "wk_qian")
    assert client.get(f"/disclosures/{did}/attachments/{aid}").status_code == 404  # a draft is hidden
    flow.draft(did)
    flow.check(did)
    flow.review(did)
    flow.publish(did)
    assert client.get(f"/disclosures/{did}/attachments/{aid}").status_code == 200
    assert f'data-attachment="{aid}"' in client.get(f"/disclosures/{did}").text  # listed on the workers' page


def test_the_supervision_group_orders_a_rectification_the_owner_reports_it_and_the_record_is_archived__s3_2(
        client, flow):
    did = flow.to_feedback()
    flow.at(datetime.fromisoformat(flow.call("get", f"/{did}", "hr")["feedback_until"]))
    login(client, "sup1")
    desk = step(client, did, "evaluate", truthful="1", complete="1", conclusion="")  # untimely, no rectification
    assert "未能办理" in desk and "评估中" in desk
    desk = step(client, did, "evaluate", truthful="1", complete="1", rectification_required="1",
                requirements="补充公开第二季度缴费基数", rectification_days="10")
    assert "整改中" in desk and "补充公开第二季度缴费基数" in desk and 'id="rectify-form"' not in desk
    login(client, "hr1")
    desk = step(client, did, "rectify", report="已在公开栏补充公开缴费基数。")
    assert "等待监督检查小组再次评估" in desk and "评估中" in desk
    login(client, "sup1")
    desk = step(client, did, "evaluate", truthful="1", complete="1", timely="1", conclusion="整改到位")
    assert "已关闭" in desk and 'id="archive-pending"' in desk and "责令整改" in desk
    flow.at(datetime.fromisoformat(flow.call("get", f"/{did}", "hr")["rating_until"]))
    desk = client.get(f"/disclosure-office/{did}").text
    assert "已归档" in desk and re.search(r"SHA-256 [0-9a-f]{64}", desk)


def test_the_presidium_records_the_congress_review_under_an_agenda_item_and_the_agenda_shows_it__s3_2(
        client, flow, services):
    ids = make_congress(services)
    matter = meetings.add_matter(services.uow(), ids["meeting_id"], matter_type="report",
                                 title="关于2026年度财务预算的报告", actor=CHAIR).id
    did = flow.start("budget", "2026", "finance")
    flow.draft(did, "finance", content="2026年度预算草案", channels=["intranet"])
    flow.check(did)
    assert flow.review(did)["status"] == "awaiting_congress"
    login(client, "chair1", "presidium")
    office = client.get("/disclosure-office").text
    assert f'data-disclosure="{did}"' in office and "职工代表大会（主席团）" in office
    desk = client.get(f"/disclosure-office/{did}").text
    assert "2026年度预算草案" in desk and "关于2026年度财务预算的报告" in desk
    desk = step(client, did, "congress", outcome="noted", note="")
    assert "请选择职代会听取该事项的会议议题" in desk and "待职代会审议" in desk
    desk = step(client, did, "congress", matter_id=str(matter), outcome="noted", note="第二次会议已听取")
    assert "已记录职代会审阅意见" in desk
    login(client, "fin1", "dept_finance")
    desk = client.get(f"/disclosure-office/{did}").text
    assert "已审核待发布" in desk and "职代会议题：关于2026年度财务预算的报告" in desk
    agenda = client.get(f"/congress/meetings/{ids['meeting_id']}").text
    assert f'data-heard="{did}"' in agenda and "厂务公开事项：财务预算、决算（2026年度） · 已审阅" in agenda


def test_the_admin_edits_the_catalogue_and_the_office_sees_the_schedules_and_what_is_due(client, flow, clock):
    item = flow.items["pay_bonus"]
    login(client, "hr1")
    page = client.get("/disclosure-office/catalogue").text
    assert "工资、奖金分配" in page and "人力资源部" in page and "每月" in page and "dept_hr" not in page.split(
        "<datalist")[0]
    refused = client.post(f"/disclosure-office/catalogue/{item['id']}", data={"csrf_token": csrf(page)})
    assert refused.status_code == 403
    login(client, "root1", "admin")
    page = client.get("/disclosure-office/catalogue").text
    assert 'data-nav="disclosure-catalogue"' in page
    client.post(f"/disclosure-office/catalogue/{item['id']}", data={
        "csrf_token": csrf(page), "title": "工资、奖金分配方案", "category": "vital_interests", "frequency": "monthly",
        "channels": ["notice_board", "intranet"], "owner_role": "dept_hr", "legal_basis": item["legal_basis"],
        "confidentiality_check": "1", "active": "1", "feedback_days": "10"})
    page = client.get("/disclosure-office/catalogue").text
    assert "目录已更新" in page and "工资、奖金分配方案" in page
    edited = flow.items_now()["pay_bonus"]
    assert edited["confidentiality_check"] and edited["feedback_days"] == 10 and edited["channels"] == [
        "notice_board", "intranet"]

    did = flow.start()
    login(client, "hr1")
    page = client.get("/disclosure-office/schedules").text
    assert f'data-disclosure="{did}"' in page and "社会保险和企业年金缴纳情况（2026年第1季度）" in page
    assert "2026年3月" in page and "2026-04-01" in page  # the monthly item's next period starts after March
    assert "2026-04-10（含）前" in page and "补启动 2026年2月" in page  # its deadline; the missed month
    start = client.post(f"/disclosure-office/schedules/{item['id']}/start",
                        data={"csrf_token": csrf(page), "period": "2026-02"})
    page = client.get(start.headers["Location"]).text
    assert "已启动公开" in page and "工资、奖金分配方案（2026年2月）" in page
