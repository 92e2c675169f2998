"""The casework driver: labour-dispute mediation (劳动争议调解) driven through the HTTP API as the worker, the
committee, the mediator and the enterprise's representative."""

from __future__ import annotations

from datetime import datetime, timedelta

from engine.worker import run_once
from workflows.casework.tables import MediationCase

from helpers.api import bundled_files

COMMITTEE = [
    {"username": "chair1", "side": "worker", "union_member": True, "chair": True},
    {"username": "med1", "side": "worker", "union_member": True},
    {"username": "emp1", "side": "employer"},
]
CLAIM = "2025年12月加班工资未足额支付，请求补发加班工资3200元。"


class MediationApi:
    """Drives mediation cases through the API."""

    def __init__(self, client, users, services, clock):
        self.client, self.users, self.services, self.clock = client, users, services, clock
        self.h = {"admin": users.headers("admin1", "admin"), "auditor": users.headers("auditor1", "auditor"),
                  "chair": users.headers("chair1", "mediation_committee"),
                  "med": users.headers("med1", "mediation_committee"),
                  "emp": users.headers("emp1", "mediation_committee"),
                  "hr": users.headers("hr1"), "worker": users.headers("worker1"),
                  "worker2": users.headers("worker2"), "other": users.headers("other1")}

    def call(self, method: str, path: str, who: str, expect: int | None = 200, **kwargs):
        response = getattr(self.client, method)(f"/api/v1/casework{path}", headers=self.h[who], **kwargs)
        if expect is not None:
            assert response.status_code == expect, response.get_json()
        return response.get_json()

    def seat_committee(self, members=None, expect: int = 200):
        return self.call("put", "/mediation-committee", "admin", expect, json={"members": members or COMMITTEE})

    def file(self, who: str = "worker", applicants=("worker1",), oral: bool = False, expect: int = 201):
        return self.call("post", "/mediations", who, expect, json={
            "applicants": list(applicants), "respondent": "某某机械有限公司", "claim": CLAIM, "oral": oral})

    def accept(self, cid: int, mediator: str = "med1", declared: bool = True, expect: int = 200):
        return self.call("post", f"/mediations/{cid}/accept", "chair", expect, json={
            "mediator": mediator, "employer_rep": "hr1", "no_conflict_declared": declared})

    def session(self, cid: int, who: str = "med", expect: int = 201):
        return self.call("post", f"/mediations/{cid}/sessions", who, expect,
                         json={"record": "双方陈述意见，企业同意核算加班时数。"})

    def close(self, cid: int, outcome: str = "agreement", signed: bool = True, expect: int = 200):
        return self.call("post", f"/mediations/{cid}/close", "med", expect, json={
            "outcome": outcome, "terms": "企业于2026年3月31日前补发加班工资3200元。", "signed_by_both": signed})

    def at(self, when: datetime) -> None:
        self.clock.set(when + timedelta(minutes=1))
        run_once(self.services.uow)

    def instance(self, cid: int) -> str:
        uow = self.services.uow(readonly=True)
        with uow:
            return uow.session.get(MediationCase, cid).instance_id

    def tasks(self, who: str, scope: str = "mine") -> list[dict]:
        body = self.client.get(f"/api/v1/tasks?scope={scope}&process=labour_mediation", headers=self.h[who])
        assert body.status_code == 200, body.get_json()
        return body.get_json()["items"]

    def notices(self, who: str) -> list[dict]:
        return self.client.get("/api/v1/notifications", headers=self.h[who]).get_json()["items"]


def mediation_api(client, deploy, users, services, clock) -> MediationApi:
    """The bundled casework procedure deployed and a driver."""
    assert deploy(bundled_files("casework")).status_code == 201
    return MediationApi(client, users, services, clock)
