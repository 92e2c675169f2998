"""Sign-in against the enterprise's LDAP server or Active Directory (ldap3).

A service account searches the user by the configured filter (the typed name escaped), the user's own
password is checked by binding as the entry found, and the user's groups are read (groups whose member is
the user, and the entry's `memberOf` on Active Directory). An empty password is refused before any bind: an
LDAP "unauthenticated bind" with an empty password would otherwise succeed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ldap3
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import parse_dn

from .directory import DirectoryUnavailable, Person
from .errors import Unauthorized

WRONG = "用户名或密码错误 / wrong username or password"


@dataclass(frozen=True)
class LdapSettings:
    url: str
    user_base: str
    bind_dn: str | None = None
    bind_password: str | None = None
    user_filter: str = "(uid={username})"
    username_attribute: str = "uid"
    group_base: str | None = None
    group_filter: str = "(|(member={dn})(uniqueMember={dn}))"
    name_attribute: str = "cn"
    mail_attribute: str = "mail"
    start_tls: bool = False
    timeout: float = 5.0

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> LdapSettings | None:
        """The LDAP settings of the configuration; None while LDAP_URL is unset (LDAP sign-in off)."""
        if not cfg.get("LDAP_URL"):
            return None
        return cls(url=cfg["LDAP_URL"], user_base=cfg["LDAP_USER_BASE"], bind_dn=cfg.get("LDAP_BIND_DN"),
                   bind_password=cfg.get("LDAP_BIND_PASSWORD"), user_filter=cfg["LDAP_USER_FILTER"],
                   username_attribute=cfg["LDAP_USERNAME_ATTRIBUTE"],
                   group_base=cfg.get("LDAP_GROUP_BASE"), group_filter=cfg["LDAP_GROUP_FILTER"],
                   name_attribute=cfg["LDAP_NAME_ATTRIBUTE"], mail_attribute=cfg["LDAP_MAIL_ATTRIBUTE"],
                   start_tls=str(cfg.get("LDAP_START_TLS")).lower() in ("1", "true", "yes", "on"),
                   timeout=float(cfg["LDAP_TIMEOUT_SECONDS"]))


def _connect(settings: LdapSettings, server: ldap3.Server, user: str | None, password: str | None):
    conn = ldap3.Connection(server, user=user, password=password, receive_timeout=max(1, round(settings.timeout)),
                            raise_exceptions=False, read_only=True)
    try:
        conn.open()
        if settings.start_tls:
            conn.start_tls()
    except LDAPException:
        if conn.socket is not None:  # ldap3 leaves the socket of a failed connect open
            conn.socket.close()
        raise
    return conn


def _first(entry: dict, name: str) -> str | None:
    values = entry.get(name) or []
    values = values if isinstance(values, list) else [values]
    return str(values[0]) if values else None


def _cn(dn: str) -> str | None:
    try:
        return next((value for attr, value, _ in parse_dn(dn) if attr.lower() == "cn"), None)
    except LDAPException:
        return None


def _groups(settings: LdapSettings, conn, dn: str, member_of: list[str]) -> tuple[str, ...]:
    names = set()
    found = list(member_of)
    if settings.group_base:
        conn.search(settings.group_base, settings.group_filter.format(dn=escape_filter_chars(dn)),
                    attributes=["cn"], size_limit=1000)
        found += [entry["dn"] for entry in conn.response or [] if entry.get("type") == "searchResEntry"]
    for group_dn in found:
        names.add(group_dn)
        if (cn := _cn(group_dn)) is not None:
            names.add(cn)
    return tuple(sorted(names))


def authenticate(settings: LdapSettings, username: str, password: str) -> Person:
    """The person whose directory name and password these are, with their groups.

    Raises:
        Unauthorized: unknown name, several entries for it, an empty or wrong password.
        DirectoryUnavailable: the server cannot be reached or the service account cannot search.
    """
    username = (username or "").strip()
    if not username or not password or len(username) > 100:
        raise Unauthorized(WRONG)
    server = ldap3.Server(settings.url, connect_timeout=settings.timeout, get_info=ldap3.NONE)
    try:
        conn = _connect(settings, server, settings.bind_dn, settings.bind_password)
        if not conn.bind():
            raise DirectoryUnavailable(f"企业目录拒绝了服务账号 / the directory refused the service account: "
                                       f"{conn.result.get('description')}")
        try:
            conn.search(settings.user_base, settings.user_filter.format(username=escape_filter_chars(username)),
                        attributes=[settings.username_attribute, settings.name_attribute, settings.mail_attribute,
                                    "memberOf"], size_limit=2)
            entries = [e for e in conn.response or [] if e.get("type") == "searchResEntry"]
            if len(entries) != 1:
                raise Unauthorized(WRONG)
            dn, attributes = entries[0]["dn"], entries[0].get("attributes", {})
            own = _connect(settings, server, dn, password)
            try:
                if not own.bind():
                    raise Unauthorized(WRONG)
            finally:
                own.unbind()
            member_of = [str(v) for v in attributes.get("memberOf") or []]
            groups = _groups(settings, conn, dn, member_of)
        finally:
            conn.unbind()
    except LDAPException as exc:
        raise DirectoryUnavailable(f"企业目录暂时无法连接 / the directory cannot be reached: {exc}") from exc
    # The directory's own spelling of the name (its match is case-insensitive): one dmflow user per entry.
    name = _first(attributes, settings.username_attribute) or username
    return Person("ldap", name, _first(attributes, settings.name_attribute),
                  _first(attributes, settings.mail_attribute), groups)
