"""Service-task handlers and task checks of labour_mediation.bpmn.

Each handler updates the case inside the step's transaction, audits it, tells the worker where the diagram says
so, and returns what the diagram needs (a time, the mediator, the case's status).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.notifications import notify
from engine.steps import current_step
from workflows.casework import appraisal_handlers as _appraisal  # noqa: F401  (registers on import)
from workflows.casework import hardship_handlers as _hardship  # noqa: F401  (registers on import)
from workflows.casework import legal_aid_handlers as _legal_aid  # noqa: F401  (registers on import)
from workflows.casework import letters, records
from workflows.casework.mediation import PROCESS_ID, applicants, fetch, link, parties
from workflows.casework.stage import guard
from workflows.casework.tables import MediationCase
from workflows.hooks import service, validator

for _element in ("accept", "mediate"):
    validator(PROCESS_ID, _element)(guard)


def _case(params: dict[str, Any]) -> MediationCase:
    return fetch(current_step().uow.session, int(params["case_id"]), lock=True)


def _set(record: MediationCase, status: str, event: str, payload: dict[str, Any] | None = None) -> str:
    return records.set_status(record, status, event, payload, final=("refused", "agreed", "failed"))


def _tell(record: MediationCase, who: list[str], what: str, title: str, body: str) -> None:
    notify(current_step().uow, who, f"casework.mediation_{what}", title, body, link(record.id),
           f"mediation:{record.id}:{what}")


@service("casework.mediation_attach")
def attach(params: dict[str, Any], data: dict[str, Any]) -> str:
    """Link the case to this instance; returns when the application was received (ISO, UTC).

    Raises:
        LookupError: no such case, or one already followed by another instance (an incident).
    """
    record = records.attach(MediationCase, int(params["case_id"]), "mediation case", "POST /api/v1/casework/mediations")
    _set(record, "received", "casework.mediation_received", {"oral": record.oral,
                                                             "applicants": len(applicants(record))})
    return record.received_at.isoformat()


@service("casework.mediation_due")
def record_due(params: dict[str, Any], data: dict[str, Any]) -> str:
    """Keep the 15-day deadline the diagram computed (第14条) on the case."""
    record = _case(params)
    record.due_at = dt.datetime.fromisoformat(params["due"]).astimezone(dt.UTC)
    return _set(record, record.status, "casework.mediation_deadline", {"due_at": record.due_at.isoformat()})


@service("casework.mediation_refused")
def refused(params: dict[str, Any], data: dict[str, Any]) -> str:
    """Close the case as refused and tell the applicants (with the reason, on the case page)."""
    record = _case(params)
    _tell(record, applicants(record), "refused", f"调解申请不予受理（第{record.id}号）",
          "调解委员会决定不予受理，理由见案件页面。你可以依法申请仲裁。 The application was not accepted; "
          "you may apply for arbitration.")
    return _set(record, "refused", "casework.mediation_refused")


@service("casework.mediation_open")
def open_mediation(params: dict[str, Any], data: dict[str, Any]) -> str:
    """The case is being mediated; the applicants and the mediator are told. Returns the mediator."""
    record = _case(params)
    _set(record, "mediating", "casework.mediation_opened", {"mediator": record.mediator})
    _tell(record, parties(record), "opened", f"调解申请已受理（第{record.id}号）",
          f"调解员：{record.mediator}。 The application was accepted; a mediator was assigned.")
    return record.mediator


@service("casework.mediation_agreed")
def agreed(params: dict[str, Any], data: dict[str, Any]) -> str:
    """Generate the 调解协议书, keep it with its SHA-256, and tell both parties."""
    record = _case(params)
    doc = letters.agreement(current_step().uow, record, current_step().actor)
    record.agreement_document_id = doc.id
    _tell(record, parties(record), "agreed", f"达成调解协议（第{record.id}号）",
          "调解协议书已生成，见案件页面。 The mediation agreement is on the case page.")
    return _set(record, "agreed", "casework.mediation_agreed", {"document_id": doc.id, "sha256": doc.sha256})


@service("casework.mediation_failed")
def failed(params: dict[str, Any], data: dict[str, Any]) -> str:
    """No agreement (declared, or the 15 days of 第14条 ran out): the referral letter, and the worker is told."""
    record = _case(params)
    expired = data.get("outcome") != "failed"
    doc = letters.referral(current_step().uow, record, expired, current_step().actor)
    record.referral_document_id = doc.id
    _tell(record, parties(record), "failed", f"调解终止，可以申请仲裁（第{record.id}号）",
          f"{letters.LIMITATION_NOTE} 仲裁告知书见案件页面。 Mediation ended without agreement; you may apply "
          "for arbitration (one-year limitation, art. 27).")
    return _set(record, "failed", "casework.mediation_failed", {"expired": expired, "document_id": doc.id,
                                                                "sha256": doc.sha256})
