"""Verifying the audit chains in several processes (SQLite files): the chains split into contiguous name ranges.

Each chain is verified whole by one process, against its head read in the same snapshot, so what one process
finds is what `audit.verify` finds for those chains. The processes read different snapshots, though: the caller
reads every head first in its own snapshot, and a chain whose head a process saw differently (an append
committed meanwhile) is verified again in the caller's snapshot, so that the report is that of one snapshot.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from concurrent.futures import ProcessPoolExecutor

from sqlalchemy import select
from sqlalchemy.orm import Session

from .audit import _BATCH, _ROWS, Collected, Expected, VerifyReport, check, heads_of, one_snapshot, verify
from .models import AuditChain

MIN_CHAINS = 64  # below this the processes' start-up costs more than it saves
MIN_EVENTS = 200_000


def default_processes() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def sqlite_path(session: Session) -> str | None:
    """The file of a SQLite database (None for other backends and in-memory databases)."""
    url = session.get_bind().url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return url.database


def _ranges(names: list[str], parts: int) -> list[tuple[str | None, str | None]]:
    """`parts` contiguous ranges [low, high) of chain names, covering every name (also those without a head)."""
    step = max(len(names) // parts, 1)
    cuts = [names[i] for i in range(step, len(names), step)][: parts - 1]
    bounds = [None, *cuts, None]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def _verify_range(path: str, low: str | None, high: str | None, heads: dict[str, tuple[int, str]], collect: bool,
                  expect: Expected | None) -> tuple[VerifyReport, set[str], Collected | None]:
    """In a worker process: verify the chains in [low, high) against the caller's `heads`, in a read transaction
    of its own. A chain this snapshot shows longer than its head, or without a head, is left out and returned for
    the caller to verify in its own snapshot (appended meanwhile, or tampered with: the caller tells which)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    recheck: set[str] = set()
    try:
        conn.execute("BEGIN")
        where, params = [], []
        if low is not None:
            where.append("chain >= ?")
            params.append(low)
        if high is not None:
            where.append("chain < ?")
            params.append(high)
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        cursor = conn.execute(_ROWS.text.format(where=clause), params)

        def rows():
            chain, limit = None, 0
            while batch := cursor.fetchmany(_BATCH):
                for row in batch:
                    if row[1] != chain:
                        chain = row[1]
                        limit = heads[chain][0] if chain in heads else 0
                    if row[2] > limit:  # beyond the caller's head, or no head there
                        recheck.add(chain)
                    else:
                        yield row

        collected = Collected() if collect else None
        ours = {c: h for c, h in heads.items() if (low is None or c >= low) and (high is None or c < high)}
        report = check(rows(), ours, collect=collected, expect=expect)
        if not recheck:
            return report, recheck, collected
        # Leave out what was read of those chains: the caller verifies them whole in its own snapshot.
        counted = sum(conn.execute("SELECT count(*) FROM audit_events WHERE chain = ? AND seq <= ?",
                                   (c, heads[c][0])).fetchone()[0] for c in recheck if c in heads)
        if collected is not None:
            collected.completions[:] = [c for c in collected.completions if c[0] not in recheck]
            for name in recheck:
                collected.states.pop(name, None)
        report = VerifyReport(report.chains, report.events - counted,
                              [p for p in report.problems if p.chain not in recheck])
        return report, recheck, collected
    finally:
        conn.close()


def verify_parallel(session: Session, *, processes: int, collect: Collected | None = None,
                    expect: Expected | None = None) -> VerifyReport:
    """`audit.verify` of every chain, in `processes` worker processes (SQLite files only).

    Raises:
        ValueError: the session's database is not a SQLite file.
    """
    path = sqlite_path(session)
    if path is None:
        raise ValueError("parallel verification reads a SQLite database file")
    one_snapshot(session)
    heads = heads_of(session)  # in our snapshot
    futures = []
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    parts = _ranges(sorted(heads), processes)
    with ProcessPoolExecutor(max_workers=len(parts), mp_context=context) as pool:
        for low, high in parts:
            inside = {c: h for c, h in heads.items() if (low is None or c >= low) and (high is None or c < high)}
            wanted = None if expect is None else {c: e for c, e in expect.items()
                                                  if (low is None or c >= low) and (high is None or c < high)}
            futures.append(pool.submit(_verify_range, path, low, high, inside, collect is not None, wanted))
        results = [f.result() for f in futures]
    problems, events, recheck = [], 0, set()
    for report, again, collected in results:
        events += report.events
        problems += report.problems
        recheck |= again
        if collect is not None and collected is not None:
            collect.states.update(collected.states)
            collect.completions += collected.completions
    chains = len(heads)
    for chain in sorted(recheck):  # in our snapshot, as `verify` would have seen them
        again = verify(session, chain, collect=collect,
                       expect={chain: expect[chain]} if expect and chain in expect else None)
        problems += again.problems
        events += again.events
        chains += again.chains if chain not in heads else 0
    return VerifyReport(chains, events, problems)


def verify_fast(session: Session, *, processes: int | None = None, collect: Collected | None = None,
                expect: Expected | None = None) -> VerifyReport:
    """`audit.verify` of every chain, in parallel processes when it pays: a SQLite file, several cores, at least
    `MIN_CHAINS` chains and `MIN_EVENTS` events; else in this process."""
    processes = default_processes() if processes is None else processes
    if processes > 1 and sqlite_path(session) is not None:
        one_snapshot(session)
        chains = session.scalar(select(AuditChain.chain).offset(MIN_CHAINS - 1).limit(1))
        events = session.execute(select(AuditChain.last_seq)).scalars()
        if chains is not None and sum(events) >= MIN_EVENTS:
            return verify_parallel(session, processes=processes, collect=collect, expect=expect)
    return verify(session, collect=collect, expect=expect)
