"""The RestrictedPython sandbox in which diagram code (scripts, conditions, timers, services) runs."""

from __future__ import annotations

import ast
import builtins
import copy
import functools
import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from types import CodeType
from typing import Any

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr,
)
from RestrictedPython.PrintCollector import PrintCollector
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from . import budget, budget_ops
from .budget import Limits, MeteringTransformer, metered
from .serialization import drop_unserialisable

_DURATION = (
    r"P(?:\d+W|(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+D)?"
    r"(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:[.,]\d+)?S)?)?)"
)
_DATE = r"\d{4}-\d{2}-\d{2}"
_DATETIME = rf"{_DATE}T\d{{2}}:\d{{2}}(?::\d{{2}}(?:\.\d{{1,6}})?)?(?:Z|[+-]\d{{2}}:\d{{2}})"
# Only the interval shapes SpiffWorkflow's parse_iso_recurring_interval can actually compute.
_CYCLE = rf"R\d*/(?:{_DURATION}|{_DATETIME}/{_DURATION}|{_DURATION}/{_DATETIME})"
_ISO_LITERAL = re.compile(rf"{_DURATION}|{_DATETIME}|{_DATE}|{_CYCLE}")
_NAIVE_DATETIME = re.compile(rf"{_DATE}T\d{{2}}:\d{{2}}(?::\d{{2}}(?:\.\d+)?)?")
_LINE_PREFIX = re.compile(r"^Line (\d+|None): ")

# Not escapes on their own when absent from the builtins, but refusing them at deploy time gives the
# designer a clear message instead of a NameError on the day the branch is first taken.
_FORBIDDEN_CALLS = frozenset({
    "open", "getattr", "setattr", "delattr", "hasattr", "globals", "locals", "vars", "dir", "compile",
    "breakpoint", "input", "help", "exit", "quit", "memoryview", "type", "super", "object",
})
_EXTRA_BUILTINS = (
    "len", "sum", "min", "max", "sorted", "any", "all", "abs", "round", "range", "enumerate", "zip", "dict",
    "list", "set", "tuple", "str", "int", "float", "bool", "isinstance", "map", "filter", "reversed",
)
# RestrictedPython leaves out sorted/zip/map/... only because they bypass _getiter_; our _getiter_ checks
# nothing (there is no per-object security policy here), so they open no hole.
_BUILTINS: dict[str, Any] = {
    name: value for name, value in safe_builtins.items()
    if name not in _FORBIDDEN_CALLS and name != "__build_class__"
} | {name: getattr(builtins, name) for name in _EXTRA_BUILTINS} | budget_ops.GUARDED_BUILTINS


def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


def _getattr(obj: Any, name: str, default: Any = None) -> Any:
    return budget_ops.guard_method(obj, name, safer_getattr(obj, name, default))


_GUARDS: dict[str, Any] = {
    "__builtins__": _BUILTINS, "_getattr_": _getattr, "_getitem_": default_guarded_getitem,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence, "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard, "_apply_": _apply, "_print_": PrintCollector,
} | budget_ops.GUARDS


class ScriptCompileError(Exception):
    """Code refused before running (bad syntax or a forbidden construct); `lineno` is 1-based or None.

    Not a SyntaxError: SpiffWorkflow's error reporting reads `lineno` from those and crashes on None.
    """

    def __init__(self, message: str, source: str, lineno: int | None = None):
        self.message, self.source, self.lineno = message, source, lineno
        lines = source.splitlines()
        text = f"Script rejected at line {lineno}: {message}" if lineno else f"Script rejected: {message}"
        if lineno and 0 < lineno <= len(lines):
            text += f" (in: {lines[lineno - 1].strip()!r})"
        super().__init__(text)


class UnknownServiceError(LookupError):
    """A service task names an operation that no registered service handles."""


class _Policy(MeteringTransformer, RestrictingNodeTransformer):
    """RestrictedPython's policy, plus refusing imports, classes and escape-only builtins at compile time,
    plus the budget's loop ticks and guarded operators (engine.budget)."""

    def _refuse(self, node: ast.stmt, message: str) -> ast.AST:
        self.error(node, message)
        return node

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> ast.AST:
        return self._refuse(node, "Imports are not allowed; ask an administrator for a helper instead.")

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        return self._refuse(node, "Class definitions are not allowed.")

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if isinstance(node.func, ast.Name) and node.func.id in _FORBIDDEN_CALLS:
            self.error(node, f"Calling '{node.func.id}' is not allowed.")
        return super().visit_Call(node)


def iso_literal(source: str) -> str | None:
    """Return the stripped text if it is a bare ISO-8601 duration, date, date-time or cycle, else None.

    Modelers (bpmn-js, Camunda) write timers as `PT1H`; SpiffWorkflow evaluates them as Python. Date-times
    must carry `Z` or an offset because SpiffWorkflow reads naive ones in the server's local time.
    """
    text = source.strip()
    if not _ISO_LITERAL.fullmatch(text):
        return None
    for part in text.split("/"):
        if part[:1].isdigit():
            try:
                datetime.fromisoformat(part)
            except ValueError:
                return None
    return text


def _error_from(errors: list[str], source: str) -> ScriptCompileError:
    found = [(_LINE_PREFIX.match(error), error) for error in dict.fromkeys(errors)]
    lines = [int(match.group(1)) for match, _ in found if match and match.group(1).isdigit()]
    message = "; ".join(error[match.end():] if match else error for match, error in found)
    if _NAIVE_DATETIME.fullmatch(source.strip()):
        message += " (an ISO-8601 date-time needs an explicit offset such as Z or +08:00)"
    return ScriptCompileError(message, source, min((n for n in lines if n > 0), default=None))


@functools.lru_cache(maxsize=2048)
def _compile(source: str, mode: str) -> CodeType:
    # Filename '<string>' is what SpiffWorkflow looks for in tracebacks to report the failing line.
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(source, filename="<string>", policy=_Policy)
    if result.errors or result.code is None:
        raise _error_from(list(result.errors) or ["cannot be compiled"], source)
    return result.code


def check_expression(source: str) -> None:
    """Compile-check an expression (gateway condition, timer, parameter) without running it.

    Raises:
        ScriptCompileError: bad syntax or a construct the sandbox forbids.
    """
    if iso_literal(source) is None:
        _compile(source.strip(), "eval")


def check_script(source: str) -> None:
    """Compile-check a script body (script task, pre/post script) without running it.

    Raises:
        ScriptCompileError: bad syntax or a construct the sandbox forbids.
    """
    _compile(source, "exec")


class SandboxEnvironment(TaskDataEnvironment):
    """TaskDataEnvironment that compiles with RestrictedPython and runs with restricted globals."""

    def __init__(self, helpers: Mapping[str, Callable] | None = None,
                 services: Mapping[str, Callable[..., Any]] | None = None, limits: Limits | None = None):
        """Take helpers (callable by name from code; keep them side-effect free), service handlers and the
        budget of each evaluation (engine.budget.Limits).

        A service handler is `handler(params, task_data) -> JSON-serialisable value`. Helpers are wrapped:
        integer arguments beyond the budget's item limit are refused and results are copies.

        Raises:
            ValueError: a helper name is not an identifier or starts with an underscore.
        """
        helpers = dict(helpers or {})
        for name in helpers:
            if not name.isidentifier() or name.startswith("_"):
                raise ValueError(f"Helper name {name!r} must be an identifier not starting with '_'")
        helpers = {name: budget.bounded_helper(fn) for name, fn in helpers.items()}
        super().__init__({**helpers, **_GUARDS})
        self.services = dict(services or {})
        self.limits = limits or Limits()

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        """Evaluate an expression against task data, passing bare ISO-8601 literals through.

        Raises:
            ScriptCompileError: the expression is refused. Any exception the expression raises.
        """
        literal = iso_literal(expression)
        if literal is not None:
            return literal
        code = _compile(expression.strip(), "eval")
        my_globals = copy.copy(self.globals)
        self._prepare_context(context)
        my_globals.update(external_context or {})
        my_globals.update(context)
        # Task data comes from forms and must never replace the builtins or the guards.
        my_globals.update(_GUARDS)
        with metered(self.limits):
            return eval(code, my_globals)

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        """Run a script with task data as its globals; names it leaves behind become task data.

        Raises:
            ValueError: task data shadows a helper. ScriptCompileError: the script is refused.
            BudgetExceeded: the script ran out of its budget. TypeError: it left a value that is not JSON
            data (a generator, range, map, exception...); such values are removed. Any exception it raises.
        """
        self.check_for_overwrite(context, external_context or {})
        code = _compile(script, "exec")
        self._prepare_context(context)
        context.update(self.globals)
        context.update(external_context or {})
        context.update(_GUARDS)
        try:
            with metered(self.limits):
                exec(code, context)
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        drop_unserialisable(context)
        return True

    def call_service(self, context: dict, operation_name: str, operation_params: Mapping[str, Any]) -> str:
        """Dispatch a service task to its registered handler; return its result as JSON.

        Raises:
            UnknownServiceError: no handler is registered under `operation_name`.
            TypeError: the handler's result is not JSON-serialisable. Any exception the handler raises.
        """
        handler = self.services.get(operation_name)
        if handler is None:
            known = ", ".join(sorted(self.services)) or "none"
            raise UnknownServiceError(f"No service is registered for operation '{operation_name}' "
                                      f"(registered: {known})")
        params = {name: param["value"] if isinstance(param, Mapping) else param
                  for name, param in (operation_params or {}).items()}
        return json.dumps(handler(params, context))


def _describe(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}" if str(err) else type(err).__name__


class SandboxScriptEngine(PythonScriptEngine):
    """PythonScriptEngine whose error paths keep the cause instead of crashing or hiding it."""

    def evaluate(self, task: Any, expression: str, external_context: dict | None = None) -> Any:
        """Evaluate an expression for a task (upstream drops the cause from the message; we keep it).

        Raises:
            WorkflowTaskException: the expression was refused or raised.
        """
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as err:
            err.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as err:
            message = f"Error evaluating expression '{expression}'"
            wte = WorkflowTaskException(message, task=task, exception=err)
            wte.add_note(_describe(err))
            raise wte from err

    def call_service(self, task: Any, **kwargs: Any) -> str:
        """Call a service for a service task (upstream 3.2.0 raises NameError 'script' here on failure).

        Raises:
            WorkflowTaskException: the service is unknown or failed.
        """
        try:
            return self.environment.call_service(task.data, **kwargs)
        except SpiffWorkflowException as err:
            err.add_note(f"Service '{kwargs.get('operation_name')}' failed")
            raise
        except Exception as err:
            message = f"Service '{kwargs.get('operation_name')}' failed: {_describe(err)}"
            raise WorkflowTaskException(message, task=task, exception=err) from err

    def create_task_exec_exception(self, task: Any, script: str, err: Exception) -> Exception:
        # Upstream builds its message with `":" + err.args[0]`, a TypeError for KeyError(1) and friends.
        if isinstance(err, SpiffWorkflowException):
            return super().create_task_exec_exception(task, script, err)
        line_number, error_line = self.get_error_line_number_and_content(script, err)
        return WorkflowTaskException(_describe(err), task=task, exception=err,
                                     line_number=line_number, error_line=error_line)

    def get_error_line_number_and_content(self, script: str, err: Exception) -> tuple[int, str]:
        if isinstance(err, ScriptCompileError):
            lines = script.splitlines()
            if err.lineno and 0 < err.lineno <= len(lines):
                return err.lineno, lines[err.lineno - 1]
            return 0, ""
        return super().get_error_line_number_and_content(script, err)


def make_script_engine(helpers: Mapping[str, Callable] | None = None,
                       services: Mapping[str, Callable[..., Any]] | None = None,
                       limits: Limits | None = None) -> PythonScriptEngine:
    """Build the script engine every workflow of ours must use (set it again after each deserialize).

    Raises:
        ValueError: a helper name is invalid (see SandboxEnvironment).
    """
    return SandboxScriptEngine(environment=SandboxEnvironment(helpers, services, limits))
