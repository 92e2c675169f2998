"""Users, roles and bearer tokens: who the caller is and which roles they hold."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field

from sqlalchemy import select

from . import auth_cache, tenancy
from .audit import SYSTEM_CHAIN
from .errors import Conflict, NotFound, Unauthorized, ValidationFailed
from .models import DEFAULT_ORG, ApiToken, User, UserRole
from .unit_of_work import UnitOfWork

ADMIN, DESIGNER, AUDITOR = "admin", "designer", "auditor"
TOKEN_PREFIX = "dmf_"


@dataclass(frozen=True)
class Actor:
    """An authenticated caller."""

    username: str
    roles: frozenset[str] = field(default_factory=frozenset)
    user_id: int | None = None
    org_id: int = DEFAULT_ORG  # the organisation whose records the actor reads and writes (engine.tenancy)

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_read_only(self) -> bool:
        """An auditor with no other role reads everything and changes nothing."""
        return self.roles == {AUDITOR}

    def may_act_in_lane(self, lane: str | None) -> bool:
        """A lane's name is the role that may complete its tasks; a task outside any lane is open to
        every authenticated user who is not only an auditor."""
        if lane is None:
            return not self.is_read_only and bool(self.roles)
        return lane in self.roles


SYSTEM = Actor("system", frozenset({ADMIN}))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _valid_role(role: str) -> str:
    role = role.strip()
    if not role or len(role) > 100:
        raise ValidationFailed("a role name must have 1 to 100 characters", {"roles": [role]})
    return role


def normalise_roles(roles: list[str]) -> list[str]:
    """The roles as stored: stripped, without duplicates, sorted. Raises: ValidationFailed."""
    return sorted({_valid_role(r) for r in roles})


def create_user(uow: UnitOfWork, username: str, roles: list[str], *, actor: Actor,
                display_name: str | None = None, token_label: str = "initial") -> tuple[User, str]:
    """Create a user with roles and a first bearer token.

    Returns:
        The user and the plain token (shown once; only its hash is stored).

    Raises:
        Conflict: the username is taken. ValidationFailed: bad username or role.
    """
    username = username.strip()
    if not username or len(username) > 100:
        raise ValidationFailed("a username must have 1 to 100 characters", {"username": [username]})
    roles = normalise_roles(roles)
    with uow:
        s = uow.session
        with tenancy.unscoped():  # usernames sign in, so they are unique across organisations
            taken = s.scalar(select(User.id).where(User.username == username)) is not None
        if taken:
            raise Conflict(f"user '{username}' already exists")
        user = User(username=username, display_name=display_name, active=True, created_at=uow.now())
        s.add(user)
        s.flush()
        s.add_all(UserRole(user_id=user.id, role=r) for r in roles)
        token = _issue(uow, user, token_label)
        uow.audit(SYSTEM_CHAIN, "user.created", {"username": username, "roles": roles,
                                                  "display_name": display_name}, actor=actor.username)
        uow.commit()
    return user, token


def _issue(uow: UnitOfWork, user: User, label: str) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    uow.session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), label=label,
                             created_at=uow.now()))
    return token


def issue_token(uow: UnitOfWork, username: str, *, actor: Actor, label: str = "cli") -> str:
    """Issue an additional token for an existing user. Raises: NotFound."""
    with uow:
        user = uow.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"user '{username}' does not exist")
        token = _issue(uow, user, label)
        uow.audit(SYSTEM_CHAIN, "token.issued", {"username": username, "label": label}, actor=actor.username)
        uow.commit()
    return token


def set_roles(uow: UnitOfWork, username: str, roles: list[str], *, actor: Actor) -> list[str]:
    """Replace a user's roles. Raises: NotFound."""
    roles = normalise_roles(roles)
    with uow:
        s = uow.session
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"user '{username}' does not exist")
        old = sorted(s.scalars(select(UserRole.role).where(UserRole.user_id == user.id)))
        for row in s.scalars(select(UserRole).where(UserRole.user_id == user.id)):
            s.delete(row)
        s.flush()
        s.add_all(UserRole(user_id=user.id, role=r) for r in roles)
        uow.audit(SYSTEM_CHAIN, "user.roles_changed", {"username": username, "old": old, "new": roles},
                  actor=actor.username)
        uow.commit()
    return roles


def authenticate(uow: UnitOfWork, token: str | None) -> Actor:
    """The actor a bearer token belongs to.

    Raises:
        Unauthorized: no token, an unknown or revoked token, or an inactive user.
    """
    if not token:
        raise Unauthorized("missing bearer token (send 'Authorization: Bearer <token>')")
    key = hash_token(token)
    cache = auth_cache.for_engine(uow.engine)
    version = cache.version()  # read before the lookup: a change committed meanwhile makes the entry stale
    actor = cache.get(key, version)
    if actor is not None:
        return actor
    with uow:
        # One round trip: the user, the token's state and every role.
        rows = uow.session.execute(
            select(User.id, User.username, User.active, User.org_id, ApiToken.revoked_at, UserRole.role)
            .join(ApiToken, ApiToken.user_id == User.id)
            .outerjoin(UserRole, UserRole.user_id == User.id)
            .where(ApiToken.token_hash == key)
        ).all()
        if not rows or rows[0].revoked_at is not None or not rows[0].active:
            raise Unauthorized("invalid, revoked or unknown token")
        actor = Actor(rows[0].username, frozenset(r.role for r in rows if r.role is not None), rows[0].id,
                      rows[0].org_id)
    cache.put(key, version, actor)
    return actor


def list_users(uow: UnitOfWork) -> list[dict]:
    with uow:
        s = uow.session
        roles: dict[int, list[str]] = {}
        for ur in s.scalars(select(UserRole).order_by(UserRole.role)):
            roles.setdefault(ur.user_id, []).append(ur.role)
        return [{"username": u.username, "display_name": u.display_name, "active": u.active,
                 "roles": roles.get(u.id, []), "created_at": u.created_at, "email": u.email, "mobile": u.mobile,
                 "directory": u.directory}
                for u in s.scalars(select(User).order_by(User.username))]


PROFILE_FIELDS = ("email", "mobile", "notify_inapp", "notify_email")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MOBILE = re.compile(r"^\+?[0-9][0-9 -]{4,28}$")


def _profile(user: User) -> dict:
    return {"username": user.username, "display_name": user.display_name,
            **{name: getattr(user, name) for name in PROFILE_FIELDS}}


def get_profile(uow: UnitOfWork, username: str) -> dict:
    """A user's contact details and notification channels. Raises: NotFound."""
    with uow:
        user = uow.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"user '{username}' does not exist")
        return _profile(user)


def _check_contact(changes: dict) -> dict:
    errors = {}
    for name, pattern, what in (("email", _EMAIL, "an e-mail address"), ("mobile", _MOBILE, "a mobile number")):
        value = changes.get(name)
        if isinstance(value, str):
            changes[name] = value.strip() or None
        if changes.get(name) is not None and not pattern.match(changes[name]):
            errors[name] = [f"not {what}: {changes[name]}"]
    if errors:
        raise ValidationFailed("invalid contact details", errors)
    return changes


def set_profile(uow: UnitOfWork, username: str, changes: dict, *, actor: Actor) -> dict:
    """Change a user's e-mail, mobile number or notification channels (only the keys given).

    The audit event names the changed fields and the channel choices, not the contact details themselves
    (an append-only trail must not keep personal data that the user may later have erased).

    Raises:
        NotFound. ValidationFailed: a malformed e-mail address or mobile number.
    """
    changes = _check_contact({k: v for k, v in changes.items() if k in PROFILE_FIELDS})
    with uow:
        user = uow.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"user '{username}' does not exist")
        changed = sorted(k for k, v in changes.items() if getattr(user, k) != v)
        for name in changed:
            setattr(user, name, changes[name])
        if changed:
            uow.audit(SYSTEM_CHAIN, "user.profile_changed", {
                "username": username, "fields": changed,
                **{k: changes[k] for k in ("notify_inapp", "notify_email") if k in changed}}, actor=actor.username)
        uow.commit()
        return _profile(user)
