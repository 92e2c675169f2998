"""The federation dashboard's figures, checked against a hand-built federation of four members.

浦东新区总工会 (a federation) has four member enterprises whose states are set through the domain:
- 徐汇精密 (300 workers, 徐汇区): its congress met (the contract's adoption session), its own contract in force
  (effective 2026-05-22) whose publication step (due 2026-06-01) is overdue;
- 浦东餐饮 (200, 浦东新区): its congress last met on 2025-03-01 (overdue), covered only by the regional contract;
- 闵行物流 (100, 闵行区): no congress, no contract, a disclosure past its due date unpublished;
- 浦东电子 (400, 浦东新区): its congress met, a disclosure published, covered by the regional contract.
An enterprise of another federation, whose congress met, stays out of every figure.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from engine import tenancy
from engine.errors import Forbidden, NotFound
from engine.identity import Actor
from workflows.congress import meetings
from workflows.congress.tables import Meeting
from workflows.federation import dashboard, report

from helpers.contracts import Deal, local
from helpers.federation import closed_session, disclosure, join, officer, organisation, regional_in_force

AS_OF = local("2026-06-05")


@pytest.fixture
def federation(services, clock):
    fed = organisation(services, "pudong_fed", "浦东新区总工会", kind=tenancy.FEDERATION, region="浦东新区")
    other_fed = organisation(services, "minhang_fed", "闵行区总工会", kind=tenancy.FEDERATION, region="闵行区")
    # The member that runs a whole contract procedure is the installation's first organisation: engine steps
    # write their derived rows with Core statements that tenancy does not stamp yet (being hardened on main).
    m1 = join(services, tenancy.DEFAULT_ORG, fed, name="徐汇精密", region="徐汇区", headcount=300)
    m2 = organisation(services, "pd_catering", "浦东餐饮", parent=fed, region="浦东新区", headcount=200)
    m3 = organisation(services, "mh_logistics", "闵行物流", parent=fed, region="闵行区", headcount=100)
    m4 = organisation(services, "pd_electronics", "浦东电子", parent=fed, region="浦东新区", headcount=400)
    outsider = organisation(services, "mh_outsider", "闵行外单位", parent=other_fed, region="浦东新区", headcount=999)
    regional_in_force(services, clock, fed)
    clock.set(local("2026-03-02"))
    with tenancy.acting_for(m1):  # an own contract, through the whole procedure, published (in force)
        deal = Deal(services, clock).signed_and_filed()
        clock.set(local("2026-05-06", "09:00"))
        deal.receive()
        deal.at(local("2026-05-22", "00:10"))
        with (uow := services.uow(readonly=True)):
            [adoption] = uow.session.scalars(select(Meeting.id).where(Meeting.status == "in_session"))
        meetings.close_meeting(services.uow(), adoption, actor=Actor("chair", frozenset({"presidium"})))
    clock.set(local("2024-06-01"))
    closed_session(services, m2, dt.date(2025, 3, 1), "浦东餐饮")
    clock.set(local("2026-04-10"))
    closed_session(services, m4, dt.date(2026, 4, 10), "浦东电子")
    closed_session(services, outsider, dt.date(2026, 4, 10), "闵行外单位")
    disclosure(services, m3, "m3_si", due=local("2026-04-30"), published=None)
    disclosure(services, m4, "m4_si", due=local("2026-05-15"), published=local("2026-05-10"))
    clock.set(AS_OF)
    return {"fed": fed, "m1": m1, "m2": m2, "m3": m3, "m4": m4, "outsider": outsider, "deal": deal}


def test_dashboard_rates_match_the_hand_built_federation(services, federation):
    figures = dashboard.dashboard(services.uow(readonly=True), officer(federation["fed"]), rules=services.rules)
    rows = {row["name"]: row for row in figures["members"]}
    assert set(rows) == {"徐汇精密", "浦东餐饮", "闵行物流", "浦东电子"}
    assert figures["congress_since"] == dt.date(2025, 6, 5)  # 12 months (rules.md §2.2) before 2026-06-05
    assert [rows[n]["congress_met"] for n in ("徐汇精密", "浦东餐饮", "闵行物流", "浦东电子")] == [
        True, False, False, True]
    assert rows["浦东餐饮"]["last_congress_on"] == dt.date(2025, 3, 1)
    assert rows["徐汇精密"]["own_contract_in_force"] and rows["徐汇精密"]["regional_contracts"] == []
    assert rows["徐汇精密"]["contract_stage_name"] == "已生效"
    assert rows["徐汇精密"]["contract_expires_on"] == dt.date(2029, 5, 21)
    assert not rows["浦东餐饮"]["own_contract_in_force"] and rows["浦东餐饮"]["contract_covered"]
    assert [c["title"] for c in rows["浦东电子"]["regional_contracts"]] == ["浦东新区餐饮行业区域性集体合同"]
    assert not rows["闵行物流"]["contract_covered"]
    assert (rows["闵行物流"]["disclosures_due"], rows["闵行物流"]["disclosures_done"]) == (1, 0)
    assert (rows["浦东电子"]["disclosures_due"], rows["浦东电子"]["disclosures_done"]) == (1, 1)
    assert [rows[n]["overdue_steps"] for n in ("徐汇精密", "浦东餐饮", "闵行物流", "浦东电子")] == [1, 0, 0, 0]
    assert figures["totals"]["members"] == 4
    assert figures["totals"]["contract_own"] == 1 and figures["totals"]["contract_regional_only"] == 2
    assert figures["rates"] == {"congress": 50.0, "contract_members": 75.0, "contract_workers": 90.0,
                                "disclosure": 25.0}


def publish(services, federation) -> None:
    with tenancy.acting_for(federation["m1"]):
        federation["deal"].complete("publish", {"channels": ["notice_board"], "published_on": "2026-06-05"},
                                    Actor("chief_u", frozenset({"union_negotiator"})))


def test_an_overdue_step_counts_until_it_is_done_art48(services, federation):
    """集体合同规定 第48条: the publication step is due 10 days after the effect; open past it, it is overdue."""
    def overdue() -> dict[str, int]:
        figures = dashboard.dashboard(services.uow(readonly=True), officer(federation["fed"]), rules=services.rules)
        return {row["name"]: row["overdue_steps"] for row in figures["members"]}

    assert overdue()["徐汇精密"] == 1
    publish(services, federation)
    assert overdue() == {"徐汇精密": 0, "浦东餐饮": 0, "闵行物流": 0, "浦东电子": 0}


def test_only_a_federation_officer_reads_the_dashboard_and_only_its_members_records(services, federation):
    with pytest.raises(Forbidden):
        dashboard.dashboard(services.uow(readonly=True), Actor("clerk", frozenset({"federation_officer"}),
                                                              org_id=federation["m1"]), rules=services.rules)
    publish(services, federation)
    records = dashboard.member_records(services.uow(readonly=True), officer(federation["fed"]), federation["m1"])
    assert [c["title"] for c in records["contracts"]] == ["2026年度集体合同"]
    assert "职工代表大会" in records["contracts"][0]["notice_html"]
    assert len(records["congress_sessions"]) == 1
    with pytest.raises(NotFound):
        dashboard.member_records(services.uow(readonly=True), officer(federation["fed"]), federation["outsider"])


def test_the_report_has_chinese_headers_and_a_row_per_member(services, federation):
    import io
    import zipfile

    figures = dashboard.dashboard(services.uow(readonly=True), officer(federation["fed"]), rules=services.rules)
    text = report.to_csv(figures).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("浦东新区总工会所属企业民主管理情况统计表")
    assert lines[1].startswith("序号,单位名称,所在区域")
    assert "职代会建制率,2,4,50.0" in text and "集体合同覆盖率（按职工人数）,900,1000,90.0" in text
    with zipfile.ZipFile(io.BytesIO(report.to_xlsx(figures))) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        assert z.testzip() is None and "徐汇精密" in sheet and "<v>300</v>" in sheet
        assert 'name="覆盖率"' in z.read("xl/workbook.xml").decode()
