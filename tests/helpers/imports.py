"""The import graph of our packages, read from the source (imports inside functions included).

Used by tests/test_architecture.py. A module's node is its dotted name (``workflows.congress.ballots``); a
package's node is the package name (its ``__init__``). Only explicit imports are edges: the implicit import of
a parent package when a submodule loads is not (Python runs it before the submodule, never as a loop).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

OURS = ("engine", "workflows", "api")


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(current: str, is_package: bool, level: int, module: str | None) -> str:
    if level == 0:
        return module or ""
    base = current.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def imports_of(source: str, current: str, is_package: bool) -> set[str]:
    """Every module name an import statement in `source` names, at any depth, made absolute.

    ``from a.b import c`` yields ``a.b`` and ``a.b.c`` (c may be a module or a name; the caller keeps the
    names that are modules).
    """
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(current, is_package, node.level, node.module)
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def graph(root: Path, packages: Iterable[str] = OURS) -> dict[str, set[str]]:
    """{module: the modules of ours it imports}, for every module under `packages` (migrations excluded)."""
    files = {module_name(root, p): p for pkg in packages for p in (root / pkg).rglob("*.py")
             if "migrations" not in p.parts}
    edges: dict[str, set[str]] = {}
    for name, path in files.items():
        found = imports_of(path.read_text(encoding="utf-8"), name, path.name == "__init__.py")
        ancestors = {name.rsplit(".", k)[0] for k in range(1, name.count(".") + 1)}
        edges[name] = {n for n in found if n in files and n != name and n not in ancestors}
    return edges


def cycles(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:  # recursion depth is bounded by the module count (a few hundred)
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for succ in edges.get(node, ()):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def _area(module: str, procedures: set[str]) -> str:
    parts = module.split(".")
    if parts[0] == "workflows" and len(parts) > 1 and parts[1] in procedures:
        return f"workflows.{parts[1]}"
    return parts[0]


def violations(edges: Mapping[str, set[str]], allowed: Mapping[str, set[str]],
               procedures: set[str], shared_may_use_procedures: set[str]) -> list[str]:
    """Imports that cross a boundary: `allowed` maps an area to the areas it may import besides itself.

    Areas are ``engine``, ``api``, ``workflows`` (the shared modules) and ``workflows.<procedure>``. A shared
    workflows module may import a procedure only if it is one of `shared_may_use_procedures`.
    """
    found = []
    for module, targets in sorted(edges.items()):
        source = _area(module, procedures)
        for target in sorted(targets):
            dest = _area(target, procedures)
            if dest == source:
                continue
            if source == "workflows" and dest.startswith("workflows.") and module in shared_may_use_procedures:
                continue
            if dest not in allowed.get(source, set()):
                found.append(f"{module} -> {target}")
    return found
