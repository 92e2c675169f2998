"""A budget for diagram code: wall-clock time and operations per evaluation, enforced inside the sandbox.

Every loop iteration (for, while, comprehension) costs one operation; building a string, list, tuple or
integer costs its size. Operations that would build something larger than one value may hold (`"x" * 10**10`,
`10**10**8`, `range(10**12)`, `"{:>9999999999}".format(1)`) are refused before they allocate, so a bomb can
neither freeze the process (a huge integer operation holds the GIL) nor hold the database write lock for long.
This module holds the meter and the compile-time transform; the guarded operations are in `budget_ops`.
"""

from __future__ import annotations

import ast
import contextlib
import contextvars
import copy
import functools
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Limits:
    """What one script, condition or timer expression may spend (DMFLOW_SCRIPT_* settings)."""

    seconds: float = 0.5
    operations: int = 5_000_000
    max_items: int = 1_000_000  # the longest string/list/tuple/range one operation may build
    max_int_bits: int = 100_000  # about 30,000 decimal digits


class BudgetExceeded(Exception):
    """Diagram code ran out of its budget or tried to build a value beyond the limits."""


class _Meter:
    __slots__ = ("limits", "deadline", "left", "exceeded")

    def __init__(self, limits: Limits):
        self.limits, self.exceeded = limits, None
        self.deadline = time.monotonic() + limits.seconds
        self.left = limits.operations

    def charge(self, cost: int = 1) -> None:
        if self.exceeded is not None:
            raise BudgetExceeded(self.exceeded)
        self.left -= cost
        if self.left < 0:
            self.fail(f"超出运算预算 / more than {self.limits.operations:,} operations")
        if time.monotonic() > self.deadline:
            self.fail(f"超出时间预算 / ran longer than {self.limits.seconds * 1000:.0f} ms")

    def fail(self, why: str) -> None:
        self.exceeded = f"图中代码超出预算：{why.split(' / ')[0]} / diagram code exceeded its budget: " + \
            why.split(" / ")[-1]
        raise BudgetExceeded(self.exceeded)

    def size(self, n: int, what: str) -> None:
        if n > self.limits.max_items:
            self.fail(f"值过大 / {what} of {n:,} items is over the limit of {self.limits.max_items:,}")
        self.charge(max(n, 1))

    def bits(self, n: int, what: str) -> None:
        if n > self.limits.max_int_bits:
            self.fail(f"整数过大 / {what} of about {n:,} bits is over the limit of {self.limits.max_int_bits:,}")
        self.charge(max(n // 64, 1))


_current: contextvars.ContextVar[_Meter | None] = contextvars.ContextVar("dmflow_budget", default=None)


def current_meter() -> _Meter:
    return _current.get() or _Meter(Limits(seconds=float("inf"), operations=1 << 62))


@contextlib.contextmanager
def metered(limits: Limits) -> Iterator[None]:
    """Run diagram code on a fresh budget (a nested evaluation shares the outer one).

    Raises:
        BudgetExceeded: on leaving, if the code caught the budget's exception and went on.
    """
    if _current.get() is not None:
        yield
        return
    meter = _Meter(limits)
    token = _current.set(meter)
    try:
        yield
    finally:
        _current.reset(token)
    if meter.exceeded is not None:
        raise BudgetExceeded(meter.exceeded)


def is_plain_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def tick() -> None:
    current_meter().charge(1)


def getiter(obj: Iterable) -> Iterator:
    meter = current_meter()
    for item in obj:
        meter.charge(1)
        yield item


def bounded_helper(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a helper for diagram code: integer arguments beyond the item limit are refused (`deadline(d,
    10**9)` would compute for minutes), the budget's clock is checked after it, and the result is a copy so
    that diagram code cannot change what the helper shares between calls."""

    @functools.wraps(fn)
    def helper(*args: Any, **kwargs: Any) -> Any:
        meter = current_meter()
        for arg in (*args, *kwargs.values()):
            if is_plain_int(arg) and abs(arg) > meter.limits.max_items:
                meter.fail(f"参数过大 / argument {arg:.3g} of {fn.__name__}() is over the limit")
        result = fn(*args, **kwargs)
        meter.charge(1)
        return copy.deepcopy(result)

    return helper


_BINOPS = {ast.Add: "_add_", ast.Mult: "_mul_", ast.Pow: "_pow_", ast.LShift: "_lshift_", ast.Mod: "_mod_"}


def _call(name: str, args: list[ast.expr], like: ast.AST) -> ast.Call:
    func = ast.copy_location(ast.Name(id=name, ctx=ast.Load()), like)
    for arg in args:
        if not hasattr(arg, "lineno"):
            ast.copy_location(arg, like)
    return ast.copy_location(ast.Call(func=func, args=args, keywords=[]), like)


class MeteringTransformer(ast.NodeTransformer):
    """Mixed into the sandbox policy: a tick in every `while`, and guarded `+ * ** << %` and f-string specs.

    Each method first lets the policy check the original node, then wraps the checked result in calls to
    names the policy itself would refuse in diagram code (so the injected nodes are never re-checked).
    """

    def visit_While(self, node: ast.While) -> ast.AST:
        node = super().visit_While(node)
        tick = ast.copy_location(ast.Expr(_call("_tick_", [], node)), node)
        node.body.insert(0, tick)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = super().visit_BinOp(node)
        name = _BINOPS.get(type(node.op))
        return node if name is None else _call(name, [node.left, node.right], node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        node = super().visit_FormattedValue(node)
        if node.format_spec is None:
            return node
        args = [node.value, ast.Constant(node.conversion), node.format_spec]
        return ast.copy_location(ast.FormattedValue(value=_call("_formatted_", args, node), conversion=-1,
                                                    format_spec=None), node)
