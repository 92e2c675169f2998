"""Instance pages for everyone, and the auditors' views: history on the diagram, verify, case export."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from flask import Response, request

from engine import deployments, inbox, queries
from engine.identity import ADMIN, AUDITOR
from engine.verification import verify_organisation
from workflows import documents

from ...case_export import export_case
from ...extension import services, uow
from .. import labels
from ..core import blp, menu, page, render, web_actor

menu(40, "web.instances", "nav.instances", "instances", group="flows")
menu(90, "web.audit_page", "nav.audit", "audit", lambda actor: actor.has(AUDITOR, ADMIN))

PER_PAGE = 50
CURRENT = ("task.ready", "task.waiting", "task.started")
DONE = ("task.completed", "timer.fired")


@blp.route("/instances")
@page()
def instances():
    page_no = max(request.args.get("page", 1, type=int), 1)
    status = request.args.get("status") or None
    listing = queries.list_instances(uow(readonly=True), process_id=request.args.get("process") or None,
                                     status=status, page=page_no, per_page=PER_PAGE, actor=web_actor())
    pages = max((listing["total"] + PER_PAGE - 1) // PER_PAGE, 1)
    return render("instances.html", listing=listing, status=status, pages=pages,
                  processes=deployments.list_processes(uow(readonly=True)) if listing["items"] else [])


def path_markers(history: list[dict[str, Any]], instance: dict[str, Any]) -> dict[str, list[str]]:
    """Which diagram elements the instance has passed (done), waits at (current) or failed in (error)."""
    last: dict[str, str] = {}
    done: set[str] = set()
    for event in history:
        element = event["payload"].get("element_id")
        if not element:
            continue
        last[element] = event["type"]
        if event["type"] in DONE:
            done.add(element)
    current = {e for e, kind in last.items() if kind in CURRENT} | {t["element_id"] for t in instance["ready_tasks"]}
    if instance["status"] in ("completed", "terminated"):
        current = set()
    error = {e for e, kind in last.items() if kind == "task.error"}
    error |= {i["element_id"] for i in instance["incidents"] if i["element_id"]}
    return {"done": sorted(done - current - error), "current": sorted(current - error), "error": sorted(error)}


@blp.route("/instances/<instance_id>")
@page()
def instance_page(instance_id: str):
    actor = web_actor()
    instance = queries.get_instance(uow(readonly=True), instance_id, actor=actor)
    labels.use_process(instance["process_id"], instance["version"])
    history = queries.instance_history(uow(readonly=True), instance_id, actor=actor)
    mine = {t["id"] for t in inbox.list_tasks(uow(readonly=True), actor, inbox.TaskFilter(
        instance_id=instance_id, per_page=500))["items"]} if not actor.is_read_only else set()
    return render("instance.html", instance=instance, history=history, markers=path_markers(history, instance),
                  mine=mine, may_export=actor.has(AUDITOR, ADMIN),
                  documents=documents.for_instance(uow(readonly=True), instance_id))


@blp.route("/documents/<int:document_id>")
@page()
def document_file(document_id: int):
    """A generated document, for those who may read its case; its SHA-256 travels in a header."""
    doc = documents.get(uow(readonly=True), document_id)
    if doc.instance_id and doc.kind not in documents.PUBLISHED_KINDS:
        queries.get_instance(uow(readonly=True), doc.instance_id, actor=web_actor())  # Forbidden if not involved
    state, error = documents.status(uow(readonly=True), doc)
    if state != documents.READY:  # a notice's PDF is rendered after the commit that published it
        return render("document_pending.html", 202 if state == documents.RENDERING else 503, doc=doc, error=error)
    return Response(doc.content, mimetype=doc.media_type, headers={
        "X-Content-SHA256": doc.sha256, "Content-Disposition": f'inline; filename="{doc.filename}"'})


@blp.route("/instances/<instance_id>/export")
@page(AUDITOR, ADMIN)
def export(instance_id: str):
    body = json.dumps(export_case(instance_id, web_actor().username), ensure_ascii=False, indent=2).encode()
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="case-{instance_id}.json"',
        "Repr-Digest": f"sha-256=:{digest}:",
    })


@blp.route("/audit")
@page(AUDITOR, ADMIN)
def audit_page():
    unit = uow(readonly=True)
    with unit:
        report = verify_organisation(unit.session, web_actor().org_id, public_key=services().public_key())
    return render("audit.html", report=report)
