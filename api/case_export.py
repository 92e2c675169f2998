"""A case as one JSON file: history, data, diagram, documents' hashes, and the evidence to check it offline."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from engine import deployments, queries
from engine.audit import canonical_json
from engine.case_evidence import evidence
from workflows import documents

from .extension import services, uow

CASE_FORMAT = "dmflow-case/2"


def _plain(value: Any) -> Any:
    """Datetimes as ISO 8601 text, so the exported JSON is the same on every database."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def export_case(instance_id: str, exported_by: str) -> dict[str, Any]:
    """The case with the SHA-256 of its canonical JSON, and its chain with the checkpoints that cover it.

    `dmflow audit verify-export` checks the result with no database: the chain's hashes, the documents'
    hashes against it, and each checkpoint's signature and the inclusion proof of the case's chain head.
    """
    instance = queries.get_instance(uow(readonly=True), instance_id)
    history = queries.instance_history(uow(readonly=True), instance_id)
    filename, xml = deployments.get_file(uow(readonly=True), instance["process_id"], instance["version"])
    docs = [{k: d[k] for k in ("id", "kind", "title", "filename", "media_type", "size", "sha256")}
            for d in documents.for_instance(uow(readonly=True), instance_id)
            if d["sha256"]]  # a PDF still being rendered is not yet in the chain, nor in the case
    case = _plain({"instance": {k: v for k, v in instance.items() if k != "data"}, "data": instance["data"],
                   "history": history, "documents": docs, "bpmn": {"filename": filename, "xml": xml.decode("utf-8")}})
    return {"format": CASE_FORMAT, "exported_at": _plain(services().clock.now()), "exported_by": exported_by,
            "sha256": hashlib.sha256(canonical_json(case).encode()).hexdigest(), "case": case,
            "evidence": evidence(uow(readonly=True), instance_id)}
