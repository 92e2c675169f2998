"""RFC 6962 Merkle tree hash and inclusion proofs, against the RFC's recursive definition."""

from __future__ import annotations

import hashlib

from engine import merkle


def rfc6962_mth(entries: list[bytes]) -> bytes:
    """MTH as RFC 6962 §2.1 defines it, recursively."""
    n = len(entries)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + entries[0]).digest()
    k = 1 << ((n - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + rfc6962_mth(entries[:k]) + rfc6962_mth(entries[k:])).digest()


def test_root_is_the_rfc_6962_tree_hash_for_every_size_up_to_70():
    for n in range(71):
        entries = [f"head {i}".encode() for i in range(n)]
        assert merkle.root([merkle.leaf_hash(e) for e in entries]) == rfc6962_mth(entries), n


def test_every_inclusion_proof_leads_to_the_root_and_only_for_its_own_leaf_and_position():
    for n in (1, 2, 3, 5, 8, 13, 33):
        leaves = [merkle.leaf_hash(bytes([i])) for i in range(n)]
        root = merkle.root(leaves)
        for i in range(n):
            path = merkle.inclusion_path(leaves, i)
            assert merkle.root_from_path(leaves[i], i, n, path) == root
            assert merkle.root_from_path(merkle.leaf_hash(b"forged"), i, n, path) != root
            if n > 1:
                assert merkle.root_from_path(leaves[i], (i + 1) % n, n, path) != root
            assert merkle.root_from_path(leaves[i], i, n, path + [root]) is None  # a proof too long


def test_known_value_of_rfc_6962_empty_tree():
    assert merkle.root([]).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
