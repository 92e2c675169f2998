"""Finding the organisation's active users by name: the people pickers' suggestions, and who a typed name means.

People know each other by name, not by login, so a form may be given either. Both functions read through the
tenancy layer (only the current organisation's users) and return no contact details.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import case, or_, select

from .models import Department, DepartmentMember, User
from .unit_of_work import UnitOfWork

LIMIT = 20


def _contains(text: str) -> str:
    """A LIKE pattern (escape character \\) matching values that contain ``text`` literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _departments(uow: UnitOfWork, usernames: list[str]) -> dict[str, list[str]]:
    rows = uow.session.execute(
        select(DepartmentMember.username, Department.name)
        .join(Department, (Department.code == DepartmentMember.department_code)
              & (Department.org_id == DepartmentMember.org_id))
        .where(DepartmentMember.username.in_(usernames), Department.active.is_(True))
        .order_by(Department.name))
    found: dict[str, list[str]] = {}
    for username, name in rows:
        found.setdefault(username, []).append(name)
    return found


def _described(uow: UnitOfWork, users: list[User]) -> list[dict[str, Any]]:
    departments = _departments(uow, [u.username for u in users])
    return [{"username": u.username, "name": u.display_name or u.username,
             "departments": departments.get(u.username, [])} for u in users]


def search(uow: UnitOfWork, text: str, *, also: Iterable[str] = (), limit: int = LIMIT) -> list[dict[str, Any]]:
    """Active users whose display name or login contains ``text`` (case-insensitive), plus the logins in ``also``
    (found by the caller another way, e.g. by employee number): exact names first, then names that start with
    it, then by name; at most ``limit``. Each is ``{username, name, departments}``."""
    text = text.strip()[:50]
    if not text:
        return []
    pattern = _contains(text)
    query = (select(User).where(User.active.is_(True), or_(
        User.display_name.ilike(pattern, escape="\\"), User.username.ilike(pattern, escape="\\"),
        User.username.in_(sorted(set(also)))))
        .order_by(case((User.display_name == text, 0), (User.username == text, 0),
                       (User.display_name.like(_contains(text)[1:], escape="\\"), 1), else_=2),
                  User.display_name, User.username)
        .limit(limit))
    with uow:
        return _described(uow, list(uow.session.scalars(query)))


def named(uow: UnitOfWork, typed: str) -> list[dict[str, Any]]:
    """The active users a typed text means: the one whose login it is, else every one whose display name it is
    exactly (none: unknown; several: the caller must ask which). Each is ``{username, name, departments}``."""
    typed = typed.strip()
    if not typed:
        return []
    with uow:
        active = select(User).where(User.active.is_(True))
        users = list(uow.session.scalars(active.where(User.username == typed)))
        if not users:
            users = list(uow.session.scalars(active.where(User.display_name == typed).order_by(User.username)))
        return _described(uow, users)


def names_of(uow: UnitOfWork, usernames: Iterable[str]) -> list[dict[str, Any]]:
    """The users with these logins, in the order given (a login without a user is shown as itself)."""
    wanted = list(dict.fromkeys(u for u in usernames if u))
    with uow:
        found = {u["username"]: u for u in _described(uow, list(uow.session.scalars(
            select(User).where(User.username.in_(wanted)))))}
    return [found.get(u, {"username": u, "name": u, "departments": []}) for u in wanted]
