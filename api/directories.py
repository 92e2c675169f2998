"""Enterprise directories wired into the app: LDAP settings, the group -> roles mapping and the OpenID Connect
client (Authlib's Flask client: discovery, authorization code flow, state and nonce checks, ID token signature
validated against the provider's JWKS). Both are off until configured (api/config.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

from engine import directory, ldap_directory
from engine.passwords import Login
from engine.unit_of_work import UnitOfWork

OIDC_NAME = "enterprise"


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def mapping(app: Flask | None = None) -> directory.RoleMapping:
    """The group -> roles mapping (a mapping, or its JSON text as an environment variable gives it)."""
    cfg = (app or current_app).config
    return directory.RoleMapping.from_config(_json(cfg.get("DIRECTORY_GROUP_ROLES")),
                                             _json(cfg.get("DIRECTORY_DEFAULT_ROLES")))


def ldap_sign_in(uow_factory: Callable[[], UnitOfWork]) -> Callable[[str, str], Login] | None:
    """The LDAP check the login form falls back to for names without a local password (None: LDAP off)."""
    settings = ldap_directory.LdapSettings.from_config(current_app.config)
    if settings is None:
        return None
    roles = mapping()

    def check(username: str, password: str) -> Login:
        person = ldap_directory.authenticate(settings, username, password)
        return directory.provision(uow_factory(), person, roles)

    return check


def oidc_enabled(app: Flask | None = None) -> bool:
    return bool((app or current_app).config.get("OIDC_ISSUER"))


def oidc_client():
    """Authlib's registered client for the configured provider."""
    return current_app.extensions["authlib.integrations.flask_client"].create_client(OIDC_NAME)


def redirect_uri() -> str:
    cfg = current_app.config
    return cfg.get("OIDC_REDIRECT_URI") or cfg["BASE_URL"].rstrip("/") + "/login/sso/callback"


def person_from_oidc(userinfo: dict) -> directory.Person:
    cfg = current_app.config
    groups = userinfo.get(cfg["OIDC_GROUPS_CLAIM"]) or []
    groups = [groups] if isinstance(groups, str) else [str(g) for g in groups if isinstance(g, str | int)]
    name = userinfo.get(cfg["OIDC_USERNAME_CLAIM"])
    return directory.Person("oidc", str(name) if isinstance(name, str | int) else "",
                            userinfo.get("name") if isinstance(userinfo.get("name"), str) else None,
                            userinfo.get("email") if isinstance(userinfo.get("email"), str) else None,
                            tuple(groups))


def init_app(app: Flask) -> None:
    """Check the group -> roles mapping (a bad one stops the start with its reason) and register the OpenID
    Connect client when OIDC_ISSUER is set."""
    try:
        mapping(app)
    except (ValueError, TypeError, AttributeError) as exc:
        raise RuntimeError("DMFLOW_DIRECTORY_GROUP_ROLES must be a JSON object of group -> [roles], and "
                           f"DMFLOW_DIRECTORY_DEFAULT_ROLES a JSON list of roles: {exc}") from exc
    if not oidc_enabled(app):
        return
    cfg = app.config
    oauth = OAuth(app)
    oauth.register(OIDC_NAME, client_id=cfg["OIDC_CLIENT_ID"], client_secret=cfg["OIDC_CLIENT_SECRET"],
                   server_metadata_url=cfg["OIDC_ISSUER"].rstrip("/") + "/.well-known/openid-configuration",
                   client_kwargs={"scope": cfg["OIDC_SCOPE"], "timeout": 10})
