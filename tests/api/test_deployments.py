"""POST /api/v1/deployments and the process read API: versions, permissions, refusals, hostile XML."""

from __future__ import annotations

import json
import re
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from conftest import bundled_files, deploy_files

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
"""
FORM = json.dumps({"type": "object", "properties": {"title": {"type": "string"}}, "required": ["title"]})


def definitions(body: str, *, process_id: str = "leave_request", executable: str = "true",
                prolog: str = "") -> bytes:
    """A BPMN file holding one process whose flow elements are `body`."""
    return (HEADER.replace("\n", "\n" + prolog, 1) if prolog else HEADER).encode() + (
        f'  <bpmn:process id="{process_id}" name="请假申请" isExecutable="{executable}">\n{body}\n'
        "  </bpmn:process>\n</bpmn:definitions>\n").encode()


def user_task_diagram(task_name: str = "填写申请", form: str | None = None, **kw) -> bytes:
    """start -> user task `fill_in` (optionally naming a form file) -> end."""
    props = (f'<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property '
             f'name="formJsonSchemaFilename" value="{form}" /></spiffworkflow:properties>'
             "</bpmn:extensionElements>") if form else ""
    return definitions(f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fill_in" />
    <bpmn:userTask id="fill_in" name="{task_name}">{props}
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="fill_in" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>""", **kw)


def script_diagram(script: str) -> bytes:
    """start -> script task `calc` -> end."""
    return definitions(f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="calc" />
    <bpmn:scriptTask id="calc"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{escape(script)}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>""")


def gateway_diagram(condition: str) -> bytes:
    """start -> exclusive gateway `decide` -> end_yes (flow `to_yes` with `condition`) / end_no (default)."""
    return definitions(f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
    <bpmn:exclusiveGateway id="decide" default="to_no"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>to_yes</bpmn:outgoing><bpmn:outgoing>to_no</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="to_yes" sourceRef="decide" targetRef="end_yes">
    <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(condition)}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_no" sourceRef="decide" targetRef="end_no" />
    <bpmn:endEvent id="end_yes"><bpmn:incoming>to_yes</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_no"><bpmn:incoming>to_no</bpmn:incoming></bpmn:endEvent>""")


def line_of(content: bytes, needle: str) -> int:
    """1-based line of the first occurrence of `needle` in `content`."""
    return content.decode()[:content.decode().index(needle)].count("\n") + 1


def post_in_memory(client, headers, files: dict[str, bytes]):
    """POST a deployment whose multipart body is built in memory.

    For bodies over 500 KB the test client spools the body to a temporary file it never closes, and the
    ResourceWarning would fail an unrelated test under `filterwarnings = error`.
    """
    boundary, body = encode_multipart(
        {"files": [FileStorage(BytesIO(content), filename) for filename, content in files.items()]})
    return client.post("/api/v1/deployments", data=body, headers=headers,
                       content_type=f'multipart/form-data; boundary="{boundary}"')


def diagram_error(response) -> dict:
    assert response.status_code == 422, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) >= {"code", "status", "message"} and body["code"] == 422
    where = body["errors"]["diagram"][0]
    assert set(where) == {"file", "line", "element_id", "reason"}
    assert where["reason"].strip()
    return where


@pytest.fixture
def snapshot(client, login_as):
    """What is stored: the process list and the number of audit events (taken with an auditor's token)."""
    auditor = login_as("auditor")

    def take():
        processes = client.get("/api/v1/processes", headers=auditor)
        verify = client.get("/api/v1/audit/verify", headers=auditor)
        assert processes.status_code == verify.status_code == 200
        return processes.get_json(), verify.get_json()["events"]

    return take


@pytest.fixture
def refused(client, login_as, snapshot):
    """Deploy files as a designer; assert that nothing was stored and return the response."""
    designer = login_as("designer")  # created first: creating a user is itself an audit event

    def run(files: dict[str, bytes]):
        before = snapshot()
        response = deploy_files(client, designer, files)
        assert snapshot() == before
        return response

    return run


class TestPermissions:
    def test_deploying_without_a_token_is_401(self, client, snapshot):
        before = snapshot()
        response = deploy_files(client, {}, {"a.bpmn": user_task_diagram()})
        assert response.status_code == 401
        assert response.get_json()["code"] == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert snapshot() == before

    @pytest.mark.parametrize("role", ["representative", "auditor"])
    def test_deploying_needs_designer_or_admin_role(self, client, login_as, snapshot, role):
        headers = login_as(role)
        before = snapshot()
        response = deploy_files(client, headers, {"a.bpmn": user_task_diagram()})
        assert response.status_code == 403
        assert response.get_json()["message"]
        assert snapshot() == before

    @pytest.mark.parametrize("role", ["designer", "admin"])
    def test_designer_and_admin_may_deploy(self, client, login_as, role):
        response = deploy_files(client, login_as(role), {"a.bpmn": user_task_diagram()})
        assert response.status_code == 201
        assert response.get_json()["versions"][0]["process_id"] == "leave_request"


class TestVersions:
    def test_first_deployment_creates_version_1(self, deploy):
        response = deploy({"leave.bpmn": user_task_diagram()}, name="请假")
        assert response.status_code == 201
        body = response.get_json()
        assert body["created"] is True and isinstance(body["deployment_id"], int)
        [version] = body["versions"]
        assert (version["process_id"], version["version"], version["created"]) == ("leave_request", 1, True)

    def test_identical_content_is_not_a_new_version(self, deploy, client, login_as):
        first = deploy({"leave.bpmn": user_task_diagram()}).get_json()
        again = deploy({"leave.bpmn": user_task_diagram()})
        assert again.status_code == 200
        body = again.get_json()
        assert body["created"] is False and body["deployment_id"] is None
        assert [(v["version"], v["created"], v["content_hash"]) for v in body["versions"]] == [
            (1, False, first["versions"][0]["content_hash"])]
        [process] = client.get("/api/v1/processes", headers=login_as("designer")).get_json()
        assert process["latest_version"] == 1 and len(process["versions"]) == 1

    def test_changed_diagram_becomes_version_2(self, deploy, client, login_as):
        deploy({"leave.bpmn": user_task_diagram("填写申请")})
        response = deploy({"leave.bpmn": user_task_diagram("填写请假申请")})
        assert response.status_code == 201
        assert [(v["version"], v["created"]) for v in response.get_json()["versions"]] == [(2, True)]
        [process] = client.get("/api/v1/processes", headers=login_as("designer")).get_json()
        assert process["latest_version"] == 2
        assert [v["version"] for v in process["versions"]] == [2, 1]

    def test_changed_form_alone_becomes_a_new_version(self, deploy):
        diagram = user_task_diagram(form="leave.schema.json")
        deploy({"leave.bpmn": diagram, "leave.schema.json": FORM.encode()})
        changed = json.dumps({"type": "object", "properties": {"days": {"type": "integer"}}})
        response = deploy({"leave.bpmn": diagram, "leave.schema.json": changed.encode()})
        assert response.status_code == 201
        assert response.get_json()["versions"][0]["version"] == 2

    def test_instances_stay_on_the_version_they_started_on(self, deploy, client, login_as):
        admin = login_as("admin")
        deploy({"leave.bpmn": user_task_diagram("填写申请")})
        started = client.post("/api/v1/instances", json={"process": "leave_request"}, headers=admin)
        assert started.status_code == 201 and started.get_json()["version"] == 1
        instance_id = started.get_json()["id"]

        assert deploy({"leave.bpmn": user_task_diagram("填写请假申请")}).status_code == 201

        instance = client.get(f"/api/v1/instances/{instance_id}", headers=admin).get_json()
        assert instance["version"] == 1
        assert [t["name"] for t in instance["ready_tasks"]] == ["填写申请"]
        on_v1 = client.post("/api/v1/instances", json={"process": "leave_request", "version": 1},
                            headers=admin)
        assert on_v1.status_code == 201 and on_v1.get_json()["version"] == 1
        latest = client.post("/api/v1/instances", json={"process": "leave_request"}, headers=admin)
        assert latest.status_code == 201 and latest.get_json()["version"] == 2
        assert [t["name"] for t in latest.get_json()["ready_tasks"]] == ["填写请假申请"]


class TestReading:
    def test_bundled_congress_diagrams_deploy(self, deploy):
        response = deploy(bundled_files("congress"))
        assert response.status_code == 201, response.get_data(as_text=True)
        assert "proposal_intake" in {v["process_id"] for v in response.get_json()["versions"]}

    def test_version_shows_lanes_and_user_tasks_with_their_form_schema(self, deploy, client, login_as):
        files = bundled_files("congress")
        deploy(files)
        representative = login_as("representative")
        response = client.get("/api/v1/processes/proposal_intake/versions/1", headers=representative)
        assert response.status_code == 200
        body = response.get_json()
        assert body["version"] == 1 and body["bpmn_filename"] == "proposal_intake.bpmn"
        assert body["lanes"] == ["proposal_committee", "representative"]
        tasks = {t["element_id"]: t for t in body["user_tasks"]}
        assert set(tasks) == {"submit_proposal", "screen_proposal"}
        submit = tasks["submit_proposal"]
        assert submit["lane"] == "representative" and submit["form"] == "proposal_intake.submit.schema.json"
        assert submit["form_schema"] == json.loads(files["proposal_intake.submit.schema.json"])
        assert tasks["screen_proposal"]["lane"] == "proposal_committee"

    def test_bpmn_endpoint_returns_the_exact_bytes_uploaded(self, deploy, client, login_as):
        files = bundled_files("congress")
        deploy(files)
        designer = login_as("designer")
        response = client.get("/api/v1/processes/proposal_intake/versions/1/bpmn", headers=designer)
        assert response.status_code == 200
        assert response.mimetype == "application/xml"
        assert response.get_data() == files["proposal_intake.bpmn"]

    def test_each_version_keeps_its_own_bpmn(self, deploy, client, login_as):
        v1, v2 = user_task_diagram("填写申请"), user_task_diagram("填写请假申请")
        deploy({"leave.bpmn": v1})
        deploy({"leave.bpmn": v2})
        designer = login_as("designer")
        for number, content in ((1, v1), (2, v2)):
            url = f"/api/v1/processes/leave_request/versions/{number}/bpmn"
            assert client.get(url, headers=designer).get_data() == content

    def test_process_list_names_every_deployed_process(self, deploy, client, login_as):
        assert client.get("/api/v1/processes", headers=login_as("designer")).get_json() == []
        deploy({"leave.bpmn": user_task_diagram()})
        deploy({"other.bpmn": user_task_diagram(process_id="overtime")})
        processes = client.get("/api/v1/processes", headers=login_as("designer")).get_json()
        assert sorted(p["process_id"] for p in processes) == ["leave_request", "overtime"]

    def test_reading_processes_needs_a_token(self, client):
        response = client.get("/api/v1/processes")
        assert response.status_code == 401
        assert response.get_json()["message"]

    @pytest.mark.parametrize("url", [
        "/api/v1/processes/no_such_process/versions/1",
        "/api/v1/processes/leave_request/versions/2",
        "/api/v1/processes/no_such_process/versions/1/bpmn",
        "/api/v1/processes/leave_request/versions/2/bpmn",
    ])
    def test_unknown_process_or_version_is_404(self, deploy, client, login_as, url):
        deploy({"leave.bpmn": user_task_diagram()})
        response = client.get(url, headers=login_as("designer"))
        assert response.status_code == 404
        body = response.get_json()
        assert body["code"] == 404 and body["status"] == "Not Found" and body["message"]


class TestRefusedDiagrams:
    def test_malformed_xml_is_refused_with_its_line(self, refused):
        content = HEADER.encode() + b'  <bpmn:process id="p" isExecutable="true">\n' \
            b'    <bpmn:startEvent id="start">\n  </bpmn:process>\n</bpmn:definitions>\n'
        where = diagram_error(refused({"broken.bpmn": content}))
        assert where["file"] == "broken.bpmn"
        assert where["line"] == line_of(content, "</bpmn:process>")
        assert "well-formed" in where["reason"]

    def test_xsd_invalid_bpmn_is_refused_with_its_line(self, refused):
        content = definitions('    <bpmn:startEvent id="start" colour="red" />')
        where = diagram_error(refused({"invalid.bpmn": content}))
        assert where["file"] == "invalid.bpmn"
        assert where["line"] == line_of(content, 'colour="red"')
        assert "colour" in where["reason"]

    def test_form_file_not_uploaded_is_refused_naming_the_user_task(self, refused):
        content = user_task_diagram(form="missing.schema.json")
        where = diagram_error(refused({"leave.bpmn": content}))
        assert (where["file"], where["element_id"]) == ("leave.bpmn", "fill_in")
        assert where["line"] == line_of(content, 'id="fill_in"')
        assert "missing.schema.json" in where["reason"]

    def test_form_file_that_is_not_json_is_refused(self, refused):
        files = {"leave.bpmn": user_task_diagram(form="leave.schema.json"), "leave.schema.json": b'{"type": '}
        where = diagram_error(refused(files))
        assert where["file"] == "leave.schema.json"
        assert "JSON" in where["reason"]

    def test_form_file_that_is_not_a_json_schema_is_refused(self, refused):
        files = {"leave.bpmn": user_task_diagram(form="leave.schema.json"),
                 "leave.schema.json": b'{"type": "objekt", "properties": {"title": {"type": "string"}}}'}
        where = diagram_error(refused(files))
        assert where["file"] == "leave.schema.json"
        assert "JSON Schema" in where["reason"]

    @pytest.mark.parametrize("script", [
        "import os\nos.system('true')",
        "x = ().__class__.__base__.__subclasses__()",
    ], ids=["import_os", "dunder_escape"])
    def test_unsafe_script_task_is_refused_naming_the_task(self, refused, script):
        content = script_diagram(script)
        where = diagram_error(refused({"calc.bpmn": content}))
        assert (where["file"], where["element_id"]) == ("calc.bpmn", "calc")
        assert where["line"] == line_of(content, 'id="calc"')

    def test_gateway_condition_importing_os_is_refused_naming_the_gateway(self, refused):
        content = gateway_diagram("__import__('os').system('true') == 0")
        where = diagram_error(refused({"decide.bpmn": content}))
        assert where["file"] == "decide.bpmn"
        assert where["element_id"] in ("decide", "to_yes")
        assert where["line"] == line_of(content, f'id="{where["element_id"]}"')

    def test_safe_script_and_condition_deploy(self, deploy):
        assert deploy({"calc.bpmn": script_diagram("total = sum([1, 2, 3])")}).status_code == 201
        assert deploy({"decide.bpmn": gateway_diagram("days > 3")}).status_code == 201

    def test_diagram_without_executable_process_is_refused(self, refused):
        where = diagram_error(refused({"leave.bpmn": user_task_diagram(executable="false")}))
        assert where["file"] == "leave.bpmn"
        assert "executable" in where["reason"]

    def test_unsupported_file_type_is_refused(self, refused):
        where = diagram_error(refused({"leave.bpmn": user_task_diagram(), "notes.txt": b"hello"}))
        assert where["file"] == "notes.txt"
        assert "unsupported file type" in where["reason"]

    def test_request_without_files_is_refused(self, client, login_as, snapshot):
        designer = login_as("designer")
        before = snapshot()
        response = client.post("/api/v1/deployments", data={"name": "empty"}, headers=designer,
                               content_type="multipart/form-data")
        assert response.status_code == 422
        body = response.get_json()
        assert body["code"] == 422 and body["message"]
        assert "files" in body["errors"]["files"]
        assert snapshot() == before

    def test_deployment_name_over_200_characters_is_refused(self, client, login_as, snapshot):
        designer = login_as("designer")
        before = snapshot()
        response = deploy_files(client, designer, {"leave.bpmn": user_task_diagram()}, name="名" * 201)
        assert response.status_code == 422
        assert "name" in response.get_json()["errors"]["files"]
        assert snapshot() == before

    def test_unknown_form_field_is_refused(self, client, login_as):
        data = {"files": [(BytesIO(user_task_diagram()), "leave.bpmn")], "nmae": "typo"}
        response = client.post("/api/v1/deployments", data=data, headers=login_as("designer"),
                               content_type="multipart/form-data")
        assert response.status_code == 422
        assert "nmae" in response.get_json()["errors"]["files"]

    def test_forms_without_any_bpmn_file_are_refused(self, refused):
        where = diagram_error(refused({"leave.schema.json": FORM.encode()}))
        assert ".bpmn" in where["reason"]

    def test_one_bad_file_refuses_the_whole_deployment(self, refused):
        good = user_task_diagram(process_id="overtime")
        bad = script_diagram("import os")
        where = diagram_error(refused({"good.bpmn": good, "bad.bpmn": bad}))
        assert (where["file"], where["element_id"]) == ("bad.bpmn", "calc")


PASSWD = Path("/etc/passwd")
# Refused by policy, before any parser could expand or fetch anything (not by some later, incidental error).
DECLARATIONS_REFUSED = re.compile(r"DOCTYPE|ENTITY|DTD")
XXE = '<!DOCTYPE bpmn:definitions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
LAUGHS = ('<!DOCTYPE bpmn:definitions [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                    for i in range(1, 10))
          + "]>\n")


def documented_start(text: str) -> str:
    return (f'    <bpmn:startEvent id="start"><bpmn:documentation>{text}</bpmn:documentation>'
            "</bpmn:startEvent>")


class TestHostileXml:
    def test_external_entity_is_refused_and_never_resolved(self, refused):
        response = refused({"xxe.bpmn": definitions(documented_start("&xxe;"), prolog=XXE)})
        where = diagram_error(response)
        assert where["file"] == "xxe.bpmn"
        assert DECLARATIONS_REFUSED.search(where["reason"])
        assert_no_passwd_content(response.get_data(as_text=True))

    def test_external_entity_in_utf16_is_refused_and_never_resolved(self, refused):
        text = definitions(documented_start("&xxe;"), prolog=XXE).decode()
        content = text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
        assert b"<!DOCTYPE" not in content  # the byte-level screen cannot see it: the parsed tree must
        response = refused({"xxe16.bpmn": content})
        where = diagram_error(response)
        assert where["file"] == "xxe16.bpmn"
        assert DECLARATIONS_REFUSED.search(where["reason"])
        assert_no_passwd_content(response.get_data(as_text=True))

    def test_billion_laughs_is_refused(self, refused):
        response = refused({"laughs.bpmn": definitions(documented_start("&lol9;"), prolog=LAUGHS)})
        where = diagram_error(response)
        assert where["file"] == "laughs.bpmn"
        assert DECLARATIONS_REFUSED.search(where["reason"])
        assert "lollol" not in response.get_data(as_text=True)

    @pytest.mark.parametrize("doctype", [
        "<!DOCTYPE bpmn:definitions [<!ELEMENT bpmn:definitions ANY>]>\n",
        '<!DOCTYPE bpmn:definitions SYSTEM "http://127.0.0.1:9/evil.dtd">\n',
    ], ids=["internal_dtd", "external_dtd"])
    def test_doctype_is_refused(self, refused, doctype):
        where = diagram_error(refused({"dtd.bpmn": definitions(documented_start("x"), prolog=doctype)}))
        assert where["file"] == "dtd.bpmn"
        assert DECLARATIONS_REFUSED.search(where["reason"])

    def test_file_over_5_mb_is_refused(self, client, login_as, snapshot):
        designer = login_as("designer")
        padding = "<!-- " + "x" * (5 * 1024 * 1024) + " -->\n"
        content = definitions(documented_start("x") + "\n" + padding)
        assert 5 * 1024 * 1024 < len(content) < 20 * 1024 * 1024
        before = snapshot()
        where = diagram_error(post_in_memory(client, designer, {"huge.bpmn": content}))
        assert snapshot() == before
        assert where["file"] == "huge.bpmn"
        assert "5 MB" in where["reason"]

    def test_request_over_max_content_length_is_413(self, client, login_as, snapshot):
        designer = login_as("designer")
        before = snapshot()
        response = post_in_memory(client, designer, {"big.bpmn": b" " * (21 * 1024 * 1024)})
        assert response.status_code == 413
        body = response.get_json()
        assert body["code"] == 413 and body["status"] == "Request Entity Too Large" and body["message"]
        assert snapshot() == before


def assert_no_passwd_content(text: str) -> None:
    assert "root:" not in text
    if PASSWD.is_file():
        for line in PASSWD.read_text().splitlines():
            if len(line) > 8:
                assert line not in text
