"""Departments (organisational units) with their members and heads, managed by admins or imported from CSV.

A task's ``candidateGroups`` may name a department (``department("finance")``): its members may claim the task.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from . import sheets, tenancy
from .audit import SYSTEM_CHAIN
from .errors import Forbidden, NotFound, ValidationFailed
from .identity import ADMIN, Actor
from .models import DEFAULT_ORG, Department, DepartmentMember, User
from .unit_of_work import UnitOfWork

HEADERS = {"编码": "code", "部门编码": "code", "code": "code", "名称": "name", "部门": "name", "部门名称": "name",
           "name": "name", "上级编码": "parent_code", "parent_code": "parent_code", "成员": "members",
           "members": "members", "负责人": "heads", "heads": "heads"}


def _require_admin(actor: Actor) -> None:
    if not actor.has(ADMIN):
        raise Forbidden("only admins manage departments")


def names(uow: UnitOfWork) -> dict[str, str]:
    """code -> name of every department."""
    with uow:
        return {code: name for code, name in uow.session.execute(select(Department.code, Department.name))}


def list_departments(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Every department with its members (username, display name, head or not), ordered by code."""
    with uow:
        s = uow.session
        members: dict[str, list[dict[str, Any]]] = {}
        rows = s.execute(select(DepartmentMember.department_code, DepartmentMember.username, DepartmentMember.head,
                                User.display_name).outerjoin(User, User.username == DepartmentMember.username)
                         .order_by(DepartmentMember.department_code, DepartmentMember.username))
        for code, username, head, display in rows:
            members.setdefault(code, []).append({"username": username, "name": display or username, "head": head})
        return [{"code": d.code, "name": d.name, "parent_code": d.parent_code, "active": d.active,
                 "members": members.get(d.code, [])}
                for d in s.scalars(select(Department).order_by(Department.code))]


def _check_users(uow: UnitOfWork, usernames: list[str], field: str) -> None:
    known = set(uow.session.scalars(select(User.username).where(User.username.in_(usernames))))
    missing = [u for u in usernames if u not in known]
    if missing:
        raise ValidationFailed(f"no such user: {', '.join(missing)}", {field: [f"no such user: {u}" for u in missing]})


def save_department(uow: UnitOfWork, code: str, *, name: str, members: list[str], heads: list[str],
                    parent_code: str | None = None, actor: Actor) -> dict[str, Any]:
    """Create or replace a department and its members (heads are members too). Audited."""
    _require_admin(actor)
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise ValidationFailed("a department needs a code and a name", {"code": ["required"], "name": ["required"]})
    people = list(dict.fromkeys([*members, *heads]))
    with uow:
        _check_users(uow, people, "members")
        dept = uow.session.get(Department, (tenancy.current() or DEFAULT_ORG, code))
        if dept is None:
            dept = Department(code=code, name=name, parent_code=parent_code, active=True)
            uow.session.add(dept)
        dept.name, dept.parent_code = name, parent_code
        uow.session.flush()
        uow.session.execute(delete(DepartmentMember).where(DepartmentMember.department_code == code))
        uow.session.add_all([DepartmentMember(department_code=code, username=u, head=u in heads) for u in people])
        uow.audit(SYSTEM_CHAIN, "department.saved", {"code": code, "name": name, "members": people,
                                                     "heads": heads}, actor=actor.username)
        uow.commit()
    return {"code": code, "name": name, "members": people, "heads": heads}


def head_of(uow: UnitOfWork, code: str) -> str | None:
    """The first head of a department (by username), if it has one."""
    return uow.session.scalar(select(DepartmentMember.username).where(
        DepartmentMember.department_code == code, DepartmentMember.head.is_(True)).order_by(DepartmentMember.username))


def code_of(session, text: str) -> str | None:
    """The code of the department whose code or name is ``text``, if there is one."""
    return session.scalar(select(Department.code).where(Department.code == text)) or \
        session.scalar(select(Department.code).where(Department.name == text))


def require_known(uow: UnitOfWork, value: str | None, field: str) -> str:
    """The code of the department named by ``value`` (its code or its name). Raises: ValidationFailed."""
    text = (value or "").strip()
    code = code_of(uow.session, text)
    if code is None:
        known = "、".join(names(uow).values()) or "none yet: an admin adds them"
        raise ValidationFailed(f"'{text}' is not one of the departments ({known})",
                               {field: [f"choose one of the departments: {known}"]})
    return code


def get_department(uow: UnitOfWork, code: str) -> Department:
    with uow:
        dept = uow.session.get(Department, (tenancy.current() or DEFAULT_ORG, code))
        if dept is None:
            raise NotFound(f"department '{code}' does not exist")
        return dept


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").replace("、", ",").replace("；", ",").split(",") if v.strip()]


def import_csv(uow: UnitOfWork, content: bytes, *, actor: Actor) -> list[dict[str, Any]]:
    """Departments from a CSV sheet (编码, 名称, 上级编码, 成员, 负责人; members separated by commas or 、).

    All or nothing: a row naming an unknown user imports nothing and says which row.
    """
    _require_admin(actor)
    records = sheets.records(content)
    rows, errors = [], {}
    for number, raw in enumerate(records, start=2):
        row = {HEADERS.get((k or "").strip(), ""): (v or "").strip() for k, v in raw.items()}
        if not row.get("code") or not row.get("name"):
            errors[f"row {number}"] = ["编码 and 名称 are required"]
            continue
        rows.append(row)
    if errors or not rows:
        raise ValidationFailed("the department sheet has errors; nothing was imported",
                               errors or {"file": ["no rows"]})
    saved = []
    with uow:
        for row in rows:
            saved.append(save_department(uow, row["code"], name=row["name"], members=_split(row.get("members")),
                                         heads=_split(row.get("heads")), parent_code=row.get("parent_code") or None,
                                         actor=actor))
        uow.commit()
    return saved
