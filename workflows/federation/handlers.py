"""Service-task handlers and task checks of ``regional_contract`` and ``regional_contract_member_vote``
(区域性、行业性集体合同, 劳动合同法 第53–55条; 集体合同规定 第36–47条).

The federation's case runs in the federation's organisation; each bound member's congress vote runs in the member's
own organisation (its presidium's inbox). A member's vote that decides the round delivers the message
``regional_contract.member_votes_decided`` to the federation's case, acting for the federation; the federation's
step then ends the round's other open votes. Every change of the record is an event of the case's audit chain.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import select

from engine import runtime, tenancy
from engine.audit import instance_chain
from engine.deployments import find_version
from engine.errors import ValidationFailed
from engine.identity import Actor
from engine.messages import route_message
from engine.models import Organisation
from engine.notifications import INAPP, Role, notify
from engine.steps import current_step
from workflows import rules as r
from workflows.calendar import add_months, calendar_of, local_today
from workflows.deadlines import tracked
from workflows.federation import regional
from workflows.federation.regional import dumps, loads, not_future, violation
from workflows.federation.tables import RegionalContract, RegionalMemberVote
from workflows.hooks import case_validator, rules_of, service

P, M = regional.PROCESS_ID, regional.MEMBER_PROCESS_ID
WORKER_ROLE = "worker"  # every member's workforce: told in-app when the contract takes effect


def _row(data: dict[str, Any]) -> RegionalContract:
    return regional.get(current_step().uow.session, int(data["regional_contract_id"]), lock=True)


def _event(row: RegionalContract, event: str, payload: dict[str, Any], *, stage: str | None = None) -> None:
    """Move the record on; the event goes to the case's chain (the contract page's history)."""
    step = current_step()
    if stage is not None:
        row.stage = stage
    row.updated_at = step.uow.now()
    step.uow.audit(instance_chain(row.instance_id), f"regional_contract.{event}",
                   {"regional_contract_id": row.id, "stage": row.stage, **payload}, actor=step.actor,
                   instance_id=row.instance_id)


def _counts(data: dict[str, Any], rules: r.Rules, rule: str) -> None:
    """第36条: votes cast <= present <= all representatives; two thirds present (else no valid vote: 422)."""
    seated, present = data["representatives_total"], data["present"]
    cast = data["in_favour"] + data.get("against", 0) + data.get("abstained", 0)
    if not cast <= present <= seated:
        raise ValidationFailed("votes cast <= present <= representatives",
                               {"present": [f"{cast} votes cast, {present} present, {seated} representatives"]})
    if not r.quorum_met(present, seated, rules):
        need = r.quorum_required(seated, rules)
        raise violation(f"{present} of {seated} representatives present: at least {need} must attend for a valid "
                        "vote", rule, {"present": [f"at least {need}"]})


def _carried(data: dict[str, Any], rules: r.Rules) -> bool:
    majority = dataclasses.replace(rules, adoption_rule=rules.contract_adoption_rule)
    return r.adopted(data["in_favour"], data["representatives_total"], majority)


# ---------------------------------------------------------------- checks before a step completes


@case_validator(P, "negotiate")
def _check_negotiation(uow, instance_id: str, data: dict[str, Any], actor) -> None:
    """A session is not in the future; floor terms are distinct; the members' path needs a bound member."""
    not_future(uow, data["held_on"], "held_on")
    regional.floors_of(data.get("floors") or [])
    if data.get("outcome") == "members":
        row = regional.by_instance(uow.session, instance_id)
        if not regional.bound_members(uow.session, row):
            raise violation("no member enterprise of the federation is bound by this contract (its region or "
                            "industry matches none): it cannot go to the members' congresses",
                            "regional_members_none", {"outcome": ["congress"]})


@case_validator(P, "regional_congress_vote")
def _check_congress_vote(uow, instance_id: str, data: dict[str, Any], actor) -> None:
    not_future(uow, data["held_on"], "held_on")
    _counts(data, rules_of(uow), "regional_adoption")


@case_validator(M, "member_vote")
def _check_member_vote(uow, instance_id: str, data: dict[str, Any], actor) -> None:
    not_future(uow, data["held_on"], "held_on")
    _counts(data, rules_of(uow), "regional_members_adoption")


@case_validator(P, "sign")
def _check_signature(uow, instance_id: str, data: dict[str, Any], actor) -> None:
    not_future(uow, data["signed_on"], "signed_on")


def _in_order(uow, instance_id: str, data: dict[str, Any], field: str, before: str, what: str):
    """第42条/第47条: the dates follow each other (signature, filing, receipt, review opinion); none in the future.
    Returns the contract."""
    day = not_future(uow, data[field], field)
    row = regional.by_instance(uow.session, instance_id)
    earlier = getattr(row, before)
    if earlier and day < earlier:
        raise violation(f"{what} cannot be dated {day}, before the {before.replace('_on', '')} on {earlier}",
                        "receipt_after_filing", {field: [f"on or after {earlier}"]})
    return row


@case_validator(P, "file")
def _check_filing(uow, instance_id: str, data: dict[str, Any], actor) -> None:
    _in_order(uow, instance_id, data, "filed_on", "signed_on", "the filing")


@case_validator(P, "register_receipt")
def _check_receipt(uow, instance_id: str, data: dict[str, Any], actor) -> None:
    _in_order(uow, instance_id, data, "received_on", "filed_on", "the labour administration's receipt")


@case_validator(P, "review")
def _check_objection(uow, instance_id: str, data: dict[str, Any], actor) -> None:
    """第45条: the opinion is issued on or after the receipt and names clauses of the filed text."""
    row = _in_order(uow, instance_id, data, "issued_on", "received_on", "a review opinion")
    numbers = {c["number"] for c in loads(row.clauses_json, [])}
    unknown = [n for n in data["objected_clauses"] if int(n) not in numbers]
    if unknown:
        raise violation(f"the text has no clause {', '.join(unknown)} (clauses 1..{len(numbers)})",
                        "regional_objection_clauses", {"objected_clauses": [f"1..{len(numbers)}"]})


# ---------------------------------------------------------------- the federation's steps


@service("regional_contract.record_negotiation")
def record_negotiation(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """A negotiation session (集体合同规定 第34条); a revised text or floors make a new draft version."""
    row = _row(data)
    session = {k: data.get(k) for k in ("held_on", "place", "participants", "summary", "outcome")}
    session["draft_version"] = row.draft_version
    clauses = regional.clauses_of(data.get("clauses") or [])
    floors = regional.floors_of(data.get("floors") or [], loads(row.floors_json, []))
    if clauses and (clauses != loads(row.clauses_json, []) or floors != loads(row.floors_json, [])):
        row.clauses_json, row.floors_json = dumps(clauses), dumps(floors)
        row.draft_version += 1
        session["draft_version"] = row.draft_version
    row.sessions_json = dumps([*loads(row.sessions_json, []), session])
    outcome = data["outcome"]
    if outcome != "continue":
        row.adoption_path = outcome
    _event(row, "negotiated", {"session": session, "floors": floors if clauses else None},
           stage="negotiating" if outcome == "continue" else "adoption")
    return {"outcome": outcome, "draft_version": row.draft_version}


@service("regional_contract.record_regional_vote")
def record_regional_vote(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The regional (industry) congress's vote: adopted by the contract adoption majority of all representatives
    (第36条; two thirds present was checked before); not adopted, back to negotiation."""
    row, rules = _row(data), rules_of(current_step().uow)
    outcome = "adopted" if _carried(data, rules) else "rejected"
    adoption = {"path": "congress", "outcome": outcome, **{k: data.get(k) for k in (
        "body", "held_on", "representatives_total", "present", "in_favour", "against", "abstained")}}
    row.adoption_json = dumps(adoption)
    _event(row, "congress_voted", adoption, stage="adopted" if outcome == "adopted" else "negotiating")
    return {"outcome": outcome}


@service("regional_contract.open_member_votes")
def open_member_votes(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Each bound member's presidium gets a step in its own organisation: record its congress's vote."""
    step, row = current_step(), _row(data)
    s = step.uow.session
    row.member_round += 1
    federation = s.get(Organisation, row.org_id)
    text = "\n".join([*(f"第{c['number']}条 {c['title']}：{c['text']}" for c in loads(row.clauses_json, [])),
                      *(f"最低标准：{f['label']}{regional.DIRECTIONS[f['direction']]}{f['value']:g}{f['unit']}"
                        for f in loads(row.floors_json, []))])
    members = regional.bound_members(s, row)
    for member in members:
        vote = RegionalMemberVote(org_id=row.org_id, regional_contract_id=row.id, round=row.member_round,
                                  member_org_id=member.id, member_name=member.name, outcome="pending")
        s.add(vote)
        s.flush()
        with tenancy.acting_for(member.id):
            vote.instance_id = runtime.create_instance(
                step.uow, find_version(s, M), actor=step.actor or f"instance:{step.instance_id}",
                business_key=f"regional:{row.id}:{row.member_round}",
                data={"regional_contract_id": row.id, "contract_title": row.title,
                      "case_title": f"{federation.name}《{row.title}》草案（本单位职代会审议）",
                      "federation_name": federation.name, "draft_text": text})
    _event(row, "members_asked", {"round": row.member_round, "members": [m.name for m in members]},
           stage="adoption")
    return {"round": row.member_round, "members": len(members)}


@service("regional_contract.record_member_votes")
def record_member_votes(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The round is decided: the members' votes become the adoption record; the votes still open are ended."""
    step, row = current_step(), _row(data)
    votes = [v for v in regional.member_votes(step.uow.session, row) if v.round == row.member_round]
    for vote in votes:
        if vote.outcome == "pending":
            vote.outcome = "cancelled"
            if vote.instance_id:
                with tenancy.acting_for(vote.member_org_id):
                    runtime.terminate(step.uow, vote.instance_id, "本轮表决已有结果 / the round is decided",
                                      actor=Actor(step.actor or "system", frozenset()))
    outcome = data["member_votes"]["outcome"]
    adoption = {"path": "members", "outcome": outcome, "round": row.member_round,
                "members": [{"member": v.member_name, "outcome": v.outcome, "held_on": v.held_on,
                             "representatives_total": v.representatives_total, "present": v.present,
                             "in_favour": v.in_favour} for v in votes]}
    row.adoption_json = dumps(adoption)
    _event(row, "members_voted", adoption, stage="adopted" if outcome == "adopted" else "negotiating")
    return {"outcome": outcome}


def _dated(data: dict[str, Any], field: str, stage: str) -> dict[str, Any]:
    row = _row(data)
    setattr(row, field, dt.date.fromisoformat(data[field]))
    _event(row, stage, {field: data[field]}, stage=stage)
    return {field: data[field]}


@service("regional_contract.record_signature")
def record_signature(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Both chiefs signed the adopted text (第37条)."""
    return _dated(data, "signed_on", "signed")


@service("regional_contract.record_filing")
def record_filing(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Filed once with the labour bureau (第42条)."""
    return _dated(data, "filed_on", "filed")


@service("regional_contract.record_receipt")
def record_receipt(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The bureau received the text: the review runs 15 days from it (第45/47条), counted by the legal calendar."""
    step, row = current_step(), _row(data)
    rules = rules_of(step.uow)
    row.received_on, row.receipt_no = dt.date.fromisoformat(data["received_on"]), data.get("receipt_no")
    review = tracked(calendar_of(step.uow), row.received_on, rules.review_days, rules.day_mode)
    row.review_until = review.due
    _event(row, "received", {"received_on": row.received_on, "receipt_no": row.receipt_no,
                             "review_until": review.due.isoformat(), "review_until_confirmed": review.confirmed},
           stage="under_review")
    return {"received_on": data["received_on"], "review_until": review.due.isoformat()}


@service("regional_contract.record_objection")
def record_objection(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The bureau objects (第45条): the objected clauses go back to negotiation, then signature and re-filing
    (第46条)."""
    row = _row(data)
    objection = {"issued_on": data["issued_on"], "document_no": data.get("document_no"),
                 "clauses": [int(n) for n in data["objected_clauses"]], "opinion": data["opinion"],
                 "draft_version": row.draft_version}
    row.objections_json = dumps([*loads(row.objections_json, []), objection])
    row.signed_on = row.filed_on = row.received_on = row.receipt_no = row.review_until = None
    _event(row, "objected", objection, stage="negotiating")
    return {"clauses": objection["clauses"]}


@service("regional_contract.make_effective")
def make_effective(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """No objection within 15 days of receipt: in force (第47条; 劳动合同法 第54条) for its term, published to every
    bound member, whose workers are told."""
    step, row = current_step(), _row(data)
    uow = step.uow
    start = row.review_until.astimezone(calendar_of(uow).tz).date() if row.review_until else local_today(uow)
    row.effective_on = start
    row.expires_on = add_months(start, 12 * row.term_years) - dt.timedelta(days=1)
    row.published_at = uow.now()
    reached, members = 0, regional.bound_members(uow.session, row)
    for member in members:
        with tenancy.acting_for(member.id):
            reached += notify(uow, Role(WORKER_ROLE), "federation.regional_contract_effective",
                              f"{regional.SCOPES[row.scope]}生效：{row.title}",
                              f"自{row.effective_on}起生效，至{row.expires_on}止，对本单位具有约束力；本单位集体合同的"
                              "标准不得低于其规定。", f"/federation/regional-contracts/{row.id}",
                              f"regional_contract:{row.id}:effective:{row.draft_version}:{member.id}",
                              channels=(INAPP,))
    _event(row, "effective", {"effective_on": row.effective_on, "expires_on": row.expires_on,
                              "members": [m.name for m in members], "notified": reached}, stage="effective")
    return {"effective_on": row.effective_on.isoformat(), "expires_on": row.expires_on.isoformat(),
            "notified": reached}


# ---------------------------------------------------------------- a member's congress


@service("regional_contract.record_member_vote")
def record_member_vote(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """A member's congress voted (第36条 in its own congress); when the votes so far decide the round (the rule
    ``regional_members_adoption_share``), the federation's case is told."""
    step = current_step()
    uow, rules = step.uow, rules_of(step.uow)
    with tenancy.unscoped():
        vote = uow.session.scalar(select(RegionalMemberVote).where(RegionalMemberVote.instance_id == step.instance_id)
                                  .with_for_update())
        row = uow.session.get(RegionalContract, vote.regional_contract_id)
        votes = [v for v in regional.member_votes(uow.session, row) if v.round == vote.round]
    for key in ("representatives_total", "present", "in_favour", "against", "abstained"):
        setattr(vote, key, data.get(key, 0))
    vote.held_on = dt.date.fromisoformat(data["held_on"])
    vote.outcome = "adopted" if _carried(data, rules) else "rejected"
    vote.recorded_by, vote.recorded_at = step.actor, uow.now()
    bound = len([v for v in votes if v.outcome != "cancelled"])
    adopting = len([v for v in votes if v.outcome == "adopted"])
    rejecting = len([v for v in votes if v.outcome == "rejected"])
    decided = ("adopted" if r.members_adopted(adopting, bound, rules) else
               "rejected" if r.members_rejected(rejecting, bound, rules) else None)
    step.uow.audit(instance_chain(step.instance_id), "regional_contract.member_voted", {
        "regional_contract_id": row.id, "round": vote.round, "outcome": vote.outcome, "decided": decided},
        actor=step.actor, instance_id=step.instance_id)
    if decided and row.member_round == vote.round:
        with tenancy.acting_for(row.org_id):
            route_message(uow, regional.DECIDED, {"regional_contract_id": row.id},
                          {"outcome": decided, "round": vote.round}, actor=step.actor or "system")
    return {"outcome": vote.outcome}
