"""Special committees (专门委员会, rules.md §2.1, U): 提案、集体合同、劳动保护、生活福利、民主评议 by default, any other
by name; their members approved by the congress in session, one of them the head.

A committee with a working group of its own in the diagrams (the proposal committee is the ``proposal_committee``
lane of proposal.bpmn) gives that role to its members' accounts when the congress approves them, and takes it
from those it replaces, so the committee the congress approved is the one that screens proposals.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import identity
from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.identity import ADMIN, SYSTEM, Actor
from engine.models import User, UserRole
from engine.unit_of_work import UnitOfWork
from workflows import rules as r
from workflows.congress.meetings import PRESIDIUM, get_meeting, meeting_chain
from workflows.congress.roster import seated_among, seated_count
from workflows.congress.session_tables import Committee, CommitteeMember
from workflows.congress.tables import Representative, Term
from workflows.errors import RuleViolation
from workflows.records import fetch

# kind -> (default name, the diagrams' group its members join or None)
DEFAULT_COMMITTEES: dict[str, tuple[str, str | None]] = {
    "proposal": ("提案工作委员会", "proposal_committee"),
    "collective_contract": ("集体合同监督检查委员会", None),
    "labour_protection": ("劳动保护监督检查委员会", None),
    "welfare": ("生活福利委员会", None),
    "appraisal": ("民主评议委员会", None),
}
ORGANISERS = ("union_chair", PRESIDIUM)
_KIND = re.compile(r"^[a-z][a-z0-9_]{1,29}$")


def term_chain(term_id: int) -> str:
    return f"term:{term_id}"


def create_committee(uow: UnitOfWork, term_id: int, kind: str, *, name: str | None = None,
                     actor: Actor) -> Committee:
    """Set up a committee of a term (a default kind, or another with its name).

    Raises:
        Forbidden: not the union, the presidium or an admin. NotFound: no such term.
        ValidationFailed: a bad kind, or a new kind without a name. Conflict: the term has one of that kind.
    """
    if not actor.has(*ORGANISERS, ADMIN):
        raise Forbidden("committees are set up by the union or the presidium", {"roles": list(ORGANISERS)})
    if not _KIND.match(kind or ""):
        raise ValidationFailed("a kind is a short lower-case identifier", {"kind": [kind]})
    name = (name or "").strip() or DEFAULT_COMMITTEES.get(kind, ("", None))[0]
    if not name or len(name) > 100:
        raise ValidationFailed("a committee of another kind needs its name (at most 100 characters)",
                               {"name": ["required, at most 100 characters"]})
    with uow:
        s = uow.session
        fetch(s, Term, term_id, "term")
        if s.scalar(select(Committee.id).where(Committee.term_id == term_id, Committee.kind == kind)):
            raise Conflict(f"term {term_id} already has a committee of kind {kind}")
        row = Committee(term_id=term_id, kind=kind, name=name, created_at=uow.now(), created_by=actor.username)
        s.add(row)
        s.flush()
        uow.audit(term_chain(term_id), "committee.created", {"committee_id": row.id, "kind": kind, "name": name},
                  actor=actor.username)
        uow.commit()
    return row


def set_up_defaults(uow: UnitOfWork, term_id: int, *, actor: Actor) -> list[Committee]:
    """Create the default committees the term does not have yet."""
    with uow:
        have = set(uow.session.scalars(select(Committee.kind).where(Committee.term_id == term_id)))
    return [create_committee(uow, term_id, kind, actor=actor) for kind in DEFAULT_COMMITTEES if kind not in have]


def _sync_group(s: Session, uow: UnitOfWork, group: str, before: set[str], after: set[str], actor: Actor) -> None:
    for username in sorted(before ^ after):
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            continue
        roles = set(s.scalars(select(UserRole.role).where(UserRole.user_id == user.id)))
        wanted = roles | {group} if username in after else roles - {group}
        if wanted != roles:
            identity.set_roles(uow, username, sorted(wanted), actor=actor)


def approve_members(uow: UnitOfWork, committee_id: int, meeting_id: int, body: dict[str, Any], *,
                    rules: r.Rules, actor: Actor) -> list[CommitteeMember]:
    """The congress in session approves a committee's members (show of hands, by more than half of all
    seated representatives, 民主管理规定 第20条); they replace the previous members.

    Args:
        body: members (representative ids), head (one of them), votes_for, votes_against, abstentions.

    Raises:
        Forbidden: not the presidium. NotFound. Conflict: the meeting is not in session or of another term.
        ValidationFailed. RuleViolation ``adoption_rule``: not carried.
    """
    if not actor.has(PRESIDIUM, ADMIN):
        raise Forbidden("the presidium puts committee members to the congress (role 'presidium')")
    members = sorted({int(i) for i in body.get("members") or []})
    head = body.get("head")
    if not members or head not in members:
        raise ValidationFailed("choose the members and their head among them",
                               {"members" if not members else "head": ["required"]})
    with uow:
        s = uow.session
        committee = fetch(s, Committee, committee_id, "committee", lock=True)
        meeting = get_meeting(s, meeting_id)
        if meeting.status != "in_session" or meeting.term_id != committee.term_id:
            raise Conflict(f"committee members are approved by a session of term {committee.term_id} in session")
        reps = seated_among(s, meeting, members, "members")
        seated = seated_count(s, meeting)
        votes_for = int(body.get("votes_for") or 0)
        if votes_for + int(body.get("votes_against") or 0) + int(body.get("abstentions") or 0) > seated:
            raise ValidationFailed(f"more hands than the {seated} seated representatives", {"votes_for": [seated]})
        if not r.adopted(votes_for, seated, rules):
            raise RuleViolation(f"{votes_for} of {seated} is not more than half of all representatives "
                                "(民主管理规定 第20条)", "adoption_rule", {"votes_for": [f"more than {seated // 2}"]})
        old = list(s.scalars(select(CommitteeMember).where(CommitteeMember.committee_id == committee_id)))
        before = set(s.scalars(select(Representative.username).where(
            Representative.id.in_([m.representative_id for m in old]), Representative.username.is_not(None))))
        for row in old:
            s.delete(row)
        s.flush()
        now, rows = uow.now(), []
        for rep_id in members:
            rows.append(CommitteeMember(committee_id=committee_id, representative_id=rep_id, is_head=rep_id == head,
                                        approved_meeting_id=meeting_id, votes_for=votes_for, approved_at=now))
        s.add_all(rows)
        uow.audit(meeting_chain(meeting_id), "committee.members_approved", {
            "committee_id": committee_id, "kind": committee.kind, "members": members, "head": head,
            "votes_for": votes_for, "votes_against": body.get("votes_against"),
            "abstentions": body.get("abstentions"), "seated": seated}, actor=actor.username)
        group = DEFAULT_COMMITTEES.get(committee.kind, ("", None))[1]
        if group:
            _sync_group(s, uow, group, before, {p.username for p in reps if p.username}, SYSTEM)
        uow.commit()
    return rows


def committee_heads(session: Session, term_id: int) -> dict[int, str]:
    """representative id -> the committee they head, for a term."""
    return dict(session.execute(select(CommitteeMember.representative_id, Committee.name)
                                .join(Committee, Committee.id == CommitteeMember.committee_id)
                                .where(Committee.term_id == term_id, CommitteeMember.is_head)).all())


def list_committees(uow: UnitOfWork, term_id: int) -> list[dict[str, Any]]:
    """The term's committees with their members (names, head first). Raises: NotFound."""
    with uow:
        s = uow.session
        fetch(s, Term, term_id, "term")
        out = []
        for c in s.scalars(select(Committee).where(Committee.term_id == term_id).order_by(Committee.id)):
            rows = s.execute(select(CommitteeMember, Representative)
                             .join(Representative, Representative.id == CommitteeMember.representative_id)
                             .where(CommitteeMember.committee_id == c.id)
                             .order_by(CommitteeMember.is_head.desc(), Representative.employee_no)).all()
            out.append({"id": c.id, "kind": c.kind, "name": c.name, "group": DEFAULT_COMMITTEES.get(
                c.kind, ("", None))[1], "members": [
                {"id": p.id, "name": p.name, "delegation": p.delegation, "is_head": m.is_head,
                 "approved_meeting_id": m.approved_meeting_id, "votes_for": m.votes_for,
                 "approved_at": m.approved_at} for m, p in rows]})
        return out
