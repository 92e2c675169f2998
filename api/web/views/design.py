"""Designers' pages: processes and versions, the modeler with lint and deploy, the diff of two versions."""

from __future__ import annotations

import secrets

from flask import Response, render_template, request

from engine import deployments
from engine.errors import DmflowError, InvalidDiagram, NotFound
from engine.identity import ADMIN, AUDITOR, DESIGNER
from engine.parsing import SourceFile, parse
from engine.serialization import SERIALIZER

from ...errors import payload, status_of
from ...extension import services, uow
from .. import diff
from ..core import blp, menu, page, render, web_actor

menu(30, "web.processes", "nav.processes", "processes", group="flows")
menu(80, "web.modeler_new", "nav.modeler", "modeler", lambda actor: actor.has(DESIGNER, ADMIN), group="flows")

MAX_FILES = 200


@blp.route("/processes")
@page()
def processes():
    return render("processes.html", processes=deployments.list_processes(uow(readonly=True)))


@blp.route("/processes/<process_id>/<int:version>/bpmn")
@page()
def version_bpmn(process_id: str, version: int):
    """The BPMN XML of a deployed version, for the viewers (the pages use the session, not a token)."""
    _, content = deployments.get_file(uow(readonly=True), process_id, version)
    return Response(content, mimetype="application/xml")


def _version_files(process_id: str, version: int) -> tuple[str, dict[str, str]]:
    detail = deployments.get_version(uow(readonly=True), process_id, version)
    files = {}
    for name in detail["files"]:
        _, content = deployments.get_file(uow(readonly=True), process_id, version, name)
        files[name] = content.decode("utf-8", errors="replace")
    return detail["bpmn_filename"], files


@blp.route("/designer/new")
@page(DESIGNER, ADMIN)
def modeler_new():
    pid = f"process_{secrets.token_hex(3)}"
    xml = render_template("new_diagram.bpmn", process_id=pid)
    return render("modeler.html", title=None, main=f"{pid}.bpmn", files={f"{pid}.bpmn": xml},
                  process_id=None, version=None)


@blp.route("/designer/<process_id>/<int:version>")
@page(DESIGNER, ADMIN)
def modeler(process_id: str, version: int):
    main, files = _version_files(process_id, version)
    return render("modeler.html", title=f"{process_id} v{version}", main=main, files=files,
                  process_id=process_id, version=version)


def _sources() -> list[SourceFile]:
    body = request.get_json(silent=True) or {}
    files = body.get("files")
    if not isinstance(files, list) or not files or len(files) > MAX_FILES:
        raise InvalidDiagram("no files were given")
    sources = []
    for item in files:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) \
                or not isinstance(item.get("content"), str):
            raise InvalidDiagram("every file needs a name and a text content")
        sources.append(SourceFile(item["name"].rsplit("/", 1)[-1], item["content"].encode("utf-8")))
    return sources


def _json_error(error: DmflowError):
    code = status_of(error)
    return payload(code, error.message, error.errors), code


@blp.route("/designer/lint", methods=["POST"])
@page(DESIGNER, ADMIN)
def lint():
    """The deploy's own checks (parsing, XSD, sandbox compile, forms), storing nothing."""
    try:
        sources = _sources()
        operators = set(services().runtime.script_engine.environment.services)
        parsed = parse(sources, SERIALIZER, operators)
    except DmflowError as error:
        return _json_error(error)
    return {"processes": [p.process_id for p in parsed.processes], "warnings": parsed.warnings}


@blp.route("/designer/deploy", methods=["POST"])
@page(DESIGNER, ADMIN)
def deploy():
    body = request.get_json(silent=True) or {}
    name = body.get("name") if isinstance(body.get("name"), str) else None
    try:
        result = deployments.deploy(uow(), _sources(), actor=web_actor(), name=(name or None) and name[:200])
    except DmflowError as error:
        return _json_error(error)
    versions = [{k: v for k, v in item.items() if k != "deployed_at"} for item in result.versions]
    return {"created": result.created, "versions": versions, "warnings": result.warnings}


def _pick(values: list[int], raw: str | None, default: int) -> int:
    try:
        chosen = int(raw) if raw else default
    except ValueError:
        chosen = default
    return chosen if chosen in values else default


@blp.route("/processes/<process_id>/diff")
@page(DESIGNER, ADMIN, AUDITOR)
def version_diff(process_id: str):
    entry = next((p for p in deployments.list_processes(uow(readonly=True)) if p["process_id"] == process_id),
                 None)
    if entry is None:
        raise NotFound(f"process '{process_id}' is not deployed")
    numbers = sorted(v["version"] for v in entry["versions"])
    b = _pick(numbers, request.args.get("b"), numbers[-1])
    a = _pick(numbers, request.args.get("a"), numbers[-2] if len(numbers) > 1 else numbers[-1])
    _, old = deployments.get_file(uow(readonly=True), process_id, a)
    _, new = deployments.get_file(uow(readonly=True), process_id, b)
    result = diff.compare(old, new)
    return render("diff.html", process=entry, numbers=numbers, a=a, b=b, diff=result,
                  markers=result.markers())

