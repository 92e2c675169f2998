"""Marshmallow schemas of the audit checkpoints, witnesses' countersignatures and case exports."""

from __future__ import annotations

from marshmallow import fields, validate

from api.bounds import Integer

from . import Schema


class WitnessSignatureSchema(Schema):
    witness = fields.String()
    public_key = fields.String(metadata={"description": "Ed25519 public key, base64 of its 32 raw bytes"})
    signature = fields.String(metadata={"description": "Ed25519 signature (base64) of the checkpoint's body"})


class CheckpointSchema(Schema):
    format = fields.String()
    seq = Integer()
    taken_at = fields.String()
    chains = Integer()
    events = Integer()
    root = fields.String(metadata={"description": "RFC 6962 Merkle tree hash over every chain's head (hex)"})
    previous = fields.String(metadata={"description": "hash of the checkpoint before (64 zeros for the first)"})
    public_key = fields.String(metadata={"description": "the operator's Ed25519 public key (base64)"})
    hash = fields.String(metadata={"description": "SHA-256 of the signed body (hex)"})
    signature = fields.String()
    fingerprint = fields.String(metadata={"description": "first 16 hex digits of the hash, for paper"})
    witnesses = fields.List(fields.Nested(WitnessSignatureSchema))


class CheckpointQuerySchema(Schema):
    limit = Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class CountersignSchema(Schema):
    signature = fields.String(required=True, validate=validate.Length(min=1, max=100))
    witness = fields.String(load_default=None, validate=validate.Length(min=1, max=100), metadata={
        "description": "the configured witness's name; omitted: the witness whose key verifies the signature"})


class CaseExportSchema(Schema):
    format = fields.String()
    exported_at = fields.String()
    exported_by = fields.String()
    sha256 = fields.String(metadata={"description": "SHA-256 of the canonical JSON of `case`"})
    case = fields.Dict(metadata={"description": "instance, data, history, documents (with SHA-256) and BPMN"})
    evidence = fields.Dict(metadata={"description": "the chain's events as hashed, and the newest checkpoints "
                                                    "covering it with inclusion proofs (`dmflow audit verify-export`)"})
