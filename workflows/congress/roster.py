"""The congress roster: organisations, terms, representatives, CSV import and the composition report."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine.errors import Conflict, ValidationFailed
from engine.identity import Actor
from engine.unit_of_work import UnitOfWork
from workflows.calendar import add_months
from workflows.congress.tables import Meeting, Organisation, Representative, Term
from workflows.errors import RuleViolation
from workflows.hooks import rules_of
from workflows.records import fetch

CATEGORIES = {"frontline": "一线职工", "technician": "技术人员", "middle_manager": "中层管理人员",
              "senior_manager": "高层管理人员(领导人员)", "other": "其他"}
MANAGERS = frozenset({"middle_manager", "senior_manager"})  # 中层以上管理人员和领导人员 (~第26条, U)
GENDERS = {"male": "男", "female": "女"}
END_REASONS = ("recalled", "vacated")


def _check_counts(figures: dict[str, int]) -> None:
    headcount = figures["headcount"]
    errors = {k: [f"must be between 0 and the headcount ({headcount})"] for k in ("women_count", "dispatched_count")
              if not 0 <= figures[k] <= headcount}
    if headcount < 1 or errors:
        raise ValidationFailed("the workforce figures are inconsistent",
                               errors | ({"headcount": ["must be at least 1"]} if headcount < 1 else {}))


def create_organisation(uow: UnitOfWork, *, name: str, headcount: int, women_count: int, dispatched_count: int,
                        actor: Actor) -> Organisation:
    """Register an enterprise with its workforce figures.

    Raises:
        ValidationFailed: inconsistent figures. Conflict: the name is taken.
    """
    figures = {"headcount": headcount, "women_count": women_count, "dispatched_count": dispatched_count}
    _check_counts(figures)
    with uow:
        if uow.session.scalar(select(Organisation).where(Organisation.name == name)) is not None:
            raise Conflict(f"organisation '{name}' already exists")
        org = Organisation(name=name, **figures, created_at=uow.now(), updated_at=uow.now())
        uow.session.add(org)
        uow.session.flush()
        uow.audit(f"organisation:{org.id}", "organisation.created", {"name": name, **figures}, actor=actor.username)
        uow.commit()
    return org


def update_organisation(uow: UnitOfWork, organisation_id: int, changes: dict[str, int], *,
                        actor: Actor) -> Organisation:
    """Change the workforce figures (headcount, women_count, dispatched_count).

    Raises:
        NotFound: no such organisation. ValidationFailed: inconsistent figures.
    """
    with uow:
        org = fetch(uow.session, Organisation, organisation_id, "organisation", lock=True)
        figures = {k: changes.get(k, getattr(org, k)) for k in ("headcount", "women_count", "dispatched_count")}
        _check_counts(figures)
        for key, value in figures.items():
            setattr(org, key, value)
        org.updated_at = uow.now()
        uow.audit(f"organisation:{org.id}", "organisation.updated", figures, actor=actor.username)
        uow.commit()
    return org


def list_organisations(uow: UnitOfWork) -> list[Organisation]:
    """Every organisation."""
    with uow:
        return list(uow.session.scalars(select(Organisation).order_by(Organisation.id)))


def create_term(uow: UnitOfWork, organisation_id: int, *, number: int, starts_on: dt.date, ends_on: dt.date,
                actor: Actor) -> Term:
    """Open a congress term (第N届) of 3 to 5 years (``congress_term_years``).

    Raises:
        NotFound: no such organisation. RuleViolation ``congress_term_years``: not 3-5 years.
        Conflict: the organisation already has a term with this number.
    """
    lo, hi = rules_of(uow).congress_term_years
    if not add_months(starts_on, 12 * lo) - dt.timedelta(days=1) <= ends_on <= add_months(starts_on, 12 * hi):
        raise RuleViolation(f"a congress term lasts {lo} to {hi} years; {starts_on} to {ends_on} does not",
                            "congress_term_years", {"ends_on": [f"must be {lo} to {hi} years after starts_on"]})
    fields = {"organisation_id": organisation_id, "number": number, "starts_on": starts_on, "ends_on": ends_on}
    with uow:
        fetch(uow.session, Organisation, organisation_id, "organisation")
        if uow.session.scalar(select(Term).where(Term.organisation_id == organisation_id, Term.number == number)):
            raise Conflict(f"term {number} of organisation {organisation_id} already exists")
        term = Term(**fields, created_at=uow.now())
        uow.session.add(term)
        uow.session.flush()
        uow.audit(f"term:{term.id}", "term.created", fields, actor=actor.username)
        uow.commit()
    return term


def list_terms(uow: UnitOfWork, organisation_id: int | None = None) -> list[Term]:
    """Every term, or those of one organisation."""
    with uow:
        query = select(Term).order_by(Term.organisation_id, Term.number)
        if organisation_id is not None:
            query = query.where(Term.organisation_id == organisation_id)
        return list(uow.session.scalars(query))


def get_term(uow: UnitOfWork, term_id: int) -> Term:
    """Raises: NotFound."""
    with uow:
        return fetch(uow.session, Term, term_id, "term")


def seated_query(term_id: int, day: dt.date):
    """Representatives seated on ``day``: elected on or before it, not recalled or vacated on or before it."""
    return select(Representative).where(
        Representative.term_id == term_id, Representative.elected_on <= day,
        or_(Representative.ended_on.is_(None), Representative.ended_on > day))


def seated(session: Session, term_id: int, day: dt.date) -> list[Representative]:
    """The representatives seated on ``day``, by id."""
    return list(session.scalars(seated_query(term_id, day).order_by(Representative.id)))


def list_representatives(uow: UnitOfWork, term_id: int, on: dt.date | None = None) -> list[Representative]:
    """Every representative of a term ever recorded, or only those seated ``on`` a date. Raises: NotFound."""
    with uow:
        fetch(uow.session, Term, term_id, "term")
        if on is not None:
            return seated(uow.session, term_id, on)
        return list(uow.session.scalars(select(Representative).where(Representative.term_id == term_id)
                                        .order_by(Representative.id)))


def end_representative(uow: UnitOfWork, representative_id: int, *, reason: str, effective_on: dt.date,
                       actor: Actor) -> Representative:
    """Record a recall (罢免) or vacancy: the seat ends on ``effective_on`` (not seated from that day).

    Raises:
        NotFound: no such representative. ValidationFailed: unknown reason or date before election.
        Conflict: the seat has already ended.
    """
    if reason not in END_REASONS:
        raise ValidationFailed(f"reason must be one of {', '.join(END_REASONS)}", {"reason": [reason]})
    with uow:
        rep = fetch(uow.session, Representative, representative_id, "representative", lock=True)
        if rep.ended_on is not None:
            raise Conflict(f"representative {rep.id} left the congress on {rep.ended_on} ({rep.end_reason})")
        if effective_on < rep.elected_on:
            raise ValidationFailed("the seat cannot end before the election",
                                   {"effective_on": [f"must be on or after {rep.elected_on}"]})
        rep.ended_on, rep.end_reason = effective_on, reason
        uow.audit(f"term:{rep.term_id}", f"representative.{reason}", {
            "representative_id": rep.id, "employee_no": rep.employee_no, "effective_on": effective_on},
            actor=actor.username)
        uow.commit()
    return rep


def link_account(uow: UnitOfWork, representative_id: int, username: str | None, *, actor: Actor) -> Representative:
    """Link a representative to the user account they vote with (None unlinks).

    Raises:
        NotFound: no such representative. ValidationFailed: the account sits for someone else in the term.
    """
    with uow:
        rep = fetch(uow.session, Representative, representative_id, "representative", lock=True)
        term = fetch(uow.session, Term, rep.term_id, "term", lock=True)
        others = select(Representative).where(Representative.term_id == term.id, Representative.id != rep.id,
                                              Representative.username == username,
                                              Representative.ended_on.is_(None))
        if username and uow.session.scalar(others) is not None:
            raise ValidationFailed(f"account '{username}' is linked to another representative of this term",
                                   {"username": [username]})
        rep.username = username
        uow.audit(f"term:{term.id}", "representative.account_linked",
                  {"representative_id": rep.id, "username": username}, actor=actor.username)
        uow.commit()
    return rep


def seated_among(session: Session, meeting: Meeting, ids: list[int], field: str) -> list[Representative]:
    """The representatives ``ids`` seated on the meeting day. Raises: ValidationFailed naming the others."""
    reps = list(session.scalars(seated_query(meeting.term_id, meeting.held_on)
                                .where(Representative.id.in_(ids)))) if ids else []
    if stranger := sorted(set(ids) - {p.id for p in reps}):
        raise ValidationFailed(f"not seated on {meeting.held_on}", {field: stranger})
    return reps


def seated_count(session: Session, meeting: Meeting) -> int:
    return len(seated(session, meeting.term_id, meeting.held_on))


def _contains(text: str) -> str:
    """A LIKE pattern (escape character \\) matching values that contain ``text`` literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_seated(uow: UnitOfWork, text: str, day: dt.date, *, limit: int = 20) -> list[Representative]:
    """Representatives seated on ``day`` in the terms running that day whose name or employee number contains
    ``text`` (a people picker's suggestions), employee numbers that start with it first."""
    text = text.strip()[:50]
    if not text:
        return []
    pattern = _contains(text)
    with uow:
        terms = list(uow.session.scalars(select(Term.id).where(Term.starts_on <= day, Term.ends_on >= day)))
        found: list[Representative] = []
        for term_id in terms:
            found += uow.session.scalars(seated_query(term_id, day).where(or_(
                Representative.name.like(pattern, escape="\\"), Representative.employee_no.like(pattern, escape="\\")))
                .order_by(Representative.employee_no).limit(limit))
        found.sort(key=lambda rep: (not rep.employee_no.startswith(text), rep.employee_no))
        return found[:limit]


def page_of_representatives(uow: UnitOfWork, term_id: int, *, text: str = "", page: int = 1,
                            per_page: int = 50) -> tuple[list[Representative], int]:
    """One page of a term's representatives (by delegation, then employee number) whose name, employee
    number, delegation or account contains ``text``, and how many there are in all. Raises: NotFound."""
    query = select(Representative).where(Representative.term_id == term_id)
    text = text.strip()[:50]
    if text:
        pattern = _contains(text)
        query = query.where(or_(*(column.like(pattern, escape="\\") for column in (
            Representative.name, Representative.employee_no, Representative.delegation, Representative.username))))
    with uow:
        fetch(uow.session, Term, term_id, "term")
        total = uow.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = list(uow.session.scalars(query.order_by(Representative.delegation, Representative.employee_no)
                                        .offset((max(page, 1) - 1) * per_page).limit(per_page)))
        return rows, total or 0
