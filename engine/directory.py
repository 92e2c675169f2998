"""Users from an enterprise directory (LDAP / Active Directory, OpenID Connect): roles from their groups.

A directory vouches for a person (a successful LDAP bind, a validated ID token); `provision` then creates the
dmflow user on first sign-in, or brings its name, e-mail and roles up to date on each later one, with audit
events on the system chain. Roles come only from the configured group -> roles mapping (plus default roles),
so the directory is the authority on who may do what. A local account with its own password is never taken
over by a directory sign-in (the break-glass admin stays local).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from .audit import SYSTEM_CHAIN
from .errors import DmflowError, Forbidden, Unauthorized
from .identity import Actor, normalise_roles
from .models import User, UserRole
from .passwords import Login, directory_stamp
from .unit_of_work import UnitOfWork

SOURCES = ("ldap", "oidc")


class DirectoryUnavailable(DmflowError):
    """The enterprise directory could not be reached or answered an error (not the person's fault)."""


@dataclass(frozen=True)
class Person:
    """Who a directory vouched for: their sign-in name, display name, e-mail and group names."""

    source: str
    username: str
    display_name: str | None = None
    email: str | None = None
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoleMapping:
    """Directory groups -> dmflow roles (keys compared case-insensitively with a group's name or DN)."""

    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    default_roles: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, groups: Mapping[str, Iterable[str] | str] | None,
                    default_roles: Iterable[str] | None) -> RoleMapping:
        table = {}
        for group, roles in (groups or {}).items():
            table[str(group).strip().lower()] = (roles,) if isinstance(roles, str) else tuple(roles)
        return cls(table, tuple(default_roles or ()))

    def roles_for(self, groups: Iterable[str]) -> list[str]:
        roles = set(self.default_roles)
        for group in groups:
            roles.update(self.groups.get(group.strip().lower(), ()))
        return normalise_roles(list(roles))


def _roles(uow: UnitOfWork, user: User) -> list[str]:
    return sorted(uow.session.scalars(select(UserRole.role).where(UserRole.user_id == user.id)))


def _update(uow: UnitOfWork, user: User, person: Person, roles: list[str]) -> dict:
    changes = {}
    for attribute, value in (("display_name", person.display_name), ("email", person.email)):
        if value and getattr(user, attribute) != value:
            changes[attribute] = {"old": getattr(user, attribute), "new": value}
            setattr(user, attribute, value)
    old = _roles(uow, user)
    if old != roles:
        changes["roles"] = {"old": old, "new": roles}
        for row in uow.session.scalars(select(UserRole).where(UserRole.user_id == user.id)):
            uow.session.delete(row)
        uow.session.flush()
        uow.session.add_all(UserRole(user_id=user.id, role=r) for r in roles)
    return changes


def provision(uow: UnitOfWork, person: Person, mapping: RoleMapping) -> Login:
    """The login of a person the directory vouched for: their user created or updated (audited).

    Raises:
        Forbidden: the name belongs to a local account with its own password, or to a deactivated user.
        Unauthorized: the directory gave no usable name.
    """
    username = (person.username or "").strip()
    if not username or len(username) > 100:
        raise Unauthorized("the directory gave no usable user name")
    roles = mapping.roles_for(person.groups)
    facts = {"username": username, "directory": person.source, "groups": sorted(person.groups)[:100]}
    with uow:
        s = uow.session
        user = s.scalar(select(User).where(User.username == username).with_for_update())
        if user is None:
            user = User(username=username, display_name=person.display_name, email=person.email, active=True,
                        created_at=uow.now(), directory=person.source)
            s.add(user)
            s.flush()
            s.add_all(UserRole(user_id=user.id, role=r) for r in roles)
            uow.audit(SYSTEM_CHAIN, "user.provisioned", facts | {"roles": roles,
                                                                 "display_name": person.display_name},
                      actor=username)
        else:
            if not user.active:
                raise Forbidden("该账号已停用 / this account is deactivated")
            if user.directory != person.source:
                if user.password_hash is not None:
                    raise Forbidden("该用户名属于本地账号，请用本地密码登录 / this name belongs to a local account: "
                                    "sign in with its password")
                user.directory = person.source
                uow.audit(SYSTEM_CHAIN, "user.directory_linked", facts, actor=username)
            changes = _update(uow, user, person, roles)
            if changes:
                uow.audit(SYSTEM_CHAIN, "user.directory_updated", facts | {"changes": changes}, actor=username)
        login = Login(Actor(username, frozenset(roles), user.id, user.org_id), directory_stamp(person.source),
                      user.session_version or 0)
        uow.commit()
    return login
