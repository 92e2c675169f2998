"""The pages without a browser: sessions and CSRF beside the API's bearer tokens, passwords, the secret key,
the translation table, the form renderer and the diagram diff."""

from __future__ import annotations

import json
import re
import string

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from api import create_app
from api.cli import main
from api.web import ensure_secret_key, forms
from api.web.catalogue import LOCALES, SOURCE
from api.web.diff import compare
from engine import passwords
from engine.errors import NotFound, Unauthorized, ValidationFailed
from engine.identity import SYSTEM, create_user
from engine.models import AuditEvent, User

from helpers.api import ROOT, bundled_files

PASSWORD = "a-good-password"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def member(services) -> str:
    """A representative with a password; returns their API token."""
    _, token = create_user(services.uow(), "wang", ["representative"], actor=SYSTEM)
    passwords.set_password(services.uow(), "wang", PASSWORD, actor=SYSTEM)
    return token


def login(client, username="wang", password=PASSWORD):
    token = csrf(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


class TestSessions:
    def test_login_sets_an_httponly_samesite_cookie_and_opens_the_pages(self, client, member):
        response = login(client)
        assert response.status_code == 302
        cookie = response.headers["Set-Cookie"]
        assert cookie.startswith("dmflow_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert client.get("/tasks").status_code == 200

    def test_every_post_without_the_session_token_is_refused(self, client, member):
        assert client.post("/login", data={"username": "wang", "password": PASSWORD}).status_code == 400
        login(client)
        assert client.post("/processes/proposal_intake/start", data={"csrf_token": "forged"}).status_code == 400
        assert client.post("/logout").status_code == 400
        assert client.post("/designer/lint", json={"files": []}).status_code == 400

    def test_the_api_ignores_the_cookie_and_keeps_its_bearer_tokens(self, client, member):
        login(client)
        assert client.get("/api/v1/me").status_code == 401
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {member}"})
        assert me.status_code == 200 and me.get_json()["username"] == "wang"
        assert me.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert "default-src 'self'" in client.get("/tasks").headers["Content-Security-Policy"]

    def test_a_new_password_or_deactivation_ends_open_sessions(self, client, services, member):
        login(client)
        passwords.set_password(services.uow(), "wang", "another-password", actor=SYSTEM)
        assert client.get("/tasks").status_code == 302
        login(client, password="another-password")
        unit = services.uow()
        with unit:
            unit.session.scalar(select(User).where(User.username == "wang")).active = False
            unit.commit()
        assert client.get("/tasks").headers["Location"].startswith("/login")

    def test_login_redirects_only_within_the_site(self, app, member):
        for target in ("//evil.example/x", "https://evil.example/", "javascript:alert(1)", "/tasks"):
            client = app.test_client()
            token = csrf(client.get("/login").text)
            response = client.post("/login", data={"username": "wang", "password": PASSWORD, "next": target,
                                                   "csrf_token": token})
            assert response.headers["Location"] == (target if target == "/tasks" else "/")


class TestPasswords:
    def test_stored_as_argon2id_and_audited_without_the_password(self, services, member):
        unit = services.uow(readonly=True)
        with unit:
            stored = unit.session.scalar(select(User.password_hash).where(User.username == "wang"))
            event = unit.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "user.password_set"))
        assert stored.startswith("$argon2id$") and PASSWORD not in stored
        assert json.loads(event.payload) == {"username": "wang", "replaced": False}
        assert event.chain == "system" and PASSWORD not in event.payload

    def test_wrong_unknown_and_passwordless_users_get_one_answer(self, services, member):
        create_user(services.uow(), "nopass", ["hr"], actor=SYSTEM)
        for name, secret in (("wang", "wrong-password"), ("ghost", PASSWORD), ("nopass", "")):
            with pytest.raises(Unauthorized, match="wrong username or password"):
                passwords.check_password(services.uow(readonly=True), name, secret)
        login = passwords.check_password(services.uow(readonly=True), "wang", PASSWORD)
        assert login.actor.roles == {"representative"}

    def test_policy_and_unknown_user(self, services, member):
        with pytest.raises(ValidationFailed):
            passwords.set_password(services.uow(), "wang", "short", actor=SYSTEM)
        with pytest.raises(NotFound):
            passwords.set_password(services.uow(), "ghost", PASSWORD, actor=SYSTEM)
        generated = passwords.generate_password()
        assert len(generated) == 19 and set(generated) <= set(string.ascii_letters + string.digits + "-")

    def test_cli_sets_a_password_that_logs_in(self, runner, services, member, monkeypatch):
        monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)  # Flask's CLI group sets it in os.environ
        result = runner.invoke(main, ["users", "password", "wang", "--generate"])
        assert result.exit_code == 0, result.output
        generated = result.output.strip()
        assert passwords.check_password(services.uow(readonly=True), "wang", generated).actor.username == "wang"
        result = runner.invoke(main, ["users", "password", "wang"], input="typed-password\ntyped-password\n")
        assert result.exit_code == 0 and "password set for wang" in result.output
        assert runner.invoke(main, ["users", "password", "ghost", "--generate"]).exit_code == 1


def test_secret_key_is_generated_once_and_shared(tmp_path, db_url):
    key_file = tmp_path / "var" / "secret_key"
    first = create_app({"DATABASE_URL": db_url, "SECRET_KEY_FILE": str(key_file)})
    second = create_app({"DATABASE_URL": db_url, "SECRET_KEY_FILE": str(key_file)})
    assert first.secret_key == second.secret_key == key_file.read_text().strip()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    for app in (first, second):
        app.extensions["dmflow"].db.dispose()
    testing = type("A", (), {"config": {"TESTING": True}})()
    ensure_secret_key(testing)
    assert len(testing.config["SECRET_KEY"]) == 64


def _catalogue(locale: str) -> dict[str, str]:
    with (SOURCE / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def test_every_text_on_the_pages_is_in_both_catalogues():
    zh, en = (_catalogue(LOCALES[lang]) for lang in ("zh-CN", "en"))
    assert set(zh) == set(en)
    texts = {key: (zh[key], en[key]) for key in zh}
    used = set()
    for path in list((ROOT / "api" / "templates").glob("*.html")) + list((ROOT / "api" / "web").rglob("*.py")):
        used |= set(re.findall(r"""\bt\(\s*['"]([a-z_]+\.[a-z_.]+)['"]""", path.read_text(encoding="utf-8")))
    prefixes = {k for k in used if k.endswith(".")}  # t('status.' ~ s): the values are checked below
    used = (used - prefixes) | {f"form.bad_{k}" for k in ("integer", "number", "json")}
    used |= {f"status.{s}" for s in ("running", "completed", "terminated", "error", "suspended")}
    used |= {f"diff.what.{w}" for w in ("type", "name", "content")}
    assert used - set(texts) == set()
    assert all(any(k.startswith(p) for k in texts) for p in prefixes)
    for key, (zh, en) in texts.items():
        assert zh and en, key
        fields = [{f for _, f, _, _ in string.Formatter().parse(text) if f} for text in (zh, en)]
        assert fields[0] == fields[1], key


class TestForms:
    @pytest.mark.parametrize("lang", ["zh-CN", "en"])
    def test_every_bundled_form_renders(self, app, lang):
        files = bundled_files("congress")
        schemas = [n for n in files if n.endswith(".schema.json")]
        with app.test_request_context():
            for name in schemas:
                ui = json.loads(files.get(name.replace(".schema.", ".uischema."), b"{}"))
                form = forms.build(json.loads(files[name]), ui, lang)
                assert form.title and form.fields, name
                assert all(f.label for f in form.fields), name

    def test_fields_follow_the_schema_and_the_ui_schema(self, app):
        files = bundled_files("congress")
        schema = json.loads(files["proposal.assign.schema.json"])
        ui = json.loads(files["proposal.assign.uischema.json"])
        with app.test_request_context():
            form = forms.build(schema, ui, "en")
        kinds = {f.name: (f.kind, f.required) for f in form.fields}
        assert kinds == {"handling_department": ("text", True), "co_departments": ("list", False),
                         "due_days": ("integer", True), "assignment_note": ("textarea", False)}
        assert form.fields[0].label == "Handling department"
        assert form.fields[2].attrs == {"step": 1, "min": 1, "max": 365} and form.fields[2].value == 30

    def test_posted_text_becomes_typed_data(self, app):
        from werkzeug.datastructures import MultiDict

        schema = {"type": "object", "properties": {
            "n": {"type": "integer"}, "x": {"type": "number"}, "ok": {"type": "boolean"},
            "tags": {"type": "array", "items": {"type": "string"}}, "at": {"type": "string", "format": "date-time"},
            "blank": {"type": "string"}, "rows": {"type": "array", "items": {"type": "object"}}}}
        posted = MultiDict([("n", "3"), ("x", "2.5"), ("tags", "a"), ("tags", ""), ("tags", "b"),
                            ("at", "2026-03-02T09:30"), ("blank", ""), ("rows", '[{"a": 1}]')])
        with app.test_request_context():
            data, errors = forms.parse(schema, posted, "Asia/Shanghai")
            assert errors == {}
            assert data == {"n": 3, "x": 2.5, "ok": False, "tags": ["a", "b"], "at": "2026-03-02T09:30:00+08:00",
                            "rows": [{"a": 1}]}
            _, errors = forms.parse(schema, MultiDict([("n", "three")]), "Asia/Shanghai")
            assert errors == {"n": ["请输入整数。"]}

    def test_messages_are_keyed_like_the_engines(self, app):
        schema = json.loads(bundled_files("congress")["proposal_intake.screen.schema.json"])
        with app.test_request_context():
            assert forms.messages(schema, {"decision": "reject"}) == {"screening_reason": ["此项为必填项。"]}


def test_diff_finds_added_removed_changed_and_moved_elements():
    old = bundled_files("congress")["proposal_intake.bpmn"]
    new = (old.replace('name="审查提案"'.encode(), 'name="初审"'.encode())
           .replace(b'<dc:Bounds x="320" y="115"', b'<dc:Bounds x="330" y="115"')
           .replace(b'id="rejected"', b'id="declined"').replace(b'targetRef="rejected"', b'targetRef="declined"')
           .replace(b'bpmnElement="rejected"', b'bpmnElement="declined"')
           .replace(b"<bpmn:flowNodeRef>rejected<", b"<bpmn:flowNodeRef>declined<"))
    result = compare(old, new)
    assert [c.id for c in result.added] == ["declined"] and [c.id for c in result.removed] == ["rejected"]
    changed = {c.id: c.what for c in result.changed}
    assert changed["screen_proposal"] == ["name"]
    assert "flow_rejected" in changed and "lane_proposal_committee" in changed
    assert result.moved == ["submit_proposal"]
    assert compare(old, old).empty


def test_every_rule_has_a_name_on_the_organisation_edit_page():
    import dataclasses

    from workflows.rules import Rules

    zh, en = (_catalogue(LOCALES[lang]) for lang in ("zh-CN", "en"))
    unnamed = {f.name for f in dataclasses.fields(Rules)} - {k[len("org.rules."):] for k in zh if
                                                              k.startswith("org.rules.") and k in en}
    assert unnamed == set()
