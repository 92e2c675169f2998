"""The enterprise's labour-dispute mediation committee (企业劳动争议调解委员会) and its composition check.

劳动争议调解仲裁法 第10条 (not in rules.md; U until checked against the official text): "企业劳动争议调解委员会由
职工代表和企业代表组成。职工代表由工会成员担任或者由全体职工推举产生，企业代表由企业负责人指定。企业劳动争议调解委员会
主任由工会成员或者双方推举的人员担任。" dmflow checks what a roster shows: both sides present, exactly one chair, the
chair a union member or chosen by both sides. How the worker members were elected is recorded on paper, not checked.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from engine.audit import SYSTEM_CHAIN
from engine.errors import Forbidden
from engine.identity import ADMIN, Actor
from engine.unit_of_work import UnitOfWork
from workflows.casework.tables import MediationCommitteeMember
from workflows.errors import RuleViolation

ROLE = "mediation_committee"  # the role of committee members: they see every case and act on it
SIDES = ("worker", "employer")
FIELDS = ("username", "side", "union_member", "chair", "chair_agreed_by_both")


def check_composition(members: list[dict[str, Any]]) -> None:
    """Raises: RuleViolation ``mediation_committee_art10`` naming what the roster lacks."""
    problems: dict[str, list[str]] = {}
    names = [m["username"] for m in members]
    if len(set(names)) != len(names):
        problems["members"] = ["a person sits once"]
    missing = [side for side in SIDES if not any(m["side"] == side for m in members)]
    if missing:
        problems["side"] = [f"no {side} representative (第10条: 由职工代表和企业代表组成)" for side in missing]
    chairs = [m for m in members if m.get("chair")]
    if len(chairs) != 1:
        problems["chair"] = [f"exactly one chair (主任), found {len(chairs)}"]
    elif not (chairs[0].get("union_member") or chairs[0].get("chair_agreed_by_both")):
        problems["chair"] = ["the chair is a union member or chosen by both sides "
                             "(第10条: 由工会成员或者双方推举的人员担任)"]
    if problems:
        raise RuleViolation("the mediation committee's composition breaks 劳动争议调解仲裁法 第10条",
                            "mediation_committee_art10", problems)


def set_roster(uow: UnitOfWork, members: list[dict[str, Any]], *, actor: Actor) -> list[dict[str, Any]]:
    """Replace the committee's roster (admins), after checking its composition; audited.

    Raises:
        Forbidden: not an admin. RuleViolation ``mediation_committee_art10``.
    """
    if not actor.has(ADMIN):
        raise Forbidden("only an admin records the mediation committee")
    rows = [{k: m.get(k, False) for k in FIELDS} for m in members]
    check_composition(rows)
    with uow:
        now = uow.now()
        uow.session.execute(delete(MediationCommitteeMember))
        for row in rows:
            uow.session.add(MediationCommitteeMember(**row, updated_by=actor.username, updated_at=now))
        uow.audit(SYSTEM_CHAIN, "casework.mediation_committee_set", {"members": rows}, actor=actor.username)
        uow.commit()
    return roster(uow)


def roster(uow: UnitOfWork) -> list[dict[str, Any]]:
    """The committee's members, chair first."""
    with uow:
        found = uow.session.scalars(select(MediationCommitteeMember).order_by(
            MediationCommitteeMember.chair.desc(), MediationCommitteeMember.side, MediationCommitteeMember.username))
        return [{k: getattr(m, k) for k in FIELDS} for m in found]


def member(session, username: str) -> MediationCommitteeMember | None:
    """The roster entry of a user, if any."""
    return session.get(MediationCommitteeMember, username)
