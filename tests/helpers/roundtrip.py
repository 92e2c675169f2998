"""The standing assertion: persisting and reloading an instance changes nothing."""

from __future__ import annotations

import json

from engine import steps
from engine.serialization import dump_instance

# Bundled processes whose every step is driven (and round-tripped) by an end-to-end test instead of a
# scenario of tests/helpers/bpmn.py, because they also need records, messages or timers between tasks.
DRIVEN_END_TO_END = {"proposal": "tests/api/test_proposals.py", "resolution": "tests/api/test_resolution.py",
                     "collective_contract": "tests/api/test_contracts.py"}


def assert_round_trip(services, instance_id: str) -> None:
    uow = services.uow(readonly=True)
    with uow:
        loaded = steps.load(uow, instance_id, lock=False)
        stored = loaded.row.state_json
        again = dump_instance(loaded.workflow)
    assert json.loads(again) == json.loads(stored)
    assert "spec" not in json.loads(stored) and "subprocess_specs" not in json.loads(stored)
