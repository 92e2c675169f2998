"""Running instances: start, complete a task, terminate; each step saved with its derived rows and audit."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from jsonschema import Draft202012Validator
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import literal, select
from sqlalchemy.exc import IntegrityError

from . import assignment, tenancy
from .audit import instance_chain
from .deployments import find_version
from .errors import Conflict, Forbidden, NotFound, TaskNotReady, ValidationFailed
from .identity import Actor
from .models import HumanTask, Instance, ProcessVersion
from .serialization import LIBRARY_VERSION, SERIALIZER_VERSION
from .steps import (  # noqa: F401  (RuntimeConfig, load and the statuses are part of this module's API)
    COMPLETED,
    ERROR,
    RUNNING,
    SUSPENDED,
    TERMINATED,
    Loaded,
    RuntimeConfig,
    config,
    insert_rows,
    load,
    load_for_task,
    save_step,
    settle,
    snapshot,
    stepping,
)
from .timers import fire_start_timer
from .unit_of_work import UnitOfWork


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
        pv = find_version(uow.session, process_id, version)
        instance_id = create_instance(uow, pv, actor=actor.username, data=data, business_key=business_key,
                                      starter=actor)
        uow.commit()
        return instance_id


def create_instance(uow: UnitOfWork, pv: ProcessVersion, *, actor: str, data: dict[str, Any] | None = None,
                    business_key: str | None = None, trigger: dict[str, Any] | None = None,
                    prepare=None, starter: Actor | None = None) -> str:
    """Create, run and save an instance inside the caller's open unit of work.

    Args:
        trigger: how it was started (schedule, message), recorded in the audit event.
        prepare: called with the workflow once it waits at its start event (e.g. to deliver the
            message of a message start event, or to make a scheduled start timer due).
        starter: the user starting it, who gets its first task they may do.
    """
    s = uow.session
    spec, subs, meta = config(uow).spec_cache.get(pv)
    wf = BpmnWorkflow(spec, subs, script_engine=config(uow).script_engine)
    wf.get_next_task(state=TaskState.READY).data.update(data or {})
    now = uow.now()
    process_id = pv.process_id
    unique_key = business_key if business_key and meta.get("business_key_unique") else None
    if unique_key is not None:
        _check_business_key(uow, pv.process_id, unique_key)
    inst = Instance(id=str(uuid.uuid4()), process_version_id=pv.id, process_id=pv.process_id, status=RUNNING,
                    business_key=business_key, unique_business_key=unique_key, state_json="", data_json="{}",
                    serializer_version=SERIALIZER_VERSION, library_version=LIBRARY_VERSION,
                    started_by=actor, created_at=now, updated_at=now, ended_at=None, next_timer_at=None, version=1,
                    org_id=tenancy.writing_org(s))
    try:
        insert_rows(s, Instance.__table__, [inst])
    except IntegrityError as exc:  # a concurrent start with the same key won the unique index
        raise Conflict(f"业务编号“{unique_key}”的案件刚刚由他人发起 / a case with business key '{unique_key}' of "
                       f"process '{process_id}' was started at the same moment",
                       {"business_key": [unique_key]}) from exc
    uow.audit(instance_chain(inst.id), "instance.started", {
        "process_id": pv.process_id, "version": pv.version, "business_key": business_key, "data": data or {},
        **({"trigger": trigger} if trigger else {}),
    }, actor=actor, instance_id=inst.id)
    loaded = Loaded(inst, pv, meta, wf, ready_rows={}, subscriptions=frozenset())  # a new instance has neither
    error = None
    if prepare is not None:
        try:
            with stepping(uow, loaded.row, actor):
                wf.do_engine_steps()
                prepare(wf)
        except SpiffWorkflowException as exc:
            error = exc
    error = error or settle(uow, loaded, actor)
    save_step(uow, loaded, {}, error=error, starter=starter, acting=actor)
    return inst.id


def _check_business_key(uow: UnitOfWork, process_id: str, key: str) -> None:
    """Raises: Conflict naming the live case of `process_id` that already holds business key `key`."""
    existing = uow.session.execute(
        select(Instance.id, Instance.status, Instance.created_at, Instance.started_by)
        .where(Instance.process_id == process_id, Instance.unique_business_key == key)).first()
    if existing is not None:
        raise Conflict(f"业务编号“{key}”已有案件 {existing.id}（{existing.status}）/ process '{process_id}' already "
                       f"has case {existing.id} with business key '{key}' (started by {existing.started_by})",
                       {"business_key": [key], "existing_instance": [existing.id]})


def start_scheduled(uow: UnitOfWork, schedule, due_at: datetime) -> str:
    """Start the instance for one occurrence of a timer start event's schedule (inside an open uow)."""
    pv = uow.session.get(ProcessVersion, schedule.process_version_id)
    return create_instance(uow, pv, actor="system", trigger={
        "type": "timer", "element_id": schedule.element_id, "schedule_id": schedule.id,
        "due_at": due_at.isoformat()}, prepare=lambda wf: fire_start_timer(wf, schedule.element_id, due_at))


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


def _check_may_complete_now(uow: UnitOfWork, row: HumanTask, status: str, actor: Actor) -> None:
    """Raises: TaskNotReady (the task or its instance), Forbidden (not the actor's to complete)."""
    if row.state != "ready":
        raise TaskNotReady(f"task '{row.name or row.element_id}' is already {row.state}"
                           + (f" by {row.completed_by}" if row.completed_by else ""))
    assignment.check_may_complete(uow, row, actor)
    if status != RUNNING:
        raise TaskNotReady(f"instance is {status}; its tasks cannot be completed now")


def _refuse_before_the_form(reader: UnitOfWork, task_id: str, actor: Actor) -> None:
    """For a body the form refuses: the refusals that come before the form's (404, 409, 403), read without locks.

    Raises:
        NotFound, TaskNotReady, Forbidden.
    """
    pooled = (assignment.in_pool_clause(HumanTask.id) if not actor.is_read_only else literal(False))
    found = reader.session.execute(select(HumanTask, Instance.status, pooled)
                                   .join(Instance, Instance.id == HumanTask.instance_id)
                                   .where(HumanTask.id == task_id), assignment.pool_params(actor)).first()
    if found is None:
        raise NotFound(f"task '{task_id}' does not exist")
    row, status, in_pool = found
    row._dmflow_in_pool = (actor.username, bool(in_pool))
    _check_may_complete_now(reader, row, status, actor)


def _validate_before_lock(uow: UnitOfWork, task_id: str, data: dict[str, Any],
                          actor: Actor) -> tuple[int, str | None] | None:
    """Validate `data` against the task's form outside the write transaction; returns the (process version id,
    form) it was checked against, or None when that is left to the locked step.

    The task's version and form come from the per-process `TaskForms` (filled when this process wrote or read the
    task), else from one read in a read-only transaction of its own (on SQLite a deferred one, which a writer
    holding the lock does not block); the spec's metadata from the spec cache. Left to the step: a transaction
    already open (it may hold the lock, and rows the read would not see), a task of another
    organisation than the current one (answered 404 by the step, not 422) or one not found.

    A body the form refuses is answered as before the lock was shortened: 404, 409 or 403 first when the task
    is unknown, done or not the caller's (read without locks; this costs only refused bodies a read).

    Raises:
        ValidationFailed: the data does not match the form. NotFound, TaskNotReady, Forbidden: see above.
    """
    if uow.in_transaction:
        return None
    cfg = config(uow)
    known = cfg.task_forms.get(task_id)
    entry = cfg.spec_cache.cached(known[0]) if known is not None else None
    if entry is None:
        reader = UnitOfWork(uow.engine, uow.clock, readonly=True, runtime=cfg)
        with reader:
            if known is None:
                found = reader.session.execute(
                    select(Instance.process_version_id, HumanTask.form, HumanTask.org_id)
                    .join(Instance, Instance.id == HumanTask.instance_id).where(HumanTask.id == task_id)).first()
                if found is None:
                    return None
                known = tuple(found)
                cfg.task_forms.put(task_id, *known)
            org = tenancy.current()
            if org is not None and known[2] != org:
                return None
            entry = cfg.spec_cache.by_id(reader.session, known[0])
    version_id, form, task_org = known
    org = tenancy.current()
    if org is not None and task_org != org:
        return None
    try:
        validate_form(entry[2]["forms"].get(form) if form else None, data)
    except ValidationFailed:
        reader = UnitOfWork(uow.engine, uow.clock, readonly=True, runtime=cfg)
        with reader:
            _refuse_before_the_form(reader, task_id, actor)
        raise
    return version_id, form


def complete_task(uow: UnitOfWork, task_id: str, data: dict[str, Any], *, actor: Actor) -> str:
    """Complete a ready human task with form data and run the instance until it waits again.

    Returns:
        The instance id.

    Raises:
        NotFound: unknown task. Forbidden: the task is someone else's (its message names the assignee),
            or the caller is not one of its candidates.
        TaskNotReady: the task was already completed or cancelled, or the instance is not running.
        ValidationFailed: the data does not match the form.

    The body is validated against the task's form before the write lock is taken (on SQLite, ``BEGIN
    IMMEDIATE``), so an invalid body is refused without waiting for or holding it; the lock covers the locked
    read, the checks that need it, the step and its writes.
    """
    checked = _validate_before_lock(uow, task_id, data, actor)
    with uow:
        # One locked read of the task, its instance and the instance's ready task rows: a concurrent completion
        # waits for the lock and then sees this one's commit (and a claim or delegation committed meanwhile).
        loaded, row = load_for_task(uow, task_id, actor)
        _check_may_complete_now(uow, row, loaded.row.status, actor)
        if checked != (loaded.row.process_version_id, row.form):
            validate_form(loaded.meta["forms"].get(row.form) if row.form else None, data)
        if config(uow).task_validator is not None:
            config(uow).task_validator(uow, loaded.row, row.element_id, data, actor)
        wf = loaded.workflow
        task = wf.get_task_from_id(uuid.UUID(task_id))
        if task is None or task.state != TaskState.READY:
            raise TaskNotReady(f"task '{row.element_id}' is not ready in the workflow")
        assignment.claim_on_completion(uow, row, actor)
        before = snapshot(wf)
        add = getattr(task.task_spec, "add_data_from_form", None)
        add(task, data) if add else task.set_data(**data)
        error = None
        try:
            with stepping(uow, loaded.row, actor.username):
                task.run()
        except SpiffWorkflowException as exc:
            error = exc
        uow.audit(instance_chain(loaded.row.id), "task.completed", {
            "task_id": task_id, "element_id": row.element_id, "name": row.name, "lane": row.lane, "data": data,
        }, actor=actor.username, instance_id=loaded.row.id)
        if error is None:
            error = settle(uow, loaded, actor.username)
        save_step(uow, loaded, before, skip={task.id}, completed_by={task_id: actor.username}, error=error,
                  acting=actor.username)
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
        before = snapshot(loaded.workflow)
        loaded.workflow.cancel()
        loaded.row.status, loaded.row.ended_at = TERMINATED, uow.now()
        loaded.row.unique_business_key = None  # a terminated case frees its business key
        uow.audit(instance_chain(instance_id), "instance.terminated", {"reason": reason},
                  actor=actor.username, instance_id=instance_id)
        save_step(uow, loaded, before)
        uow.commit()
