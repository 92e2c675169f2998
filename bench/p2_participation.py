"""P2 participation: one step of a congress vote instance when 10 and when 2,000 representatives have voted.

The instance is a ``resolution`` (bpmn/congress/resolution.bpmn) waiting at its ``vote_closed`` stage for
its matter's secret vote. The step timed is ``POST /api/v1/congress/votes/<id>/close`` over HTTP (gunicorn,
2 workers), minus nothing: the tally, the seal of the secret ballots into the audit trail, the
``vote.closed`` message delivered to the instance and its run to the next wait, saved in the same
transaction. Two outcomes, each a step of the instance: adopted (the instance renders and stores its
notice, HTML and PDF, and waits for its publication timer) and rejected (it stops at the presidium's
``decide_next`` task: the same close without the notice, whose ~200 ms would otherwise hide what grows).
One vote has 10 voters (a congress of 15 seats, 10 present), the other 2,000 (2,100 seats, 2,000 present);
the figure is the ratio of the medians over the rounds, each round with its own resolutions and votes.
Separately, the completion of an unrelated human task (``draft`` of a fresh resolution; the median of
five per round) is timed while the round's open votes hold 10 ballots and again once they hold 2,000 (both
after the earlier rounds' closed votes of 2,000: what differs is the round's open votes and their writing).

Set-up, not measured: the congresses are built through the domain services (``workflows.roster``,
``workflows.meetings``); check-ins and ballots are written in bulk, one transaction per vote, with exactly
the rows and audit events that ``meetings.check_in`` and ``ballots.cast_ballot`` leave (a participation row
with its receipt hash and a ``vote.participated`` event per voter; the choices as secret-ballot rows with
random uuid4 keys in random order). Casting them one by one would rewrite a vote's ballots on every cast
(O(n²) rows for a vote, about a minute for 2,000): that cost is P3's to measure, not P2's. Then the bench
collects its garbage and checkpoints the SQLite WAL, so that no timed request pays for the set-up. After the
rounds, ``tally.verify`` checks one bulk-cast vote (ballots = participants, tally = seal, audit chain intact).
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import secrets
import sqlite3
import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from .common import ROOT, Row, Settings, Stat, log

RATIO_TARGET = 1.2
HELD_ON = dt.date(2026, 3, 10)
SECRET_MATTER = "welfare_fund_plan"  # adopt, secret (matter_mode.dmn)
NAMED_MATTER = "resolution"  # adopt, named
CONGRESS_BUNDLE = ROOT / "bpmn" / "congress"
# Seats, workforce and voters (every voter checked in): the smallest congress the rules allow is the whole
# workforce of 15 (职工大会: below 30 workers, all sit); 2,100 seats fit a workforce of 40,000 (5 %, at least 30).
SMALL = {"seats": 15, "headcount": 15, "voters": 10}
LARGE = {"seats": 2100, "headcount": 40_000, "voters": 2000}
PRESIDIUM_USER, DRAFTING_USER, DELEGATION_USER = "p2_presidium", "p2_drafting", "p2_delegation"


# --- Building a congress through the domain services (shared with P3) -------------------------------------

def migrate_domain(url: str) -> None:
    """Add the domain tables (congress, contracts, disclosure...) to a database the engine has migrated."""
    from .server import migrate

    migrate(url)


def app_services(url: str):
    """The app's own Services (rules, calendar, runtime) in this process, for set-up through the domain."""
    from api import create_app

    from .server import ballot_key_dir

    return create_app({"DATABASE_URL": url, "BALLOT_KEY_DIR": ballot_key_dir(url)}).extensions["dmflow"]


def deploy_congress(services) -> None:
    from engine.deployments import deploy
    from engine.identity import SYSTEM
    from engine.parsing import SourceFile

    files = [SourceFile(p.name, p.read_bytes()) for p in sorted(CONGRESS_BUNDLE.iterdir())
             if p.suffix in (".bpmn", ".dmn", ".json")]
    deploy(services.uow(), files, actor=SYSTEM, name="congress diagrams (bench)")


def roster_csv(seats: int, usernames: list[str | None]) -> bytes:
    """A roster of `seats`: per ten seats 8 frontline workers, 1 technician, 1 middle manager (10 % managers,
    under the 20 % cap); every other seat a woman; one in twenty dispatched; seat i votes as usernames[i]."""
    lines = ["name,employee_no,delegation,category,gender,dispatched,elected_on,username"]
    for i in range(seats):
        category = "middle_manager" if i % 10 == 9 else "technician" if i % 10 == 4 else "frontline"
        username = usernames[i] if i < len(usernames) and usernames[i] else ""
        lines.append(f"R{i + 1},B{i + 1:06d},D{i % 20 + 1},{category},{'female' if i % 2 else 'male'},"
                     f"{'yes' if i % 20 == 19 else 'no'},2025-01-01,{username}")
    return ("\n".join(lines) + "\n").encode()


@dataclass
class Congress:
    term_id: int
    meeting_id: int
    seats: list[tuple[int, str | None]] = field(default_factory=list)  # (representative id, username)


def build_congress(services, name: str, *, seats: int, headcount: int, usernames: list[str | None] | None = None,
                   checked_in: int = 0) -> Congress:
    """Organisation, term, roster (CSV import), a convened meeting, and the first `checked_in` seats present."""
    from engine.identity import SYSTEM
    from workflows.congress import meetings, roster, roster_import

    uow = services.uow
    org = roster.create_organisation(uow(), name=name, headcount=headcount, women_count=headcount * 2 // 5,
                                     dispatched_count=headcount // 20, actor=SYSTEM)
    term = roster.create_term(uow(), org.id, number=1, starts_on=dt.date(2025, 1, 1),
                              ends_on=dt.date(2029, 12, 31), actor=SYSTEM)
    reps = roster_import.import_representatives(uow(), term.id, roster_csv(seats, usernames or []), actor=SYSTEM)
    meeting = meetings.create_meeting(uow(), term.id, session_number=1, held_on=HELD_ON, rules=services.rules,
                                      actor=SYSTEM)
    meetings.convene(uow(), meeting.id, rules=services.rules, actor=SYSTEM)
    congress = Congress(term.id, meeting.id, [(r.id, r.username) for r in reps])
    if checked_in:
        check_in_in_bulk(services, congress, checked_in)
    return congress


def check_in_in_bulk(services, congress: Congress, count: int) -> None:
    """The rows and events of `count` presidium check-ins (``meetings.check_in``), in one transaction."""
    from workflows.congress.meetings import meeting_chain
    from workflows.congress.tables import CheckIn

    uow = services.uow()
    with uow:
        now = uow.now()
        for rep_id, _ in congress.seats[:count]:
            uow.session.add(CheckIn(meeting_id=congress.meeting_id, representative_id=rep_id, checked_in_at=now,
                                    checked_in_by="system"))
            uow.audit(meeting_chain(congress.meeting_id), "representative.checked_in",
                      {"representative_id": rep_id}, actor="system")
        uow.commit()


def choices_for(count: int, adopt: bool = True) -> list[str]:
    """80 % for (or 40 % to reject), three in four of the rest against, the others abstaining.

    With most seats voting, 80 % adopts and 40 % rejects (过半数 of all seated): 10 of 15 give 8/1/1 or 4/4/2.
    """
    n_for = count * (8 if adopt else 4) // 10
    n_against = (count - n_for) * 3 // 4
    return ["for"] * n_for + ["against"] * n_against + ["abstain"] * (count - n_for - n_against)


def cast_secret_in_bulk(services, congress: Congress, vote_id: int, count: int, *, adopt: bool = True) -> None:
    """What `count` casts of ``ballots.cast_ballot`` leave in a secret vote, written in one transaction."""
    from sqlalchemy import insert

    from workflows.congress.ballot_keys import ballot_keys_of
    from workflows.congress.ballots import receipt_hash
    from workflows.congress.meetings import meeting_chain
    from workflows.congress.tables import Participation, SealedBallot, Vote

    uow = services.uow()
    with uow:
        s = uow.session
        vote = s.get(Vote, vote_id)
        assert vote is not None and vote.status == "open" and vote.kind == "secret", vote
        for rep_id, username in congress.seats[:count]:
            s.add(Participation(vote_id=vote_id, representative_id=rep_id,
                                receipt_hash=receipt_hash(secrets.token_hex(8).upper()),
                                cast_by=username or f"rep{rep_id}"))
            uow.audit(meeting_chain(congress.meeting_id), "vote.participated",
                      {"vote_id": vote_id, "representative_id": rep_id}, actor=username or f"rep{rep_id}")
        s.flush()
        choices = choices_for(count, adopt)
        random.SystemRandom().shuffle(choices)
        keys = ballot_keys_of(uow)
        s.execute(insert(SealedBallot), [{"id": str(uuid.uuid4()), "vote_id": vote_id,
                                          "sealed": keys.seal(vote_id, vote.ballot_key, c)} for c in choices])
        uow.commit()


def settle(services) -> None:
    """Collect this process's garbage and fold the WAL into the database file (SQLite): no timed request
    should pay for the set-up's objects or writes."""
    gc.collect()
    if services.db.dialect.name == "sqlite":
        conn = sqlite3.connect(services.db.url.database, timeout=30)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            conn.close()


def open_vote_in_process(services, congress: Congress, matter_type: str, title: str) -> int:
    """A new matter on the congress's meeting and its vote, opened by the presidium; the vote's id."""
    from engine.identity import Actor
    from workflows.congress import ballots, meetings

    presidium = Actor("presidium", frozenset({"presidium"}))
    matter = meetings.add_matter(services.uow(), congress.meeting_id, matter_type=matter_type, title=title,
                                 actor=presidium)
    return ballots.open_vote(services.uow(), matter.id, rules=services.rules, actor=presidium).id


def verify_vote(services, vote_id: int) -> dict[str, Any]:
    from workflows.congress import tally

    report = tally.verify(services.uow(readonly=True), vote_id)
    if not (report["ballots_equal_participants"] and report["tally_matches_result"] and report["seal_matches"]
            and report["audit_ok"]):
        raise RuntimeError(f"vote {vote_id} does not verify after its close: {report}")
    return report


# --- P2 ---------------------------------------------------------------------------------------------------

def _ok(server, method: str, path: str, token: str, body=None, expected: int = 200) -> Any:
    status, answer = server.request(method, path, body, token)
    if status != expected:
        raise RuntimeError(f"{method} {path} answered {status} (expected {expected}): {answer}")
    return answer


class _Resolutions:
    """Drives resolution instances over HTTP with the three role holders' tokens."""

    def __init__(self, server, tokens: dict[str, str]):
        self.server = server
        self.tokens = tokens

    def start(self, meeting_id: int) -> dict:
        return _ok(self.server, "POST", "/api/v1/instances", self.tokens["drafting"],
                   {"process": "resolution", "data": {"meeting_id": meeting_id}}, 201)

    @staticmethod
    def ready(body: dict, element: str) -> str:
        tasks = {t["element_id"]: t["id"] for t in body["ready_tasks"]}
        if element not in tasks:
            raise RuntimeError(f"instance {body['id']} has no ready '{element}' task: {sorted(tasks)}")
        return tasks[element]

    def complete(self, body: dict, element: str, role: str, data: dict) -> tuple[dict, float]:
        path = f"/api/v1/tasks/{self.ready(body, element)}/complete"
        t0 = time.perf_counter()
        answer = _ok(self.server, "POST", path, self.tokens[role], {"data": data})
        return answer, time.perf_counter() - t0

    def draft(self, body: dict, n: int) -> tuple[dict, float]:
        return self.complete(body, "draft", "drafting", {
            "title": f"关于职工福利基金使用方案的决议（草案{n}）", "text": "一、福利基金用于职工体检。",
            "matter_type": SECRET_MATTER})

    def to_vote(self, meeting_id: int, n: int) -> tuple[str, int]:
        """A resolution from draft to its agenda item; the instance id and its matter id."""
        body = self.start(meeting_id)
        body, _ = self.draft(body, n)
        body, _ = self.complete(body, "deliberate", "delegation", {
            "opinions": [{"delegation": "第一代表团", "opinion": "增加体检项目"}], "summary": "建议增加项目"})
        body, _ = self.complete(body, "revise_draft", "drafting", {
            "title": f"关于职工福利基金使用方案的决议（{n}）", "text": "一、福利基金用于职工体检，增加眼科项目。",
            "revision_notes": "采纳第一代表团意见"})
        if body["ready_tasks"] or "vote" not in body["data"]:
            raise RuntimeError(f"instance {body['id']} is not waiting for its vote: {body['ready_tasks']}")
        return body["id"], body["data"]["vote"]["matter_id"]

    def unrelated_step(self, meeting_id: int, n: int) -> float:
        """Completing the ``draft`` task of a fresh resolution (its start untimed): one step, no vote in it."""
        _, took = self.draft(self.start(meeting_id), n)
        return took


OUTCOMES = ("adopted", "rejected")
UNRELATED_PER_ROUND = 5


def _close(server, token: str, vote_id: int, outcome: str) -> float:
    t0 = time.perf_counter()
    answer = _ok(server, "POST", f"/api/v1/congress/votes/{vote_id}/close", token, {})
    took = time.perf_counter() - t0
    if answer["status"] != "closed" or answer["result"]["outcome"] != outcome:
        raise RuntimeError(f"vote {vote_id} closed as {answer['status']}/{answer['result']['outcome']}, "
                           f"expected {outcome}")
    return took


def _check_moved_on(server, token: str, instance_id: str, outcome: str) -> None:
    """Adopted: the notice is in the data and the publication timer is set. Rejected: decide_next is ready."""
    body = _ok(server, "GET", f"/api/v1/instances/{instance_id}", token)
    ready = [t["element_id"] for t in body["ready_tasks"]]
    moved = ("notice" in body["data"] and bool(body.get("next_timer_at"))) if outcome == "adopted" \
        else ready == ["decide_next"]
    if body["status"] != "running" or not moved:
        raise RuntimeError(f"instance {instance_id} did not move on after its vote ({outcome}): {body['status']}, "
                           f"ready {ready}, data {sorted(body['data'])}, incidents {body.get('incidents')}")


def _round(server, flow: _Resolutions, services, congresses: dict[int, Congress], sizes: tuple[int, ...],
           tokens: dict[str, str], serial: list[int], order: int) -> tuple[dict, dict]:
    """One round: a resolution per outcome and size waiting for its vote; ballots; closes. Latencies in s."""
    def next_n() -> int:
        serial[0] += 1
        return serial[0]

    votes = {}
    for outcome in OUTCOMES:
        for size in sizes:
            instance_id, matter_id = flow.to_vote(congresses[size].meeting_id, next_n())
            vote = _ok(server, "POST", f"/api/v1/congress/matters/{matter_id}/votes", tokens["presidium"], {}, 201)
            votes[outcome, size] = (instance_id, vote["id"])
    unrelated = {}
    for size in sizes:  # the unrelated task is timed after the votes of this size (and smaller) got their ballots
        for outcome in OUTCOMES:
            cast_secret_in_bulk(services, congresses[size], votes[outcome, size][1], size,
                                adopt=outcome == "adopted")
        settle(services)
        if len(sizes) > 1:  # a few tasks, their median: one request is too noisy a sample
            unrelated[size] = statistics.median(flow.unrelated_step(congresses[size].meeting_id, next_n())
                                                for _ in range(UNRELATED_PER_ROUND))
    keys = [(o, z) for z in sizes for o in OUTCOMES]
    closes = {}
    for key in keys if order % 2 == 0 else keys[::-1]:
        closes[key] = _close(server, tokens["presidium"], votes[key][1], key[0])
    for key in keys:
        _check_moved_on(server, tokens["drafting"], votes[key][0], key[0])
    return closes, unrelated | {"last_vote": votes["adopted", sizes[-1]][1]}


def run(s: Settings) -> tuple[list[Row], dict[str, Any]]:
    from engine.identity import SYSTEM, create_user

    from .server import Database, Server

    rounds, warmup = (3, 3) if s.quick else (9, 3)
    started = time.perf_counter()
    small, large = SMALL["voters"], LARGE["voters"]
    database = Database("sqlite", label="p2")
    services = None
    try:
        migrate_domain(database.url)
        services = app_services(database.url)
        deploy_congress(services)
        tokens = {role: create_user(services.uow(), user, [name], actor=SYSTEM)[1] for role, user, name in (
            ("presidium", PRESIDIUM_USER, "presidium"), ("drafting", DRAFTING_USER, "drafting_group"),
            ("delegation", DELEGATION_USER, "delegation"))}
        # Names of the same glyphs: the notice's PDF embeds a subset of the CJK font, and the warm-up (small
        # votes only) should have met every glyph the timed notices of either size need.
        congresses = {
            small: build_congress(services, "P2 企业 1", seats=SMALL["seats"], headcount=SMALL["headcount"],
                                  checked_in=small),
            large: build_congress(services, "P2 企业 2", seats=LARGE["seats"], headcount=LARGE["headcount"],
                                  checked_in=large),
        }
        log(f"P2 congresses of {SMALL['seats']} and {LARGE['seats']:,} seats ready in "
            f"{time.perf_counter() - started:.1f} s")
        closes: dict[tuple[str, int], list[float]] = {(o, z): [] for o in OUTCOMES for z in (small, large)}
        unrelated: dict[int, list[float]] = {small: [], large: []}
        serial = [0]
        with Server(database.url) as server:
            flow = _Resolutions(server, tokens)
            for r in range(warmup):  # small votes only: fonts and caches of both workers, the notice's PDF
                _round(server, flow, services, congresses, (small,), tokens, serial, r)
            for r in range(rounds):
                took, other = _round(server, flow, services, congresses, (small, large), tokens, serial, r)
                for key, value in took.items():
                    closes[key].append(value * 1000)
                for size in (small, large):
                    unrelated[size].append(other[size] * 1000)
                log(f"P2 round {r + 1}/{rounds}: " + ", ".join(
                    f"{o} {z:,} {took[o, z] * 1000:.0f} ms" for o in OUTCOMES for z in (small, large)))
        verified = verify_vote(services, other["last_vote"])
    finally:
        if services is not None:
            services.db.dispose()
        database.close()
    return _rows(closes, unrelated, small, large, rounds, verified)


def _rows(closes, unrelated, small, large, rounds, verified) -> tuple[list[Row], dict[str, Any]]:
    rows = []
    label = {"adopted": "close → notice (adopted)", "rejected": "close → decide_next (rejected, no notice)"}
    for outcome in OUTCOMES:
        a, b = Stat.of(closes[outcome, small]), Stat.of(closes[outcome, large])
        ratio = b.median / a.median
        per_round = Stat.of([y / x for x, y in zip(closes[outcome, small], closes[outcome, large], strict=True)])
        rows += [
            Row("P2", f"vote step {label[outcome]}, {small} voters", a.fmt(" ms", 0),
                data={"outcome": outcome, "voters": small, "close_ms": a.as_dict()}),
            Row("P2", f"vote step {label[outcome]}, {large:,} voters", b.fmt(" ms", 0),
                data={"outcome": outcome, "voters": large, "close_ms": b.as_dict()}),
            Row("P2", f"vote step {label[outcome]}, {large:,} ÷ {small} voters (per round)",
                f"{ratio:.2f} ({per_round.min:.2f}–{per_round.max:.2f}); {b.median - a.median:+.0f} ms",
                f"≤ {RATIO_TARGET:g}", ratio <= RATIO_TARGET,
                data={"outcome": outcome, "ratio": ratio, "per_round": per_round.as_dict(),
                      "difference_ms": b.median - a.median}),
        ]
    u_small, u_large = (Stat.of(unrelated[k]) for k in (small, large))
    u_ratio = u_large.median / u_small.median
    rows += [
        Row("P2", f"unrelated task (a resolution's draft), open votes of {small} ballots", u_small.fmt(" ms", 1),
            data={"ballots": small, "complete_ms": u_small.as_dict()}),
        Row("P2", f"unrelated task (a resolution's draft), open votes of {large:,} ballots", u_large.fmt(" ms", 1),
            data={"ballots": large, "complete_ms": u_large.as_dict()}),
        Row("P2", f"unrelated task {large:,} ÷ {small} ballots", f"{u_ratio:.2f}", f"≤ {RATIO_TARGET:g}",
            u_ratio <= RATIO_TARGET, data={"ratio": u_ratio}),
    ]
    return rows, {"rounds": rounds, "close_ms": {f"{o}/{z}": v for (o, z), v in closes.items()},
                  "unrelated_ms": {str(k): v for k, v in unrelated.items()}, "verified": verified,
                  "congresses": {"small": SMALL, "large": LARGE}}
