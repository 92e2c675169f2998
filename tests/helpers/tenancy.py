"""Organisations for tenancy tests: made through the engine, with users of their own."""

from __future__ import annotations

from engine import tenancy
from engine.identity import SYSTEM, create_user


def organisation(services, code: str, *, kind: str = tenancy.ENTERPRISE, parent: int | None = None) -> int:
    uow = services.uow()
    with uow:
        org = tenancy.create(uow.session, code, f"{code} 有限公司", kind=kind, parent_id=parent, now=uow.now())
        uow.commit()
        return org.id


def headers(services, org: int, username: str, *roles: str) -> dict[str, str]:
    """Authorization headers of a new user of `org` holding `roles`."""
    with tenancy.acting_for(org):
        _, token = create_user(services.uow(), username, list(roles), actor=SYSTEM)
    return {"Authorization": f"Bearer {token}"}
