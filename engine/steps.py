"""One engine step: load an instance, settle its engine work, and save it with derived rows and audit events."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, delete, insert, literal, or_, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from . import assignment, notifications, tenancy
from .audit import canonical_json, instance_chain
from .consistency import state_record
from .errors import STALE, Conflict, NotFound
from .models import AuditChain, HumanTask, Incident, Instance, MessageSubscription, TaskCandidate
from .serialization import SpecCache, VersionInfo, dump_instance, load_instance
from .timers import install_clock_hook, using_clock
from .unit_of_work import UnitOfWork

RUNNING, COMPLETED, TERMINATED, ERROR, SUSPENDED = "running", "completed", "terminated", "error", "suspended"
DEEP = 10**6  # iterate the whole tree: the library's default max_depth of 1000 hides deep tasks
_TIMER_TYPES = {"DurationTimerEventDefinition", "TimeDateEventDefinition", "CycleTimerEventDefinition"}


class TaskForms:
    """Which process version and form each human task has, per process (LRU-bounded): a task row never changes
    them, so an entry never goes stale. Filled when the engine writes or lock-reads a task row; lets a completion
    validate its body before it takes the write lock (`runtime.complete_task`)."""

    def __init__(self, size: int = 20_000):
        self._size = size
        self._items: OrderedDict[str, tuple[int, str | None, int | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, task_id: str) -> tuple[int, str | None, int | None] | None:
        """(process version id, form name, organisation id) of a task, or None if this process has not seen it."""
        with self._lock:
            return self._items.get(task_id)

    def put(self, task_id: str, version_id: int, form: str | None, org_id: int | None) -> None:
        with self._lock:
            self._items[task_id] = (version_id, form, org_id)
            self._items.move_to_end(task_id)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


@dataclass
class RuntimeConfig:
    """Per-process engine settings handed to the services (never read from the environment here)."""

    script_engine: Any
    spec_cache: SpecCache = field(default_factory=SpecCache)
    task_forms: TaskForms = field(default_factory=TaskForms)
    max_tree_depth: int = 800
    max_engine_rounds: int = 200
    # Called with (uow, instance, events) for messages a step throws that its own instance does not catch.
    router: Any = None
    # Called with (uow, instance, element_id, data, actor) before a human task completes; raises a DmflowError
    # (e.g. ValidationFailed -> 422) for rules a JSON schema cannot express (a co-signer must be seated).
    task_validator: Any = None
    # Opaque settings of the layers above for their handlers and validators (rules, calendar, ...).
    context: dict[str, Any] = field(default_factory=dict)
    # Called with (uow, "completed", human task row, task data) in the step's transaction after a human task
    # completes (the layers above notify people of what it produced).
    task_listener: Any = None
    # Channels and delivery policy of notifications (engine.notifications.NotificationSettings); None: in-app only.
    notifications: Any = None
    # Who runs deferred jobs (engine.jobs): "background" (a thread of this process, after the commit), "inline"
    # (after the commit, before the caller goes on) or "worker" (only `dmflow worker`).
    deferred_jobs: str = "background"

    def __post_init__(self) -> None:
        install_clock_hook()


@dataclass
class Loaded:
    row: Instance
    version: VersionInfo
    meta: dict[str, Any]
    workflow: BpmnWorkflow
    # The instance's ready task rows as read with it (None: not read; save_step queries them), and after
    # save_step the rows ready after the step; the message subscriptions its saved state implies (None: unknown).
    ready_rows: dict[str, HumanTask] | None = None
    subscriptions: frozenset | None = None


def config(uow: UnitOfWork) -> RuntimeConfig:
    config = getattr(uow, "runtime", None)
    if config is None:
        raise RuntimeError("the unit of work has no runtime configuration")
    return config


def _timer_mark(task) -> str | None:
    if not isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition):
        return None
    return json.dumps(task.internal_data.get("event_value"), sort_keys=True, default=str)


def _task_tables(wf: BpmnWorkflow) -> list[dict]:
    """The id -> task tables of the workflow and of each of its subprocesses."""
    return [wf.tasks, *(sp.tasks for sp in wf.subprocesses.values())]


def snapshot(wf: BpmnWorkflow) -> dict[uuid.UUID, tuple[TaskState, str | None]]:
    """Each task's state (and a timer's due value) before a step, to audit exactly what the step changed.

    Read from the workflow's task tables, not by walking the tree: they hold every task the walk reaches (a
    task leaves them when it leaves the tree), and an entry the walk would not reach is never looked up.
    """
    return {t.id: (t._state, _timer_mark(t)) for table in _task_tables(wf) for t in table.values()}


@dataclass(frozen=True)
class StepContext:
    """What a service-task handler may use while the engine runs a step: the open unit of work and the instance."""

    uow: UnitOfWork
    instance_id: str
    process_id: str
    actor: str | None = None  # the user whose action runs this step; None for timers and the engine


_current_step: contextvars.ContextVar[StepContext | None] = contextvars.ContextVar("dmflow_step", default=None)


def current_step() -> StepContext:
    """The step being run (for service-task handlers that write records in the step's transaction).

    Raises:
        RuntimeError: called outside an engine step.
    """
    step = _current_step.get()
    if step is None:
        raise RuntimeError("no engine step is running")
    return step


def step_or_none() -> StepContext | None:
    """The step being run, or None outside one (a script evaluated at deployment, a page's preview)."""
    return _current_step.get()


@contextlib.contextmanager
def stepping(uow: UnitOfWork, inst: Instance, actor: str | None = None) -> Iterator[None]:
    """Run engine code for `inst`: SpiffWorkflow reads the engine's clock, handlers see the step."""
    token = _current_step.set(StepContext(uow, inst.id, inst.process_id, actor))
    try:
        with using_clock(uow.clock):
            yield
    finally:
        _current_step.reset(token)


def settle(uow: UnitOfWork, loaded: Loaded, actor: str | None = None) -> Exception | None:
    """Run engine tasks (gateways, scripts, events) until only human or waiting work is left."""
    cfg = config(uow)
    try:
        with stepping(uow, loaded.row, actor):
            return _settle_loop(loaded.workflow, cfg)
    except SpiffWorkflowException as exc:
        return exc


def _settle_loop(wf: BpmnWorkflow, cfg: RuntimeConfig) -> Exception | None:
    # do_engine_steps refreshes timers only at its end, so a timer firing there leaves ready engine work.
    wf.refresh_timers()
    for _ in range(cfg.max_engine_rounds):
        wf.do_engine_steps()
        if not _ready_engine_work(wf):
            return None
    return RuntimeError(f"engine work did not settle after {cfg.max_engine_rounds} rounds")


def _element_of(exc: Exception) -> tuple[str | None, str | None]:
    task = getattr(exc, "task", None)
    if task is None:
        return None, None
    return str(task.id), getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name


def _error_message(exc: Exception) -> str:
    parts = [str(exc).strip() or type(exc).__name__]
    parts += [n for n in getattr(exc, "__notes__", []) if n not in parts[0]]
    line = getattr(exc, "line_number", None)
    if isinstance(line, int) and line > 0:
        parts.append(f"(第 {line} 行 / line {line}: {str(getattr(exc, 'error_line', '')).strip()!r})")
    return " ".join(parts)


def _ready_engine_work(wf: BpmnWorkflow) -> bool:
    """Whether ``wf.get_next_task(state=READY, manual=False, max_depth=DEEP)`` finds a task. The task tables hold
    every task that walk can reach, so when they hold no ready engine task it finds none; when they do (there is
    work for another round), the library's own walk decides."""
    ready = TaskState.READY
    if not any(t._state == ready and not t.task_spec.manual for table in _task_tables(wf) for t in table.values()):
        return False
    return wf.get_next_task(state=ready, manual=False, max_depth=DEEP) is not None


def _all_tasks(wf: BpmnWorkflow) -> tuple[list, int]:
    """Every task of the workflow and its subprocesses in the order of ``wf.get_tasks(state=ANY_MASK,
    max_depth=DEEP)`` (depth first: a task, then the tree of the subprocess it runs, then its children), and the
    depth of the deepest one (each subprocess tree counted on its own), in one walk without the library's
    iterator (which costs several times more per task)."""
    subprocesses = wf.subprocesses
    tasks, deepest = [], 0
    stack = [(wf.task_tree, 1)]
    push, pop, visit = stack.append, stack.pop, tasks.append
    while stack:
        task, depth = pop()
        visit(task)
        if depth > deepest:
            deepest = depth
        children = task._children
        if children:
            table = task.workflow.tasks
            below = depth + 1
            for child in reversed(children):
                push((table[child], below))
        sub = subprocesses.get(task.id)
        if sub is not None:
            push((sub.task_tree, 1))
    return tasks, deepest


def is_finished(wf: BpmnWorkflow, tasks: list | None = None) -> bool:
    """True when no task is left to do (checked over the whole tree: the library's own check stops at depth 1000)."""
    if tasks is None:
        return wf.get_next_task(state=TaskState.NOT_FINISHED_MASK, max_depth=DEEP) is None
    return not any(task.state & TaskState.NOT_FINISHED_MASK for task in tasks)


def _audit_transitions(tasks: list, before: dict, skip: set) -> list[tuple[str, dict[str, Any]]]:
    """One event per task whose state changed in this step (internal tasks without a BPMN id excluded)."""
    events: list[tuple[str, dict[str, Any]]] = []
    waiting = TaskState.WAITING
    for task in tasks:
        old_state, old_mark = before.get(task.id, (None, None))
        if old_state == task._state and (old_mark is None or old_state != waiting):
            continue  # unchanged (the common case, so it is decided first)
        if task.id in skip or task.task_spec.bpmn_id is None:
            continue
        spec = task.task_spec
        if old_state == task.state:
            # A cycle timer fires without leaving WAITING: its next due time moves on instead.
            if task.state == TaskState.WAITING and old_mark is not None and old_mark != _timer_mark(task):
                events.append(("timer.fired", {"task_id": str(task.id), "element_id": spec.bpmn_id,
                                               "name": spec.bpmn_name, "type": "cycle"}))
            continue
        kind = {TaskState.READY: "task.ready", TaskState.COMPLETED: "task.completed",
                TaskState.WAITING: "task.waiting", TaskState.CANCELLED: "task.cancelled",
                TaskState.ERROR: "task.error", TaskState.STARTED: "task.started"}.get(task.state)
        if kind is None or (kind == "task.ready" and not spec.manual):
            continue
        if kind == "task.completed" and isinstance(getattr(spec, "event_definition", None), TimerEventDefinition):
            kind = "timer.fired"
        payload = {"task_id": str(task.id), "element_id": spec.bpmn_id, "name": spec.bpmn_name,
                   "type": spec.__class__.__name__}
        if spec.manual or kind in ("task.ready", "task.waiting"):
            payload["lane"] = spec.lane
        events.append((kind, payload))
    return events


def _next_timer(wf: BpmnWorkflow) -> datetime | None:
    # An exhausted cycle reports its internal dict instead of a next due time: nothing more is due.
    due = [datetime.fromisoformat(e.value) for e in wf.waiting_events()
           if e.event_type in _TIMER_TYPES and isinstance(e.value, str)]
    return min(due).astimezone(UTC) if due else None


def current_data(wf: BpmnWorkflow, finished: bool | None = None) -> dict[str, Any]:
    if is_finished(wf) if finished is None else finished:
        return dict(wf.data)
    task = wf.last_task or wf.get_next_task(state=TaskState.READY, max_depth=DEEP)
    return dict(task.data) if task is not None else {}


def _due_at(task) -> datetime | None:
    """When a ready task is due: its earliest interrupting boundary timer (a deadline), else its next reminder."""
    parent = task.parent
    if parent is None or type(parent.task_spec).__name__ != "BoundaryEventSplit":
        return None
    deadlines, reminders = [], []
    for sibling in parent.children:
        if sibling is task or sibling.state != TaskState.WAITING:
            continue
        if not isinstance(getattr(sibling.task_spec, "event_definition", None), TimerEventDefinition):
            continue
        value = sibling.internal_data.get("event_value")
        value = value.get("next") if isinstance(value, dict) and value.get("cycles") else value
        if isinstance(value, str):
            (deadlines if sibling.task_spec.cancel_activity else reminders).append(datetime.fromisoformat(value))
    due = deadlines or reminders
    return min(due).astimezone(UTC) if due else None


def _find_task(wf: BpmnWorkflow, task_id: str):
    try:
        return wf.get_task_from_id(uuid.UUID(task_id))
    except Exception:  # the library raises its own not-found error; a removed task counts as cancelled
        return None


_HT = HumanTask.__table__
_TASK_CHANGES = ("state", "due_at", "ended_at", "completed_by", "assignee", "owner", "assigned_via")
# The step's writes of task rows: Core statements built once (their compiled forms cached), not ORM flushes.
_UPDATE_TASK = (update(_HT).where(_HT.c.id == bindparam("b_id"), _HT.c.org_id == bindparam("b_org"))
                .values({c: bindparam(f"b_{c}") for c in _TASK_CHANGES}))


def _write_task_changes(s, changes: list[tuple[HumanTask, dict[str, Any]]]) -> None:
    """Write what the step changed on task rows it read (one executemany), and show it on the objects without
    marking them modified (the flush at the commit has nothing to do for them)."""
    if not changes:
        return
    params = [{"b_id": row.id, "b_org": row.org_id} | {f"b_{c}": values.get(c, getattr(row, c)) for c in _TASK_CHANGES}
              for row, values in changes]
    s.connection().execute(_UPDATE_TASK, params)  # rows of the instance the step holds locked
    for (row, _), written in zip(changes, params, strict=True):
        for column in _TASK_CHANGES:
            set_committed_value(row, column, written[f"b_{column}"])


def insert_rows(s, table, objects: list, extra: list[tuple[Any, list[dict[str, Any]]]] = ()) -> None:
    """Insert new objects' rows with Core (one statement, built once per table) and make the objects the
    session's own, persistent and clean: no flush writes them again. Every column must be set on the objects
    (unset ones would read as expired). `extra`: (table, rows) inserted after them (rows referring to them).

    Raises:
        IntegrityError: a unique key is taken (the caller answers it).
    """
    connection = s.connection()  # Core, not the ORM's execute: the rows carry their organisation already
    connection.execute(_inserts(table), [{c.key: getattr(o, c.key) for c in table.columns} for o in objects])
    for other, rows in extra:
        if rows:
            connection.execute(_inserts(other), rows)
    for obj in objects:
        make_transient_to_detached(obj)
        s.add(obj)


@functools.cache
def _inserts(table):
    return insert(table)


def _insert_tasks(uow: UnitOfWork, rows: list[HumanTask]) -> None:
    """Insert new task rows and their candidates."""
    org = tenancy.writing_org(uow.session)
    for row in rows:
        row.org_id = org
    candidates = [{"task_id": row.id, "kind": kind, "name": name, "org_id": org}
                  for row in rows for kind, name in getattr(row, "_dmflow_candidates", None) or []]
    insert_rows(uow.session, _HT, rows, [(TaskCandidate.__table__, candidates)])


def _sync_human_tasks(uow: UnitOfWork, loaded: Loaded, completed_by: dict[str, str], tasks: list,
                      starter: Any = None, acting: str | None = None) -> None:
    s, inst, wf = uow.session, loaded.row, loaded.workflow
    ready = {str(t.id): t for t in tasks if t.state == TaskState.READY and t.task_spec.manual}
    existing = loaded.ready_rows
    if existing is None:
        with s.no_autoflush:
            existing = {h.id: h for h in s.scalars(select(HumanTask).where(HumanTask.instance_id == inst.id,
                                                                           HumanTask.state == "ready"))}
    now = uow.now()
    changes = []
    for tid, row in existing.items():
        if tid in ready:
            due = _due_at(ready[tid])
            if due is not None and row.due_at != due:  # a deadline that fired stays the due time: it is overdue
                changes.append((row, {"due_at": due}))
            continue
        task = _find_task(wf, tid)
        state = "completed" if task is not None and task.state == TaskState.COMPLETED else "cancelled"
        changes.append((row, {"state": state, "ended_at": now, "completed_by": completed_by.get(tid)}))
    _write_task_changes(s, changes)
    listener = config(uow).task_listener
    if listener is not None:
        for row, _ in changes:
            if row.state == "completed":
                listener(uow, "completed", row, dict(_find_task(wf, row.id).data))
    tasks_meta = loaded.meta["user_tasks"]
    new = []
    for tid, task in ready.items():
        if tid in existing:
            continue
        spec = task.task_spec
        row = HumanTask(id=tid, instance_id=inst.id, process_id=inst.process_id, element_id=spec.bpmn_id,
                        name=spec.bpmn_name, lane=spec.lane, form=tasks_meta.get(spec.bpmn_id, {}).get("form"),
                        state="ready", created_at=now, due_at=_due_at(task), ended_at=None, completed_by=None,
                        assignee=None, owner=None, assigned_via=None, case_title=_case_title(task.data))
        new.append((row, task))
    for row, task in new:
        assignment.assign_new(uow, row, lane=row.lane, task=task, wf_engine=wf.script_engine,
                              props=tasks_meta.get(row.element_id, {}).get("assignment") or {},
                              initiator=inst.started_by)
    if new and starter is not None:
        assignment.assign_to_starter(uow, [row for row, _ in new], starter)
    if new:
        _insert_tasks(uow, [row for row, _ in new])
        forms = config(uow).task_forms
        for row, _ in new:
            forms.put(row.id, inst.process_version_id, row.form, row.org_id)
    for row, _ in new:
        notifications.task_ready(uow, row, skip=acting)
    loaded.ready_rows = {tid: row for tid, row in existing.items() if tid in ready} | {r.id: r for r, _ in new}


def _case_title(data: dict[str, Any]) -> str | None:
    """What a task list shows as the case's title: the data's ``title`` (or ``subject``), if it has one."""
    for key in ("title", "subject", "case_title"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:300]
    return None


def _flat_correlation(pending, correlations: dict[str, dict[str, Any]]) -> tuple[dict[str, Any],
                                                                                    dict[str, list[str]]]:
    flat: dict[str, Any] = {}
    keys: dict[str, list[str]] = {}
    for prop in pending.value or []:
        for key in prop.correlation_keys:
            keys.setdefault(key, []).append(prop.name)
            if prop.name in correlations.get(key, {}):
                flat[prop.name] = correlations[key][prop.name]
    return flat, keys


def subscription_rows(status: str, wf: BpmnWorkflow) -> frozenset:
    """(kind, name, correlation, keys) of the messages and signals an instance in this state waits for."""
    if status in (COMPLETED, TERMINATED):
        return frozenset()
    seen = set()
    for pending in wf.waiting_events():
        if pending.event_type == "MessageEventDefinition":
            # each wait's own workflow's correlations: a wait inside a subprocess keeps them there
            flat, keys = _flat_correlation(pending, pending.correlations or {})
            row = ("message", pending.name, canonical_json(flat), canonical_json(keys))
        elif pending.event_type == "SignalEventDefinition":
            row = ("signal", pending.name, "{}", "{}")
        else:
            continue
        seen.add(row)
    return frozenset(seen)


def _sync_subscriptions(uow: UnitOfWork, loaded: Loaded, status: str) -> None:
    """Rewrite the rows that route incoming messages and signals to this instance, when the step changed them."""
    inst = loaded.row
    rows = subscription_rows(status, loaded.workflow)
    if rows == loaded.subscriptions:
        return
    table = MessageSubscription.__table__
    if loaded.subscriptions != frozenset():  # a new instance has none to delete
        uow.session.execute(delete(table).where(table.c.instance_id == inst.id))
    if rows:
        uow.session.execute(insert(table), [{"instance_id": inst.id, "kind": k, "name": n, "correlation": c,
                                             "keys_json": j} for k, n, c, j in sorted(rows)])
    loaded.subscriptions = rows


_IT = Instance.__table__
_INSTANCE_CHANGES = ("status", "ended_at", "data_json", "state_json", "next_timer_at", "updated_at")
_UPDATE_INSTANCE = (update(_IT).where(_IT.c.id == bindparam("b_id"), _IT.c.org_id == bindparam("b_org"),
                                      _IT.c.version == bindparam("b_version"))
                    .values({c: bindparam(f"b_{c}") for c in _INSTANCE_CHANGES} | {"version": bindparam("b_next")}))


def _write_instance(s, inst: Instance, values: dict[str, Any]) -> None:
    """Write the step's result to the instance row (one Core UPDATE checking the version the step read) and leave
    the object showing it, clean. Raises: Conflict (another writer changed the row since it was read)."""
    version = inst.version
    keys = {"b_id": inst.id, "b_org": inst.org_id, "b_version": version, "b_next": version + 1}
    result = s.connection().execute(_UPDATE_INSTANCE, keys | {f"b_{c}": v for c, v in values.items()})
    if result.rowcount != 1:
        raise Conflict(STALE)
    for column, value in values.items():
        set_committed_value(inst, column, value)
    set_committed_value(inst, "version", version + 1)


def save_step(uow: UnitOfWork, loaded: Loaded, before: dict, *, skip: set | None = None,
              completed_by: dict[str, str] | None = None, error: Exception | None = None,
              starter: Any = None, acting: str | None = None) -> None:
    """Persist the workflow, its derived rows, incidents and audit events (caller commits).

    ``starter`` (an Actor) is who started a new instance: its first task they may do becomes theirs.
    ``acting`` is the user whose action runs the step: they are not notified of the tasks they cause.
    """
    inst, wf = loaded.row, loaded.workflow
    cfg = config(uow)
    tasks, depth = _all_tasks(wf)
    if error is None and depth > cfg.max_tree_depth:
        error = RuntimeError(f"task tree depth exceeds the configured limit of {cfg.max_tree_depth}; "
                             "the diagram loops too often for one instance")
    events = _audit_transitions(tasks, before, skip or set())
    finished = is_finished(wf, tasks)
    status = inst.status
    if error is not None:
        task_id, element = _element_of(error)
        incident = Incident(instance_id=inst.id, task_id=task_id, element_id=element,
                            message=_error_message(error), status="open", created_at=uow.now())
        uow.session.add(incident)
        uow.session.flush()
        status = ERROR
        events.append(("incident.raised", {"incident_id": incident.id, "task_id": task_id, "element_id": element,
                                           "message": incident.message}))
    data = current_data(wf, finished)
    if error is None and status == RUNNING and finished:
        status = COMPLETED
        events.append(("instance.completed", {"data": data}))
    data_json = json.dumps(data, ensure_ascii=False, default=str)
    _emit(uow, inst, events, status, data_json)
    _sync_human_tasks(uow, loaded, completed_by or {}, tasks, starter, acting)
    _sync_subscriptions(uow, loaded, status)
    _write_instance(uow.session, inst, {
        "status": status, "ended_at": uow.now() if status == COMPLETED != inst.status else inst.ended_at,
        "data_json": data_json, "state_json": dump_instance(wf),
        "next_timer_at": _next_timer(wf) if status == RUNNING else None, "updated_at": uow.now()})
    uow.last_step = loaded
    outgoing = [e for e in wf.get_events()]
    if outgoing and config(uow).router is not None:
        config(uow).router(uow, inst, outgoing)


def _emit(uow: UnitOfWork, inst: Instance, events: list[tuple[str, dict[str, Any]]], status: str,
          data_json: str) -> None:
    """Append the step's events; the last records the saved status and data digest, for `audit verify`."""
    if not events:
        events = [("instance.saved", {})]
    kind, payload = events[-1]
    events[-1] = (kind, {**payload, "state": state_record(status, data_json)})
    chain = instance_chain(inst.id)
    for kind, payload in events:
        uow.audit(chain, kind, payload, actor=None, instance_id=inst.id)


def load(uow: UnitOfWork, instance_id: str, *, lock: bool = True) -> Loaded:
    """Load (and by default lock) an instance with its cached spec. Raises: NotFound."""
    s = uow.session
    query = select(Instance).where(Instance.id == instance_id).execution_options(populate_existing=True)
    row = s.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(f"instance '{instance_id}' does not exist")
    return restore(uow, row)


def restore(uow: UnitOfWork, row: Instance, ready_rows: dict[str, HumanTask] | None = None) -> Loaded:
    """The workflow of an instance row read by the caller, with its spec from the cache (no query on a hit)."""
    spec, subs, meta, info = config(uow).spec_cache.by_id(uow.session, row.process_version_id)
    wf = load_instance(row.state_json, row.serializer_version, spec, subs)
    wf.script_engine = config(uow).script_engine
    return Loaded(row, info, meta, wf, ready_rows, subscription_rows(row.status, wf))


@functools.cache
def _locked_read(pooled: bool):
    """The statement of `load_for_task`, built once (its compiled form is then cached by SQLAlchemy)."""
    task_id = bindparam("task_id")
    task_instance = select(HumanTask.instance_id).where(HumanTask.id == task_id).scalar_subquery()
    in_pool = assignment.in_pool_clause(HumanTask.id) if pooled else literal(False)
    return (select(Instance, HumanTask, AuditChain, in_pool)
            .join(HumanTask, HumanTask.instance_id == Instance.id)
            .join(AuditChain, AuditChain.chain == literal(instance_chain("")) + Instance.id)
            .where(Instance.id == task_instance, or_(HumanTask.state == "ready", HumanTask.id == task_id))
            .with_for_update(of=(Instance, AuditChain)).execution_options(populate_existing=True))


def load_for_task(uow: UnitOfWork, task_id: str, actor: Any = None) -> tuple[Loaded, HumanTask]:
    """One locked read of a human task, its instance, the instance's ready task rows and its audit chain head;
    with `actor`, whether the task's candidates include them (see `assignment.in_pool`). Raises: NotFound.

    The instance row and its chain head are locked (``FOR UPDATE``; on SQLite the transaction holds the write
    lock already), so a concurrent completion of the same instance waits here and then sees this one's commit.
    """
    params = {"task_id": task_id} | (assignment.pool_params(actor) if actor is not None else {})
    with uow.session.no_autoflush:
        found = uow.session.execute(_locked_read(actor is not None and not actor.is_read_only), params).all()
    target = next((row for row in found if row[1].id == task_id), None)
    if target is None:
        raise NotFound(f"task '{task_id}' does not exist")
    inst, task, head, in_pool = target
    config(uow).task_forms.put(task.id, inst.process_version_id, task.form, task.org_id)
    if actor is not None:
        task._dmflow_in_pool = (actor.username, bool(in_pool))
    uow.hold_head(head)
    ready = {row[1].id: row[1] for row in found if row[1].state == "ready"}
    return restore(uow, inst, ready), task
