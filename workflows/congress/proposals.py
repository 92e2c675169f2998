"""Proposals (提案): who may submit and second them, co-signatures, and the records the diagram updates."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import or_, select

from engine.audit import instance_chain
from engine.errors import Conflict, Forbidden, NotFound
from engine.identity import Actor
from engine.messages import route_message
from engine.models import Instance
from engine.unit_of_work import UnitOfWork
from workflows import rules as r
from workflows.calendar import local_today
from workflows.congress.roster import seated_query
from workflows.congress.tables import Cosignature, Proposal, Representative, Term
from workflows.errors import RuleViolation

COSIGNED = "proposal.cosigned"


def _today(uow: UnitOfWork) -> dt.date:
    return local_today(uow)


def seated_representative(session, username: str, day: dt.date) -> Representative | None:
    """The representative linked to a user account and seated on `day` in a term running that day."""
    terms = select(Term.id).where(Term.starts_on <= day, Term.ends_on >= day)
    return session.scalar(select(Representative).where(
        Representative.username == username, Representative.term_id.in_(terms), Representative.elected_on <= day,
        or_(Representative.ended_on.is_(None), Representative.ended_on > day)))


def check_submission(uow: UnitOfWork, data: dict[str, Any], actor: Actor) -> None:
    """A proposal is submitted by a seated representative with enough seated co-signers (附议人).

    Practice rule (rules.md §2.4): proposals come from representatives; co-signers are other seated
    representatives of the same term, at least ``proposal_cosigners_min`` (default 2).

    Raises:
        Forbidden: the caller is not a seated representative.
        RuleViolation ``proposal_cosigners_min`` / ``cosigner_not_representative``: 422 naming the co-signers.
    """
    rules: r.Rules = uow.runtime.context["rules"]
    day = _today(uow)
    proposer = seated_representative(uow.session, actor.username, day)
    if proposer is None:
        raise Forbidden("only a seated workers' representative (with a linked account) may submit a proposal")
    numbers = list(dict.fromkeys(data.get("cosigners") or []))
    found = {rep.employee_no: rep for rep in uow.session.scalars(
        seated_query(proposer.term_id, day).where(Representative.employee_no.in_(numbers)))}
    unknown = [n for n in numbers if n not in found]
    if unknown:
        raise RuleViolation("co-signers must be seated representatives of this congress term",
                            "cosigner_not_representative",
                            {"cosigners": [f"not a seated representative: {n}" for n in unknown]})
    if proposer.employee_no in found:
        raise RuleViolation("the proposer cannot second their own proposal", "cosigner_not_representative",
                            {"cosigners": [f"{proposer.employee_no} is the proposer"]})
    if not r.proposal_cosigned(len(found), rules):
        raise RuleViolation(f"a proposal needs at least {rules.proposal_cosigners_min} co-signing representatives",
                            "proposal_cosigners_min", {"cosigners": [f"{len(found)} given"]})


def open_proposal(uow: UnitOfWork, instance_id: str, title: str, cosigners: list[str], actor: str) -> Proposal:
    """Record a submitted proposal and ask each co-signer to confirm (inside the step's unit of work)."""
    day = _today(uow)
    proposer = seated_representative(uow.session, actor, day)
    if proposer is None:
        raise Forbidden(f"{actor} is not a seated representative")
    reps = list(uow.session.scalars(seated_query(proposer.term_id, day)
                                    .where(Representative.employee_no.in_(cosigners))))
    proposal = Proposal(instance_id=instance_id, term_id=proposer.term_id, proposer_id=proposer.id, title=title,
                        status="cosigning", created_at=uow.now(), updated_at=uow.now())
    uow.session.add(proposal)
    uow.session.flush()
    uow.session.add_all(Cosignature(proposal_id=proposal.id, representative_id=rep.id, status="pending")
                        for rep in reps)
    uow.audit(instance_chain(instance_id), "proposal.submitted", {
        "proposal_id": proposal.id, "title": title, "proposer": proposer.employee_no,
        "cosigners": [rep.employee_no for rep in reps]}, actor=actor, instance_id=instance_id)
    return proposal


def by_id(session, proposal_id: int, *, lock: bool = False) -> Proposal:
    query = select(Proposal).where(Proposal.id == proposal_id)
    proposal = session.scalar(query.with_for_update() if lock else query)
    if proposal is None:
        raise NotFound(f"proposal {proposal_id} does not exist")
    return proposal


def cosign(uow: UnitOfWork, proposal_id: int, confirm: bool, comment: str | None, *, actor: Actor) -> Proposal:
    """A co-signer confirms or declines; when everyone has answered the diagram moves on to screening.

    Raises:
        NotFound. Forbidden: the caller was not asked to second this proposal. Conflict: already answered,
        or the proposal is past co-signing.
    """
    with uow:
        s = uow.session
        proposal = by_id(s, proposal_id, lock=True)
        rep_ids = select(Representative.id).where(Representative.username == actor.username)
        mine = s.scalar(select(Cosignature).where(Cosignature.proposal_id == proposal_id,
                                                  Cosignature.representative_id.in_(rep_ids)))
        if mine is None:
            raise Forbidden("you were not asked to second this proposal")
        if proposal.status != "cosigning":
            raise Conflict(f"proposal {proposal_id} is {proposal.status}; co-signing is over")
        if mine.status != "pending":
            raise Conflict(f"you already {mine.status} this proposal")
        mine.status, mine.comment, mine.responded_at = ("confirmed" if confirm else "declined"), comment, uow.now()
        uow.audit(instance_chain(proposal.instance_id), "proposal.cosign_answered", {
            "proposal_id": proposal_id, "answer": mine.status, "comment": comment}, actor=actor.username,
            instance_id=proposal.instance_id)
        answers = list(s.scalars(select(Cosignature).where(Cosignature.proposal_id == proposal_id)))
        if all(c.status != "pending" for c in answers):
            proposal.status, proposal.updated_at = "submitted", uow.now()
            confirmed = [_employee_no(s, c.representative_id) for c in answers if c.status == "confirmed"]
            declined = [_employee_no(s, c.representative_id) for c in answers if c.status == "declined"]
            rules: r.Rules = uow.runtime.context["rules"]
            route_message(uow, COSIGNED, {"proposal_id": proposal_id}, {
                "confirmed": confirmed, "declined": declined,
                "enough": r.proposal_cosigned(len(confirmed), rules)}, actor=actor.username)
        uow.commit()
        return proposal


def _employee_no(session, representative_id: int) -> str:
    return session.get(Representative, representative_id).employee_no


def update(uow: UnitOfWork, proposal_id: int, *, actor: str | None, **changes: Any) -> Proposal:
    """Change a proposal's recorded status (called by the diagram's service tasks)."""
    proposal = by_id(uow.session, proposal_id, lock=True)
    for key, value in changes.items():
        setattr(proposal, key, value)
    proposal.updated_at = uow.now()
    uow.audit(instance_chain(proposal.instance_id), "proposal.updated", {
        "proposal_id": proposal_id, **{k: (v.isoformat() if isinstance(v, dt.datetime) else v)
                                       for k, v in changes.items()}}, actor=actor, instance_id=proposal.instance_id)
    return proposal


def _text(session, proposal: Proposal) -> dict[str, Any]:
    """The proposal's own words as submitted (理由, 建议措施), from its case's data."""
    data_json = session.scalar(select(Instance.data_json).where(Instance.id == proposal.instance_id))
    data = json.loads(data_json or "{}")
    return {"reason": data.get("reason"), "measures": data.get("measures")}


def view(session, proposal: Proposal) -> dict[str, Any]:
    proposer = session.get(Representative, proposal.proposer_id)
    cosigs = session.scalars(select(Cosignature).where(Cosignature.proposal_id == proposal.id)
                             .order_by(Cosignature.id))
    return {"id": proposal.id, "instance_id": proposal.instance_id, "title": proposal.title,
            "status": proposal.status, "decision": proposal.decision, "satisfaction": proposal.satisfaction,
            "implementation_status": proposal.implementation_status, "proposer": proposer.name,
            "proposer_employee_no": proposer.employee_no, "created_at": proposal.created_at,
            "published_at": proposal.published_at, **_text(session, proposal),
            "cosignatures": [{"employee_no": _employee_no(session, c.representative_id), "status": c.status,
                              "name": session.get(Representative, c.representative_id).name,
                              "responded_at": c.responded_at} for c in cosigs]}


def listing(uow: UnitOfWork, *, status: str | None = None) -> list[dict[str, Any]]:
    with uow:
        query = select(Proposal).order_by(Proposal.created_at.desc(), Proposal.id.desc())
        if status:
            query = query.where(Proposal.status == status)
        return [view(uow.session, p) for p in uow.session.scalars(query)]


def detail(uow: UnitOfWork, proposal_id: int) -> dict[str, Any]:
    with uow:
        return view(uow.session, by_id(uow.session, proposal_id))
