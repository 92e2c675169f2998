"""P7 inbox: one page of a person's task list with 10,000 open tasks in the database.

In-process, no HTTP: the app's own ``Services`` on a temporary SQLite database migrated as ``make run`` migrates
it. 10,000 ready tasks of 10,000 instances are written in bulk: a third assigned to the measured clerk, a third
pooled to the clerk's role, a third pooled to another role or assigned to someone else. Timed, each in its own
unit of work: ``engine.inbox.list_tasks`` for the first page of 50 of "open" (mine and my groups), the 60th page,
and a text search; against a baseline measured in the same run: the bare indexed SELECT of 50 ready rows
(no scope, no count, no names). Target: the first page well under 100 ms.
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

from engine import inbox
from engine.deployments import deploy
from engine.identity import SYSTEM, Actor, create_user
from engine.models import HumanTask, Instance, ProcessVersion, TaskCandidate
from engine.parsing import SourceFile

from .common import LOOP_FILE, MODELS, Row, Settings, Stat
from .server import migrate

TASKS = 10_000
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
    fn()  # warm-up
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return Stat.of(times)


def run(s: Settings) -> tuple[list[Row], dict[str, Any]]:
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
        _fill(services, TASKS)
        rounds = 5 if s.quick else 15

        def page(n: int, text: str | None = None):
            return lambda: inbox.list_tasks(services.uow(readonly=True), clerk,
                                            inbox.TaskFilter(page=n, text=text))

        def baseline():
            uow = services.uow(readonly=True)
            with uow:
                list(uow.session.execute(select(HumanTask).where(HumanTask.state == "ready")
                                         .order_by(HumanTask.created_at, HumanTask.id).limit(50)).scalars())

        base = _time(baseline, rounds)
        first, deep, search = _time(page(1), rounds), _time(page(60), rounds), _time(page(1, "来信09"), rounds)
        total = inbox.list_tasks(services.uow(readonly=True), clerk, inbox.TaskFilter())["total"]
    finally:
        if app is not None:
            app.extensions["dmflow"].db.dispose()
        shutil.rmtree(tmp, ignore_errors=True)
    rows = [
        Row("P7", f"inbox page 1 of 50 ({total:,} of {TASKS:,} tasks are the clerk's)", first.fmt(" ms", 1),
            f"< {TARGET_MS:g} ms", first.median < TARGET_MS, data={"ms": first.as_dict(), "open": total}),
        Row("P7", "inbox page 60", deep.fmt(" ms", 1), data={"ms": deep.as_dict()}),
        Row("P7", "inbox text search", search.fmt(" ms", 1), data={"ms": search.as_dict()}),
        Row("P7", "page 1 ÷ bare indexed SELECT of 50 rows", f"{first.median / base.median:.1f}",
            data={"baseline_ms": base.as_dict()}),
    ]
    return rows, {"first_ms": first.rounds, "baseline_ms": base.rounds}
