"""Operating on instances: suspend, resume, patch data, and incidents (list, retry)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from .audit import instance_chain
from .consistency import state_record
from .errors import Conflict, NotFound, ValidationFailed
from .identity import Actor
from .models import Incident
from .queries import incident_view
from .steps import ERROR, RUNNING, SUSPENDED, current_data, load, save_step, settle, snapshot, stepping
from .unit_of_work import UnitOfWork


def suspend(uow: UnitOfWork, instance_id: str, *, actor: Actor, reason: str = "") -> None:
    """Stop an instance from accepting task completions, messages and timers until resumed.

    Raises:
        NotFound, Conflict: the instance is not running.
    """
    with uow:
        loaded = load(uow, instance_id)
        if loaded.row.status != RUNNING:
            raise Conflict(f"only a running instance can be suspended; this one is {loaded.row.status}")
        loaded.row.status, loaded.row.next_timer_at = SUSPENDED, None
        uow.audit(instance_chain(instance_id), "instance.suspended", {
            "reason": reason, "state": state_record(SUSPENDED, loaded.row.data_json)},
            actor=actor.username, instance_id=instance_id)
        uow.commit()


def resume(uow: UnitOfWork, instance_id: str, *, actor: Actor) -> None:
    """Let a suspended instance run again; timers that fell due meanwhile fire now.

    Raises:
        NotFound, Conflict: the instance is not suspended.
    """
    with uow:
        loaded = load(uow, instance_id)
        if loaded.row.status != SUSPENDED:
            raise Conflict(f"only a suspended instance can be resumed; this one is {loaded.row.status}")
        loaded.row.status = RUNNING
        uow.audit(instance_chain(instance_id), "instance.resumed", {}, actor=actor.username,
                  instance_id=instance_id)
        before = snapshot(loaded.workflow)
        save_step(uow, loaded, before, error=settle(uow, loaded))
        uow.commit()


def patch_data(uow: UnitOfWork, instance_id: str, changes: dict[str, Any], *, actor: Actor) -> dict[str, Any]:
    """Change variables of an instance (to fix the data behind an incident); old and new values are audited.

    The change applies to every unfinished task's data and to the task that failed, so that a retry
    and every later step see it. A value of None removes the variable.

    Returns:
        The instance's data after the change.

    Raises:
        NotFound, Conflict: the instance has ended. ValidationFailed: no changes given.
    """
    if not changes:
        raise ValidationFailed("give at least one variable to change", {"data": ["empty"]})
    with uow:
        loaded = load(uow, instance_id)
        if loaded.row.status not in (RUNNING, ERROR, SUSPENDED):
            raise Conflict(f"the data of a {loaded.row.status} instance cannot change")
        wf = loaded.workflow
        old = current_data(wf)
        targets = wf.get_tasks(state=TaskState.NOT_FINISHED_MASK | TaskState.ERROR, max_depth=10**6)
        if wf.last_task is not None:
            targets.append(wf.last_task)
        for task in targets:
            for key, value in changes.items():
                if value is None:
                    task.data.pop(key, None)
                else:
                    task.data[key] = value
        uow.audit(instance_chain(instance_id), "instance.data_patched", {
            "old": {k: old.get(k) for k in changes}, "new": changes}, actor=actor.username,
            instance_id=instance_id)
        save_step(uow, loaded, snapshot(wf))
        uow.commit()
        return json.loads(loaded.row.data_json)


def list_incidents(uow: UnitOfWork, *, status: str | None = "open", instance_id: str | None = None) -> list[dict]:
    with uow:
        query = select(Incident).order_by(Incident.created_at.desc(), Incident.id.desc())
        if status:
            query = query.where(Incident.status == status)
        if instance_id:
            query = query.where(Incident.instance_id == instance_id)
        return [incident_view(i) for i in uow.session.scalars(query)]


def retry(uow: UnitOfWork, incident_id: int, *, actor: Actor) -> dict[str, Any]:
    """Run the failed element again (after the data or the deployment was fixed).

    Returns:
        The incident as it stands after the retry (resolved, or still open with a new one raised).

    Raises:
        NotFound, Conflict: the incident is already resolved or its instance is not in error.
    """
    with uow:
        incident = uow.session.get(Incident, incident_id)
        if incident is None:
            raise NotFound(f"incident {incident_id} does not exist")
        if incident.status != "open":
            raise Conflict(f"incident {incident_id} is already {incident.status}")
        loaded = load(uow, incident.instance_id)
        if loaded.row.status != ERROR:
            raise Conflict(f"instance is {loaded.row.status}, not in error")
        wf = loaded.workflow
        before = snapshot(wf)
        error = None
        try:
            with stepping(uow, loaded.row):
                if incident.task_id and uuid.UUID(incident.task_id) in wf.tasks:
                    task = wf.get_task_from_id(uuid.UUID(incident.task_id))
                    if task.state == TaskState.ERROR:
                        task._set_state(TaskState.READY)
        except SpiffWorkflowException as exc:
            error = exc
        incident.status, incident.resolved_at, incident.resolved_by = "resolved", uow.now(), actor.username
        loaded.row.status = RUNNING
        uow.audit(instance_chain(loaded.row.id), "incident.retried", {"incident_id": incident.id},
                  actor=actor.username, instance_id=loaded.row.id)
        save_step(uow, loaded, before, error=error or settle(uow, loaded))
        uow.commit()
        return incident_view(incident)
