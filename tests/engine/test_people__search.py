"""Finding users by name (the people pickers' engine functions), on SQLite and PostgreSQL: part of a name or login
in any case, exact names first, at most the limit, only active users of the current organisation; and who a
typed text means (a login, else every user with exactly that display name)."""

from __future__ import annotations

from sqlalchemy import select

from engine import departments, people, tenancy
from engine.identity import SYSTEM, create_user
from engine.models import User

from helpers.tenancy import organisation


def _users(services, **names: str) -> None:
    for username, name in names.items():
        create_user(services.uow(), username, ["clerk"], actor=SYSTEM, display_name=name)


def _deactivate(services, username: str) -> None:
    uow = services.uow()
    with uow:
        uow.session.scalar(select(User).where(User.username == username)).active = False
        uow.commit()


def test_part_of_a_name_or_login_finds_active_users_exact_names_first(services):
    _users(services, Wang_A="王芳", wang_b="王芳芳", li_x="李王", gone="王五")
    _deactivate(services, "gone")
    departments.save_department(services.uow(), "fin", name="财务部", members=["wang_b"], heads=[], actor=SYSTEM)
    found = people.search(services.uow(readonly=True), "王芳")
    assert [p["username"] for p in found] == ["Wang_A", "wang_b"]
    assert found[1] == {"username": "wang_b", "name": "王芳芳", "departments": ["财务部"]}
    assert {p["username"] for p in people.search(services.uow(readonly=True), "王")} == {"Wang_A", "wang_b", "li_x"}
    assert [p["username"] for p in people.search(services.uow(readonly=True), "WANG_")] == ["Wang_A", "wang_b"]
    assert people.search(services.uow(readonly=True), "%") == []  # LIKE's wildcards are taken literally
    assert len(people.search(services.uow(readonly=True), "王", limit=2)) == 2


def test_the_search_never_reaches_another_organisation(services):
    _users(services, here_wang="王芳")
    with tenancy.acting_for(organisation(services, "elsewhere")):
        _users(services, far_wang="王芳")
        assert [p["username"] for p in people.search(services.uow(readonly=True), "王芳")] == ["far_wang"]
        assert people.named(services.uow(readonly=True), "here_wang") == []
    with tenancy.acting_for(1):
        assert [p["username"] for p in people.search(services.uow(readonly=True), "王芳")] == ["here_wang"]
        assert [p["username"] for p in people.named(services.uow(readonly=True), "王芳")] == ["here_wang"]


def test_a_typed_login_or_exact_name_means_its_users(services):
    _users(services, wf1="王芳", wf2="王芳", li_m="李明", old="赵六")
    _deactivate(services, "old")
    unit = services.uow
    assert [p["username"] for p in people.named(unit(readonly=True), "wf2")] == ["wf2"]
    assert [p["username"] for p in people.named(unit(readonly=True), " 李明 ")] == ["li_m"]
    assert [p["username"] for p in people.named(unit(readonly=True), "王芳")] == ["wf1", "wf2"]
    assert people.named(unit(readonly=True), "李") == [] and people.named(unit(readonly=True), "赵六") == []
    assert [p["name"] for p in people.names_of(unit(readonly=True), ["li_m", "nobody"])] == ["李明", "nobody"]
