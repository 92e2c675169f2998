"""The guarded operations of the budget (engine.budget): `+ * ** << %`, formatting, `range`, `sum`, `pow`
and the methods of built-in values, each refusing to build a value beyond the limits before it allocates."""

from __future__ import annotations

import operator
import re
import string
from collections.abc import Callable, Iterable
from numbers import Number
from typing import Any

from .budget import current_meter, getiter, is_plain_int, tick

_SEQUENCES = (str, bytes, bytearray, list, tuple)
_SPEC_NUMBERS = re.compile(r"\d+")
_PERCENT_SPEC = re.compile(r"%[-#0 +]*(\*|\d*)(?:\.(\*|\d*))?")


def _check_add(a: Any, b: Any) -> None:
    if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
        current_meter().size(len(a) + len(b), "a concatenation")


def _check_mul(a: Any, b: Any) -> None:
    meter = current_meter()
    if is_plain_int(a) and is_plain_int(b):
        meter.bits(a.bit_length() + b.bit_length(), "a product")
    elif isinstance(a, _SEQUENCES) and is_plain_int(b) or isinstance(b, _SEQUENCES) and is_plain_int(a):
        seq, n = (a, b) if isinstance(a, _SEQUENCES) else (b, a)
        meter.size(len(seq) * max(n, 0), "a repetition")


def _check_pow(a: Any, b: Any) -> None:
    if is_plain_int(a) and is_plain_int(b) and b > 0 and abs(a) > 1:
        current_meter().bits(a.bit_length() * b, "a power")


def _check_lshift(a: Any, b: Any) -> None:
    if is_plain_int(a) and is_plain_int(b) and a and b > 0:
        current_meter().bits(a.bit_length() + b, "a shift")


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
    meter = current_meter()
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
    current_meter().size(n, "a range")
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
        meter = current_meter()
        for arg in (*args, *kwargs.values()):
            if is_plain_int(arg) and abs(arg) > meter.limits.max_items:
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


# Names the transformed code calls; they start with '_' so that diagram code cannot name them itself.
GUARDS: dict[str, Any] = {
    "_tick_": tick, "_getiter_": getiter, "_inplacevar_": inplace, "_formatted_": formatted,
    "_add_": _guarded(_check_add, operator.add), "_mul_": _guarded(_check_mul, operator.mul),
    "_pow_": _guarded(_check_pow, operator.pow), "_lshift_": _guarded(_check_lshift, operator.lshift),
    "_mod_": _guarded(_check_mod, operator.mod),
}
GUARDED_BUILTINS = {"range": bounded_range, "pow": power, "sum": guarded_sum}
