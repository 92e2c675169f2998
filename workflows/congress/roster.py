"""The congress roster: organisations, terms, representatives, CSV import and the composition report."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.errors import Conflict, ValidationFailed
from engine.identity import Actor
from engine.unit_of_work import UnitOfWork
from workflows import rules as r
from workflows.calendar import add_months, local_today
from workflows.congress.tables import Organisation, Representative, Term
from workflows.errors import RuleViolation
from workflows.hooks import rules_of
from workflows.records import fetch

CATEGORIES = {"frontline": "一线职工", "technician": "技术人员", "middle_manager": "中层管理人员",
              "senior_manager": "高层管理人员(领导人员)", "other": "其他"}
MANAGERS = frozenset({"middle_manager", "senior_manager"})  # 中层以上管理人员和领导人员 (~第26条, U)
GENDERS = {"male": "男", "female": "女"}
END_REASONS = ("recalled", "vacated")
_CATEGORY_IN = {v: k for k, v in CATEGORIES.items()} | {k: k for k in CATEGORIES} | {
    "高层管理人员": "senior_manager", "领导人员": "senior_manager", "一线工人": "frontline"}
_GENDER_IN = {"男": "male", "女": "female", "m": "male", "f": "female", "male": "male", "female": "female"}
_BOOL_IN = {"是": True, "否": False, "yes": True, "no": False, "y": True, "n": False, "true": True,
            "false": False, "1": True, "0": False, "": False}
_ENUMS = {"category": (_CATEGORY_IN, "、".join(CATEGORIES.values())), "gender": (_GENDER_IN, "男、女"),
          "dispatched": (_BOOL_IN, "是、否")}
HEADERS = {"姓名": "name", "工号": "employee_no", "代表团": "delegation", "类别": "category", "性别": "gender",
           "派遣": "dispatched", "当选日期": "elected_on", "用户名": "username"}
_HEADER_IN = HEADERS | {v: v for v in HEADERS.values()} | {"代表类别": "category", "劳务派遣": "dispatched",
                                                          "是否派遣": "dispatched", "账号": "username"}
HEADERS_BY_KEY = {v: k for k, v in HEADERS.items()}
REQUIRED = ("name", "employee_no", "delegation", "category", "gender", "elected_on")
FIELDS = (*REQUIRED, "dispatched", "username")
_LIMITS = {"name": 100, "employee_no": 50, "delegation": 100, "username": 100}


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


def _parse_value(key: str, raw: str) -> Any:
    text = (raw or "").strip()
    if key in REQUIRED and not text:
        raise ValueError("is required")
    if key in _LIMITS and len(text) > _LIMITS[key]:
        raise ValueError(f"is longer than {_LIMITS[key]} characters")
    if key in _ENUMS:
        table, expected = _ENUMS[key]
        norm = text.replace("（", "(").replace("）", ")")
        for candidate in (norm, norm.lower()):
            if candidate in table:
                return table[candidate]
        raise ValueError(f"'{text}' is not one of {expected}")
    if key == "elected_on":
        try:
            y, m, d = (int(p) for p in text.replace("/", "-").split("-"))
            return dt.date(y, m, d)
        except ValueError:
            raise ValueError(f"'{text}' is not a date such as 2026-03-01") from None
    return (text or None) if key == "username" else text


def _parse_values(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed values of one representative from text (CSV) or JSON values, and a message per bad field."""
    values, errors = {}, {}
    for key in FIELDS:
        value = raw.get(key)
        value = value.isoformat() if isinstance(value, dt.date) else {True: "是", False: "否"}.get(value, value)
        try:
            values[key] = _parse_value(key, str(value or ""))
        except ValueError as exc:
            errors[key] = f"{key} {exc}"
    return values, errors


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:  # Excel on Chinese Windows saves "CSV" as GBK unless told to use UTF-8
        try:
            return content.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ValidationFailed("the file is neither UTF-8 nor GB18030 text",
                                   {"rows": [{"row": 1, "column": None, "message": str(exc)}]}) from None


def parse_csv(content: bytes) -> tuple[list[tuple[int, dict[str, Any]]], list[dict[str, Any]]]:
    """Rows of a roster CSV as (row number, values), and a report of every bad cell.

    Headers may be Chinese (姓名, 工号, 代表团, 类别, 性别, 派遣, 当选日期, 用户名) or English
    (name, employee_no, ...). Row 1 is the header; data rows are numbered as a spreadsheet shows them.
    """
    reader = csv.reader(io.StringIO(_decode(content)))
    header = next(reader, None) or []
    columns = [_HEADER_IN.get(h.strip().lower(), _HEADER_IN.get(h.strip())) for h in header]
    errors = [{"row": 1, "column": h, "message": f"unknown column; expected {', '.join(HEADERS)}"}
              for h, c in zip(header, columns, strict=True) if c is None]
    errors += [{"row": 1, "column": HEADERS_BY_KEY[k], "message": "required column is missing"}
               for k in REQUIRED if k not in columns]
    if errors:
        return [], errors
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        values, bad = _parse_values(dict(zip(columns, cells, strict=False)))
        errors += [{"row": number, "column": HEADERS_BY_KEY[k], "message": m} for k, m in bad.items()]
        rows.append((number, values))
    if not rows and not errors:
        errors.append({"row": 2, "column": None, "message": "the file has no representatives"})
    return rows, errors


def _check_against_roster(session: Session, term: Term, rows: list[tuple[int, dict[str, Any]]]) -> list[dict]:
    """Duplicate employee numbers or accounts, in the rows or among representatives still seated."""
    errors: list[dict[str, Any]] = []
    existing = list(session.scalars(select(Representative).where(Representative.term_id == term.id)))
    seen: dict[tuple[str, str], int] = {}
    for number, v in rows:
        if v["elected_on"] > term.ends_on:
            errors.append({"row": number, "column": "当选日期", "message": f"after the term's end ({term.ends_on})"})
        for key in (k for k in ("employee_no", "username") if v.get(k)):
            clash = next((e for e in existing if getattr(e, key) == v[key]
                          and (e.ended_on is None or e.ended_on > v["elected_on"])), None)
            message = (f"{key} '{v[key]}' duplicates row {seen[key, v[key]]}" if (key, v[key]) in seen else
                       f"{key} '{v[key]}' is already seated in this term (representative {clash.id}, {clash.name})"
                       if clash else None)
            seen.setdefault((key, v[key]), number)
            if message:
                errors.append({"row": number, "column": HEADERS_BY_KEY[key], "message": message})
    return errors


def _insert(uow: UnitOfWork, term: Term, rows: list[tuple[int, dict[str, Any]]], actor: Actor,
            event: str) -> list[Representative]:
    reps = [Representative(term_id=term.id, created_at=uow.now(), **{k: v.get(k) for k in FIELDS}) for _, v in rows]
    uow.session.add_all(reps)
    uow.session.flush()
    uow.audit(f"term:{term.id}", event, {"representatives": [
        {"id": p.id, **{k: getattr(p, k) for k in FIELDS}} for p in reps]}, actor=actor.username)
    return reps


def import_representatives(uow: UnitOfWork, term_id: int, content: bytes, *, actor: Actor) -> list[Representative]:
    """Import a roster CSV: every row, or nothing.

    Raises:
        NotFound: no such term. ValidationFailed: any bad row; ``errors["rows"]`` lists each bad cell
        as {row, column, message}, duplicates of employee numbers (in the file or already seated) included.
    """
    rows, errors = parse_csv(content)
    with uow:
        term = fetch(uow.session, Term, term_id, "term", lock=True)  # serialises roster changes per term
        errors += _check_against_roster(uow.session, term, rows) if not errors else []
        if errors:
            raise ValidationFailed(f"the roster was not imported: {len(errors)} problem(s) found, "
                                   f"first in row {errors[0]['row']}", {"rows": errors})
        reps = _insert(uow, term, rows, actor, "roster.imported")
        uow.commit()
    return reps


def add_representative(uow: UnitOfWork, term_id: int, data: dict[str, Any], *, actor: Actor) -> Representative:
    """Seat one representative (same checks as a one-row import).

    Raises:
        NotFound: no such term. ValidationFailed: a bad field or a duplicate employee number or account.
    """
    values, errors = _parse_values(data)
    if errors:
        raise ValidationFailed("the representative is invalid", {k: [m] for k, m in errors.items()})
    with uow:
        term = fetch(uow.session, Term, term_id, "term", lock=True)
        clash = _check_against_roster(uow.session, term, [(1, values)])
        if clash:
            raise ValidationFailed(clash[0]["message"], {"rows": clash})
        [rep] = _insert(uow, term, [(1, values)], actor, "representative.added")
        uow.commit()
    return rep


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
