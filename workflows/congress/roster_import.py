"""The roster's CSV import and adding one representative: the sheet's columns (Chinese or English headers),
values checked the same way for both, and an all-or-nothing import."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import sheets
from engine.errors import ValidationFailed
from engine.identity import Actor
from engine.unit_of_work import UnitOfWork
from workflows.congress import accounts
from workflows.congress.roster import CATEGORIES
from workflows.congress.tables import Representative, Term
from workflows.records import fetch

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


class _Bad(ValueError):
    """A bad cell: the English wording (the API's ``message``) and a ``code`` with ``params`` for the pages."""

    def __init__(self, english: str, code: str, **params: Any):
        super().__init__(english)
        self.code, self.params = code, params


def problem(row: int, column: str | None, message: str, code: str, **params: Any) -> dict[str, Any]:
    """One problem of an import: where (row, column), the English ``message``, and ``code``/``params`` from
    which a page writes it in the reader's language (``ro.problem.<code>``)."""
    return {"row": row, "column": column, "message": message, "code": code, "params": params}


def _parse_value(key: str, raw: str) -> Any:
    text = (raw or "").strip()
    if key in REQUIRED and not text:
        raise _Bad("is required", "required")
    if key in _LIMITS and len(text) > _LIMITS[key]:
        raise _Bad(f"is longer than {_LIMITS[key]} characters", "too_long", limit=_LIMITS[key])
    if key in _ENUMS:
        table, expected = _ENUMS[key]
        norm = text.replace("（", "(").replace("）", ")")
        for candidate in (norm, norm.lower()):
            if candidate in table:
                return table[candidate]
        raise _Bad(f"'{text}' is not one of {expected}", "not_one_of", value=text, expected=expected)
    if key == "elected_on":
        try:
            y, m, d = (int(p) for p in text.replace("/", "-").split("-"))
            return dt.date(y, m, d)
        except ValueError:
            raise _Bad(f"'{text}' is not a date such as 2026-03-01", "not_a_date", value=text) from None
    return (text or None) if key == "username" else text


def _parse_values(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, _Bad]]:
    """Typed values of one representative from text (CSV) or JSON values, and the problem of each bad field."""
    values, errors = {}, {}
    for key in FIELDS:
        value = raw.get(key)
        value = value.isoformat() if isinstance(value, dt.date) else {True: "是", False: "否"}.get(value, value)
        try:
            values[key] = _parse_value(key, str(value or ""))
        except _Bad as exc:
            errors[key] = exc
    return values, errors


def parse_csv(content: bytes) -> tuple[list[tuple[int, dict[str, Any]]], list[dict[str, Any]]]:
    """Rows of a roster CSV as (row number, values), and a report of every bad cell.

    Headers may be Chinese (姓名, 工号, 代表团, 类别, 性别, 派遣, 当选日期, 用户名) or English
    (name, employee_no, ...). Row 1 is the header; data rows are numbered as a spreadsheet shows them.
    """
    try:
        reader = iter(sheets.rows(content))
    except ValidationFailed as exc:
        detail = "; ".join(m for ms in exc.errors.values() for m in ms)
        return [], [problem(1, None, detail, "sheet", text=exc.message)]  # the sheet reader's zh / en wording
    header = next(reader, None) or []
    columns = [_HEADER_IN.get(h.strip().lower(), _HEADER_IN.get(h.strip())) for h in header]
    expected = "、".join(HEADERS)
    errors = [problem(1, h, f"unknown column; expected {', '.join(HEADERS)}", "unknown_column", expected=expected)
              for h, c in zip(header, columns, strict=True) if c is None]
    errors += [problem(1, HEADERS_BY_KEY[k], "required column is missing", "missing_column")
               for k in REQUIRED if k not in columns]
    if errors:
        return [], errors
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        values, bad = _parse_values(dict(zip(columns, cells, strict=False)))
        errors += [problem(number, HEADERS_BY_KEY[k], f"{k} {b}", b.code, **b.params) for k, b in bad.items()]
        rows.append((number, values))
    if not rows and not errors:
        errors.append(problem(2, None, "the file has no representatives", "empty_file"))
    return rows, errors


def _check_against_roster(session: Session, term: Term, rows: list[tuple[int, dict[str, Any]]]) -> list[dict]:
    """Duplicate employee numbers or accounts, in the rows or among representatives still seated."""
    errors: list[dict[str, Any]] = []
    existing = list(session.scalars(select(Representative).where(Representative.term_id == term.id)))
    seen: dict[tuple[str, str], int] = {}
    for number, v in rows:
        if v["elected_on"] > term.ends_on:
            errors.append(problem(number, "当选日期", f"after the term's end ({term.ends_on})", "after_term_end",
                                  ends_on=term.ends_on.isoformat()))
        for key in (k for k in ("employee_no", "username") if v.get(k)):
            clash = next((e for e in existing if getattr(e, key) == v[key]
                          and (e.ended_on is None or e.ended_on > v["elected_on"])), None)
            column = HEADERS_BY_KEY[key]
            if (key, v[key]) in seen:
                first = seen[key, v[key]]
                errors.append(problem(number, column, f"{key} '{v[key]}' duplicates row {first}", "duplicate_row",
                                      value=v[key], first=first))
            elif clash:
                errors.append(problem(number, column, f"{key} '{v[key]}' is already seated in this term "
                                      f"(representative {clash.id}, {clash.name})", "already_seated",
                                      value=v[key], name=clash.name))
            seen.setdefault((key, v[key]), number)
    return errors


def _insert(uow: UnitOfWork, term: Term, rows: list[tuple[int, dict[str, Any]]], actor: Actor,
            event: str) -> list[Representative]:
    reps = [Representative(term_id=term.id, created_at=uow.now(), **{k: v.get(k) for k in FIELDS}) for _, v in rows]
    uow.session.add_all(reps)
    uow.session.flush()
    uow.audit(f"term:{term.id}", event, {"representatives": [
        {"id": p.id, **{k: getattr(p, k) for k in FIELDS}} for p in reps]}, actor=actor.username)
    return reps


def import_roster(uow: UnitOfWork, term_id: int, content: bytes, *, actor: Actor,
                  create_accounts: bool = False) -> dict[str, Any]:
    """Import a roster CSV: every row, or nothing; with its accounts in the same transaction.

    Args:
        create_accounts: create the accounts a 用户名 names that do not exist yet (representative role, an
            initial password each); otherwise such a 用户名 is only a warning. Existing accounts are linked
            and given the representative role either way.

    Returns:
        {"representatives", "warnings": [{row, column, message}], "accounts": [{name, employee_no,
        delegation, username, password}]} (the passwords of new accounts, shown once).

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
        warnings = [] if create_accounts else accounts.unknown_usernames(uow, rows)
        reps = _insert(uow, term, rows, actor, "roster.imported")
        issued = accounts.provide(uow, reps, actor=actor, create=create_accounts)
        uow.commit()
    return {"representatives": reps, "warnings": warnings, "accounts": issued}


def import_representatives(uow: UnitOfWork, term_id: int, content: bytes, *, actor: Actor) -> list[Representative]:
    """Import a roster CSV (every row, or nothing), linking existing accounts; see ``import_roster``."""
    return import_roster(uow, term_id, content, actor=actor)["representatives"]


def add_representative(uow: UnitOfWork, term_id: int, data: dict[str, Any], *, actor: Actor) -> Representative:
    """Seat one representative (same checks as a one-row import).

    Raises:
        NotFound: no such term. ValidationFailed: a bad field or a duplicate employee number or account.
    """
    values, errors = _parse_values(data)
    if errors:
        raise ValidationFailed("the representative is invalid", {k: [f"{k} {b}"] for k, b in errors.items()})
    with uow:
        term = fetch(uow.session, Term, term_id, "term", lock=True)
        clash = _check_against_roster(uow.session, term, [(1, values)])
        if clash:
            raise ValidationFailed(clash[0]["message"], {"rows": clash})
        [rep] = _insert(uow, term, [(1, values)], actor, "representative.added")
        uow.commit()
    return rep
