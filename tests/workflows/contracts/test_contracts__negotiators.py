"""One test per statutory rule of collective contract negotiation (集体合同规定), named after its article.

Each test drives a real ``collective_contract`` instance through the domain services on SQLite (and
PostgreSQL when configured); timers fire because the injectable clock is moved and the worker run.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from engine import deployments, queries, runtime
from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.identity import Actor
from engine.messages import send_message
from engine.models import AuditEvent
from engine.worker import run_once
from workflows.catalog import read_folder
from workflows.congress import ballots, meetings, roster, roster_import, tally
from workflows.contracts import drafts as contract_drafts
from workflows.contracts import filing as contract_filing
from workflows.contracts import negotiators as contract_negotiators
from workflows.contracts import record as contracts
from workflows.contracts import request
from workflows.contracts.tables import Contract
from workflows.errors import RuleViolation

from conftest import ROOT

ADMIN = Actor("admin", frozenset({"admin"}))
UNION = Actor("chief_u", frozenset({"union_negotiator"}))
EMPLOYER = Actor("chief_e", frozenset({"employer_negotiator"}))
RECORDER = Actor("recorder1", frozenset({"recorder"}))
PRESIDIUM = Actor("presidium1", frozenset({"presidium"}))
LIAISON = Actor("liaison1", frozenset({"liaison"}))
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def local(day: str, time: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}:00+08:00").astimezone(dt.UTC)


def side(name: str, n: int = 3, *, chief: dict | None = None, outsiders: int = 0, prefix: str | None = None,
         women: bool = True) -> list[dict]:
    """n representatives of one side: a chief with standing, then members (the last `outsiders` outside)."""
    prefix = prefix or name[0].upper()
    credential = "union_chair" if name == "union" else "legal_representative"
    members = [{"name": f"{prefix}首席", "person_id": f"{prefix}001", "username": f"chief_{name[0]}",
                "gender": "female" if women else "male", "is_chief": True, "credential": credential, **(chief or {})}]
    for i in range(2, n + 1):
        members.append({"name": f"{prefix}代表{i}", "person_id": f"{prefix}{i:03d}", "is_chief": False,
                        "credential": "member", "gender": "male", "outside_expert": i > n - outsiders})
    return members


class Deal:
    """One negotiation driven through the domain services, with the engine's worker for timers."""

    def __init__(self, services, clock):
        self.s, self.clock = services, clock
        deployments.deploy(services.uow(), read_folder(ROOT / "bpmn" / "contracts"), actor=ADMIN)
        self.id: int | None = None

    # -- reading --
    @property
    def contract(self) -> Contract:
        return contracts.get_contract_record(self.s.uow(readonly=True), self.id)

    def detail(self) -> dict:
        return contracts.detail(self.s.uow(readonly=True), self.id)

    def instance(self) -> dict:
        return queries.get_instance(self.s.uow(readonly=True), self.contract.instance_id)

    def ready(self) -> list[str]:
        return sorted(t["element_id"] for t in self.instance()["ready_tasks"])

    def events(self, prefix: str = "contract.") -> list[str]:
        with (uow := self.s.uow(readonly=True)):
            return [e.event_type for e in uow.session.scalars(
                select(AuditEvent).where(AuditEvent.instance_id == self.contract.instance_id)
                .order_by(AuditEvent.seq)) if e.event_type.startswith(prefix)]

    # -- acting --
    def complete(self, element_id: str, data: dict, actor: Actor) -> None:
        [task] = [t for t in self.instance()["ready_tasks"] if t["element_id"] == element_id]
        runtime.complete_task(self.s.uow(), task["id"], data, actor=actor)

    def fire(self, **advance) -> list[str]:
        if advance:
            self.clock.advance(**advance)
        return run_once(self.s.uow).timers_fired

    def at(self, moment: dt.datetime) -> list[str]:
        self.clock.set(moment)
        return run_once(self.s.uow).timers_fired

    def request(self, kind: str = "comprehensive", *, by: Actor = UNION, term_years: int = 3, **body) -> Deal:
        data = {"kind": kind, "title": "2026年度集体合同", "enterprise": "华东机械制造有限公司",
                "union_name": "华东机械制造有限公司工会", "topics": ["劳动报酬", "工作时间"],
                "text": "根据《集体合同规定》第三十二条，提出集体协商要求。", "term_years": term_years, **body}
        self.id = request.request_negotiation(self.s.uow(), data, actor=by, rules=self.s.rules,
                                                timezone="Asia/Shanghai",
                                                adoption_majority=body.pop("adoption_majority", "at_least_half")).id
        return self

    def reply(self, decision: str = "accept", **extra) -> None:
        element, actor = (("employer_reply", EMPLOYER) if self.contract.requesting_side == "union"
                          else ("union_reply", UNION))
        self.complete(element, {"reply_decision": decision, "reply_text": "书面回应", **extra}, actor)

    def representatives(self, union: list[dict] | None = None, employer: list[dict] | None = None) -> None:
        contract_negotiators.set_side(self.s.uow(), self.id, "union", union or side("union"), actor=UNION,
                                      rules=self.s.rules)
        contract_negotiators.set_side(self.s.uow(), self.id, "employer", employer or side("employer"),
                                      actor=EMPLOYER, rules=self.s.rules)
        contract_negotiators.confirm(self.s.uow(), self.id, actor=UNION, rules=self.s.rules)

    def prepare(self, first_meeting_on: str = "2026-03-20", info_supplied_on: str | None = "2026-03-10") -> None:
        body = {"topics": ["工资调整"], "first_meeting_on": dt.date.fromisoformat(first_meeting_on), "place": "会议室",
                "recorder": {"name": "记录员", "person_id": "X900", "username": RECORDER.username},
                "info_supplied_on": info_supplied_on, "information": ["上年度工资总额"]}
        contract_negotiators.propose_preparation(self.s.uow(), self.id, body, actor=UNION, rules=self.s.rules)
        contract_negotiators.confirm_preparation(self.s.uow(), self.id, actor=EMPLOYER)

    def start_negotiating(self, kind: str = "comprehensive", **request) -> Deal:
        self.request(kind, **request)
        self.reply()
        self.representatives()
        self.prepare()
        return self

    def meeting(self, chair: str | None = None, *, held_on: str = "2026-03-20", outcome: str = "continue",
                resume_on: str | None = None, sign: bool = True):
        if self.clock.now() < local(held_on, "18:00"):
            self.clock.set(local(held_on, "18:00"))
        count = len(self.detail()["meetings"])
        chair = chair or (self.contract.requesting_side if count % 2 == 0 else
                          ("employer" if self.contract.requesting_side == "union" else "union"))
        body = {"held_on": dt.date.fromisoformat(held_on), "place": "会议室", "chair_side": chair,
                "union_position": "工资增长8%", "employer_position": "工资增长3%", "minutes": "双方陈述意见",
                "outcome": outcome, "resume_on": dt.date.fromisoformat(resume_on) if resume_on else None}
        meeting = contract_drafts.record_meeting(self.s.uow(), self.id, body, actor=RECORDER, rules=self.s.rules)
        if sign:
            for chief in (UNION, EMPLOYER):
                contract_drafts.sign_minutes(self.s.uow(), self.id, meeting.number, actor=chief)
        return meeting

    def draft(self, *texts: str) -> int:
        clauses = [{"title": f"条款{i}", "text": t} for i, t in enumerate(texts or ("工资每年增长5%。",), start=1)]
        return contract_drafts.add_draft(self.s.uow(), self.id, clauses=clauses, note=None, actor=UNION).version

    def agree(self, version: int | None = None) -> None:
        version = version or self.draft()
        for chief in (UNION, EMPLOYER):
            contract_drafts.agree(self.s.uow(), self.id, version, actor=chief)

    def negotiate_to_agreement(self, kind: str = "comprehensive", **request) -> Deal:
        self.start_negotiating(kind, **request)
        self.meeting()
        self.agree()
        return self

    def congress(self, seated: int = 10, present: int = 10) -> int:
        """A convened congress of `seated` representatives, `present` checked in; returns the contract's matter."""
        uow = self.s.uow
        org = roster.create_organisation(uow(), name=f"华东机械{self.id}", headcount=seated, women_count=0,
                                         dispatched_count=0, actor=ADMIN)
        term = roster.create_term(uow(), org.id, number=1, starts_on=dt.date(2026, 1, 1),
                                  ends_on=dt.date(2030, 12, 31), actor=ADMIN)
        reps = [roster_import.add_representative(uow(), term.id, {
            "name": f"代表{i}", "employee_no": f"C{self.id}-{i}", "delegation": "一车间", "category": "frontline",
            "gender": "男", "elected_on": "2026-01-05"}, actor=ADMIN) for i in range(seated)]
        held_on = self.clock.now().astimezone(SHANGHAI).date()
        meeting = meetings.create_meeting(uow(), term.id, session_number=1, held_on=held_on, rules=self.s.rules,
                                          actor=PRESIDIUM)
        meetings.convene(uow(), meeting.id, rules=self.s.rules, actor=PRESIDIUM)
        for rep in reps[:present]:
            meetings.check_in(uow(), meeting.id, actor=PRESIDIUM, representative_id=rep.id)
        return meetings.add_matter(uow(), meeting.id, matter_type=contracts.MATTER_TYPES[self.contract.kind],
                                   title=self.contract.title, actor=PRESIDIUM).id

    def vote(self, matter_id: int, in_favour: int, present: int | None = None) -> dict:
        """Submit the draft and hold a paper vote with `in_favour` votes for; returns the adoption record."""
        self.complete("submit_to_congress", {"matter_id": matter_id, "paper_vote": True}, PRESIDIUM)
        contract = self.contract
        if contract.vote_id is None or contract.stage != "adoption":
            return {"opened": False}
        vote = ballots.get_vote(self.s.uow(readonly=True), contract.vote_id)
        cast = present or vote.present
        tally.close_vote(self.s.uow(), vote.id, rules=self.s.rules, actor=PRESIDIUM, totals={
            "ballots_issued": cast, "ballots_cast": cast, "valid": cast, "for": in_favour,
            "against": cast - in_favour, "abstain": 0})
        return json.loads(self.contract.adoption_json)

    def adopt(self, kind: str = "comprehensive", **request) -> Deal:
        self.negotiate_to_agreement(kind, **request)
        self.vote(self.congress(), 8)
        return self

    def sign(self) -> None:
        for chief in (UNION, EMPLOYER):
            request.sign(self.s.uow(), self.id, actor=chief)

    def filing_body(self) -> dict:
        body = {"legal_status": [{"party": "employer", "document": "营业执照", "number": "91310000X"},
                                 {"party": "union", "document": "工会法人资格证书", "number": "工法证0001"}],
                "representatives_statement": "工会方代表由工会选派，用人单位方代表由法定代表人指派。",
                "negotiation_statement": "双方经协商会议达成一致。"}
        if self.contract.kind == "wage":
            body["wage_information"] = {"last_year_average_wage": 86000, "adjustment_ratio": 5.0, "headcount": 320}
        if self.contract.kind == "women":
            body["women_statement"] = "女职工权益保护情况说明。"
        return body

    def file(self, **override):
        return contract_filing.file_contract(self.s.uow(), self.id, {**self.filing_body(), **override},
                                             actor=EMPLOYER)

    def receive(self, day: str | None = None) -> None:
        day = day or self.clock.now().astimezone(SHANGHAI).date().isoformat()
        self.complete("register_receipt", {"received_on": day, "receipt_no": "人社备2026-001"}, LIAISON)

    def signed_and_filed(self, kind: str = "comprehensive", **request) -> Deal:
        self.adopt(kind, **request)
        self.sign()
        self.file()
        return self

    def object(self, clauses: list[int]) -> None:
        send_message(self.s.uow(), "contract.objection_received", {"contract_id": self.id},
                     {"clauses": clauses, "opinion": "第1条违反最低工资规定", "issued_on": "2026-04-10",
                      "document_no": "人社审〔2026〕7号"}, actor=LIAISON)


@pytest.fixture
def deal(services, clock) -> Deal:
    deal = Deal(services, clock)
    yield deal
    if deal.id is not None:  # no test may leave its instance with an incident (a failed script or handler)
        assert deal.instance()["incidents"] == [] and deal.instance()["status"] != "error"


def check(excinfo, rule: str, article: str) -> None:
    assert rule in excinfo.value.errors["rule"]
    assert any(article in a for a in excinfo.value.errors["article"]), excinfo.value.errors


# ---------------------------------------------------------------- request and reply (第32条, 第56条)

def test_reply_deadline_is_20_days_art32(deal, clock):
    clock.set(local("2026-03-04"))
    deal.request()
    assert deal.ready() == ["employer_reply"]
    assert deal.detail()["deadlines"]["reply"]["last_day"] == "2026-03-24"
    assert deal.at(local("2026-03-24", "23:59")) == []
    assert deal.ready() == ["employer_reply"]
    assert deal.at(local("2026-03-25", "00:01")) == [deal.contract.instance_id]
    assert deal.ready() == ["escalate"]
    contract = deal.detail()
    assert contract["stage"] == "escalated" and contract["reply"]["overdue"] is True
    assert "contract.reply_overdue" in deal.events()


def test_reply_in_time_cancels_the_deadline_art32(deal, clock):
    deal.request()
    deal.reply()
    assert deal.contract.stage == "representatives"
    assert deal.fire(days=40) == []


def test_refusal_without_good_reason_is_escalated_art32(deal):
    deal.request(by=EMPLOYER)
    with pytest.raises(ValidationFailed):  # a refusal states its reason (form schema)
        deal.reply("refuse")
    deal.reply("refuse", refusal_reason="经营困难")
    assert deal.ready() == ["escalate"]
    deal.complete("escalate", {"authority": "labour_administration", "escalation_outcome": "negotiate",
                               "decided_on": "2026-03-02", "escalation_notes": "理由不成立，责令协商"}, LIAISON)
    contract = deal.detail()
    assert contract["stage"] == "representatives"
    assert contract["escalation"] == {"ground": "refused", "authority": "labour_administration", "outcome": "negotiate",
                                      "notes": "理由不成立，责令协商", "decided_on": "2026-03-02"}


def test_justified_refusal_closes_the_matter_art56(deal):
    deal.request()
    deal.reply("refuse", refusal_reason="企业已破产清算")
    deal.complete("escalate", {"authority": "upper_union", "escalation_outcome": "closed",
                               "decided_on": "2026-03-02"}, LIAISON)
    assert deal.contract.stage == "closed" and deal.instance()["status"] == "completed"


def test_term_is_one_to_three_years_art38(deal, services):
    for years in (0, 4):
        with pytest.raises(RuleViolation) as exc:
            deal.request(term_years=years)
        check(exc, "contract_term_years", "第38条")
    with (uow := services.uow(readonly=True)):
        assert uow.session.scalar(select(func.count()).select_from(Contract)) == 0
    assert deal.request(term_years=1).contract.term_years == 1


# ---------------------------------------------------------------- representatives (第19–24、31条)

def refused(deal, union: list[dict], employer: list[dict], rule: str, article: str) -> None:
    deal.request()
    deal.reply()
    with pytest.raises(RuleViolation) as exc:
        deal.representatives(union, employer)
    check(exc, rule, article)
    assert deal.contract.stage == "representatives" and deal.contract.representatives_confirmed_at is None


def test_each_side_needs_at_least_three_representatives_art19(deal):
    refused(deal, side("union", 2), side("employer", 2), "negotiators_min_per_side", "第19条")


def test_each_side_has_exactly_one_chief_art19(deal):
    refused(deal, side("union", 3, chief={"is_chief": False}), side("employer"), "one_chief_per_side", "第19条")


def test_worker_chief_is_union_chair_or_written_delegate_art20(deal):
    refused(deal, side("union", 3, chief={"credential": "member"}), side("employer"), "worker_chief", "第20条")


def test_worker_chief_delegated_without_a_written_delegation_art20(deal):
    refused(deal, side("union", 3, chief={"credential": "written_delegation"}), side("employer"), "worker_chief",
            "第20条")


def test_employer_chief_is_legal_representative_or_written_delegate_art21(deal):
    refused(deal, side("union"), side("employer", 3, chief={"credential": "union_chair"}), "employer_chief", "第21条")


def test_written_delegate_may_be_chief_art20(deal):
    deal.request()
    deal.reply()
    delegate = {"credential": "written_delegation"}
    deal.representatives(side("union", chief={**delegate, "delegation_ref": "工会委〔2026〕1号"}),
                         side("employer", chief={**delegate, "delegation_ref": "授权书"}))
    assert deal.contract.stage == "preparation"


def test_sides_must_be_equal_in_number_art19(deal):
    deal.request()
    deal.reply()
    contract_negotiators.set_side(deal.s.uow(), deal.id, "union", side("union", 4), actor=UNION, rules=deal.s.rules)
    contract_negotiators.set_side(deal.s.uow(), deal.id, "employer", side("employer", 3), actor=EMPLOYER,
                                  rules=deal.s.rules)
    with pytest.raises(RuleViolation) as exc:
        contract_negotiators.confirm(deal.s.uow(), deal.id, actor=EMPLOYER, rules=deal.s.rules)
    check(exc, "negotiators_equal", "第19条")
    assert deal.contract.stage == "representatives" and deal.contract.representatives_confirmed_at is None


def test_outside_experts_at_most_one_third_art23(deal):
    deal.request()
    deal.reply()
    with pytest.raises(RuleViolation) as exc:
        deal.representatives(side("union", 3, outsiders=2), side("employer"))
    check(exc, "outside_experts_max_share", "第23条")
    deal.representatives(side("union", 6, outsiders=2), side("employer", 6, outsiders=2))
    assert deal.contract.stage == "preparation"


def test_outside_expert_cannot_be_chief_art23(deal):
    deal.request()
    deal.reply()
    with pytest.raises(RuleViolation) as exc:
        deal.representatives(side("union", 6, chief={"outside_expert": True}), side("employer", 6))
    check(exc, "outside_expert_not_chief", "第23条")


def test_nobody_on_both_sides_art24(deal):
    deal.request()
    deal.reply()
    union = side("union")
    employer = side("employer")
    employer[2] = {**union[1], "name": "两边都有的人"}
    with pytest.raises(RuleViolation) as exc:
        deal.representatives(union, employer)
    check(exc, "no_dual_roles", "第24条")
    assert [n["side"] for n in deal.detail()["negotiators"]] == ["union"] * 3  # the employer list was refused


def test_women_contract_includes_a_woman_negotiator_local_rule(deal):
    deal.request("women")
    deal.reply()
    with pytest.raises(RuleViolation) as exc:
        deal.representatives(side("union", women=False), side("employer"))
    check(exc, "women_negotiator", "女职工")


def test_vacancy_filled_within_15_days_art31(deal, clock):
    deal.start_negotiating()
    [seat] = [n for n in deal.detail()["negotiators"] if n["person_id"] == "E002"]
    vacancy = contract_negotiators.open_vacancy(deal.s.uow(), deal.id, seat["id"], reason="辞任",
                                                occurred_on=dt.date(2026, 3, 2), actor=EMPLOYER)
    assert deal.detail()["vacancies"][0]["last_day"] == dt.date(2026, 3, 17)
    assert deal.at(local("2026-03-17", "23:00")) == []
    assert deal.at(local("2026-03-18", "01:00")) == [deal.contract.instance_id]
    [row] = deal.detail()["vacancies"]
    assert row["overdue_at"] is not None and "contract.vacancy_overdue" in deal.events()
    contract_negotiators.fill_vacancy(deal.s.uow(), deal.id, vacancy.id, {
        "name": "新代表", "person_id": "E010", "is_chief": False, "credential": "member"}, actor=EMPLOYER,
        rules=deal.s.rules)
    assert deal.detail()["vacancies"][0]["filled_on"] == dt.date(2026, 3, 18)
    assert deal.contract.stage == "negotiating"


def test_vacancies_are_watched_one_after_another_each_with_its_own_15_days_art31(deal, clock):
    deal.start_negotiating()
    seats = {n["person_id"]: n["id"] for n in deal.detail()["negotiators"]}
    first = contract_negotiators.open_vacancy(deal.s.uow(), deal.id, seats["U003"], reason="更换",
                                              occurred_on=dt.date(2026, 3, 2), actor=UNION)
    clock.set(local("2026-03-05"))
    second = contract_negotiators.open_vacancy(deal.s.uow(), deal.id, seats["E002"], reason="辞任",
                                               occurred_on=dt.date(2026, 3, 5), actor=EMPLOYER)
    clock.set(local("2026-03-10"))
    contract_negotiators.fill_vacancy(deal.s.uow(), deal.id, first.id, {
        "name": "补选代表", "person_id": "U011", "is_chief": False, "credential": "member"}, actor=UNION,
        rules=deal.s.rules)
    vacancies = {v["id"]: v for v in deal.detail()["vacancies"]}
    assert vacancies[first.id]["last_day"] == dt.date(2026, 3, 17)
    assert vacancies[second.id]["last_day"] == dt.date(2026, 3, 20)  # handed over with its own deadline
    clock.set(local("2026-03-12"))
    contract_negotiators.fill_vacancy(deal.s.uow(), deal.id, second.id, {
        "name": "新代表", "person_id": "E011", "is_chief": False, "credential": "member"}, actor=EMPLOYER,
        rules=deal.s.rules)
    assert deal.fire(days=30) == []
    assert all(v["overdue_at"] is None for v in deal.detail()["vacancies"])
    assert "contract.vacancy_overdue" not in deal.events()


# ---------------------------------------------------------------- preparation (第33条)

def test_recorder_is_neutral_art33(deal):
    deal.request()
    deal.reply()
    deal.representatives()
    body = {"topics": ["工资"], "first_meeting_on": dt.date(2026, 3, 20), "place": "会议室",
            "recorder": {"name": "U代表2", "person_id": "U002"}}
    with pytest.raises(RuleViolation) as exc:
        contract_negotiators.propose_preparation(deal.s.uow(), deal.id, body, actor=UNION, rules=deal.s.rules)
    check(exc, "recorder_neutral", "第33条")
    contract_negotiators.propose_preparation(deal.s.uow(), deal.id, {**body, "recorder": {
        "name": "记录员", "person_id": "X900"}}, actor=UNION, rules=deal.s.rules)
    with pytest.raises(Forbidden):  # the recorder is agreed by both sides: the proposer cannot confirm alone
        contract_negotiators.confirm_preparation(deal.s.uow(), deal.id, actor=UNION)
    contract_negotiators.confirm_preparation(deal.s.uow(), deal.id, actor=EMPLOYER)
    assert deal.contract.stage == "negotiating"


def test_wage_information_supplied_5_days_before_first_meeting_art33(deal, clock):
    deal.request("wage")
    deal.reply()
    deal.representatives()
    with pytest.raises(RuleViolation) as exc:
        deal.prepare(first_meeting_on="2026-03-20", info_supplied_on="2026-03-16")
    check(exc, "wage_info_before_meeting_days", "5日")
    deal.prepare(first_meeting_on="2026-03-20", info_supplied_on="2026-03-15")
    assert deal.contract.stage == "negotiating"


# ---------------------------------------------------------------- negotiation (第34–35条, 第49–54条)

def test_chiefs_chair_meetings_in_turn_art34(deal):
    deal.start_negotiating("wage")
    with pytest.raises(RuleViolation) as exc:  # a wage negotiation's first meeting: the requesting side chairs
        deal.meeting("employer")
    check(exc, "chairs_alternate", "第34条")
    deal.meeting("union")
    with pytest.raises(RuleViolation) as exc:
        deal.meeting("union", held_on="2026-03-25")
    check(exc, "chairs_alternate", "第34条")
    assert deal.meeting("employer", held_on="2026-03-25").number == 2


def test_draft_agreed_by_both_chiefs_after_signed_minutes_art34(deal):
    deal.start_negotiating()
    version = deal.draft()
    deal.meeting(sign=False)
    with pytest.raises(RuleViolation) as exc:
        contract_drafts.agree(deal.s.uow(), deal.id, version, actor=UNION)
    check(exc, "minutes_signed", "第34条")
    for chief in (UNION, EMPLOYER):
        contract_drafts.sign_minutes(deal.s.uow(), deal.id, 1, actor=chief)
    with pytest.raises(Forbidden):  # only the chief representatives declare agreement
        contract_drafts.agree(deal.s.uow(), deal.id, version, actor=Actor("member", frozenset({"union_negotiator"})))
    contract_drafts.agree(deal.s.uow(), deal.id, version, actor=UNION)
    assert deal.contract.stage == "negotiating" and deal.ready() == []
    contract_drafts.agree(deal.s.uow(), deal.id, version, actor=EMPLOYER)
    assert deal.contract.stage == "agreed" and deal.ready() == ["submit_to_congress"]


def test_suspension_resumes_on_the_agreed_date_art35(deal, clock):
    deal.start_negotiating()
    deal.meeting(outcome="suspended", resume_on="2026-04-01", sign=False)
    contract_drafts.sign_minutes(deal.s.uow(), deal.id, 1, actor=UNION)
    assert deal.contract.stage == "negotiating"  # both sides agree a suspension: one signature is not enough
    contract_drafts.sign_minutes(deal.s.uow(), deal.id, 1, actor=EMPLOYER)
    assert deal.contract.stage == "suspended"
    with pytest.raises(Conflict):
        deal.meeting(held_on="2026-03-25")
    assert deal.at(local("2026-03-31", "23:59")) == []
    assert deal.at(local("2026-04-01", "00:01")) == [deal.contract.instance_id]
    assert deal.contract.stage == "negotiating"
    assert deal.meeting(held_on="2026-04-01").number == 2


def test_dispute_coordination_within_30_days_extendable_by_15_art52(deal, clock):
    deal.start_negotiating()
    request.apply_for_coordination(deal.s.uow(), deal.id, "工资增长幅度分歧", actor=UNION)
    assert deal.contract.stage == "dispute" and deal.ready() == ["accept_dispute"]
    clock.set(local("2026-03-05"))
    deal.complete("accept_dispute", {"accepted_on": "2026-03-05", "coordinators": ["人社局甲", "总工会乙"]}, LIAISON)
    assert deal.detail()["deadlines"]["coordination"]["last_day"] == "2026-04-07"  # 03-05 + 30 = 04-04 (清明) -> 04-07
    assert deal.at(local("2026-04-07", "23:00")) == []
    assert deal.at(local("2026-04-08", "01:00")) == [deal.contract.instance_id]
    assert deal.ready() == ["extend_coordination"]
    with pytest.raises(RuleViolation) as exc:  # the rule, not only the form, caps the extension
        deal.s.runtime.context["rules"] = type(deal.s.rules).from_mapping({"dispute_extension_days": 10})
        try:
            deal.complete("extend_coordination", {"extension_days": 12, "extension_reason": "需补充调查"}, LIAISON)
        finally:
            deal.s.runtime.context["rules"] = deal.s.rules
    check(exc, "dispute_extension_days", "第52条")
    deal.complete("extend_coordination", {"extension_days": 15, "extension_reason": "需补充调查"}, LIAISON)
    assert deal.detail()["deadlines"]["coordination"]["last_day"] == "2026-04-22"
    assert deal.at(local("2026-04-23", "01:00")) == [deal.contract.instance_id]
    assert deal.ready() == ["coordinate_late"]  # extended once only: the overdue is recorded
    assert "contract.coordination_overdue" in deal.events()
    deal.complete("coordinate_late", {"agreement_text": "工资增长4%", "agreement_signed_on": "2026-04-23",
                                      "signatories": ["人社局甲", "U首席", "E首席"]}, LIAISON)
    contract = deal.detail()
    assert contract["stage"] == "negotiating" and contract["disputes"][0]["extended_days"] == 15
    deal.meeting(held_on="2026-04-24")
    deal.agree()  # negotiation resumes and can end in agreement
    assert deal.ready() == ["submit_to_congress"]


def test_negotiation_rounds_are_capped(deal, clock):
    deal.start_negotiating()
    for n in range(contracts.MAX_ROUNDS):
        day = dt.date(2026, 3, 20) + dt.timedelta(days=2 * n)
        deal.meeting(held_on=day.isoformat(), outcome="suspended", resume_on=(day + dt.timedelta(days=1)).isoformat())
        deal.fire(days=2)
    assert deal.contract.stage == "abandoned" and deal.instance()["status"] == "completed"


# ---------------------------------------------------------------- adoption and signature (第36–37条)

def test_adoption_vote_needs_two_thirds_present_art36(deal):
    deal.negotiate_to_agreement()
    matter = deal.congress(seated=10, present=6)
    assert deal.vote(matter, 6) == {"opened": False}
    contract = deal.detail()
    assert contract["stage"] == "agreed" and contract["failed_vote_attempts"] == 1
    assert deal.ready() == ["submit_to_congress"]  # the presidium checks more representatives in and submits again
    refused = [e for e in deal.events() if e == "contract.adoption_vote_refused"]
    assert refused


def test_adopted_with_at_least_half_of_all_representatives_art36(deal):
    deal.negotiate_to_agreement()
    adoption = deal.vote(deal.congress(seated=10, present=7), 5)
    assert adoption["result"]["outcome"] == "adopted" and adoption["result"]["votes_required"] == 5
    assert adoption["result"]["quorum_required"] == 7 and adoption["majority"] == "at_least_half"
    assert deal.contract.stage == "signing"


def test_strictly_more_than_half_when_configured_art36(deal):
    deal.negotiate_to_agreement(adoption_majority="more_than_half")
    adoption = deal.vote(deal.congress(seated=10, present=10), 5)
    assert adoption["result"]["outcome"] == "rejected" and adoption["result"]["votes_required"] == 6


def test_rejected_draft_returns_to_negotiation_art36(deal):
    deal.negotiate_to_agreement()
    deal.vote(deal.congress(), 3)
    assert deal.contract.stage == "negotiating" and deal.ready() == []
    deal.meeting(held_on="2026-03-25")
    deal.agree(deal.draft("工资每年增长6%。"))
    assert deal.ready() == ["submit_to_congress"]


def test_signature_before_adoption_is_refused_art37(deal):
    deal.negotiate_to_agreement()
    with pytest.raises(RuleViolation) as exc:
        request.sign(deal.s.uow(), deal.id, actor=UNION)
    check(exc, "adoption_before_signature", "第36条")
    assert deal.detail()["sign_offs"] == [s for s in deal.detail()["sign_offs"] if s["kind"] == "agreement"]
    deal.vote(deal.congress(), 8)
    with pytest.raises(Forbidden):
        request.sign(deal.s.uow(), deal.id, actor=Actor("someone", frozenset({"union_negotiator"})))
    deal.sign()
    assert deal.contract.stage == "signed" and deal.contract.signed_version == 1


# ---------------------------------------------------------------- filing and review (第42–47条)

def test_filing_before_signature_is_refused_art42(deal):
    deal.adopt()
    with pytest.raises(RuleViolation) as exc:
        deal.file()
    check(exc, "signature_before_filing", "第42条")
    deal.sign()
    with pytest.raises(Forbidden, match="第42条"):  # the employer files
        contract_filing.file_contract(deal.s.uow(), deal.id, deal.filing_body(), actor=UNION)
    assert deal.file().number == 1


def test_filing_within_10_days_reminds_then_escalates_art42(deal, clock):
    deal.adopt()
    clock.set(local("2026-03-23"))
    deal.sign()
    deadline = deal.detail()["deadlines"]["filing"]
    assert deadline["last_day"] == "2026-04-02"
    deal.at(local("2026-03-30", "23:00"))
    assert "contract.reminder" not in deal.events()
    deal.at(local("2026-03-31", "00:30"))  # three days before the deadline
    assert "contract.reminder" in deal.events() and "contract.filing_overdue" not in deal.events()
    deal.at(local("2026-04-03", "00:30"))
    assert "contract.filing_overdue" in deal.events()
    assert deal.ready() == ["supervise_filing"]
    deal.file()  # a late filing is still accepted; the overdue stays on record
    assert sorted(deal.ready()) == ["register_receipt", "supervise_filing"]


def test_wage_agreement_filed_within_7_days_art42(deal, clock):
    deal.adopt("wage")
    clock.set(local("2026-03-23"))
    deal.sign()
    assert deal.detail()["deadlines"]["filing"]["last_day"] == "2026-03-30"


def test_filing_package_holds_what_art42_and_local_rules_ask_for(deal):
    deal.adopt("wage")
    deal.sign()
    with pytest.raises(RuleViolation) as exc:
        deal.file(wage_information=None, legal_status=[])
    check(exc, "filing_package_complete", "第42条")
    assert set(exc.value.errors["missing"]) == {"wage_information", "legal_status_of_parties"}
    filing = deal.file()
    package = json.loads(filing.package_json)
    assert package["copies"] == 3 and all(package["checklist"].values())
    assert package["contract"]["clauses"][0]["text"] == "工资每年增长5%。"
    assert package["congress_resolution"]["result"]["present"] == 10
    assert package["congress_resolution"]["result"]["for"] == 8
    assert {r["side"] for r in package["representatives"]} == {"union", "employer"}
    assert {c["credential"] for c in package["chief_credentials"]} == {"union_chair", "legal_representative"}
    assert package["negotiation"]["meetings"][0]["union_signed_by"] == "chief_u"
    assert package["wage_information"]["adjustment_ratio"] == 5.0
    assert contract_filing.package_sha256(package) == filing.sha256
    with (uow := deal.s.uow(readonly=True)):
        event = uow.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "contract.filing_package"))
        assert json.loads(event.payload)["sha256"] == filing.sha256
    assert filing.sha256 in filing.package_html and "职工代表大会决议" in filing.package_html


def test_contract_effective_when_no_objection_in_15_days_art47(deal, clock):
    deal.signed_and_filed()
    clock.set(local("2026-04-01"))
    deal.receive("2026-04-01")
    assert deal.detail()["deadlines"]["review"]["last_day"] == "2026-04-16"
    assert deal.at(local("2026-04-16", "23:00")) == []
    assert deal.contract.stage == "under_review"
    assert deal.at(local("2026-04-17", "00:10")) == [deal.contract.instance_id]
    contract = deal.contract
    assert contract.stage == "effective" and contract.effective_at == local("2026-04-17", "00:00")
    assert contract.expires_on == dt.date(2029, 4, 16) and deal.ready() == ["publish"]


def test_objection_sends_clauses_back_to_negotiation_and_refiling_art46(deal, clock):
    deal.signed_and_filed()
    deal.receive()
    deal.object([1])
    contract = deal.detail()
    assert contract["stage"] == "negotiating" and contract["objections"][0]["clauses"] == [1]
    deal.meeting(held_on="2026-03-25")
    deal.agree(deal.draft("工资每年增长不低于当地最低工资调整幅度。"))
    assert deal.contract.stage == "signing"  # renegotiated objections are signed again, not re-adopted (第46条)
    deal.sign()
    refiled = deal.file()
    package = json.loads(refiled.package_json)
    assert refiled.number == 2 and package["review_objections"][0]["clauses"] == [1]
    assert package["changes_since_previous_filing"][0]["status"] == "changed"
    deal.clock.set(local("2026-03-26"))
    deal.receive()
    assert deal.at(local("2026-04-10", "23:00")) == []
    assert deal.at(local("2026-04-11", "01:00")) == [deal.contract.instance_id]
    assert deal.contract.stage == "effective"


# ---------------------------------------------------------------- publication and term (第48条, 第38条)

def effective(deal, clock, kind: str = "comprehensive") -> None:
    """Received on Wed 2026-05-06: the review's last day is 05-21, effective at 00:00 on 05-22."""
    deal.signed_and_filed(kind)
    clock.set(local("2026-05-06", "09:00"))
    deal.receive()
    deal.at(local("2026-05-22", "00:10"))
    assert deal.contract.stage == "effective"


def test_publication_within_10_days_of_effect_art48(deal, clock):
    effective(deal, clock)
    due = deal.detail()["deadlines"]["publication"]
    assert due["last_day"] == "2026-06-01"  # effective 05-22, + 10 days
    deal.at(local("2026-06-02", "01:00"))
    assert deal.events().count("contract.reminder") == 1  # the missed publication
    assert deal.ready() == ["publish"]  # the reminder does not replace the publication
    deal.complete("publish", {"channels": ["notice_board"], "published_on": "2026-06-02"}, UNION)
    contract = deal.contract
    assert contract.stage == "published" and "职工代表大会" in contract.notice_html
    with (uow := deal.s.uow(readonly=True)):
        event = uow.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "contract.notice_published"))
        assert json.loads(event.payload)["sha256"] == contract.notice_sha256


def publish(deal) -> None:
    today = deal.clock.now().astimezone(SHANGHAI).date().isoformat()
    deal.complete("publish", {"channels": ["intranet"], "published_on": today}, UNION)


def test_renewal_window_opens_three_months_before_expiry_art38(deal, clock):
    effective(deal, clock)
    publish(deal)
    assert deal.contract.expires_on == dt.date(2029, 5, 21)
    with pytest.raises(RuleViolation) as exc:
        request.request_renewal(deal.s.uow(), deal.id, {"topics": ["续订"], "text": "要求续订"}, actor=EMPLOYER,
                                  rules=deal.s.rules)
    check(exc, "renewal_window", "第38条")
    assert deal.at(local("2029-02-20", "12:00")) == []
    deal.at(local("2029-02-21", "00:10"))
    assert deal.contract.stage == "renewal_window"
    new = request.request_renewal(deal.s.uow(), deal.id, {"topics": ["续订"], "text": "要求续订"}, actor=EMPLOYER,
                                    rules=deal.s.rules)
    assert new.previous_contract_id == deal.id and new.requesting_side == "employer"
    assert new.instance_id != deal.contract.instance_id and deal.instance()["status"] == "completed"
    assert deal.contract.stage == "renewed"


def test_wage_agreement_renewal_window_is_60_days_art38(deal, clock):
    effective(deal, clock, "wage")
    publish(deal)
    expires = deal.contract.expires_on
    deal.at(dt.datetime.combine(expires - dt.timedelta(days=61), dt.time(12), SHANGHAI))
    assert deal.contract.stage == "published"
    deal.at(dt.datetime.combine(expires - dt.timedelta(days=60), dt.time(0, 10), SHANGHAI))
    assert deal.contract.stage == "renewal_window"


def test_contract_expires_without_renewal_art38(deal, clock):
    effective(deal, clock)
    publish(deal)
    deal.at(local("2029-02-21", "00:10"))
    assert deal.at(local("2029-05-21", "23:59")) == []
    deal.at(local("2029-05-22", "00:10"))
    assert deal.contract.stage == "expired" and deal.instance()["status"] == "completed"
