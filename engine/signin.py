"""Sign-in that resists guessing: failures counted per user and per address in the database, with lockout.

The counters live in a table (not in process memory, as Flask-Limiter's default storage would keep them) so
that every server process and worker sees the same lock and a restart does not lift it; dmflow runs no Redis
or Memcached for Flask-Limiter's shared storages. A lock begins with an audit event on the system chain.
Logout ends every session of the user by raising the session version stored on the user's row.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from . import passwords
from .audit import SYSTEM_CHAIN
from .errors import TooManyAttempts, Unauthorized
from .models import LoginThrottle, User
from .unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Policy:
    """How many failures within `window_seconds` lock a user or an address, and for how long."""

    per_user: int = 5
    per_address: int = 20
    window_seconds: int = 900
    lockout_seconds: int = 900


def _keys(username: str, address: str | None) -> list[tuple[str, str]]:
    keys = [("user", f"user:{username.strip().lower()[:200]}")]
    if address:
        keys.append(("address", f"addr:{address[:200]}"))
    return keys


def _refuse(seconds: float) -> TooManyAttempts:
    minutes = max(1, math.ceil(seconds / 60))
    return TooManyAttempts(f"登录失败次数过多，已暂时锁定，请 {minutes} 分钟后再试 / too many failed sign-ins: "
                           f"locked for now, try again in {minutes} minutes", retry_after=math.ceil(seconds))


def _check_locks(uow: UnitOfWork, keys: list[tuple[str, str]]) -> None:
    with uow:
        now = uow.now()
        rows = uow.session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_([k for _, k in keys])))
        waits = [(row.locked_until - now).total_seconds() for row in rows
                 if row.locked_until is not None and row.locked_until > now]
    if waits:
        raise _refuse(max(waits))


def _record_failure(uow: UnitOfWork, keys: list[tuple[str, str]], username: str, address: str | None,
                    policy: Policy) -> None:
    with uow:
        now = uow.now()
        for kind, key in keys:
            row = uow.session.get(LoginThrottle, key, with_for_update=True)
            if row is None:
                row = LoginThrottle(key=key, failures=0, window_start=now)
                uow.session.add(row)
            if now - row.window_start > timedelta(seconds=policy.window_seconds):
                row.failures, row.window_start = 0, now
            row.failures += 1
            limit = policy.per_user if kind == "user" else policy.per_address
            if row.failures >= limit and (row.locked_until is None or row.locked_until <= now):
                row.locked_until = now + timedelta(seconds=policy.lockout_seconds)
                row.failures, row.window_start = 0, now
                uow.audit(SYSTEM_CHAIN, "login.locked", {
                    "by": kind, "username": username, "address": address, "failures": limit,
                    "until": row.locked_until.isoformat()}, actor=None)
        uow.commit()


def _clear(uow: UnitOfWork, key: str) -> None:
    with uow:
        row = uow.session.get(LoginThrottle, key)
        if row is not None:
            uow.session.delete(row)
            uow.commit()


def sign_in(uow_factory: Callable[[], UnitOfWork], username: str, password: str, address: str | None,
            policy: Policy, directory: Callable[[str, str], passwords.Login] | None = None) -> passwords.Login:
    """Check a password unless the user or the address is locked; count the failure if it is wrong.

    A name with no local password is checked by `directory` (the enterprise's LDAP) when given; its refusals
    count towards the lock like wrong local passwords.

    Raises:
        TooManyAttempts: the user or the address is locked (the password is not even checked).
        Unauthorized: wrong username or password (one message for both).
    """
    keys = _keys(username, address)
    _check_locks(uow_factory(), keys)
    try:
        try:
            result = passwords.check_password(uow_factory(), username, password)
        except Unauthorized:
            if directory is None or passwords.has_password(uow_factory(), username):
                raise
            result = directory(username, password)
    except Unauthorized:
        _record_failure(uow_factory(), keys, username, address, policy)
        raise
    _clear(uow_factory(), keys[0][1])
    return result


def end_sessions(uow: UnitOfWork, username: str, *, reason: str) -> None:
    """End every login session of the user (logout, new password) by raising their session version."""
    with uow:
        user = uow.session.scalar(select(User).where(User.username == username).with_for_update())
        if user is None:
            return
        user.session_version = (user.session_version or 0) + 1
        uow.audit(SYSTEM_CHAIN, "user.sessions_ended", {"username": username, "reason": reason},
                  actor=username if reason == "logout" else None)
        uow.commit()
