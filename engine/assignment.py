"""Who acts on a human task: its assignee, its candidates, and the rules for completing, claiming and reading.

A user task may name, as Spiff extension properties edited in the modeler's properties panel,
- ``assignee``: an expression over the task data giving one username (``initiator``, ``proposer_user``);
- ``candidateUsers``: an expression giving usernames (a list, or one comma-separated text);
- ``candidateGroups``: an expression giving groups: role names, or departments as ``department("code")``.
The expressions see the task data plus ``initiator`` (who started the instance) and ``department(code)``.
They are evaluated once, when the task becomes ready, and stored on the derived task row.

Without an assignee the task is pooled: its candidates (named users, members of named groups) may claim it or
complete it (completing claims it). Without named candidates the lane is the candidate group: everyone
holding the lane's role (a task outside any lane: every user who is not only an auditor). An expression that
fails leaves the task with no candidates at all (fail closed): an admin reassigns it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, exists, literal, or_, select

from . import departments
from .audit import instance_chain
from .errors import Forbidden
from .identity import ADMIN, AUDITOR, Actor
from .models import (
    ANYONE,
    DEPT_PREFIX,
    DepartmentMember,
    HumanTask,
    Instance,
    TaskCandidate,
    User,
)
from .unit_of_work import UnitOfWork

ASSIGNEE, CANDIDATE_USERS, CANDIDATE_GROUPS = "assignee", "candidateUsers", "candidateGroups"
PROPERTIES = (ASSIGNEE, CANDIDATE_USERS, CANDIDATE_GROUPS)


def department(code: str) -> str:
    """The candidate group of a department's members (for ``candidateGroups`` expressions)."""
    return f"{DEPT_PREFIX}{code}"


def _names(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, dict):
        value = [value.get("username") or value.get("user")]
    return [str(v).strip() for v in value if v is not None and str(v).strip()]


def resolve(wf_engine: Any, task: Any, props: dict[str, str], initiator: str,
            lookup: Any = None) -> tuple[str | None, list, list]:
    """(assignee, candidate users, candidate groups) of a ready task from its properties.

    Raises:
        Exception: whatever an expression raises (the caller fails closed).
    """
    context = {"initiator": initiator, "department": lookup or department}
    found = {}
    for prop in PROPERTIES:
        source = (props.get(prop) or "").strip()
        found[prop] = wf_engine.evaluate(task, source, external_context=context) if source else None
    assignee = _names(found[ASSIGNEE])
    return (assignee[0] if assignee else None), _names(found[CANDIDATE_USERS]), _names(found[CANDIDATE_GROUPS])


def _department_lookup(uow: UnitOfWork):
    """``department(x)`` for expressions: x is a department's code or its name."""

    def lookup(value: str) -> str:
        text = str(value or "").strip()
        return department(departments.code_of(uow.session, text) or text)

    return lookup


def assign_new(uow: UnitOfWork, row: HumanTask, *, lane: str | None, props: dict[str, str], task: Any,
               wf_engine: Any, initiator: str) -> None:
    """Fill in who may act on a task that just became ready, and audit it (inside the step's transaction)."""
    try:
        assignee, users, groups = resolve(wf_engine, task, props, initiator, _department_lookup(uow))
    except Exception as exc:  # noqa: BLE001  (a designer's expression: any failure is reported, not raised)
        row.assigned_via = "unresolved"
        uow.audit(instance_chain(row.instance_id), "task.assignment_failed", {
            "task_id": row.id, "element_id": row.element_id, "message": f"{type(exc).__name__}: {exc}"},
            actor=None, instance_id=row.instance_id)
        return
    if not users and not groups and not assignee:
        groups = [lane or ANYONE]  # the lane is the pool (a task assigned by the diagram never was pooled)
    named = [("user", u) for u in dict.fromkeys(users)] + [("group", g) for g in dict.fromkeys(groups)]
    row._dmflow_candidates = named  # written with the row by the step; what its notifications read
    if assignee:
        row.assignee, row.assigned_via = assignee, "diagram"
        uow.audit(instance_chain(row.instance_id), "task.assigned", {
            "task_id": row.id, "element_id": row.element_id, "to": assignee, "via": "diagram"},
            actor=None, instance_id=row.instance_id)


def groups_of(uow: UnitOfWork, actor: Actor) -> set[str]:
    """The candidate groups an actor belongs to: their roles, their departments, and ``*``."""
    depts = uow.session.scalars(select(DepartmentMember.department_code)
                                .where(DepartmentMember.username == actor.username))
    found = set(actor.roles) | {department(code) for code in depts}
    if not actor.is_read_only and actor.roles:
        found.add(ANYONE)
    return found


def candidates(uow: UnitOfWork, task_id: str) -> tuple[set[str], set[str]]:
    users, groups = set(), set()
    for kind, name in uow.session.execute(select(TaskCandidate.kind, TaskCandidate.name)
                                          .where(TaskCandidate.task_id == task_id)):
        (users if kind == "user" else groups).add(name)
    return users, groups


def in_pool(uow: UnitOfWork, row: HumanTask, actor: Actor) -> bool:
    """May the actor claim this task (ignoring whether someone holds it now)?"""
    if actor.is_read_only:
        return False
    pooled = getattr(row, "_dmflow_in_pool", None)  # (who, answer), read with the task by steps.load_for_task
    if pooled is not None and pooled[0] == actor.username:
        return pooled[1]
    # An ORM select of a candidate row (not ``SELECT EXISTS``: a select without a FROM costs a compile per call in
    # the tenancy filter, several milliseconds at each instance start).
    found = uow.session.scalar(_IN_POOL, {"pool_task": row.id} | pool_params(actor))
    return found is not None


def _pool_match():
    """SQL over the bound parameters ``pool_user`` and ``pool_groups`` (expanding; see `pool_params`)."""
    depts = select(literal(DEPT_PREFIX) + DepartmentMember.department_code).where(
        DepartmentMember.username == bindparam("pool_user"))
    return or_((TaskCandidate.kind == "user") & (TaskCandidate.name == bindparam("pool_user")),
               (TaskCandidate.kind == "group") & or_(TaskCandidate.name.in_(bindparam("pool_groups", expanding=True)),
                                                     TaskCandidate.name.in_(depts)))


def pool_params(actor: Actor) -> dict[str, Any]:
    """The values of `in_pool_clause`'s bound parameters for an actor: their name and their roles (with ``*``)."""
    return {"pool_user": actor.username, "pool_groups": sorted(_static_groups(actor))}


def in_pool_clause(task_id):
    """SQL: a candidate row of the task names the actor, one of their roles or `*`, or one of their departments
    (`task_id` a value or a column; one query instead of reading the candidates and the departments). The
    actor is bound at execution: pass `pool_params(actor)` with the statement's parameters, so that the
    statement can be built once and its compiled form cached."""
    return exists().where(TaskCandidate.task_id == task_id, _pool_match())


_IN_POOL = (select(TaskCandidate.id).where(TaskCandidate.task_id == bindparam("pool_task"), _pool_match())
            .limit(1))


def may_complete(uow: UnitOfWork, row: HumanTask, actor: Actor) -> bool:
    if actor.is_read_only:
        return False
    if row.assignee:
        return row.assignee == actor.username
    return in_pool(uow, row, actor)


def check_may_complete(uow: UnitOfWork, row: HumanTask, actor: Actor) -> None:
    """Raises: Forbidden naming the assignee (or the candidates) when the actor may not complete the task."""
    if may_complete(uow, row, actor):
        return
    what = row.name or row.element_id
    if row.assignee and row.assignee != actor.username:
        raise Forbidden(f"task '{what}' is assigned to {display_name(uow, row.assignee)} ({row.assignee}); "
                        "only they may complete it", {"assignee": [row.assignee]})
    if actor.is_read_only:
        raise Forbidden("auditors cannot complete tasks")
    if row.lane and not users_named(uow, row) and row.lane not in actor.roles:
        raise Forbidden(f"task '{what}' belongs to role '{row.lane}', which you do not hold")
    raise Forbidden(f"task '{what}' is not yours: you are neither its assignee nor one of its candidates")


def users_named(uow: UnitOfWork, row: HumanTask) -> bool:
    """Does the task name its candidates (users or groups other than its lane)?"""
    users, groups = candidates(uow, row.id)
    return bool(users) or bool(groups - {row.lane or ANYONE})


def may_read(uow: UnitOfWork, row: HumanTask, actor: Actor) -> bool:
    """A task's data: its assignee (and who delegated it), its candidates while it is pooled, the case's
    participants, admins and auditors."""
    if actor.has(ADMIN, AUDITOR) or actor.username in (row.assignee, row.owner, row.completed_by):
        return True
    if not row.assignee and row.state == "ready" and in_pool(uow, row, actor):
        return True
    return is_participant(uow, row.instance_id, actor.username)


def is_participant(uow: UnitOfWork, instance_id: str, username: str) -> bool:
    """Started the case, or completed one of its tasks."""
    started = select(Instance.id).where(Instance.id == instance_id, Instance.started_by == username)
    acted = select(HumanTask.id).where(HumanTask.instance_id == instance_id, HumanTask.completed_by == username)
    return bool(uow.session.scalar(select(exists(started) | exists(acted))))


def pool_condition(uow: UnitOfWork, actor: Actor):
    """SQL: the task has a candidate matching the actor (by name or group)."""
    groups = sorted(groups_of(uow, actor))
    match = or_((TaskCandidate.kind == "user") & (TaskCandidate.name == actor.username),
                (TaskCandidate.kind == "group") & TaskCandidate.name.in_(groups))
    return exists(select(TaskCandidate.id).where(TaskCandidate.task_id == HumanTask.id, match))


def display_name(uow: UnitOfWork, username: str) -> str:
    return uow.session.scalar(select(User.display_name).where(User.username == username)) or username


def display_names(uow: UnitOfWork, usernames: Iterable[str]) -> dict[str, str]:
    wanted = sorted({u for u in usernames if u})
    if not wanted:
        return {}
    found = {u: n for u, n in uow.session.execute(select(User.username, User.display_name)
                                                  .where(User.username.in_(wanted)))}
    return {u: found.get(u) or u for u in wanted}


def waits_on(uow: UnitOfWork, row: HumanTask) -> dict[str, Any]:
    """Who the task waits on, for lists: the assignee, or the candidate users and groups."""
    if row.assignee:
        return {"assignee": row.assignee, "users": [], "groups": []}
    users, groups = candidates(uow, row.id)
    return {"assignee": None, "users": sorted(users), "groups": sorted(groups)}


def set_assignee(uow: UnitOfWork, row: HumanTask, event: str, to: str | None, via: str | None, actor: Actor,
         **extra: Any) -> None:
    before = row.assignee
    row.assignee, row.assigned_via = to, via
    uow.audit(instance_chain(row.instance_id), event, {"task_id": row.id, "element_id": row.element_id,
                                                       "from": before, "to": to, **extra},
              actor=actor.username, instance_id=row.instance_id)


def claim_on_completion(uow: UnitOfWork, row: HumanTask, actor: Actor) -> None:
    """Completing a pooled task claims it first (audited), so the trail shows who took it."""
    if row.assignee != actor.username:
        set_assignee(uow, row, "task.claimed", actor.username, "claimed", actor, on_completion=True)


def assign_to_starter(uow: UnitOfWork, rows: list[HumanTask], actor: Actor) -> None:
    """By default the first task of a new instance that its starter may do is the starter's.

    ``rows`` are the task rows the instance's first step created, with the candidates `assign_new` gave them
    (read from the rows, not the database: the step has not flushed them).
    """
    for row in sorted(rows, key=lambda r: (r.created_at, r.id)):
        if row.assignee is not None or row.assigned_via == "unresolved" or actor.is_read_only:
            continue
        named = getattr(row, "_dmflow_candidates", None) or []
        users = {name for kind, name in named if kind == "user"}
        groups = {name for kind, name in named if kind == "group"}
        if users or not groups <= {row.lane or ANYONE} or not _holds_groups(uow, actor, groups):
            continue
        set_assignee(uow, row, "task.assigned", actor.username, "starter", actor)
        row._dmflow_candidates = []  # never pooled: no candidate rows are written
        return


def _holds_groups(uow: UnitOfWork, actor: Actor, groups: set[str]) -> bool:
    """Is the actor in one of these candidate groups (a role they hold, ``*``, or a department of theirs)? Their
    departments are read only when a role does not settle it."""
    if groups & _static_groups(actor):
        return True
    return any(g.startswith(DEPT_PREFIX) for g in groups) and bool(groups & groups_of(uow, actor))


def _static_groups(actor: Actor) -> set[str]:
    """The candidate groups an actor is in by their roles alone: the roles, and ``*`` for anyone with a role."""
    return set(actor.roles) | ({ANYONE} if actor.roles else set())
