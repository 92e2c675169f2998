"""Reading domain records: get-or-404, optionally locked for the rest of the transaction."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.errors import NotFound


def fetch(session: Session, cls: Any, ident: int, what: str, *, lock: bool = False) -> Any:
    """The row of ``cls`` with this id, locked FOR UPDATE if asked. Raises: NotFound naming ``what``."""
    row = session.scalar(_by_id(cls, lock), {"ident": ident})
    if row is None:
        raise NotFound(f"{what} {ident} does not exist")
    return row


@functools.cache
def _by_id(cls: Any, lock: bool):
    """The statement of `fetch`, built once per class (its compiled form is then cached by SQLAlchemy)."""
    query = select(cls).where(cls.id == bindparam("ident"))
    return query.with_for_update() if lock else query
