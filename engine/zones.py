"""Time zones as organisations use them: each organisation's zone (its ``time_zone`` setting, else its
federations', else the installation's), and how people name a zone (北京时间, not "Asia/Shanghai")."""

from __future__ import annotations

from sqlalchemy import select

from . import tenancy
from .models import Organisation

# What people call the time of a zone (北京时间, not "Asia/Shanghai 时间"); other zones show their key.
ZONE_NAMES: dict[str, tuple[str, str]] = {
    "Asia/Shanghai": ("北京时间", "Beijing time"), "Asia/Chongqing": ("北京时间", "Beijing time"),
    "Asia/Harbin": ("北京时间", "Beijing time"), "PRC": ("北京时间", "Beijing time"),
    "Asia/Urumqi": ("乌鲁木齐时间", "Urumqi time"), "Asia/Hong_Kong": ("香港时间", "Hong Kong time"),
    "Asia/Macau": ("澳门时间", "Macau time"), "Asia/Taipei": ("台北时间", "Taipei time"),
    "UTC": ("协调世界时", "UTC"), "Etc/UTC": ("协调世界时", "UTC"),
}


def zone_name(key: str, lang: str = "zh-CN") -> str:
    """A time zone as people name it: Asia/Shanghai -> 北京时间 (Beijing time); unknown zones by their key."""
    names = ZONE_NAMES.get(key)
    if names is None:
        return f"{key} 时间" if lang == "zh-CN" else key
    return names[0] if lang == "zh-CN" else names[1]


def zone_of(bind, org_id: int | None, default: str) -> str:
    """The time zone an organisation works in: its ``time_zone`` setting, else its nearest federation's, else
    ``default`` (the installation's DMFLOW_TIMEZONE)."""
    return str(tenancy.effective_settings(bind, org_id).get("time_zone") or default)


def zones_within(session, org_id: int) -> dict[int, str | None]:
    """The ``time_zone`` setting in force (None: the installation's) of an organisation and of every organisation
    below it, as ``session`` sees the table (a change not yet committed included, unlike `zone_of`'s cache)."""
    rows = {i: (p, (s or {}).get("time_zone")) for i, p, s in
            session.execute(select(Organisation.id, Organisation.parent_id, Organisation.settings))}

    def zone(org: int | None) -> str | None:
        seen: set[int] = set()
        while org is not None and org in rows and org not in seen:
            seen.add(org)
            if rows[org][1]:
                return str(rows[org][1])
            org = rows[org][0]
        return None

    within, level = {org_id}, {org_id}
    while level:
        level = {i for i, (parent, _) in rows.items() if parent in level and i not in within}
        within |= level
    return {org: zone(org) for org in sorted(within)}
