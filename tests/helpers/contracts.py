"""The collective-contract driver: one negotiation driven through the domain services, timers by the worker."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from engine import deployments, queries, runtime
from engine.identity import Actor
from engine.messages import send_message
from engine.models import AuditEvent
from engine.worker import run_once
from workflows.catalog import read_folder
from workflows.congress import ballots, meetings, tally
from workflows.contracts import drafts as contract_drafts
from workflows.contracts import filing as contract_filing
from workflows.contracts import negotiators as contract_negotiators
from workflows.contracts import record as contracts
from workflows.contracts import request
from workflows.contracts.tables import Contract

from helpers.api import ROOT
from helpers.congress import convened_meeting

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
        held_on = self.clock.now().astimezone(SHANGHAI).date()
        ids = convened_meeting(self.s, seated, present=present, headcount=seated, women_count=0, managers=0, women=0,
                               usernames=None, held_on=held_on, name=f"华东机械{self.id}")
        kind = contracts.MATTER_TYPES[self.contract.kind]
        return meetings.add_matter(self.s.uow(), ids["meeting_id"], matter_type=kind, title=self.contract.title,
                                   actor=PRESIDIUM).id

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


def check(excinfo, rule: str, article: str) -> None:
    """The refusal names the rule and cites the article."""
    assert rule in excinfo.value.errors["rule"]
    assert any(article in a for a in excinfo.value.errors["article"]), excinfo.value.errors
