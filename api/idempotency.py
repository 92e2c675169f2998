"""Safe retries of creates: an `Idempotency-Key` header makes a repeated request answer the first result.

The first answer is stored per caller and key in the `idempotency_keys` table. For creates that run through
`act_then_view` (starting an instance) the row is written in the same transaction as the create, so a client
whose connection dropped after the commit gets the first answer back on retry instead of a duplicate case;
for other creates it is written just after. Two requests racing with one key cannot both commit (the
primary key); the loser gets 409 and its retry gets the first answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Response, g, request

from engine.errors import ValidationFailed
from engine.models import IdempotencyRecord
from engine.unit_of_work import UnitOfWork

from .auth import current_actor

HEADER = "Idempotency-Key"
MAX_KEY = 200
DOC = {"in": "header", "name": HEADER, "required": False,
       "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY},
       "description": "A client-chosen key (e.g. a UUID): a retry with the same key and body answers the first "
                      "result instead of creating again. 重试时使用相同的键，不会重复创建。"}


@dataclass
class Pending:
    actor: str
    key: str
    fingerprint: str
    schema: Any
    status: int
    recorded: bool = False


def _fingerprint() -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay(row: IdempotencyRecord, fingerprint: str) -> Response:
    if row.fingerprint != fingerprint:
        raise ValidationFailed("这个幂等键已用于另一个请求 / this Idempotency-Key was used for a different request",
                               {HEADER: ["used before with another method, path or body"]})
    response = Response(row.response, status=row.status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def record(uow: UnitOfWork, shown: Any) -> None:
    """Store the answer of the pending keyed request in `uow`'s transaction (called before its commit)."""
    pending: Pending | None = g.get("idempotency")
    if pending is None or pending.recorded:
        return
    body = json.dumps(pending.schema().dump(shown), ensure_ascii=False)
    uow.session.add(IdempotencyRecord(actor=pending.actor, key=pending.key, fingerprint=pending.fingerprint,
                                      status=pending.status, response=body, created_at=uow.now()))
    pending.recorded = True


def idempotent(uow_factory: Callable[..., UnitOfWork], schema: Any, status: int = 201) -> Callable:
    """Decorate a create view (outside flask-smorest's `response`) to honour an `Idempotency-Key` header."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = request.headers.get(HEADER)
            if key is None:
                return view(*args, **kwargs)
            if not 1 <= len(key) <= MAX_KEY:
                raise ValidationFailed(f"{HEADER} must have 1 to {MAX_KEY} characters", {HEADER: ["bad length"]})
            actor, fingerprint = current_actor().username, _fingerprint()
            work = uow_factory(readonly=True)
            with work:
                row = work.session.get(IdempotencyRecord, (actor, key))
            if row is not None:
                return _replay(row, fingerprint)
            g.idempotency = pending = Pending(actor, key, fingerprint, schema, status)
            response = view(*args, **kwargs)
            if not pending.recorded and response.status_code == status:
                work = uow_factory()
                with work:
                    work.session.add(IdempotencyRecord(actor=actor, key=key, fingerprint=fingerprint,
                                                       status=status, response=response.get_data(as_text=True),
                                                       created_at=work.now()))
                    work.commit()
            return response

        return wrapper

    return decorate
