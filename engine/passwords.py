"""Login passwords: argon2id hashes on the users table, set (audited) and checked."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select

from . import auth_cache
from .audit import SYSTEM_CHAIN
from .errors import NotFound, Unauthorized, ValidationFailed
from .identity import Actor
from .models import User, UserRole
from .unit_of_work import UnitOfWork

MIN_LENGTH, MAX_LENGTH = 8, 1024
# argon2-cffi's defaults follow RFC 9106's second recommended option (argon2id, 64 MiB, 3 passes).
_HASHER = PasswordHasher()
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I


@dataclass(frozen=True)
class Login:
    """A successful password check: who, the stamp of the password they used and their session version."""

    actor: Actor
    stamp: str
    version: int = 0


def stamp_of(password_hash: str) -> str:
    """A short fingerprint of a stored hash: a session remembers it, so a new password ends old sessions."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def directory_stamp(source: str) -> str:
    """What the login session of a user signed in through a directory (LDAP, OIDC) remembers instead."""
    return hashlib.sha256(f"directory:{source}".encode()).hexdigest()[:16]


def generate_password(groups: int = 4, size: int = 4) -> str:
    """A random password that is easy to read out and type (e.g. ``k7Qm-xP3d-9tRw-bZ2e``, ~110 bits)."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(size)) for _ in range(groups))


@cache
def _dummy_hash() -> str:
    """Verified when the username is unknown, so that a wrong name costs as long as a wrong password."""
    return _HASHER.hash(secrets.token_hex(16))


def check_policy(password: str) -> None:
    """Raises: ValidationFailed: the password is too short or too long (keyed ``password``)."""
    if not isinstance(password, str) or not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise ValidationFailed(f"a password must have {MIN_LENGTH} to {MAX_LENGTH} characters",
                               {"password": [f"length must be between {MIN_LENGTH} and {MAX_LENGTH}"]})


def set_password(uow: UnitOfWork, username: str, password: str, *, actor: Actor) -> None:
    """Set (or replace) a user's login password; the event on the system chain never holds the password.

    Raises:
        NotFound: no such user. ValidationFailed: the password is too short or too long.
    """
    check_policy(password)
    hashed = _HASHER.hash(password)  # slow on purpose: outside the transaction
    with uow:
        user = uow.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"user '{username}' does not exist")
        replaced = user.password_hash is not None
        user.password_hash = hashed
        user.session_version = (user.session_version or 0) + 1  # a new password ends every session
        uow.audit(SYSTEM_CHAIN, "user.password_set", {"username": username, "replaced": replaced},
                  actor=actor.username)
        uow.commit()


def _roles(uow: UnitOfWork, user: User) -> frozenset[str]:
    return frozenset(uow.session.scalars(select(UserRole.role).where(UserRole.user_id == user.id)))


def check_password(uow: UnitOfWork, username: str, password: str) -> Login:
    """The actor whose username and password these are.

    Raises:
        Unauthorized: unknown user, inactive user, no password set, or a wrong password (one message
            for all, so that the answer does not tell which usernames exist).
    """
    with uow:
        user = uow.session.scalar(select(User).where(User.username == (username or "").strip()))
        stored = user.password_hash if user is not None and user.active else None
        try:
            _HASHER.verify(stored or _dummy_hash(), password or "")
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            stored = None
        if stored is None:
            raise Unauthorized("wrong username or password")
        return Login(Actor(user.username, _roles(uow, user), user.id, user.org_id), stamp_of(stored),
                     user.session_version or 0)


def has_password(uow: UnitOfWork, username: str) -> bool:
    """Whether the user exists with a local password (a directory sign-in never takes such an account over)."""
    with uow:
        return uow.session.scalar(select(User.password_hash).where(User.username == (username or "").strip())) \
            is not None


def resume(uow: UnitOfWork, username: str, stamp: str, version: int | None = None) -> Actor | None:
    """The actor of a login session, read afresh (roles may have changed); None when the user was
    deactivated, their password changed or they logged out (anywhere) since the session began."""
    known = auth_cache.for_engine(uow.engine)
    key, current = ("session", username, stamp, version), known.version()
    actor = known.get(key, current)
    if actor is not None:
        return actor
    with uow:
        user = uow.session.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            return None
        if user.directory and not user.password_hash:  # signed in through an enterprise directory
            expected = directory_stamp(user.directory)
        elif user.password_hash:
            expected = stamp_of(user.password_hash)
        else:
            return None
        if not secrets.compare_digest(expected, stamp or ""):
            return None
        if version != (user.session_version or 0):
            return None
        actor = Actor(user.username, _roles(uow, user), user.id, user.org_id)
    known.put(key, current, actor)
    return actor
