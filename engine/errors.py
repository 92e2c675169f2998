"""The engine's error hierarchy: every error says what went wrong and where."""

from __future__ import annotations

from typing import Any


class DmflowError(Exception):
    """Root of every error that dmflow reports to a caller.

    Attributes:
        message: one sentence for a human, saying what is wrong.
        errors: optional details keyed by where they apply (a field path, a file, an element id).
    """

    def __init__(self, message: str, errors: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class BadRequest(DmflowError):
    """The request cannot be understood (missing file, wrong encoding, ...)."""


class Unauthorized(DmflowError):
    """No credentials, or credentials that match no active user."""


class Forbidden(DmflowError):
    """The caller is known but may not do this."""


class NotFound(DmflowError):
    """The thing asked for does not exist."""


class Conflict(DmflowError):
    """The request is valid but clashes with the current state (stale version, already done)."""


STALE = "The record was changed by someone else; reload and try again."  # a Conflict's message for a stale version


class TooManyRequests(DmflowError):
    """The caller did this too often (a per-user limit); ``retry_after`` seconds until it may again, if known."""

    def __init__(self, message: str, errors: dict[str, Any] | None = None, *, retry_after: int | None = None):
        super().__init__(message, errors)
        self.retry_after = retry_after


class TaskNotReady(Conflict):
    """The task exists but cannot be completed now (already completed, cancelled, instance not running)."""


class TooManyAttempts(DmflowError):
    """Refused for now after too many failures (sign-in lockout); `retry_after` is in seconds."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, {"retry_after": retry_after})
        self.retry_after = retry_after


class ValidationFailed(DmflowError):
    """Submitted data does not satisfy a schema or a rule; `errors` maps field paths to messages."""


class InvalidDiagram(ValidationFailed):
    """A BPMN/DMN/form file cannot be deployed.

    Attributes:
        file: the file name, line: the line number, element_id: the BPMN element, when known.
    """

    def __init__(self, message: str, file: str = "", line: int | None = None, element_id: str = "",
                 errors: dict[str, Any] | None = None):
        where = {"file": file, "line": line, "element_id": element_id, "reason": message}
        super().__init__(message, errors or {"diagram": [where]})
        self.file, self.line, self.element_id = file, line, element_id
