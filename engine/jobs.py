"""Deferred jobs: slow work (rendering a PDF) that a change asks for, done after its commit, on the outbox.

A job is an outbox row on the ``job`` channel (recipient: the job's kind, body: its JSON payload), written in the
transaction of the change that asks for it, so it exists only if that change committed, and it shares the
outbox's guarantees: claimed under a lease, retried with back-off, marked sent (done) or failed. Who runs it
is `RuntimeConfig.deferred_jobs`:

- ``"background"``: right after the commit, a thread of this process (one per process, so the fonts and
  caches a handler loads are loaded once) claims and runs it; the request answers without waiting.
- ``"inline"``: right after the commit, before the caller goes on (tests, and one-shot CLI commands).
- ``"worker"``: only ``dmflow worker`` runs it (its outbox pass).

Whatever the mode, a job whose runner died is due again when its lease runs out and the worker takes it.
Handlers are registered by the layers above (``@handler("congress.notice_pdf")``) and must be idempotent:
a job may run twice after a crash between its work and its ``finish``.
"""

from __future__ import annotations

import contextvars
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from . import tenancy
from .notification_tables import OutboxMessage
from .notifications import settings_of
from .outbox import FAILED, PENDING, SENT, Claimed, finish
from .unit_of_work import UnitOfWork

JOB = "job"
BACKGROUND, INLINE, WORKER = "background", "inline", "worker"
DONE, WAITING = "done", "pending"
log = logging.getLogger("dmflow.jobs")

Handler = Callable[[UnitOfWork, dict[str, Any]], None]
HANDLERS: dict[str, Handler] = {}
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that does jobs of `kind`: called with a fresh unit of work (not yet entered) and
    the payload; it opens its own transaction(s) and must be idempotent."""
    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn
    return register


def key_of(kind: str, key: str) -> str:
    return f"job:{kind}:{key}"


def enqueue(uow: UnitOfWork, kind: str, payload: dict[str, Any], *, key: str) -> None:
    """Ask for a job in the caller's open transaction; it runs after the commit (see the module's modes).

    Raises:
        KeyError: no handler is registered for `kind` (a programming error, found before anything commits).
    """
    if kind not in HANDLERS:
        raise KeyError(f"no job handler is registered for {kind!r}")
    now = uow.now()
    row = OutboxMessage(channel=JOB, recipient=kind, subject=kind, body=json.dumps(payload, ensure_ascii=False),
                        idempotency_key=key_of(kind, key), status=PENDING, attempts=0, next_attempt_at=now,
                        created_at=now)
    uow.session.add(row)
    uow.session.flush()
    mode = getattr(uow.runtime, "deferred_jobs", BACKGROUND)
    if mode == WORKER:
        return
    fresh = _factory(uow)
    job_id = row.id
    if mode == INLINE:
        uow.after_commit.append(lambda: run(fresh, job_id))
    else:
        # The thread runs the job in the context of the change that asked for it (its context variables).
        context = contextvars.copy_context()
        uow.after_commit.append(lambda: _submit(fresh, job_id, context))


def _factory(uow: UnitOfWork) -> Callable[[], UnitOfWork]:
    engine, clock, runtime = uow.engine, uow.clock, uow.runtime
    return lambda: UnitOfWork(engine, clock, runtime=runtime)


def _submit(factory: Callable[[], UnitOfWork], job_id: int, context: contextvars.Context) -> Future:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dmflow-jobs")
    return _executor.submit(context.run, run, factory, job_id)


def drain(timeout: float | None = 60.0) -> None:
    """Wait until the background jobs submitted so far have run (tests; a clean shutdown)."""
    with _executor_lock:
        executor = _executor
    if executor is not None:
        executor.submit(lambda: None).result(timeout)


def _claim(uow: UnitOfWork, job_id: int) -> Claimed | None:
    """Take one job under a lease, unless it is done, failed or leased by another runner."""
    with uow:
        now = uow.now()
        query = select(OutboxMessage).where(OutboxMessage.id == job_id, OutboxMessage.status == PENDING,
                                            OutboxMessage.next_attempt_at <= now)
        if uow.engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        row = uow.session.scalar(query)
        if row is None:
            return None
        row.attempts += 1
        row.next_attempt_at = now + timedelta(seconds=settings_of(uow).lease_seconds)
        claimed = Claimed(row.id, row.channel, row.recipient, row.subject, row.body, row.idempotency_key,
                          row.attempts, row.org_id)
        uow.commit()
    return claimed


def perform(factory: Callable[[], UnitOfWork], message: Claimed) -> None:
    """Run a claimed job's handler (the outbox transport of the ``job`` channel). Raises what the handler raises."""
    fn = HANDLERS.get(message.recipient)
    if fn is None:
        raise RuntimeError(f"no job handler is registered for {message.recipient!r} in this process")
    with tenancy.acting_for(message.org_id if message.org_id is not None else tenancy.current()):
        fn(factory(), json.loads(message.body))  # what it writes (a rendered notice) is that organisation's


def run(factory: Callable[[], UnitOfWork], job_id: int) -> str | None:
    """Claim and run one job now; returns its outcome (sent, retrying, failed) or None if it was not ours to run."""
    try:
        message = _claim(factory(), job_id)
        if message is None:
            return None
        try:
            perform(factory, message)
            error = None
        except Exception as exc:  # a failed job is retried by the outbox's back-off; the change stays committed
            log.warning("job %s (%s) failed: %s", job_id, message.recipient, exc)
            error = f"{type(exc).__name__}: {exc}"
        return finish(factory(), message, error)
    except Exception:  # a background thread has no caller to tell; the worker retries after the lease
        log.exception("running job %s failed", job_id)
        return None


def transports(factory: Callable[[], UnitOfWork]) -> dict[str, Callable[[Claimed], None]]:
    """The outbox transport that runs jobs in this process (the worker adds it to the channels it sends)."""
    return {JOB: lambda message: perform(factory, message)}


def state(uow: UnitOfWork, kind: str, key: str) -> tuple[str, str | None] | None:
    """(done / pending / failed, the last error) of the job `kind`/`key`, or None if none was asked for."""
    row = uow.session.execute(select(OutboxMessage.status, OutboxMessage.last_error)
                              .where(OutboxMessage.idempotency_key == key_of(kind, key))).first()
    if row is None:
        return None
    status = {SENT: DONE, PENDING: WAITING, FAILED: FAILED}.get(row.status, row.status)
    return status, row.last_error
