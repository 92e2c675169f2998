"""Generated documents: stored with their SHA-256, which also goes into the audit trail."""

from __future__ import annotations

import hashlib

from engine.audit import SYSTEM_CHAIN, instance_chain
from engine.errors import NotFound
from engine.unit_of_work import UnitOfWork

from .proposal_tables import Document


def store(uow: UnitOfWork, *, kind: str, title: str, filename: str, media_type: str, content: bytes,
          instance_id: str | None, actor: str | None) -> Document:
    """Keep a generated document (inside the caller's open unit of work) and audit its hash."""
    digest = hashlib.sha256(content).hexdigest()
    doc = Document(instance_id=instance_id, kind=kind, title=title, filename=filename, media_type=media_type,
                   size=len(content), sha256=digest, content=content, created_at=uow.now())
    uow.session.add(doc)
    uow.session.flush()
    uow.audit(instance_chain(instance_id) if instance_id else SYSTEM_CHAIN, "document.generated", {
        "document_id": doc.id, "kind": kind, "title": title, "filename": filename, "sha256": digest,
        "size": len(content)}, actor=actor, instance_id=instance_id)
    return doc


def get(uow: UnitOfWork, document_id: int) -> Document:
    """Raises: NotFound."""
    with uow:
        doc = uow.session.get(Document, document_id)
        if doc is None:
            raise NotFound(f"document {document_id} does not exist")
        return doc
