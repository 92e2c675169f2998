"""Ed25519 keys kept outside the database: create, load, sign, verify, and their printable forms."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .errors import Conflict, ValidationFailed


def generate_key_file(path: str | Path) -> Ed25519PrivateKey:
    """Create a new private key as a PKCS#8 PEM file readable only by its owner.

    Raises:
        Conflict: the file exists already (a signing key is never silently replaced).
    """
    path = Path(path)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise Conflict(f"a key file already exists at {path}; move it away first") from exc
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return key


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    """Read a PKCS#8 PEM Ed25519 private key.

    Raises:
        ValidationFailed: the file is missing or holds no Ed25519 private key.
    """
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise ValidationFailed(f"cannot read a signing key from {path}: {exc}",
                               {"key": [str(exc)]}) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ValidationFailed(f"{path} is not an Ed25519 key", {"key": ["not Ed25519"]})
    return key


def public_b64(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The raw 32-byte public key in base64 (the form checkpoints and exports carry)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def parse_public(text: str) -> Ed25519PublicKey:
    """A public key given as base64 of the raw 32 bytes, or as a PEM SubjectPublicKeyInfo.

    Raises:
        ValidationFailed: neither form, or not Ed25519.
    """
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode())
        else:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError) as exc:
        raise ValidationFailed(f"not a public key: {exc}", {"public_key": [str(exc)]}) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ValidationFailed("not an Ed25519 public key", {"public_key": ["not Ed25519"]})
    return key


def key_id(public_key_b64: str) -> str:
    """A short name for a public key: the first 16 hex digits of the SHA-256 of its raw bytes."""
    return hashlib.sha256(base64.b64decode(public_key_b64)).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    """The base64 Ed25519 signature of `message`."""
    return base64.b64encode(key.sign(message)).decode()


def signature_ok(public_key_b64: str, message: bytes, signature_b64: str) -> bool:
    """Whether `signature_b64` is a valid signature of `message` by the key (malformed input is False)."""
    try:
        parse_public(public_key_b64).verify(base64.b64decode(signature_b64, validate=True), message)
    except (InvalidSignature, ValueError, TypeError, ValidationFailed):
        return False
    return True
