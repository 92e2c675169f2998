"""The contract office pages without a browser: the contract's hub (stage bar, next step and who takes it,
negotiators, meetings, drafts with their changes, filings), a chief signing minutes on it, the liaison recording
the bureau's receipt through the step's form (a date before the filing refused with 第42条/第47条), and every
worker reading the published contract (第48条: 向全体职工公布)."""

from __future__ import annotations

import re

import pytest

from workflows.contracts import record as contracts

from helpers.contracts import PRESIDIUM, SHANGHAI, UNION, Deal, local
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



def post(client, url: str, expect: int = 302, **data) -> str:
    """Submit a form found on the page at `url`'s hub; return the hub afterwards."""
    hub_url = url if url.startswith("/contracts/new") else "/contracts/" + url.split("/")[2]
    token = csrf(client.get(hub_url).text)
    response = client.post(url, data={"csrf_token": token, **data})
    assert response.status_code == expect, response.text
    return client.get(response.headers["Location"]).text if expect == 302 else response.text


def open_step(client, contract_id: int, element: str, **data) -> None:
    page = client.get(f"/contracts/{contract_id}").text
    url = re.search(rf'data-element="{element}"><a class="button" href="([^"]+)"', page).group(1)
    done = client.post(url, data={"csrf_token": csrf(client.get(url).text), **data})
    assert done.status_code == 302, done.text


ROW_FIELDS = {"members": ("name", "person_id", "username", "gender", "credential", "is_chief"),
              "clauses": ("title", "text")}


def rows(name: str, *values: tuple) -> dict[str, str]:
    """The posted fields of a rows form: ``name.<i>.<field>`` (a ticked box posts "true")."""
    return {f"{name}.{i}.{field}": "true" if value is True else value
            for i, row in enumerate(values) for field, value in zip(ROW_FIELDS[name], row, strict=False)}


def test_union_and_employer_run_a_contract_from_request_to_filing_on_the_pages_art32_art42(client, deal, clock):
    clock.set(local("2026-03-02", "09:00"))
    login(client, "chief_u", "union_negotiator")
    post(client, "/contracts/new", kind="comprehensive", title="2026—2028年集体合同", enterprise="华东机械",
         union_name="华东机械工会", topics="劳动报酬\n工作时间", text="提出集体协商要求。", term_years="3")
    [contract_id] = [c.id for c in contracts.list_contracts(deal.s.uow(readonly=True))]
    deal.id = contract_id
    login(client, "chief_e", "employer_negotiator")
    open_step(client, contract_id, "employer_reply", reply_decision="accept", reply_text="同意协商")
    hub = post(client, f"/contracts/{contract_id}/representatives/employer",
               **rows("members", ("E首席", "E001", "chief_e", "male", "legal_representative", True), ("E代表2", "E002"),
                      ("E代表3", "E003")))
    assert "已保存" in hub
    login(client, "chief_u", "union_negotiator")
    post(client, f"/contracts/{contract_id}/representatives/union",
         **rows("members", ("U首席", "U001", "chief_u", "female", "union_chair", True), ("U代表2", "U002"),
                ("U代表3", "U003")))
    hub = post(client, f"/contracts/{contract_id}/representatives/confirm")
    assert 'data-stage="preparation">协商准备' in hub
    post(client, f"/contracts/{contract_id}/preparation", topics="工资", first_meeting_on="2026-03-20",
         place="会议室", recorder_name="记录员", recorder_person_id="X900", recorder_username="recorder1")
    login(client, "chief_e", "employer_negotiator")
    assert "协商中" in post(client, f"/contracts/{contract_id}/preparation/confirm")

    clock.set(local("2026-03-20", "18:00"))
    login(client, "recorder1", "recorder")
    early = post(client, f"/contracts/{contract_id}/meetings", held_on="2026-03-19", place="会议室",
                 chair_side="union", union_position="增长8%", employer_position="增长3%", minutes="陈述")
    assert "未能办理" in early and "第33条" in early  # before the agreed first meeting day
    post(client, f"/contracts/{contract_id}/meetings", held_on="2026-03-20", place="会议室", chair_side="union",
         union_position="增长8%", employer_position="增长3%", minutes="双方陈述意见", outcome="continue")
    for chief, role in (("chief_u", "union_negotiator"), ("chief_e", "employer_negotiator")):
        login(client, chief, role)
        post(client, f"/contracts/{contract_id}/meetings/1/sign")
    hub = post(client, f"/contracts/{contract_id}/drafts",
               **rows("clauses", ("劳动报酬", "工资每年增长5%。"), ("工作时间", "每周40小时。")))
    assert "第1稿" in hub
    for chief, role in (("chief_u", "union_negotiator"), ("chief_e", "employer_negotiator")):
        login(client, chief, role)
        post(client, f"/contracts/{contract_id}/drafts/1/agree")

    deal.vote(deal.congress(), 8)  # the congress votes on its own screen (tests/ui/test_congress_pages.py)
    for chief, role in (("chief_u", "union_negotiator"), ("chief_e", "employer_negotiator")):
        login(client, chief, role)
        hub = post(client, f"/contracts/{contract_id}/sign")
    assert "已签字" in hub and "生成备案材料并报送" in hub
    hub = post(client, f"/contracts/{contract_id}/filing", employer_document="营业执照",
               employer_number="91310000X", union_document="工会法人资格证书", union_number="工法证0001",
               representatives_statement="工会选派；法定代表人指派。", negotiation_statement="经一次协商达成一致。")
    assert "已报送备案" in hub and 'data-filing="1"' in hub
    login(client, "liaison1", "liaison")
    open_step(client, contract_id, "register_receipt", received_on=deal.clock.now().astimezone(SHANGHAI).date()
              .isoformat(), receipt_no="人社备1")
    assert deal.contract.stage == "under_review"


def test_the_hub_links_the_adoption_vote_to_its_congress_meeting_art36(client, deal):
    deal.negotiate_to_agreement()
    login(client, "chair_p", "presidium")
    hub = client.get(f"/contracts/{deal.id}").text
    assert 'id="adoption-help"' in hub and "三分之二以上" in hub and 'data-element="submit_to_congress"' in hub
    matter = deal.congress()
    deal.complete("submit_to_congress", {"matter_id": matter}, PRESIDIUM)
    hub = client.get(f"/contracts/{deal.id}").text
    assert 'id="adoption-vote"' in hub and "职代会表决" in hub and "2026年度集体合同" in hub
    assert re.search(r'href="/congress/meetings/\d+/console" id="to-console"', hub)


def test_a_women_contract_starts_from_the_clause_library_on_the_hub(client, deal):
    deal.start_negotiating("women")
    login(client, "chief_u", "union_negotiator")
    hub = client.get(f"/contracts/{deal.id}").text
    assert 'id="library-form"' in hub and "从条款库起草" in hub
    hub = post(client, f"/contracts/{deal.id}/drafts/library")
    assert "第1稿" in hub and 'id="library-form"' not in hub
    assert deal.detail()["drafts"][0]["clauses"] > 3


def test_the_liaison_enters_the_bureaus_objection_and_the_clauses_go_back_to_negotiation_art45_art46(
        client, deal, clock):
    deal.signed_and_filed()
    clock.set(local("2026-05-06", "09:00"))
    deal.receive()
    login(client, "chief_u", "union_negotiator")
    assert 'id="objection-form"' not in client.get(f"/contracts/{deal.id}").text
    assert client.post(f"/contracts/{deal.id}/objection", data={
        "csrf_token": csrf(client.get(f"/contracts/{deal.id}").text)}).status_code == 403
    login(client, "liaison1", "liaison")
    hub = client.get(f"/contracts/{deal.id}").text
    assert 'id="objection-form"' in hub and "15日内未提出异议" in hub
    hub = post(client, f"/contracts/{deal.id}/objection", clauses="1", opinion="第1条违反最低工资规定",
               document_no="人社审〔2026〕7号", issued_on="2026-05-10")
    assert "已登记审查意见" in hub and deal.contract.stage == "negotiating"
    assert [o["clauses"] for o in deal.detail()["objections"]] == [[1]]


def test_either_side_asks_to_renew_in_the_window_on_the_hub_art38(client, deal, clock):
    deal.signed_and_filed()
    clock.set(local("2026-05-06", "09:00"))
    deal.receive()
    deal.at(local("2026-05-22", "00:10"))
    deal.complete("publish", {"channels": ["notice_board"], "published_on": "2026-05-22"}, UNION)
    login(client, "chief_e", "employer_negotiator")
    hub = client.get(f"/contracts/{deal.id}").text
    assert "生效时间" in hub and "2029-05-21" in hub and 'id="renewal-form"' not in hub
    deal.at(local("2029-02-21", "00:10"))
    hub = client.get(f"/contracts/{deal.id}").text
    assert 'id="renewal-form"' in hub
    renewed = post(client, f"/contracts/{deal.id}/renewal", topics="续订", text="要求续订集体合同")
    assert "已提出续订协商要求" in renewed and deal.contract.stage == "renewed"
    assert 'data-stage="requested">已提出协商要求' in renewed.replace("\n      ", "")


def test_a_members_draft_names_the_regional_terms_its_clauses_set_and_below_a_floor_is_refused_law55(
        client, services, clock):
    from engine import tenancy

    from helpers.federation import join, organisation, regional_in_force

    federation = organisation(services, "pd-fed", "浦东新区总工会", kind=tenancy.FEDERATION)
    join(services, tenancy.DEFAULT_ORG, federation, region="浦东新区")
    regional_in_force(services, clock, federation)
    clock.set(local("2026-03-02"))
    deal = Deal(services, clock).start_negotiating()
    deal.meeting()
    login(client, "chief_u", "union_negotiator")
    hub = client.get(f"/contracts/{deal.id}").text
    assert "最低工资标准（《浦东新区餐饮行业区域性集体合同》不低于2800元/月）" in hub
    assert 'name="clauses.0.key"' in hub and 'name="clauses.0.value"' in hub
    post(client, f"/contracts/{deal.id}/drafts", **{
        "clauses.0.title": "最低工资", "clauses.0.text": "职工月工资不低于2500元。", "clauses.0.key": "minimum_wage",
        "clauses.0.value": "2500", "clauses.1.title": "休息休假", "clauses.1.text": "职工享受带薪年休假。"})
    [stored] = deal.detail()["drafts"]
    version = stored["version"]
    refused = client.post(f"/contracts/{deal.id}/drafts/{version}/agree",
                          data={"csrf_token": csrf(hub)}, follow_redirects=True).text
    assert "不得低于区域性、行业性集体合同" in refused and "2500元/月" in refused
    assert deal.contract.stage == "negotiating"
