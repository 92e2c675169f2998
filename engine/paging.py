"""Paging lists that stay fast as tables grow: keyset cursors over (created_at, id) and a bounded total.

A cursor (``after``) names the last row a client has seen; the next page starts right after it in the list's
order, so a page costs an index range scan of one page whatever its depth (an offset walks every row before
it). The total is counted up to `COUNT_CAP` rows: beyond that ``total_capped`` says it is a lower bound.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select

from .errors import ValidationFailed

COUNT_CAP = 1_000


def cursor_of(created_at: datetime, row_id: str) -> str:
    """An opaque cursor for the row (created_at, id)."""
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{row_id}".encode()).decode().rstrip("=")


def parse_cursor(cursor: str) -> tuple[datetime, str]:
    """Raises: ValidationFailed (422): not a cursor this API gave out."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, row_id = text.split("|", 1)
        moment = datetime.fromisoformat(stamp)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValidationFailed("'after' is not a cursor of this list: pass the 'next' value of the previous page",
                               {"after": ["not a cursor of this list"]}) from exc
    if moment.utcoffset() is None or not row_id:
        raise ValidationFailed("'after' is not a cursor of this list", {"after": ["not a cursor of this list"]})
    return moment, row_id


def after(created_col, id_col, cursor: str, *, newest_first: bool):
    """The condition "after the cursor's row" in the order (created_at desc|asc, id asc), written so that the
    created_at index bounds the scan."""
    moment, row_id = parse_cursor(cursor)
    if newest_first:
        return and_(created_col <= moment, or_(created_col < moment, id_col > row_id))
    return and_(created_col >= moment, or_(created_col > moment, id_col > row_id))


def bounded_total(session, query) -> tuple[int, bool]:
    """(rows matching `query`, counted up to COUNT_CAP; True if there are more)."""
    found = session.scalar(select(func.count()).select_from(query.order_by(None).limit(COUNT_CAP + 1).subquery()))
    return min(found, COUNT_CAP), found > COUNT_CAP


def page_of(rows: list, per_page: int, key) -> tuple[list, str | None]:
    """The page's rows (of per_page + 1 fetched) and the cursor of the next page, None on the last one."""
    if len(rows) <= per_page:
        return rows, None
    rows = rows[:per_page]
    created_at, row_id = key(rows[-1])
    return rows, cursor_of(created_at, row_id)


def listing(items: list[dict[str, Any]], total: tuple[int, bool], page: int, per_page: int,
            next_cursor: str | None) -> dict[str, Any]:
    return {"items": items, "total": total[0], "total_capped": total[1], "page": page, "per_page": per_page,
            "next": next_cursor}
