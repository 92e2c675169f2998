"""The inspection driver: a representatives' inspection (职工代表巡视) planned and driven through the HTTP API."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from engine import departments
from engine.identity import SYSTEM
from engine.models import AuditEvent
from engine.worker import run_once

from helpers.api import bundled_files
from helpers.congress import make_congress
from helpers.roundtrip import ready

PLAN = {"title": "2026年上半年提案办理情况巡视", "subject_kind": "proposal", "subject_ref": 1,
        "scope": "食堂扩建提案的办理和落实", "department": "后勤保障部", "team": ["rep1", "rep2", "unionist"],
        "starts_on": "2026-03-12", "ends_on": "2026-03-13"}
FINDINGS = {"methods": ["reports", "site_visits", "questions"],
            "findings": [{"text": "新增窗口尚未启用", "owner": "后勤保障部 王经理", "due_on": "2026-04-30"},
                         {"text": "排队时间未做统计"}]}


class InspectionApi:
    """Drives inspections as the union chair, the team, the inspected department and an auditor."""

    def __init__(self, client, deploy, users, services, clock):
        self.client, self.services, self.clock = client, services, clock
        self.congress = make_congress(services, linked={1: "rep1", 2: "rep2", 3: "rep3"})
        for procedure in ("congress", "inspection"):
            assert deploy(bundled_files(procedure)).status_code == 201
        self.h = {"chair": users.headers("chair", "union_chair"), "presidium": users.headers("pres", "presidium"),
                  "rep1": users.headers("rep1", "representative"), "rep2": users.headers("rep2", "representative"),
                  "rep3": users.headers("rep3", "representative"), "unionist": users.headers("unionist"),
                  "dept": users.headers("dept", "handling_department"), "auditor": users.headers("aud", "auditor"),
                  "worker": users.headers("worker")}
        departments.save_department(services.uow(), "logistics", name="后勤保障部", members=["dept"], heads=["dept"],
                                    actor=SYSTEM)

    def plan(self, who: str = "chair", expect: int = 201, **changes):
        r = self.client.post("/api/v1/inspections", json=PLAN | changes, headers=self.h[who])
        assert r.status_code == expect, r.get_json()
        return r.get_json()

    def get(self, iid: int) -> dict:
        return self.client.get(f"/api/v1/inspections/{iid}", headers=self.h["worker"]).get_json()

    def tasks(self, instance_id: str) -> dict[str, str]:
        return ready(self.client, self.h["auditor"], instance_id)[1]

    def complete(self, instance_id: str, element_id: str, who: str, data: dict, expect: int = 200):
        task = self.tasks(instance_id)[element_id]
        r = self.client.post(f"/api/v1/tasks/{task}/complete", json={"data": data}, headers=self.h[who])
        assert r.status_code == expect, r.get_json()
        return r.get_json()

    def at(self, when: datetime) -> None:
        self.clock.set(when + timedelta(minutes=1))
        run_once(self.services.uow)

    def events(self, instance_id: str, prefix: str = "inspection.") -> list[str]:
        with (uow := self.services.uow(readonly=True)):
            return [e.event_type for e in uow.session.scalars(
                select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq))
                if e.event_type.startswith(prefix)]
