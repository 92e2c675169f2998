"""Reminders of ready human tasks with a due time: "due tomorrow" once, "overdue" once a day.

A user task may name a supervising role with the Spiff extension property ``escalationRole``; that role is
told too once the task is overdue. The scan is idempotent by notification key, so several workers or a
restarted worker never remind twice for the same task and day.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, literal, select

from . import tenancy
from .clock import as_utc
from .models import HumanTask, Instance, ProcessVersion
from .notification_tables import NotificationKey
from .notifications import Role, notify, recipients_of_task, settings_of
from .unit_of_work import UnitOfWork
from .zones import zone_name, zone_of

ESCALATION_PROPERTY = "escalationRole"
SOON = timedelta(days=1)


def _not_emitted(prefix: str, suffix: str = ""):
    key = literal(prefix) + HumanTask.id + literal(suffix) if suffix else literal(prefix) + HumanTask.id
    return ~exists().where(NotificationKey.key == key)


def escalation_role(uow: UnitOfWork, task: HumanTask) -> str | None:
    """The role a user task names in its ``escalationRole`` property, read from the cached spec."""
    runtime = getattr(uow, "runtime", None)
    if runtime is None:
        return None
    pv_id = uow.session.scalar(select(Instance.process_version_id).where(Instance.id == task.instance_id))
    spec, subs, _ = runtime.spec_cache.get(uow.session.get(ProcessVersion, pv_id))
    for process in (spec, *subs.values()):
        for task_spec in process.task_specs.values():
            if getattr(task_spec, "bpmn_id", None) == task.element_id:
                props = (getattr(task_spec, "extensions", None) or {}).get("properties", {}) or {}
                return props.get(ESCALATION_PROPERTY) or None
    return None


def _local_due(uow: UnitOfWork, task: HumanTask) -> str:
    """The due time in the task's organisation's zone, e.g. ``2026-03-03 09:00（北京时间）``."""
    zone = zone_of(uow.session.get_bind(), task.org_id, settings_of(uow).timezone)  # the task's organisation's
    return f"{as_utc(task.due_at).astimezone(ZoneInfo(zone)).strftime('%Y-%m-%d %H:%M')}（{zone_name(zone)}）"


def scan(uow: UnitOfWork, *, limit: int = 200) -> int:
    """Remind the recipients of ready tasks due within a day or overdue; returns how many tasks were reminded."""
    with uow:
        now = uow.now()
        day = now.date().isoformat()
        base = select(HumanTask).where(HumanTask.state == "ready", HumanTask.due_at.is_not(None))
        soon = base.where(HumanTask.due_at > now, HumanTask.due_at <= now + SOON,
                          _not_emitted("task.due_soon/")).limit(limit)
        late = base.where(HumanTask.due_at <= now, _not_emitted("task.overdue/", f"/{day}")).limit(limit)
        count = 0
        for task in uow.session.scalars(soon).all():
            name = task.name or task.element_id
            with tenancy.acting_for(task.org_id):  # its organisation's people, its organisation's notices
                notify(uow, recipients_of_task(uow, task), "task.due_soon", f"即将到期：{name}",
                       f"“{name}”将于 {_local_due(uow, task)} 到期。(Due within a day.)", f"/tasks/{task.id}",
                       f"task.due_soon/{task.id}")
            count += 1
        for task in uow.session.scalars(late).all():
            name = task.name or task.element_id
            with tenancy.acting_for(task.org_id):
                recipients = recipients_of_task(uow, task)
                supervisor = escalation_role(uow, task)
                if supervisor:
                    recipients.append(Role(supervisor))
                notify(uow, recipients, "task.overdue", f"已逾期：{name}",
                       f"“{name}”已于 {_local_due(uow, task)} 到期，尚未办理。(Overdue.)", f"/tasks/{task.id}",
                       f"task.overdue/{task.id}/{day}")
            count += 1
        uow.commit()
        return count
