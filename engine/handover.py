"""Handing a task over: claim (认领), give back, delegate (转办) and admin reassignment.

Each locks the instance row (so it serialises with a completion) and is audited in the instance's chain with the
actor, from and to; the new assignee of a delegated or reassigned task is notified."""

from __future__ import annotations

from sqlalchemy import select

from . import notifications
from .assignment import candidates, display_name, in_pool, set_assignee
from .errors import Conflict, Forbidden, NotFound, ValidationFailed
from .identity import ADMIN, Actor
from .models import HumanTask, Instance, User, UserRole
from .unit_of_work import UnitOfWork


def _locked_task(uow: UnitOfWork, task_id: str) -> HumanTask:
    row = uow.session.get(HumanTask, task_id, populate_existing=True)
    if row is None:
        raise NotFound(f"task '{task_id}' does not exist")
    uow.session.scalar(select(Instance.id).where(Instance.id == row.instance_id).with_for_update())
    row = uow.session.get(HumanTask, task_id, populate_existing=True)
    if row.state != "ready":
        raise Conflict(f"task '{row.name or row.element_id}' is already {row.state}")
    return row


def claim(uow: UnitOfWork, task_id: str, *, actor: Actor) -> None:
    """Take a pooled task. Raises: NotFound; Conflict (held by someone, or done); Forbidden (not a candidate)."""
    with uow:
        row = _locked_task(uow, task_id)
        if row.assignee == actor.username:
            return
        if row.assignee:
            raise Conflict(f"task is already held by {display_name(uow, row.assignee)} ({row.assignee})",
                           {"assignee": [row.assignee]})
        if not in_pool(uow, row, actor):
            raise Forbidden("you are not one of this task's candidates")
        set_assignee(uow, row, "task.claimed", actor.username, "claimed", actor)
        uow.commit()


def unclaim(uow: UnitOfWork, task_id: str, *, actor: Actor) -> None:
    """Give a claimed task back to its pool. Raises: Forbidden (not yours, or assigned by the diagram)."""
    with uow:
        row = _locked_task(uow, task_id)
        if row.assignee != actor.username and not actor.has(ADMIN):
            raise Forbidden("only the one who claimed a task may give it back")
        if row.assigned_via != "claimed":
            raise Conflict("this task was assigned, not claimed: delegate it instead of giving it back")
        set_assignee(uow, row, "task.unclaimed", None, None, actor)
        uow.commit()


def _may_do(uow: UnitOfWork, row: HumanTask, username: str) -> Actor:
    user = uow.session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None:
        raise ValidationFailed(f"no active user '{username}'", {"to": [f"no active user '{username}'"]})
    roles = frozenset(uow.session.scalars(select(UserRole.role).where(UserRole.user_id == user.id)))
    target = Actor(username, roles, user.id, user.org_id)
    lane_ok = target.may_act_in_lane(row.lane)
    if not (lane_ok or in_pool(uow, row, target)):
        raise ValidationFailed(f"{user.display_name or username} may not do this task: it needs the role "
                               f"'{row.lane}' or to be one of its candidates", {"to": ["may not do this task"]})
    return target


def delegate(uow: UnitOfWork, task_id: str, to: str, *, actor: Actor) -> None:
    """转办: the holder (or a candidate of a pooled task) hands it to another user who may do it."""
    with uow:
        row = _locked_task(uow, task_id)
        holder = row.assignee
        if holder and holder != actor.username:
            raise Forbidden(f"only {display_name(uow, holder)} ({holder}), who holds this task, may delegate it")
        if not holder and not in_pool(uow, row, actor):
            raise Forbidden("you are not one of this task's candidates")
        _may_do(uow, row, to)
        row.owner = row.owner or actor.username
        set_assignee(uow, row, "task.delegated", to, "delegated", actor, owner=row.owner)
        notifications.task_assigned(uow, row, by=actor.username)
        uow.commit()


def reassign(uow: UnitOfWork, task_id: str, to: str | None, *, actor: Actor, reason: str = "") -> None:
    """An admin gives a task to another user who may do it (or back to its pool with ``to=None``)."""
    if not actor.has(ADMIN):
        raise Forbidden("only admins may reassign tasks")
    with uow:
        row = _locked_task(uow, task_id)
        if to is not None:
            _may_do(uow, row, to)
        elif not any(candidates(uow, row.id)):
            raise ValidationFailed("this task has no candidates to go back to: name the user to give it to",
                                   {"to": ["required"]})
        set_assignee(uow, row, "task.reassigned", to, "reassigned" if to else None, actor, reason=reason)
        if to and to != actor.username:
            notifications.task_assigned(uow, row, by=actor.username)
        uow.commit()
