"""Service-task handlers of legal_aid.bpmn: each updates the case in the step's transaction, audits it and tells
the worker."""

from __future__ import annotations

from typing import Any

from engine.notifications import notify
from engine.steps import current_step
from workflows.casework import records
from workflows.casework.legal_aid import PROCESS_ID, fetch, link, referral_package
from workflows.casework.stage import guard
from workflows.casework.tables import LegalAidCase
from workflows.hooks import service, validator

for _element in ("review", "follow_up"):
    validator(PROCESS_ID, _element)(guard)


def _case(params: dict[str, Any]) -> LegalAidCase:
    return fetch(current_step().uow.session, int(params["case_id"]), lock=True)


def _set(record: LegalAidCase, status: str, event: str, payload: dict[str, Any] | None = None) -> str:
    return records.set_status(record, status, event, payload, final=("declined", "closed"))


def _tell(record: LegalAidCase, what: str, title: str, body: str) -> None:
    notify(current_step().uow, record.applicant, f"casework.legal_aid_{what}", title, body, link(record.id),
           f"legal_aid:{record.id}:{what}")


@service("casework.legal_aid_attach")
def attach(params: dict[str, Any], data: dict[str, Any]) -> str:
    """Link the case to this instance. Raises: LookupError (an incident) for a case not started by the domain."""
    record = records.attach(LegalAidCase, int(params["case_id"]), "legal-aid case", "POST /api/v1/casework/legal-aid")
    return _set(record, "reviewing", "casework.legal_aid_received")


@service("casework.legal_aid_declined")
def declined(params: dict[str, Any], data: dict[str, Any]) -> str:
    record = _case(params)
    _tell(record, "declined", f"法律援助申请未获支持（第{record.id}号）",
          "工会审查后决定不予援助，理由见案件。 The union declined legal aid; the reason is on the case.")
    return _set(record, "declined", "casework.legal_aid_declined")


@service("casework.legal_aid_referred")
def referred(params: dict[str, Any], data: dict[str, Any]) -> str:
    """Generate the referral package and tell the worker where they were referred."""
    record = _case(params)
    doc = referral_package(current_step().uow, record, current_step().actor)
    record.referral_document_id = doc.id
    _tell(record, "referred", f"已转介法律援助（第{record.id}号）",
          f"已转介至：{record.referred_to}。 You were referred to {record.referred_to}.")
    return _set(record, "referred", "casework.legal_aid_referred", {"referred_to": record.referred_to,
                                                                     "document_id": doc.id, "sha256": doc.sha256})


@service("casework.legal_aid_closed")
def closed(params: dict[str, Any], data: dict[str, Any]) -> str:
    record = _case(params)
    _tell(record, "closed", f"法律援助已结案（第{record.id}号）", "办理结果见案件。 The outcome is on the case.")
    return _set(record, "closed", "casework.legal_aid_closed")
