"""Baselines for the benchmark suite (bench/): the floor and a naive SpiffWorkflow integration.

Registered only when the configuration says ``BENCH_ENDPOINTS`` (env ``DMFLOW_BENCH_ENDPOINTS=true``), so
these routes never exist in production. Both baselines authenticate the bearer token like every view.

- ``POST /api/v1/_bench/floor``: authenticate, then one INSERT and COMMIT into a tiny table. No engine work:
  the least a state-changing request of this app can cost (Flask, auth query, one write transaction).
- ``POST /api/v1/_bench/naive/start`` and ``POST /api/v1/_bench/naive/<id>/complete``: what a
  straightforward integration of SpiffWorkflow does. On every request it reads the deployed BPMN file
  (``engine.deployments.get_file``) and parses it with ``SpiffBpmnParser``; it builds or restores the
  workflow with the library's stock serializer, spec included, and stores the whole JSON in one row.
  It does nothing else: no form validation, no derived task rows, no audit trail, no incidents.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from flask import current_app, jsonify, request
from flask_smorest import Blueprint
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from engine import deployments
from engine.errors import BadRequest, Forbidden, NotFound, TaskNotReady

from ..auth import current_actor
from ..extension import services as _services

blp = Blueprint("bench", __name__, url_prefix="/api/v1/_bench",
                description="Benchmark baselines (only with BENCH_ENDPOINTS; never in production)")

# The stock serializer: the workflow *and its spec* go into the JSON (built once per process, as anyone would).
NAIVE_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

_TABLES = {
    "sqlite": [
        "CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT)",
        "CREATE TABLE IF NOT EXISTS bench_naive (id TEXT PRIMARY KEY, process_id TEXT, version INTEGER, "
        "state TEXT)",
    ],
    "postgresql": [
        "CREATE TABLE IF NOT EXISTS bench_floor (id BIGSERIAL PRIMARY KEY, at TEXT)",
        "CREATE TABLE IF NOT EXISTS bench_naive (id TEXT PRIMARY KEY, process_id TEXT, version INTEGER, "
        "state TEXT)",
    ],
}
_ready_lock = threading.Lock()


def _db():
    """The app's engine, with the bench tables created on its first use (CREATE TABLE IF NOT EXISTS)."""
    engine = _services().db
    state = current_app.extensions.setdefault("dmflow.bench", {"ready": False})
    if not state["ready"]:
        with _ready_lock:
            if not state["ready"]:
                for attempt in range(3):
                    try:
                        with engine.begin() as conn:
                            for ddl in _TABLES.get(engine.dialect.name, _TABLES["sqlite"]):
                                conn.exec_driver_sql(ddl)
                        break
                    except DBAPIError:  # another worker created it at the same moment (PostgreSQL catalog race)
                        if attempt == 2:
                            raise
                state["ready"] = True
    return engine


def _writer():
    actor = current_actor()
    if actor.is_read_only:
        raise Forbidden("auditors read everything and change nothing")
    return actor


@blp.route("/floor", methods=["POST"])
def floor():
    """The floor: authenticate the token, then one INSERT and COMMIT."""
    current_actor()
    engine = _db()
    now = _services().clock.now().isoformat()
    with engine.begin() as conn:  # BEGIN IMMEDIATE on SQLite, like every write of the engine
        conn.execute(text("INSERT INTO bench_floor (at) VALUES (:at)"), {"at": now})
    return jsonify({"ok": True}), 201


def _parse(process_id: str, version: int | None) -> tuple[Any, dict[str, Any], int]:
    """Read the deployed BPMN bytes and parse them, as an integration that keeps only the file does."""
    uow = _services().uow(readonly=True)
    if version is None:
        with uow:
            version = deployments.find_version(uow.session, process_id).version
    filename, content = deployments.get_file(uow, process_id, version)
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(content, filename=filename)
    return parser.get_spec(process_id), parser.get_subprocess_specs(process_id), version


def _ready_tasks(wf: BpmnWorkflow) -> list[dict[str, Any]]:
    return [{"id": str(t.id), "element_id": t.task_spec.bpmn_id}
            for t in wf.get_tasks(state=TaskState.READY, manual=True)]


def _view(instance_id: str, wf: BpmnWorkflow) -> dict[str, Any]:
    done = wf.is_completed()
    return {"id": instance_id, "status": "completed" if done else "running", "ready_tasks": _ready_tasks(wf),
            "data": dict(wf.data) if done else {}}


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("a JSON object is expected")
    return body


@blp.route("/naive/start", methods=["POST"])
def naive_start():
    """Naive start: parse the BPMN, run the new workflow until it waits, store it whole (spec included)."""
    _writer()
    body = _body()
    process_id = body.get("process")
    if not isinstance(process_id, str):
        raise BadRequest("'process' is required")
    engine = _db()
    spec, subs, version = _parse(process_id, body.get("version"))
    wf = BpmnWorkflow(spec, subs, script_engine=_services().runtime.script_engine)
    wf.get_next_task(state=TaskState.READY).data.update(body.get("data") or {})
    wf.do_engine_steps()
    instance_id = str(uuid.uuid4())
    state = NAIVE_SERIALIZER.serialize_json(wf)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO bench_naive (id, process_id, version, state) VALUES (:i, :p, :v, :s)"),
                     {"i": instance_id, "p": process_id, "v": version, "s": state})
    return jsonify(_view(instance_id, wf)), 201


@blp.route("/naive/<instance_id>/complete", methods=["POST"])
def naive_complete(instance_id: str):
    """Naive completion: parse the BPMN, restore the whole workflow, complete the task, store it whole."""
    _writer()
    body = _body()
    engine = _db()
    with engine.connect() as conn:
        found = conn.execute(text("SELECT process_id, version FROM bench_naive WHERE id = :i"),
                             {"i": instance_id}).first()
    if found is None:
        raise NotFound(f"instance '{instance_id}' does not exist")
    spec, _subs, _ = _parse(found.process_id, found.version)
    with engine.begin() as conn:  # read-modify-write under the write lock, as dmflow's complete does
        state = conn.execute(text("SELECT state FROM bench_naive WHERE id = :i"), {"i": instance_id}).scalar_one()
        wf = NAIVE_SERIALIZER.deserialize_json(state)
        wf.script_engine = _services().runtime.script_engine
        ready = wf.get_tasks(state=TaskState.READY, manual=True)
        wanted = body.get("task_id")
        task = next((t for t in ready if wanted is None or str(t.id) == wanted), None)
        if task is None:
            raise TaskNotReady("no such ready task")
        if task.task_spec.name not in spec.task_specs:  # the parsed diagram is what knows the task
            raise TaskNotReady(f"task '{task.task_spec.name}' is not in the deployed diagram")
        task.data.update(body.get("data") or {})
        task.run()
        wf.do_engine_steps()
        conn.execute(text("UPDATE bench_naive SET state = :s WHERE id = :i"),
                     {"s": NAIVE_SERIALIZER.serialize_json(wf), "i": instance_id})
    return jsonify(_view(instance_id, wf)), 200
