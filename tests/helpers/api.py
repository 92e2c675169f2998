"""HTTP helpers shared by the tests: deploying files, locating bundled and shared diagrams."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The shared reference material (bpmn-miwg/, ...) sits beside the checkout; DMFLOW_SHARED points elsewhere (a
# git worktree, say).
SHARED = Path(os.environ.get("DMFLOW_SHARED") or ROOT.parent / "shared")


def deploy_files(client, headers, files: dict[str, bytes], name: str | None = None):
    """POST /api/v1/deployments with the given {filename: content}."""
    from io import BytesIO

    data = {"files": [(BytesIO(content), filename) for filename, content in files.items()]}
    if name:
        data["name"] = name
    return client.post("/api/v1/deployments", data=data, headers=headers, content_type="multipart/form-data")


def bundled_files(procedure: str) -> dict[str, bytes]:
    folder = ROOT / "bpmn" / procedure
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in (".bpmn", ".dmn", ".json")}
