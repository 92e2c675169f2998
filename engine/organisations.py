"""Administering organisations (enterprises and federations): the installation's operator creates and edits them;
everyone else sees only their own."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from zoneinfo import available_timezones

from sqlalchemy import select

from . import tenancy, zones
from .audit import SYSTEM_CHAIN
from .errors import Conflict, NotFound, ValidationFailed
from .identity import Actor
from .models import Organisation
from .unit_of_work import UnitOfWork

CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
FIELDS = ("name", "kind", "parent", "region", "industry", "headcount", "settings")
# What an organisation may set for itself (else its federation's, else the installation's configuration):
# time_zone, the document-number pattern and short name of notices, and rule values (rule_<name>, as in
# DMFLOW_RULE_<NAME>).
SETTING_KEYS = ("time_zone", "notice_reference_pattern", "org_short_name")


def view(org: Organisation, codes: dict[int, str]) -> dict[str, Any]:
    return {"id": org.id, "code": org.code, "name": org.name, "kind": org.kind,
            "parent": codes.get(org.parent_id) if org.parent_id else None, "region": org.region,
            "industry": org.industry, "headcount": org.headcount, "settings": dict(org.settings or {}),
            "created_at": org.created_at}


def is_operator(actor: Actor) -> bool:
    """The installation's operator: an admin of its first organisation."""
    return actor.org_id == tenancy.DEFAULT_ORG and actor.has("admin")


def _codes(session) -> dict[int, str]:
    return dict(session.execute(select(Organisation.id, Organisation.code)).all())


def list_organisations(uow: UnitOfWork, actor: Actor) -> list[dict[str, Any]]:
    """Every organisation for the operator; one's own for everyone else."""
    with uow:
        codes = _codes(uow.session)
        query = select(Organisation).order_by(Organisation.id)
        if not is_operator(actor):
            query = query.where(Organisation.id == actor.org_id)
        return [view(o, codes) for o in uow.session.scalars(query)]


def get_organisation(uow: UnitOfWork, actor: Actor, org_id: int) -> dict[str, Any]:
    """Raises: NotFound (also for another organisation than one's own, unless the operator asks)."""
    with uow:
        org = uow.session.get(Organisation, org_id)
        if org is None or not (is_operator(actor) or org.id == actor.org_id):
            raise NotFound(f"organisation {org_id} not found")
        return view(org, _codes(uow.session))


def _check(session, values: dict[str, Any], org_id: int | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out = dict(values)
    if "kind" in values and values["kind"] not in tenancy.KINDS:
        errors["kind"] = [f"one of {', '.join(tenancy.KINDS)}"]
    if "name" in values and not (values["name"] or "").strip():
        errors["name"] = ["a name is required"]
    if "parent" in values:
        out.pop("parent")
        parent = values["parent"]
        if parent is None:
            out["parent_id"] = None
        else:
            found = tenancy.by_code(session, parent) if isinstance(parent, str) else session.get(Organisation, parent)
            if found is None or found.kind != tenancy.FEDERATION:
                errors["parent"] = [f"'{parent}' is not a federation"]
            elif org_id is not None and (found.id == org_id
                                         or org_id in [o.id for o in tenancy.ancestors(session, found.id)]):
                errors["parent"] = ["an organisation cannot be placed below itself"]
            else:
                out["parent_id"] = found.id
    if "headcount" in values and values["headcount"] is not None and values["headcount"] < 0:
        errors["headcount"] = ["must not be negative"]
    for key, value in (values.get("settings") or {}).items():
        if key not in SETTING_KEYS and not key.startswith("rule_"):
            errors.setdefault("settings", []).append(
                f"unknown setting '{key}' (one of {', '.join(SETTING_KEYS)} or rule_<name>)")
        elif key == "time_zone" and value not in available_timezones():
            errors.setdefault("settings", []).append(f"unknown time zone '{value}'")
    if errors:
        raise ValidationFailed("the organisation cannot be saved", errors)
    return out


def create_organisation(uow: UnitOfWork, actor: Actor, code: str, **values: Any) -> dict[str, Any]:
    """Raises: ValidationFailed, Conflict (the code is taken)."""
    if not CODE.match(code or ""):
        raise ValidationFailed("a code is 1 to 64 lower-case letters, digits, '-' or '_'",
                               {"code": ["lower-case letters, digits, '-' or '_'"]})
    with uow, tenancy.unscoped():
        s = uow.session
        if tenancy.by_code(s, code) is not None:
            raise Conflict(f"organisation '{code}' already exists")
        checked = _check(s, {"kind": tenancy.ENTERPRISE, **values}, None)
        org = tenancy.create(s, code, checked.pop("name"), now=uow.now(), **checked)
        out = view(org, _codes(s))
        with tenancy.acting_for(tenancy.DEFAULT_ORG):
            uow.audit(SYSTEM_CHAIN, "organisation.created", {k: v for k, v in out.items() if k != "created_at"},
                      actor=actor.username)
        uow.commit()
        return out


# What follows a change of the zone some organisations work in (the layer above recomputes their waiting
# deadlines): (unit of work, actor, organisation id -> (its zone setting before, after; None for the
# installation's)) -> how many values moved, None when no zone changed in effect (None turned into the
# installation's own zone). Called inside the change's unit of work, so the moves commit, or fail, with it.
ZoneFollower = Callable[[UnitOfWork, Actor, dict[int, tuple[str | None, str | None]]], int | None]


def update_organisation(uow: UnitOfWork, actor: Actor, org_id: int, *, follow_zone: ZoneFollower | None = None,
                        **values: Any) -> dict[str, Any]:
    """Change an organisation's particulars or settings, audited.

    When the zone an organisation works in changes (its ``time_zone`` setting, or its federation's that it
    inherits, or a move below another federation), ``follow_zone`` is called in the same transaction with the
    organisations whose zone changed (the organisation and those below it that inherit it); the answer's
    ``deadlines_moved`` is what it returns (None when no zone changed).

    Raises: NotFound, ValidationFailed.
    """
    with uow, tenancy.unscoped():
        s = uow.session
        org = s.get(Organisation, org_id)
        if org is None:
            raise NotFound(f"organisation {org_id} not found")
        checked = _check(s, values, org.id)
        if checked.get("kind") == tenancy.ENTERPRISE and org.kind == tenancy.FEDERATION and \
                tenancy.members(s, org.id, recursive=False):
            raise ValidationFailed("a federation with members cannot become an enterprise",
                                   {"kind": ["move its members first"]})
        zones_before = zones.zones_within(s, org.id)
        for key, value in checked.items():
            setattr(org, key, value)
        s.flush()
        tenancy.forget()
        moved_zones = {o: (zones_before.get(o), z) for o, z in zones.zones_within(s, org.id).items()
                       if zones_before.get(o) != z}
        out = view(org, _codes(s))
        with tenancy.acting_for(tenancy.DEFAULT_ORG):
            uow.audit(SYSTEM_CHAIN, "organisation.changed", {"id": org.id, "code": org.code, "changes": {
                k: v for k, v in values.items()}}, actor=actor.username)
        out["deadlines_moved"] = follow_zone(uow, actor, moved_zones) if moved_zones and follow_zone else None
        uow.commit()
    tenancy.forget()  # what was read while the change was open is the table before it
    return out
