"""P7 lists: one page of a person's task list and of the instance list, at 1,000 and at 100,000 rows.

In-process, no HTTP: the app's own ``Services`` on a temporary SQLite database migrated as ``make run`` migrates
it. n ready tasks of n instances are written in bulk: a third assigned to the measured clerk, a third pooled to
the clerk's role, a third pooled to another role or assigned to someone else. Timed in CPU milliseconds, each in
its own unit of work: ``engine.inbox.list_tasks`` for the first page of 50 of "open" (mine and my groups), the
page after a cursor half-way through, and text searches: "来信09" (its matches grow with the rows: none at
1,000, 1,000 at 100,000), "来信00420" (one match at either size), two characters that every row matches and
two that none does (the bounded scan of a query shorter than a trigram); ``engine.queries.list_instances`` for
its first page
(as admin, and as the clerk, whose cases are a condition on task rows) and after a cursor half-way through;
against a baseline measured in the same run: the bare indexed SELECT of 50 ready rows (no scope, no count, no
names). Targets: the inbox's first page well under 100 ms; every page within 2x from 1,000 to 100,000 rows
(quick mode: 10,000).
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from engine import inbox, paging, queries
from engine.deployments import deploy
from engine.identity import ADMIN, SYSTEM, Actor, create_user
from engine.models import HumanTask, Instance, ProcessVersion, TaskCandidate
from engine.parsing import SourceFile

from .common import LOOP_FILE, MODELS, Row, Settings, Stat
from .server import migrate

TASKS = 100_000
TARGET_MS = 100.0


def _fill(services, n: int) -> None:
    """``n`` instances with one ready task each, written in one transaction."""
    now = datetime(2026, 3, 2, tzinfo=UTC)
    uow = services.uow()
    with uow:
        s = uow.session
        pv_id = s.scalar(select(ProcessVersion.id).limit(1))
        instances, tasks, candidates = [], [], []
        for i in range(n):
            iid, tid = str(uuid.uuid4()), str(uuid.uuid4())
            created = now + timedelta(seconds=i)
            instances.append({"id": iid, "process_version_id": pv_id, "process_id": "bench_inbox", "status": "running",
                              "business_key": f"GD-{i:05d}", "state_json": "{}", "data_json": "{}",
                              "serializer_version": "1", "library_version": "bench", "version": 1,
                              "started_by": "reception", "created_at": created, "updated_at": created})
            kind = i % 3
            assignee = "clerk" if kind == 0 else ("other" if i % 6 == 2 else None)
            tasks.append({"id": tid, "instance_id": iid, "process_id": "bench_inbox", "element_id": "reply",
                          "name": "回复", "lane": "clerk", "state": "ready", "created_at": created,
                          "due_at": created + timedelta(days=7), "assignee": assignee,
                          "assigned_via": "diagram" if assignee else None, "case_title": f"来信{i:05d}"})
            if assignee is None:
                candidates.append({"task_id": tid, "kind": "group", "name": "clerk" if kind == 1 else "hr"})
        s.execute(insert(Instance), instances)
        s.execute(insert(HumanTask), tasks)
        s.execute(insert(TaskCandidate), candidates)
        uow.commit()


def _time(fn, rounds: int) -> Stat:
    """CPU milliseconds per call (time.process_time: the machine is shared, wall time would measure the others)."""
    fn()  # warm-up
    times = []
    for _ in range(rounds):
        t0 = time.process_time()
        fn()
        times.append((time.process_time() - t0) * 1000)
    return Stat.of(times)


def _measure(s: Settings, n: int) -> dict[str, Any]:
    """Fill a fresh database with `n` instances and ready tasks and time one page of each list."""
    from api import create_app

    tmp = Path(tempfile.mkdtemp(prefix="dmflow-p7-"))
    url = f"sqlite:///{tmp / 'dmflow.db'}"
    app = None
    try:
        migrate(url)
        app = create_app({"DATABASE_URL": url})
        services = app.extensions["dmflow"]
        deploy(services.uow(), [SourceFile(LOOP_FILE, (MODELS / LOOP_FILE).read_bytes())], actor=SYSTEM)
        user, _ = create_user(services.uow(), "clerk", ["clerk"], actor=SYSTEM)
        clerk = Actor("clerk", frozenset({"clerk"}), user.id)
        admin = Actor("admin", frozenset({ADMIN}), None)
        _fill(services, n)
        rounds = 5 if s.quick else 15

        def tasks(**kw):
            return lambda: inbox.list_tasks(services.uow(readonly=True), clerk, inbox.TaskFilter(**kw))

        def instances(actor, **kw):
            return lambda: queries.list_instances(services.uow(readonly=True), actor=actor, **kw)

        def baseline():
            uow = services.uow(readonly=True)
            with uow:
                list(uow.session.execute(select(HumanTask).where(HumanTask.state == "ready")
                                         .order_by(HumanTask.created_at, HumanTask.id).limit(50)).scalars())

        # A cursor in the middle of each list: what a client holds after following `next` half-way through.
        uow = services.uow(readonly=True)
        with uow:
            middle = uow.session.execute(select(HumanTask.created_at, HumanTask.id).order_by(
                HumanTask.created_at, HumanTask.id).offset(n // 2).limit(1)).one()
            inst = uow.session.execute(select(Instance.created_at, Instance.id).order_by(
                Instance.created_at.desc(), Instance.id).offset(n // 2).limit(1)).one()
        return {
            "baseline": _time(baseline, rounds), "inbox first": _time(tasks(), rounds),
            "inbox middle (cursor)": _time(tasks(after=paging.cursor_of(*middle)), rounds),
            "inbox text search": _time(tasks(text="来信09"), rounds),
            "inbox text search, one match": _time(tasks(text="来信00420"), rounds),
            "inbox text search, 2 characters, all match": _time(tasks(text="来信"), rounds),
            "inbox text search, 2 characters, none match": _time(tasks(text="无此"), rounds),
            "instances first (admin)": _time(instances(admin), rounds),
            "instances first (clerk)": _time(instances(clerk), rounds),
            "instances middle (admin, cursor)": _time(instances(admin, after=paging.cursor_of(*inst)), rounds),
            "open": inbox.list_tasks(services.uow(readonly=True), clerk, inbox.TaskFilter())["total"],
        }
    finally:
        if app is not None:
            app.extensions["dmflow"].db.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


def run(s: Settings) -> tuple[list[Row], dict[str, Any]]:
    small, large = (1_000, 10_000) if s.quick else (1_000, TASKS)
    at = {n: _measure(s, n) for n in (small, large)}
    first = at[large]["inbox first"]
    rows = [Row("P7", f"inbox page 1 of 50 at {large:,} tasks (CPU)", first.fmt(" ms", 1), f"< {TARGET_MS:g} ms",
                first.median < TARGET_MS, data={"ms": first.as_dict(), "open": at[large]["open"]})]
    for name in ("inbox first", "inbox middle (cursor)", "inbox text search", "inbox text search, one match",
                 "inbox text search, 2 characters, all match", "inbox text search, 2 characters, none match",
                 "instances first (admin)",
                 "instances first (clerk)", "instances middle (admin, cursor)"):
        a, b = at[small][name], at[large][name]
        ratio = b.median / a.median
        rows.append(Row("P7", f"{name}: {small:,} → {large:,} rows (CPU)",
                        f"{a.median:.1f} → {b.median:.1f} ms (×{ratio:.1f})", "≤ ×2", ratio <= 2.0,
                        data={"small_ms": a.as_dict(), "large_ms": b.as_dict()}))
    base = at[large]["baseline"]
    rows.append(Row("P7", "inbox page 1 ÷ bare indexed SELECT of 50 rows", f"{first.median / base.median:.1f}",
                    data={"baseline_ms": base.as_dict()}))
    return rows, {str(n): {k: v.rounds for k, v in m.items() if isinstance(v, Stat)} for n, m in at.items()}
