"""The task lists: mine (assigned to me), my groups (pooled tasks I may claim), and all (admins, auditors).

Each row carries what a person needs to pick a task: the case's title and business key, the step, who it
waits on (display names), and when it is due. Lists page like the rest of the API and filter by process,
due time and text over the case title and business key; they read only indexed columns and one page of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, false, literal_column, or_, select

from . import assignment, paging, task_search
from .errors import Forbidden, ValidationFailed
from .identity import ADMIN, AUDITOR, Actor
from .models import HumanTask, Instance, TaskCandidate
from .unit_of_work import UnitOfWork

SCOPES = ("mine", "groups", "open", "all")


@dataclass(frozen=True)
class TaskFilter:
    """What a task list shows. ``scope``: mine, groups, open (mine and groups) or all (admins, auditors)."""

    scope: str = "open"
    process_id: str | None = None
    instance_id: str | None = None
    due_from: datetime | None = None
    due_before: datetime | None = None
    text: str | None = None
    page: int = 1
    per_page: int = 50
    after: str | None = None  # a cursor (the `next` of the previous page); replaces `page`


def task_view(h: HumanTask) -> dict[str, Any]:
    return {"id": h.id, "instance_id": h.instance_id, "process_id": h.process_id, "element_id": h.element_id,
            "name": h.name, "lane": h.lane, "form": h.form, "state": h.state, "created_at": h.created_at,
            "due_at": h.due_at, "ended_at": h.ended_at, "completed_by": h.completed_by,
            "assignee": h.assignee, "owner": h.owner, "case_title": h.case_title}


def _scoped(uow: UnitOfWork, query, actor: Actor, scope: str, assignee=HumanTask.assignee):
    if scope not in SCOPES:
        raise ValidationFailed(f"unknown scope '{scope}'", {"scope": [f"one of {', '.join(SCOPES)}"]})
    if scope == "all":
        if not actor.has(ADMIN, AUDITOR):
            raise Forbidden("only admins and auditors may list every task")
        return query
    mine = assignee == actor.username
    pooled = assignee.is_(None) & assignment.pool_condition(uow, actor)
    if actor.is_read_only:
        return query.where(false())
    return query.where({"mine": mine, "groups": pooled, "open": or_(mine, pooled)}[scope])


def _filtered(query, f: TaskFilter, text_clause):
    if f.process_id:
        query = query.where(HumanTask.process_id == f.process_id)
    if f.instance_id:
        query = query.where(HumanTask.instance_id == f.instance_id)
    if f.due_from is not None:
        query = query.where(HumanTask.due_at >= f.due_from)
    if f.due_before is not None:
        query = query.where(HumanTask.due_at < f.due_before)
    if text_clause is not None:
        query = query.where(text_clause)
    return query


def list_tasks(uow: UnitOfWork, actor: Actor, f: TaskFilter | None = None) -> dict[str, Any]:
    """A page of ready tasks, oldest first, with the total (counted up to `paging.COUNT_CAP`), who each waits
    on, and the cursor of the next page (``next``, for `TaskFilter.after`).

    Raises:
        Forbidden: scope ``all`` for someone who is neither admin nor auditor. ValidationFailed: unknown scope,
            or `after` is not a cursor of this list.
    """
    f = f or TaskFilter()
    with uow:
        s = uow.session
        text_clause, probing, truncated = task_search.condition(s, f.text) if f.text else (None, False, False)
        # Probing a short list of matching ids by key (SQLite): the state and assignee conditions are written so
        # that no index serves them (a unary +), or SQLite walks every ready row in list order instead.
        state, assignee = ((literal_column("+human_tasks.state", String), literal_column("+human_tasks.assignee",
                                                                                          String))
                           if probing else (HumanTask.state, HumanTask.assignee))
        query = select(HumanTask, Instance.business_key).join(Instance, Instance.id == HumanTask.instance_id) \
            .where(state == "ready")
        query = _filtered(_scoped(uow, query, actor, f.scope, assignee), f, text_clause)
        total = paging.bounded_total(s, query.with_only_columns(HumanTask.id))
        if truncated:  # a search shorter than a trigram read its first matches only: the total is a lower bound
            total = (total[0], True)
        query = query.order_by(HumanTask.created_at, HumanTask.id)
        if f.after:
            query = query.where(paging.after(HumanTask.created_at, HumanTask.id, f.after, newest_first=False))
        else:
            query = query.offset((f.page - 1) * f.per_page)
        rows, following = paging.page_of(s.execute(query.limit(f.per_page + 1)).all(), f.per_page,
                                          lambda row: (row[0].created_at, row[0].id))
        items = [task_view(h) | {"business_key": key} for h, key in rows]
        _add_waits_on(uow, items)
        return paging.listing(items, total, f.page, f.per_page, following)


def _add_waits_on(uow: UnitOfWork, items: list[dict[str, Any]]) -> None:
    """Who each listed task waits on: the assignee's display name, or its candidate users and groups."""
    pooled = [i["id"] for i in items if not i["assignee"]]
    candidates: dict[str, dict[str, list[str]]] = {}
    if pooled:
        for task_id, kind, name in uow.session.execute(
                select(TaskCandidate.task_id, TaskCandidate.kind, TaskCandidate.name)
                .where(TaskCandidate.task_id.in_(pooled)).order_by(TaskCandidate.id)):
            candidates.setdefault(task_id, {"users": [], "groups": []})["users" if kind == "user" else "groups"] \
                .append(name)
    names = assignment.display_names(uow, [i["assignee"] for i in items]
                                     + [u for c in candidates.values() for u in c["users"]])
    for item in items:
        found = candidates.get(item["id"], {"users": [], "groups": []})
        item["assignee_name"] = names.get(item["assignee"]) if item["assignee"] else None
        item["candidate_users"] = [{"username": u, "name": names.get(u, u)} for u in found["users"]]
        item["candidate_groups"] = found["groups"]
