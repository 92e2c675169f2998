"""The congress driver: a valid workers' congress (organisation, term, roster, meeting) built through the domain.

Every test that needs a congress builds it here, with the roster's mix given by counts (managers, women,
dispatched) so that a test states only what matters to it:

- ``make_term`` + ``seat``: an organisation and a term, then a roster (CSV rows from ``roster_rows``);
- ``convened_meeting``: all of that plus a meeting convened on ``held_on``, with the first ``present`` checked in;
- ``make_congress``: the small congress of the API and page tests (30 seats, a planned meeting), returning ids;
- ``CongressApi``: the same steps through the HTTP API, for the congress API's own tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from io import BytesIO

from engine.identity import SYSTEM, Actor
from workflows.congress import meetings, roster, roster_import

ADMIN = Actor("admin", frozenset({"admin"}))
CHAIR = Actor("chair", frozenset({"presidium"}))
HEADER = "姓名,工号,代表团,类别,性别,派遣,当选日期,用户名\n"
ELECTED, MEETING_DAY = dt.date(2026, 1, 10), dt.date(2026, 3, 2)
Usernames = Mapping[int, str] | Callable[[int], str] | None


def rep_username(i: int) -> str:
    return f"rep{i:03d}"


def rep(i: int) -> Actor:
    """Representative seat i, voting with the account rep001.. that ``roster_rows`` links by default."""
    return Actor(rep_username(i), frozenset({"representative"}))


def _username(usernames: Usernames, i: int) -> str:
    if usernames is None:
        return ""
    return usernames.get(i, "") if isinstance(usernames, Mapping) else usernames(i)


def roster_rows(n: int, *, managers: int = 6, women: int = 20, dispatched: int = 6, first: int = 1,
                elected: dt.date = ELECTED, usernames: Usernames = rep_username) -> str:
    """n CSV rows E0001..: the first `managers` mid-level managers (every third other a technician, the rest
    frontline), the first `women` women, the last `dispatched` dispatched; seat i linked to ``usernames``."""
    lines = []
    for i in range(first, first + n):
        k = i - first
        category = "中层管理人员" if k < managers else ("技术人员" if k % 3 == 0 else "一线职工")
        lines.append(f"代表{i},E{i:04d},第{k % 4 + 1}代表团,{category},{'女' if k < women else '男'},"
                     f"{'是' if k >= n - dispatched else '否'},{elected.isoformat()},{_username(usernames, i)}")
    return "".join(line + "\n" for line in lines)


def make_term(services, *, headcount: int = 1200, women: int = 300, dispatched: int = 60, name: str = "示范公司",
              number: int = 1, starts_on: dt.date = dt.date(2026, 1, 1), ends_on: dt.date = dt.date(2030, 12, 31),
              actor: Actor = ADMIN):
    """An organisation of `headcount` workers (`women`, `dispatched`) and its congress term."""
    org = roster.create_organisation(services.uow(), name=name, headcount=headcount, women_count=women,
                                     dispatched_count=dispatched, actor=actor)
    return roster.create_term(services.uow(), org.id, number=number, starts_on=starts_on, ends_on=ends_on,
                              actor=actor)


def seat(services, term_id: int, rows: str, *, bom: bool = False, actor: Actor = ADMIN) -> list:
    """Import a roster (``HEADER`` + rows) into the term; returns the representatives."""
    content = (("\ufeff" if bom else "") + HEADER + rows).encode()
    return roster_import.import_representatives(services.uow(), term_id, content, actor=actor)


def check_in(services, meeting_id: int, seats, *, usernames: Usernames = rep_username,
             representatives: Mapping[int, int] | None = None) -> None:
    """Seats check in: themselves with their accounts, or through the presidium when their ids are given."""
    for i in seats:
        if representatives is None:
            actor = Actor(_username(usernames, i), frozenset({"representative"}))
            meetings.check_in(services.uow(), meeting_id, actor=actor)
        else:
            meetings.check_in(services.uow(), meeting_id, actor=CHAIR, representative_id=representatives[i])


def convened_meeting(services, seats: int = 60, *, present: int = 0, headcount: int | None = None,
                     women_count: int = 300, managers: int = 10, women: int = 20, dispatched: int = 0,
                     usernames: Usernames = rep_username, held_on: dt.date = MEETING_DAY,
                     name: str = "示范公司") -> dict:
    """A convened meeting of `seats` representatives, the first `present` checked in (by themselves when they
    have accounts, else by the presidium); returns the ids like ``make_congress``."""
    term = make_term(services, headcount=headcount or 20 * seats, women=women_count, dispatched=0, name=name)
    reps = seat(services, term.id, roster_rows(seats, managers=managers, women=women, dispatched=dispatched,
                                                usernames=usernames))
    meeting = meetings.create_meeting(services.uow(), term.id, session_number=1, held_on=held_on,
                                      rules=services.rules, actor=CHAIR)
    meetings.convene(services.uow(), meeting.id, rules=services.rules, actor=CHAIR)
    by_seat = {i: r.id for i, r in enumerate(reps, start=1)}
    check_in(services, meeting.id, range(1, present + 1), usernames=usernames,
             representatives=None if usernames else by_seat)
    return {"organisation_id": term.organisation_id, "term_id": term.id, "meeting_id": meeting.id,
            "representatives": by_seat}


def make_congress(services, *, seats: int = 30, linked: dict[int, str] | None = None,
                  held_on: dt.date = dt.date(2026, 3, 10), name: str = "华东机械制造有限公司",
                  starts_on: dt.date = dt.date(2025, 1, 1)) -> dict:
    """The congress of the API and page tests: 第5届 of 华东机械 (600 workers), `seats` seats of which 10% managers,
    half women and 2 dispatched, only the `linked` seats with accounts, a planned meeting; returns the ids.
    (Browser tests sharing one server give another `name`, and a later `starts_on` to stay off the lists.)"""
    term = make_term(services, headcount=600, women=240, dispatched=30, name=name, number=5,
                     starts_on=starts_on, ends_on=dt.date(2029, 12, 31), actor=SYSTEM)
    rows = roster_rows(seats, managers=seats // 10, women=seats // 2, dispatched=2, elected=dt.date(2025, 1, 1),
                       usernames=linked or {})
    reps = seat(services, term.id, rows, actor=SYSTEM)
    meeting = meetings.create_meeting(services.uow(), term.id, session_number=2, held_on=held_on,
                                      rules=services.rules, actor=SYSTEM)
    return {"organisation_id": term.organisation_id, "term_id": term.id, "meeting_id": meeting.id,
            "representatives": {r.employee_no: r.id for r in reps}}


# -- through the HTTP API (the congress API tests)

API = "/api/v1/congress"


def roster_csv(n: int = 60, *, managers: int = 10, first: int = 1) -> bytes:
    """The roster file the API imports: `managers` managers, a third women, one in twenty dispatched, with a BOM."""
    return ("\ufeff" + HEADER + roster_rows(n, managers=managers, women=n // 3, dispatched=n // 20,
                                            first=first)).encode()


def upload(content: bytes, name: str = "roster.csv") -> dict:
    return {"file": (BytesIO(content), name)}


class CongressApi:
    """Drives the API as the admin, the presidium and the representatives rep001...repNNN."""

    def __init__(self, client, users, login_as):
        self.client, self.users = client, users
        self.admin, self.chair, self.auditor = login_as("admin"), login_as("presidium"), login_as("auditor")

    def rep(self, i: int) -> dict:
        return self.users.headers(f"rep{i:03d}", "representative")

    def call(self, method: str, path: str, headers: dict, expect: int | None = None, **kw):
        response = getattr(self.client, method)(API + path, headers=headers, **kw)
        if expect is not None:
            assert response.status_code == expect, response.get_data(as_text=True)
        return response

    def setup(self, n: int = 60, *, managers: int | None = None) -> int:
        """An organisation of 20 x n workers (so n seats are the 5% minimum) and a term with n representatives."""
        managers = n // 6 if managers is None else managers
        org = self.call("post", "/organisations", self.admin, 201, json={
            "name": "示范机械厂", "headcount": 20 * n, "women_count": 5 * n, "dispatched_count": n // 2}).get_json()
        term = self.call("post", "/terms", self.admin, 201, json={
            "organisation_id": org["id"], "number": 1, "starts_on": "2026-01-01", "ends_on": "2030-12-31"}).get_json()
        imported = self.call("post", f"/terms/{term['id']}/representatives/import", self.admin, 201,
                             data=upload(roster_csv(n, managers=managers)), content_type="multipart/form-data")
        assert imported.get_json()["imported"] == n
        return term["id"]

    def meeting(self, term_id: int, present: int = 60) -> int:
        meeting = self.call("post", f"/terms/{term_id}/meetings", self.chair, 201,
                            json={"session_number": 1, "held_on": "2026-03-02"}).get_json()
        self.call("post", f"/meetings/{meeting['id']}/convene", self.chair, 200)
        for i in range(1, present + 1):
            self.call("post", f"/meetings/{meeting['id']}/check-ins", self.rep(i), 201, json={})
        return meeting["id"]

    def matter(self, meeting_id: int, matter_type: str, title: str = "议题") -> dict:
        return self.call("post", f"/meetings/{meeting_id}/matters", self.chair, 201,
                         json={"matter_type": matter_type, "title": title}).get_json()

    def open(self, matter_id: int, **body) -> dict:
        return self.call("post", f"/matters/{matter_id}/votes", self.chair, 201, json=body).get_json()

    def cast(self, vote_id: int, plan: dict[str, range]) -> dict[int, str | None]:
        receipts = {}
        for choice, numbers in plan.items():
            for i in numbers:
                body = self.call("post", f"/votes/{vote_id}/ballots", self.rep(i), 201, json={"choice": choice})
                receipts[i] = body.get_json()["receipt"]
        return receipts

    def close(self, vote_id: int, **totals) -> dict:
        return self.call("post", f"/votes/{vote_id}/close", self.chair, 200, json=totals).get_json()
