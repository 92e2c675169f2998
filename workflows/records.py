"""Reading domain records: get-or-404, optionally locked for the rest of the transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import NotFound


def fetch(session: Session, cls: Any, ident: int, what: str, *, lock: bool = False) -> Any:
    """The row of ``cls`` with this id, locked FOR UPDATE if asked. Raises: NotFound naming ``what``."""
    query = select(cls).where(cls.id == ident)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(f"{what} {ident} does not exist")
    return row
