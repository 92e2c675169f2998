"""Service-task handlers and task checks of the session diagrams (bpmn/congress/session.bpmn and
session_yearly.bpmn)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.audit import instance_chain
from engine.identity import Actor
from engine.notifications import Role, notify
from engine.steps import current_step
from workflows.calendar import add_months, calendar_of
from workflows.congress import (
    election_minutes,  # noqa: F401  (registers the elections' section of the minutes)
    meetings,
    minutes,
    roster,
    session,
)
from workflows.congress.session_tables import SessionRecord
from workflows.congress.tables import Meeting, Term
from workflows.hooks import case_validator, rules_of, service
from workflows.numerals import chinese

PROCESS = session.PROCESS_ID


def _meeting_id(data: dict[str, Any]) -> int:
    return int(data["meeting_id"])


def _of_case(uow, instance_id: str) -> int:
    return uow.session.scalar(select(SessionRecord.meeting_id).where(SessionRecord.instance_id == instance_id))


@case_validator(PROCESS, "preparatory")
def _check_preparatory(uow, instance_id: str, data: dict[str, Any], actor: Actor) -> None:
    session.check_preparatory(uow, _of_case(uow, instance_id), data, rules_of(uow))


@case_validator(PROCESS, "plenary")
def _check_plenary(uow, instance_id: str, data: dict[str, Any], actor: Actor) -> None:
    session.check_plenary_done(uow, _of_case(uow, instance_id))


@case_validator(PROCESS, "approve_minutes")
def _check_minutes(uow, instance_id: str, data: dict[str, Any], actor: Actor) -> None:
    minutes.check_approvable(uow, _of_case(uow, instance_id))


@service("congress.check_extraordinary")
def check_extraordinary(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The extraordinary session's proposal, checked again and recorded (1986 条例 第18条)."""
    step = current_step()
    s = step.uow.session
    meeting = meetings.get_meeting(s, _meeting_id(data))
    supporters = list(data.get("supporters") or [])
    session.check_extraordinary(s, meeting, data.get("proposed_by"), supporters, rules_of(step.uow))
    result = {"proposed_by": data.get("proposed_by"), "supporters": len(supporters),
              "seated": roster.seated_count(s, meeting)}
    step.uow.audit(instance_chain(step.instance_id), "session.extraordinary_checked", result, actor=step.actor,
                   instance_id=step.instance_id)
    return result


@service("congress.approve_preparatory")
def approve_preparatory(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Keep the presidium, agenda and scrutineers the preparatory meeting approved; convene the meeting."""
    step = current_step()
    session.approve_preparatory(step.uow, _meeting_id(data), data, step.actor)
    return {"convened": True}


@service("congress.close_session")
def close_session(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    step = current_step()
    meetings.close_meeting(step.uow, _meeting_id(data), actor=Actor(step.actor or "system", frozenset()))
    return {"closed": True}


@service("congress.draft_minutes")
def draft_minutes(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    step = current_step()
    row = minutes.generate(step.uow, _meeting_id(data), step.actor)
    return {"chars": len(row.text)}


@service("congress.publish_minutes")
def publish_minutes(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    step = current_step()
    row = minutes.approve_and_publish(step.uow, _meeting_id(data), step.actor, step.instance_id)
    return {"document_id": row.document_id, "sha256": row.sha256}


@service("congress.remind_if_no_session")
def remind_if_no_session(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """rules.md §2.2: a session at least every ``session_interval_months`` (default 12: once a year, 民主管理规定,
    U; 6 for the 1986 条例 第18条, V). Remind the union of every term in force whose last session (or start)
    is that long ago with no session planned."""
    step = current_step()
    s = step.uow.session
    today = calendar_of(step.uow).local_date(step.uow.now())
    months = rules_of(step.uow).session_interval_months
    overdue = []
    for term in s.scalars(select(Term).where(Term.starts_on <= today, Term.ends_on >= today)):
        last = session.last_session_day(s, term.id) or term.starts_on
        planned = s.scalar(select(Meeting.id).where(Meeting.term_id == term.id, Meeting.status != "closed"))
        if planned is None and add_months(last, months) <= today:
            overdue.append(term.id)
            notify(step.uow, [Role("union_chair")], "congress.session_due",
                   f"第{chinese(term.number)}届职工代表大会已超过{months}个月未召开", f"上次会议：{last.isoformat()}。"
                   f"职工代表大会至少每{months}个月召开一次，请安排会议。", "/congress/meetings",
                   f"congress:session_due:{term.id}:{today.year}-{today.month:02d}")
    step.uow.audit(instance_chain(step.instance_id), "congress.sessions_checked", {
        "on": today.isoformat(), "interval_months": months, "overdue_terms": overdue},
        actor=step.actor, instance_id=step.instance_id)
    return {"overdue_terms": overdue}
