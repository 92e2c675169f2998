"""Tenancy holds on every path: the worker acts for the instance's organisation, bulk inserts take the current
organisation, messages never cross organisations, diagrams in force come from the nearest organisation that
deployed them, and an organisation's system events go to its own audit chain."""

from __future__ import annotations

from sqlalchemy import select

from engine import audit, tenancy
from engine.identity import SYSTEM, create_user
from engine.models import AuditEvent, HumanTask, Instance, MessageSubscription, ProcessVersion, User, UserRole
from engine.notification_tables import Notification
from engine.notifications import notify
from engine.worker import run_once

from conftest import deploy_files
from helpers.bpmn import correlated_wait, intermediate_timer, script_then_task
from helpers.tenancy import headers, organisation


def _rows(services, model, *where):
    uow = services.uow(readonly=True)
    with uow, tenancy.unscoped():
        return list(uow.session.scalars(select(model).where(*where)))


def test_a_timer_fired_by_the_worker_creates_the_next_task_in_the_instances_organisation(
        services, client, users, clock):
    b = organisation(services, "ent_b")
    assert deploy_files(client, users.headers("designer", "designer"),
                        {"t.bpmn": intermediate_timer("timed", "PT1H")}).status_code == 201
    clerk_b = headers(services, b, "b_clerk", "clerk")
    started = client.post("/api/v1/instances", json={"process": "timed"}, headers=clerk_b)
    assert started.status_code == 201, started.get_json()
    instance_id = started.get_json()["id"]
    clock.advance(hours=2)
    assert run_once(services.uow).timers_fired == [instance_id]
    [task] = _rows(services, HumanTask, HumanTask.instance_id == instance_id)
    assert (task.element_id, task.org_id) == ("after", b)
    assert {i.org_id for i in _rows(services, Instance, Instance.id == instance_id)} == {b}
    admin_b = headers(services, b, "b_admin", "admin")
    assert [t["id"] for t in client.get(f"/api/v1/tasks?scope=all&instance={instance_id}", headers=admin_b)
            .get_json()["items"]] == [task.id]
    assert client.get(f"/api/v1/tasks?scope=all&instance={instance_id}", headers=users.headers("a_admin", "admin")) \
        .get_json()["items"] == []


def test_a_message_reaches_only_the_waiting_instance_of_the_senders_organisation(services, client, users):
    b = organisation(services, "ent_b")
    assert deploy_files(client, users.headers("designer", "designer"),
                        {"w.bpmn": correlated_wait("objection_wait")}).status_code == 201
    starts = {}
    for org, who in ((tenancy.DEFAULT_ORG, users.headers("a_clerk", "clerk")),
                     (b, headers(services, b, "b_clerk", "clerk"))):
        response = client.post("/api/v1/instances", json={"process": "objection_wait", "data": {"contract_id": 7}},
                               headers=who)
        assert response.status_code == 201, response.get_json()
        starts[org] = response.get_json()["id"]
    subscriptions = _rows(services, MessageSubscription, MessageSubscription.instance_id.in_(starts.values()))
    assert {(s.instance_id, s.org_id) for s in subscriptions} == {(i, o) for o, i in starts.items()}
    liaison_b = headers(services, b, "b_liaison", "liaison")
    sent = client.post("/api/v1/messages", json={"name": "contract.objection", "correlation": {"contract_id": 7},
                                                 "data": {}}, headers=liaison_b)
    assert sent.status_code == 200, sent.get_json()
    assert sent.get_json()["delivered"] == [starts[b]]


def test_bulk_inserts_take_the_current_organisation(services):
    b = organisation(services, "ent_b")
    with tenancy.acting_for(b):
        create_user(services.uow(), "b_member", ["representative"], actor=SYSTEM)
        uow = services.uow()
        with uow:
            assert notify(uow, "b_member", "test.kind", "标题", "正文", None, "test/key") == 1
            uow.commit()
    [notice] = _rows(services, Notification, Notification.key == "test/key")
    assert notice.org_id == b


def test_an_organisation_runs_its_own_diagram_else_its_federations_else_the_installations(
        services, client, users):
    fed = organisation(services, "district", kind=tenancy.FEDERATION)
    member = organisation(services, "member", parent=fed)
    own = organisation(services, "own", parent=fed)
    deploy_files(client, users.headers("designer", "designer"), {"p.bpmn": script_then_task("shared", "x = 1")})
    deploy_files(client, headers(services, fed, "fed_designer", "designer"),
                 {"p.bpmn": script_then_task("shared", "x = 2")})
    own_designer = headers(services, own, "own_designer", "designer")
    deployed = deploy_files(client, own_designer, {"p.bpmn": script_then_task("shared", "x = 3")})
    assert deployed.status_code == 201
    assert deployed.get_json()["versions"][0]["version"] == 1  # numbered within the organisation
    lone = organisation(services, "lone")

    def run(org: int, name: str) -> int:
        who = headers(services, org, name, "clerk")
        response = client.post("/api/v1/instances", json={"process": "shared"}, headers=who)
        assert response.status_code == 201, response.get_json()
        [instance] = _rows(services, Instance, Instance.id == response.get_json()["id"])
        [pv] = _rows(services, ProcessVersion, ProcessVersion.id == instance.process_version_id)
        assert instance.org_id == org
        listed = client.get(f"/api/v1/instances/{instance.id}", headers=who)
        assert listed.status_code == 200
        return pv.org_id

    assert run(own, "own_clerk") == own
    assert run(member, "member_clerk") == fed
    assert run(lone, "lone_clerk") == tenancy.DEFAULT_ORG
    assert run(tenancy.DEFAULT_ORG, "a_clerk") == tenancy.DEFAULT_ORG
    processes = client.get("/api/v1/processes", headers=own_designer).get_json()
    assert [(p["process_id"], p["latest_version"]) for p in processes if p["process_id"] == "shared"] == \
        [("shared", 1)]


def test_an_organisations_system_events_go_to_its_own_chain_and_verification_covers_every_chain(
        services):
    b = organisation(services, "ent_b")
    with tenancy.acting_for(b):
        create_user(services.uow(), "b_admin", ["admin"], actor=SYSTEM)
    created = {e.chain for e in _rows(services, AuditEvent, AuditEvent.event_type == "user.created")}
    assert "system:ent_b" in created
    assert not any(e.chain == "system" and "b_admin" in e.payload
                   for e in _rows(services, AuditEvent, AuditEvent.event_type == "user.created"))
    uow = services.uow(readonly=True)
    with uow:
        report = audit.verify(uow.session)
    assert report.ok, report.problems
    assert report.chains >= 2  # the installation's system chain and ent_b's


def test_statements_on_bare_tables_keep_to_the_organisation_and_textual_ones_pass_through(services):
    from sqlalchemy import column, delete, text

    b = organisation(services, "ent_b")
    for org, name in ((tenancy.DEFAULT_ORG, "a_user"), (b, "b_user")):
        with tenancy.acting_for(org):
            create_user(services.uow(), name, ["clerk"], actor=SYSTEM)
    users = User.__table__
    with tenancy.acting_for(b):
        uow = services.uow()
        with uow:
            assert set(uow.session.scalars(select(users.c.username))) == {"b_user"}
            uow.session.execute(delete(UserRole.__table__))  # only B's roles go
            rows = uow.session.execute(text("SELECT username FROM users").columns(column("username"))).all()
            assert {r.username for r in rows} >= {"a_user", "b_user"}  # textual: the caller's own filter
            uow.commit()
    remaining = {r.user_id for r in _rows(services, UserRole)}
    assert {u.id for u in _rows(services, User, User.username == "a_user")} <= remaining
    assert not {u.id for u in _rows(services, User, User.username == "b_user")} & remaining
