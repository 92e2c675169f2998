"""What the worker tidies now and then: the stored answers of `Idempotency-Key` retries, past their retention.

A create sent with an ``Idempotency-Key`` leaves a row (caller, key, fingerprint, the first answer) so that a
retry answers the first result. Retries come within minutes; keeping every key for ever only grows the table.
After the retention (``DMFLOW_IDEMPOTENCY_RETENTION_HOURS``, 24 by default) the worker forgets the key: a
request sent again with it after that is a new request. Nothing audited lives here: the rows are a cache of
answers, and what the first request did is in the audit trail.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete

from .models import IdempotencyRecord
from .unit_of_work import UnitOfWork


def forget_idempotency_keys(uow: UnitOfWork, retention: timedelta) -> int:
    """Delete the idempotency keys older than `retention` (in one transaction); returns how many."""
    with uow:
        cutoff = uow.now() - retention
        gone = uow.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff)).rowcount
        uow.commit()
    return gone or 0


@dataclass
class KeyRetention:
    """Forget idempotency keys older than `retention`, at most once per `every` seconds of this process (the
    delete scans the table; a pass of the worker every few seconds need not repeat it)."""

    retention: timedelta
    every: float = 600.0
    _last: float | None = field(default=None, repr=False)

    def run(self, uow_factory: Callable[[], UnitOfWork], *, force: bool = False) -> int | None:
        """Forget the old keys if due (or `force`); None when it was not due."""
        now = time.monotonic()
        if not force and self._last is not None and now - self._last < self.every:
            return None
        self._last = now
        return forget_idempotency_keys(uow_factory(), self.retention)
