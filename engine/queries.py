"""Read-only views of instances, tasks, incidents and history for lists and detail pages."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import load_only

from .audit import history as audit_history
from .errors import Forbidden, NotFound
from .identity import ADMIN, AUDITOR, Actor
from .models import HumanTask, Incident, Instance, ProcessVersion, TimerSchedule
from .steps import load
from .timers import describe
from .unit_of_work import UnitOfWork


def _task_view(h: HumanTask) -> dict[str, Any]:
    return {"id": h.id, "instance_id": h.instance_id, "process_id": h.process_id, "element_id": h.element_id,
            "name": h.name, "lane": h.lane, "form": h.form, "state": h.state, "created_at": h.created_at,
            "due_at": h.due_at, "ended_at": h.ended_at, "completed_by": h.completed_by}


def _instance_view(inst: Instance, pv: ProcessVersion) -> dict[str, Any]:
    return {"id": inst.id, "process_id": inst.process_id, "version": pv.version, "status": inst.status,
            "business_key": inst.business_key, "started_by": inst.started_by, "created_at": inst.created_at,
            "updated_at": inst.updated_at, "ended_at": inst.ended_at, "next_timer_at": inst.next_timer_at}


def _readable_versions(uow: UnitOfWork, actor: Actor) -> set[int]:
    """Versions whose diagram has a lane of one of the actor's roles, or a human task outside any lane."""
    found = set()
    for version_id, meta_json in uow.session.execute(select(ProcessVersion.id, ProcessVersion.meta_json)):
        lanes = {t["lane"] for t in json.loads(meta_json)["user_tasks"].values()}
        if lanes & actor.roles or (None in lanes and actor.may_act_in_lane(None)):
            found.add(version_id)
    return found


def _involved(uow: UnitOfWork, actor: Actor):
    """The SQL condition on instances an actor may read (None: every instance)."""
    if actor.has(ADMIN, AUDITOR):
        return None
    acted = select(HumanTask.instance_id).where(HumanTask.completed_by == actor.username)
    return or_(Instance.started_by == actor.username, Instance.id.in_(acted),
               Instance.process_version_id.in_(sorted(_readable_versions(uow, actor))))


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


def get_instance(uow: UnitOfWork, instance_id: str, actor: Actor | None = None) -> dict[str, Any]:
    """An instance with its current data, ready tasks and open incidents.

    Args:
        actor: when given, the caller must be involved (see `list_instances`).

    Raises:
        NotFound. Forbidden: the actor is not involved in the case.
    """
    with uow:
        s = uow.session
        inst = _check_readable(uow, actor, instance_id)
        pv = s.get(ProcessVersion, inst.process_version_id)
        tasks = s.scalars(select(HumanTask).where(HumanTask.instance_id == inst.id, HumanTask.state == "ready")
                          .order_by(HumanTask.created_at))
        incidents = s.scalars(select(Incident).where(Incident.instance_id == inst.id, Incident.status == "open"))
        return _instance_view(inst, pv) | {
            "data": json.loads(inst.data_json or "{}"),
            "ready_tasks": [_task_view(t) for t in tasks],
            "incidents": [incident_view(i) for i in incidents],
        }


def incident_view(i: Incident) -> dict[str, Any]:
    return {"id": i.id, "instance_id": i.instance_id, "task_id": i.task_id, "element_id": i.element_id,
            "message": i.message, "status": i.status, "created_at": i.created_at, "resolved_at": i.resolved_at}


def list_instances(uow: UnitOfWork, *, process_id: str | None = None, status: str | None = None,
                   business_key: str | None = None, page: int = 1, per_page: int = 50,
                   actor: Actor | None = None) -> dict[str, Any]:
    """A page of instances, newest first, with the total count.

    With `actor`, only the cases they may read: admins and auditors every case; others the cases they
    started or acted in, and those of diagrams with a lane of one of their roles (or a task outside lanes).
    """
    with uow:
        s = uow.session
        # Lists never need the workflow state or data: only the columns a list shows are loaded.
        query = select(Instance, ProcessVersion).join(ProcessVersion).options(
            load_only(Instance.id, Instance.process_id, Instance.status, Instance.business_key, Instance.started_by,
                      Instance.created_at, Instance.updated_at, Instance.ended_at, Instance.next_timer_at),
            load_only(ProcessVersion.version))
        condition = _involved(uow, actor) if actor is not None else None
        if condition is not None:
            query = query.where(condition)
        for column, value in ((Instance.process_id, process_id), (Instance.status, status),
                              (Instance.business_key, business_key)):
            if value is not None:
                query = query.where(column == value)
        total = s.scalar(select(func.count()).select_from(query.subquery()))
        rows = s.execute(query.order_by(Instance.created_at.desc(), Instance.id)
                         .offset((page - 1) * per_page).limit(per_page))
        return {"items": [_instance_view(i, pv) for i, pv in rows], "total": total, "page": page,
                "per_page": per_page}


def list_tasks(uow: UnitOfWork, actor: Actor, *, all_tasks: bool = False,
               instance_id: str | None = None) -> list[dict[str, Any]]:
    """Ready human tasks the actor may complete (or all of them, for admins and auditors).

    Raises:
        Forbidden: `all_tasks` asked by someone who is neither admin nor auditor.
    """
    if all_tasks and not actor.has(ADMIN, AUDITOR):
        raise Forbidden("only admins and auditors may list every task")
    with uow:
        query = select(HumanTask).where(HumanTask.state == "ready")
        if instance_id:
            query = query.where(HumanTask.instance_id == instance_id)
        if not all_tasks:
            lanes = HumanTask.lane.in_(sorted(actor.roles))
            query = query.where(lanes | HumanTask.lane.is_(None)) if actor.may_act_in_lane(None) else \
                query.where(lanes)
        return [_task_view(t) for t in uow.session.scalars(query.order_by(HumanTask.created_at, HumanTask.id))]


def get_task(uow: UnitOfWork, task_id: str, actor: Actor) -> dict[str, Any]:
    """A task with its form schema, UI schema, instructions and the data it shows.

    Raises:
        NotFound: unknown task. Forbidden: the actor may neither complete nor audit it.
    """
    with uow:
        h = uow.session.get(HumanTask, task_id)
        if h is None:
            raise NotFound(f"task '{task_id}' does not exist")
        if not (actor.may_act_in_lane(h.lane) or actor.has(ADMIN, AUDITOR)):
            raise Forbidden(f"task '{h.name or h.element_id}' belongs to role '{h.lane}'")
        loaded = load(uow, h.instance_id, lock=False)
        meta = loaded.meta["user_tasks"].get(h.element_id, {})
        task = loaded.workflow.get_task_from_id(uuid.UUID(task_id))
        return _task_view(h) | {
            "form_schema": loaded.meta["forms"].get(h.form) if h.form else None,
            "ui_schema": loaded.meta["forms"].get(meta.get("ui_form")) if meta.get("ui_form") else None,
            "documentation": meta.get("documentation"), "instructions": meta.get("instructions"),
            "data": dict(task.data) if task is not None else {}, "version": loaded.version.version,
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
