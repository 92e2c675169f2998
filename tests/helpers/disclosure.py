"""The disclosure driver: a factory-affairs disclosure (厂务公开) driven through the HTTP API as the owner department,
the officers and the workers, from the start to the feedback window."""

from __future__ import annotations

from datetime import datetime, timedelta

from engine.worker import run_once
from workflows.disclosure.catalogue import seed_catalogue

from helpers.api import bundled_files

CONTENT = "2026年第1季度社会保险缴纳情况：养老、医疗、失业、工伤、生育保险全额缴纳。"
ROLES = {"hr": "dept_hr", "finance": "dept_finance", "sup": "supervision_group", "conf": "confidentiality_officer",
         "admin": "admin", "auditor": "auditor", "liaison": "liaison"}


class DisclosureApi:
    """Drives disclosures through the API as the owner department, the officers and the workers."""

    def __init__(self, client, users, services, clock):
        self.client, self.users, self.services, self.clock = client, users, services, clock
        self.h = {key: users.headers(f"{key}1", role) for key, role in ROLES.items()}
        self.h["worker"] = users.headers("worker1")
        self.h["worker2"] = users.headers("worker2")
        items = client.get("/api/v1/disclosures/catalogue", headers=self.h["worker"]).get_json()
        self.items = {i["code"]: i for i in items}

    def items_now(self) -> dict[str, dict]:
        """The catalogue as it is now, by code."""
        items = self.client.get("/api/v1/disclosures/catalogue", headers=self.h["worker"]).get_json()
        return {i["code"]: i for i in items}

    def call(self, method: str, path: str, who: str, expect: int | None = 200, **kwargs):
        response = getattr(self.client, method)(f"/api/v1/disclosures{path}", headers=self.h[who], **kwargs)
        if expect is not None:
            assert response.status_code == expect, response.get_json()
        return response.get_json()

    def start(self, code: str = "social_insurance", period: str | None = "2026-Q1", who: str = "hr") -> int:
        return self.call("post", "", who, 201, json={"item_id": self.items[code]["id"], "period": period})["id"]

    def draft(self, did: int, who: str = "hr", content: str = CONTENT, channels=("notice_board", "intranet")):
        self.call("put", f"/{did}/draft", who, json={"content": content, "channels": list(channels)})
        return self.call("post", f"/{did}/submit", who)

    def check(self, did: int, decision: str = "clear", expect: int = 200, **flags):
        body = {"decision": decision, "state_secret": False, "trade_secret": False, "lawful": True} | flags
        return self.call("post", f"/{did}/confidentiality-check", "conf", expect, json=body)

    def review(self, did: int, decision: str = "approve", expect: int = 200, **checks):
        body = {"decision": decision, "truthful": True, "complete": True, "timely": True} | checks
        return self.call("post", f"/{did}/review", "sup", expect, json=body)

    def publish(self, did: int, who: str = "hr"):
        for channel in self.call("get", f"/{did}", who)["channels"]:
            self.call("post", f"/{did}/publications", who, 201, json={"channel": channel, "location": "一号楼"})
        return self.call("post", f"/{did}/publish", who)

    def to_feedback(self, code: str = "social_insurance", period: str | None = "2026-Q1", who: str = "hr") -> int:
        did = self.start(code, period, who)
        self.draft(did, who)
        if self.items[code]["confidentiality_check"]:
            self.check(did)
        self.review(did)
        assert self.publish(did, who)["status"] == "feedback_open"
        return did

    def at(self, when: datetime) -> None:
        self.clock.set(when + timedelta(minutes=1))
        run_once(self.services.uow)

    def tasks(self, did: int) -> dict[str, str]:
        iid = self._instance(did)
        body = self.client.get(f"/api/v1/instances/{iid}", headers=self.h["auditor"]).get_json()
        return {t["element_id"]: t["id"] for t in body["ready_tasks"]}

    def _instance(self, did: int) -> str:
        uow = self.services.uow(readonly=True)
        with uow:
            from workflows.disclosure.tables import Disclosure

            return uow.session.get(Disclosure, did).instance_id


def disclosure_api(client, deploy, users, services, clock) -> DisclosureApi:
    """The bundled disclosure procedure deployed, the statutory catalogue seeded, and a driver."""
    assert deploy(bundled_files("disclosure")).status_code == 201
    seed_catalogue(services.uow())
    return DisclosureApi(client, users, services, clock)
