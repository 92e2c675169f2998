"""Completing a casework diagram's stage task from a domain service (never through the generic task API).

The stage tasks carry only a decision; the case's personal data stays in its record. So the task API, which
would accept data into the instance, refuses them; the casework services complete them after their own checks.
"""

from __future__ import annotations

import contextvars
from typing import Any

from sqlalchemy import select

from engine import runtime
from engine.errors import Conflict, Forbidden
from engine.identity import Actor
from engine.models import HumanTask
from engine.unit_of_work import UnitOfWork

_via_service: contextvars.ContextVar[bool] = contextvars.ContextVar("casework_service_path", default=False)


def guard(uow, data: dict[str, Any], actor: Actor) -> None:
    """Validator of every casework stage task. Raises: Forbidden when completed through the task API."""
    if not _via_service.get():
        raise Forbidden("a casework case is handled through /api/v1/casework/..., not the task API")


def complete(uow: UnitOfWork, instance_id: str | None, element_id: str, data: dict[str, Any], actor: Actor, *,
             case: str, state: str, stage: str) -> None:
    """Complete the ready task ``element_id`` of ``instance_id`` inside the caller's transaction.

    Raises:
        Conflict: the case does not wait at that stage (naming ``case``, its ``state`` and the ``stage``).
    """
    task = uow.session.scalar(select(HumanTask).where(
        HumanTask.instance_id == instance_id, HumanTask.element_id == element_id, HumanTask.state == "ready"))
    if task is None:
        raise Conflict(f"{case} is {state}; it does not wait for '{stage}'")
    token = _via_service.set(True)
    try:
        runtime.complete_task(uow, task.id, data, actor=actor)
    finally:
        _via_service.reset(token)
