"""Signed checkpoints, witnesses' countersignatures and case exports checked offline: CLI, endpoints, worker."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from api.cli import main
from api.cli_audit import audit_group
from engine import checkpoints, signing
from engine.audit import SYSTEM_CHAIN
from engine.worker import CheckpointSchedule, run_once

from conftest import bundled_files
from helpers.insider import rows

PROPOSAL = {"title": "食堂扩建", "reason": "排队太久", "measures": "增加窗口"}


@pytest.fixture(autouse=True)
def _restore_flask_run_flag(monkeypatch):
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)


@pytest.fixture
def key_file(app, runner, tmp_path):
    app.config["SIGNING_KEY_FILE"] = str(tmp_path / "var" / "signing_key.pem")
    result = runner.invoke(main, ["audit", "keygen"])
    assert result.exit_code == 0, result.output
    return tmp_path / "var" / "signing_key.pem"


@pytest.fixture
def witness(app, tmp_path):
    """The union's key, configured as a witness (its private half stays with the union)."""
    key = signing.generate_key_file(tmp_path / "union.pem")
    app.config["WITNESS_KEYS"] = json.dumps({"工会": signing.public_b64(key)})
    return tmp_path / "union.pem"


@pytest.fixture
def case_id(client, deploy, login_as) -> str:
    files = {n: c for n, c in bundled_files("congress").items() if n.startswith("proposal_intake.")}
    assert deploy(files).status_code in (200, 201)
    rep = login_as("representative")
    started = client.post("/api/v1/instances", json={"process": "proposal_intake"}, headers=rep)
    (submit,) = started.json["ready_tasks"]
    assert client.post(f"/api/v1/tasks/{submit['id']}/complete", json={"data": PROPOSAL},
                       headers=rep).status_code == 200
    return started.json["id"]


def take(runner, path) -> dict:
    result = runner.invoke(main, ["audit", "checkpoint", "--out", str(path)])
    assert result.exit_code == 0, result.output
    return json.loads(path.read_text())


class TestKeygenAndCheckpoint:
    def test_keygen_writes_an_owner_only_pkcs8_key_and_never_replaces_it(self, runner, key_file):
        assert key_file.stat().st_mode & 0o777 == 0o600
        assert key_file.read_text().startswith("-----BEGIN PRIVATE KEY-----")
        again = runner.invoke(main, ["audit", "keygen"])
        assert again.exit_code == 1 and "already exists" in again.stderr

    def test_checkpoint_without_a_key_says_how_to_make_one(self, app, runner, tmp_path):
        app.config["SIGNING_KEY_FILE"] = str(tmp_path / "missing.pem")
        result = runner.invoke(main, ["audit", "checkpoint"])
        assert result.exit_code == 1 and "cannot read a signing key" in result.stderr

    def test_checkpoint_signs_every_chain_head_and_is_appended_to_the_system_chain(self, runner, key_file, case_id,
                                                                                  services, tmp_path):
        taken = take(runner, tmp_path / "cp.json")
        key = signing.load_private_key(key_file)
        assert taken["public_key"] == signing.public_b64(key)
        assert signing.signature_ok(taken["public_key"], checkpoints.signed_message(taken), taken["signature"])
        heads = {c: (s, h) for c, s, h in taken["heads"]}
        with services.db.connect() as conn:
            stored = {r[0]: (r[1], r[2]) for r in conn.exec_driver_sql(
                "SELECT chain, last_seq, last_hash FROM audit_chains WHERE last_seq > 0")}
        system = rows(services, SYSTEM_CHAIN)[-1]
        stored[SYSTEM_CHAIN] = (system["seq"] - 1, system["prev_hash"])  # the head before its own event
        assert heads == stored and taken["events"] == sum(s for s, _ in heads.values())
        assert system["event_type"] == "audit.checkpoint" and json.loads(system["payload"])["hash"] == taken["hash"]

    def test_checkpoints_chain_to_the_previous_one(self, runner, key_file, tmp_path):
        first, second = take(runner, tmp_path / "1.json"), take(runner, tmp_path / "2.json")
        assert first["previous"] == "0" * 64 and second["previous"] == first["hash"]
        assert second["events"] == first["events"] + 1  # the first checkpoint's own event

    def test_fingerprint_is_the_hash_prefix_in_groups_of_four(self):
        assert checkpoints.fingerprint("ab12cd34ef567890" + "0" * 48) == "AB12 CD34 EF56 7890"

    def test_documents_get_the_latest_checkpoint_number_and_fingerprint(self, runner, key_file, services, tmp_path):
        with services.db.connect() as conn:
            assert checkpoints.latest_fingerprint(Session(conn)) is None
        take(runner, tmp_path / "1.json")
        second = take(runner, tmp_path / "2.json")
        with services.db.connect() as conn:
            assert checkpoints.latest_fingerprint(Session(conn)) == f"No. 2 · {second['fingerprint']}"


class TestWitnesses:
    def test_countersign_adds_a_verifiable_witness_signature_to_the_file(self, runner, key_file, witness, tmp_path):
        path = tmp_path / "cp.json"
        take(runner, path)
        result = CliRunner().invoke(audit_group, ["countersign", str(path), "--key", str(witness), "--name", "工会"])
        assert result.exit_code == 0, result.output
        signed = json.loads(path.read_text())
        (entry,) = signed["witnesses"]
        assert entry["witness"] == "工会"
        assert signing.signature_ok(entry["public_key"], checkpoints.signed_message(signed), entry["signature"])
        assert runner.invoke(main, ["audit", "verify", "--checkpoint", str(path)]).exit_code == 0

    def test_countersign_refuses_a_checkpoint_whose_operator_signature_is_bad(self, runner, key_file, witness,
                                                                              tmp_path):
        path = tmp_path / "cp.json"
        path.write_text(json.dumps(take(runner, path) | {"events": 1}))
        result = CliRunner().invoke(audit_group, ["countersign", str(path), "--key", str(witness)])
        assert result.exit_code == 1 and "hash does not match" in result.stderr
        assert json.loads(path.read_text())["witnesses"] == []

    def test_a_forged_witness_signature_fails_verify(self, runner, key_file, witness, tmp_path):
        path = tmp_path / "cp.json"
        take(runner, path)
        CliRunner().invoke(audit_group, ["countersign", str(path), "--key", str(witness), "--name", "工会"])
        signed = json.loads(path.read_text())
        signed["witnesses"][0]["signature"] = signed["signature"]  # the operator's, not the union's
        path.write_text(json.dumps(signed))
        result = runner.invoke(main, ["audit", "verify", "--checkpoint", str(path)])
        assert result.exit_code == 1 and "witness '工会''s signature of checkpoint 1 is not valid" in result.stderr

    def test_uploaded_countersignature_is_verified_stored_audited_and_listed(self, client, login_as, runner,
                                                                            key_file, witness, services, tmp_path):
        path = tmp_path / "cp.json"
        taken = take(runner, path)
        union_signature = checkpoints.countersign(taken, signing.load_private_key(witness), "工会")["witnesses"][0]
        auditor = login_as("auditor")
        url = f"/api/v1/audit/checkpoints/{taken['seq']}/countersignatures"
        stored = client.post(url, json={"signature": union_signature["signature"]}, headers=auditor)
        assert stored.status_code == 201, stored.json
        assert stored.json["witness"] == "工会"
        listed = client.get("/api/v1/audit/checkpoints", headers=auditor)
        assert listed.status_code == 200
        (latest,) = listed.json
        assert latest["hash"] == taken["hash"] and latest["fingerprint"] == taken["fingerprint"]
        assert latest["witnesses"] == [union_signature]
        event = rows(services, SYSTEM_CHAIN)[-1]
        assert event["event_type"] == "audit.countersigned" and event["actor"] == "user_auditor"
        again = client.post(url, json={"signature": union_signature["signature"]}, headers=auditor)
        assert again.status_code == 409

    def test_countersignature_not_made_by_a_configured_witness_is_refused(self, client, login_as, runner, key_file,
                                                                         witness, tmp_path):
        taken = take(runner, tmp_path / "cp.json")
        stranger = signing.generate_key_file(tmp_path / "stranger.pem")
        forged = checkpoints.countersign(taken, stranger, "工会")["witnesses"][0]["signature"]
        url = f"/api/v1/audit/checkpoints/{taken['seq']}/countersignatures"
        refused = client.post(url, json={"signature": forged}, headers=login_as("admin"))
        assert refused.status_code == 422
        assert "not valid for any configured witness" in refused.json["message"]
        assert client.post("/api/v1/audit/checkpoints/99/countersignatures", json={"signature": forged},
                           headers=login_as("admin")).status_code == 404

    def test_only_auditors_and_admins_see_checkpoints(self, client, login_as, runner, key_file, tmp_path):
        take(runner, tmp_path / "cp.json")
        assert client.get("/api/v1/audit/checkpoints", headers=login_as("representative")).status_code == 403
        assert client.post("/api/v1/audit/checkpoints/1/countersignatures", json={"signature": "x"},
                           headers=login_as("representative")).status_code == 403


class TestOfflineExport:
    def export(self, client, login_as, case_id, tmp_path):
        response = client.get(f"/api/v1/instances/{case_id}/export", headers=login_as("auditor"))
        assert response.status_code == 200, response.json
        path = tmp_path / "case.json"
        path.write_text(json.dumps(response.json, ensure_ascii=False))
        return path, response.json

    def verify_export(self, path, *args):
        """Run with click alone: no Flask app, no database, no server."""
        return CliRunner().invoke(audit_group, ["verify-export", str(path), *args])

    def test_export_verifies_offline_with_the_inclusion_proof_of_its_chain_head(self, client, login_as, runner,
                                                                               key_file, case_id, tmp_path):
        taken = take(runner, tmp_path / "cp.json")
        path, exported = self.export(client, login_as, case_id, tmp_path)
        (anchor,) = exported["evidence"]["checkpoints"]
        assert anchor["checkpoint"]["hash"] == taken["hash"] and anchor["proof"]["chain"] == f"instance:{case_id}"
        result = self.verify_export(path, "--public-key", taken["public_key"])
        assert result.exit_code == 0, result.output
        assert f"is in checkpoint 1 [{taken['fingerprint']}]" in result.stdout

    @pytest.mark.parametrize("tamper, message", [
        (lambda e: e["evidence"]["events"][1].update(actor="forger"), "event 2: its content does not match"),
        (lambda e: e["evidence"]["checkpoints"][0]["proof"].update(index=1 - e["evidence"]["checkpoints"][0]["proof"]
                                                                   ["index"]), "does not lead to its signed"),
        (lambda e: e["evidence"]["checkpoints"][0]["proof"]["path"].__setitem__(0, "0" * 64),
         "does not lead to its signed"),
        (lambda e: e["evidence"]["checkpoints"][0]["checkpoint"].update(root="0" * 64), "hash does not match"),
        (lambda e: e["case"]["history"].pop(), "the case's SHA-256 does not match"),
        (lambda e: e["evidence"]["checkpoints"].clear(), "no checkpoint covers this case"),
    ])
    def test_altered_export_fails_offline(self, client, login_as, runner, key_file, case_id, tmp_path, tamper,
                                          message):
        assert runner.invoke(main, ["audit", "checkpoint"]).exit_code == 0
        path, exported = self.export(client, login_as, case_id, tmp_path)
        tamper(exported)
        path.write_text(json.dumps(exported, ensure_ascii=False))
        result = self.verify_export(path)
        assert result.exit_code == 1 and message in result.stderr

    def test_export_signed_by_an_untrusted_key_fails(self, client, login_as, runner, key_file, case_id, tmp_path):
        take(runner, tmp_path / "cp.json")
        path, _ = self.export(client, login_as, case_id, tmp_path)
        other = signing.public_b64(signing.generate_key_file(tmp_path / "other.pem"))
        result = self.verify_export(path, "--public-key", other)
        assert result.exit_code == 1 and "not a trusted key" in result.stderr

    def test_export_lists_documents_with_their_hashes_and_is_for_auditors(self, client, login_as, case_id,
                                                                          tmp_path):
        _, exported = self.export(client, login_as, case_id, tmp_path)
        assert exported["format"] == "dmflow-case/2" and exported["case"]["documents"] == []
        assert client.get(f"/api/v1/instances/{case_id}/export",
                          headers=login_as("representative")).status_code == 403


class TestWorkerSchedule:
    def test_worker_takes_a_checkpoint_when_the_latest_is_older_than_the_interval(self, services, key_file, clock):
        schedule = CheckpointSchedule(signing.load_private_key(key_file), timedelta(days=1))
        first = run_once(services.uow, checkpointing=schedule).checkpoint
        assert first is not None and first["seq"] == 1
        clock.advance(hours=23)
        assert run_once(services.uow, checkpointing=schedule).checkpoint is None
        clock.advance(hours=1)
        second = run_once(services.uow, checkpointing=schedule).checkpoint
        assert second["seq"] == 2 and second["previous"] == first["hash"]

    def test_a_publication_asks_for_a_checkpoint_that_the_worker_takes_at_once(self, services, key_file, clock):
        """A stored document (a notice, a filing package) is published: the trail up to it is signed at the
        worker's next pass, not at the next daily checkpoint."""
        from workflows import documents

        schedule = CheckpointSchedule(signing.load_private_key(key_file), timedelta(days=1))
        assert run_once(services.uow, checkpointing=schedule).checkpoint["seq"] == 1
        clock.advance(minutes=5)
        assert run_once(services.uow, checkpointing=schedule).checkpoint is None  # nothing asked for
        uow = services.uow()
        with uow:
            documents.store(uow, kind="resolution_notice", title="决议公告", filename="n.html",
                            media_type="text/html", content=b"<p>notice</p>", instance_id=None, actor="presidium")
            uow.commit()
        second = run_once(services.uow, checkpointing=schedule).checkpoint
        assert second is not None and second["seq"] == 2
        assert run_once(services.uow, checkpointing=schedule).checkpoint is None  # the request is served

    def test_worker_command_takes_one_when_a_key_exists(self, runner, key_file, services):
        result = runner.invoke(main, ["worker", "--once"])
        assert result.exit_code == 0 and "checkpoint 1 taken" in result.stdout
        assert runner.invoke(main, ["worker", "--once"]).stdout.count("checkpoint") == 0

    def test_worker_command_without_a_key_takes_none(self, app, runner, tmp_path, services):
        app.config["SIGNING_KEY_FILE"] = str(tmp_path / "none.pem")
        assert runner.invoke(main, ["worker", "--once"]).exit_code == 0
        with services.db.connect() as conn:
            assert conn.exec_driver_sql("SELECT COUNT(*) FROM audit_checkpoints").scalar_one() == 0
