"""The contract office pages without a browser: the contract's hub (stage bar, next step and who takes it,
negotiators, meetings, drafts with their changes, filings), a chief signing minutes on it, the liaison recording
the bureau's receipt through the step's form (a date before the filing refused with 第42条/第47条), and every
worker reading the published contract (第48条: 向全体职工公布)."""

from __future__ import annotations

import re

import pytest

from helpers.contracts import UNION, Deal, local
from helpers.web import csrf, login


@pytest.fixture
def deal(services, clock) -> Deal:
    return Deal(services, clock)


def test_the_hub_shows_the_stage_the_next_step_and_a_chief_signs_the_minutes_art34(client, deal):
    deal.start_negotiating()
    deal.meeting(sign=False)
    deal.draft("工资每年增长8%。")
    deal.draft("工资每年增长5%。", "每月10日发放工资。")
    login(client, "chief_u", "union_negotiator")
    listing = client.get("/contracts")
    assert listing.status_code == 200 and f'data-contract="{deal.id}"' in listing.text
    assert 'data-nav="contracts"' in listing.text
    page = client.get(f"/contracts/{deal.id}").text
    assert '<li class="current"\n      data-stage="negotiating">协商中</li>' in page
    assert '<li class="done"\n      data-stage="preparation">' in page
    assert "记录员和双方首席代表" in page  # who must act next
    assert "U首席" in page and "E首席" in page  # both sides' negotiators
    assert "与上一稿相比：新增 1，修改 1，删除 0" in page and "+ 工资每年增长5%。" in page
    assert "签认本次会议纪要" in page
    signed = client.post(f"/contracts/{deal.id}/meetings/1/sign", data={"csrf_token": csrf(page)})
    assert signed.status_code == 302
    page = client.get(f"/contracts/{deal.id}").text
    assert "已签认会议纪要。" in page and "chief_u / —" in page
    client.post("/lang", data={"lang": "en", "csrf_token": csrf(page)})
    english = client.get(f"/contracts/{deal.id}").text
    assert "Negotiating" in english and "The recorder and both chiefs" in english


def test_the_liaison_records_the_receipt_on_its_form_not_before_the_filing_art42_art47(client, deal, clock):
    clock.set(local("2026-03-23"))
    deal.signed_and_filed()
    login(client, "liaison1", "liaison")
    page = client.get(f"/contracts/{deal.id}").text
    assert "联络员登记劳动保障部门收到文本的日期" in page and 'data-element="register_receipt"' in page
    task_url = re.search(r'data-element="register_receipt"><a class="button" href="([^"]+)"', page).group(1)
    form = client.get(task_url).text
    early = client.post(task_url, data={"received_on": "2026-03-22", "receipt_no": "人社备1",
                                        "csrf_token": csrf(form)})
    assert early.status_code == 422 and "第47条" in early.text and "Traceback" not in early.text
    assert deal.contract.stage == "filed"
    done = client.post(task_url, data={"received_on": "2026-03-23", "receipt_no": "人社备1",
                                       "csrf_token": csrf(form)})
    assert done.status_code == 302 and deal.contract.stage == "under_review"
    package = client.get(f"/contracts/{deal.id}/filings/1/package.html")
    assert package.status_code == 200 and "集体合同备案材料" in package.text
    assert client.get(f"/contracts/{deal.id}/filings/1/package.json").json["filing_number"] == 1


def test_every_worker_reads_the_published_contract_art48(client, deal, clock):
    deal.signed_and_filed()
    clock.set(local("2026-05-06", "09:00"))
    deal.receive()
    login(client, "wk_wang")
    assert client.get(f"/contracts/{deal.id}/notice").status_code == 404  # not published yet
    assert f'data-contract="{deal.id}"' not in client.get("/contracts").text
    deal.at(local("2026-05-22", "00:10"))
    deal.complete("publish", {"channels": ["notice_board"], "published_on": "2026-05-22"}, UNION)
    listing = client.get("/contracts").text
    assert f'data-contract="{deal.id}"' in listing and "已向全体职工公布" in listing
    assert 'data-nav="contracts"' not in listing  # the office menu is for its staff
    hub = client.get(f"/contracts/{deal.id}")
    assert hub.status_code == 302 and hub.headers["Location"].endswith(f"/contracts/{deal.id}/notice")
    notice = client.get(f"/contracts/{deal.id}/notice")
    assert notice.status_code == 200 and "第四十八条向全体职工公布" in notice.text
    assert client.get(f"/contracts/{deal.id}/filings/1/package.html").status_code == 403

