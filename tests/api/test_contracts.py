"""The collective-contract API end to end: a wage agreement from request to publication, a comprehensive contract
whose reply deadline passes, and the 422 refusals that name their article and change nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from engine.worker import run_once
from workflows.congress import meetings

from conftest import bundled_files
from helpers.congress import CHAIR, convened_meeting
from helpers.roundtrip import assert_round_trip

API = "/api/v1/contracts"
CONGRESS = "/api/v1/congress"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def local(day: str, time: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}:00+08:00").astimezone(dt.UTC)


def members(side: str, n: int = 3) -> list[dict]:
    first = {"name": f"{side}首席", "person_id": f"{side[0].upper()}001", "username": f"chief_{side}",
             "gender": "female", "is_chief": True,
             "credential": "union_chair" if side == "union" else "legal_representative"}
    return [first] + [{"name": f"{side}代表{i}", "person_id": f"{side[0].upper()}{i:03d}"} for i in range(2, n + 1)]


class Http:
    """The API as each party sees it: both chiefs, the recorder, the presidium, the liaison, an auditor."""

    def __init__(self, client, users, services, clock):
        self.client, self.users, self.services, self.clock = client, users, services, clock
        self.union = users.headers("chief_union", "union_negotiator")
        self.employer = users.headers("chief_employer", "employer_negotiator")
        self.recorder = users.headers("recorder1", "recorder")
        self.presidium = users.headers("presidium1", "presidium")
        self.liaison = users.headers("liaison1", "liaison")
        self.auditor = users.headers("auditor1", "auditor")
        self.admin = users.headers("admin1", "admin")
        self.id: int | None = None
        self.instance_id: str | None = None

    def call(self, method: str, path: str, headers: dict, expect: int | None = None, **kw):
        response = getattr(self.client, method)(path, headers=headers, **kw)
        if expect is not None:
            assert response.status_code == expect, response.get_data(as_text=True)
        if self.instance_id and method != "get" and response.status_code < 300:
            assert_round_trip(self.services, self.instance_id)  # every step persists and reloads unchanged
        return response

    def contract(self, path: str = "", method: str = "get", headers: dict | None = None, expect: int = 200,
                 **kw) -> dict:
        return self.call(method, f"{API}/{self.id}{path}", headers or self.auditor, expect, **kw).get_json()

    def today(self) -> str:
        return self.clock.now().astimezone(SHANGHAI).date().isoformat()

    def task(self, element_id: str, headers: dict) -> str:
        instance = self.contract()["instance_id"]
        tasks = self.call("get", f"/api/v1/tasks?instance={instance}", headers, 200).get_json()["items"]
        [task] = [t for t in tasks if t["element_id"] == element_id]
        return task["id"]

    def complete(self, element_id: str, headers: dict, data: dict, expect: int = 200) -> dict:
        return self.call("post", f"/api/v1/tasks/{self.task(element_id, headers)}/complete", headers, expect,
                         json={"data": data}).get_json()

    def request(self, kind: str, headers: dict, **body) -> dict:
        data = {"kind": kind, "title": "2026年度工资专项集体合同", "enterprise": "华东机械制造有限公司",
                "union_name": "华东机械制造有限公司工会", "topics": ["年度工资调整"],
                "text": "依据《集体合同规定》第三十二条，书面提出工资集体协商要求。", "term_years": 1, **body}
        created = self.call("post", API, headers, 201, json=data).get_json()
        self.id, self.instance_id = created["id"], created["instance_id"]
        assert_round_trip(self.services, self.instance_id)
        return created

    def worker(self, moment: dt.datetime) -> list[str]:
        self.clock.set(moment)
        fired = run_once(self.services.uow).timers_fired
        assert_round_trip(self.services, self.instance_id)
        return fired

    def meeting(self, chair: str, outcome: str = "continue", **extra) -> dict:
        body = {"held_on": self.today(), "place": "工会会议室", "chair_side": chair,
                "union_position": "工资增长8%", "employer_position": "工资增长3%", "minutes": "双方陈述并讨论",
                "outcome": outcome, **extra}
        meeting = self.contract("/meetings", "post", self.recorder, 201, json=body)
        for chief in (self.union, self.employer):
            self.contract(f"/meetings/{meeting['number']}/sign", "post", chief)
        return meeting

    def draft(self, *texts: str, headers: dict | None = None) -> int:
        clauses = [{"title": title, "text": text} for title, text in zip(("工资调整", "支付时间", "加班工资"), texts,
                                                                         strict=False)]
        return self.contract("/drafts", "post", headers or self.union, 201, json={"clauses": clauses})["version"]

    def agree(self, version: int) -> None:
        for chief in (self.union, self.employer):
            self.contract(f"/drafts/{version}/agree", "post", chief)

    def sign(self) -> None:
        for chief in (self.union, self.employer):
            self.contract("/signatures", "post", chief, 201)

    def file(self) -> dict:
        return self.contract("/filings", "post", self.employer, 201, json={
            "legal_status": [{"party": "employer", "document": "营业执照", "number": "91310000MA1X"},
                             {"party": "union", "document": "工会法人资格证书", "number": "工法证沪0001"}],
            "representatives_statement": "工会方代表由工会委员会选派，用人单位方代表由法定代表人书面指派。",
            "negotiation_statement": "经三次协商会议，双方就工资调整达成一致。",
            "wage_information": {"last_year_average_wage": 86400, "adjustment_ratio": 5.0, "headcount": 320}})

    def congress(self, seats: int = 10) -> int:
        """A convened congress of `seats` (rep01..) with everyone checked in (tests/helpers/congress.py); the matter."""
        ids = convened_meeting(self.services, seats, present=seats, headcount=seats, women_count=3, managers=0,
                               women=seats // 3, usernames=lambda i: f"rep{i:02d}", name="华东机械制造有限公司",
                               held_on=dt.date.fromisoformat(self.today()))
        return meetings.add_matter(self.services.uow(), ids["meeting_id"], matter_type="wage_agreement",
                                   title="2026年度工资专项集体合同（草案）", actor=CHAIR).id

    def rep(self, i: int) -> dict:
        return self.users.headers(f"rep{i:02d}", "representative")


@pytest.fixture
def http(client, users, services, clock, deploy) -> Http:
    assert deploy(bundled_files("contracts")).status_code == 201
    return Http(client, users, services, clock)


def test_wage_agreement_from_request_to_publication_to_all_workers_art48(http, clock):
    h = http
    clock.set(local("2026-03-02", "09:00"))
    created = h.request("wage", h.union)
    assert (created["stage"], created["requesting_side"], created["deadlines"]["reply"]["last_day"]) == \
        ("requested", "union", "2026-03-23")  # 03-22 is a Sunday: the last day moves to Monday
    h.complete("employer_reply", h.employer, {"reply_decision": "accept", "reply_text": "同意于3月9日开始协商",
                                              "proposed_first_meeting_on": "2026-03-09"})

    # Representatives (第19–24条) and preparation (第33条): data supplied 7 days before the first meeting.
    h.contract("/representatives/union", "put", h.union, json={"members": members("union")})
    h.contract("/representatives/employer", "put", h.employer, json={"members": members("employer")})
    h.contract("/representatives/confirm", "post", h.employer)
    h.contract("/preparation", "put", h.union, json={
        "topics": ["年度工资调整", "加班工资"], "first_meeting_on": "2026-03-09", "place": "工会会议室",
        "recorder": {"name": "中立记录员", "person_id": "X900", "username": "recorder1"},
        "info_supplied_on": "2026-03-02", "information": ["上年度工资总额", "人工成本"]})
    assert h.contract("/preparation/confirm", "post", h.employer)["stage"] == "negotiating"

    # Meeting 1 (chaired by the requesting side) ends in an agreed suspension (第35条).
    clock.set(local("2026-03-09", "17:00"))
    v1 = h.draft("2026年职工平均工资增长8%。", "每月10日前支付工资。")
    h.meeting("union", "suspended", resume_on="2026-03-16")
    assert h.contract()["stage"] == "suspended"
    assert h.worker(local("2026-03-16", "00:05")) == [h.contract()["instance_id"]]
    assert h.contract()["stage"] == "negotiating"

    # Meeting 2 (the other chief chairs), a second version and its clause-by-clause diff.
    clock.set(local("2026-03-16", "17:00"))
    h.meeting("employer")
    v2 = h.draft("2026年职工平均工资增长5%。", "每月10日前支付工资。", "加班工资按国家规定支付。", headers=h.employer)
    diff = h.call("get", f"{API}/{h.id}/drafts/diff?from={v1}&to={v2}", h.recorder, 200).get_json()
    assert diff["summary"] == {"added": 1, "removed": 0, "changed": 1, "unchanged": 1}
    changed = diff["clauses"][0]
    assert changed["status"] == "changed" and {"op": "replace", "old": "8", "new": "5"} in changed["changes"]
    assert "- 2026年职工平均工资增长8%。" in diff["text"] and "+ 2026年职工平均工资增长5%。" in diff["text"]
    h.agree(v2)
    assert h.contract()["stage"] == "agreed"

    # Adoption by the workers' congress (第36条): secret ballot, 2/3 present, at least half of all in favour.
    matter = h.congress(10)
    h.complete("submit_to_congress", h.presidium, {"matter_id": matter})
    vote_id = h.contract()["vote_id"]
    vote = h.call("get", f"{CONGRESS}/votes/{vote_id}", h.auditor, 200).get_json()
    assert (vote["kind"], vote["result"]["rule"], vote["result"]["quorum_required"],
            vote["result"]["votes_required"]) == ("secret", "at_least_half_of_all_seated", 7, 5)
    for i in range(1, 10):
        h.call("post", f"{CONGRESS}/votes/{vote_id}/ballots", h.rep(i), 201, json={"choice": "for" if i <= 7
                                                                                      else "against"})
    h.call("post", f"{CONGRESS}/votes/{vote_id}/close", h.presidium, 200, json={})
    adopted = h.contract()
    assert adopted["stage"] == "signing" and adopted["adoption"]["result"]["for"] == 7
    assert dt.datetime.fromisoformat(adopted["adoption"]["closed_at"]).utcoffset() is not None

    # Signature (第37条) and filing within 7 days for a wage agreement (第42条).
    h.sign()
    signed = h.contract()
    assert signed["deadlines"]["filing"]["last_day"] == "2026-03-23"
    assert all(dt.datetime.fromisoformat(x["signed_at"]).utcoffset() is not None for x in signed["sign_offs"])
    first = h.file()
    package = h.call("get", f"{API}/{h.id}/filings/1/package", h.liaison, 200).get_json()
    assert hashlib.sha256(json.dumps(package, ensure_ascii=False, sort_keys=True).encode()).hexdigest() \
        == first["sha256"]
    page = h.call("get", f"{API}/{h.id}/filings/1/package.html", h.liaison, 200).get_data(as_text=True)
    assert first["sha256"] in page and "2026年职工平均工资增长5%" in page

    # Review: an objection arrives as a message (第45条); the objected clause is renegotiated and re-filed (第46条).
    early = h.complete("register_receipt", h.liaison, {"received_on": "2026-03-15"}, expect=422)
    assert "receipt_after_filing" in early["errors"]["rule"] and "第47条" in early["message"]
    h.complete("register_receipt", h.liaison, {"received_on": h.today(), "receipt_no": "沪人社备〔2026〕12号"})
    sent = h.call("post", "/api/v1/messages", h.liaison, 200, json={
        "name": "contract.objection_received", "correlation": {"contract_id": h.id},
        "data": {"clauses": [2], "opinion": "工资支付时间应明确为每月固定日期", "issued_on": h.today(),
                 "document_no": "沪人社审〔2026〕3号"}})
    assert sent.get_json()["delivered"] == [h.contract()["instance_id"]]
    assert h.contract()["stage"] == "negotiating"
    clock.set(local("2026-03-19", "17:00"))
    h.meeting("union")
    v3 = h.draft("2026年职工平均工资增长5%。", "每月10日支付工资，遇节假日提前支付。", "加班工资按国家规定支付。")
    h.agree(v3)
    assert h.contract()["stage"] == "signing"
    h.sign()
    second = h.file()
    assert (second["number"], second["draft_version"]) == (2, v3)

    # No objection within 15 days of receipt: effective (第47条); published within 5 days (第48条, wage).
    clock.set(local("2026-03-20", "09:00"))
    h.complete("register_receipt", h.liaison, {"received_on": "2026-03-20"})
    assert h.contract()["deadlines"]["review"]["last_day"] == "2026-04-07"  # 04-04..06 清明 moves it
    assert h.worker(local("2026-04-07", "23:00")) == []
    h.worker(local("2026-04-08", "00:05"))
    effective = h.contract()
    assert effective["stage"] == "effective" and effective["expires_on"] == "2027-04-07"
    h.call("get", f"{API}/{h.id}/notice", h.users.headers("worker1"), 404)  # nothing published yet
    h.complete("publish", h.union, {"channels": ["notice_board", "intranet"], "published_on": "2026-04-08"})
    published = h.contract()
    worker = h.users.headers("worker1")  # 第48条: 向全体职工公布 — any signed-in worker reads the notice
    notice = h.call("get", f"{API}/{h.id}/notice", worker, 200).get_data(as_text=True)
    assert hashlib.sha256(notice.encode()).hexdigest() == published["notice_sha256"]
    assert "每月10日支付工资，遇节假日提前支付。" in notice and published["stage"] == "published"
    history = h.call("get", f"/api/v1/instances/{published['instance_id']}/history", h.auditor, 200).get_json()
    kinds = [e["type"] for e in history]
    assert kinds.count("contract.filing_package") == 2 and "contract.notice_published" in kinds
    assert "message.received" in kinds and "timer.fired" in kinds
    assert h.call("get", "/api/v1/audit/verify", h.auditor, 200).get_json()["ok"] is True


def test_comprehensive_contract_whose_reply_deadline_passes(http, clock):
    h = http
    clock.set(local("2026-03-04"))
    created = h.request("comprehensive", h.employer, title="2026—2028年集体合同", term_years=3)
    assert created["deadlines"]["reply"] == {"due": "2026-03-24T16:00:00+00:00", "last_day": "2026-03-24",
                                             "confirmed": True}
    [row] = h.call("get", f"/api/v1/tasks?instance={created['instance_id']}", h.union, 200).get_json()["items"]
    assert row["element_id"] == "union_reply"  # the row says which contract it belongs to
    assert (row["case_title"], row["business_key"]) == ("集体合同 2026—2028年集体合同", f"contract:{h.id}")
    assert h.worker(local("2026-03-24", "23:59")) == []
    assert h.worker(local("2026-03-25", "00:01")) == [created["instance_id"]]
    escalated = h.contract()
    assert escalated["stage"] == "escalated" and escalated["reply"]["overdue"] is True
    assert (created["next_by"], escalated["next_by"]) == ("other_side", "liaison")  # who acts next
    h.complete("escalate", h.liaison, {"authority": "upper_union", "escalation_outcome": "negotiate",
                                       "decided_on": "2026-03-26", "escalation_notes": "上级工会督促工会回应"},
               expect=422)  # the decision cannot be dated in the future
    h.complete("escalate", h.liaison, {"authority": "upper_union", "escalation_outcome": "negotiate",
                                       "decided_on": "2026-03-25", "escalation_notes": "上级工会督促工会回应"})
    assert h.contract()["stage"] == "representatives"
    history = h.call("get", f"/api/v1/instances/{created['instance_id']}/history", h.auditor, 200).get_json()
    assert [e["payload"].get("element_id") for e in history if e["type"] == "timer.fired"] == ["union_reply_overdue"]


def violation(response, rule: str, article: str) -> dict:
    body = response.get_json()
    assert response.status_code == 422, body
    assert body["code"] == 422 and rule in body["errors"]["rule"], body
    assert article in body["message"] and any(article in a for a in body["errors"]["article"])
    return body


def test_bad_input_is_422_naming_the_article_and_changes_nothing(http, clock):
    h = http
    bad_term = h.call("post", API, h.union, json={"kind": "comprehensive", "title": "合同", "enterprise": "甲",
                                                  "union_name": "甲工会", "topics": ["工资"], "text": "要求协商",
                                                  "term_years": 4})
    violation(bad_term, "contract_term_years", "第38条")
    assert h.call("get", API, h.auditor, 200).get_json() == []
    h.request("comprehensive", h.union, term_years=2)
    h.complete("employer_reply", h.employer, {"reply_decision": "accept", "reply_text": "同意"})
    before = h.contract()
    outside_chief = [{**members("union")[0], "outside_expert": True}, *members("union", 6)[1:]]
    for side, headers, listed, rule, article in (
            ("union", h.union, members("union", 2), "negotiators_min_per_side", "第19条"),
            ("union", h.union, outside_chief, "outside_expert_not_chief", "第23条"),
            ("union", h.union, [*members("union", 4)[:2], *({**m, "outside_expert": True}
                                                            for m in members("union", 4)[2:])],
             "outside_experts_max_share", "第23条")):
        violation(h.call("put", f"{API}/{h.id}/representatives/{side}", headers, json={"members": listed}), rule,
                  article)
    h.contract("/representatives/union", "put", h.union, json={"members": members("union", 4)})
    both = [*members("employer", 3), {**members("union", 4)[3], "name": "兼任者"}]
    violation(h.call("put", f"{API}/{h.id}/representatives/employer", h.employer, json={"members": both}),
              "no_dual_roles", "第24条")
    h.contract("/representatives/employer", "put", h.employer, json={"members": members("employer", 3)})
    violation(h.call("post", f"{API}/{h.id}/representatives/confirm", h.employer), "negotiators_equal", "第19条")
    after = h.contract()
    assert after["stage"] == before["stage"] == "representatives"
    assert [n["person_id"] for n in after["negotiators"] if n["side"] == "employer"] == ["E001", "E002", "E003"]
    violation(h.call("post", f"{API}/{h.id}/signatures", h.union), "adoption_before_signature", "第37条")
    violation(h.call("post", f"{API}/{h.id}/filings", h.employer, json={}), "signature_before_filing", "第42条")
    assert h.contract()["sign_offs"] == [] and h.contract()["filings"] == []


def test_roles_and_reading(http):
    h = http
    h.request("women", h.union, title="女职工权益保护专项集体合同")
    body = {"kind": "wage", "title": "合同", "enterprise": "甲", "union_name": "甲工会", "topics": ["工资"],
            "text": "要求协商", "term_years": 1}
    assert h.call("post", API, h.auditor, json=body).status_code == 403
    assert h.call("post", f"{API}/{h.id}/representatives/confirm", h.recorder).status_code == 403
    assert h.call("put", f"{API}/{h.id}/representatives/union", h.employer,
                  json={"members": members("union")}).status_code == 403
    assert h.call("put", f"{API}/{h.id}/representatives/nobody", h.union,
                  json={"members": members("union")}).status_code == 404
    assert h.call("get", f"{API}/999", h.auditor).status_code == 404
    listed = h.call("get", f"{API}?kind=women", h.liaison, 200).get_json()
    assert [c["id"] for c in listed] == [h.id] and listed[0]["kind_name"] == "女职工权益保护专项集体合同"


def test_women_contract_draft_starts_from_the_clause_library(http):
    h = http
    library = h.call("get", f"{API}/clause-library?kind=women", h.union, 200).get_json()
    assert len(library) == 11 and {c["title"] for c in library} >= {"产期保护", "哺乳期保护", "健康检查"}
    assert h.call("get", f"{API}/clause-library?kind=wage", h.union, 200).get_json() == []
    h.request("women", h.union, title="女职工权益保护专项集体合同")
    h.complete("employer_reply", h.employer, {"reply_decision": "accept", "reply_text": "同意"})
    h.contract("/representatives/union", "put", h.union, json={"members": members("union")})
    h.contract("/representatives/employer", "put", h.employer, json={"members": members("employer")})
    h.contract("/representatives/confirm", "post", h.union)
    draft = h.contract("/drafts", "post", h.union, 201, json={"from_library": True, "note": "以条款库为起点"})
    assert [c["title"] for c in draft["clauses"]] == [c["title"] for c in library]


def test_submitting_a_wrong_matter_to_the_congress_is_refused_before_the_task_completes(http, clock):
    h = http
    h.request("wage", h.union)
    h.complete("employer_reply", h.employer, {"reply_decision": "accept", "reply_text": "同意"})
    for side, headers in (("union", h.union), ("employer", h.employer)):
        h.contract(f"/representatives/{side}", "put", headers, json={"members": members(side)})
    h.contract("/representatives/confirm", "post", h.union)
    h.contract("/preparation", "put", h.employer, json={
        "topics": ["工资"], "first_meeting_on": "2026-03-09", "place": "会议室", "info_supplied_on": "2026-03-02",
        "recorder": {"name": "记录员", "person_id": "X1", "username": "recorder1"}})
    h.contract("/preparation/confirm", "post", h.union)
    clock.set(local("2026-03-09", "18:00"))
    h.meeting("union")
    h.agree(h.draft("工资增长5%。"))
    h.complete("submit_to_congress", h.presidium, {"matter_id": 4242}, expect=404)
    assert h.contract()["stage"] == "agreed" and h.contract()["failed_vote_attempts"] == 0
