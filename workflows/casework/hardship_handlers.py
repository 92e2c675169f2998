"""Service-task handlers of hardship.bpmn: each updates the file in the step's transaction, audits it and tells the
applicant where the diagram says so."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from engine.notifications import notify
from engine.steps import current_step
from workflows.calendar import add_months
from workflows.casework import records
from workflows.casework.hardship import PROCESS_ID, fetch, link
from workflows.casework.stage import guard
from workflows.casework.tables import HardshipCase, HardshipObjection
from workflows.hooks import rules_of, service, validator

for _element in ("verify", "decide", "resolve", "pay", "review"):
    validator(PROCESS_ID, _element)(guard)


def _case(params: dict[str, Any]) -> HardshipCase:
    return fetch(current_step().uow.session, int(params["case_id"]), lock=True)


def _set(record: HardshipCase, status: str, event: str, payload: dict[str, Any] | None = None) -> str:
    return records.set_status(record, status, event, payload, final=("rejected", "closed"))


def _tell(record: HardshipCase, what: str, title: str, body: str, key: str | None = None) -> None:
    notify(current_step().uow, record.applicant, f"casework.hardship_{what}", title, body, link(record.id),
           key or f"hardship:{record.id}:{what}")


@service("casework.hardship_attach")
def attach(params: dict[str, Any], data: dict[str, Any]) -> str:
    """Raises: LookupError (an incident) for a file not started by the domain."""
    record = records.attach(HardshipCase, int(params["case_id"]), "hardship file", "POST /api/v1/casework/hardship")
    return _set(record, "verifying", "casework.hardship_received")


@service("casework.hardship_rejected")
def rejected(params: dict[str, Any], data: dict[str, Any]) -> str:
    record = _case(params)
    _tell(record, "rejected", f"困难帮扶申请未获批准（第{record.id}号）",
          "帮扶委员会决定不予帮扶，理由可向委员会查询。 Assistance was not granted.")
    return _set(record, "rejected", "casework.hardship_rejected")


@service("casework.hardship_published")
def published(params: dict[str, Any], data: dict[str, Any]) -> str:
    """The list entry is published (name and kind only); returns when publicity began."""
    record = _case(params)
    _set(record, "publicity", "casework.hardship_published", {"assistance_kind": record.assistance_kind})
    _tell(record, "published", f"困难帮扶名单公示中（第{record.id}号）",
          "委员会已批准帮扶，名单公示期满无异议后发放。 Assistance was granted; the list is published first.")
    return current_step().uow.now().isoformat()


@service("casework.hardship_publicity")
def publicity_until(params: dict[str, Any], data: dict[str, Any]) -> str:
    record = _case(params)
    record.publicity_until = dt.datetime.fromisoformat(params["until"]).astimezone(dt.UTC)
    return _set(record, "publicity", "casework.hardship_publicity", {"until": record.publicity_until.isoformat()})


@service("casework.hardship_publicity_closed")
def publicity_closed(params: dict[str, Any], data: dict[str, Any]) -> int:
    """Publicity is over; returns the objections to resolve (0: on to payment)."""
    record = _case(params)
    count = current_step().uow.session.scalar(select(func.count()).select_from(HardshipObjection).where(
        HardshipObjection.case_id == record.id, HardshipObjection.resolved_at.is_(None)))
    _set(record, "objections" if count else "paying", "casework.hardship_publicity_closed", {"objections": count})
    return count


@service("casework.hardship_paid")
def paid(params: dict[str, Any], data: dict[str, Any]) -> str:
    """Tell the applicant; the next review falls ``hardship_review_months`` later (09:00 local). Returns it."""
    step = current_step()
    record = _case(params)
    cal = step.uow.runtime.context["calendar"]
    day = add_months(cal.local_date(step.uow.now()), rules_of(step.uow).hardship_review_months)
    record.review_due = dt.datetime.combine(day, dt.time(9), cal.tz).astimezone(dt.UTC)
    _set(record, "assisted", "casework.hardship_assisted", {"review_due": record.review_due.isoformat()})
    _tell(record, "paid", f"困难帮扶已发放（第{record.id}号）", "帮扶已发放。 Assistance was paid.",
          f"hardship:{record.id}:paid:{step.uow.now().isoformat()}")
    return record.review_due.isoformat()


@service("casework.hardship_closed")
def closed(params: dict[str, Any], data: dict[str, Any]) -> str:
    record = _case(params)
    _tell(record, "closed", f"困难帮扶档案结案（第{record.id}号）", "经年度复核，帮扶档案结案。 The file was closed.")
    return _set(record, "closed", "casework.hardship_closed")
