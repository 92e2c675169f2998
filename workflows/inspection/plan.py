"""Planning an inspection (职工代表巡视, rules.md §2.5): subject, inspected department, team, dates; its instance."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import or_, select

from engine.audit import instance_chain
from engine.departments import require_known
from engine.deployments import find_version
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.identity import Actor
from engine.runtime import create_instance
from engine.unit_of_work import UnitOfWork
from workflows.calendar import local_today
from workflows.congress.tables import Representative
from workflows.errors import RuleViolation
from workflows.hooks import rules_of
from workflows.inspection.tables import Inspection

PROCESS_ID = "inspection"
PLANNERS = ("presidium", "union_chair")
SUBJECTS = ("resolution", "proposal", "disclosure", "contract", "safety", "other")


def seated_usernames(session, usernames: list[str], day: dt.date) -> set[str]:
    """Those of ``usernames`` linked to a representative seated on ``day`` (any term)."""
    rows = session.scalars(select(Representative.username).where(
        Representative.username.in_(usernames), Representative.elected_on <= day,
        or_(Representative.ended_on.is_(None), Representative.ended_on > day)))
    return set(rows)


def _check_team(session, team: list[str], day: dt.date) -> None:
    """rules.md §2.5 (V as practice): a team of representatives with the union, representatives in the majority."""
    if len(team) < 2 or len(set(team)) != len(team):
        raise ValidationFailed("an inspection team has at least two different members", {"team": team})
    reps = seated_usernames(session, team, day)
    if len(reps) * 2 <= len(team):
        raise RuleViolation(f"representatives must be the majority of the team ({len(reps)} of {len(team)})",
                            "inspection_team_representatives_majority",
                            {"team": [f"not a seated representative: {u}" for u in team if u not in reps]})


def _check_dates(starts_on: dt.date, ends_on: dt.date, today: dt.date, notice_days: int) -> None:
    """rules.md §2.5 (V as practice): the inspected unit is told ``notice_days`` days ahead (default 10)."""
    if ends_on < starts_on:
        raise ValidationFailed("the inspection ends after it starts", {"ends_on": [str(ends_on)]})
    earliest = today + dt.timedelta(days=notice_days)
    if starts_on < earliest:
        raise RuleViolation(f"the inspected unit is notified {notice_days} days ahead: start on {earliest} or later",
                            "inspection_notice_days", {"starts_on": [f"on or after {earliest}"]})


def plan_inspection(uow: UnitOfWork, body: dict[str, Any], *, actor: Actor) -> Inspection:
    """Record the plan and start its ``inspection`` instance (the unit is notified at once by the diagram).

    Args:
        body: title, subject_kind (one of SUBJECTS), optional subject_ref (the resolution's matter, the proposal,
            the disclosure or the contract id), scope, department (code or name), team (usernames),
            starts_on, ends_on, optional notice_days and answer_days (defaults from the rules).

    Raises:
        Forbidden: not the presidium or the union. NotFound: the diagram is not deployed. ValidationFailed.
        RuleViolation ``inspection_team_representatives_majority``, ``inspection_notice_days``.
    """
    if not actor.has(*PLANNERS):
        raise Forbidden("an inspection is planned by the presidium or the union", {"roles": list(PLANNERS)})
    if body["subject_kind"] not in SUBJECTS:
        raise ValidationFailed("unknown subject", {"subject_kind": [f"one of {', '.join(SUBJECTS)}"]})
    rules = rules_of(uow)
    notice_days = body.get("notice_days") or rules.inspection_notice_days
    answer_days = body.get("answer_days") or rules.inspection_answer_days
    with uow:
        today, now = local_today(uow), uow.now()
        department = require_known(uow, body["department"], "department")
        _check_team(uow.session, body["team"], today)
        _check_dates(body["starts_on"], body["ends_on"], today, notice_days)
        try:
            pv = find_version(uow.session, PROCESS_ID)
        except NotFound as exc:
            raise NotFound("the inspection diagram is not deployed (dmflow deploy-bundled)") from exc
        row = Inspection(title=body["title"], subject_kind=body["subject_kind"], subject_ref=body.get("subject_ref"),
                         scope=body.get("scope") or "", department=department, team_json=json.dumps(body["team"]),
                         starts_on=body["starts_on"], ends_on=body["ends_on"], notice_days=notice_days,
                         answer_days=answer_days, status="planned", created_by=actor.username, created_at=now,
                         updated_at=now)
        uow.session.add(row)
        uow.session.flush()
        data = {"inspection_id": row.id, "team": body["team"], "inspected_department": department, "title": row.title,
                "answer_days": answer_days}
        row.instance_id = create_instance(uow, pv, actor=actor.username, data=data,
                                          business_key=f"inspection:{row.id}")
        uow.audit(instance_chain(row.instance_id), "inspection.planned", {
            "inspection_id": row.id, "title": row.title, "subject_kind": row.subject_kind,
            "subject_ref": row.subject_ref, "department": department, "team": body["team"],
            "starts_on": row.starts_on.isoformat(), "ends_on": row.ends_on.isoformat(), "notice_days": notice_days},
            actor=actor.username, instance_id=row.instance_id)
        uow.commit()
    return row
