"""Generated documents: stored with their SHA-256, which also goes into the audit trail; PDFs rendered after the
commit of the change that asks for them (engine.jobs), reserved until then."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, select
from sqlalchemy.orm import Mapped, mapped_column

from engine import checkpoints, jobs
from engine.audit import SYSTEM_CHAIN, instance_chain
from engine.errors import NotFound
from engine.models import Base, TenantScoped, UTCDateTime
from engine.unit_of_work import UnitOfWork
from workflows import notices


class Document(TenantScoped, Base):
    """A generated document (notice, filing package); its SHA-256 is also in the audit trail."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Documents published to all workers (notices); any other document is read by those involved in its case.
PUBLISHED_KINDS = frozenset({"resolution_notice", "congress_minutes", "election_notice"})
PDF_JOB = "documents.pdf"
READY, RENDERING, FAILED = "ready", "rendering", "failed"


def _audit_generated(uow: UnitOfWork, doc: Document, actor: str | None) -> None:
    uow.audit(instance_chain(doc.instance_id) if doc.instance_id else SYSTEM_CHAIN, "document.generated", {
        "document_id": doc.id, "kind": doc.kind, "title": doc.title, "filename": doc.filename, "sha256": doc.sha256,
        "size": doc.size}, actor=actor, instance_id=doc.instance_id)
    checkpoints.request(uow, f"document.generated:{doc.kind}", instance_id=doc.instance_id, actor=actor)


def store(uow: UnitOfWork, *, kind: str, title: str, filename: str, media_type: str, content: bytes,
          instance_id: str | None, actor: str | None) -> Document:
    """Keep a generated document (inside the caller's open unit of work) and audit its hash."""
    digest = hashlib.sha256(content).hexdigest()
    doc = Document(instance_id=instance_id, kind=kind, title=title, filename=filename, media_type=media_type,
                   size=len(content), sha256=digest, content=content, created_at=uow.now())
    uow.session.add(doc)
    uow.session.flush()
    _audit_generated(uow, doc, actor)
    return doc


def store_pdf_later(uow: UnitOfWork, html: Document, *, filename: str, actor: str | None) -> Document:
    """Reserve the PDF of a stored HTML document (inside the caller's open unit of work): its id is known now,
    its bytes are rendered from the HTML after the commit (a job, see engine.jobs), so a request never waits for
    WeasyPrint. Until then the document is empty and `status` says "rendering"; its hash is audited when done."""
    doc = Document(instance_id=html.instance_id, kind=html.kind, title=html.title, filename=filename,
                   media_type="application/pdf", size=0, sha256="", content=b"", created_at=uow.now())
    uow.session.add(doc)
    uow.session.flush()
    jobs.enqueue(uow, PDF_JOB, {"document_id": doc.id, "html_document_id": html.id, "actor": actor},
                 key=str(doc.id))
    return doc


@jobs.handler(PDF_JOB)
def _render_pdf(uow: UnitOfWork, payload: dict) -> None:
    """Render a reserved PDF from its HTML and store it; nothing is held locked while WeasyPrint works."""
    with uow:
        doc = uow.session.get(Document, payload["document_id"])
        if doc is None or doc.sha256:
            return  # rendered already (a job repeated after a crash)
        page = uow.session.get(Document, payload["html_document_id"]).content.decode("utf-8")
    pdf = notices.render_pdf(page)
    with uow:
        query = select(Document).where(Document.id == payload["document_id"])
        if uow.engine.dialect.name == "postgresql":
            query = query.with_for_update()
        doc = uow.session.scalar(query)
        if doc.sha256:
            return
        doc.content, doc.size, doc.sha256 = pdf, len(pdf), hashlib.sha256(pdf).hexdigest()
        _audit_generated(uow, doc, payload.get("actor"))
        uow.commit()


def status(uow: UnitOfWork, doc: Document) -> tuple[str, str | None]:
    """(ready / rendering / failed, why it failed) of a document."""
    if doc.sha256:
        return READY, None
    with uow:
        found = jobs.state(uow, PDF_JOB, str(doc.id))
    if found is not None and found[0] == "failed":
        return FAILED, found[1]
    return RENDERING, None


def get(uow: UnitOfWork, document_id: int) -> Document:
    """Raises: NotFound."""
    with uow:
        doc = uow.session.get(Document, document_id)
        if doc is None:
            raise NotFound(f"document {document_id} does not exist")
        return doc


def for_instance(uow: UnitOfWork, instance_id: str) -> list[dict]:
    """The documents generated by one instance, oldest first (without their content)."""
    with uow:
        rows = uow.session.execute(
            select(Document.id, Document.kind, Document.title, Document.filename, Document.media_type, Document.size,
                   Document.sha256, Document.created_at)
            .where(Document.instance_id == instance_id).order_by(Document.id))
        return [dict(row._mapping) for row in rows]
