"""Running instances: start, complete a task, terminate; each step saved with its derived rows and audit."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jsonschema import Draft202012Validator
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from .audit import instance_chain
from .deployments import find_version
from .errors import Conflict, Forbidden, NotFound, TaskNotReady, ValidationFailed
from .identity import Actor
from .models import HumanTask, Incident, Instance, ProcessVersion
from .serialization import LIBRARY_VERSION, SERIALIZER_VERSION, SpecCache, dump_instance, load_instance
from .unit_of_work import UnitOfWork

RUNNING, COMPLETED, TERMINATED, ERROR, SUSPENDED = "running", "completed", "terminated", "error", "suspended"
DEEP = 10**6  # iterate the whole tree: the library's default max_depth of 1000 hides deep tasks
_TIMER_TYPES = {"DurationTimerEventDefinition", "TimeDateEventDefinition", "CycleTimerEventDefinition"}


@dataclass
class RuntimeConfig:
    """Per-process engine settings handed to the services (never read from the environment here)."""

    script_engine: Any
    spec_cache: SpecCache = field(default_factory=SpecCache)
    max_tree_depth: int = 800
    max_engine_rounds: int = 200


@dataclass
class Loaded:
    row: Instance
    version: ProcessVersion
    meta: dict[str, Any]
    workflow: BpmnWorkflow


def _config(uow: UnitOfWork) -> RuntimeConfig:
    config = getattr(uow, "runtime", None)
    if config is None:
        raise RuntimeError("the unit of work has no runtime configuration")
    return config


def _snapshot(wf: BpmnWorkflow) -> dict[uuid.UUID, TaskState]:
    return {t.id: t.state for t in wf.get_tasks(state=TaskState.ANY_MASK, max_depth=DEEP)}


def _run_engine(uow: UnitOfWork, wf: BpmnWorkflow) -> Exception | None:
    """Run engine tasks (gateways, scripts, events) until only human or waiting work is left."""
    cfg = _config(uow)
    try:
        wf.refresh_timers()
        for _ in range(cfg.max_engine_rounds):
            wf.do_engine_steps()
            if wf.get_next_task(state=TaskState.READY, manual=False, max_depth=DEEP) is None:
                return None
        return RuntimeError(f"engine work did not settle after {cfg.max_engine_rounds} rounds")
    except SpiffWorkflowException as exc:
        return exc


def _element_of(exc: Exception) -> tuple[str | None, str | None]:
    task = getattr(exc, "task", None)
    if task is None:
        return None, None
    return str(task.id), getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name


def _error_message(exc: Exception) -> str:
    parts = [str(exc).strip() or type(exc).__name__]
    parts += [n for n in getattr(exc, "__notes__", []) if n not in parts[0]]
    return " ".join(parts)


def _tree_depth(wf: BpmnWorkflow) -> int:
    depth: dict[uuid.UUID, int] = {}
    deepest = 0
    for task in wf.get_tasks(state=TaskState.ANY_MASK, max_depth=DEEP, skip_subprocesses=True):
        d = depth.get(task._parent, 0) + 1
        depth[task.id] = d
        deepest = max(deepest, d)
    return deepest


def _is_finished(wf: BpmnWorkflow) -> bool:
    return wf.get_next_task(state=TaskState.NOT_FINISHED_MASK, max_depth=DEEP) is None


def _audit_transitions(uow: UnitOfWork, inst: Instance, wf: BpmnWorkflow, before: dict, skip: set) -> None:
    """One event per task whose state changed in this step (internal tasks without a BPMN id excluded)."""
    chain = instance_chain(inst.id)
    for task in wf.get_tasks(state=TaskState.ANY_MASK, max_depth=DEEP):
        if task.id in skip or task.task_spec.bpmn_id is None or before.get(task.id) == task.state:
            continue
        spec = task.task_spec
        kind = {TaskState.READY: "task.ready", TaskState.COMPLETED: "task.completed",
                TaskState.WAITING: "task.waiting", TaskState.CANCELLED: "task.cancelled",
                TaskState.ERROR: "task.error", TaskState.STARTED: "task.started"}.get(task.state)
        if kind is None or (kind == "task.ready" and not spec.manual):
            continue
        payload = {"task_id": str(task.id), "element_id": spec.bpmn_id, "name": spec.bpmn_name,
                   "type": spec.__class__.__name__}
        if spec.manual or kind in ("task.ready", "task.waiting"):
            payload["lane"] = spec.lane
        uow.audit(chain, kind, payload, actor=None, instance_id=inst.id)


def _next_timer(wf: BpmnWorkflow) -> datetime | None:
    due = [datetime.fromisoformat(e.value) for e in wf.waiting_events()
           if e.event_type in _TIMER_TYPES and e.value]
    return min(due) if due else None


def _current_data(wf: BpmnWorkflow) -> dict[str, Any]:
    if _is_finished(wf):
        return dict(wf.data)
    task = wf.last_task or wf.get_next_task(state=TaskState.READY, max_depth=DEEP)
    return dict(task.data) if task is not None else {}


def _sync_human_tasks(uow: UnitOfWork, loaded: Loaded, completed_by: dict[str, str]) -> None:
    s, inst, wf = uow.session, loaded.row, loaded.workflow
    ready = {str(t.id): t for t in wf.get_tasks(state=TaskState.READY, manual=True, max_depth=DEEP)}
    existing = {h.id: h for h in s.scalars(select(HumanTask).where(HumanTask.instance_id == inst.id,
                                                                   HumanTask.state == "ready"))}
    now = uow.now()
    for tid, row in existing.items():
        if tid in ready:
            continue
        task = wf.get_task_from_id(uuid.UUID(tid)) if uuid.UUID(tid) in wf.tasks else None
        row.state = "completed" if task is not None and task.state == TaskState.COMPLETED else "cancelled"
        row.ended_at, row.completed_by = now, completed_by.get(tid)
    tasks_meta = loaded.meta["user_tasks"]
    for tid, task in ready.items():
        if tid in existing:
            continue
        spec = task.task_spec
        s.add(HumanTask(id=tid, instance_id=inst.id, process_id=inst.process_id, element_id=spec.bpmn_id,
                        name=spec.bpmn_name, lane=spec.lane, form=tasks_meta.get(spec.bpmn_id, {}).get("form"),
                        state="ready", created_at=now))


def _save(uow: UnitOfWork, loaded: Loaded, before: dict, *, skip: set | None = None,
          completed_by: dict[str, str] | None = None, error: Exception | None = None) -> None:
    """Persist the workflow, its derived rows, incidents and audit events (caller commits)."""
    inst, wf = loaded.row, loaded.workflow
    cfg = _config(uow)
    if error is None and _tree_depth(wf) > cfg.max_tree_depth:
        error = RuntimeError(f"task tree depth exceeds the configured limit of {cfg.max_tree_depth}; "
                             "the diagram loops too often for one instance")
    _audit_transitions(uow, inst, wf, before, skip or set())
    if error is not None:
        task_id, element = _element_of(error)
        incident = Incident(instance_id=inst.id, task_id=task_id, element_id=element,
                            message=_error_message(error), status="open", created_at=uow.now())
        uow.session.add(incident)
        uow.session.flush()
        inst.status = ERROR
        uow.audit(instance_chain(inst.id), "incident.raised", {"incident_id": incident.id, "task_id": task_id,
                  "element_id": element, "message": incident.message}, actor=None, instance_id=inst.id)
    elif inst.status == RUNNING and _is_finished(wf):
        inst.status, inst.ended_at = COMPLETED, uow.now()
        uow.audit(instance_chain(inst.id), "instance.completed", {"data": _current_data(wf)},
                  actor=None, instance_id=inst.id)
    _sync_human_tasks(uow, loaded, completed_by or {})
    inst.state_json = dump_instance(wf)
    inst.data_json = json.dumps(_current_data(wf), ensure_ascii=False, default=str)
    inst.next_timer_at = _next_timer(wf) if inst.status == RUNNING else None
    inst.updated_at = uow.now()


def load(uow: UnitOfWork, instance_id: str, *, lock: bool = True) -> Loaded:
    """Load (and by default lock) an instance with its cached spec. Raises: NotFound."""
    s = uow.session
    query = select(Instance).where(Instance.id == instance_id).execution_options(populate_existing=True)
    row = s.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(f"instance '{instance_id}' does not exist")
    pv = s.get(ProcessVersion, row.process_version_id)
    spec, subs = _config(uow).spec_cache.get(pv.id, pv.spec_json, pv.subprocess_specs_json)
    wf = load_instance(row.state_json, row.serializer_version, spec, subs)
    wf.script_engine = _config(uow).script_engine
    return Loaded(row, pv, json.loads(pv.meta_json), wf)


def start_instance(uow: UnitOfWork, process_id: str, *, actor: Actor, version: int | None = None,
                   data: dict[str, Any] | None = None, business_key: str | None = None) -> str:
    """Start an instance of a deployed process and run it until it waits.

    Returns:
        The new instance id.

    Raises:
        NotFound: the process (or version) is not deployed. Forbidden: an auditor-only caller.
    """
    if actor.is_read_only:
        raise Forbidden("auditors read everything and change nothing")
    with uow:
        s = uow.session
        pv = find_version(s, process_id, version)
        spec, subs = _config(uow).spec_cache.get(pv.id, pv.spec_json, pv.subprocess_specs_json)
        wf = BpmnWorkflow(spec, subs, script_engine=_config(uow).script_engine)
        wf.get_next_task(state=TaskState.READY).data.update(data or {})
        now = uow.now()
        inst = Instance(id=str(uuid.uuid4()), process_version_id=pv.id, process_id=pv.process_id, status=RUNNING,
                        business_key=business_key, state_json="", data_json="{}",
                        serializer_version=SERIALIZER_VERSION, library_version=LIBRARY_VERSION,
                        started_by=actor.username, created_at=now, updated_at=now)
        s.add(inst)
        s.flush()
        uow.audit(instance_chain(inst.id), "instance.started", {
            "process_id": pv.process_id, "version": pv.version, "business_key": business_key, "data": data or {},
        }, actor=actor.username, instance_id=inst.id)
        loaded = Loaded(inst, pv, json.loads(pv.meta_json), wf)
        before: dict = {}
        error = _run_engine(uow, wf)
        _save(uow, loaded, before, error=error)
        uow.commit()
        return inst.id


def validate_form(schema: dict[str, Any] | None, data: dict[str, Any]) -> None:
    """Check submitted data against a task's JSON schema.

    Raises:
        ValidationFailed: with one entry per field path (``""`` for the form as a whole).
    """
    if not schema:
        return
    errors: dict[str, list[str]] = {}
    for err in Draft202012Validator(schema).iter_errors(data):
        path = ".".join(str(p) for p in err.absolute_path)
        if err.validator == "required":
            missing = err.message.split("'")[1] if "'" in err.message else ""
            path = ".".join(p for p in (path, missing) if p)
        elif err.validator == "additionalProperties" and "'" in err.message:
            extra = err.message.split("'")[1]
            path = ".".join(p for p in (path, extra) if p)
        errors.setdefault(path, []).append(err.message)
    if errors:
        raise ValidationFailed("the submitted data does not match the task's form", errors)


def _human_task(uow: UnitOfWork, task_id: str) -> HumanTask:
    row = uow.session.scalar(select(HumanTask).where(HumanTask.id == task_id)
                             .execution_options(populate_existing=True))
    if row is None:
        raise NotFound(f"task '{task_id}' does not exist")
    return row


def complete_task(uow: UnitOfWork, task_id: str, data: dict[str, Any], *, actor: Actor) -> str:
    """Complete a ready human task with form data and run the instance until it waits again.

    Returns:
        The instance id.

    Raises:
        NotFound: unknown task. Forbidden: the caller lacks the lane's role.
        TaskNotReady: the task was already completed or cancelled, or the instance is not running.
        ValidationFailed: the data does not match the form.
    """
    with uow:
        first = _human_task(uow, task_id)
        if not actor.may_act_in_lane(first.lane):
            raise Forbidden(f"task '{first.name or first.element_id}' belongs to role '{first.lane}', "
                            f"which you do not hold" if first.lane else "auditors cannot complete tasks")
        loaded = load(uow, first.instance_id)  # row lock: a concurrent completion waits here
        row = _human_task(uow, task_id)  # re-read after the lock so we see a competitor's commit
        if row.state != "ready":
            raise TaskNotReady(f"task '{row.name or row.element_id}' is already {row.state}"
                               + (f" by {row.completed_by}" if row.completed_by else ""))
        if loaded.row.status != RUNNING:
            raise TaskNotReady(f"instance is {loaded.row.status}; its tasks cannot be completed now")
        validate_form(loaded.meta["forms"].get(row.form) if row.form else None, data)
        wf = loaded.workflow
        task = wf.get_task_from_id(uuid.UUID(task_id))
        if task is None or task.state != TaskState.READY:
            raise TaskNotReady(f"task '{row.element_id}' is not ready in the workflow")
        before = _snapshot(wf)
        add = getattr(task.task_spec, "add_data_from_form", None)
        add(task, data) if add else task.set_data(**data)
        error = None
        try:
            task.run()
        except SpiffWorkflowException as exc:
            error = exc
        uow.audit(instance_chain(loaded.row.id), "task.completed", {
            "task_id": task_id, "element_id": row.element_id, "name": row.name, "lane": row.lane, "data": data,
        }, actor=actor.username, instance_id=loaded.row.id)
        if error is None:
            error = _run_engine(uow, wf)
        _save(uow, loaded, before, skip={task.id}, completed_by={task_id: actor.username}, error=error)
        uow.commit()
        return loaded.row.id


def terminate(uow: UnitOfWork, instance_id: str, reason: str, *, actor: Actor) -> None:
    """Cancel every open task of an instance and end it as terminated.

    Raises:
        NotFound: unknown instance. Conflict: the instance has already ended.
    """
    with uow:
        loaded = load(uow, instance_id)
        if loaded.row.status in (COMPLETED, TERMINATED):
            raise Conflict(f"instance is already {loaded.row.status}")
        before = _snapshot(loaded.workflow)
        loaded.workflow.cancel()
        loaded.row.status, loaded.row.ended_at = TERMINATED, uow.now()
        uow.audit(instance_chain(instance_id), "instance.terminated", {"reason": reason},
                  actor=actor.username, instance_id=instance_id)
        _save(uow, loaded, before)
        uow.commit()
