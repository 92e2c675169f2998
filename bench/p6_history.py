"""P6 history: the cost of one step of an instance with ~300 tasks ÷ one with ~30.

In-process, no HTTP: the app's own ``Services`` (``api.create_app``) on a temporary SQLite database, and the
loop model ``bench/models/history-loop.bpmn`` (a user task, then an exclusive gateway that loops back while
``again`` is true). "Tasks" are the Task objects in the instance's SpiffWorkflow tree (three more per loop).
Two instances are driven to ~30 and ~300 tasks through ``engine.runtime.complete_task``; their rows
(``instances`` and ``human_tasks``) are then snapshotted, and each round restores the snapshot and times
one more ``complete_task`` in its own unit of work (load, run, save with derived rows and audit, commit).
Rounds alternate between the two sizes; the figure is the ratio of the medians.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update

from engine import runtime
from engine.deployments import deploy
from engine.identity import SYSTEM, Actor, create_user
from engine.models import HumanTask, Instance, TaskCandidate
from engine.parsing import SourceFile

from .common import LOOP_FILE, LOOP_PROCESS, MODELS, Row, Settings, Stat
from .server import migrate

RATIO_TARGET = 3.0


class _Driver:
    def __init__(self, services, actor: Actor):
        self.services = services
        self.actor = actor

    def ready_task(self, instance_id: str) -> str:
        uow = self.services.uow(readonly=True)
        with uow:
            return uow.session.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance_id,
                                                                 HumanTask.state == "ready"))

    def tasks(self, instance_id: str) -> int:
        uow = self.services.uow(readonly=True)
        with uow:
            state = uow.session.scalar(select(Instance.state_json).where(Instance.id == instance_id))
        return len(json.loads(state)["tasks"])

    def step(self, instance_id: str) -> float:
        task = self.ready_task(instance_id)
        t0 = time.perf_counter()
        runtime.complete_task(self.services.uow(), task, {"again": True}, actor=self.actor)
        return time.perf_counter() - t0

    def drive(self, size: int) -> str:
        instance_id = runtime.start_instance(self.services.uow(), LOOP_PROCESS, actor=self.actor)
        while self.tasks(instance_id) < size:
            self.step(instance_id)
        return instance_id

    def snapshot(self, instance_id: str) -> tuple[dict, list[dict], list[dict]]:
        """The instance row, its task rows and their candidates (which refer to the task rows)."""
        task_ids = select(HumanTask.id).where(HumanTask.instance_id == instance_id)
        with self.services.db.connect() as conn:
            inst = conn.execute(select(Instance.__table__).where(Instance.id == instance_id)).mappings().one()
            tasks = conn.execute(select(HumanTask.__table__).where(HumanTask.instance_id == instance_id)
                                 ).mappings().all()
            candidates = conn.execute(select(TaskCandidate.__table__).where(TaskCandidate.task_id.in_(task_ids))
                                      ).mappings().all()
        return dict(inst), [dict(t) for t in tasks], [dict(c) for c in candidates]

    def restore(self, snap: tuple[dict, list[dict], list[dict]]) -> None:
        inst, tasks, candidates = snap
        task_ids = select(HumanTask.id).where(HumanTask.instance_id == inst["id"])
        with self.services.db.begin() as conn:
            conn.execute(delete(TaskCandidate.__table__).where(TaskCandidate.task_id.in_(task_ids)))
            conn.execute(delete(HumanTask.__table__).where(HumanTask.instance_id == inst["id"]))
            conn.execute(update(Instance.__table__).where(Instance.id == inst["id"]).values(**inst))
            conn.execute(insert(HumanTask.__table__), tasks)
            if candidates:
                conn.execute(insert(TaskCandidate.__table__), candidates)


def run(s: Settings) -> tuple[list[Row], dict[str, Any]]:
    from api import create_app

    tmp = Path(tempfile.mkdtemp(prefix="dmflow-p6-"))
    url = f"sqlite:///{tmp / 'dmflow.db'}"
    app = None
    try:
        migrate(url)
        app = create_app({"DATABASE_URL": url})
        services = app.extensions["dmflow"]
        deploy(services.uow(), [SourceFile(LOOP_FILE, (MODELS / LOOP_FILE).read_bytes())], actor=SYSTEM)
        user, _ = create_user(services.uow(), "bench1", ["member"], actor=SYSTEM)
        driver = _Driver(services, Actor("bench1", frozenset({"member"}), user.id))
        sizes = (s.p6_small, s.p6_large)
        instances = {n: driver.drive(n) for n in sizes}
        actual = {n: driver.tasks(i) for n, i in instances.items()}
        snaps = {n: driver.snapshot(i) for n, i in instances.items()}
        for n in sizes:  # warm-up: one untimed step of each
            driver.restore(snaps[n])
            driver.step(instances[n])
        times: dict[int, list[float]] = {n: [] for n in sizes}
        for _ in range(s.p6_rounds):
            for n in sizes:
                driver.restore(snaps[n])
                times[n].append(driver.step(instances[n]) * 1000)
    finally:
        if app is not None:
            app.extensions["dmflow"].db.dispose()
        shutil.rmtree(tmp, ignore_errors=True)
    small, large = Stat.of(times[s.p6_small]), Stat.of(times[s.p6_large])
    ratio = large.median / small.median
    rows = [
        Row("P6", f"step at {actual[s.p6_small]} tasks", small.fmt(" ms", 2),
            data={"tasks": actual[s.p6_small], "step_ms": small.as_dict()}),
        Row("P6", f"step at {actual[s.p6_large]} tasks", large.fmt(" ms", 2),
            data={"tasks": actual[s.p6_large], "step_ms": large.as_dict()}),
        Row("P6", f"step cost {actual[s.p6_large]} ÷ {actual[s.p6_small]} tasks", f"{ratio:.2f}",
            f"≤ {RATIO_TARGET:g}", ratio <= RATIO_TARGET, data={"ratio": ratio}),
    ]
    return rows, {"tasks": actual, "step_ms": times}
