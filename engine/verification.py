"""`audit verify` in full: the hash chains, stored state against history, and chains against checkpoints."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, audit_parallel, merkle, signing, tenancy
from .audit import GENESIS, Collected, Expected, Problem, VerifyReport
from .checkpoints import BODY_KEYS, FORMAT, checkpoint_hash, fingerprint, leaf, signed_message, stored_heads
from .consistency import cross_check
from .models import AuditCheckpoint, Instance


def check_document(checkpoint: dict[str, Any]) -> list[str]:
    """What is wrong with a checkpoint on its own: its form, hash, signature and witnesses' signatures."""
    missing = [k for k in (*BODY_KEYS, "hash", "signature") if k not in checkpoint]
    if missing or checkpoint.get("format") != FORMAT:
        return [f"not a {FORMAT} checkpoint" + (f" (missing {', '.join(missing)})" if missing else "")]
    problems = []
    if checkpoint_hash(checkpoint) != checkpoint["hash"]:
        problems.append(f"checkpoint {checkpoint['seq']}'s hash does not match its content")
    message = signed_message(checkpoint)
    if not signing.signature_ok(checkpoint["public_key"], message, checkpoint["signature"]):
        problems.append(f"checkpoint {checkpoint['seq']}'s signature is not valid for its public key")
    for w in checkpoint.get("witnesses") or []:
        if not signing.signature_ok(w.get("public_key", ""), message, w.get("signature", "")):
            problems.append(f"witness '{w.get('witness')}''s signature of checkpoint {checkpoint['seq']} is not valid")
    return problems


def label(checkpoint: dict[str, Any]) -> str:
    return f"checkpoint {checkpoint['seq']} [{fingerprint(checkpoint['hash'])}] of {checkpoint['taken_at']}"


def _expect(session: Session, checkpoint: dict[str, Any], expect: Expected) -> list[Problem]:
    """Add what `checkpoint` saw to `expect`, once the database's copy of its heads reproduces its root."""
    where = f"checkpoint:{checkpoint.get('seq')}"
    issues = check_document(checkpoint)
    if issues:
        return [Problem(where, None, None, i) for i in issues]
    given = checkpoint.get("heads")
    heads = [tuple(h) for h in given] if given is not None else stored_heads(session, checkpoint["seq"])
    if heads is None:
        return [Problem(where, None, None, f"{label(checkpoint)} is missing from the database: it was deleted")]
    root = merkle.root([leaf(h) for h in heads]).hex()
    if root != checkpoint["root"] or len(heads) != checkpoint["chains"]:
        source = "the file's" if given is not None else "the database's"
        return [Problem(where, None, None, f"{source} record of the chain heads of {label(checkpoint)} "
                                           "does not reproduce its signed Merkle root: it was altered")]
    name = label(checkpoint)
    for chain, seq, digest in heads:
        expect.setdefault(chain, {})[seq] = (digest, name)
    return []


def _stored(session: Session, public_key: str | None, expect: Expected) -> list[Problem]:
    """The database's own checkpoints: linked by their previous hashes, signed by the operator's key."""
    problems: list[Problem] = []
    previous, latest = GENESIS, None
    for row in session.execute(select(AuditCheckpoint.seq, AuditCheckpoint.body, AuditCheckpoint.hash,
                                      AuditCheckpoint.signature).order_by(AuditCheckpoint.seq)):
        checkpoint = {**json.loads(row.body), "hash": row.hash, "signature": row.signature}
        where = f"checkpoint:{row.seq}"
        problems += [Problem(where, None, None, i) for i in check_document(checkpoint)]
        if public_key and checkpoint.get("public_key") != public_key:
            problems.append(Problem(where, None, None, f"checkpoint {row.seq} is signed by another key "
                                                       f"({signing.key_id(checkpoint['public_key'])})"))
        if checkpoint.get("previous") != previous:
            problems.append(Problem(where, None, None, f"checkpoint {row.seq} does not follow the one before it "
                                                       "(a checkpoint was removed or replaced)"))
        previous, latest = row.hash, checkpoint
    if latest is not None and not problems:
        problems += _expect(session, latest, expect)
    return problems


def verify_all(session: Session, checkpoints: Iterable[dict[str, Any]] = (), *,
               public_key: str | None = None, processes: int | None = 1) -> VerifyReport:
    """Verify every chain, every stored state against its history, and that the chains extend each checkpoint.

    Args:
        checkpoints: checkpoint files kept outside the database (by auditors and witnesses); each must be
            validly signed and every chain head it recorded must still be the event at that position.
        public_key: the operator's public key (base64); the stored checkpoints must be signed with it.
        processes: worker processes for the hash chains (SQLite files with many chains; None: one per core).
            1 in a server's request (no forking a threaded process), the cores in `dmflow audit verify`.
    """
    audit.one_snapshot(session)
    expect: Expected = {}
    problems = _stored(session, public_key, expect)
    for checkpoint in checkpoints:
        problems += _expect(session, checkpoint, expect)
    collected = Collected()
    report = audit_parallel.verify_fast(session, processes=processes, collect=collected, expect=expect or None)
    problems += report.problems
    problems += cross_check(session, collected, {p.chain for p in report.problems})
    return VerifyReport(chains=report.chains, events=report.events, problems=problems)


def verify_organisation(session: Session, org_id: int | None, *, public_key: str | None = None) -> VerifyReport:
    """What an organisation's auditors and administrators verify from the API and the pages.

    The installation's first organisation (its operator's people, or no organisation): ``verify_all`` over every
    chain of every organisation, read across organisations (else another organisation's cases would look deleted).
    Any other organisation: its own chains only, its system chain and its cases' chains with their stored states,
    so that it learns nothing of another organisation's trail.
    """
    if org_id is None or org_id == tenancy.DEFAULT_ORG:
        with tenancy.unscoped():
            return verify_all(session, public_key=public_key)
    audit.one_snapshot(session)
    chains = [tenancy.system_chain(session, org_id)]
    chains += [audit.instance_chain(i) for i in session.scalars(
        select(Instance.id).where(Instance.org_id == org_id).order_by(Instance.id))]
    collected, problems, count, events = Collected(), [], 0, 0
    for chain in chains:
        report = audit.verify(session, chain, collect=collected)
        count, events, problems = count + report.chains, events + report.events, problems + report.problems
    problems += cross_check(session, collected, {p.chain for p in problems}, chains=chains)
    return VerifyReport(chains=count, events=events, problems=problems)
