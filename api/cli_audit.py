"""`dmflow audit ...`: verify the trail, sign checkpoints, countersign them, check exported cases offline."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from engine import audit, checkpoints, signing
from engine.errors import DmflowError
from engine.identity import SYSTEM
from engine.offline import verify_case
from engine.verification import verify_all
from engine.worker import CheckpointSchedule


def _services():
    return current_app.extensions["dmflow"]


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        _fail(f"cannot read {path}: {exc}")


def _write_json(value: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def schedule() -> CheckpointSchedule | None:
    """The worker's checkpoint schedule, or None when it is switched off or no signing key exists yet."""
    every = float(current_app.config["CHECKPOINT_INTERVAL_SECONDS"])
    if every <= 0 or not Path(current_app.config["SIGNING_KEY_FILE"]).exists():
        return None
    return CheckpointSchedule(_services().signing_key(), timedelta(seconds=every))


@click.group("audit")
def audit_group() -> None:
    """Audit trail: verify, checkpoints, witnesses, offline checks of exported cases."""


@audit_group.command("verify")
@click.option("--chain", help="Verify the hashes of one chain only (e.g. system, instance:<id>).")
@click.option("--checkpoint", "files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A checkpoint file kept outside the database; today's chains must extend it (repeatable).")
@click.option("--processes", type=click.IntRange(min=1), default=None,
              help="Processes verifying the hash chains of a SQLite database (default: one per core; used when "
                   "there are many chains).")
@with_appcontext
def audit_verify(chain: str | None, files: tuple[Path, ...], processes: int | None) -> None:
    """Verify every chain, stored state against history, and each checkpoint; exit 1 naming what disagrees."""
    given = [_read_json(f) for f in files]
    uow = _services().uow(readonly=True)
    with uow:
        if chain:
            report = audit.verify(uow.session, chain)
        else:
            report = verify_all(uow.session, given, public_key=_services().public_key(), processes=processes)
    if report.ok:
        extends = f"; extends {len(given)} checkpoint(s)" if given else ""
        click.echo(f"audit trail intact: {report.events} events in {report.chains} chains{extends}")
        return
    for p in report.problems:
        click.echo(f"TAMPERED chain={p.chain} seq={p.seq} event_id={p.event_id}: {p.reason}", err=True)
    sys.exit(1)


@audit_group.command("keygen")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the key (default: SIGNING_KEY_FILE, var/signing_key.pem).")
@with_appcontext
def audit_keygen(out: Path | None) -> None:
    """Create the Ed25519 key that signs checkpoints (PKCS#8 PEM, owner-only); print its public key."""
    path = out or Path(current_app.config["SIGNING_KEY_FILE"])
    try:
        key = signing.generate_key_file(path)
    except DmflowError as error:
        _fail(error.message)
    public = signing.public_b64(key)
    click.echo(f"key written to {path}; keep it out of the database and its backups")
    click.echo(f"public key: {public}  (key id {signing.key_id(public)})")


@audit_group.command("checkpoint")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the checkpoint as JSON here.")
@with_appcontext
def audit_checkpoint(out: Path | None) -> None:
    """Sign the heads of all chains now, append the checkpoint to the system chain, and print it."""
    try:
        taken = checkpoints.take(_services().uow(), _services().signing_key(), actor=SYSTEM.username)
    except DmflowError as error:
        _fail(error.message)
    if out:
        _write_json(taken, out)
    click.echo(f"checkpoint {taken['seq']} [{taken['fingerprint']}]: {taken['events']} events in "
               f"{taken['chains']} chains, root {taken['root']}" + (f", written to {out}" if out else ""))


@audit_group.command("countersign")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The witness's own Ed25519 private key (PKCS#8 PEM).")
@click.option("--name", help="The witness's name as configured in WITNESS_KEYS (default: the key id).")
def audit_countersign(file: Path, key_file: Path, name: str | None) -> None:
    """Add a witness's signature to a checkpoint file (offline; checks the operator's signature first)."""
    from engine.verification import check_document

    checkpoint = _read_json(file)
    problems = check_document(checkpoint)
    if problems:
        _fail("; ".join(problems) + ": not countersigned")
    try:
        key = signing.load_private_key(key_file)
    except DmflowError as error:
        _fail(error.message)
    witness = name or signing.key_id(signing.public_b64(key))
    signed = checkpoints.countersign(checkpoint, key, witness)
    _write_json(signed, file)
    entry = signed["witnesses"][-1]
    click.echo(f"checkpoint {checkpoint['seq']} [{checkpoint['fingerprint']}] countersigned by {witness}")
    click.echo(f"signature: {entry['signature']}")


@audit_group.command("verify-export")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--public-key", "keys", multiple=True,
              help="An operator public key obtained independently (base64 or PEM); checkpoints must use one.")
def audit_verify_export(file: Path, keys: tuple[str, ...]) -> None:
    """Check an exported case with no database or server: its chain, documents and checkpoint proofs."""
    try:
        result = verify_case(_read_json(file), keys)
    except DmflowError as error:
        _fail(error.message)
    for fact in result.facts:
        click.echo(f"ok: {fact}")
    for problem in result.problems:
        click.echo(f"FAILED: {problem}", err=True)
    sys.exit(0 if result.ok else 1)
