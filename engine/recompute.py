"""Recomputable values: what a step computed (a deadline), kept with how it was computed, moved when that changes.

A script helper or a service-task handler of the layers above calls `note(value, spec)` while a step runs; the
engine keeps the value with its ``spec``, which it never reads. When an input of the computation changes (an admin
enters a year's holidays, an organisation's time zone changes), the layer above calls `recompute(uow, compute)`
with the function that recomputes a value from its spec. Each value that comes out different is replaced in its
running instance, in the same transaction: in the instance's data (an equal string, or the same keys of a dict
holding the old dict's items) and in every waiting timer set to one of its old strings. Each move is audited on the
instance's chain with the old and new value, and the people of a task whose due time moved are notified.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from . import notifications, steps, tenancy
from .audit import canonical_json, instance_chain
from .models import HumanTask, Instance, RecomputableValue
from .unit_of_work import UnitOfWork


def note(value: Any, spec: dict[str, Any]) -> None:
    """Keep `value`, computed by the running step as `spec` says, for a later `recompute` (no step: nothing)."""
    step = steps.step_or_none()
    if step is None or step.instance_id is None:
        return
    value_json, spec_json = canonical_json(value), canonical_json(spec)
    s = step.uow.session
    found = s.scalar(select(RecomputableValue.id).where(RecomputableValue.instance_id == step.instance_id,
                                                        RecomputableValue.value_json == value_json,
                                                        RecomputableValue.spec_json == spec_json).limit(1))
    if found is None:
        now = step.uow.now()
        s.add(RecomputableValue(instance_id=step.instance_id, value_json=value_json, spec_json=spec_json,
                                created_at=now, updated_at=now))


@dataclass(frozen=True)
class Move:
    """One recomputed value that changed: where, from what to what, and from which spec."""

    instance_id: str
    business_key: str | None
    old: Any
    new: Any
    spec: dict[str, Any]
    org_id: int | None = None  # the instance's organisation


def _strings(old: Any, new: Any) -> dict[str, str]:
    """The strings the move replaces: the value itself, or the changed string items of a dict."""
    if isinstance(old, str) and isinstance(new, str):
        return {old: new}
    if isinstance(old, dict) and isinstance(new, dict):
        return {v: new[k] for k, v in old.items() if isinstance(v, str) and isinstance(new.get(k), str)
                and new[k] != v}
    return {}


def _replace(data: Any, old: Any, new: Any) -> Any:
    """`data` with every occurrence of `old` replaced (a dict holding all of old's items gets new's items)."""
    if data == old:
        return new
    if isinstance(data, dict):
        if isinstance(old, dict) and old and all(k in data and data[k] == v for k, v in old.items()):
            return {**data, **new}
        return {k: _replace(v, old, new) for k, v in data.items()}
    if isinstance(data, list):
        return [_replace(v, old, new) for v in data]
    return data


def _retime(wf, strings: dict[str, str]) -> set:
    """Set every waiting timer due at one of the old instants to the new one; the ids of the timers moved."""
    moved = set()
    for task in wf.get_tasks(state=TaskState.WAITING | TaskState.FUTURE | TaskState.LIKELY | TaskState.MAYBE,
                             max_depth=steps.DEEP):
        if not isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition):
            continue
        value = task.internal_data.get("event_value")
        if isinstance(value, str) and value in strings:
            task.internal_data["event_value"] = strings[value]
            moved.add(task.id)
        elif isinstance(value, dict) and value.get("next") in strings:
            task.internal_data["event_value"] = {**value, "next": strings[value["next"]]}
            moved.add(task.id)
    return moved


def recompute(uow: UnitOfWork, compute: Callable[[dict[str, Any], Any], Any], *, actor: str | None,
              reason: dict[str, Any], notify_kind: str = "deadline.moved",
              when: Callable[[datetime], str] = datetime.isoformat,
              orgs: Collection[int] | None = None,
              cause: tuple[str, str] = ("法定节假日安排", "the official holiday calendar")) -> list[Move]:
    """Recompute every kept value of the running instances and move those that changed (caller commits).

    Args:
        compute: (spec, current value) -> the value as it would be computed now (None: leave it); called while
            acting for the instance's organisation (`tenancy.current()`), as is ``when``.
        reason: why (audited with each move, e.g. the calendar day that changed).
        when: how a due time is written in the notice to the people of a task whose due time moved.
        orgs: only the instances of these organisations (None: every organisation's).
        cause: what changed, as the notice names it (Chinese, English): the holiday calendar, a time zone.
    """
    s = uow.session
    with tenancy.unscoped():  # the calendar and the rules change for every organisation's cases
        query = select(RecomputableValue, Instance.org_id) \
            .join(Instance, Instance.id == RecomputableValue.instance_id).where(Instance.status == steps.RUNNING)
        if orgs is not None:
            query = query.where(Instance.org_id.in_(sorted(orgs)))
        found = s.execute(query.order_by(RecomputableValue.id)).all()
    rows, orgs_of = [row for row, _ in found], {row.instance_id: org for row, org in found}
    changed: dict[str, list[tuple[RecomputableValue, Any, Any, dict[str, Any]]]] = {}
    for row in rows:
        spec, old = json.loads(row.spec_json), json.loads(row.value_json)
        with tenancy.acting_for(orgs_of[row.instance_id]):
            new = compute(spec, old)
        if new is not None and canonical_json(new) != row.value_json:
            changed.setdefault(row.instance_id, []).append((row, old, new, spec))
    moves: list[Move] = []
    for instance_id, items in changed.items():
        with tenancy.acting_for(orgs_of[instance_id]):  # its rows, notices and audit events stay its organisation's
            moves += _move(uow, instance_id, items, actor=actor, reason=reason, notify=(notify_kind, when, cause))
    return moves


def _move(uow: UnitOfWork, instance_id: str, items: list, *, actor: str | None, reason: dict[str, Any],
          notify: tuple[str, Callable[[datetime], str], tuple[str, str]]) -> list[Move]:
    loaded = steps.load(uow, instance_id)
    wf = loaded.workflow
    before = steps.snapshot(wf)
    due_before = {h.id: h.due_at for h in uow.session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.state == "ready"))}
    timers, moves = set(), []
    chain = instance_chain(instance_id)
    for row, old, new, spec in items:
        for task in wf.get_tasks(state=TaskState.ANY_MASK, max_depth=steps.DEEP):
            task.data = _replace(task.data, old, new)
        wf.data.update(_replace(dict(wf.data), old, new))
        moved = _retime(wf, _strings(old, new))
        timers |= moved
        row.value_json, row.updated_at = canonical_json(new), uow.now()
        uow.audit(chain, "deadline.recomputed", {"old": old, "new": new, "spec": spec, "reason": reason,
                                                 "timers": len(moved)}, actor=actor, instance_id=instance_id)
        moves.append(Move(instance_id, loaded.row.business_key, old, new, spec, loaded.row.org_id))
    steps.save_step(uow, loaded, before, skip=timers)
    for task in uow.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                            HumanTask.state == "ready")):
        if task.id in due_before and task.due_at != due_before[task.id] and task.due_at is not None:
            _tell(uow, task, due_before[task.id], *notify)
    return moves


def _tell(uow: UnitOfWork, task: HumanTask, old_due: datetime | None, kind: str,
          when: Callable[[datetime], str], cause: tuple[str, str]) -> None:
    recipients = notifications.recipients_of_task(uow, task)
    if not recipients:
        return
    name = task.name or task.element_id
    was = when(old_due) if old_due is not None else "—"
    notifications.notify(uow, recipients, kind, f"办理期限已调整：{name}",
                         f"“{name}”的办理期限随{cause[0]}调整：原为{was}，现为{when(task.due_at)}。"
                         f"(The task's due time moved with {cause[1]}.)",
                         f"/tasks/{task.id}", f"{kind}/{task.id}/{task.due_at.isoformat()}")
