"""Per-vote ballot keys: a secret ballot is stored encrypted to its vote's public key, whose private half lives
in a file outside the database (``BALLOT_KEY_DIR``) from the opening to the close, and is destroyed after it.

Sealing is an anonymous public-key box (X25519 with an ephemeral key that each process renews every
minute, HKDF-SHA256, ChaCha20-Poly1305 with a random nonce per ballot, from ``cryptography``): the database,
its write-ahead log, its backups and PostgreSQL's dead tuples hold only ciphertext of one length for every
choice, so a copy taken at any moment, even one that pairs a participation row with the ballot row written
beside it, tells no choice and no running tally. See README, "Ballot secrecy: threat model".
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
import time
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from workflows.errors import RuleConflict

PADDED = 16  # every choice is padded to this length: "for" and "against" give ciphertexts of one size
EPHEMERAL_SECONDS = 60.0  # how long a process seals a vote's ballots with one ephemeral key
_RAW = {"encoding": serialization.Encoding.Raw, "format": serialization.PublicFormat.Raw}


class BallotKeyError(RuleConflict):
    """The private key of an open secret vote is not in the key folder (or is another vote's): it cannot be
    counted. Restore the key file from where it was kept; nothing is counted without it (409)."""

    def __init__(self, vote_id: int, path: Path, reason: str):
        super().__init__(f"secret vote {vote_id} cannot be counted: its ballot key {path} {reason}. Restore the "
                         "key file (DMFLOW_BALLOT_KEY_DIR) and close again; without it the ballots stay sealed "
                         "and the vote must be held again (无法开启秘密投票的密钥，请恢复密钥文件或重新表决)",
                         "ballot_key", {"ballot_key": [str(path)]})


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def public_key_of(private: X25519PrivateKey) -> str:
    """A private key's public half as stored on the vote (base64 of 32 bytes)."""
    return _b64(private.public_key().public_bytes(**_RAW))


def _box_key(shared: bytes, ephemeral: bytes, recipient: bytes, vote_id: int) -> ChaCha20Poly1305:
    info = b"dmflow ballot v1|" + str(vote_id).encode() + b"|" + ephemeral + recipient
    return ChaCha20Poly1305(HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared))


class Sender:
    """An ephemeral key pair's box key towards one vote's public key; a process seals with one for at most
    ``EPHEMERAL_SECONDS``, so that the close needs one key agreement per sender, not one per ballot."""

    def __init__(self, public_key: str, vote_id: int):
        recipient = base64.b64decode(public_key)
        ephemeral = X25519PrivateKey.generate()
        self.epub = ephemeral.public_key().public_bytes(**_RAW)
        self.box = _box_key(ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient)), self.epub, recipient,
                            vote_id)
        self.born = time.monotonic()


def seal(public_key: str, vote_id: int, choice: str, sender: Sender | None = None) -> bytes:
    """A choice encrypted to the vote's public key (base64): ephemeral public key (32), random nonce (12),
    the choice padded to ``PADDED`` bytes encrypted with its tag (32); 76 bytes whatever the choice."""
    sender = sender or Sender(public_key, vote_id)
    nonce = os.urandom(12)
    return sender.epub + nonce + sender.box.encrypt(nonce, choice.encode().ljust(PADDED, b"\0"), None)


def unseal(private: X25519PrivateKey, vote_id: int, box: bytes, boxes: dict | None = None) -> str:
    """The choice in a sealed ballot (``boxes`` caches the box key of each ephemeral key met).

    Raises: InvalidTag (another key or vote, or altered bytes).
    """
    epub, nonce, body = box[:32], box[32:44], box[44:]
    boxes = {} if boxes is None else boxes
    if epub not in boxes:
        recipient = private.public_key().public_bytes(**_RAW)
        boxes[epub] = _box_key(private.exchange(X25519PublicKey.from_public_bytes(epub)), epub, recipient, vote_id)
    return boxes[epub].decrypt(nonce, body, None).rstrip(b"\0").decode()


class BallotKeys:
    """The folder of private keys of open secret votes: one file per vote, mode 0600, removed at the close.

    A file is named by its vote and the fingerprint of its public key, so a key folder shared by two databases
    (or a restored one) never hands a vote another vote's key.
    """

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self._senders: dict[tuple[int, str], Sender] = {}
        self._lock = threading.Lock()

    def seal(self, vote_id: int, public_key: str, choice: str) -> bytes:
        """`seal` with this process's current sender for the vote (a new one after ``EPHEMERAL_SECONDS``)."""
        with self._lock:
            now = time.monotonic()
            self._senders = {k: v for k, v in self._senders.items() if now - v.born < EPHEMERAL_SECONDS}
            sender = self._senders.get((vote_id, public_key))
            if sender is None:
                sender = self._senders[(vote_id, public_key)] = Sender(public_key, vote_id)
        return seal(public_key, vote_id, choice, sender)

    def path(self, vote_id: int, public_key: str) -> Path:
        fingerprint = hashlib.sha256(base64.b64decode(public_key)).hexdigest()[:16]
        return self.folder / f"vote-{vote_id}-{fingerprint}.key"

    def create(self, vote_id: int) -> str:
        """A new key pair for a vote: the private key written to its file, the public key returned (base64)."""
        private = X25519PrivateKey.generate()
        public = public_key_of(private)
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.path(vote_id, public)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                            serialization.NoEncryption()))
            out.flush()
            os.fsync(out.fileno())
        return public

    def load(self, vote_id: int, public_key: str) -> X25519PrivateKey:
        """The vote's private key. Raises: BallotKeyError (no file, or a key that is not this vote's)."""
        path = self.path(vote_id, public_key)
        try:
            private = X25519PrivateKey.from_private_bytes(path.read_bytes())
        except FileNotFoundError:
            raise BallotKeyError(vote_id, path, "is missing") from None
        except ValueError:
            raise BallotKeyError(vote_id, path, "is damaged") from None
        if public_key_of(private) != public_key:
            raise BallotKeyError(vote_id, path, "belongs to another key pair")
        return private

    def vote_ids(self) -> set[int]:
        """The votes that have a key file here (of this database or another sharing the folder)."""
        names = self.folder.glob("vote-*-*.key") if self.folder.exists() else []
        return {int(p.name.split("-")[1]) for p in names if p.name.split("-")[1].isdigit()}

    def destroy(self, vote_id: int, public_key: str) -> None:
        """Overwrite and remove the vote's key file (after the close has committed)."""
        path = self.path(vote_id, public_key)
        try:
            with open(path, "r+b") as out:
                out.write(os.urandom(32))
                out.flush()
                os.fsync(out.fileno())
            path.unlink()
        except FileNotFoundError:
            pass


def count_sealed(private: X25519PrivateKey, vote_id: int, boxes: list[bytes], choices: tuple[str, ...],
                 path: Path) -> list[str]:
    """Every sealed ballot opened in memory. Raises: BallotKeyError if one does not open to a valid choice."""
    opened, senders = [], {}
    for box in boxes:
        try:
            choice = unseal(private, vote_id, box, senders)
        except (InvalidTag, ValueError, UnicodeDecodeError):
            raise BallotKeyError(vote_id, path, "does not open every ballot (altered ballots?)") from None
        if choice not in choices:
            raise BallotKeyError(vote_id, path, f"opens a ballot to an unknown choice {choice!r}")
        opened.append(choice)
    return opened


def ballot_keys_of(uow) -> BallotKeys:
    """The key folder of the app this unit of work belongs to (``var/ballot_keys`` of the working folder without)."""
    context = getattr(uow.runtime, "context", None) or {}
    return context.get("ballot_keys") or BallotKeys(Path.cwd() / "var" / "ballot_keys")
