"""Tampering by an insider with write access to the database, including rewrites that keep every chain consistent.

Each kind of tampering of issue 15 is done with raw SQL on a real database after real cases ran through the
API. Those that leave the tables inconsistent with each other are found by plain `dmflow audit verify`; the
consistent rewrites (a chain re-hashed with its head, a tail cut with the head set back, a whole case deleted,
the stored checkpoints erased) only by `--checkpoint` with a signed checkpoint file kept outside the database.
"""

from __future__ import annotations

import json

import pytest

from api.cli import main
from engine.audit import SYSTEM_CHAIN, canonical_json, instance_chain

from conftest import bundled_files
from helpers.insider import cut, erase_checkpoints, rewrite, rows, sql

PROPOSAL = {"title": "食堂扩建", "reason": "排队太久", "measures": "增加窗口"}


def start_proposal(client, deploy, login_as, *, screen: bool) -> str:
    """A proposal_intake case, submitted by a representative and (if `screen`) screened to its end."""
    files = {n: c for n, c in bundled_files("congress").items() if n.startswith("proposal_intake.")}
    assert deploy(files).status_code in (200, 201)
    rep = login_as("representative")
    started = client.post("/api/v1/instances", json={"process": "proposal_intake"}, headers=rep)
    (submit,) = started.json["ready_tasks"]
    done = client.post(f"/api/v1/tasks/{submit['id']}/complete", json={"data": PROPOSAL}, headers=rep)
    assert done.status_code == 200, done.json
    if screen:
        (task,) = done.json["ready_tasks"]
        done = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"decision": "accept"}},
                           headers=login_as("proposal_committee"))
        assert done.json["status"] == "completed"
    return started.json["id"]


@pytest.fixture(autouse=True)
def _restore_flask_run_flag(monkeypatch):
    """Flask's CLI group sets FLASK_RUN_FROM_CLI in os.environ; keep it from leaking into other tests."""
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)


@pytest.fixture
def cases(app, client, deploy, login_as, runner, tmp_path):
    """A signing key, one finished and one running case; returns their ids."""
    app.config["SIGNING_KEY_FILE"] = str(tmp_path / "signing_key.pem")
    assert runner.invoke(main, ["audit", "keygen"]).exit_code == 0
    login_as("auditor")
    return {"done": start_proposal(client, deploy, login_as, screen=True),
            "open": start_proposal(client, deploy, login_as, screen=False)}


def checkpoint(runner, path) -> dict:
    result = runner.invoke(main, ["audit", "checkpoint", "--out", str(path)])
    assert result.exit_code == 0, result.output
    return json.loads(path.read_text())


def verify(runner, *files) -> tuple[int, str]:
    args = ["audit", "verify"] + [a for f in files for a in ("--checkpoint", str(f))]
    result = runner.invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stdout + result.stderr


def first_problem(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("TAMPERED"))


def event_of(services, chain: str, event_type: str) -> dict:
    return next(e for e in rows(services, chain) if e["event_type"] == event_type)


def test_intact_trail_extends_its_checkpoint(runner, cases, tmp_path):
    taken = checkpoint(runner, tmp_path / "cp.json")
    assert taken["seq"] == 1 and taken["chains"] == 3 and len(taken["heads"]) == 3
    code, output = verify(runner, tmp_path / "cp.json")
    assert code == 0, output
    assert "intact" in output and "extends 1 checkpoint(s)" in output


class TestConsistentRewrites:
    """Rewrites that keep each chain and head consistent: found only against a checkpoint."""

    def test_event_altered_and_chain_rehashed_with_head_is_found_by_the_checkpoint_file(self, runner, cases,
                                                                                          services, tmp_path):
        taken = checkpoint(runner, tmp_path / "cp.json")
        chain = instance_chain(cases["done"])
        head = dict((c, s) for c, s, _ in taken["heads"])[chain]  # the checkpoint knows each chain's head
        started = event_of(services, chain, "instance.started")
        forged = json.loads(started["payload"]) | {"business_key": "伪造"}
        rewrite(services, chain, started["seq"], payload=canonical_json(forged))
        erase_checkpoints(services)

        assert verify(runner)[0] == 0  # the tables alone agree with themselves
        code, output = verify(runner, tmp_path / "cp.json")
        assert code == 1
        assert f"chain={chain} seq={head}" in first_problem(output)
        assert "it or an event before it was altered and the chain re-hashed" in first_problem(output)

    def test_a_rehashed_chain_is_found_by_the_stored_checkpoint_when_it_was_left_in_place(self, runner, cases,
                                                                                         services, tmp_path):
        taken = checkpoint(runner, tmp_path / "cp.json")
        chain = instance_chain(cases["done"])
        ready = event_of(services, chain, "task.ready")
        rewrite(services, chain, ready["seq"], payload=ready["payload"].replace("提交", "撤回"))
        code, output = verify(runner)
        head = dict((c, s) for c, s, _ in taken["heads"])[chain]
        assert code == 1 and f"chain={chain} seq={head}" in first_problem(output)

    def test_tail_cut_with_head_set_back_is_found_by_the_checkpoint_file(self, runner, cases, services, tmp_path):
        taken = checkpoint(runner, tmp_path / "cp.json")
        recorded = dict((c, s) for c, s, _ in taken["heads"])[SYSTEM_CHAIN]
        erase_checkpoints(services)
        cut(services, SYSTEM_CHAIN, recorded - 2)  # e.g. who was given an account, and when

        assert verify(runner)[0] == 0
        code, output = verify(runner, tmp_path / "cp.json")
        assert code == 1
        assert f"chain={SYSTEM_CHAIN} seq={recorded - 1}" in first_problem(output)
        assert f"recorded {recorded} events in this chain; it was cut back to {recorded - 2}" in output

    def test_whole_case_deleted_with_its_chain_is_found_by_the_checkpoint_file(self, runner, cases, services,
                                                                                tmp_path):
        checkpoint(runner, tmp_path / "cp.json")
        victim = cases["done"]
        sql(services, "DELETE FROM task_candidates WHERE task_id IN "
                      "(SELECT id FROM human_tasks WHERE instance_id = :i)", i=victim)
        for table in ("human_tasks", "message_subscriptions", "incidents"):
            sql(services, f"DELETE FROM {table} WHERE instance_id = :i", i=victim)
        sql(services, "DELETE FROM instances WHERE id = :i", i=victim)
        sql(services, "DELETE FROM audit_events WHERE chain = :c", c=instance_chain(victim))
        sql(services, "DELETE FROM audit_chains WHERE chain = :c", c=instance_chain(victim))
        erase_checkpoints(services)

        assert verify(runner)[0] == 0
        code, output = verify(runner, tmp_path / "cp.json")
        assert code == 1
        assert f"chain={instance_chain(victim)} seq=1" in first_problem(output) and "it was removed" in output


class TestStateAgainstHistory:
    """Tampering that leaves the tables disagreeing with the events: found by plain verify."""

    def test_case_left_in_place_with_its_chain_and_head_deleted(self, runner, cases, services):
        chain = instance_chain(cases["open"])
        sql(services, "DELETE FROM audit_events WHERE chain = :c", c=chain)
        sql(services, "DELETE FROM audit_chains WHERE chain = :c", c=chain)
        code, output = verify(runner)
        assert code == 1
        assert f"chain={chain}" in first_problem(output) and "has no audit history" in output

    def test_completed_by_changed(self, runner, cases, services):
        sql(services, "UPDATE human_tasks SET completed_by = 'user_nobody' WHERE instance_id = :i "
                      "AND completed_by = 'user_proposal_committee'", i=cases["done"])
        code, output = verify(runner)
        assert code == 1
        problem = first_problem(output)
        assert f"chain={instance_chain(cases['done'])}" in problem
        assert "completed by user_proposal_committee" in problem and "task row says user_nobody" in problem

    def test_completion_erased_from_the_task_row(self, runner, cases, services):
        sql(services, "UPDATE human_tasks SET completed_by = NULL, state = 'ready' WHERE instance_id = :i "
                      "AND completed_by = 'user_representative'", i=cases["open"])
        code, output = verify(runner)
        assert code == 1 and "completed by user_representative" in first_problem(output)

    @pytest.mark.parametrize("status", ["completed", "terminated", "suspended"])
    def test_status_changed_with_no_event(self, runner, cases, services, status):
        sql(services, "UPDATE instances SET status = :s WHERE id = :i", s=status, i=cases["open"])
        code, output = verify(runner)
        assert code == 1
        assert f"is '{status}' but its last recorded state" in first_problem(output)

    @pytest.mark.parametrize("case", ["open", "done"])
    def test_data_changed_with_no_event(self, runner, cases, services, case):
        sql(services, "UPDATE instances SET data_json = :d WHERE id = :i",
            d=json.dumps(PROPOSAL | {"title": "食堂关闭"}, ensure_ascii=False), i=cases[case])
        code, output = verify(runner)
        assert code == 1
        assert f"instance {cases[case]}'s data differs from the data recorded" in first_problem(output)

    def test_a_chain_left_without_its_case(self, runner, cases, services):
        victim = cases["open"]
        sql(services, "DELETE FROM task_candidates WHERE task_id IN "
                      "(SELECT id FROM human_tasks WHERE instance_id = :i)", i=victim)
        for table in ("human_tasks", "message_subscriptions", "incidents"):
            sql(services, f"DELETE FROM {table} WHERE instance_id = :i", i=victim)
        sql(services, "DELETE FROM instances WHERE id = :i", i=victim)
        code, output = verify(runner)
        assert code == 1 and "the chain's instance no longer exists" in first_problem(output)

    def test_status_changes_through_the_engine_are_no_alarm(self, client, runner, cases, login_as):
        admin = login_as("admin")
        assert client.post(f"/api/v1/instances/{cases['open']}/terminate", json={"reason": "重复"},
                           headers=admin).status_code == 200
        assert verify(runner)[0] == 0


class TestForgedCheckpoints:
    def test_checkpoint_file_with_an_altered_root_is_refused(self, runner, cases, tmp_path):
        taken = checkpoint(runner, tmp_path / "cp.json")
        forged = tmp_path / "forged.json"
        forged.write_text(json.dumps(taken | {"root": "0" * 64}))
        code, output = verify(runner, forged)
        assert code == 1 and "checkpoint 1's hash does not match its content" in first_problem(output)

    def test_stored_heads_that_do_not_reproduce_the_signed_root_are_found(self, runner, cases, services, tmp_path):
        checkpoint(runner, tmp_path / "cp.json")
        sql(services, "UPDATE audit_checkpoints SET heads = '[]'")
        code, output = verify(runner)
        assert code == 1 and "does not reproduce its signed Merkle root" in first_problem(output)

    def test_a_checkpoint_signed_with_another_key_is_found(self, app, runner, cases, services, tmp_path):
        checkpoint(runner, tmp_path / "cp.json")
        app.config["SIGNING_KEY_FILE"] = str(tmp_path / "other.pem")
        assert runner.invoke(main, ["audit", "keygen"]).exit_code == 0
        code, output = verify(runner)
        assert code == 1 and "checkpoint 1 is signed by another key" in first_problem(output)
