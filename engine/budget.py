"""A budget for diagram code: wall-clock time and operations per evaluation, enforced inside the sandbox.

Every loop iteration (for, while, comprehension) costs one operation; building a string, list, tuple or
integer costs its size. Operations that would build something larger than one value may hold (`"x" * 10**10`,
`10**10**8`, `range(10**12)`, `"{:>9999999999}".format(1)`) are refused before they allocate, so a bomb can
neither freeze the process (a huge integer operation holds the GIL) nor hold the database write lock for long.
"""

from __future__ import annotations

import ast
import contextlib
import contextvars
import copy
import functools
import operator
import re
import string
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from numbers import Number
from typing import Any

_SEQUENCES = (str, bytes, bytearray, list, tuple)
_SPEC_NUMBERS = re.compile(r"\d+")
_PERCENT_SPEC = re.compile(r"%[-#0 +]*(\*|\d*)(?:\.(\*|\d*))?")


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


def _meter() -> _Meter:
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


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def tick() -> None:
    _meter().charge(1)


def getiter(obj: Iterable) -> Iterator:
    meter = _meter()
    for item in obj:
        meter.charge(1)
        yield item


def _check_add(a: Any, b: Any) -> None:
    if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
        _meter().size(len(a) + len(b), "a concatenation")


def _check_mul(a: Any, b: Any) -> None:
    meter = _meter()
    if _is_int(a) and _is_int(b):
        meter.bits(a.bit_length() + b.bit_length(), "a product")
    elif isinstance(a, _SEQUENCES) and _is_int(b) or isinstance(b, _SEQUENCES) and _is_int(a):
        seq, n = (a, b) if isinstance(a, _SEQUENCES) else (b, a)
        meter.size(len(seq) * max(n, 0), "a repetition")


def _check_pow(a: Any, b: Any) -> None:
    if _is_int(a) and _is_int(b) and b > 0 and abs(a) > 1:
        _meter().bits(a.bit_length() * b, "a power")


def _check_lshift(a: Any, b: Any) -> None:
    if _is_int(a) and _is_int(b) and a and b > 0:
        _meter().bits(a.bit_length() + b, "a shift")


def _check_mod(a: Any, b: Any) -> None:
    if isinstance(a, (str, bytes)):
        _check_widths(_PERCENT_SPEC.findall(a if isinstance(a, str) else a.decode("latin-1")), "%")


def power(a: Any, b: Any, mod: Any = None) -> Any:
    """The builtin `pow`, refusing results beyond the integer limit."""
    if mod is None:
        _check_pow(a, b)
    return pow(a, b, mod)


def _guarded(check: Callable[[Any, Any], None], apply: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def run(a: Any, b: Any) -> Any:
        check(a, b)
        return apply(a, b)

    return run


_CHECKS = {"+": _check_add, "*": _check_mul, "**": _check_pow, "<<": _check_lshift, "%": _check_mod}
_INPLACE_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow, "<<=": operator.ilshift,
    ">>=": operator.irshift, "&=": operator.iand, "|=": operator.ior, "^=": operator.ixor,
    "@=": operator.imatmul,
}


def inplace(op: str, target: Any, value: Any) -> Any:
    """RestrictedPython's `_inplacevar_` (`x += y` on a name), with the same checks as the binary operators."""
    check = _CHECKS.get(op[:-1])
    if check is not None:
        check(target, value)
    return _INPLACE_OPS[op](target, value)


def _check_widths(groups: list[tuple[str, str]], how: str) -> None:
    meter = _meter()
    for group in groups:
        for part in group:
            if part == "*" or part.startswith("{"):
                meter.fail(f"不允许动态宽度 / a computed width in {how}-formatting is not allowed")
            if part.isdigit():
                meter.size(int(part), "a formatted field")


def _check_spec(spec: str) -> None:
    _check_widths([("{" if "{" in spec else "",) + tuple(_SPEC_NUMBERS.findall(spec))], "{}")


def formatted(value: Any, conversion: int, spec: str) -> str:
    """An f-string field with a format spec (`f"{x:>10}"`), its widths checked before formatting."""
    _check_spec(spec)
    value = {115: str, 114: repr, 97: ascii}.get(conversion, lambda v: v)(value)
    return format(value, spec)


def bounded_range(*args: int) -> range:
    result = range(*args)
    try:
        n = len(result)
    except OverflowError:
        n = 1 << 63
    _meter().size(n, "a range")
    return result


def guarded_sum(iterable: Iterable, start: Any = 0) -> Any:
    if isinstance(start, Number):
        return sum(getiter(iterable), start)
    total = start
    for item in getiter(iterable):
        _check_add(total, item)
        total = total + item
    return total


def _format_call(template: str, method: Any) -> Any:
    for _, _, spec, _ in string.Formatter().parse(template):
        if spec:
            _check_spec(spec)
    return method


def guard_method(obj: Any, name: str, method: Any) -> Any:
    """Wrap methods of built-in values so that their arguments and results stay within the limits."""
    if not isinstance(obj, (*_SEQUENCES, int)) or not callable(method):
        return method
    if name in ("format", "format_map") and isinstance(obj, str):
        return _format_call(obj, method)

    def call(*args: Any, **kwargs: Any) -> Any:
        meter = _meter()
        for arg in (*args, *kwargs.values()):
            if _is_int(arg) and abs(arg) > meter.limits.max_items:
                meter.fail(f"参数过大 / argument {arg:.3g} of {type(obj).__name__}.{name}() is over the limit")
        if name == "join":
            args = (list(getiter(args[0])),)
            meter.size(sum(len(a) for a in args[0] if isinstance(a, _SEQUENCES)), "a join")
        elif name == "replace" and len(args) >= 2 and isinstance(obj, (str, bytes)):
            hits = obj.count(args[0]) if args[0] else len(obj) + 1
            meter.size(len(obj) + hits * len(args[1]), "a replacement")
        elif name == "expandtabs":
            meter.size(len(obj) + obj.count("\t") * (args[0] if args else 8), "expanded tabs")
        elif name == "extend" and hasattr(args[0], "__len__"):
            meter.size(len(obj) + len(args[0]), "an extended list")
        result = method(*args, **kwargs)
        if isinstance(result, _SEQUENCES):
            meter.size(len(result), f"the result of {name}()")
        return result

    return call


def bounded_helper(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a helper for diagram code: integer arguments beyond the item limit are refused (`deadline(d,
    10**9)` would compute for minutes), the budget's clock is checked after it, and the result is a copy so
    that diagram code cannot change what the helper shares between calls."""

    @functools.wraps(fn)
    def helper(*args: Any, **kwargs: Any) -> Any:
        meter = _meter()
        for arg in (*args, *kwargs.values()):
            if _is_int(arg) and abs(arg) > meter.limits.max_items:
                meter.fail(f"参数过大 / argument {arg:.3g} of {fn.__name__}() is over the limit")
        result = fn(*args, **kwargs)
        meter.charge(1)
        return copy.deepcopy(result)

    return helper


# Names the transformed code calls; they start with '_' so that diagram code cannot name them itself.
GUARDS: dict[str, Any] = {
    "_tick_": tick, "_getiter_": getiter, "_inplacevar_": inplace, "_formatted_": formatted,
    "_add_": _guarded(_check_add, operator.add), "_mul_": _guarded(_check_mul, operator.mul),
    "_pow_": _guarded(_check_pow, operator.pow), "_lshift_": _guarded(_check_lshift, operator.lshift),
    "_mod_": _guarded(_check_mod, operator.mod),
}
GUARDED_BUILTINS = {"range": bounded_range, "pow": power, "sum": guarded_sum}
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
