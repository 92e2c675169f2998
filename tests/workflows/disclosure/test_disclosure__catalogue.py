"""The disclosure catalogue, its periods, deadlines and schedules (rules.md §3.1 content, §3.2 timing)."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from engine import deployments
from engine.errors import ValidationFailed
from engine.identity import SYSTEM
from engine.models import Instance, TimerSchedule
from engine.worker import run_once
from workflows.catalog import procedure_folders, read_folder
from workflows.disclosure.catalogue import (
    CATEGORIES,
    DisclosureSettings,
    due_periods,
    last_ended_period,
    list_items,
    parse_period,
    period_containing,
    request_disclosure,
    seed_catalogue,
    update_item,
)
from workflows.disclosure.tables import Disclosure, DisclosureItem

from conftest import ROOT
from helpers.roundtrip import assert_round_trip

HR = SYSTEM.__class__("hr1", frozenset({"dept_hr"}))


@pytest.fixture
def deployed(services):
    [folder] = [f for f in procedure_folders(ROOT / "bpmn") if f.name == "disclosure"]
    deployments.deploy(services.uow(), read_folder(folder), actor=SYSTEM)
    seed_catalogue(services.uow())
    return services


def _items(services) -> dict[str, dict]:
    return {i["code"]: i for i in list_items(services.uow(readonly=True))}


def _disclosures(services) -> list[tuple[str, str | None, str]]:
    uow = services.uow(readonly=True)
    with uow:
        rows = uow.session.execute(select(DisclosureItem.code, Disclosure.period, Disclosure.status)
                                   .join(DisclosureItem, DisclosureItem.id == Disclosure.item_id)
                                   .order_by(Disclosure.id))
        return [tuple(r) for r in rows]


def test_catalogue_is_seeded_with_the_statutory_content_list__s3_1_content(services):
    assert len(seed_catalogue(services.uow())) > 20
    items = _items(services)
    assert {i["category"] for i in items.values()} == set(CATEGORIES)
    vital = {i["topic"] for i in items.values() if i["category"] == "vital_interests"}
    assert {"pay", "social_insurance", "housing_fund", "hiring", "dismissals", "safety", "training_funds",
            "labour_disputes", "model_workers"} <= vital
    assert {i["frequency"] for i in items.values()} == {"monthly", "quarterly", "yearly", "ad_hoc"}
    assert all(i["legal_basis"] and i["owner_role"] and i["channels"] for i in items.values())
    assert items["budget"]["congress_first"] and items["staff_reduction"]["congress_first"]
    assert (items["social_insurance"]["frequency"], items["social_insurance"]["owner_role"]) == ("quarterly", "dept_hr")


def test_seeding_again_adds_nothing_and_keeps_admin_edits(services):
    seed_catalogue(services.uow())
    item = _items(services)["welfare"]
    update_item(services.uow(), item["id"], {"owner_role": "dept_union", "active": False}, actor=SYSTEM)
    assert seed_catalogue(services.uow()) == []
    again = _items(services)["welfare"]
    assert (again["owner_role"], again["active"]) == ("dept_union", False)
    with pytest.raises(ValidationFailed) as err:
        update_item(services.uow(), item["id"], {"frequency": "weekly"}, actor=SYSTEM)
    assert "frequency" in err.value.errors


def test_periods_have_stable_labels_and_the_latest_ended_one_is_found():
    day = dt.date(2026, 4, 1)
    assert last_ended_period("monthly", day).label == "2026-03"
    assert last_ended_period("quarterly", day) == parse_period("quarterly", "2026-Q1")
    assert last_ended_period("yearly", day).last_day == dt.date(2025, 12, 31)
    q1 = period_containing("quarterly", dt.date(2026, 2, 14))
    assert (q1.title, q1.first_day, q1.last_day) == ("2026年第1季度", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert period_containing("monthly", dt.date(2028, 2, 3)).last_day == dt.date(2028, 2, 29)
    for frequency, label in (("monthly", "2026-13"), ("quarterly", "2026-Q5"), ("yearly", "26"), ("monthly", "")):
        with pytest.raises(ValidationFailed):
            parse_period(frequency, label)


def test_a_worker_that_was_down_catches_up_on_missed_periods_only():
    day = dt.date(2026, 10, 2)
    assert [p.label for p in due_periods("quarterly", None, day)] == ["2026-Q3"]  # a new item: latest only
    assert [p.label for p in due_periods("quarterly", "2026-Q1", day)] == ["2026-Q2", "2026-Q3"]
    assert due_periods("quarterly", "2026-Q3", day) == []
    assert len(due_periods("monthly", "2020-01", day)) == 12  # bounded


def test_regular_disclosure_is_due_by_the_10th_of_the_following_month__s3_2_timing(deployed):
    items = _items(deployed)
    expected = {  # 24:00 Beijing time of the last day; a last day on a rest day moves to the next working day
        "2026-02": "2026-03-10T16:00:00+00:00",
        "2025-12": "2026-01-12T16:00:00+00:00",  # 10 January 2026 is a Saturday
        "2026-04": "2026-05-11T16:00:00+00:00",  # 10 May 2026 is a Sunday
    }
    for period, due in expected.items():
        did = request_disclosure(deployed.uow(), items["pay_bonus"]["id"], period=period, within_days=None, actor=HR)
        uow = deployed.uow(readonly=True)
        with uow:
            assert uow.session.get(Disclosure, did).publish_due.isoformat() == due
    other = DisclosureSettings(publish_by_day=5)
    deployed.runtime.context["disclosure"] = other
    did = request_disclosure(deployed.uow(), items["pay_bonus"]["id"], period="2026-03", within_days=None, actor=HR)
    uow = deployed.uow(readonly=True)
    with uow:
        assert uow.session.get(Disclosure, did).publish_due.isoformat() == "2026-04-07T16:00:00+00:00"


def test_quarterly_schedule_starts_one_disclosure_per_quarter__s3_2_timing(deployed, clock):
    quarterly = sorted(code for code, i in _items(deployed).items() if i["frequency"] == "quarterly" and i["active"])
    assert run_once(deployed.uow).instances_started == []
    clock.set(datetime(2026, 4, 1, 1, 1, tzinfo=UTC) - timedelta(hours=8))  # 1 April, 01:01 Beijing time
    done = run_once(deployed.uow)
    uow = deployed.uow(readonly=True)
    with uow:
        started = {uow.session.get(Instance, i).process_id for i in done.instances_started}
    assert started == {"disclosure_monthly", "disclosure_quarterly"}
    first = [(code, period) for code, period, _ in _disclosures(deployed) if period and "Q" in period]
    assert sorted(first) == [(code, "2026-Q1") for code in quarterly]
    assert all(status == "drafting" for _, _, status in _disclosures(deployed))
    assert run_once(deployed.uow).instances_started == []  # nothing more is due
    clock.set(datetime(2026, 7, 3, 1, 1, tzinfo=UTC) - timedelta(hours=8))  # (the engine fires it on 2 July)
    run_once(deployed.uow)
    q2 = [code for code, period, _ in _disclosures(deployed) if period == "2026-Q2"]
    assert sorted(q2) == quarterly
    uow = deployed.uow(readonly=True)
    with uow:
        ids = list(uow.session.scalars(select(Disclosure.instance_id)))
    for iid in ids[:3]:
        assert_round_trip(deployed, iid)


def test_monthly_and_yearly_schedules_start_the_period_that_ended__s3_2_timing(deployed, clock):
    clock.set(datetime(2027, 1, 1, 1, 1, tzinfo=UTC) - timedelta(hours=8))  # New Year's Day, 01:01 Beijing time
    done = run_once(deployed.uow)
    uow = deployed.uow(readonly=True)
    with uow:
        runs = [(uow.session.get(Instance, i).process_id, uow.session.get(Instance, i).status)
                for i in done.instances_started]
    assert {p for p, _ in runs} == {"disclosure_monthly", "disclosure_quarterly", "disclosure_yearly"}
    assert {s for _, s in runs} == {"completed"}
    for iid in done.instances_started:
        assert_round_trip(deployed, iid)
    started = {(code, period) for code, period, _ in _disclosures(deployed)}
    yearly = {code for code, i in _items(deployed).items() if i["frequency"] == "yearly"}
    assert {(code, "2026") for code in yearly} <= started
    # Catching up on the missed monthly occurrences starts December only, for items never started before.
    assert ("pay_bonus", "2026-12") in started and ("pay_bonus", "2026-11") not in started


def test_quarterly_schedule_fires_on_the_first_day_of_each_quarter(deployed, clock):
    beijing = dt.timezone(timedelta(hours=8))
    seen = []
    for month in (4, 7, 10):
        clock.set(datetime(2026, month, 5, tzinfo=beijing))
        run_once(deployed.uow)
        uow = deployed.uow(readonly=True)
        with uow:
            schedule = uow.session.scalar(select(TimerSchedule).where(
                TimerSchedule.process_id == "disclosure_quarterly", TimerSchedule.active.is_(True)))
            seen.append(schedule.next_due_at.astimezone(beijing).isoformat())
    assert seen == ["2026-07-01T01:00:00+08:00", "2026-10-01T01:00:00+08:00", "2027-01-01T01:00:00+08:00"]


def test_a_catalogue_edit_reaches_the_next_period_not_the_running_one(deployed, clock):
    item = _items(deployed)["social_insurance"]
    clock.set(datetime(2026, 4, 1, 0, 1, tzinfo=UTC))
    run_once(deployed.uow)
    update_item(deployed.uow(), item["id"], {"owner_role": "dept_finance", "confidentiality_check": False},
                actor=SYSTEM)
    clock.set(datetime(2026, 7, 3, 0, 1, tzinfo=UTC))
    run_once(deployed.uow)
    uow = deployed.uow(readonly=True)
    with uow:
        rows = {d.period: (d.owner_role, d.confidentiality_check) for d in uow.session.scalars(
            select(Disclosure).where(Disclosure.item_id == item["id"]))}
    assert rows == {"2026-Q1": ("dept_hr", True), "2026-Q2": ("dept_finance", False)}


def test_settings_are_configuration_with_defaults():
    default = DisclosureSettings()
    assert (default.answer_days, default.attachment_max_bytes, default.publish_by_day) == (5, 10 * 1024 * 1024, 10)
    configured = DisclosureSettings.from_config({"DISCLOSURE_ANSWER_DAYS": "3", "DISCLOSURE_ESCALATION_INTERVAL":
                                                 "PT12H", "RULE_FILING_DAYS": 9})
    assert (configured.answer_days, configured.escalation_interval) == (3, "PT12H")
    for bad in ({"DISCLOSURE_ANSWER_DAYS": 0}, {"DISCLOSURE_ESCALATION_INTERVAL": "daily"},
                {"DISCLOSURE_COLOUR": "red"}):
        with pytest.raises(ValueError):
            DisclosureSettings.from_config(bad)
