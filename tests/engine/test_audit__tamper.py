"""The audit trail is tamper-evident: hash chains per instance (`instance:<id>`) plus `system`.

Events are created by driving the bundled `proposal_intake` diagram through the API; tampering is
done with raw SQL on `services.db`, as someone with database access would.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

import engine.audit as audit_module
from api.cli import main
from engine.audit import GENESIS, SYSTEM_CHAIN, event_hash, instance_chain
from engine.models import AuditEvent, UTCDateTime
from engine.unit_of_work import UnitOfWork

from conftest import bundled_files

PROPOSAL = {"title": "食堂扩建", "reason": "排队太久", "measures": "增加窗口"}


def drive(client, deploy, login_as, *, finish: bool = True) -> str:
    """Deploy the congress procedure, start proposal_intake, submit and (optionally) screen it."""
    files = {name: content for name, content in bundled_files("congress").items()
             if name.startswith("proposal_intake.")}  # only this diagram: the others are not under test here
    assert deploy(files).status_code in (200, 201)  # 200: already deployed
    rep = login_as("representative")
    started = client.post("/api/v1/instances", json={"process": "proposal_intake"}, headers=rep)
    assert started.status_code == 201, started.json
    instance_id = started.json["id"]
    (submit,) = started.json["ready_tasks"]
    assert submit["element_id"] == "submit_proposal"
    done = client.post(f"/api/v1/tasks/{submit['id']}/complete", json={"data": PROPOSAL}, headers=rep)
    assert done.status_code == 200, done.json
    if finish:
        (screen,) = done.json["ready_tasks"]
        assert screen["element_id"] == "screen_proposal"
        done = client.post(f"/api/v1/tasks/{screen['id']}/complete", json={"data": {"decision": "accept"}},
                           headers=login_as("proposal_committee"))
        assert done.status_code == 200, done.json
        assert done.json["status"] == "completed"
    return instance_id


def events(services, chain: str) -> list[dict]:
    """The stored rows of one chain, by seq."""
    with services.db.connect() as conn:
        rows = conn.execute(text("SELECT id, seq, event_type, actor, payload, hash FROM audit_events "
                                 "WHERE chain = :c ORDER BY seq"), {"c": chain}).mappings().all()
    return [dict(r) for r in rows]


def event_count(services) -> int:
    with services.db.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM audit_events")).scalar_one()


def sql(services, statement: str, **params) -> int:
    with services.db.begin() as conn:
        return conn.execute(text(statement), params).rowcount


def verify(client, auditor) -> dict:
    response = client.get("/api/v1/audit/verify", headers=auditor)
    assert response.status_code == 200, response.json
    return response.json


@pytest.fixture
def trail(client, deploy, login_as, services):
    """A finished instance; returns (auditor headers, instance chain name, its events)."""
    auditor = login_as("auditor")  # created first: later user creations must not disturb the checks
    chain = instance_chain(drive(client, deploy, login_as))
    rows = events(services, chain)
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    assert len(rows) >= 6
    return auditor, chain, rows


def by_type(rows: list[dict], event_type: str, element_id: str | None = None) -> dict:
    return next(r for r in rows if r["event_type"] == event_type
                and (element_id is None or json.loads(r["payload"]).get("element_id") == element_id))


def only_problem(report: dict) -> dict:
    assert report["ok"] is False
    assert len(report["problems"]) == 1, report["problems"]
    return report["problems"][0]


# -- an untouched trail -------------------------------------------------------------------------------------


def test_verify_is_ok_on_an_untouched_trail(client, trail, services):
    auditor, chain, rows = trail
    report = verify(client, auditor)
    assert report["ok"] is True
    assert report["problems"] == []
    assert report["chains"] == 2  # the system chain and the one instance
    assert report["events"] == event_count(services) == len(rows) + len(events(services, SYSTEM_CHAIN))
    assert len(events(services, SYSTEM_CHAIN)) > 0


def test_verify_needs_the_auditor_or_admin_role(client, login_as):
    assert client.get("/api/v1/audit/verify").status_code == 401
    assert client.get("/api/v1/audit/verify", headers=login_as("representative")).status_code == 403
    admin = client.get("/api/v1/audit/verify", headers=login_as("admin"))
    assert admin.status_code == 200
    assert admin.json["ok"] is True


# -- tampering ----------------------------------------------------------------------------------------------


def test_altered_payload_is_found_naming_the_event_and_chain(client, trail, services):
    auditor, chain, rows = trail
    victim = by_type(rows, "task.completed", "submit_proposal")
    forged = victim["payload"].replace("增加窗口", "取消食堂")
    assert forged != victim["payload"]
    updated = sql(services, "UPDATE audit_events SET payload = :p WHERE id = :id", p=forged, id=victim["id"])
    assert updated == 1

    problem = only_problem(verify(client, auditor))
    assert problem["chain"] == chain
    assert problem["seq"] == victim["seq"]
    assert problem["event_id"] == victim["id"]
    assert "hash mismatch" in problem["reason"]


def test_altered_payload_with_a_recomputed_hash_breaks_the_next_link(client, trail, services):
    auditor, chain, rows = trail
    victim = by_type(rows, "task.completed", "submit_proposal")
    with Session(services.db) as session:
        row = session.get(AuditEvent, victim["id"])
    forged = victim["payload"].replace("增加窗口", "取消食堂")
    digest = event_hash(row.chain, row.seq, row.event_type, row.instance_id, row.actor, row.occurred_at,
                        forged, row.prev_hash)
    sql(services, "UPDATE audit_events SET payload = :p, hash = :h WHERE id = :id",
        p=forged, h=digest, id=victim["id"])

    problem = only_problem(verify(client, auditor))
    successor = rows[victim["seq"]]  # the event after the victim (seq is 1-based)
    assert (problem["chain"], problem["seq"], problem["event_id"]) == (chain, successor["seq"],
                                                                        successor["id"])
    assert "previous-hash mismatch" in problem["reason"]


def test_deleting_an_event_in_the_middle_is_a_sequence_gap(client, trail, services):
    auditor, chain, rows = trail
    middle = rows[len(rows) // 2]
    assert sql(services, "DELETE FROM audit_events WHERE id = :id", id=middle["id"]) == 1

    problem = only_problem(verify(client, auditor))
    following = rows[middle["seq"]]
    assert (problem["chain"], problem["seq"], problem["event_id"]) == (chain, following["seq"],
                                                                        following["id"])
    assert "sequence gap" in problem["reason"]
    assert f"expected {middle['seq']}" in problem["reason"]


def test_swapping_two_events_is_found(client, trail, services):
    auditor, chain, rows = trail
    first, second = rows[2], rows[3]  # seq 3 and 4
    # UNIQUE(chain, seq): move one out of the way through a temporary seq.
    sql(services, "UPDATE audit_events SET seq = -1 WHERE id = :id", id=first["id"])
    sql(services, "UPDATE audit_events SET seq = :s WHERE id = :id", s=first["seq"], id=second["id"])
    sql(services, "UPDATE audit_events SET seq = :s WHERE id = :id", s=second["seq"], id=first["id"])
    assert [e["id"] for e in events(services, chain)][2:4] == [second["id"], first["id"]]

    problem = only_problem(verify(client, auditor))
    assert (problem["chain"], problem["seq"], problem["event_id"]) == (chain, first["seq"], second["id"])
    assert "previous-hash mismatch" in problem["reason"]


def test_deleting_the_last_event_is_found_by_the_chain_head(client, trail, services):
    auditor, chain, rows = trail
    last = rows[-1]
    assert last["event_type"] == "instance.completed"
    assert sql(services, "DELETE FROM audit_events WHERE id = :id", id=last["id"]) == 1

    problem = only_problem(verify(client, auditor))
    assert problem["chain"] == chain
    assert problem["seq"] == last["seq"]
    assert problem["event_id"] is None
    assert f"chain head records {last['seq']} events, found {last['seq'] - 1}" in problem["reason"]


def test_altering_the_actor_is_found(client, trail, services):
    auditor, chain, rows = trail
    victim = by_type(rows, "task.completed", "screen_proposal")
    assert victim["actor"] == "user_proposal_committee"
    sql(services, "UPDATE audit_events SET actor = 'someone_else' WHERE id = :id", id=victim["id"])

    problem = only_problem(verify(client, auditor))
    assert (problem["chain"], problem["seq"], problem["event_id"]) == (chain, victim["seq"], victim["id"])
    assert "hash mismatch" in problem["reason"]


def test_altering_occurred_at_is_found(client, trail, services, clock):
    auditor, chain, rows = trail
    victim = rows[0]
    statement = text("UPDATE audit_events SET occurred_at = :t WHERE id = :id").bindparams(
        bindparam("t", type_=UTCDateTime))
    with services.db.begin() as conn:
        updated = conn.execute(statement, {"t": clock.now() - timedelta(days=3), "id": victim["id"]})
        assert updated.rowcount == 1

    problem = only_problem(verify(client, auditor))
    assert (problem["chain"], problem["seq"], problem["event_id"]) == (chain, 1, victim["id"])
    assert "hash mismatch" in problem["reason"]


def test_tampering_with_the_system_chain_is_found(client, trail, services):
    auditor, _, _ = trail
    system = events(services, SYSTEM_CHAIN)
    created = by_type(system, "user.created")
    sql(services, "UPDATE audit_events SET payload = :p WHERE id = :id",
        p=created["payload"].replace('"roles":[', '"roles":["admin",'), id=created["id"])

    problem = only_problem(verify(client, auditor))
    assert (problem["chain"], problem["seq"], problem["event_id"]) == (SYSTEM_CHAIN, created["seq"],
                                                                        created["id"])


def test_events_without_a_chain_head_are_found(client, trail, services):
    auditor, chain, rows = trail
    assert sql(services, "DELETE FROM audit_chains WHERE chain = :c", c=chain) == 1

    problem = only_problem(verify(client, auditor))
    assert problem["chain"] == chain
    assert "no head" in problem["reason"]


def test_every_broken_chain_is_reported(client, deploy, login_as, services):
    auditor = login_as("auditor")
    first = instance_chain(drive(client, deploy, login_as))
    second = instance_chain(drive(client, deploy, login_as, finish=False))
    for chain in (first, second):
        sql(services, "UPDATE audit_events SET actor = 'x' WHERE chain = :c AND seq = 1", c=chain)

    report = verify(client, auditor)
    assert report["ok"] is False
    assert sorted((p["chain"], p["seq"]) for p in report["problems"]) == sorted([(first, 1), (second, 1)])


def test_verify_reads_one_snapshot_so_a_concurrent_append_is_not_tampering(client, trail, services,
                                                                            monkeypatch):
    """An append committed while verify runs (between reading the heads and the events) is no alarm."""
    auditor, _, _ = trail
    original = audit_module._rows

    def rows_after_a_concurrent_append(session, chain):
        uow = services.uow()
        with uow:
            uow.audit(SYSTEM_CHAIN, "test.concurrent", {"n": 1}, actor="someone")
            uow.commit()
        return original(session, chain)

    monkeypatch.setattr(audit_module, "_rows", rows_after_a_concurrent_append)
    report = verify(client, auditor)
    monkeypatch.undo()
    assert report["problems"] == []
    assert report["ok"] is True
    assert verify(client, auditor)["ok"] is True  # and the appended event itself is sound


# -- the command line ---------------------------------------------------------------------------------------


def test_cli_audit_verify_exits_0_on_an_intact_trail(runner, trail, services):
    result = runner.invoke(main, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"audit trail intact: {event_count(services)} events in 2 chains" in result.stdout


def test_cli_audit_verify_exits_1_naming_the_first_bad_event(runner, trail, services):
    _, chain, rows = trail
    first_bad, later = rows[1], rows[4]
    for victim in (first_bad, later):
        sql(services, "UPDATE audit_events SET actor = 'forger' WHERE id = :id", id=victim["id"])

    result = runner.invoke(main, ["audit", "verify"])
    assert result.exit_code == 1
    assert f"TAMPERED chain={chain} seq={first_bad['seq']} event_id={first_bad['id']}" in result.stderr
    assert f"event_id={later['id']}" not in result.stderr
    assert "intact" not in result.stdout

    system_only = runner.invoke(main, ["audit", "verify", "--chain", SYSTEM_CHAIN])
    assert system_only.exit_code == 0, system_only.output


# -- every state change has its events ----------------------------------------------------------------------


def test_history_holds_every_state_change_in_order_with_linked_hashes(client, deploy, login_as, services):
    instance_id = drive(client, deploy, login_as)
    response = client.get(f"/api/v1/instances/{instance_id}/history", headers=login_as("auditor"))
    assert response.status_code == 200
    history = response.json

    assert [e["seq"] for e in history] == list(range(1, len(history) + 1))
    assert history[0]["prev_hash"] == GENESIS
    for previous, event in zip(history, history[1:], strict=False):
        assert event["prev_hash"] == previous["hash"]
    with services.db.connect() as conn:
        head = conn.execute(text("SELECT last_seq, last_hash FROM audit_chains WHERE chain = :c"),
                            {"c": instance_chain(instance_id)}).one()
    assert (head.last_seq, head.last_hash) == (history[-1]["seq"], history[-1]["hash"])

    def find(event_type: str, element_id: str | None = None) -> int:
        matches = [i for i, e in enumerate(history) if e["type"] == event_type
                   and (element_id is None or e["payload"].get("element_id") == element_id)]
        assert len(matches) == 1, (event_type, element_id, history)
        return matches[0]

    started = find("instance.started")
    submit_ready = find("task.ready", "submit_proposal")
    submitted = find("task.completed", "submit_proposal")
    screen_ready = find("task.ready", "screen_proposal")
    screened = find("task.completed", "screen_proposal")
    completed = find("instance.completed")
    assert started == 0
    assert started < submit_ready < submitted < screen_ready < screened < completed == len(history) - 1

    assert history[started]["actor"] == "user_representative"
    assert history[started]["payload"]["process_id"] == "proposal_intake"
    assert history[submit_ready]["payload"]["lane"] == "representative"
    assert history[submitted]["actor"] == "user_representative"
    assert history[submitted]["payload"]["data"] == PROPOSAL
    assert history[screened]["actor"] == "user_proposal_committee"
    assert history[screened]["payload"]["data"] == {"decision": "accept"}
    assert history[completed]["payload"]["data"] == PROPOSAL | {"decision": "accept"}


def _ready_task(client, instance_id: str, headers) -> dict:
    detail = client.get(f"/api/v1/instances/{instance_id}", headers=headers).json
    (task,) = detail["ready_tasks"]
    return task


def test_a_rejected_request_appends_no_event(client, deploy, login_as, services):
    instance_id = drive(client, deploy, login_as, finish=False)
    committee = login_as("proposal_committee")
    representative = login_as("representative")
    task = _ready_task(client, instance_id, committee)
    before = event_count(services)

    bad = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"decision": "maybe"}},
                      headers=committee)
    assert bad.status_code == 422
    assert "decision" in bad.json["errors"]
    wrong_lane = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"decision": "accept"}},
                             headers=representative)
    assert wrong_lane.status_code == 403

    assert event_count(services) == before
    assert _ready_task(client, instance_id, committee)["id"] == task["id"]
    assert verify(client, login_as("auditor"))["ok"] is True


def test_a_failure_after_the_audit_append_rolls_back_state_and_events_together(client, deploy, login_as,
                                                                               services, monkeypatch):
    instance_id = drive(client, deploy, login_as, finish=False)
    committee = login_as("proposal_committee")
    auditor = login_as("auditor")
    task = _ready_task(client, instance_id, committee)
    chain = instance_chain(instance_id)
    before_rows, before_head = event_count(services), events(services, chain)[-1]

    seen_in_transaction = []

    def explode(self):
        self.flush_audit()  # what commit() does first: the step's events go to the database
        self.session.flush()
        seen_in_transaction.append(self.session.scalar(select(func.count()).select_from(AuditEvent)))
        raise RuntimeError("disk full")

    # The commit fails after the task was completed and its events appended in the same transaction.
    monkeypatch.setattr(UnitOfWork, "commit", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"decision": "accept"}},
                    headers=committee)
    monkeypatch.undo()

    assert seen_in_transaction[0] > before_rows  # the events were written, inside the failed transaction
    assert event_count(services) == before_rows
    assert events(services, chain)[-1] == before_head
    detail = client.get(f"/api/v1/instances/{instance_id}", headers=auditor).json
    assert detail["status"] == "running"
    assert [t["id"] for t in detail["ready_tasks"]] == [task["id"]]
    assert verify(client, auditor)["ok"] is True

    # and the same request, once it can succeed, records its events normally
    done = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"decision": "accept"}},
                       headers=committee)
    assert done.status_code == 200
    assert event_count(services) > before_rows
    assert verify(client, auditor)["ok"] is True
