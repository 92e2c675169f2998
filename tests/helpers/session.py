"""The session driver: a congress session (preparatory meeting, plenary, closing, minutes) through the HTTP API,
on the 60-representative congress of ``CongressApi.setup``."""

from __future__ import annotations

from helpers.api import bundled_files
from helpers.congress import CongressApi

CLAUSES = [{"number": 1, "title": "工作时间", "text": "实行每日8小时、每周40小时的标准工时制度。"},
           {"number": 2, "title": "工资调整", "text": "职工工资每年调整一次，平均增幅不低于3%。"},
           {"number": 3, "title": "带薪休假", "text": "职工享受国家规定的带薪年休假。"}]


class SessionApi(CongressApi):
    """CongressApi plus the session's own steps; ``seat[i]`` is representative i's id (i from 1)."""

    def __init__(self, client, users, login_as, deploy, n: int = 60):
        super().__init__(client, users, login_as)
        assert deploy(bundled_files("congress")).status_code == 201
        self.union = login_as("union_chair")
        self.term_id = self.setup(n)
        reps = self.call("get", f"/terms/{self.term_id}/representatives", self.admin, 200).get_json()
        self.seat = {int(r["employee_no"][1:]): r["id"] for r in reps}

    def plan(self, session_number: int = 1, held_on: str = "2026-03-02") -> int:
        return self.call("post", f"/terms/{self.term_id}/meetings", self.chair, 201,
                         json={"session_number": session_number, "held_on": held_on}).get_json()["id"]

    def start(self, meeting_id: int, expect: int = 201, who: dict | None = None, **body) -> dict:
        return self.call("post", f"/meetings/{meeting_id}/session", who or self.chair, expect, json=body).get_json()

    def check_in(self, meeting_id: int, seats) -> None:
        for i in seats:
            self.call("post", f"/meetings/{meeting_id}/check-ins", self.rep(i), 201, json={})

    def preparatory(self, meeting_id: int, presidium, expect: int = 200, scrutineers=(20, 21, 22),
                    votes_for: int = 50) -> dict:
        return self.call("post", f"/meetings/{meeting_id}/session/preparatory", self.chair, expect, json={
            "presidium": [self.seat[i] for i in presidium], "scrutineers": [self.seat[i] for i in scrutineers],
            "agenda_approved": True, "votes_for": votes_for, "votes_against": 2, "abstentions": 1}).get_json()

    def vote(self, matter_id: int, yes: range, no: range = range(0)) -> dict:
        vote = self.open(matter_id)
        self.cast(vote["id"], {"for": yes, "against": no})
        return self.close(vote["id"])["result"]
