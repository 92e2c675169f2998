"""Safe retries of every create: an `Idempotency-Key` header makes a repeated POST answer the first result.

One mechanism for every POST under /api/v1 (installed by `install`, documented on every POST operation):

1. Before the view runs, the caller's key is claimed: a row in `idempotency_keys` (status 0) committed on its
   own. A repeated key whose answer is stored replays it (header `Idempotent-Replayed: true`); the same key with
   another method, path or body is a 422; a key whose first request is still running is a 409.
2. Every unit of work the request commits marks the claim "committed" (status -1) in the same transaction, and
   `act_then_view` stores the whole answer there: so a client whose connection dropped after the commit never
   creates a duplicate on retry — at worst (the server killed between commit and answer) it gets a 409 saying
   the first request was carried out.
3. After the view, the answer is stored; a request that failed without committing anything releases its
   claim, so that the retry runs again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, Response, current_app, g, request
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from engine.errors import Conflict, ValidationFailed
from engine.models import IdempotencyRecord
from engine.unit_of_work import UnitOfWork

from .auth import current_actor

HEADER = "Idempotency-Key"
MAX_KEY = 200
CLAIMED, COMMITTED = 0, -1  # row statuses before the answer is stored (then: the answer's HTTP status)
STALE_CLAIM = timedelta(minutes=5)  # a claim never committed, left by a killed server, is taken over after it
DOC = {"in": "header", "name": HEADER, "required": False,
       "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY},
       "description": "A client-chosen key (e.g. a UUID): a retry with the same key and body answers the first "
                      "result instead of creating again. 重试时使用相同的键，不会重复创建。"}


@dataclass
class Pending:
    actor: str
    key: str
    fingerprint: str
    recorded: bool = False


def _fingerprint() -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _uow(readonly: bool = False) -> UnitOfWork:
    return current_app.extensions["dmflow"].uow(readonly=readonly)


def _applies() -> bool:
    prefix = current_app.config["OPENAPI_URL_PREFIX"].rstrip("/") + "/"
    return (request.method == "POST" and request.endpoint is not None and request.path.startswith(prefix)
            and HEADER in request.headers)


def _replay(row: IdempotencyRecord) -> Response:
    response = Response(row.response, status=row.status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _claim(actor: str, key: str, fingerprint: str) -> Response | None:
    """Claim the key, or answer from an earlier request with it (the replay, a 409 or a 422)."""
    work = _uow()
    with work:
        row = work.session.get(IdempotencyRecord, (actor, key))
        if row is not None:
            if row.fingerprint != fingerprint:
                raise ValidationFailed("这个幂等键已用于另一个请求 / this Idempotency-Key was used for a different "
                                       "request", {HEADER: ["used before with another method, path or body"]})
            if row.status > 0:
                return _replay(row)
            if row.status == COMMITTED:
                raise Conflict("使用这个幂等键的请求已经执行，但其答复未能保存；请查询结果，勿重复提交 / the request "
                               "with this Idempotency-Key was carried out, but its answer was not stored")
            if work.now() - row.created_at < STALE_CLAIM:
                raise Conflict("使用这个幂等键的请求正在处理，请稍后重试 / a request with this Idempotency-Key is "
                               "still running; retry later")
            work.session.delete(row)  # a claim left by a server killed before it committed anything
            work.session.flush()
        work.session.add(IdempotencyRecord(actor=actor, key=key, fingerprint=fingerprint, status=CLAIMED,
                                           response="", created_at=work.now()))
        try:
            work.commit()
        except Conflict as exc:  # another request claimed it a moment ago
            raise Conflict("使用这个幂等键的请求正在处理，请稍后重试 / a request with this Idempotency-Key is "
                           "still running; retry later") from exc
    return None


def before_request() -> Response | None:
    """Claim the key of a keyed POST (after authentication: keys belong to their caller)."""
    if not _applies():
        return None
    key = request.headers[HEADER]
    if not 1 <= len(key) <= MAX_KEY:
        raise ValidationFailed(f"{HEADER} must have 1 to {MAX_KEY} characters", {HEADER: ["bad length"]})
    actor, fingerprint = current_actor().username, _fingerprint()
    try:
        answer = _claim(actor, key, fingerprint)
    except IntegrityError as exc:  # pragma: no cover (the unit of work turns it into Conflict)
        raise Conflict("a request with this Idempotency-Key is still running; retry later") from exc
    if answer is None:
        g.idempotency = Pending(actor, key, fingerprint)
    return answer


def _where(pending: Pending):
    return (IdempotencyRecord.actor == pending.actor, IdempotencyRecord.key == pending.key)


def mark_committed(work: UnitOfWork) -> None:
    """Called by each unit of work of a keyed request before its commit: the claim becomes "committed" in the
    same transaction as the change (unless the answer is already stored there)."""
    pending: Pending | None = g.get("idempotency")
    if pending is None or pending.recorded:
        return
    work.session.execute(update(IdempotencyRecord).where(*_where(pending), IdempotencyRecord.status == CLAIMED)
                         .values(status=COMMITTED))


def _response_schema() -> Any:
    view_class = getattr(current_app.view_functions.get(request.endpoint), "view_class", None)
    method = getattr(view_class, request.method.lower(), None)
    responses = getattr(method, "_apidoc", {}).get("response", {}).get("responses", {})
    for status, docs in sorted(responses.items(), key=lambda item: int(item[0])):
        if 200 <= int(status) < 300 and docs and docs[0].get("schema") is not None:
            return int(status), docs[0]["schema"]
    return None


def record(work: UnitOfWork, shown: Any) -> None:
    """Store the answer of the pending keyed request in `work`'s transaction (`act_then_view`, before commit)."""
    pending: Pending | None = g.get("idempotency")
    found = _response_schema() if pending is not None and not pending.recorded else None
    if found is None:
        return
    status, schema = found
    body = json.dumps(schema.dump(shown), ensure_ascii=False)
    work.session.execute(update(IdempotencyRecord).where(*_where(pending))
                         .values(status=status, response=body))
    pending.recorded = True


def after_request(response: Response) -> Response:
    """Store the answer of a keyed request, or release the claim of one that failed having changed nothing."""
    pending: Pending | None = g.pop("idempotency", None)
    if pending is None or pending.recorded:
        return response
    work = _uow()
    with work:
        row = work.session.get(IdempotencyRecord, (pending.actor, pending.key))
        if row is None:
            return response
        if response.status_code >= 400 and row.status == CLAIMED:
            work.session.execute(delete(IdempotencyRecord).where(*_where(pending)))
        elif not response.is_streamed:
            row.status, row.response = response.status_code, response.get_data(as_text=True)
        work.commit()
    return response


def _document(spec: dict) -> dict:
    prefix = "/api/v1/"
    for path, operations in spec.get("paths", {}).items():
        post = operations.get("post")
        if path.startswith(prefix) and post is not None:
            params = post.setdefault("parameters", [])
            if not any(p.get("name") == HEADER for p in params):
                params.append(dict(DOC))
    return spec


def install(app: Flask, api: Any) -> None:
    """Honour the header on every POST of the API and document it on each (call after `authenticate_first`)."""
    app.before_request(before_request)
    app.after_request(after_request)
    to_dict = api.spec.to_dict
    api.spec.to_dict = lambda: _document(to_dict())  # the document flask-smorest serves and `dmflow` prints
