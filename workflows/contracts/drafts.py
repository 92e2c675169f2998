"""The negotiation itself (集体合同规定 第34–35条): meetings with signed minutes, draft versions, agreement.

Each meeting is a record, not a loop of the diagram: the diagram waits in "协商中" until both chief
representatives declare agreement on the latest draft (``contract.draft_agreed``), or signed minutes record
a suspension with an agreed resumption date (``contract.negotiation_suspended``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.identity import Actor
from engine.unit_of_work import UnitOfWork
from workflows import hooks
from workflows import rules as r
from workflows.clause_diff import clause_diff, render_diff
from workflows.contracts.negotiators import raise_violations, require_recorder, wage_info_violations
from workflows.contracts.record import (
    NEGOTIATORS,
    SIDES,
    chief_side,
    dumps,
    get_contract,
    loads,
    local_tz,
    notify,
    record,
    require_stage,
    set_stage,
    today,
    violation,
)
from workflows.contracts.tables import Contract, Draft, NegotiationMeeting, SignOff

DRAFT_STAGES = ("preparation", "negotiating", "suspended", "dispute")

# Typical clauses of a women workers' special contract (rules.md §1.3: templates, a starting point for the
# editor, not hard rules). Figures follow 女职工劳动保护特别规定 (2012) as commonly quoted; check before use.
WOMEN_CLAUSE_LIBRARY: list[dict[str, str]] = [
    {"title": "平等就业与同工同酬",
     "text": "用人单位在录用、晋职、晋级、评定专业技术职称等方面坚持男女平等，实行男女同工同酬，"
             "不得以性别为由拒绝录用女职工或者提高对女职工的录用标准。"},
    {"title": "婚孕产哺期间的劳动关系保护",
     "text": "用人单位不得因女职工结婚、怀孕、生育、哺乳降低其工资和福利待遇，"
             "限制其晋职、晋级，或者解除、终止劳动合同。"},
    {"title": "经期保护",
     "text": "女职工在经期，用人单位不安排其从事高处、低温、冷水作业"
             "和国家规定的第三级体力劳动强度的劳动。"},
    {"title": "孕期保护",
     "text": "怀孕女职工不能适应原劳动的，用人单位根据医疗机构的证明"
             "予以减轻劳动量或者安排其他能够适应的劳动；怀孕7个月以上的，"
             "不延长劳动时间或者安排夜班劳动，并在劳动时间内安排一定的休息时间；"
             "孕期产前检查所需时间计入劳动时间。"},
    {"title": "产期保护",
     "text": "女职工生育享受不少于98天的产假，产假期间的待遇按生育保险规定支付，"
             "不影响考核、晋级和调资。"},
    {"title": "哺乳期保护",
     "text": "对哺乳未满1周岁婴儿的女职工，不延长劳动时间或者安排夜班劳动，"
             "每天在劳动时间内安排1小时哺乳时间。"},
    {"title": "更年期保护",
     "text": "女职工更年期反应较重、经医疗机构证明不能适应原工作的，"
             "用人单位适当减轻其工作量或者安排其他适宜工作。"},
    {"title": "禁忌从事的劳动",
     "text": "用人单位不安排女职工从事矿山井下作业、国家规定的第四级体力劳动强度的劳动"
             "以及其他女职工禁忌从事的劳动。"},
    {"title": "健康检查",
     "text": "用人单位每年至少组织女职工进行一次妇科疾病和乳腺疾病检查，费用由用人单位承担。"},
    {"title": "生育保险",
     "text": "用人单位依法为女职工参加生育保险并按时足额缴纳生育保险费。"},
    {"title": "民主参与",
     "text": "职工代表大会代表和董事会、监事会中的职工代表，女职工占适当比例；"
             "工会女职工委员会参与本合同的协商和监督。"},
]


def clause_library(kind: str) -> list[dict[str, Any]]:
    """The clause library offered as a starting point (women workers' contracts only)."""
    if kind != "women":
        return []
    return [{"number": i, **c} for i, c in enumerate(WOMEN_CLAUSE_LIBRARY, start=1)]


def _normalise(clauses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out, numbers = [], set()
    for i, c in enumerate(clauses, start=1):
        number = c.get("number") or i
        if number in numbers:
            raise ValidationFailed("clause numbers must be unique", {"clauses": [f"第{number}条 appears twice"]})
        numbers.add(number)
        text, title = c["text"].strip(), (c.get("title") or "").strip()
        if not text:
            raise ValidationFailed("a clause has text", {"clauses": [f"第{number}条 is empty"]})
        clause = {"number": number, "title": title, "text": text}
        if c.get("key"):  # a term a regional or industry contract may set a floor for (劳动合同法 第55条)
            clause.update(key=c["key"], value=c.get("value"))
        out.append(clause)
    return sorted(out, key=lambda c: c["number"])


def clauses_sha256(clauses: list[dict[str, Any]]) -> str:
    return hashlib.sha256(dumps(clauses).encode()).hexdigest()


def add_draft(uow: UnitOfWork, contract_id: int, *, clauses: list[dict[str, Any]] | None, note: str | None,
              actor: Actor, from_library: bool = False) -> Draft:
    """Store the next version of the text (versions are never changed).

    Raises:
        Forbidden: not a negotiator. Conflict: not negotiating. ValidationFailed: no clauses, duplicate numbers,
        or a library asked for a kind that has none.
    """
    if not actor.has(*NEGOTIATORS):
        raise Forbidden(f"drafts are stored by the negotiators ({', '.join(NEGOTIATORS)})")
    with uow:
        s = uow.session
        contract = get_contract(s, contract_id, lock=True)
        require_stage(contract, DRAFT_STAGES, "store a draft")
        if from_library and not clauses:
            clauses = clause_library(contract.kind)
            if not clauses:
                raise ValidationFailed(f"there is no clause library for a {contract.kind} contract",
                                       {"from_library": ["women workers' special contracts only"]})
        if not clauses:
            raise ValidationFailed("a draft has at least one clause", {"clauses": ["required"]})
        clauses = _normalise(clauses)
        version = (s.scalar(select(func.max(Draft.version)).where(Draft.contract_id == contract.id)) or 0) + 1
        draft = Draft(contract_id=contract.id, version=version, clauses_json=dumps(clauses), note=note,
                      sha256=clauses_sha256(clauses), created_by=actor.username, created_at=uow.now())
        s.add(draft)
        s.flush()
        record(uow, contract, "contract.draft_stored", {"version": version, "sha256": draft.sha256,
                                                        "clauses": len(clauses), "from_library": from_library},
               actor.username)
        uow.commit()
    return draft


def get_draft(session: Session, contract_id: int, version: int | None = None) -> Draft:
    """A version of the text (the latest if ``version`` is None). Raises: NotFound."""
    query = select(Draft).where(Draft.contract_id == contract_id)
    query = query.where(Draft.version == version) if version else query.order_by(Draft.version.desc()).limit(1)
    draft = session.scalar(query)
    if draft is None:
        raise NotFound(f"contract {contract_id} has no draft" + (f" version {version}" if version else ""))
    return draft


def draft_view(draft: Draft) -> dict[str, Any]:
    return {"contract_id": draft.contract_id, "version": draft.version, "note": draft.note, "sha256": draft.sha256,
            "created_by": draft.created_by, "created_at": draft.created_at, "clauses": loads(draft.clauses_json)}


def read_draft(uow: UnitOfWork, contract_id: int, version: int | None = None) -> dict[str, Any]:
    with uow:
        get_contract(uow.session, contract_id)
        return draft_view(get_draft(uow.session, contract_id, version))


def list_drafts(uow: UnitOfWork, contract_id: int) -> list[dict[str, Any]]:
    with uow:
        get_contract(uow.session, contract_id)
        return [draft_view(d) for d in uow.session.scalars(select(Draft).where(Draft.contract_id == contract_id)
                                                            .order_by(Draft.version))]


def diff(uow: UnitOfWork, contract_id: int, old_version: int, new_version: int) -> dict[str, Any]:
    """Compare two versions clause by clause, with a readable text rendering. Raises: NotFound."""
    with uow:
        s = uow.session
        get_contract(s, contract_id)
        old, new = get_draft(s, contract_id, old_version), get_draft(s, contract_id, new_version)
        clauses = clause_diff(loads(old.clauses_json), loads(new.clauses_json))
    counts = {k: sum(c["status"] == k for c in clauses) for k in ("added", "removed", "changed", "unchanged")}
    return {"contract_id": contract_id, "from_version": old_version, "to_version": new_version, "summary": counts,
            "clauses": clauses, "text": render_diff(clauses, f"第{old_version}稿", f"第{new_version}稿")}


def record_meeting(uow: UnitOfWork, contract_id: int, body: dict[str, Any], *, actor: Actor,
                   rules: r.Rules) -> NegotiationMeeting:
    """The recorder records a negotiation meeting; both chiefs then sign its minutes (第34条).

    Raises:
        RuleViolation ``chairs_alternate`` (第34条: the chiefs chair in turn; a wage negotiation's first
        meeting is chaired by the requesting side), ``wage_info_before_meeting_days``.
        Forbidden: not the agreed recorder. Conflict: not negotiating. ValidationFailed: a suspension without
        a later resumption date, a meeting in the future.
    """
    with uow:
        s = uow.session
        contract = get_contract(s, contract_id, lock=True)
        require_stage(contract, ("negotiating",), "record a meeting")
        preparation = require_recorder(contract, actor)
        if body["held_on"] > today(uow, contract):
            raise ValidationFailed("a meeting is recorded after it was held", {"held_on": [str(body["held_on"])]})
        if body["outcome"] == "suspended" and (not body.get("resume_on") or body["resume_on"] <= body["held_on"]):
            raise ValidationFailed("a suspension names the agreed date of resumption, after the meeting (第35条)",
                                   {"resume_on": ["a date after held_on"]})
        previous = s.scalar(select(NegotiationMeeting).where(NegotiationMeeting.contract_id == contract.id)
                            .order_by(NegotiationMeeting.number.desc()).limit(1))
        found = []
        first_day = dt.date.fromisoformat(str(preparation["first_meeting_on"])[:10])
        if body["held_on"] < first_day:
            found.append(("meeting_after_agreed_first_day", f"a meeting held on {body['held_on']} is before the "
                          f"first meeting day both sides agreed ({first_day})"))
        if previous is None:
            found += wage_info_violations(contract, preparation.get("info_supplied_on"), body["held_on"], rules)
            if contract.kind == "wage" and body["chair_side"] != contract.requesting_side:
                found.append(("chairs_alternate", "the first meeting of a wage negotiation is chaired by the side "
                              f"that requested it ({contract.requesting_side})"))
        elif body["chair_side"] == previous.chair_side:
            found.append(("chairs_alternate", f"meeting {previous.number} was chaired by the {previous.chair_side} "
                          "chief; the chief representatives chair in turn"))
        raise_violations(found)
        meeting = NegotiationMeeting(
            contract_id=contract.id, number=(previous.number + 1) if previous else 1, held_on=body["held_on"],
            place=body["place"], chair_side=body["chair_side"], union_position=body["union_position"],
            employer_position=body["employer_position"], minutes=body["minutes"], outcome=body["outcome"],
            resume_on=body.get("resume_on"), draft_version=body.get("draft_version"), recorded_by=actor.username,
            recorded_at=uow.now())
        s.add(meeting)
        s.flush()
        record(uow, contract, "contract.meeting_recorded", {
            "number": meeting.number, "held_on": meeting.held_on, "chair_side": meeting.chair_side,
            "outcome": meeting.outcome, "resume_on": meeting.resume_on}, actor.username)
        uow.commit()
    return meeting


def sign_minutes(uow: UnitOfWork, contract_id: int, number: int, *, actor: Actor) -> NegotiationMeeting:
    """A chief representative signs a meeting's minutes; signed minutes of a suspension suspend (第35条).

    Raises:
        NotFound. Forbidden: not a chief. Conflict: already signed by this side.
    """
    with uow:
        s = uow.session
        contract = get_contract(s, contract_id, lock=True)
        meeting = s.scalar(select(NegotiationMeeting).where(NegotiationMeeting.contract_id == contract.id,
                                                            NegotiationMeeting.number == number))
        if meeting is None:
            raise NotFound(f"contract {contract_id} has no meeting {number}")
        side = chief_side(s, contract, actor)
        if getattr(meeting, f"{side}_signed_by"):
            raise Conflict(f"the {side} chief has already signed the minutes of meeting {number}")
        now = uow.now()
        setattr(meeting, f"{side}_signed_by", actor.username)
        setattr(meeting, f"{side}_signed_at", now)
        record(uow, contract, "contract.minutes_signed", {"number": number, "side": side}, actor.username)
        if minutes_signed(meeting) and meeting.outcome == "suspended":
            require_stage(contract, ("negotiating",), "suspend the negotiation")
            resume_at = dt.datetime.combine(meeting.resume_on, dt.time(0), tzinfo=local_tz(contract))
            set_stage(uow, contract, "suspended")
            notify(uow, contract, "contract.negotiation_suspended", {
                "meeting": number, "resume_on": meeting.resume_on.isoformat(),
                "resume_at": resume_at.astimezone(dt.UTC).isoformat()}, actor.username)
        uow.commit()
    return meeting


def minutes_signed(meeting: NegotiationMeeting) -> bool:
    return bool(meeting.union_signed_by and meeting.employer_signed_by)


def agree(uow: UnitOfWork, contract_id: int, version: int, *, actor: Actor) -> dict[str, Any]:
    """A chief representative declares agreement on the latest draft; both together end the negotiation.

    After a review objection (第46条) the renegotiated text goes back to signature and re-filing; otherwise
    to the workers' congress (第36条).

    Raises:
        RuleViolation ``minutes_signed`` (第34条: no meeting with minutes signed by both chiefs yet);
        ``regional_contract_floor`` (劳动合同法 第55条: a term below a regional or industry contract in force).
        Forbidden: not a chief. Conflict: not negotiating, not the latest version, already agreed.
    """
    with uow:
        s = uow.session
        contract = get_contract(s, contract_id, lock=True)
        require_stage(contract, ("negotiating",), "agree a draft")
        side = chief_side(s, contract, actor)
        latest = get_draft(s, contract.id)
        if version != latest.version:
            raise Conflict(f"agreement is declared on the latest draft (version {latest.version}), not {version}")
        hooks.check_contract_text(s, contract.org_id, loads(latest.clauses_json), today(uow, contract))
        meetings = list(s.scalars(select(NegotiationMeeting).where(NegotiationMeeting.contract_id == contract.id)))
        if not any(minutes_signed(m) for m in meetings):
            raise violation("a draft is agreed in a negotiation meeting whose minutes both chief representatives "
                            "signed; none has been", "minutes_signed")
        if s.scalar(select(SignOff).where(SignOff.contract_id == contract.id, SignOff.kind == "agreement",
                                          SignOff.draft_version == version, SignOff.side == side)):
            raise Conflict(f"the {side} chief has already agreed version {version}")
        s.add(SignOff(contract_id=contract.id, kind="agreement", draft_version=version, side=side,
                      signed_by=actor.username, signed_at=uow.now()))
        s.flush()
        record(uow, contract, "contract.draft_agreement", {"side": side, "version": version}, actor.username)
        agreed = set(s.scalars(select(SignOff.side).where(
            SignOff.contract_id == contract.id, SignOff.kind == "agreement", SignOff.draft_version == version)))
        complete = agreed == set(SIDES)
        if complete:
            contract.agreed_version = version
            set_stage(uow, contract, "signing" if contract.objection_pending else "agreed")
            notify(uow, contract, "contract.draft_agreed", {"draft_version": version}, actor.username)
        uow.commit()
    return {"contract_id": contract_id, "version": version, "side": side, "complete": complete}


def agreed_clauses(session: Session, contract: Contract) -> list[dict[str, Any]]:
    return loads(get_draft(session, contract.id, contract.signed_version or contract.agreed_version).clauses_json)
