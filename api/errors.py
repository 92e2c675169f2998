"""One error shape for every 4xx/5xx: {"code", "status", "message", "errors"}."""

from __future__ import annotations

from http import HTTPStatus

from flask import Flask, jsonify

from engine.errors import (
    BadRequest,
    Conflict,
    DmflowError,
    Forbidden,
    NotFound,
    TooManyAttempts,
    TooManyRequests,
    Unauthorized,
    ValidationFailed,
)

STATUS = {
    BadRequest: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooManyAttempts: 429,
    ValidationFailed: 422,
    TooManyRequests: 429,
}


def status_of(error: DmflowError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def payload(code: int, message: str, errors: dict | None = None) -> dict:
    body = {"code": code, "status": HTTPStatus(code).phrase, "message": message}
    if errors:
        body["errors"] = errors
    return body


def register(app: Flask) -> None:
    @app.errorhandler(DmflowError)
    def handle_dmflow_error(error: DmflowError):
        code = status_of(error)
        response = jsonify(payload(code, error.message, error.errors))
        response.status_code = code
        if code == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="dmflow"'
        if getattr(error, "retry_after", None):
            response.headers["Retry-After"] = str(error.retry_after)
        return response
