"""A mediation case's stages as services: acceptance or refusal, sessions, and closing with or without agreement.

Each service checks who may act and in which state, writes the record, and completes the diagram's stage task
in the same transaction (``workflows.casework.stage``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.identity import Actor
from engine.messages import route_message
from engine.unit_of_work import UnitOfWork
from workflows.casework import committee, stage
from workflows.casework.mediation import applicants, audit, visible
from workflows.casework.tables import MediationCase, MediationSession
from workflows.errors import RuleConflict, RuleViolation

STAGES = {"accept": "受理审查", "mediate": "主持调解"}


def _complete(uow: UnitOfWork, record: MediationCase, element_id: str, data: dict[str, Any], actor: Actor) -> None:
    stage.complete(uow, record.instance_id, element_id, data, actor, case=f"mediation case {record.id}",
                   state=record.status, stage=STAGES[element_id])


def _committee(actor: Actor) -> None:
    if not actor.has(committee.ROLE):
        raise Forbidden("only the mediation committee decides on an application")


def check_mediator(uow: UnitOfWork, record: MediationCase, mediator: str, employer_rep: str | None,
                   no_conflict_declared: bool) -> None:
    """The mediator sits on the committee, is no party, and declares no conflict of interest (回避).

    Source: 企业劳动争议协商调解规定 (2011) on 回避 (not in rules.md; U). Relatives are declared, not checked.

    Raises:
        RuleViolation ``mediator_conflict_of_interest``.
    """
    problems: dict[str, list[str]] = {}
    if committee.member(uow.session, mediator) is None:
        problems["mediator"] = ["the mediator sits on the mediation committee"]
    if mediator in applicants(record) or mediator == employer_rep:
        problems["mediator"] = ["a party cannot mediate their own dispute"]
    if not no_conflict_declared:
        problems["no_conflict_declared"] = ["the mediator declares no relation to or interest in either party"]
    if problems:
        raise RuleViolation("the mediator must have no conflict of interest", "mediator_conflict_of_interest",
                            problems)


def accept(uow: UnitOfWork, case_id: int, *, mediator: str, employer_rep: str | None, no_conflict_declared: bool,
           actor: Actor) -> None:
    """The committee accepts the application and assigns a mediator, who then has the mediation task.

    Raises:
        NotFound. Forbidden: not the committee. Conflict: not waiting for acceptance. RuleConflict
        ``mediation_committee_art10``: the committee's roster is incomplete. RuleViolation
        ``mediator_conflict_of_interest``.
    """
    with uow:
        record = visible(uow, case_id, actor, lock=True)
        _committee(actor)
        try:
            committee.check_composition(committee.roster(uow))
        except RuleViolation as exc:
            raise RuleConflict("record a mediation committee of worker and employer representatives first",
                               "mediation_committee_art10", exc.errors) from exc
        check_mediator(uow, record, mediator, employer_rep, no_conflict_declared)
        now = uow.now()
        record.mediator, record.employer_rep, record.conflict_declared_at = mediator, employer_rep, now
        audit(uow, record, "casework.mediation_accepted", {"mediator": mediator, "employer_rep": employer_rep,
                                                           "no_conflict_declared": True}, actor.username)
        _complete(uow, record, "accept", {"decision": "accept"}, actor)
        uow.commit()


def refuse(uow: UnitOfWork, case_id: int, *, reason: str, actor: Actor) -> None:
    """The committee refuses the application with its reason; the applicant is told.

    Raises:
        NotFound. Forbidden. Conflict: not waiting for acceptance. ValidationFailed: no reason.
    """
    if not reason.strip():
        raise ValidationFailed("a refusal states its reason", {"reason": ["required"]})
    with uow:
        record = visible(uow, case_id, actor, lock=True)
        _committee(actor)
        record.refusal_reason = reason.strip()
        audit(uow, record, "casework.mediation_refusal_reasoned",
              {"reason_sha256": hashlib.sha256(reason.encode()).hexdigest()}, actor.username)
        _complete(uow, record, "accept", {"decision": "refuse"}, actor)
        uow.commit()


def _mediator_only(actor: Actor, record: MediationCase) -> None:
    if actor.username != record.mediator:
        raise Forbidden(f"only the case's mediator ({record.mediator}) may do this")
    if record.status != "mediating":
        raise Conflict(f"mediation case {record.id} is {record.status}; this needs it to be mediating")


def add_session(uow: UnitOfWork, case_id: int, *, held_at: datetime | None, record_text: str,
                actor: Actor) -> int:
    """The mediator records a session (调解笔录); the audit trail gets its SHA-256.

    Raises:
        NotFound. Forbidden: not the mediator. Conflict: not mediating. ValidationFailed: empty record, or a
        time in the future or before the application.
    """
    with uow:
        record = visible(uow, case_id, actor, lock=True)
        _mediator_only(actor, record)
        now = uow.now()
        when = held_at or now
        if not record_text.strip():
            raise ValidationFailed("write the session's record", {"record": ["required"]})
        if when > now or when < record.received_at:
            raise ValidationFailed("a session is held between the application and now", {"held_at": [str(when)]})
        row = MediationSession(case_id=record.id, held_at=when, record=record_text.strip(),
                               recorded_by=actor.username, recorded_at=now)
        uow.session.add(row)
        uow.session.flush()
        audit(uow, record, "casework.mediation_session", {
            "session_id": row.id, "held_at": when.isoformat(),
            "record_sha256": hashlib.sha256(row.record.encode()).hexdigest()}, actor.username)
        uow.commit()
        return row.id


def close(uow: UnitOfWork, case_id: int, *, outcome: str, terms: str | None, signed_by_both: bool,
          actor: Actor) -> None:
    """The mediator ends the mediation: an agreement (its terms, signed by both parties) or no agreement.

    劳动争议调解仲裁法 第14条 (U): the agreement document is signed or sealed by both parties, signed by the
    mediator and sealed by the committee; dmflow generates it from ``terms`` and records the signatures declared.

    Raises:
        NotFound. Forbidden: not the mediator. Conflict: not mediating. RuleViolation
        ``agreement_signed_by_both_parties_art14``. ValidationFailed: unknown outcome, agreement without terms.
    """
    if outcome not in ("agreement", "failed"):
        raise ValidationFailed("the outcome is agreement or failed", {"outcome": [outcome]})
    if outcome == "agreement" and not (terms or "").strip():
        raise ValidationFailed("an agreement states its terms", {"terms": ["required"]})
    if outcome == "agreement" and not signed_by_both:
        raise RuleViolation("the mediation agreement is signed by both parties (第14条)",
                            "agreement_signed_by_both_parties_art14", {"signed_by_both": ["required"]})
    with uow:
        record = visible(uow, case_id, actor, lock=True)
        _mediator_only(actor, record)
        record.outcome_note = (terms or "").strip() or None
        _complete(uow, record, "mediate", {"outcome": outcome}, actor)
        uow.commit()


EXTENDED = "casework.mediation_extended"


def extend(uow: UnitOfWork, case_id: int, *, days: int, applicant_consent: bool, employer_consent: bool,
           actor: Actor) -> None:
    """The mediator records that both parties agreed to extend the period; the diagram moves its deadline.

    The 15 days of 劳动争议调解仲裁法 第14条 are extended only with both parties' consent (企业劳动争议协商调解规定
    2011, not in rules.md; U). Extensions add up and still count from the day the application was received.

    Raises:
        NotFound. Forbidden: not the mediator. Conflict: not mediating, or the period already ran out.
        RuleViolation ``extension_needs_both_parties_consent``. ValidationFailed: days below 1.
    """
    if days < 1:
        raise ValidationFailed("extend by at least one day", {"days": [str(days)]})
    if not (applicant_consent and employer_consent):
        raise RuleViolation("the mediation period is extended only if both parties agree",
                            "extension_needs_both_parties_consent",
                            {k: ["required"] for k, v in (("applicant_consent", applicant_consent),
                                                          ("employer_consent", employer_consent)) if not v})
    with uow:
        record = visible(uow, case_id, actor, lock=True)
        _mediator_only(actor, record)
        record.extension_days += days
        audit(uow, record, "casework.mediation_extension_agreed", {"days": days,
                                                                   "extension_days": record.extension_days,
                                                                   "applicant_consent": True,
                                                                   "employer_consent": True}, actor.username)
        if not route_message(uow, EXTENDED, {"case_id": record.id}, {"extension_days": record.extension_days},
                             actor=actor.username):
            raise Conflict(f"mediation case {record.id} does not wait for an extension")
        uow.commit()
