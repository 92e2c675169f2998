"""Organisations as tenants: rows of a tenant-scoped table are read and written only within their organisation."""

from __future__ import annotations

from sqlalchemy import select

from engine import tenancy
from engine.identity import SYSTEM, create_user
from engine.models import Organisation, User


def _organisation(services, code: str, *, kind: str = tenancy.ENTERPRISE, parent: int | None = None) -> int:
    uow = services.uow()
    with uow:
        org = Organisation(code=code, name=code, kind=kind, parent_id=parent, settings={}, created_at=uow.now())
        uow.session.add(org)
        uow.session.flush()
        uow.commit()
        return org.id


def test_a_user_created_while_acting_for_an_organisation_belongs_to_it_and_only_it_sees_them(services):
    a, b = _organisation(services, "ent_a"), _organisation(services, "ent_b")
    with tenancy.acting_for(a):
        create_user(services.uow(), "a_clerk", ["clerk"], actor=SYSTEM)
    with tenancy.acting_for(b):
        create_user(services.uow(), "b_clerk", ["clerk"], actor=SYSTEM)

    def visible(org: int | None) -> set[str]:
        uow = services.uow(readonly=True)
        with tenancy.acting_for(org), uow:
            return set(uow.session.scalars(select(User.username)))

    assert "a_clerk" in visible(a) and "b_clerk" not in visible(a)
    assert "b_clerk" in visible(b) and "a_clerk" not in visible(b)
    assert {"a_clerk", "b_clerk"} <= visible(None)
    with tenancy.acting_for(a), tenancy.unscoped():
        uow = services.uow(readonly=True)
        with uow:
            assert {"a_clerk", "b_clerk"} <= set(uow.session.scalars(select(User.username)))


def test_an_api_caller_is_limited_to_their_organisation(services, client, users):
    b = _organisation(services, "ent_b")
    admin_a = users.headers("root_a", "admin")  # the installation's first organisation
    with tenancy.acting_for(b):
        _, token_b = create_user(services.uow(), "root_b", ["admin"], actor=SYSTEM)
    listed_a = {u["username"] for u in client.get("/api/v1/users", headers=admin_a).get_json()}
    listed_b = {u["username"] for u in client.get("/api/v1/users",
                                                  headers={"Authorization": f"Bearer {token_b}"}).get_json()}
    assert "root_a" in listed_a and "root_b" not in listed_a
    assert listed_b == {"root_b"}
    assert tenancy.current() is None  # the request's organisation does not outlive it


def test_settings_fall_back_from_an_enterprise_to_its_federation(services):
    fed = _organisation(services, "district", kind=tenancy.FEDERATION)
    ent = _organisation(services, "member", parent=fed)
    uow = services.uow()
    with uow:
        uow.session.get(Organisation, fed).settings = {"time_zone": "Asia/Urumqi", "org_short_name": "区总"}
        uow.session.get(Organisation, ent).settings = {"org_short_name": "华机"}
        uow.commit()
    with uow:
        assert tenancy.setting(uow.session, ent, "org_short_name") == "华机"
        assert tenancy.setting(uow.session, ent, "time_zone") == "Asia/Urumqi"
        assert tenancy.setting(uow.session, ent, "notice_reference_pattern", "default") == "default"
        assert [o.id for o in tenancy.members(uow.session, fed)] == [ent]
        assert [o.id for o in tenancy.ancestors(uow.session, ent)] == [fed]
