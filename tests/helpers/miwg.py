"""The BPMN-MIWG reference diagrams (../shared/bpmn-miwg/reference beside the checkout, DMFLOW_SHARED elsewhere)
and deploying one of them to run it."""

from __future__ import annotations

import pytest

from engine import deployments
from engine.errors import InvalidDiagram
from engine.identity import Actor
from engine.parsing import SourceFile

from helpers.api import SHARED

MIWG = SHARED / "bpmn-miwg" / "reference"
FILES = sorted(MIWG.glob("*.bpmn")) if MIWG.is_dir() else []
ADMIN = Actor("admin", frozenset({"admin"}))


def deploy_to_run(services, path):
    """Deploy the file as it is; a modelling diagram (no process marked executable) is deployed again with its
    processes marked executable. Skips, saying why, a file that does not deploy either way."""
    content = path.read_bytes()
    try:
        return deployments.deploy(services.uow(), [SourceFile(path.name, content)], actor=ADMIN)
    except InvalidDiagram as exc:
        if "no executable process" not in exc.message:
            pytest.skip(f"{path.name} does not deploy: {exc.message}")
    marked = content.replace(b'isExecutable="false"', b'isExecutable="true"')
    try:
        return deployments.deploy(services.uow(), [SourceFile(path.name, marked)], actor=ADMIN)
    except InvalidDiagram as exc:
        pytest.skip(f"{path.name} has no executable process, and marked executable it does not deploy: {exc.message}")
