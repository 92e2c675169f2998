"""Domain errors that name the statutory or practice rule they enforce."""

from __future__ import annotations

from typing import Any

from engine.errors import Conflict, ValidationFailed


def _with_rule(rules: list[str], errors: dict[str, Any] | None) -> dict[str, Any]:
    return {"rule": list(rules), **(errors or {})}


class RuleViolation(ValidationFailed):
    """Data breaks a rule of rules.md (422); ``rule`` is its id, e.g. ``max_manager_share``.

    Attributes:
        rule: the first rule broken; rules: every rule broken, also under ``errors["rule"]``.
    """

    def __init__(self, message: str, rule: str | list[str], errors: dict[str, Any] | None = None):
        self.rules = [rule] if isinstance(rule, str) else list(rule)
        self.rule = self.rules[0]
        super().__init__(message, _with_rule(self.rules, errors))


class RuleConflict(Conflict):
    """A rule forbids the action in the current state (409), e.g. opening a vote below quorum.

    Attributes:
        rule: the rule id, also under ``errors["rule"]``.
    """

    def __init__(self, message: str, rule: str, errors: dict[str, Any] | None = None):
        self.rule, self.rules = rule, [rule]
        super().__init__(message, _with_rule(self.rules, errors))
