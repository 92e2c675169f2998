"""Running a state change and reading its result in one transaction (one BEGIN, one COMMIT per request)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app

from engine.unit_of_work import UnitOfWork


def act_then_view(action: Callable[[UnitOfWork], Any], view: Callable[[UnitOfWork, Any], Any]) -> Any:
    """Run `action(uow)` and then `view(uow, result)` in the same unit of work, and commit once.

    The engine's services open the unit of work themselves; inside an outer block they join it (their
    own commit waits for the outer one), so the response shows exactly what was committed, without a
    second transaction to read it back.
    """
    uow = current_app.extensions["dmflow"].uow()
    with uow:
        result = action(uow)
        shown = view(uow, result)
        uow.commit()
    return shown
