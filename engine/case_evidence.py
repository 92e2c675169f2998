"""The evidence an exported case carries: its chain's exact events and proofs of inclusion in checkpoints."""

from __future__ import annotations

import bisect
import json
from typing import Any

from sqlalchemy import select

from . import merkle
from .audit import instance_chain, timestamp
from .checkpoints import document, leaf
from .models import AuditCheckpoint, AuditCountersignature, AuditEvent
from .unit_of_work import UnitOfWork

EVENT_FIELDS = ("seq", "type", "instance_id", "actor", "occurred_at", "payload", "prev_hash", "hash")


def _proof(heads: list[list], chain: str) -> dict[str, Any] | None:
    """The inclusion proof of `chain`'s head in a checkpoint's sorted heads, or None if it was not there."""
    names = [h[0] for h in heads]
    index = bisect.bisect_left(names, chain)
    if index == len(names) or names[index] != chain:
        return None
    leaves = [leaf(tuple(h)) for h in heads]
    return {"chain": chain, "seq": heads[index][1], "hash": heads[index][2], "index": index,
            "path": [p.hex() for p in merkle.inclusion_path(leaves, index)]}


def evidence(uow: UnitOfWork, instance_id: str, *, checkpoints: int = 5) -> dict[str, Any]:
    """An instance's chain as stored (each event exactly as hashed) and the newest checkpoints that cover it.

    Args:
        checkpoints: how many checkpoints to include at most, newest first.
    """
    chain = instance_chain(instance_id)
    with uow:
        s = uow.session
        rows = s.execute(select(AuditEvent.seq, AuditEvent.event_type, AuditEvent.instance_id, AuditEvent.actor,
                                AuditEvent.occurred_at, AuditEvent.payload, AuditEvent.prev_hash, AuditEvent.hash)
                         .where(AuditEvent.chain == chain).order_by(AuditEvent.seq))
        events = [dict(zip(EVENT_FIELDS, (*r[:4], timestamp(r[4]), *r[5:]), strict=True)) for r in rows]
        covered = []
        for row in s.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc())):
            proof = _proof(json.loads(row.heads), chain)
            if proof is None:
                break  # the chain began after this checkpoint, so after every older one too
            witnesses = list(s.scalars(select(AuditCountersignature)
                                       .where(AuditCountersignature.checkpoint_seq == row.seq)))
            covered.append({"checkpoint": document(row, witnesses), "proof": proof})
            if len(covered) >= checkpoints:
                break
        return {"chain": chain, "events": events, "checkpoints": covered}
