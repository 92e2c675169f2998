"""The hooks procedures plug into the engine: service-task handlers and task validators (a leaf module).

A diagram names a handler with ``spiffworkflow:serviceTaskOperator id="area.action"``; the handler gets
the operator's parameters and the task data, and may use ``engine.steps.current_step()`` for the open
unit of work (to write records and audit events that commit with the step) and the instance id.
Its return value becomes the task's ``resultVariable``.

Each procedure's ``handlers`` module registers its own; ``workflows.catalog.handlers()`` imports them all.
This module imports no procedure, so handlers can import it without a cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.steps import current_step
from workflows.rules import Rules

Handler = Callable[[dict[str, Any], dict[str, Any]], Any]
Validator = Callable[[Any, dict[str, Any], Any], None]
Listener = Callable[[Any, Any, dict[str, Any]], None]
HANDLERS: dict[str, Handler] = {}
_VALIDATORS: dict[tuple[str, str], Validator] = {}
_LISTENERS: dict[tuple[str, str, str], Listener] = {}
_CASE_VALIDATORS: dict[tuple[str, str], Callable] = {}


def service(name: str) -> Callable[[Handler], Handler]:
    """Register a handler under an operator name (``area.action``)."""

    def register(fn: Handler) -> Handler:
        if name in HANDLERS and HANDLERS[name] is not fn:
            raise ValueError(f"service '{name}' is registered twice")
        HANDLERS[name] = fn
        return fn

    return register


def validator(process_id: str, element_id: str) -> Callable[[Validator], Validator]:
    """Register a check run before a human task completes: ``fn(uow, data, actor)`` raises a DmflowError."""

    def register(fn: Validator) -> Validator:
        _VALIDATORS[(process_id, element_id)] = fn
        return fn

    return register


def case_validator(process_id: str, element_id: str) -> Callable[[Callable], Callable]:
    """Register a check that needs its case: ``fn(uow, instance_id, data, actor)`` raises a DmflowError."""

    def register(fn: Callable) -> Callable:
        _CASE_VALIDATORS[(process_id, element_id)] = fn
        return fn

    return register


def validate_task(uow, instance, element_id: str, data: dict[str, Any], actor) -> None:
    """The engine's `task_validator` hook: run the check registered for this process and task, if any."""
    check = _VALIDATORS.get((instance.process_id, element_id))
    if check is not None:
        check(uow, data, actor)
    case_check = _CASE_VALIDATORS.get((instance.process_id, element_id))
    if case_check is not None:
        case_check(uow, instance.id, data, actor)


ContractTextCheck = Callable[[Any, int, list[dict[str, Any]], Any], None]
_CONTRACT_TEXT_CHECKS: list[ContractTextCheck] = []


def contract_text_check(fn: ContractTextCheck) -> ContractTextCheck:
    """Register ``fn(session, org_id, clauses, today)``, run when both sides are about to agree an enterprise's
    collective contract text; it raises a DmflowError to refuse the text (e.g. below a regional contract's floor,
    registered by ``workflows.federation``)."""
    if fn not in _CONTRACT_TEXT_CHECKS:
        _CONTRACT_TEXT_CHECKS.append(fn)
    return fn


def check_contract_text(session, org_id: int, clauses: list[dict[str, Any]], today) -> None:
    for check in _CONTRACT_TEXT_CHECKS:
        check(session, org_id, clauses, today)


def on_task(process_id: str, element_id: str, event: str) -> Callable[[Listener], Listener]:
    """Register ``fn(uow, task_row, task_data)`` run in the step's transaction when a human task is completed
    (``event="completed"``), e.g. to notify someone of what the task produced."""

    def register(fn: Listener) -> Listener:
        _LISTENERS[(process_id, element_id, event)] = fn
        return fn

    return register


def task_event(uow, event: str, row, data: dict[str, Any]) -> None:
    """The engine's `task_listener` hook: run the listener registered for this task and event, if any."""
    listener = _LISTENERS.get((row.process_id, row.element_id, event))
    if listener is not None:
        listener(uow, row, data)


def rules_of(uow) -> Any:
    """The statutory rules in force for the app this unit of work belongs to (defaults without an app)."""
    context = getattr(uow.runtime, "context", None) or {}
    return context.get("rules") or Rules()


@service("time.now")
@service("congress.stamp_time")
def now(params: dict[str, Any], data: dict[str, Any]) -> str:
    """The engine clock's current time (ISO 8601, UTC), for diagrams whose deadlines start 'now'."""
    return current_step().uow.now().isoformat()
