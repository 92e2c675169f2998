"""Web accounts for the roster: the representatives a roster import names get (or keep) a login with the
representative role; new accounts get a one-time initial password for the office to hand out on a sheet."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select

from engine import passwords
from engine.identity import Actor, create_user, set_roles
from engine.models import User, UserRole
from engine.unit_of_work import UnitOfWork
from workflows.congress.meetings import REPRESENTATIVE
from workflows.congress.tables import Representative

SHEET_HEADER = ("姓名", "工号", "代表团", "用户名", "初始密码")


def unknown_usernames(uow: UnitOfWork, rows: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Warnings for the rows whose 用户名 matches no account (the import still seats them)."""
    named = {v["username"] for _, v in rows if v.get("username")}
    known = set(uow.session.scalars(select(User.username).where(User.username.in_(named)))) if named else set()
    return [{"row": number, "column": "用户名", "message": f"no account '{v['username']}'; create it or link "
             "another later", "code": "no_account", "params": {"value": v["username"]}}
            for number, v in rows if v.get("username") and v["username"] not in known]


def provide(uow: UnitOfWork, reps: list[Representative], *, actor: Actor, create: bool) -> list[dict[str, str]]:
    """Inside the caller's transaction: every representative with a 用户名 gets that account with the
    representative role (created with an initial password if missing and ``create``; an existing one is linked
    and keeps its password). Returns the new accounts with their passwords, shown once (only hashes are kept)."""
    issued = []
    for rep in (r for r in reps if r.username):
        user = uow.session.scalar(select(User).where(User.username == rep.username))
        if user is None and not create:
            continue
        if user is None:
            create_user(uow, rep.username, [REPRESENTATIVE], actor=actor, display_name=rep.name)
            password = passwords.generate_password()
            passwords.set_password(uow, rep.username, password, actor=actor)
            issued.append({"name": rep.name, "employee_no": rep.employee_no, "delegation": rep.delegation,
                           "username": rep.username, "password": password})
            continue
        roles = set(uow.session.scalars(select(UserRole.role).where(UserRole.user_id == user.id)))
        if REPRESENTATIVE not in roles:
            set_roles(uow, rep.username, [*roles, REPRESENTATIVE], actor=actor)
    return issued


def sheet_csv(accounts: list[dict[str, str]]) -> bytes:
    """The printable sheet of new accounts (UTF-8 with a BOM, so that Excel opens it in Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SHEET_HEADER)
    for a in accounts:
        writer.writerow((a["name"], a["employee_no"], a["delegation"], a["username"], a["password"]))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def linked(uow: UnitOfWork, term_id: int) -> list[Representative]:
    """The term's representatives that have a 用户名 (for re-running account provision)."""
    with uow:
        return list(uow.session.scalars(select(Representative).where(Representative.term_id == term_id,
                                                                     Representative.username.is_not(None))))
