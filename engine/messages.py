"""Delivering BPMN messages and signals to the instances waiting for them, found through subscription rows."""

from __future__ import annotations

import json
from typing import Any

from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition, SignalEventDefinition
from sqlalchemy import func, select

from .audit import SYSTEM_CHAIN, canonical_json, instance_chain
from .deployments import in_force
from .errors import Conflict, NotFound
from .identity import Actor
from .models import Instance, MessageSubscription, ProcessVersion
from .runtime import create_instance
from .steps import RUNNING, load, save_step, settle, snapshot
from .unit_of_work import UnitOfWork


def _event_for(name: str, correlation: dict[str, Any], keys_json: str, data: dict[str, Any]) -> BpmnEvent:
    keys = json.loads(keys_json)
    correlations = {key: {p: correlation[p] for p in props if p in correlation} for key, props in keys.items()}
    # Retrieval expressions of the catching event are evaluated over the payload, so the correlation
    # values travel in it too.
    return BpmnEvent(MessageEventDefinition(name), payload={**data, **correlation},
                     correlations={k: v for k, v in correlations.items() if v})


def _deliver(uow: UnitOfWork, instance_id: str, event: BpmnEvent, audit_payload: dict, actor: str) -> None:
    loaded = load(uow, instance_id)
    if loaded.row.status != RUNNING:
        raise Conflict(f"instance {instance_id} is {loaded.row.status} and accepts no {audit_payload['kind']}s")
    before = snapshot(loaded.workflow)
    try:
        loaded.workflow.send_event(event)
    except WorkflowException as exc:
        raise Conflict(f"instance {instance_id} no longer waits for '{event.event_definition.name}'") from exc
    uow.audit(instance_chain(instance_id), f"{audit_payload['kind']}.received", audit_payload, actor=actor,
              instance_id=instance_id)
    save_step(uow, loaded, before, error=settle(uow, loaded))


def _message_start_versions(uow: UnitOfWork, name: str) -> list[ProcessVersion]:
    """The latest version of each process whose start event catches `name` (cheap: a miss is common)."""
    newest = (select(ProcessVersion.org_id, ProcessVersion.process_id,
                     func.max(ProcessVersion.version).label("version"))
              .group_by(ProcessVersion.org_id, ProcessVersion.process_id).subquery())
    rows = uow.session.execute(
        select(ProcessVersion.id, ProcessVersion.org_id, ProcessVersion.process_id, ProcessVersion.meta_json)
        .join(newest, (ProcessVersion.org_id == newest.c.org_id) & (ProcessVersion.process_id == newest.c.process_id)
              & (ProcessVersion.version == newest.c.version))
        .where(ProcessVersion.meta_json.contains(json.dumps(name, ensure_ascii=False), autoescape=True))).all()
    force = in_force(uow.session, sorted({row.process_id for row in rows}))  # the organisation's own, or inherited
    ids = [row.id for row in rows if force.get(row.process_id) == row.org_id
           and name in json.loads(row.meta_json).get("message_starts", [])]
    return [uow.session.get(ProcessVersion, i) for i in ids]


def send_message(uow: UnitOfWork, name: str, correlation: dict[str, Any], data: dict[str, Any], *,
                 actor: Actor) -> list[str]:
    """Deliver a message to the instance waiting for it with exactly these correlation values.

    When no instance waits, a process whose start event catches the message starts a new instance.

    Returns:
        The ids of the instances that received it.

    Raises:
        NotFound: nobody waits for this message with this correlation. Conflict: the waiting instance is
            suspended or in error.
    """
    with uow:
        delivered = route_message(uow, name, correlation, data, actor=actor.username)
        if not delivered:
            raise NotFound(f"no instance waits for message '{name}' with correlation "
                           f"{canonical_json(correlation)}, and no process starts with it")
        uow.commit()
        return delivered


def route_message(uow: UnitOfWork, name: str, correlation: dict[str, Any], data: dict[str, Any], *,
                  actor: str) -> list[str]:
    """Deliver inside the caller's transaction; an empty list when nobody takes the message."""
    sub = uow.session.scalar(
        select(MessageSubscription).join(Instance, Instance.id == MessageSubscription.instance_id)
        .where(MessageSubscription.kind == "message", MessageSubscription.name == name,
               MessageSubscription.correlation == canonical_json(correlation))
        .order_by(Instance.created_at, Instance.id).limit(1))
    payload = {"kind": "message", "name": name, "correlation": correlation, "data": data}
    if sub is not None:
        _deliver(uow, sub.instance_id, _event_for(name, correlation, sub.keys_json, data), payload, actor)
        return [sub.instance_id]
    started = []
    for pv in _message_start_versions(uow, name):
        event = BpmnEvent(MessageEventDefinition(name), payload={**data, **correlation})
        started.append(create_instance(uow, pv, actor=actor, data={}, trigger=payload,
                                       prepare=lambda wf, e=event: wf.send_event(e)))
    return started


def route_thrown(uow: UnitOfWork, source: Instance, events: list[BpmnEvent]) -> None:
    """Route messages a step threw that its own instance does not catch (runtime's `router` hook)."""
    for event in events:
        definition = event.event_definition
        if not isinstance(definition, MessageEventDefinition):
            continue
        flat: dict[str, Any] = {}
        for values in (event.correlations or {}).values():
            flat.update(values)
        data = {k: v for k, v in (event.payload or {}).items() if k not in flat}
        targets = route_message(uow, definition.name, flat, data, actor=f"instance:{source.id}")
        uow.audit(instance_chain(source.id), "message.thrown", {
            "name": definition.name, "correlation": flat, "delivered_to": targets,
        }, actor=None, instance_id=source.id)


def send_signal(uow_factory, name: str, data: dict[str, Any], *, actor: Actor) -> dict[str, list]:
    """Broadcast a signal to every instance waiting for it, each in its own transaction.

    Returns:
        ``{"delivered": [ids], "skipped": [{"instance_id", "reason"}]}`` (suspended or changed instances).
    """
    uow = uow_factory()
    with uow:
        ids = sorted(set(uow.session.scalars(select(MessageSubscription.instance_id).where(
            MessageSubscription.kind == "signal", MessageSubscription.name == name))))
    delivered, skipped = [], []
    for instance_id in ids:
        uow = uow_factory()
        try:
            with uow:
                event = BpmnEvent(SignalEventDefinition(name), payload=data)
                _deliver(uow, instance_id, event, {"kind": "signal", "name": name, "data": data}, actor.username)
                uow.commit()
            delivered.append(instance_id)
        except Conflict as exc:
            skipped.append({"instance_id": instance_id, "reason": exc.message})
    uow = uow_factory()
    with uow:
        uow.audit(SYSTEM_CHAIN, "signal.broadcast", {"name": name, "data": data, "delivered": delivered,
                                                     "skipped": skipped}, actor=actor.username)
        uow.commit()
    return {"delivered": delivered, "skipped": skipped}
