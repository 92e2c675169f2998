"""Running a state change and reading its result in one transaction (one BEGIN, one COMMIT per request)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app

from engine.unit_of_work import UnitOfWork


def services():
    """The app's `api.Services` (database engine, clock, runtime configuration, rules, calendar)."""
    return current_app.extensions["dmflow"]


def uow(readonly: bool = False) -> UnitOfWork:
    """A new unit of work of the current app (``readonly`` begins a deferred transaction on SQLite)."""
    return services().uow(readonly=readonly)


def act_then_view(action: Callable[[UnitOfWork], Any], view: Callable[[UnitOfWork, Any], Any]) -> Any:
    """Run `action(uow)` and then `view(uow, result)` in the same unit of work, and commit once.

    The engine's services open the unit of work themselves; inside an outer block they join it (their
    own commit waits for the outer one), so the response shows exactly what was committed, without a
    second transaction to read it back.
    """
    work = uow()
    with work:
        result = action(work)
        shown = view(work, result)
        work.commit()
    return shown
