"""The disclosure office pages without a browser: the owner department drafts and submits on its desk, the
confidentiality officer clears it, the supervision group approves it, the owner records two channels and
publishes, a worker asks on the workers' page, the owner answers on the desk (the questions queue), the window
closes and the supervision group evaluates and closes it; a refusal shows on the desk with its rule."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

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
