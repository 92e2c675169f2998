"""P8 federation: a member enterprise's step, its inbox and the federation's dashboard, in an installation serving
a federation of N enterprises, against a single-enterprise installation measured in the same run.

In-process, no HTTP: the app's own ``Services`` on two temporary SQLite databases migrated as ``make run`` migrates
them (``DMFLOW_BENCH_POSTGRES_URL`` is not used here). Both hold, per enterprise, the same population written in
bulk: an ``organisations`` row, W workers as users with the role ``worker`` and as congress representatives of
one term with one closed session, and 5 running cases with one open task each pooled to ``worker`` (two past
their due time). The single installation has one enterprise (the first organisation) under a federation; the
federated one has N (1,000 with 200 workers each in full mode: 200,000 users and representatives; 50 × 20
in --quick). The measured member is the installation's first organisation in both; every measured call runs as
that organisation (``tenancy.acting_for``), so tenancy's filter is in the queries.

Timed, rounds interleaved between the two installations: a step (``runtime.complete_task`` of a fresh instance
of the loop model, in its own unit of work), the member worker's inbox page 1 (``engine.inbox.list_tasks``), and
the federation's dashboard (``workflows.federation.dashboard.figures``). Target: step and inbox within 1.5× of
the single installation. The dashboard reads every member, so its figure is reported with its ratio and its time
per member; it has no 1.5× target.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from engine import inbox, runtime, tenancy
from engine.deployments import deploy
from engine.identity import SYSTEM, Actor, create_user
from engine.models import HumanTask, Instance, Organisation, ProcessVersion, TaskCandidate, User, UserRole
from engine.parsing import SourceFile
from workflows.congress.tables import Meeting, Representative, Term
from workflows.congress.tables import Organisation as CongressOrganisation
from workflows.federation import dashboard

from .common import LOOP_FILE, LOOP_PROCESS, MODELS, Row, Settings, Stat
from .server import migrate

RATIO_TARGET = 1.5
CASES = 5
NOW = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def _population(services, org_ids: list[int], workers: int, pv_id: int) -> None:
    """Per enterprise: W users + roles + representatives, one term with a closed session, 5 cases with a task."""
    uow = services.uow()
    with uow:
        s = uow.session
        today = uow.now()
        cong = [{"org_id": o, "name": f"企业{o}", "headcount": workers, "women_count": workers // 3,
                 "dispatched_count": 0, "created_at": NOW, "updated_at": NOW} for o in org_ids]
        s.execute(insert(CongressOrganisation), cong)
        cong_ids = dict(s.execute(select(CongressOrganisation.org_id, CongressOrganisation.id)
                                  .where(CongressOrganisation.org_id.in_(org_ids))).all())
        s.execute(insert(Term), [{"org_id": o, "organisation_id": cong_ids[o], "number": 1,
                                  "starts_on": dt.date(2025, 1, 1), "ends_on": dt.date(2029, 12, 31),
                                  "created_at": NOW} for o in org_ids])
        term_ids = dict(s.execute(select(Term.org_id, Term.id).where(Term.org_id.in_(org_ids))).all())
        s.execute(insert(Meeting), [{"org_id": o, "term_id": term_ids[o], "session_number": 1,
                                     "title": "第一届第一次职工代表大会", "held_on": dt.date(2025, 12, 1),
                                     "status": "closed", "created_at": NOW, "created_by": "bench"}
                                    for o in org_ids])
        for chunk in range(0, len(org_ids), 100):
            orgs = org_ids[chunk:chunk + 100]
            users = [{"org_id": o, "username": f"w{o}_{i}", "display_name": f"职工{i}", "active": True,
                      "created_at": NOW} for o in orgs for i in range(workers)]
            s.execute(insert(User), users)
            ids = s.execute(select(User.id, User.org_id).where(User.org_id.in_(orgs),
                                                               User.username.like("w%"))).all()
            s.execute(insert(UserRole), [{"org_id": o, "user_id": u, "role": "worker"} for u, o in ids])
            s.execute(insert(Representative), [
                {"org_id": o, "term_id": term_ids[o], "name": f"代表{i}", "employee_no": f"E{i:04d}",
                 "delegation": "第一代表团", "category": "一线职工", "gender": "女" if i % 3 == 0 else "男",
                 "dispatched": False, "elected_on": dt.date(2025, 1, 1), "username": f"w{o}_{i}",
                 "created_at": NOW} for o in orgs for i in range(workers)])
            instances, tasks, candidates = [], [], []
            for o in orgs:
                for k in range(CASES):
                    iid, tid = str(uuid.uuid4()), str(uuid.uuid4())
                    instances.append({"org_id": o, "id": iid, "process_version_id": pv_id, "process_id": "bench_case",
                                      "status": "running", "business_key": f"C-{o}-{k}", "state_json": "{}",
                                      "data_json": "{}", "serializer_version": "1", "library_version": "bench",
                                      "version": 1, "started_by": "bench", "created_at": NOW, "updated_at": NOW})
                    due = today + dt.timedelta(days=-3 if k < 2 else 7)  # the app's clock is the system's
                    tasks.append({"org_id": o, "id": tid, "instance_id": iid, "process_id": "bench_case",
                                  "element_id": "reply", "name": "答复", "lane": "worker", "state": "ready",
                                  "created_at": NOW, "due_at": due, "case_title": f"事项{k}"})
                    candidates.append({"org_id": o, "task_id": tid, "kind": "group", "name": "worker"})
            s.execute(insert(Instance), instances)
            s.execute(insert(HumanTask), tasks)
            s.execute(insert(TaskCandidate), candidates)
        uow.commit()


class _Install:
    """One installation: a federation above ``members`` enterprises, the first being the measured one."""

    def __init__(self, root: Path, name: str, members: int, workers: int):
        from api import create_app

        url = f"sqlite:///{root / f'{name}.db'}"
        migrate(url)
        self.app = create_app({"DATABASE_URL": url})
        self.services = services = self.app.extensions["dmflow"]
        t0 = time.perf_counter()
        with tenancy.acting_for(tenancy.DEFAULT_ORG):
            deploy(services.uow(), [SourceFile(LOOP_FILE, (MODELS / LOOP_FILE).read_bytes())], actor=SYSTEM)
            user, _ = create_user(services.uow(), "stepper", ["member"], actor=SYSTEM)
            self.stepper = Actor("stepper", frozenset({"member"}), user.id, tenancy.DEFAULT_ORG)
        uow = services.uow()
        with uow:
            s = uow.session
            fed = Organisation(code="fed", name="区总工会", kind=tenancy.FEDERATION, region="浦东新区", settings={},
                               created_at=NOW)
            s.add(fed)
            s.flush()
            self.federation = fed.id
            first = s.get(Organisation, tenancy.DEFAULT_ORG)
            first.parent_id, first.region, first.headcount = fed.id, "浦东新区", workers
            if members > 1:
                s.execute(insert(Organisation), [
                    {"code": f"ent{i:05d}", "name": f"成员企业{i}", "kind": tenancy.ENTERPRISE, "parent_id": fed.id,
                     "region": "浦东新区", "headcount": workers, "settings": {}, "created_at": NOW}
                    for i in range(1, members)])
            pv_id = s.scalar(select(ProcessVersion.id).limit(1))
            org_ids = [tenancy.DEFAULT_ORG, *s.scalars(select(Organisation.id).where(
                Organisation.parent_id == fed.id, Organisation.id != tenancy.DEFAULT_ORG))]
            uow.commit()
        _population(services, org_ids, workers, pv_id)
        self.built_s = time.perf_counter() - t0
        with tenancy.acting_for(tenancy.DEFAULT_ORG):
            uow = services.uow(readonly=True)
            with uow:
                row = uow.session.execute(select(User.id).where(User.username == f"w{tenancy.DEFAULT_ORG}_0")).one()
        self.worker = Actor(f"w{tenancy.DEFAULT_ORG}_0", frozenset({"worker"}), row.id, tenancy.DEFAULT_ORG)
        self.members, self.workers = members, workers

    def step(self) -> float:
        with tenancy.acting_for(tenancy.DEFAULT_ORG):
            instance_id = runtime.start_instance(self.services.uow(), LOOP_PROCESS, actor=self.stepper)
            uow = self.services.uow(readonly=True)
            with uow:
                task = uow.session.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance_id,
                                                                     HumanTask.state == "ready"))
            t0 = time.perf_counter()
            runtime.complete_task(self.services.uow(), task, {"again": False}, actor=self.stepper)
            return (time.perf_counter() - t0) * 1000

    def inbox(self) -> float:
        with tenancy.acting_for(tenancy.DEFAULT_ORG):
            t0 = time.perf_counter()
            page = inbox.list_tasks(self.services.uow(readonly=True), self.worker, inbox.TaskFilter(page=1))
            elapsed = (time.perf_counter() - t0) * 1000
        assert page["total"] == CASES, page["total"]  # only the member's own cases
        return elapsed

    def dashboard(self) -> float:
        t0 = time.perf_counter()
        figures = dashboard.figures(self.services.uow(readonly=True), self.federation, rules=self.services.rules)
        elapsed = (time.perf_counter() - t0) * 1000
        assert figures["totals"]["members"] == self.members and figures["totals"]["overdue_steps"] == 2 * self.members
        return elapsed

    def close(self) -> None:
        self.app.extensions["dmflow"].db.dispose()


def run(s: Settings) -> tuple[list[Row], dict[str, Any]]:
    members, workers, rounds = (50, 20, 7) if s.quick else (1_000, 200, 15)
    tmp = Path(tempfile.mkdtemp(prefix="dmflow-p8-"))
    single = federated = None
    try:
        single = _Install(tmp, "single", 1, workers)
        federated = _Install(tmp, "federated", members, workers)
        times: dict[str, dict[str, list[float]]] = {k: {"single": [], "federated": []}
                                                    for k in ("step", "inbox", "dashboard")}
        for install in (single, federated):  # warm-up
            install.step(), install.inbox(), install.dashboard()
        for _ in range(rounds):
            for name, install in (("single", single), ("federated", federated)):
                times["step"][name].append(install.step())
                times["inbox"][name].append(install.inbox())
                times["dashboard"][name].append(install.dashboard())
        built = federated.built_s
    finally:
        for install in (single, federated):
            if install is not None:
                install.close()
        shutil.rmtree(tmp, ignore_errors=True)
    stats = {k: {n: Stat.of(v) for n, v in d.items()} for k, d in times.items()}
    rows = [Row("P8", f"federation built: {members:,} enterprises × {workers} workers "
                      f"({members * workers:,} users and representatives)", f"{built:.1f} s")]
    for key, label in (("step", "a member's task step"), ("inbox", "a member worker's inbox page 1")):
        one, many = stats[key]["single"], stats[key]["federated"]
        ratio = many.median / one.median
        rows.append(Row("P8", f"{label}: federated ÷ single ({many.median:.1f} vs {one.median:.1f} ms)",
                        f"{ratio:.2f}", f"≤ {RATIO_TARGET:g}", ratio <= RATIO_TARGET,
                        data={"single_ms": one.as_dict(), "federated_ms": many.as_dict(), "ratio": ratio}))
    one, many = stats["dashboard"]["single"], stats["dashboard"]["federated"]
    rows.append(Row("P8", f"dashboard of {members:,} members (1 member: {one.median:.1f} ms)", many.fmt(" ms", 1),
                    data={"single_ms": one.as_dict(), "federated_ms": many.as_dict(),
                          "per_member_ms": many.median / members, "ratio": many.median / one.median}))
    return rows, {k: {n: v for n, v in d.items()} for k, d in times.items()}
