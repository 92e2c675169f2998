"""Read-only views of instances, tasks, incidents and history for lists and detail pages."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import load_only

from . import assignment, paging
from .audit import history as audit_history
from .errors import Forbidden, NotFound
from .identity import ADMIN, AUDITOR, Actor
from .inbox import task_view
from .models import HumanTask, Incident, Instance, ProcessVersion, TaskCandidate, TimerSchedule
from .steps import ERROR, load
from .timers import describe
from .unit_of_work import UnitOfWork


def _instance_view(inst: Instance, pv: ProcessVersion) -> dict[str, Any]:
    return {"id": inst.id, "process_id": inst.process_id, "version": pv.version, "status": inst.status,
            "business_key": inst.business_key, "started_by": inst.started_by, "created_at": inst.created_at,
            "updated_at": inst.updated_at, "ended_at": inst.ended_at, "next_timer_at": inst.next_timer_at}


def _involved(uow: UnitOfWork, actor: Actor):
    """The SQL condition on instances an actor may read (None: every instance).

    Admins and auditors read every case; anyone else the cases they started or acted in, and those with a
    task that is, or was, theirs or in their pool (assigned to them, naming them, or one of their groups).
    """
    if actor.has(ADMIN, AUDITOR):
        return None
    # Correlated EXISTS (probed through human_tasks.instance_id per instance), not IN (a set built from every
    # task the actor ever touched): a list page then reads the instances in its order and stops after one page.
    acted = exists().where(HumanTask.instance_id == Instance.id, or_(HumanTask.completed_by == actor.username,
                                                                     HumanTask.assignee == actor.username,
                                                                     HumanTask.owner == actor.username))
    groups = sorted(assignment.groups_of(uow, actor))
    # Nested, so that the candidates are probed by task id: joined, SQLite drives from the candidates of the
    # actor's groups (every pooled task of the role) for each instance.
    pooled = exists().where(HumanTask.instance_id == Instance.id, exists().where(
        TaskCandidate.task_id == HumanTask.id,
        or_((TaskCandidate.kind == "user") & (TaskCandidate.name == actor.username),
            (TaskCandidate.kind == "group") & TaskCandidate.name.in_(groups))))
    return or_(Instance.started_by == actor.username, acted, pooled)


def _check_readable(uow: UnitOfWork, actor: Actor | None, instance_id: str) -> Instance:
    inst = uow.session.get(Instance, instance_id)
    if inst is None:
        raise NotFound(f"instance '{instance_id}' does not exist")
    condition = _involved(uow, actor) if actor is not None else None
    if condition is not None and uow.session.scalar(
            select(func.count()).select_from(Instance).where(Instance.id == instance_id, condition)) == 0:
        raise Forbidden("you are not involved in this case: only its participants, the roles of its diagram, "
                        "admins and auditors may read it")
    return inst


def _step_view(uow: UnitOfWork, step) -> dict[str, Any]:
    """The instance as the step just saved it in this transaction, from the step's own objects (no re-read)."""
    inst = step.row
    incidents = [] if inst.status != ERROR else uow.session.scalars(
        select(Incident).where(Incident.instance_id == inst.id, Incident.status == "open"))
    return _instance_view(inst, step.version) | {
        "data": json.loads(inst.data_json or "{}"),
        "ready_tasks": [task_view(t) for t in sorted(step.ready_rows.values(), key=lambda t: t.created_at)],
        "incidents": [incident_view(i) for i in incidents],
    }


def get_instance(uow: UnitOfWork, instance_id: str, actor: Actor | None = None) -> dict[str, Any]:
    """An instance with its current data, ready tasks and open incidents.

    Args:
        actor: when given, the caller must be involved (see `list_instances`).

    Raises:
        NotFound. Forbidden: the actor is not involved in the case.
    """
    with uow:
        step = uow.last_step
        if actor is None and step is not None and step.row.id == instance_id and step.ready_rows is not None:
            return _step_view(uow, step)
        s = uow.session
        inst = _check_readable(uow, actor, instance_id)
        pv = s.get(ProcessVersion, inst.process_version_id)
        tasks = s.scalars(select(HumanTask).where(HumanTask.instance_id == inst.id, HumanTask.state == "ready")
                          .order_by(HumanTask.created_at))
        incidents = s.scalars(select(Incident).where(Incident.instance_id == inst.id, Incident.status == "open"))
        return _instance_view(inst, pv) | {
            "data": json.loads(inst.data_json or "{}"),
            "ready_tasks": [task_view(t) for t in tasks],
            "incidents": [incident_view(i) for i in incidents],
        }


def incident_view(i: Incident) -> dict[str, Any]:
    return {"id": i.id, "instance_id": i.instance_id, "task_id": i.task_id, "element_id": i.element_id,
            "message": i.message, "status": i.status, "created_at": i.created_at, "resolved_at": i.resolved_at}


def list_instances(uow: UnitOfWork, *, process_id: str | None = None, status: str | None = None,
                   business_key: str | None = None, page: int = 1, per_page: int = 50,
                   actor: Actor | None = None, after: str | None = None) -> dict[str, Any]:
    """A page of instances, newest first, with the total (counted up to `paging.COUNT_CAP`) and the cursor of
    the next page (``next``; pass it as `after`, which then replaces `page`: a keyset page costs the same at
    any depth).

    With `actor`, only the cases they may read: admins and auditors every case; others the cases they
    started or acted in, and those of diagrams with a lane of one of their roles (or a task outside lanes).

    Raises:
        ValidationFailed: `after` is not a cursor of this list.
    """
    with uow:
        s = uow.session
        # Lists never need the workflow state or data: only the columns a list shows are loaded.
        query = select(Instance, ProcessVersion).join(ProcessVersion).options(
            load_only(Instance.id, Instance.process_id, Instance.status, Instance.business_key, Instance.started_by,
                      Instance.created_at, Instance.updated_at, Instance.ended_at, Instance.next_timer_at),
            load_only(ProcessVersion.version))
        counted = select(Instance.id)  # the count needs neither the join nor the columns
        condition = _involved(uow, actor) if actor is not None else None
        if condition is not None:
            query, counted = query.where(condition), counted.where(condition)
        for column, value in ((Instance.process_id, process_id), (Instance.status, status),
                              (Instance.business_key, business_key)):
            if value is not None:
                query, counted = query.where(column == value), counted.where(column == value)
        total = paging.bounded_total(s, counted)
        query = query.order_by(Instance.created_at.desc(), Instance.id)
        if after:
            query = query.where(paging.after(Instance.created_at, Instance.id, after, newest_first=True))
        else:
            query = query.offset((page - 1) * per_page)
        rows, following = paging.page_of(s.execute(query.limit(per_page + 1)).all(), per_page,
                                          lambda row: (row[0].created_at, row[0].id))
        return paging.listing([_instance_view(i, pv) for i, pv in rows], total, page, per_page, following)


def get_task(uow: UnitOfWork, task_id: str, actor: Actor) -> dict[str, Any]:
    """A task with its form schema, UI schema, instructions, the data it shows, and who may act on it.

    Raises:
        NotFound: unknown task. Forbidden: the task is neither the actor's, nor in their pool, nor of a case
            they took part in (admins and auditors read every task).
    """
    with uow:
        h = uow.session.get(HumanTask, task_id)
        if h is None:
            raise NotFound(f"task '{task_id}' does not exist")
        if not assignment.may_read(uow, h, actor):
            holder = f"assigned to {assignment.display_name(uow, h.assignee)}" if h.assignee else "not in your pool"
            raise Forbidden(f"task '{h.name or h.element_id}' is {holder}: only its assignee, its candidates, "
                            "the case's participants, admins and auditors may read it")
        loaded = load(uow, h.instance_id, lock=False)
        meta = loaded.meta["user_tasks"].get(h.element_id, {})
        task = loaded.workflow.get_task_from_id(uuid.UUID(task_id))
        ready = h.state == "ready"
        return task_view(h) | {
            "form_schema": loaded.meta["forms"].get(h.form) if h.form else None,
            "ui_schema": loaded.meta["forms"].get(meta.get("ui_form")) if meta.get("ui_form") else None,
            "documentation": meta.get("documentation"), "instructions": meta.get("instructions"),
            "data": dict(task.data) if task is not None else {}, "version": loaded.version.version,
            "process_name": loaded.version.name or h.process_id,
            "assignee_name": assignment.display_name(uow, h.assignee) if h.assignee else None,
            "waits_on": assignment.waits_on(uow, h),
            "may_complete": ready and assignment.may_complete(uow, h, actor),
            "may_claim": ready and not h.assignee and assignment.in_pool(uow, h, actor),
        }


def instance_history(uow: UnitOfWork, instance_id: str, actor: Actor | None = None) -> list[dict[str, Any]]:
    """Every audit event of one instance, oldest first. Raises: NotFound, Forbidden (as `get_instance`)."""
    with uow:
        _check_readable(uow, actor, instance_id)
        return [{"seq": e.seq, "type": e.event_type, "actor": e.actor, "occurred_at": e.occurred_at,
                 "payload": json.loads(e.payload), "hash": e.hash, "prev_hash": e.prev_hash}
                for e in audit_history(uow.session, instance_id)]


def list_schedules(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Timer start event schedules, next due first."""
    with uow:
        return [describe(r) for r in uow.session.scalars(select(TimerSchedule).order_by(
            TimerSchedule.active.desc(), TimerSchedule.next_due_at))]
