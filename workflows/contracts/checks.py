"""Checks run before a human task of the contract procedure completes (registered with ``workflows.hooks``).

A refusal here is an HTTP error (4xx naming the rule and article) and changes nothing: the task stays open.
Dates the statute orders are compared with the case's records: the labour bureau's receipt is on or after
the filing, which is on or after the signature (第42条, 第47条); the publication on or after the effect
(第48条); the adoption vote's quorum (第36条) is checked when the draft is submitted, not after.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from engine.errors import Conflict, ValidationFailed
from workflows.calendar import local_today
from workflows.congress import ballots, meetings
from workflows.contracts.record import MATTER_TYPES, PROCESS_ID, get_contract, local_tz, violation
from workflows.contracts.tables import Contract, Filing
from workflows.hooks import case_validator, rules_of, validator


def _not_in_future(uow, data: dict[str, Any], field: str) -> None:
    today = local_today(uow)
    if data.get(field) and dt.date.fromisoformat(data[field][:10]) > today:
        raise ValidationFailed(f"{field} cannot be in the future", {field: [f"on or before {today}"]})


def _contract_of(uow, instance_id: str) -> Contract:
    contract_id = uow.session.scalar(select(Contract.id).where(Contract.instance_id == instance_id))
    return get_contract(uow.session, contract_id)


def _local_day(contract: Contract, at: dt.datetime | None) -> dt.date | None:
    return at.astimezone(local_tz(contract)).date() if at is not None else None


@case_validator(PROCESS_ID, "submit_to_congress")
def _check_submission(uow, instance_id: str, data: dict[str, Any], actor) -> None:
    """The agenda item is a draft of this contract's kind, its meeting in session with 2/3 present (第36条)."""
    contract = _contract_of(uow, instance_id)
    matter = meetings.get_matter(uow.session, int(data["matter_id"]))
    expected = MATTER_TYPES[contract.kind]
    if matter.matter_type != expected:
        raise ValidationFailed(f"matter {matter.id} is a '{matter.matter_type}'; a {contract.kind} contract is "
                               f"adopted under '{expected}'", {"matter_id": [f"a matter of type {expected}"]})
    meeting = meetings.get_meeting(uow.session, matter.meeting_id)
    if meeting.status != "in_session":
        raise Conflict(f"meeting {meeting.id} is {meeting.status}: convene it and check the representatives in first")
    ballots.check_quorum(uow.session, meeting, rules_of(uow), contract.adoption_majority)


@validator(PROCESS_ID, "extend_coordination")
def _check_extension(uow, data: dict[str, Any], actor) -> None:
    limit = rules_of(uow).dispute_extension_days
    if data["extension_days"] > limit:
        raise violation(f"coordination may be extended by at most {limit} days, not {data['extension_days']}",
                        "dispute_extension_days", {"extension_days": [f"at most {limit}"]})


@case_validator(PROCESS_ID, "register_receipt")
def _check_receipt(uow, instance_id: str, data: dict[str, Any], actor) -> None:
    """The bureau receives the text after it was filed, which is after both chiefs signed (第42条, 第47条)."""
    _not_in_future(uow, data, "received_on")
    contract = _contract_of(uow, instance_id)
    received = dt.date.fromisoformat(data["received_on"][:10])
    filing = uow.session.scalar(select(Filing).where(Filing.contract_id == contract.id)
                                .order_by(Filing.number.desc()).limit(1))
    filed = _local_day(contract, filing.filed_at if filing else None)
    signed = _local_day(contract, contract.signed_at)
    for day, what in ((filed, "filed"), (signed, "signed")):
        if day is not None and received < day:
            raise violation(f"the labour administration cannot receive the text on {received}, before it was "
                            f"{what} on {day}", "receipt_after_filing", {"received_on": [f"on or after {day}"]})


@case_validator(PROCESS_ID, "publish")
def _check_publication(uow, instance_id: str, data: dict[str, Any], actor) -> None:
    """The contract is published to all workers once it is effective (第48条), not before."""
    _not_in_future(uow, data, "published_on")
    contract = _contract_of(uow, instance_id)
    effective = _local_day(contract, contract.effective_at)
    if data.get("published_on") and effective and dt.date.fromisoformat(data["published_on"][:10]) < effective:
        raise violation(f"a contract effective on {effective} cannot be published on {data['published_on']}",
                        "publication_after_effect", {"published_on": [f"on or after {effective}"]})


for _element, _field in (("accept_dispute", "accepted_on"), ("coordinate", "agreement_signed_on"),
                         ("coordinate_late", "agreement_signed_on"), ("escalate", "decided_on")):
    validator(PROCESS_ID, _element)(lambda uow, data, actor, field=_field: _not_in_future(uow, data, field))
