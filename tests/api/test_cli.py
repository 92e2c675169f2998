"""The `dmflow` command line: db upgrade, deploy, users, demo seed, audit verify."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text

from api import create_app
from api.cli import main
from engine import db
from engine.audit import GENESIS, SYSTEM_CHAIN
from workflows import tables as domain_models
from workflows.demo import DEMO_FEDERATION_USERS, DEMO_MEMBER_USERS, DEMO_USERS
from workflows.disclosure.catalogue import STATUTORY

MINIMAL_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" targetNamespace="test">
  <bpmn:process id="minimal" name="最小流程" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture(autouse=True)
def _restore_flask_run_flag(monkeypatch):
    """Flask's CLI group sets FLASK_RUN_FROM_CLI in os.environ; keep it from leaking into other tests."""
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def scalar(services, sql: str, **params):
    with services.db.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def expected_heads(url: str) -> str:
    script = ScriptDirectory.from_config(db.alembic_config(url, (domain_models.MIGRATIONS,)))
    return ",".join(sorted(script.get_heads()))


# -- db upgrade ---------------------------------------------------------------------------------------------


@pytest.fixture
def fresh_app(tmp_path):
    """An app on a SQLite file that does not exist yet (in a folder that does not exist yet)."""
    path = tmp_path / "new" / "dmflow.db"
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "TESTING": True})
    yield app, path
    app.extensions["dmflow"].db.dispose()


def test_db_upgrade_creates_the_schema_on_a_fresh_sqlite_file_and_can_run_again(fresh_app):
    app, path = fresh_app
    url = f"sqlite:///{path}"
    assert not path.exists()
    runner = app.test_cli_runner()

    first = runner.invoke(main, ["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == f"database at revision {expected_heads(url)}"
    assert path.exists()

    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert {"users", "api_tokens", "audit_events", "audit_chains", "instances", "process_versions",
                "calendar_overrides", "alembic_version"} <= tables

        second = runner.invoke(main, ["db", "upgrade"])
        assert second.exit_code == 0, second.output
        assert second.stdout == first.stdout
        with engine.connect() as conn:
            heads = conn.execute(text("SELECT chain, last_seq, last_hash FROM audit_chains")).all()
        assert [tuple(h) for h in heads] == [(SYSTEM_CHAIN, 0, GENESIS)]
    finally:
        engine.dispose()

    # the migrated database works: a user can be created and verified
    created = runner.invoke(main, ["users", "create", "wang", "--role", "admin"])
    assert created.exit_code == 0, created.output
    verified = runner.invoke(main, ["audit", "verify"])
    assert verified.exit_code == 0
    assert "1 events in 1 chains" in verified.stdout


def test_db_upgrade_takes_the_database_from_the_environment(tmp_path):
    path = tmp_path / "env" / "dmflow.db"
    env = {"DMFLOW_DATABASE_URL": f"sqlite:///{path}"}
    result = CliRunner().invoke(main, ["db", "upgrade"], env=env)
    assert result.exit_code == 0, result.output
    assert path.exists()
    assert db.current_revision(f"sqlite:///{path}") == expected_heads(f"sqlite:///{path}")
    again = CliRunner().invoke(main, ["db", "upgrade"], env=env)
    assert again.exit_code == 0, again.output


# -- deploy -------------------------------------------------------------------------------------------------


@pytest.fixture
def bundled_dir(app) -> Path:
    return Path(app.config["BPMN_DIR"])


def process_versions(services) -> int:
    return scalar(services, "SELECT COUNT(*) FROM process_versions")


def test_deploy_a_folder_and_a_file(runner, services, tmp_path, bundled_dir):
    procedure = tmp_path / "intake"
    procedure.mkdir()
    for source in (bundled_dir / "congress").glob("proposal_intake.*"):
        shutil.copy(source, procedure / source.name)
    (procedure / "README.txt").write_text("not deployable, skipped in a folder", encoding="utf-8")
    folder = runner.invoke(main, ["deploy", str(procedure)])
    assert folder.exit_code == 0, folder.output
    assert folder.stdout == "proposal_intake version 1: deployed\n"

    (tmp_path / "minimal.bpmn").write_text(MINIMAL_BPMN, encoding="utf-8")
    single = runner.invoke(main, ["deploy", str(tmp_path / "minimal.bpmn"), "--name", "just one"])
    assert single.exit_code == 0, single.output
    assert single.stdout == "minimal version 1: deployed\n"
    assert scalar(services, "SELECT name FROM deployments ORDER BY id DESC LIMIT 1") == "just one"

    again = runner.invoke(main, ["deploy", str(procedure), str(tmp_path / "minimal.bpmn")])
    assert again.exit_code == 0, again.output
    assert "proposal_intake version 1: unchanged" in again.stdout
    assert "minimal version 1: unchanged" in again.stdout
    assert process_versions(services) == 2


def test_deploy_bundled_twice_reports_unchanged_the_second_time(runner, services):
    first = runner.invoke(main, ["deploy", "--bundled"])
    assert first.exit_code == 0, first.output
    assert "proposal_intake version 1: deployed" in first.stdout
    count = process_versions(services)

    second = runner.invoke(main, ["deploy", "--bundled"])
    assert second.exit_code == 0, second.output
    assert "proposal_intake version 1: unchanged" in second.stdout
    assert "deployed" not in second.stdout and "catalogue" not in second.stdout
    assert process_versions(services) == count


def test_deploy_bundled_seeds_the_statutory_disclosure_catalogue(runner, services):
    """A production install (db upgrade, deploy --bundled) has the 厂务公开目录 without the demo."""
    assert scalar(services, "SELECT count(*) FROM disclosure_items") == 0
    first = runner.invoke(main, ["deploy", "--bundled"])
    assert first.exit_code == 0, first.output
    assert f"disclosure catalogue seeded with {len(STATUTORY)} statutory items" in first.stdout
    assert scalar(services, "SELECT count(*) FROM disclosure_items") == len(STATUTORY)
    with services.db.connect() as conn:
        bases = set(conn.execute(text("SELECT legal_basis FROM disclosure_items")).scalars())
    assert not any("(U)" in b or "(V~)" in b or "rules.md" in b for b in bases)


@pytest.mark.parametrize(("filename", "content", "reason"), [
    ("broken.bpmn", "<not xml", "not well-formed XML"),
    ("notes.txt", "hello", "unsupported file type"),
], ids=["bad-xml", "bad-type"])
def test_deploying_a_bad_file_exits_1_with_the_reason_and_stores_nothing(runner, services, tmp_path,
                                                                         filename, content, reason):
    bad = tmp_path / filename
    bad.write_text(content, encoding="utf-8")
    (tmp_path / "minimal.bpmn").write_text(MINIMAL_BPMN, encoding="utf-8")

    result = runner.invoke(main, ["deploy", str(tmp_path / "minimal.bpmn"), str(bad)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {reason}")
    assert filename in result.stderr
    assert result.stdout == ""
    assert process_versions(services) == 0
    assert scalar(services, "SELECT COUNT(*) FROM deployments") == 0


def test_deploy_without_paths_or_bundled_is_a_usage_error(runner):
    result = runner.invoke(main, ["deploy"])
    assert result.exit_code == 2
    assert "give files or folders to deploy, or --bundled" in result.stderr


# -- users --------------------------------------------------------------------------------------------------


def test_users_create_prints_a_token_that_authenticates(runner, client):
    result = runner.invoke(main, ["users", "create", "wang", "--role", "representative", "--role", "hr",
                                  "--display-name", "王芳"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("dmf_")
    assert "\n" not in token

    me = client.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.json == {"username": "wang", "roles": ["hr", "representative"]}


def test_users_create_with_a_taken_username_exits_1_with_a_clear_message(runner, services):
    assert runner.invoke(main, ["users", "create", "wang", "--role", "hr"]).exit_code == 0
    again = runner.invoke(main, ["users", "create", "wang", "--role", "admin"])
    assert again.exit_code == 1
    assert again.stderr.strip() == "error: user 'wang' already exists"
    assert again.stdout == ""
    assert scalar(services, "SELECT COUNT(*) FROM users") == 1
    assert scalar(services, "SELECT COUNT(*) FROM api_tokens") == 1


def test_users_create_needs_a_role(runner, services):
    result = runner.invoke(main, ["users", "create", "wang"])
    assert result.exit_code == 2
    assert "--role" in result.stderr
    assert scalar(services, "SELECT COUNT(*) FROM users") == 0


def test_users_token_issues_another_working_token(runner, client, services):
    first = runner.invoke(main, ["users", "create", "wang", "--role", "hr"]).stdout.strip()
    result = runner.invoke(main, ["users", "token", "wang"])
    assert result.exit_code == 0, result.output
    second = result.stdout.strip()
    assert second.startswith("dmf_")
    assert second != first
    for token in (first, second):
        assert client.get("/api/v1/me", headers=bearer(token)).json["username"] == "wang"
    payload = scalar(services, "SELECT payload FROM audit_events WHERE chain = :c AND event_type = :t",
                     c=SYSTEM_CHAIN, t="token.issued")
    assert json.loads(payload) == {"username": "wang", "label": "cli"}


def test_users_token_for_an_unknown_user_exits_1(runner):
    result = runner.invoke(main, ["users", "token", "nobody"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: user 'nobody' does not exist"


# -- demo seed ----------------------------------------------------------------------------------------------


def read_tokens(path) -> dict[str, list[tuple[str, str]]]:
    lines: dict[str, list[tuple[str, str]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        username, roles, token, password = line.split("\t")
        assert len(password) >= 12  # a generated web password beside the API token
        lines.setdefault(username, []).append((roles, token))
    return lines


def test_demo_seed_twice_creates_once_and_the_tokens_file_holds_each_user_once(runner, client, services,
                                                                               tmp_path):
    tokens_file = tmp_path / "var" / "demo-tokens.txt"
    first = runner.invoke(main, ["demo", "seed", "--tokens-file", str(tokens_file)])
    assert first.exit_code == 0, first.output
    assert "demo users created" in first.stdout
    users_after_first = scalar(services, "SELECT COUNT(*) FROM users")
    # seats 4..30 get accounts from the roster import; the federation's officer is a user of the federation
    assert users_after_first == len(DEMO_USERS) + len(DEMO_FEDERATION_USERS) + len(DEMO_MEMBER_USERS) + 27
    sheet = (tmp_path / "var" / "demo-representatives.csv").read_text(encoding="utf-8-sig").splitlines()
    assert sheet[0] == "姓名,工号,代表团,用户名,初始密码" and len(sheet) == 28
    assert stat.S_IMODE((tmp_path / "var" / "demo-representatives.csv").stat().st_mode) == 0o600
    assert "demo-representatives.csv" in first.stdout
    content = tokens_file.read_text(encoding="utf-8")
    assert stat.S_IMODE(tokens_file.stat().st_mode) == 0o600

    second = runner.invoke(main, ["demo", "seed", "--tokens-file", str(tokens_file)])
    assert second.exit_code == 0, second.output
    assert "already present" in second.stdout
    assert scalar(services, "SELECT COUNT(*) FROM users") == users_after_first
    assert tokens_file.read_text(encoding="utf-8") == content

    tokens = read_tokens(tokens_file)
    everyone = DEMO_USERS + DEMO_FEDERATION_USERS + [(u, d, r) for _, u, d, r in DEMO_MEMBER_USERS]
    assert sorted(tokens) == sorted(u for u, _, _ in everyone)
    for username, _, roles in everyone:
        assert len(tokens[username]) == 1, username
        me = client.get("/api/v1/me", headers=bearer(tokens[username][0][1]))
        assert me.status_code == 200
        assert me.json == {"username": username, "roles": sorted(roles)}


def test_demo_seed_on_a_reset_database_replaces_the_stale_tokens_in_the_file(runner, client, services,
                                                                             tmp_path):
    tokens_file = tmp_path / "demo-tokens.txt"
    tokens_file.write_text("someone\tother\tdmf_kept\tkept-pass-word\n", encoding="utf-8")
    assert runner.invoke(main, ["demo", "seed", "--tokens-file", str(tokens_file)]).exit_code == 0
    stale = {u: t[0][1] for u, t in read_tokens(tokens_file).items()}
    with services.db.begin() as conn:  # the database is reset; the tokens file stays
        for table in ("api_tokens", "user_roles", "users"):
            conn.execute(text(f"DELETE FROM {table}"))

    result = runner.invoke(main, ["demo", "seed", "--tokens-file", str(tokens_file)])
    assert result.exit_code == 0, result.output
    tokens = read_tokens(tokens_file)
    assert tokens.pop("someone") == [("other", "dmf_kept")]  # lines of other users are kept
    for username, _, _ in DEMO_USERS:
        assert len(tokens[username]) == 1, username
        token = tokens[username][0][1]
        assert token != stale[username]
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200


# -- audit verify -------------------------------------------------------------------------------------------


def test_audit_verify_reports_an_intact_trail_and_a_tampered_one(runner, services, tmp_path):
    assert runner.invoke(main, ["demo", "seed", "--tokens-file", str(tmp_path / "t.txt")]).exit_code == 0
    events = scalar(services, "SELECT COUNT(*) FROM audit_events")
    assert events >= len(DEMO_USERS)  # one user.created each, at least

    chains = scalar(services, "SELECT COUNT(*) FROM audit_chains")
    intact = runner.invoke(main, ["audit", "verify"])
    assert intact.exit_code == 0, intact.output
    assert intact.stdout.strip() == f"audit trail intact: {events} events in {chains} chains"

    victim = scalar(services, "SELECT id FROM audit_events WHERE chain = :c AND seq = 3", c=SYSTEM_CHAIN)
    with services.db.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = :id"), {"id": victim})
    tampered = runner.invoke(main, ["audit", "verify"])
    assert tampered.exit_code == 1
    assert f"TAMPERED chain={SYSTEM_CHAIN} seq=3 event_id={victim}" in tampered.stderr
    assert tampered.stdout == ""


def test_demo_seed_creates_a_working_congress_once(runner, client, services, tmp_path):
    tokens_file = tmp_path / "demo-tokens.txt"
    first = runner.invoke(main, ["demo", "seed", "--tokens-file", str(tokens_file)])
    assert first.exit_code == 0 and "demo congress created" in first.stdout
    second = runner.invoke(main, ["demo", "seed", "--tokens-file", str(tokens_file)])
    assert second.exit_code == 0 and "demo congress created" not in second.stdout
    token = {line.split("\t")[0]: line.split("\t")[2] for line in tokens_file.read_text().splitlines()}
    auditor = {"Authorization": f"Bearer {token['auditor']}"}
    [term] = client.get("/api/v1/congress/terms", headers=auditor).get_json()
    composition = client.get(f"/api/v1/congress/terms/{term['id']}/composition", headers=auditor).get_json()
    assert composition["seated"] == 30 and not composition["violations"]
    reps = client.get(f"/api/v1/congress/terms/{term['id']}/representatives", headers=auditor).get_json()
    assert {r["username"] for r in reps} >= {"rep_wang", "rep_li"}
    meetings = client.get(f"/api/v1/congress/terms/{term['id']}/meetings", headers=auditor).get_json()
    assert len(meetings) == 1 and meetings[0]["status"] == "planned"
