"""Signed checkpoints: a Merkle root over every chain's head, chained, appended to the system chain, witnessed."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from . import merkle, signing
from .audit import GENESIS, SYSTEM_CHAIN, canonical_json
from .errors import Conflict, NotFound, ValidationFailed
from .models import AuditChain, AuditCheckpoint, AuditCountersignature, AuditEvent
from .unit_of_work import UnitOfWork

FORMAT = "dmflow-checkpoint/1"
TAKEN, COUNTERSIGNED, REQUESTED = "audit.checkpoint", "audit.countersigned", "audit.checkpoint_requested"
BODY_KEYS = ("format", "seq", "taken_at", "chains", "events", "root", "previous", "public_key")
Head = tuple[str, int, str]  # chain, seq, hash of its last event


def leaf(head: Head) -> bytes:
    """The Merkle leaf of one chain head: RFC 6962's leaf hash of ``canonical_json([chain, seq, hash])``."""
    return merkle.leaf_hash(canonical_json(list(head)).encode())


def signed_message(checkpoint: dict[str, Any]) -> bytes:
    """The bytes the operator and every witness sign: the canonical JSON of the checkpoint's body."""
    return canonical_json({k: checkpoint[k] for k in BODY_KEYS}).encode()


def checkpoint_hash(checkpoint: dict[str, Any]) -> str:
    return hashlib.sha256(signed_message(checkpoint)).hexdigest()


def fingerprint(checkpoint_hash_hex: str) -> str:
    """What paper carries of a checkpoint: the first 16 hex digits of its hash in groups of four."""
    short = checkpoint_hash_hex[:16].upper()
    return " ".join(short[i:i + 4] for i in range(0, 16, 4))


def _heads(session) -> list[Head]:
    rows = session.execute(select(AuditChain.chain, AuditChain.last_seq, AuditChain.last_hash)
                           .where(AuditChain.last_seq > 0))
    return sorted((c, s, h) for c, s, h in rows)  # sorted here: database collations differ


def document(row: AuditCheckpoint, witnesses: list[AuditCountersignature] = ()) -> dict[str, Any]:
    """A checkpoint as its JSON file holds it (the body, its hash and signature, the witnesses' signatures)."""
    return {**json.loads(row.body), "hash": row.hash, "signature": row.signature,
            "fingerprint": fingerprint(row.hash),
            "witnesses": [{"witness": w.witness, "public_key": w.public_key, "signature": w.signature}
                          for w in witnesses]}


def take(uow: UnitOfWork, key: Ed25519PrivateKey, *, actor: str = "system",
         every: timedelta | None = None) -> dict[str, Any] | None:
    """Sign the heads of all chains now and append the checkpoint to the system chain.

    Returns:
        The checkpoint with the heads it signed (so its file proves, even without the database, which
        event each chain held), or None when `every` says none is due yet.

    With `every`, only when the latest checkpoint is at least that old (None is returned otherwise), so
    that several workers polling together take one.
    """
    with uow:
        s = uow.session
        # Locking the system chain's head serialises checkpoints (and appends to the system chain).
        s.execute(select(AuditChain).where(AuditChain.chain == SYSTEM_CHAIN).with_for_update()).scalar_one()
        latest = s.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1)).first()
        now = uow.now()
        if every is not None and latest is not None and latest.taken_at > now - every:
            return None
        heads = _heads(s)
        body = {"format": FORMAT, "seq": (latest.seq if latest else 0) + 1, "taken_at": now.isoformat(),
                "chains": len(heads), "events": sum(h[1] for h in heads),
                "root": merkle.root([leaf(h) for h in heads]).hex(),
                "previous": latest.hash if latest else GENESIS, "public_key": signing.public_b64(key)}
        message = signed_message(body)
        row = AuditCheckpoint(seq=body["seq"], taken_at=now, hash=hashlib.sha256(message).hexdigest(),
                              body=canonical_json(body), signature=signing.sign(key, message),
                              heads=json.dumps(heads, separators=(",", ":")))
        s.add(row)
        uow.audit(SYSTEM_CHAIN, TAKEN, {**body, "hash": row.hash, "signature": row.signature}, actor=actor)
        uow.commit()
        return {**document(row), "heads": [list(h) for h in heads]}


def request(uow: UnitOfWork, reason: str, *, instance_id: str | None = None, actor: str | None = None) -> None:
    """Ask for a checkpoint soon, inside the caller's transaction: something was published (a vote closed, a
    notice issued, a contract filed), so the trail up to it should be signed now, not at the next daily one.
    The worker takes it at its next pass (the signing key stays with the worker)."""
    uow.audit(SYSTEM_CHAIN, REQUESTED, {"reason": reason, "instance_id": instance_id}, actor=actor)


def requested(uow: UnitOfWork) -> bool:
    """Whether a checkpoint was asked for after the latest one was taken."""
    with uow:
        s = uow.session
        asked = s.scalar(select(AuditEvent.seq).where(AuditEvent.chain == SYSTEM_CHAIN,
                                                      AuditEvent.event_type == REQUESTED)
                         .order_by(AuditEvent.seq.desc()).limit(1))
        if asked is None:
            return False
        taken = s.scalar(select(AuditEvent.seq).where(AuditEvent.chain == SYSTEM_CHAIN, AuditEvent.event_type == TAKEN)
                         .order_by(AuditEvent.seq.desc()).limit(1))
        return taken is None or asked > taken


def due(uow: UnitOfWork, every: timedelta) -> bool:
    """Whether no checkpoint was taken within `every`."""
    with uow:
        latest = uow.session.scalar(select(AuditCheckpoint.taken_at).order_by(AuditCheckpoint.seq.desc()).limit(1))
        return latest is None or latest <= uow.now() - every


def _witnesses(session, seqs: list[int]) -> dict[int, list[AuditCountersignature]]:
    found: dict[int, list[AuditCountersignature]] = {}
    query = select(AuditCountersignature).where(AuditCountersignature.checkpoint_seq.in_(seqs))
    for w in session.scalars(query.order_by(AuditCountersignature.id)):
        found.setdefault(w.checkpoint_seq, []).append(w)
    return found


def list_checkpoints(uow: UnitOfWork, *, limit: int = 100) -> list[dict[str, Any]]:
    """The latest checkpoints, newest first, with their witnesses."""
    with uow:
        rows = list(uow.session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(limit)))
        witnesses = _witnesses(uow.session, [r.seq for r in rows])
        return [document(r, witnesses.get(r.seq, [])) for r in rows]


def latest_fingerprint(session) -> str | None:
    """The number and fingerprint of the newest checkpoint (for printed documents), or None before the first.

    A document generated now shows it so that paper anchors the trail up to that signed checkpoint.
    """
    row = session.execute(select(AuditCheckpoint.seq, AuditCheckpoint.hash)
                          .order_by(AuditCheckpoint.seq.desc()).limit(1)).first()
    return f"No. {row.seq} · {fingerprint(row.hash)}" if row else None


def stored_heads(session, seq: int) -> list[Head] | None:
    """The chain heads a stored checkpoint signed, or None when the database holds no such checkpoint."""
    heads = session.scalar(select(AuditCheckpoint.heads).where(AuditCheckpoint.seq == seq))
    return None if heads is None else [tuple(h) for h in json.loads(heads)]


def countersign(checkpoint: dict[str, Any], key: Ed25519PrivateKey, witness: str) -> dict[str, Any]:
    """The checkpoint with one more witness signature (offline: a witness signs on their own machine)."""
    entry = {"witness": witness, "public_key": signing.public_b64(key),
             "signature": signing.sign(key, signed_message(checkpoint))}
    others = [w for w in checkpoint.get("witnesses", []) if w.get("witness") != witness]
    return {**checkpoint, "witnesses": [*others, entry]}


def add_countersignature(uow: UnitOfWork, seq: int, signature: str, witnesses: dict[str, str], *, actor: str,
                         witness: str | None = None) -> dict[str, Any]:
    """Store a witness's signature of checkpoint `seq` after verifying it with the witness's configured key.

    Args:
        witnesses: name -> public key (base64 or PEM) of each configured witness.
        witness: whose signature it is; when omitted, the configured key that verifies it names the witness.

    Raises:
        NotFound: no such checkpoint. ValidationFailed: no configured witness's key verifies the signature.
        Conflict: this witness already countersigned the checkpoint.
    """
    with uow:
        row = uow.session.get(AuditCheckpoint, seq)
        if row is None:
            raise NotFound(f"checkpoint {seq} does not exist")
        message = signed_message(json.loads(row.body))
        candidates = {witness: witnesses.get(witness)} if witness else dict(witnesses)
        matches = [(name, signing.public_b64(signing.parse_public(pk))) for name, pk in candidates.items()
                   if pk and signing.signature_ok(signing.public_b64(signing.parse_public(pk)), message, signature)]
        if not matches:
            raise ValidationFailed(f"the signature of checkpoint {seq} is not valid for "
                                   + (f"witness '{witness}'" if witness else "any configured witness"),
                                   {"signature": ["not verified by a configured witness key"]})
        name, public = matches[0]
        if uow.session.scalar(select(AuditCountersignature.id).where(
                AuditCountersignature.checkpoint_seq == seq, AuditCountersignature.witness == name)):
            raise Conflict(f"witness '{name}' has already countersigned checkpoint {seq}")
        uow.session.add(AuditCountersignature(checkpoint_seq=seq, witness=name, public_key=public,
                                              signature=signature, created_at=uow.now(), created_by=actor))
        uow.audit(SYSTEM_CHAIN, COUNTERSIGNED, {"seq": seq, "hash": row.hash, "witness": name,
                                                "public_key": public, "signature": signature}, actor=actor)
        uow.commit()
        return {"seq": seq, "witness": name, "public_key": public, "signature": signature}

