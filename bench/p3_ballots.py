"""P3 ballots: representatives casting concurrently over HTTP, beside the floor; the close of a large vote.

Casting: a congress of 1,000 seats (300 in quick mode), every seat linked to a user account holding the
``representative`` role, all checked in; the users, their tokens, the congress, the check-ins and all the
votes are made in the database before gunicorn starts (``-w 2``). A separate process (this module run as
``python -m bench.p3_ballots`` with a JSON plan on stdin) drives 8 client threads; in each round they cast
every representative's ballot once (thread i casts for seats i, i+8, ...) through
``POST /api/v1/congress/votes/<id>/ballots``, first in a fresh SECRET vote, then the floor
(``POST /api/v1/_bench/floor``, the same 8 threads for a fixed time), then a fresh NAMED vote. Rounds are
interleaved like P1's; a warm-up round casts a tenth of the ballots of each kind. A round's rate is its
ballots ÷ the time from the start of the first cast to the end of the last. A secret cast adds one
participation row and one ballot sealed to the vote's public key (``ballot_keys``): O(1), no rewrite.

Close: a secret vote with 2,000 ballots (600 in quick mode) in a congress of 2,100 seats (630), its
sealed ballots written in bulk as P2 does; ``workflows.congress.tally.close_vote`` is timed in-process (its whole
unit of work: open the sealed ballots with the vote's key file, count, store the result, seal the choices and
receipt hashes into the audit trail, route
``vote.closed``, commit). One vote per round; the last one is checked with ``tally.verify``.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
from typing import Any

from .common import ROOT, Row, Settings, Stat, log, percentile, python

FLOOR_TARGET = 0.5
CLOSE_TARGET_MS = 50.0
CLIENTS = 8


def _settings(s: Settings) -> dict[str, Any]:
    if s.quick:
        return {"voters": 300, "rounds": 2, "floor_s": 1.0, "close_ballots": 600, "close_seats": 630,
                "close_rounds": 5}
    return {"voters": 1000, "rounds": 3, "floor_s": 2.0, "close_ballots": 2000, "close_seats": 2100,
            "close_rounds": 9}


# --- The client process -----------------------------------------------------------------------------------

def _choice(i: int) -> str:
    return "for" if i % 10 < 8 else "against" if i % 10 < 9 else "abstain"


class _Phase:
    """One timed phase run by the client threads: a vote's ballots, or the floor for a fixed time."""

    def __init__(self, port: int, clients: int):
        self.port = port
        self.conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=120) for _ in range(clients)]

    def _post(self, i: int, path: str, body: dict, token: str) -> tuple[int, bytes]:
        conn = self.conns[i]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                   "Connection": "keep-alive"}
        try:
            conn.request("POST", path, body=json.dumps(body), headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.read()
        except (http.client.HTTPException, OSError):
            conn.close()
            raise

    def _threads(self, work) -> float:
        barrier = threading.Barrier(len(self.conns) + 1)
        threads = [threading.Thread(target=work, args=(i, barrier), daemon=True) for i in range(len(self.conns))]
        for t in threads:
            t.start()
        barrier.wait()
        start = time.perf_counter()
        for t in threads:
            t.join()
        return start

    def cast(self, vote_id: int, tokens: list[str], count: int) -> dict[str, Any]:
        path = f"/api/v1/congress/votes/{vote_id}/ballots"
        n = len(self.conns)
        done: list[list[tuple[float, float, float]]] = [[] for _ in range(n)]  # (start, end, latency)
        errors: list[list[str]] = [[] for _ in range(n)]

        def work(i: int, barrier: threading.Barrier) -> None:
            barrier.wait()
            for seat in range(i, count, n):
                t0 = time.perf_counter()
                try:
                    status, raw = self._post(i, path, {"choice": _choice(seat)}, tokens[seat])
                except (http.client.HTTPException, OSError) as exc:
                    errors[i].append(f"{type(exc).__name__}: {exc}")
                    continue
                t1 = time.perf_counter()
                if status != 201:
                    errors[i].append(f"HTTP {status}: {raw[:200].decode(errors='replace')}")
                    continue
                done[i].append((t0, t1, t1 - t0))

        start = self._threads(work)
        casts = sorted(x for per in done for x in per)
        end = max((c[1] for c in casts), default=start)
        elapsed = end - start
        lat = [c[2] * 1000 for c in casts]
        tenth = max(1, len(casts) // 10)
        errs = [e for per in errors for e in per]
        return {"ballots": len(casts), "elapsed_s": elapsed, "per_s": len(casts) / elapsed if elapsed else 0.0,
                "p50_ms": percentile(lat, 50), "p95_ms": percentile(lat, 95),
                "first_tenth_p50_ms": percentile(lat[:tenth], 50), "last_tenth_p50_ms": percentile(lat[-tenth:], 50),
                "errors": len(errs), "error_samples": errs[:5]}

    def floor(self, tokens: list[str], duration: float) -> dict[str, Any]:
        n = len(self.conns)
        lat: list[list[float]] = [[] for _ in range(n)]
        errors = [0] * n
        box: dict[str, float] = {}

        def work(i: int, barrier: threading.Barrier) -> None:
            barrier.wait()
            deadline = box["deadline"]
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                try:
                    status, _ = self._post(i, "/api/v1/_bench/floor", {}, tokens[i % len(tokens)])
                except (http.client.HTTPException, OSError):
                    errors[i] += 1
                    continue
                if status != 201:
                    errors[i] += 1
                    continue
                lat[i].append((time.perf_counter() - t0) * 1000)

        box["deadline"] = time.perf_counter() + duration + 0.05  # the barrier releases within microseconds
        start = self._threads(work)
        elapsed = time.perf_counter() - start
        flat = [x for per in lat for x in per]
        return {"steps": len(flat), "elapsed_s": elapsed, "per_s": len(flat) / elapsed, "p50_ms": percentile(flat, 50),
                "p95_ms": percentile(flat, 95), "errors": sum(errors)}


def client_main() -> None:
    """Read the plan on stdin, run warm-up and rounds, print the results as JSON."""
    plan = json.load(sys.stdin)
    phase = _Phase(plan["port"], plan["clients"])
    tokens, floor_tokens = plan["tokens"], plan["tokens"][: plan["clients"]]
    warm = plan["warmup"]
    phase.floor(floor_tokens, 0.5)
    phase.cast(warm["secret"], tokens, warm["count"])
    phase.cast(warm["named"], tokens, warm["count"])
    results: dict[str, list[dict[str, Any]]] = {"secret": [], "floor": [], "named": []}
    for votes in plan["rounds"]:
        results["secret"].append(phase.cast(votes["secret"], tokens, plan["voters"]))
        results["floor"].append(phase.floor(floor_tokens, plan["floor_s"]))
        results["named"].append(phase.cast(votes["named"], tokens, plan["voters"]))
    for conn in phase.conns:
        conn.close()
    json.dump(results, sys.stdout)


# --- The benchmark ----------------------------------------------------------------------------------------

def _casting(c: dict[str, Any]) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
    from engine.identity import SYSTEM, create_user

    from .p2_participation import (
        NAMED_MATTER,
        SECRET_MATTER,
        app_services,
        build_congress,
        deploy_congress,
        migrate_domain,
        settle,
    )
    from .p2_participation import open_vote_in_process as open_vote
    from .server import Database, Server

    voters = c["voters"]
    started = time.perf_counter()
    database = Database("sqlite", label="p3")
    services = None
    try:
        migrate_domain(database.url)
        services = app_services(database.url)
        deploy_congress(services)
        users = [f"p3rep{i}" for i in range(voters)]
        tokens = [create_user(services.uow(), u, ["representative"], actor=SYSTEM)[1] for u in users]
        congress = build_congress(services, "P3 企业", seats=voters, headcount=voters * 20, usernames=users,
                                  checked_in=voters)
        warm = {"secret": open_vote(services, congress, SECRET_MATTER, "warm-up secret"),
                "named": open_vote(services, congress, NAMED_MATTER, "warm-up named"), "count": voters // 10}
        rounds = [{"secret": open_vote(services, congress, SECRET_MATTER, f"secret {r}"),
                   "named": open_vote(services, congress, NAMED_MATTER, f"named {r}")} for r in range(c["rounds"])]
        settle(services)
        log(f"P3 {voters} representatives with accounts, {2 + 2 * c['rounds']} open votes: "
            f"{time.perf_counter() - started:.1f} s")
        plan = {"port": None, "clients": CLIENTS, "tokens": tokens, "voters": voters, "warmup": warm,
                "rounds": rounds, "floor_s": c["floor_s"]}
        with Server(database.url) as server:
            server.check_bench_endpoints(tokens[0])
            plan["port"] = server.port
            t0 = time.perf_counter()
            proc = subprocess.run([python(), "-m", "bench.p3_ballots"], input=json.dumps(plan), capture_output=True,
                                  text=True, cwd=ROOT, timeout=1800)
            if proc.returncode != 0:
                raise RuntimeError(f"the P3 client failed:\n{proc.stderr[-3000:]}")
            result = json.loads(proc.stdout)
            log(f"P3 casting, {c['rounds']} rounds: {time.perf_counter() - t0:.1f} s")
    finally:
        if services is not None:
            services.db.dispose()
        database.close()
    for kind in ("secret", "named"):
        for r in result[kind]:
            if r["errors"] or r["ballots"] != voters:
                raise RuntimeError(f"P3 {kind} round: {r['ballots']} of {voters} ballots, {r['errors']} errors: "
                                   f"{r['error_samples']}")
    return result, {"rounds": rounds}


def _closing(c: dict[str, Any]) -> list[float]:
    from engine.identity import Actor
    from workflows.congress import tally

    from .p2_participation import (
        SECRET_MATTER,
        app_services,
        build_congress,
        cast_secret_in_bulk,
        deploy_congress,
        migrate_domain,
        settle,
        verify_vote,
    )
    from .p2_participation import open_vote_in_process as open_vote
    from .server import Database

    count = c["close_ballots"]
    database = Database("sqlite", label="p3close")
    services = None
    times = []
    try:
        migrate_domain(database.url)
        services = app_services(database.url)
        deploy_congress(services)
        congress = build_congress(services, "P3 大型企业", seats=c["close_seats"], headcount=c["close_seats"] * 19,
                                  checked_in=count)
        presidium = Actor("presidium", frozenset({"presidium"}))
        vote_id = None
        for r in range(1 + c["close_rounds"]):  # the first one warms up
            vote_id = open_vote(services, congress, SECRET_MATTER, f"close {r}")
            cast_secret_in_bulk(services, congress, vote_id, count)
            settle(services)
            t0 = time.perf_counter()
            vote = tally.close_vote(services.uow(), vote_id, rules=services.rules, actor=presidium)
            took = (time.perf_counter() - t0) * 1000
            if vote.ballots_cast != count or vote.outcome != "adopted":
                raise RuntimeError(f"vote {vote_id} closed with {vote.ballots_cast} ballots, {vote.outcome}")
            if r:
                times.append(took)
        verify_vote(services, vote_id)
    finally:
        if services is not None:
            services.db.dispose()
        database.close()
    return times


def run(s: Settings) -> tuple[list[Row], dict[str, Any]]:
    c = _settings(s)
    result, extra = _casting(c)
    t0 = time.perf_counter()
    close_ms = _closing(c)
    log(f"P3 close of {c['close_ballots']:,} ballots, {c['close_rounds']} rounds: {time.perf_counter() - t0:.1f} s")
    return _rows(c, s, result, close_ms), {"settings": c, "casting": result, "close_ms": close_ms, **extra}


def _rows(c: dict[str, Any], s: Settings, result: dict[str, list[dict[str, Any]]], close_ms: list[float]) -> list[Row]:
    voters = c["voters"]
    where = f"{voters:,}{' of 1,000 (quick)' if s.quick else ''} representatives, {CLIENTS} clients"
    rate = {k: [r["per_s"] for r in v] for k, v in result.items()}
    rows = []
    for kind in ("secret", "named"):
        rounds = result[kind]
        per_s = Stat.of(rate[kind])
        p50, p95, first, last = (Stat.of([r[k] for r in rounds])
                                 for k in ("p50_ms", "p95_ms", "first_tenth_p50_ms", "last_tenth_p50_ms"))
        value = (f"{per_s.fmt()} ballots/s; p50 {p50.median:.0f} ms (first/last tenth {first.median:.0f}/"
                 f"{last.median:.0f}), p95 {p95.median:.0f} ms")
        rows.append(Row("P3", f"{kind} casting ({where})", value, data={
            "kind": kind, "voters": voters, "per_s": per_s.as_dict(), "p50_ms": p50.as_dict(), "p95_ms": p95.as_dict(),
            "first_tenth_p50_ms": first.as_dict(), "last_tenth_p50_ms": last.as_dict(),
            "errors": sum(r["errors"] for r in rounds)}))
    floor = Stat.of(rate["floor"])
    fp50 = Stat.of([r["p50_ms"] for r in result["floor"]])
    rows.append(Row("P3", f"floor ({CLIENTS} clients, same server, between the casting phases)",
                    f"{floor.fmt()} requests/s; p50 {fp50.median:.1f} ms", data={"per_s": floor.as_dict()}))
    for kind, target in (("secret", FLOOR_TARGET), ("named", None)):
        ratio = Stat.of([b / f for b, f in zip(rate[kind], rate["floor"], strict=True) if f])
        rows.append(Row("P3", f"{kind} ballots/s ÷ floor", ratio.fmt("", 2),
                        f"≥ {target:g}" if target else "", ratio.median >= target if target else None,
                        data={"kind": kind, "ratio": ratio.as_dict()}))
    close = Stat.of(close_ms)
    scaled = " of 2,000 (quick)" if s.quick else ""
    rows.append(Row("P3", f"close (tally + seal) of a secret vote, {c['close_ballots']:,}{scaled} ballots, in-process",
                    close.fmt(" ms", 1), f"≤ {CLOSE_TARGET_MS:g} ms",
                    close.median <= CLOSE_TARGET_MS, data={"ballots": c["close_ballots"], "close_ms": close.as_dict()}))
    return rows


if __name__ == "__main__":
    client_main()
