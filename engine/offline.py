"""Checking an exported case with no database and no server: its chain, documents and checkpoint proofs."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from . import merkle, signing
from .audit import GENESIS, canonical_json, event_hash
from .checkpoints import fingerprint, leaf
from .verification import check_document


@dataclass
class CaseCheck:
    """The outcome: what was proven (`facts`) and what was found wrong (`problems`, the first one first)."""

    facts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _chain(chain: str, events: list[dict[str, Any]]) -> str | None:
    previous = GENESIS
    for n, e in enumerate(events, start=1):
        if e["seq"] != n:
            return f"event {n}: sequence gap (found {e['seq']})"
        if e["prev_hash"] != previous:
            return f"event {n}: does not follow the event before it"
        digest = event_hash(chain, n, e["type"], e["instance_id"], e["actor"], e["occurred_at"], e["payload"],
                            previous)
        if digest != e["hash"]:
            return f"event {n}: its content does not match its hash"
        previous = digest
    return None


def _history(case: dict[str, Any], events: list[dict[str, Any]]) -> str | None:
    """The readable history must be the evidence's events."""
    shown = [(h["seq"], h["type"], h["hash"]) for h in case.get("history", [])]
    if shown != [(e["seq"], e["type"], e["hash"]) for e in events]:
        return "the case's history differs from its chain's events"
    return None


def _documents(case: dict[str, Any], events: list[dict[str, Any]]) -> list[str]:
    payloads = (json.loads(e["payload"]) for e in events if e["type"] == "document.generated")
    recorded = {(p.get("document_id"), p.get("sha256")) for p in payloads}
    problems = []
    for doc in case.get("documents", []):
        if (doc["id"], doc["sha256"]) not in recorded:
            problems.append(f"document {doc['id']} ({doc.get('filename')}): its SHA-256 is not in the case's chain")
    return problems


def _anchor(item: dict[str, Any], chain: str, events: list[dict[str, Any]], trusted: set[str]) -> list[str]:
    checkpoint, proof = item["checkpoint"], item["proof"]
    name = f"checkpoint {checkpoint.get('seq')}"
    problems = check_document(checkpoint)
    if trusted and checkpoint.get("public_key") not in trusted:
        problems.append(f"{name} is signed by key {signing.key_id(checkpoint['public_key'])}, not a trusted key")
    seq = proof["seq"]
    if proof["chain"] != chain or not 1 <= seq <= len(events) or events[seq - 1]["hash"] != proof["hash"]:
        problems.append(f"{name}: the chain head it recorded (event {seq}) is not this case's event")
    head = leaf((proof["chain"], seq, proof["hash"]))
    path = [bytes.fromhex(p) for p in proof["path"]]
    computed = merkle.root_from_path(head, proof["index"], checkpoint.get("chains", 0), path)
    if computed is None or computed.hex() != checkpoint.get("root"):
        problems.append(f"{name}: the inclusion proof does not lead to its signed Merkle root")
    return problems


def verify_case(export: dict[str, Any], trusted_keys: tuple[str, ...] = ()) -> CaseCheck:
    """Verify an exported case on its own.

    Args:
        trusted_keys: operator public keys (base64 or PEM) obtained independently; when given, every
            checkpoint must be signed by one of them.
    """
    result = CaseCheck()
    case, evidence = export.get("case") or {}, export.get("evidence") or {}
    chain, events = evidence.get("chain", ""), evidence.get("events") or []
    if hashlib.sha256(canonical_json(case).encode()).hexdigest() != export.get("sha256"):
        result.problems.append("the case's SHA-256 does not match its content")
    for problem in (_chain(chain, events), _history(case, events)):
        if problem:
            result.problems.append(problem)
    result.problems += _documents(case, events)
    if not result.problems:
        result.facts.append(f"{chain}: {len(events)} events, every hash links; "
                            f"{len(case.get('documents', []))} documents recorded in the chain")
    trusted = {signing.public_b64(signing.parse_public(k)) for k in trusted_keys}
    anchors = evidence.get("checkpoints") or []
    if not anchors:
        result.problems.append("no checkpoint covers this case (take one with `dmflow audit checkpoint`)")
    for item in anchors:
        problems = _anchor(item, chain, events, trusted)
        result.problems += problems
        if not problems:
            cp = item["checkpoint"]
            witnesses = ", ".join(w["witness"] for w in cp.get("witnesses") or []) or "none"
            result.facts.append(f"event {item['proof']['seq']} is in checkpoint {cp['seq']} [{fingerprint(cp['hash'])}]"
                                f" of {cp['taken_at']}, signed by key {signing.key_id(cp['public_key'])}; "
                                f"witnesses: {witnesses}")
    return result
