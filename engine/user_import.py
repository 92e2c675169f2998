"""Users from a CSV sheet (an enterprise's staff list): accounts with roles, display names and contact details.

Columns (Chinese or English headers): 用户名/username (required), 姓名/display_name, 角色/roles (separated by
commas or 、), 邮箱/email, 手机/mobile. A new username is created with its roles (no token: people sign in with
a password an admin sets, or through the roster's sheet of initial passwords); an existing one keeps its roles
and gets the name and contact details of the sheet. All rows or none: a bad row imports nothing and is named.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from . import sheets
from .errors import Forbidden, ValidationFailed
from .identity import ADMIN, Actor, _check_contact, create_user, set_profile
from .models import User
from .passwords import generate_password, set_password
from .unit_of_work import UnitOfWork

HEADERS = {"用户名": "username", "账号": "username", "username": "username", "姓名": "display_name",
           "display_name": "display_name", "角色": "roles", "roles": "roles", "邮箱": "email", "电子邮箱": "email",
           "email": "email", "手机": "mobile", "手机号": "mobile", "mobile": "mobile"}


def parse(content: bytes) -> list[dict[str, Any]]:
    """The sheet's rows, each checked. Raises: ValidationFailed naming every bad row."""
    reader = sheets.records(content)
    rows, errors = [], {}
    for number, raw in enumerate(reader, start=2):
        row = {HEADERS.get((k or "").strip().lower(), HEADERS.get((k or "").strip(), "")): (v or "").strip()
               for k, v in raw.items() if k is not None}
        row.pop("", None)
        try:
            if not row.get("username") or len(row["username"]) > 100:
                raise ValidationFailed("用户名 is required (1 to 100 characters)")
            _check_contact({k: row.get(k) or None for k in ("email", "mobile")})
        except ValidationFailed as exc:
            errors[f"row {number}"] = [exc.message, *[m for ms in exc.errors.values() for m in ms]]
            continue
        row["roles"] = [r for r in re.split(r"[\s,，、;；]+", row.get("roles", "")) if r]
        rows.append(row)
    names = [r["username"] for r in rows]
    errors |= {f"row {n + 2}": [f"{u} is listed twice"] for n, u in enumerate(names) if names.index(u) != n}
    if errors or not rows:
        raise ValidationFailed("the users sheet has errors; nothing was imported", errors or {"file": ["no rows"]})
    return rows


def import_users(uow: UnitOfWork, content: bytes, *, actor: Actor) -> dict[str, list[str]]:
    """Create or update the sheet's users in one transaction; returns the usernames created and updated."""
    if not actor.has(ADMIN):
        raise Forbidden("only admins import users")
    rows = parse(content)
    created, updated = [], []
    with uow:
        existing = set(uow.session.scalars(select(User.username).where(User.username.in_([r["username"]
                                                                                          for r in rows]))))
        for row in rows:
            if row["username"] in existing:
                updated.append(row["username"])
                user = uow.session.scalar(select(User).where(User.username == row["username"]))
                user.display_name = row.get("display_name") or user.display_name
            else:
                create_user(uow, row["username"], row["roles"], actor=actor,
                            display_name=row.get("display_name") or None, token_label="import")
                created.append(row["username"])
            contact = {k: row[k] for k in ("email", "mobile") if row.get(k)}
            if contact:
                set_profile(uow, row["username"], contact, actor=actor)
        uow.commit()
    return {"created": created, "updated": updated}


def create_accounts(uow: UnitOfWork, entries: list[dict[str, Any]], *, actor: Actor) -> list[dict[str, Any]]:
    """Create web accounts with roles and a generated initial password each, all or none (an office handing
    out logins to a list of people). Each entry: ``username``, ``display_name`` (optional), ``roles``.

    Returns:
        One row per account with its ``password``, shown once (only its hash is stored).

    Raises:
        Forbidden: the actor is not an admin. ValidationFailed: a username given twice or taken already, or a
        bad username or role (each named by its place in the list); nothing is created then.
    """
    if not actor.has(ADMIN):
        raise Forbidden("only admins create accounts")
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    with uow:
        taken = set(uow.session.scalars(select(User.username).where(
            User.username.in_([e["username"] for e in entries]))))
    for i, entry in enumerate(entries):
        if entry["username"] in seen:
            errors[f"accounts.{i}.username"] = [f"'{entry['username']}' is listed twice"]
        elif entry["username"] in taken:
            errors[f"accounts.{i}.username"] = [f"user '{entry['username']}' already exists"]
        seen.add(entry["username"])
    if errors:
        raise ValidationFailed("no account was created: fix the usernames named", errors)
    issued = []
    with uow:
        for entry in entries:
            user, _ = create_user(uow, entry["username"], entry["roles"], actor=actor,
                                  display_name=entry.get("display_name") or None, token_label="bulk")
            password = generate_password()
            set_password(uow, entry["username"], password, actor=actor)
            issued.append({"username": user.username, "display_name": user.display_name,
                           "roles": sorted(set(entry["roles"])), "password": password})
        uow.commit()
    return issued
