"""Service-task handlers of the contract procedure (registered with `workflows.hooks.service`).

Each runs inside the engine step of a ``collective_contract`` instance: it writes the contract's records in
the step's transaction (``current_step().uow``) and returns a small JSON value for the diagram. Deadlines
arrive already computed by the diagram (``deadline_info(...)`` with ``rule(...)`` in the parameters).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from engine.errors import DmflowError
from engine.identity import Actor
from engine.steps import current_step
from workflows.congress import ballots, meetings, tally
from workflows.contracts import checks  # noqa: F401  (registers the task checks)
from workflows.contracts.filing import make_effective, publish, record_objection, record_receipt, set_deadline
from workflows.contracts.negotiators import mark_vacancy_overdue, set_vacancy_deadline
from workflows.contracts.record import (
    MATTER_TYPES,
    dumps,
    get_contract,
    loads,
    record,
    set_stage,
)
from workflows.contracts.tables import Contract, Dispute, Vacancy
from workflows.deadlines import due_of, follows
from workflows.hooks import rules_of, service


def _contract(data: dict[str, Any]) -> Contract:
    # The step holds the instance lock, which every writer of a contract takes first (see get_contract).
    return get_contract(current_step().uow.session, int(data["contract_id"]))


def _uow():
    return current_step().uow


def _actor() -> str | None:
    """The user whose action runs this step (None for timers)."""
    return current_step().actor


def _open_dispute(contract: Contract) -> Dispute:
    return _uow().session.scalar(select(Dispute).where(Dispute.contract_id == contract.id,
                                                       Dispute.resolved_at.is_(None)).order_by(Dispute.id.desc()))


@service("contracts.set_deadline")
def set_deadline_handler(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Keep a statutory deadline on the record (params: name, info from ``deadline_info``, remind_days_before)."""
    return set_deadline(_uow(), _contract(data), params["name"], params["info"], params.get("remind_days_before"))


@service("contracts.record_reply")
def record_reply(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The written reply to the request (第32条): accepted, or refused with a reason (then escalated)."""
    contract = _contract(data)
    reply = {"decision": data["reply_decision"], "text": data.get("reply_text"),
             "refusal_reason": data.get("refusal_reason"),
             "proposed_first_meeting_on": data.get("proposed_first_meeting_on"), "overdue": False}
    contract.reply_json = dumps(reply)
    set_stage(_uow(), contract, "representatives" if reply["decision"] == "accept" else "escalated")
    record(_uow(), contract, "contract.replied", reply, _actor())
    return {"decision": reply["decision"]}


@service("contracts.record_no_reply")
def record_no_reply(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """No written reply within 20 days (第32条): the fact is recorded and escalated (第56条)."""
    contract = _contract(data)
    due = loads(contract.deadlines_json, {}).get("reply", {})
    contract.reply_json = dumps({"decision": None, "overdue": True, "last_day": due.get("last_day")})
    set_stage(_uow(), contract, "escalated")
    record(_uow(), contract, "contract.reply_overdue", {"last_day": due.get("last_day"),
                                                        "article": "集体合同规定第32条"}, None)
    return {"overdue": True}


@service("contracts.record_escalation")
def record_escalation(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The upper union or labour administration's handling (第56条): negotiation ordered, or the matter closed."""
    contract = _contract(data)
    reply = loads(contract.reply_json, {})
    escalation = {"ground": "no_reply" if reply.get("overdue") else "refused", "authority": data["authority"],
                  "outcome": data["escalation_outcome"], "notes": data.get("escalation_notes"),
                  "decided_on": data.get("decided_on")}
    contract.escalation_json = dumps(escalation)
    set_stage(_uow(), contract, "representatives" if escalation["outcome"] == "negotiate" else "closed")
    record(_uow(), contract, "contract.escalation_decided", escalation, _actor())
    return {"outcome": escalation["outcome"]}


@service("contracts.record_resumption")
def record_resumption(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The agreed resumption date of a suspension (第35条) has come: negotiation resumes."""
    contract = _contract(data)
    set_stage(_uow(), contract, "negotiating")
    record(_uow(), contract, "contract.negotiation_resumed", {"resume_on": data["suspension"]["resume_on"]}, None)
    return {"resumed_on": data["suspension"]["resume_on"]}


@service("contracts.record_rounds_exhausted")
def record_rounds_exhausted(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """More negotiation rounds than one instance allows: the negotiation ends (a new request may follow)."""
    contract = _contract(data)
    set_stage(_uow(), contract, "abandoned")
    record(_uow(), contract, "contract.rounds_exhausted", {"rounds": data["negotiation_round"]}, None)
    return {"abandoned": True}


@service("contracts.record_dispute_acceptance")
def record_dispute_acceptance(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The labour administration accepts the application for coordination (第50–51条)."""
    contract = _contract(data)
    dispute = _open_dispute(contract)
    dispute.accepted_on = dt.date.fromisoformat(data["accepted_on"][:10])
    dispute.coordinators_json = dumps(data.get("coordinators") or [])
    record(_uow(), contract, "contract.dispute_accepted", {"dispute_id": dispute.id,
                                                           "accepted_on": dispute.accepted_on}, _actor())
    return {"dispute_id": dispute.id, "accepted_on": dispute.accepted_on.isoformat()}


@service("contracts.set_coordination_deadline")
def set_coordination_deadline(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """30 days from acceptance, extendable once by at most 15 days (第52条)."""
    contract = _contract(data)
    dispute = _open_dispute(contract)
    extended = bool(params.get("extended_days"))
    info = {**params["info"], **({"extended": True} if extended else {})}
    info = set_deadline(_uow(), contract, "coordination", info)
    dispute.due_at = dt.datetime.fromisoformat(info["due"])
    if extended:
        dispute.extended_days = int(params["extended_days"])
        record(_uow(), contract, "contract.coordination_extended", {"dispute_id": dispute.id,
                                                                    "days": dispute.extended_days}, None)
    return info


@service("contracts.record_coordination_overdue")
def record_coordination_overdue(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    contract = _contract(data)
    dispute = _open_dispute(contract)
    dispute.overdue_at = _uow().now()
    record(_uow(), contract, "contract.coordination_overdue", {"dispute_id": dispute.id,
                                                               "article": "集体合同规定第52条"}, None)
    return {"overdue": True}


@service("contracts.record_coordination")
def record_coordination(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The 协调处理协议书 signed by the coordinators and both chiefs (第53条): negotiation resumes."""
    contract = _contract(data)
    dispute = _open_dispute(contract)
    dispute.agreement_text = data["agreement_text"]
    dispute.agreement_signed_on = dt.date.fromisoformat(data["agreement_signed_on"][:10])
    dispute.resolved_at = _uow().now()
    set_stage(_uow(), contract, "negotiating")
    record(_uow(), contract, "contract.coordination_agreed", {
        "dispute_id": dispute.id, "agreement_signed_on": dispute.agreement_signed_on,
        "signatories": data.get("signatories")}, None)
    return {"dispute_id": dispute.id}


@service("contracts.open_adoption_vote")
def open_adoption_vote(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Open the congress vote on the agreed draft (第36条): 2/3 present, 半数以上 of all representatives.

    A refusal by the congress module (quorum not met, wrong matter, meeting not in session) is returned, not
    raised, so the presidium can fix it and submit again.
    """
    uow, contract = _uow(), _contract(data)
    matter_id = int(data["matter_id"])
    try:
        with uow.session.begin_nested():
            matter = meetings.get_matter(uow.session, matter_id)
            if matter.matter_type != MATTER_TYPES[contract.kind]:
                raise DmflowError(f"matter {matter_id} is a '{matter.matter_type}'; a {contract.kind} contract is "
                                  f"adopted under '{MATTER_TYPES[contract.kind]}'")
            vote = ballots.open_vote(uow, matter_id, rules=rules_of(uow), majority=contract.adoption_majority,
                                     analog=bool(data.get("paper_vote")),
                                     actor=Actor(_actor() or f"instance:{contract.instance_id}", frozenset()))
    except DmflowError as exc:
        contract.failed_vote_attempts += 1
        record(uow, contract, "contract.adoption_vote_refused", {"matter_id": matter_id, "reason": exc.message,
                                                                 "rule": getattr(exc, "rule", None)}, None)
        return {"opened": False, "error": exc.message, "rule": getattr(exc, "rule", None),
                "failed_attempts": contract.failed_vote_attempts}
    contract.vote_id = vote.id
    set_stage(uow, contract, "adoption")
    record(uow, contract, "contract.adoption_vote_opened", {"vote_id": vote.id, "matter_id": matter_id,
                                                            "majority": vote.majority,
                                                            "quorum_required": vote.quorum_required,
                                                            "votes_required": vote.votes_required}, None)
    return {"opened": True, "vote_id": vote.id, "failed_attempts": contract.failed_vote_attempts}


@service("contracts.record_adoption")
def record_adoption(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Keep the congress resolution (attendance and tally) for signature and the filing package."""
    uow, contract = _uow(), _contract(data)
    vote = ballots.get_vote(uow, int(data["vote_result"]["vote_id"]))
    matter = meetings.get_matter(uow.session, vote.matter_id)
    meeting = meetings.get_meeting(uow.session, matter.meeting_id)
    adoption = {"vote_id": vote.id, "meeting": meeting.title, "held_on": meeting.held_on, "matter": matter.title,
                "kind": vote.kind, "secret": vote.secret, "majority": vote.majority, "closed_at": vote.closed_at,
                "seal_hash": vote.seal_hash, "result": tally.result_of(vote)}
    contract.adoption_json = dumps(adoption)
    outcome = vote.outcome
    set_stage(uow, contract, "signing" if outcome == "adopted" else "negotiating")
    record(uow, contract, "contract.adoption_result", {"vote_id": vote.id, "outcome": outcome}, None)
    return {"outcome": outcome, "vote_id": vote.id}


@service("contracts.remind")
def remind(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """A reminder before (or at) a deadline, kept in the contract's history (params: what, due)."""
    contract = _contract(data)
    record(_uow(), contract, "contract.reminder", {"what": params["what"], "due": params.get("due")}, None)
    return {"reminded": params["what"]}


@service("contracts.record_filing_overdue")
def record_filing_overdue(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    contract = _contract(data)
    record(_uow(), contract, "contract.filing_overdue", {"deadline": params.get("due"),
                                                         "article": "集体合同规定第42条"}, None)
    return {"overdue": True}


@service("contracts.record_filing_receipt")
def record_filing_receipt(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return record_receipt(_uow(), _contract(data), data["received_on"], data.get("receipt_no"))


@service("contracts.record_objection")
def record_objection_handler(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return record_objection(_uow(), _contract(data), data.get("objection") or {}, None)


@service("contracts.make_effective")
def make_effective_handler(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Effective when the review period ends without objection (第47条); params from the rules."""
    return make_effective(_uow(), _contract(data), params["effective_at"],
                          renewal_months=int(params["renewal_months"]),
                          wage_renewal_days=int(params["wage_renewal_days"]))


@service("contracts.record_publication")
def record_publication(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    publication = {"channels": data.get("channels") or [], "published_on": data.get("published_on")}
    return publish(_uow(), _contract(data), publication, int(params["period"]))


@service("contracts.open_renewal_window")
def open_renewal_window(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Both sides are reminded that either may now ask to renew (第38条)."""
    contract = _contract(data)
    set_stage(_uow(), contract, "renewal_window")
    record(_uow(), contract, "contract.reminder", {"what": "renewal", "expires_on": contract.expires_on}, None)
    return {"expires_on": contract.expires_on.isoformat()}


@service("contracts.record_expiry")
def record_expiry(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    contract = _contract(data)
    set_stage(_uow(), contract, "expired")
    record(_uow(), contract, "contract.expired", {"expires_on": contract.expires_on}, None)
    return {"expired": True}


@service("contracts.set_vacancy_deadline")
def set_vacancy_deadline_handler(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """A vacancy is filled within 15 days (第31条); params: vacancy_id, info from ``deadline_info``."""
    contract = _contract(data)
    set_vacancy_deadline(_uow(), contract, int(params["vacancy_id"]), params["info"])
    count = _uow().session.scalar(select(func.count()).select_from(Vacancy).where(Vacancy.contract_id == contract.id))
    return {**set_deadline(_uow(), contract, "vacancy", params["info"]), "count": count}


@service("contracts.record_vacancy_overdue")
def record_vacancy_overdue(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return {"overdue": mark_vacancy_overdue(_uow(), _contract(data), int(params["vacancy_id"]))}


@follows
def follow_contract_deadlines(uow, move) -> None:
    """The contract's deadlines list (``deadlines_json``) takes a deadline the legal calendar moved."""
    if not (move.business_key or "").startswith("contract:"):
        return
    contract = uow.session.get(Contract, int(move.business_key.split(":", 1)[1]))
    old = due_of(move.old)
    if contract is None or old is None:
        return
    deadlines = loads(contract.deadlines_json, {})
    for name, info in deadlines.items():
        if isinstance(info, dict) and info.get("due") == old:
            deadlines[name] = {**info, **(move.new if isinstance(move.new, dict) else {"due": move.new})}
    contract.deadlines_json = dumps(deadlines)
