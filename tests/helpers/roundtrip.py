"""The standing assertion: persisting and reloading an instance changes nothing."""

from __future__ import annotations

import json

from engine import steps
from engine.serialization import dump_instance

# Bundled processes whose every step is driven (and round-tripped) by an end-to-end test instead of a
# scenario of tests/helpers/bpmn.py, because they also need records, messages or timers between tasks.
DRIVEN_END_TO_END = {"proposal": "tests/api/test_proposals.py", "resolution": "tests/api/test_resolution.py",
                     "collective_contract": "tests/api/test_contracts.py",
                     "disclosure": "tests/api/test_disclosures__e2e.py",
                     "disclosure_monthly": "tests/workflows/disclosure/test_disclosure__catalogue.py",
                     "disclosure_quarterly": "tests/workflows/disclosure/test_disclosure__catalogue.py",
                     "disclosure_yearly": "tests/workflows/disclosure/test_disclosure__catalogue.py"}


def assert_round_trip(services, instance_id: str) -> None:
    uow = services.uow(readonly=True)
    with uow:
        loaded = steps.load(uow, instance_id, lock=False)
        stored = loaded.row.state_json
        again = dump_instance(loaded.workflow)
    assert json.loads(again) == json.loads(stored)
    assert "spec" not in json.loads(stored) and "subprocess_specs" not in json.loads(stored)


def ready(client, headers, instance_id: str) -> tuple[dict, dict[str, str]]:
    """The instance (checked to round-trip unchanged) and its ready tasks by element id."""
    assert_round_trip(client.application.extensions["dmflow"], instance_id)
    body = client.get(f"/api/v1/instances/{instance_id}", headers=headers).get_json()
    return body, {t["element_id"]: t["id"] for t in body["ready_tasks"]}


def complete(client, headers, task_id: str, data: dict) -> dict:
    """Complete a task through the API, which must accept it."""
    r = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": data}, headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()
