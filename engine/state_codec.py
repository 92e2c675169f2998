"""Instance state <-> dict exactly as the library's converters make it, with less work per task: plain JSON
values are neither converted nor restored value by value, and each task id is parsed and printed once per load.

Anything that is not plain JSON (a date, a set, an object of a registered class) still goes through the
registry. tests/engine/test_serialization__fast_path.py compares both directions with the library's own
converters (`engine.serialization.make_serializer(fast=False)`).
"""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnSubWorkflowConverter,
    BpmnWorkflowConverter,
    TaskConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

_PLAIN = frozenset({str, int, float, bool, type(None)})


def is_plain(value: Any) -> bool:
    """True for a value made only of dict, list, str, int, float, bool and None (exact types): the registry's
    conversion would return an equal copy of it."""
    kind = type(value)
    if kind in _PLAIN:
        return True
    if kind is dict:
        return all(is_plain(v) for v in value.values())
    if kind is list:
        return all(is_plain(v) for v in value)
    return False


def _restores_as_is(value: Any) -> bool:
    """True for parsed JSON with no ``typename`` key in any object: the registry's restoration would return an
    equal copy of it."""
    kind = type(value)
    if kind in _PLAIN:
        return True
    if kind is dict:
        return "typename" not in value and all(_restores_as_is(v) for v in value.values())
    if kind is list:
        return all(_restores_as_is(v) for v in value)
    return False


class _Ids(threading.local):
    """The task ids met while one workflow is restored (text -> UUID), per thread."""

    parsed: dict[str, UUID] | None = None


_IDS = _Ids()


def _uuid(text: str) -> UUID:
    parsed = _IDS.parsed
    if parsed is None:
        return UUID(text)
    found = parsed.get(text)
    if found is None:
        found = parsed[text] = UUID(text)
    return found


class FastTaskConverter(TaskConverter):
    """The library's task converter (serialising is its own); restoring, as its `from_dict` does, step for step."""

    def from_dict(self, dct, workflow):
        registry = self.registry
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        task = self.target_class(workflow, task_spec, state=dct["state"], id=_uuid(dct["id"]))
        task._parent = _uuid(dct["parent"]) if dct["parent"] is not None else None
        task._children = [_uuid(child) for child in dct["children"]]
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        internal = dct["internal_data"]
        task.internal_data = internal if _restores_as_is(internal) else registry.restore(internal)
        if isinstance(task_spec, CatchingEvent) and task.has_state(TaskState.WAITING):
            task.workflow.top_workflow.event_manager.add_task(task)
        delta = dct.get("delta")
        parent = task.parent
        if delta and parent is not None:
            data = DeepMerge.merge({}, parent.data)
            updates = delta.get("updates", {})
            data.update(updates if _restores_as_is(updates) else registry.restore(updates))
            for key in delta.get("deletions", {}):
                if key in data:
                    del data[key]
        else:
            data = dct["data"] if _restores_as_is(dct["data"]) else registry.restore(dct["data"])
        task.data = data
        return task


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Serialises a workflow without its spec (stored once per process version, not per instance)."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct


class FastSpeclessWorkflowConverter(SpeclessWorkflowConverter):
    """Restores as the library's `BpmnWorkflowConverter.from_dict` does, each task id parsed once (the texts are
    kept on the workflow for `workflow_dict`)."""

    def from_dict(self, dct):
        _IDS.parsed = {}
        try:
            spec = self.registry.restore(dct.pop("spec"))
            subprocess_specs = self.mapping_from_dict(dct.pop("subprocess_specs", {}))
            workflow = self.target_class(spec, subprocess_specs, deserializing=True)
            workflow.tasks = {_uuid(k): self.registry.restore(v, workflow=workflow) for k, v in dct["tasks"].items()}
            workflow.task_tree = workflow.tasks.get(_uuid(dct["root"]))
            self.set_default_attributes(workflow, dct)
            self.subprocesses_from_dict(dct["subprocesses"], workflow)
            workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
            workflow._dmflow_id_texts = {u.int: text for text, u in _IDS.parsed.items()}
            return workflow
        finally:
            _IDS.parsed = None


def _text(value: UUID, texts: dict[int, str]) -> str:
    found = texts.get(value.int)
    return found if found is not None else str(value)


def _task_dict(task, table: dict, typename: str, texts: dict[int, str], registry) -> dict[str, Any]:
    """`TaskConverter.to_dict` plus the registry's typename, key for key in the same order, the parent looked up
    once and plain internal data not converted value by value."""
    parent = table.get(task._parent)
    if parent is None:
        data, delta = task.data, {}
    else:
        data = {}
        delta = {"updates": DeepMerge.get_updated_keys(parent.data, task.data),
                 "deletions": DeepMerge.get_deleted_keys(parent.data, task.data)}
    internal = task.internal_data
    internal = internal if is_plain(internal) else registry.convert(internal)
    return {"id": _text(task.id, texts), "parent": _text(task._parent, texts) if parent is not None else None,
            "children": [_text(child, texts) for child in task._children],
            "last_state_change": task.last_state_change, "state": task.state, "task_spec": task.task_spec.name,
            "triggered": task.triggered, "internal_data": internal,
            "data": data, "delta": delta, "typename": typename}


def _converter(registry, cls):
    """The converter object the registry holds for `cls` (None if it holds none)."""
    to_dict = registry.convert_to_dict.get(registry.typenames.get(cls))
    return getattr(to_dict.args[1], "__self__", None) if to_dict is not None else None


def _converts_as(registry, cls, method) -> bool:
    """Whether the registry serialises `cls` with exactly `method` (the to_dict this module reproduces)."""
    return getattr(type(_converter(registry, cls)), "to_dict", None) is method


def _common_dict(workflow, registry, texts: dict[int, str]) -> dict[str, Any]:
    """`WorkflowConverter.to_dict`: what a workflow and a subprocess both store."""
    typename = registry.typenames[Task]
    fast = _converts_as(registry, Task, TaskConverter.to_dict)
    table = workflow.tasks
    tasks = {}
    for key, task in table.items():
        if fast and type(task) is Task:
            tasks[_text(key, texts)] = _task_dict(task, table, typename, texts, registry)
        else:
            tasks[str(key)] = registry.convert(task)
    data = workflow.data
    return {"data": data if is_plain(data) else registry.convert(registry.clean(data)),
            "correlations": workflow.correlations,
            "last_task": _text(workflow.last_task.id, texts) if workflow.last_task is not None else None,
            "success": workflow.success, "completed": workflow.completed, "tasks": tasks,
            "root": _text(workflow.task_tree.id, texts)}


def workflow_dict(workflow: BpmnWorkflow, registry) -> dict[str, Any]:
    """``registry.convert(workflow)`` with `SpeclessWorkflowConverter`, built with less work per task (see the
    module's docstring); a workflow, subprocess or task of another class goes through the registry whole."""
    if type(workflow) is not BpmnWorkflow or not _converts_as(registry, BpmnWorkflow,
                                                                  SpeclessWorkflowConverter.to_dict):
        return registry.convert(workflow)
    texts = getattr(workflow, "_dmflow_id_texts", {})
    dct = _common_dict(workflow, registry, texts)
    subprocesses = {}
    sub_fast = _converts_as(registry, BpmnSubWorkflow, BpmnSubWorkflowConverter.to_dict)
    for key, sub in workflow.subprocesses.items():
        if sub_fast and type(sub) is BpmnSubWorkflow:
            subprocesses[str(key)] = _common_dict(sub, registry, texts) | {
                "parent_task_id": str(sub.parent_task_id), "spec": sub.spec.name,
                "typename": registry.typenames[BpmnSubWorkflow]}
        else:
            subprocesses[str(key)] = registry.convert(sub)
    dct["subprocesses"] = subprocesses
    dct["bpmn_events"] = registry.convert(workflow.bpmn_events)
    dct["typename"] = registry.typenames[BpmnWorkflow]
    return dct
