"""A small but valid workers' congress for tests: organisation, term, seated representatives, a meeting."""

from __future__ import annotations

import datetime as dt

from engine.identity import SYSTEM
from workflows.congress import meetings, roster, roster_import

CATEGORIES = ["一线职工"] * 24 + ["技术人员"] * 3 + ["中层管理人员"] * 3


def roster_csv(seats: int, linked: dict[int, str]) -> bytes:
    """`seats` representatives E0001..; `linked` maps a seat number to the username it votes with."""
    lines = ["姓名,工号,代表团,类别,性别,派遣,当选日期,用户名"]
    for i in range(1, seats + 1):
        category = CATEGORIES[(i - 1) % len(CATEGORIES)]
        lines.append(f"代表{i},E{i:04d},第{i % 3 + 1}代表团,{category},{'女' if i % 2 else '男'},"
                     f"{'是' if i in (29, 30) else '否'},2025-01-01,{linked.get(i, '')}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def make_congress(services, *, seats: int = 30, linked: dict[int, str] | None = None,
                  held_on: dt.date = dt.date(2026, 3, 10)) -> dict:
    """Create the congress through the domain services; returns the ids."""
    uow = services.uow
    org = roster.create_organisation(uow(), name="华东机械制造有限公司", headcount=600, women_count=240,
                                     dispatched_count=30, actor=SYSTEM)
    term = roster.create_term(uow(), org.id, number=5, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2029, 12, 31),
                              actor=SYSTEM)
    reps = roster_import.import_representatives(uow(), term.id, roster_csv(seats, linked or {}), actor=SYSTEM)
    meeting = meetings.create_meeting(uow(), term.id, session_number=2, held_on=held_on, rules=services.rules,
                                      actor=SYSTEM)
    return {"organisation_id": org.id, "term_id": term.id, "meeting_id": meeting.id,
            "representatives": {r.employee_no: r.id for r in reps}}
