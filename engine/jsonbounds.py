"""JSON read with a bound on its depth: a document nested 100,000 levels deep is refused, not a RecursionError."""

from __future__ import annotations

import json
from typing import Any

# The deepest JSON accepted from outside (form schemas, request bodies, task data are a few levels deep).
MAX_JSON_DEPTH = 64


def json_depth(value: Any) -> int:
    """How deeply `value` nests lists and objects (0 for a scalar), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item)
    return deepest


def loads_bounded(text: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """`json.loads` that refuses documents nested deeper than `max_depth`.

    Raises:
        ValueError: not JSON, or nested too deep.
    """
    try:
        value = json.loads(text)
    except RecursionError:
        value = None
        depth = max_depth + 1
    else:
        depth = json_depth(value)
    if depth > max_depth:
        raise ValueError(f"JSON 嵌套过深 / JSON nested deeper than {max_depth} levels")
    return value
