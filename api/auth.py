"""Bearer-token authentication and role checks for API views."""

from __future__ import annotations

from flask import current_app, g, request

from engine import tenancy
from engine.errors import Forbidden
from engine.identity import Actor, authenticate


def _token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def current_actor() -> Actor:
    """The authenticated caller. Raises: Unauthorized."""
    actor = g.get("actor")
    if actor is None:
        actor = authenticate(current_app.extensions["dmflow"].uow(readonly=True), _token())
        g.actor = actor
        tenancy.set_current(actor.org_id)
    return actor


def authenticate_first() -> None:
    """`before_request`: every API operation needs a caller with a valid token, so check it before the
    arguments are parsed: a caller without one gets 401, never 422 field errors about a body it may not send.
    The OpenAPI document and its docs page (blueprint `api-docs`) stay public."""
    prefix = current_app.config["OPENAPI_URL_PREFIX"].rstrip("/") + "/"
    if request.method == "OPTIONS" or not request.path.startswith(prefix):
        return
    if request.blueprint in (None, "api-docs") or _is_public():
        return
    current_actor()


def _is_public() -> bool:
    """True for operations documented with `@blp.doc(security=[])` (the health check)."""
    view_class = getattr(current_app.view_functions.get(request.endpoint), "view_class", None)
    method = getattr(view_class, request.method.lower(), None)
    return getattr(method, "_apidoc", {}).get("manual_doc", {}).get("security") == []


def require(*roles: str) -> Actor:
    """The caller, who must hold one of `roles`. Raises: Unauthorized, Forbidden."""
    actor = current_actor()
    if roles and not actor.has(*roles):
        raise Forbidden(f"this needs one of the roles: {', '.join(roles)}")
    return actor
