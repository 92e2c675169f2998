"""Instance state <-> JSON without the spec, and deployed specs restored once per process and cached."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from importlib.metadata import version as _dist_version
from typing import Any

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task

from .models import ProcessVersion
from .state_codec import (  # noqa: F401  (workflow_dict: for tests and tools)
    FastSpeclessWorkflowConverter,
    FastTaskConverter,
    SpeclessWorkflowConverter,
    workflow_dict,
)

LIBRARY_VERSION = _dist_version("SpiffWorkflow")


def make_serializer(fast: bool = True) -> BpmnWorkflowSerializer:
    """The one serializer configuration matching `SpiffBpmnParser` (SPIFF_CONFIG), spec-less for workflows; with
    `fast`, restoring goes through `engine.state_codec`'s converters (the same result with less work per task),
    without, through the library's own (tests compare the two)."""
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = FastSpeclessWorkflowConverter if fast else SpeclessWorkflowConverter
    if fast:
        config[Task] = FastTaskConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


SERIALIZER = make_serializer()
SERIALIZER_VERSION = SERIALIZER.VERSION


def is_json_data(value: Any) -> bool:
    """True if `value` can be stored as task data (JSON, or a date/time the serializer converts)."""
    try:
        json.dumps(SERIALIZER.registry.convert(value), cls=SERIALIZER._encoder_cls)
    except (TypeError, ValueError, RecursionError):
        return False
    return True


def drop_unserialisable(data: dict) -> None:
    """Remove the values a script left in task data that are not JSON data.

    Raises:
        TypeError: naming each removed variable and its type (the instance gets an incident).
    """
    bad = {name: type(value).__name__ for name, value in data.items() if not is_json_data(value)}
    for name in bad:
        del data[name]
    if bad:
        found = ", ".join(f"'{name}' ({kind})" for name, kind in bad.items())
        raise TypeError(f"任务数据必须是 JSON 数据 / task data must be JSON data; the script left {found}")


def dump_instance(workflow: BpmnWorkflow) -> str:
    """The instance's state as JSON text, without the spec: the text ``SERIALIZER.to_dict`` would give, built
    with less work per task (`engine.state_codec.workflow_dict`)."""
    return json.dumps(workflow_dict(workflow, SERIALIZER.registry), cls=SERIALIZER._encoder_cls,
                      separators=(",", ":"))


def load_instance(state_json: str, stored_version: str, spec, subprocess_specs: dict[str, Any],
                  serializer: BpmnWorkflowSerializer = SERIALIZER) -> BpmnWorkflow:
    """Rebuild a workflow from its stored state and the (cached) spec objects of its process version."""
    dct = json.loads(state_json)
    dct[serializer.VERSION_KEY] = stored_version
    serializer.migrate(dct)
    dct["spec"] = spec
    dct["subprocess_specs"] = dict(subprocess_specs)
    return serializer.from_dict(dct)


def dump_spec(spec) -> str:
    return json.dumps(SERIALIZER.to_dict(spec), separators=(",", ":"))


def load_spec(spec_json: str):
    return SERIALIZER.from_dict(json.loads(spec_json))


@dataclass(frozen=True)
class VersionInfo:
    """What a step needs of its (immutable) process version row besides the spec."""

    id: int
    process_id: str
    version: int
    name: str | None


class SpecCache:
    """Restored specs and parsed metadata per process version id, LRU-bounded (deployed versions never change).

    The stored JSON is read from the version row only on a miss: the columns are deferred, so a step
    that hits the cache never loads them.
    """

    def __init__(self, size: int = 256):
        self._size = size
        self._items: OrderedDict[int, tuple[Any, dict[str, Any], dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()
        self.loads = 0

    def get(self, version) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        """(spec, subprocess specs, metadata) of a `ProcessVersion` row."""
        return self._entry(version)[:3]

    def cached(self, version_id: int) -> tuple[Any, dict[str, Any], dict[str, Any], VersionInfo] | None:
        """The entry of a version id if this process holds it (no query either way)."""
        with self._lock:
            return self._items.get(version_id)

    def by_id(self, session, version_id: int) -> tuple[Any, dict[str, Any], dict[str, Any], VersionInfo]:
        """(spec, subprocess specs, metadata, version info) of a version id: no query on a hit."""
        with self._lock:
            hit = self._items.get(version_id)
            if hit is not None:
                self._items.move_to_end(version_id)
                return hit
        version = session.get(ProcessVersion, version_id)
        if version is None:
            raise LookupError(f"process version {version_id} does not exist")
        return self._entry(version)

    def _entry(self, version) -> tuple[Any, dict[str, Any], dict[str, Any], VersionInfo]:
        with self._lock:
            hit = self._items.get(version.id)
            if hit is not None:
                self._items.move_to_end(version.id)
                return hit
        spec = load_spec(version.spec_json)
        subs = {k: SERIALIZER.from_dict(v) for k, v in json.loads(version.subprocess_specs_json).items()}
        info = VersionInfo(version.id, version.process_id, version.version, version.name)
        entry = (spec, subs, json.loads(version.meta_json), info)
        with self._lock:
            self.loads += 1
            self._items[version.id] = entry
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return entry
