"""The pages, one module per area; each registers its routes on `core.blp` and its own menu entries."""

from __future__ import annotations

from . import admin, cases, congress, design, disclosure, home, notices, work  # noqa: F401  (routes and menu entries)
