"""Stored state against history: every instance has a chain, and its status, data and completed tasks agree."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .audit import Collected, Problem, instance_chain
from .models import AuditChain, HumanTask, Instance

_TASK_ID = '"task_id":"'


def state_record(status: str, data_json: str) -> dict[str, str]:
    """What a step's last audit event records of the saved instance: its status and a digest of its data."""
    return {"data_sha256": hashlib.sha256(data_json.encode()).hexdigest(), "status": status}


def _task_id(payload: str) -> str | None:
    at = payload.rfind(_TASK_ID)  # the last key of the sorted payload: any "task_id" in the form data comes before
    if at < 0:
        return None
    end = payload.find('"', at + len(_TASK_ID))
    return payload[at + len(_TASK_ID):end]


def _state_problem(chain: str, row: Any, recorded: tuple[int, str] | None) -> Problem | None:
    if recorded is None:
        return None  # recorded before states were audited: nothing to compare with
    seq, payload = recorded
    state = json.loads(payload).get("state") or {}
    if state.get("status") != row.status:
        return Problem(chain, seq, None, f"instance {row.id} is '{row.status}' but its last recorded state "
                                         f"(event {seq}) is '{state.get('status')}': changed with no event")
    if state.get("data_sha256") != state_record(row.status, row.data_json)["data_sha256"]:
        return Problem(chain, seq, None, f"instance {row.id}'s data differs from the data recorded by event "
                                         f"{seq}: changed with no event")
    return None


def _instances(session: Session, heads: dict[str, int], collected: Collected, bad: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    instance_chains: set[str] = set()
    for row in session.execute(select(Instance.id, Instance.status, Instance.data_json)):
        chain = instance_chain(row.id)
        instance_chains.add(chain)
        if chain in bad:
            continue
        if not heads.get(chain):
            problems.append(Problem(chain, None, None, f"instance {row.id} has no audit history: its chain was "
                                                       "deleted"))
            continue
        problem = _state_problem(chain, row, collected.states.get(chain))
        if problem:
            problems.append(problem)
    for chain in sorted(c for c in heads if c.startswith("instance:") and c not in instance_chains):
        problems.append(Problem(chain, None, None, "the chain's instance no longer exists: it was deleted"))
    return problems


def _tasks(session: Session, collected: Collected, bad: set[str]) -> list[Problem]:
    events: dict[str, tuple[str, int, str]] = {}
    for chain, seq, actor, payload in collected.completions:
        task_id = _task_id(payload)
        if task_id:
            events[task_id] = (chain, seq, actor)
    problems: list[Problem] = []
    query = select(HumanTask.id, HumanTask.instance_id, HumanTask.state, HumanTask.completed_by)
    rows = {r.id: r for r in session.execute(query)}
    for row in rows.values():
        chain = instance_chain(row.instance_id)
        event = events.get(row.id)
        if chain in bad:
            continue
        if event is None:
            if row.completed_by is not None:
                problems.append(Problem(chain, None, None, f"task {row.id} is recorded as completed by "
                                                           f"{row.completed_by}, but no event records that"))
        elif event[2] != row.completed_by:
            problems.append(Problem(chain, event[1], None, f"task {row.id} was completed by {event[2]} (event "
                                                           f"{event[1]}), but its task row says {row.completed_by}"))
    for task_id, (chain, seq, actor) in events.items():
        if task_id not in rows and chain not in bad:
            problems.append(Problem(chain, seq, None, f"task {task_id} completed by {actor} (event {seq}) has no "
                                                      "task row: it was deleted"))
    return problems


def cross_check(session: Session, collected: Collected, bad_chains: Iterable[str] = (), *,
                chains: Iterable[str] | None = None) -> list[Problem]:
    """Compare instances and human tasks with what their chains record (chains already found broken skipped).

    Finds an instance whose chain was deleted (or a chain whose instance was), a status or data changed
    without an event, and a task whose completer differs from the one its `task.completed` event names.
    With ``chains``, only those chains are compared (one organisation's).
    """
    heads = {chain: seq for chain, seq in session.execute(select(AuditChain.chain, AuditChain.last_seq))}
    if chains is not None:
        wanted = set(chains)
        heads = {chain: seq for chain, seq in heads.items() if chain in wanted}
    bad = set(bad_chains)
    return _instances(session, heads, collected, bad) + _tasks(session, collected, bad)
