"""The composition of a term's representatives against the statutory shares (categories, women, managers)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy.orm import Session

from engine.unit_of_work import UnitOfWork
from workflows import rules as r
from workflows.calendar import local_today
from workflows.congress.roster import MANAGERS, seated
from workflows.congress.tables import Organisation, Term
from workflows.errors import RuleViolation
from workflows.records import fetch


def composition_report(session: Session, term: Term, day: dt.date, rules: r.Rules) -> dict[str, Any]:
    """The seated congress on ``day`` measured against rules.md §2.1.

    Hard (block convening): ``min_representatives`` (>= 5% of headcount, at least 30; ~第25条, U) and
    ``max_manager_share`` (中层以上管理人员和领导人员 <= 20%; ~第26条, U). Soft (warnings): women and
    dispatched workers below their share of the workforce ("适当比例", ~第26条, U).
    """
    org = session.get(Organisation, term.organisation_id)
    reps = seated(session, term.id, day)
    seats = len(reps)
    managers = sum(p.category in MANAGERS for p in reps)
    women = sum(p.gender == "female" for p in reps)
    dispatched = sum(p.dispatched for p in reps)
    needed = r.min_representatives(org.headcount, rules)
    violations = []
    if seats < needed:
        violations.append({"rule": "min_representatives", "severity": "hard", "message":
                           f"{seats} representatives are seated on {day}; at least {needed} are required "
                           f"({rules.representative_share_of_headcount} of {org.headcount} workers, minimum "
                           f"{rules.min_representatives})"})
    if seats and not r.managers_within_cap(managers, seats, rules):
        violations.append({"rule": "max_manager_share", "severity": "hard", "message":
                           f"{managers} of {seats} seats are held by mid-level or senior managers; at most "
                           f"{r.max_managers(seats, rules)} ({rules.max_manager_share}) are allowed"})
    shares = {}
    for key, count, workforce in (("women", women, org.women_count), ("dispatched", dispatched,
                                                                       org.dispatched_count)):
        shares[key] = {"seats": count, "share": round(count / seats, 4) if seats else 0.0,
                       "workforce": workforce, "workforce_share": round(workforce / org.headcount, 4)}
        if seats and count * org.headcount < workforce * seats:
            violations.append({"rule": f"{key}_share", "severity": "soft", "message":
                               f"{key}: {count} of {seats} seats ({shares[key]['share']:.1%}) is below their "
                               f"share of the workforce ({shares[key]['workforce_share']:.1%})"})
    return {"term_id": term.id, "on": day, "headcount": org.headcount, "seated": seats,
            "min_representatives": needed, "managers": managers, "max_managers": r.max_managers(seats, rules)
            if seats else 0, "women": shares["women"], "dispatched": shares["dispatched"],
            "by_category": dict(Counter(p.category for p in reps)),
            "by_delegation": dict(Counter(p.delegation for p in reps)),
            "violations": violations, "ok": not any(v["severity"] == "hard" for v in violations)}


def composition(uow: UnitOfWork, term_id: int, rules: r.Rules, on: dt.date | None = None) -> dict[str, Any]:
    """The composition report of a term on a day (default: today in the enterprise's time zone). Raises: NotFound."""
    with uow:
        term = fetch(uow.session, Term, term_id, "term")
        return composition_report(uow.session, term, on or local_today(uow), rules)


def require_valid_composition(report: dict[str, Any]) -> None:
    """Raises: RuleViolation naming every hard composition rule broken."""
    hard = [v for v in report["violations"] if v["severity"] == "hard"]
    if hard:
        raise RuleViolation("the congress composition breaks the rules: " + "; ".join(v["message"] for v in hard),
                            [v["rule"] for v in hard], {"composition": [v["message"] for v in hard]})
