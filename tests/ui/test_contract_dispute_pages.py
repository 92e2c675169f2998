"""The union office's performance-dispute page without a browser: the hub links it once the contract is in force;
a side records a dispute, both record sessions, the union refers it after a failed session and downloads the
package (集体合同规定 第55条; 工会法 第20条); refusals come back with their article."""

from __future__ import annotations

import zipfile
from io import BytesIO

from workflows.contracts import performance_disputes as disputes

from helpers.contracts import Deal
from helpers.contracts_in_force import bring_in_force
from helpers.web import csrf, login


def test_union_office_records_a_dispute_negotiates_and_refers_it_on_the_page_art55_union_law_art20(
        client, services, clock):
    deal = bring_in_force(Deal(services, clock), clock)
    login(client, "chair", "union_chair", "union_negotiator")
    hub = client.get(f"/contracts/{deal.id}").text
    assert f'href="/contracts/{deal.id}/performance-disputes"' in hub and "履行争议" in hub
    url = f"/contracts/{deal.id}/performance-disputes"
    page = client.get(url).text
    assert "本合同没有履行争议。" in page and "工会法第20条" in page
    r = client.post(url, data={"csrf_token": csrf(page), "clauses": "第3条 工资增长", "facts": "未按约定增长。",
                               "demand": "补足差额。"}, follow_redirects=True)
    assert "已记录履行争议，并通知对方。" in r.text and "协商中" in r.text and "工会（职工）方" in r.text
    [dispute_id] = [d["id"] for d in disputes.disputes_of(services.uow(readonly=True), deal.id)]
    session = {"csrf_token": csrf(r.text), "held_on": "2026-06-02", "place": "工会会议室", "participants": "双方代表",
               "minutes": "分歧无法弥合。", "outcome": "failed"}
    r = client.post(f"{url}/{dispute_id}/referral", data={"csrf_token": csrf(r.text), "tribunal": "市仲裁委",
                                                          "claims": "补足差额"}, follow_redirects=True)
    assert "未能办理" in r.text and "集体合同规定第55条" in r.text  # negotiate first
    r = client.post(f"{url}/{dispute_id}/sessions", data=session, follow_redirects=True)
    assert "已保存协商记录。" in r.text and "第1次" in r.text and "协商不成" in r.text
    assert "提请劳动争议仲裁" in r.text
    referral = {"csrf_token": csrf(r.text), "tribunal": "市劳动人事争议仲裁委员会", "claims": "补足差额"}
    r = client.post(f"{url}/{dispute_id}/referral", data=referral, follow_redirects=True)
    assert "已提请仲裁，仲裁材料已生成。" in r.text and "已提请仲裁" in r.text and "北京时间" in r.text
    package = client.get(f"{url}/{dispute_id}/package.zip")
    assert package.status_code == 200 and package.mimetype == "application/zip"
    assert "dispute.json" in zipfile.ZipFile(BytesIO(package.data)).namelist()
    for raw in ("negotiating", "failed", "referred", "union_chair", "None"):
        assert f">{raw}<" not in r.text


def test_a_worker_does_not_see_the_dispute_page(client, services, clock):
    deal = bring_in_force(Deal(services, clock), clock)
    login(client, "worker9", "worker")
    assert client.get(f"/contracts/{deal.id}/performance-disputes").status_code == 403
