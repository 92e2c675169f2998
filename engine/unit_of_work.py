"""The unit of work: one database transaction holding a state change and its audit events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from . import audit, tenancy
from .clock import Clock, SystemClock
from .errors import STALE, Conflict


class UnitOfWork:
    """Opens a session on enter; commits only when told; rolls back on any other exit.

    Usage::

        with uow:
            ...mutate through uow.session, uow.audit(...)...
            uow.commit()

    A stale instance version (`StaleDataError`), a unique-key race (`IntegrityError`) or a lock
    timeout becomes `Conflict`, which the API reports as 409.
    """

    def __init__(self, engine: Engine, clock: Clock | None = None, *, readonly: bool = False,
                 runtime: Any = None):
        self.engine = engine
        self.clock = clock or SystemClock()
        self.readonly = readonly
        self.runtime = runtime  # engine.runtime.RuntimeConfig: script engine, spec cache, limits
        bind = engine.execution_options(dmflow_readonly=True) if readonly else engine
        self._factory = sessionmaker(bind=bind, expire_on_commit=False, autoflush=True)
        self.session: Session | None = None
        self._depth = 0
        self._heads: dict = {}  # audit chain heads locked in this transaction
        self._pending_audit: list = []  # audit rows appended, inserted together before the commit
        self.after_commit: list = []
        # Callables run with this unit of work just before each commit of a writing transaction (the API marks
        # an Idempotency-Key "committed" in the same transaction as the change).
        self.before_commit: list = []
        self.last_step = None  # the engine step saved last in this transaction (its objects make the answer)

    def __enter__(self) -> UnitOfWork:
        # Re-entrant: a service called by another service joins the outer transaction.
        if self._depth == 0:
            self.session = self._factory()
            self.after_commit = []
            self._heads = {}
            self._pending_audit = []
            self.last_step = None
        self._depth += 1
        return self

    @property
    def in_transaction(self) -> bool:
        """True when this unit of work's transaction has begun (on SQLite a writing one holds the lock)."""
        return self.session is not None and self.session.in_transaction()

    def read_after_commit(self) -> None:
        """After the commit, let this block go on reading in read-only transactions (on SQLite a deferred BEGIN,
        not the write lock): a view built after the commit."""
        self.readonly = True
        self.session.bind = self.engine.execution_options(dmflow_readonly=True)

    def __exit__(self, exc_type, exc, tb) -> None:
        self._depth -= 1
        if self._depth > 0:
            return
        # close() rolls back whatever was not committed and detaches the loaded objects without expiring
        # them, so views can still read what a service returned.
        self.session.close()
        self.session = None
        if isinstance(exc, StaleDataError):
            raise Conflict(STALE) from exc

    def commit(self) -> None:
        """Commit the transaction (a no-op inside a nested use; the outer block commits)."""
        if self._depth > 1:
            return
        try:
            self.flush_audit()
            if not self.readonly:
                for hook in self.before_commit:
                    hook(self)
            self.session.commit()
        except StaleDataError as exc:
            raise Conflict(STALE) from exc
        except IntegrityError as exc:
            raise Conflict(f"Conflicting concurrent change: {exc.orig}") from exc
        except OperationalError as exc:
            if "locked" in str(exc.orig).lower():
                raise Conflict("The database is busy with another change; try again.") from exc
            raise
        callbacks, self.after_commit = self.after_commit, []
        for callback in callbacks:
            callback()

    def now(self):
        return self.clock.now()

    def audit(self, chain: str, event_type: str, payload: dict[str, Any], *, actor: str | None,
              instance_id: str | None = None) -> audit.Appended:
        """Append an audit event to `chain` in this transaction (an organisation's system events go to its own
        system chain, ``system:<code>``; the installation's to ``system``)."""
        if chain == audit.SYSTEM_CHAIN:
            chain = tenancy.system_chain(self.session, tenancy.current())
        return audit.append(self.session, chain, event_type, payload, actor=actor,
                            occurred_at=self.clock.now(), instance_id=instance_id, heads=self._heads,
                            pending=self._pending_audit)

    def hold_head(self, head) -> None:
        """A chain head the caller read and locked in this transaction (appends to its chain skip the read)."""
        self._heads.setdefault(head.chain, head)

    def flush_audit(self) -> None:
        """Write the audit events appended so far (before reading audit_events in this transaction)."""
        audit.write_pending(self.session, self._pending_audit)
