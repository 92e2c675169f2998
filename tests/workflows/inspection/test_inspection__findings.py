"""Findings and answers of an inspection, and its report, through the domain services (rules.md §2.5)."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.errors import Conflict, ValidationFailed
from engine.identity import Actor
from workflows.congress.tables import Meeting
from workflows.inspection import findings, report
from workflows.inspection.plan import plan_inspection
from workflows.inspection.tables import Inspection

from helpers.inspection import PLAN, InspectionApi

CHAIR = Actor("chair", frozenset({"union_chair"}))


@pytest.fixture
def planned(client, deploy, users, services, clock) -> tuple[InspectionApi, Inspection]:
    api = InspectionApi(client, deploy, users, services, clock)
    body = PLAN | {"starts_on": dt.date(2026, 3, 12), "ends_on": dt.date(2026, 3, 13)}
    return api, plan_inspection(services.uow(), body, actor=CHAIR)


def _record(services, inspection_id: int, texts: list[str]) -> list[int]:
    with (uow := services.uow()):
        row = uow.session.get(Inspection, inspection_id)
        ids = [f.id for f in findings.record_findings(uow.session, row, [{"text": t} for t in texts],
                                                      actor="rep1", now=uow.now())]
        uow.commit()
    return ids


def test_each_finding_is_answered_once_and_only_findings_of_this_inspection(planned, services):
    _, row = planned
    a, b = _record(services, row.id, ["一", "二"])
    def answers(*ids):
        return [{"finding_id": i, "answer": "答复"} for i in ids]

    with (uow := services.uow(readonly=True)):
        findings.check_answers(uow.session, row.id, answers(a, b))
        with pytest.raises(ValidationFailed) as twice:
            findings.check_answers(uow.session, row.id, answers(a, a, b))
        with pytest.raises(ValidationFailed) as unknown:
            findings.check_answers(uow.session, row.id, answers(a, b, 999))
    assert twice.value.errors["answers"] == ["a finding is answered twice"]
    assert unknown.value.errors["answers"] == ["unknown finding 999"]


def test_report_goes_to_a_session_still_open_not_a_closed_one(planned, services):
    api, row = planned
    with (uow := services.uow()):
        meeting = uow.session.get(Meeting, api.congress["meeting_id"])
        meeting.status = "closed"
        uow.commit()
    with (uow := services.uow(readonly=True)), pytest.raises(Conflict):
        report.open_meeting(uow.session, meeting.id)


def test_plan_is_audited_with_team_department_and_dates(planned, services):
    api, row = planned
    assert api.events(row.instance_id) == ["inspection.unit_notified", "inspection.planned"]
    assert row.department == "logistics" and row.notice_days == 10 and row.status == "notified"
