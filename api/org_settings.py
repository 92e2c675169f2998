"""An organisation's settings as the API and the 组织管理 pages check them: each rule override must make valid
``Rules`` (``workflows.rules``), the notice document-number pattern may use only its three fields."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from fractions import Fraction
from typing import Any

from workflows.notices import reference_number
from workflows.rules import Rules

RULE_PREFIX = "rule_"


def kind_of(default: Any) -> str:
    """How a rule's value is entered: int, share (a fraction), range (min-max), bool or choice (an enum)."""
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, StrEnum):
        return "choice"
    if isinstance(default, Fraction):
        return "share"
    if isinstance(default, tuple):
        return "range"
    return "int"


def rule_fields() -> list[tuple[str, str, Any]]:
    """(name, kind, default) of every rule, in the order ``Rules`` declares them."""
    return [(f.name, kind_of(f.default), f.default) for f in dataclasses.fields(Rules)]


def invalid_settings(settings: dict[str, Any] | None) -> dict[str, str]:
    """The settings that are not valid, each with what is wrong (English, as the API says it)."""
    wrong: dict[str, str] = {}
    for key, value in (settings or {}).items():
        if key.startswith(RULE_PREFIX):
            try:
                Rules.from_mapping({key[len(RULE_PREFIX):]: value}, prefix="")
            except (ValueError, TypeError) as error:
                wrong[key] = str(error)
        elif key == "notice_reference_pattern":
            try:
                reference_number(str(value), org_short="", year=2026, seq=1)
            except ValueError as error:
                wrong[key] = str(error)
    return wrong
