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

On PostgreSQL (when ``DMFLOW_BENCH_POSTGRES_URL`` or ``DMFLOW_TEST_POSTGRES_URL`` is set) the same two
installations are built in two fresh schemas, in bulk (multi-row INSERTs of 1,000 rows, then ``ANALYZE``), and
measured over HTTP as production runs: gunicorn with ``HTTP_WORKERS`` sync worker processes and a ``dmflow
worker`` polling beside each, the bench process as the one client on a keep-alive connection. Timed, rounds
interleaved: a step (``POST /api/v1/tasks/{id}/complete`` of a fresh instance's task), the member worker's inbox
(``GET /api/v1/tasks``) and the dashboard (``GET /api/v1/federation/dashboard``) as the federation's officer. The
plan of the inbox's query is read with ``EXPLAIN`` on both databases (it must walk
``ix_human_tasks_org_state_created``).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text

from engine import inbox, runtime, tenancy
from engine.deployments import deploy
from engine.identity import SYSTEM, Actor, create_user, issue_token
from engine.models import HumanTask, Instance, Organisation, ProcessVersion, TaskCandidate, User, UserRole
from engine.notification_tables import NotificationKey
from engine.parsing import SourceFile
from workflows.congress.tables import Meeting, Representative, Term
from workflows.congress.tables import Organisation as CongressOrganisation
from workflows.federation import dashboard

from .common import LOOP_FILE, LOOP_PROCESS, MODELS, POSTGRES_URL, ROOT, Row, Settings, Stat, log, python
from .server import Database, Server, migrate

RATIO_TARGET = 1.5
CASES = 5
HTTP_WORKERS = 3  # gunicorn's sync workers on PostgreSQL (a 2-core machine: more only queue)
INDEX = "ix_human_tasks_org_state_created"
NOW = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def _bulk(session, model, rows: list[dict[str, Any]]) -> None:
    """Write many rows at once: PostgreSQL's COPY (one stream, in the session's transaction), else a multi-row
    INSERT. Columns a row leaves out take their Python-side scalar default, as an INSERT would."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(model), rows)
        return
    table = model.__table__
    defaults = {c.key: c.default.arg for c in table.columns if c.key not in rows[0]
                and c.default is not None and c.default.is_scalar}
    columns = [*rows[0].keys(), *defaults.keys()]
    cursor = session.connection().connection.dbapi_connection.cursor()
    names = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row.get(c, defaults.get(c)) for c in columns])


def _population(services, org_ids: list[int], workers: int, pv_id: int) -> None:
    """Per enterprise: W users + roles + representatives, one term with a closed session, 5 cases with a task."""
    uow = services.uow()
    with uow:
        s = uow.session
        today = uow.now()
        cong = [{"org_id": o, "name": f"企业{o}", "headcount": workers, "women_count": workers // 3,
                 "dispatched_count": 0, "created_at": NOW, "updated_at": NOW} for o in org_ids]
        _bulk(s, CongressOrganisation, cong)
        cong_ids = dict(s.execute(select(CongressOrganisation.org_id, CongressOrganisation.id)
                                  .where(CongressOrganisation.org_id.in_(org_ids))).all())
        _bulk(s, Term, [{"org_id": o, "organisation_id": cong_ids[o], "number": 1,
                                  "starts_on": dt.date(2025, 1, 1), "ends_on": dt.date(2029, 12, 31),
                                  "created_at": NOW} for o in org_ids])
        term_ids = dict(s.execute(select(Term.org_id, Term.id).where(Term.org_id.in_(org_ids))).all())
        _bulk(s, Meeting, [{"org_id": o, "term_id": term_ids[o], "session_number": 1,
                                     "title": "第一届第一次职工代表大会", "held_on": dt.date(2025, 12, 1),
                                     "status": "closed", "created_at": NOW, "created_by": "bench"}
                                    for o in org_ids])
        for chunk in range(0, len(org_ids), 100):
            orgs = org_ids[chunk:chunk + 100]
            users = [{"org_id": o, "username": f"w{o}_{i}", "display_name": f"职工{i}", "active": True,
                      "created_at": NOW} for o in orgs for i in range(workers)]
            _bulk(s, User, users)
            ids = s.execute(select(User.id, User.org_id).where(User.org_id.in_(orgs),
                                                               User.username.like("w%"))).all()
            _bulk(s, UserRole, [{"org_id": o, "user_id": u, "role": "worker"} for u, o in ids])
            _bulk(s, Representative, [
                {"org_id": o, "term_id": term_ids[o], "name": f"代表{i}", "employee_no": f"E{i:04d}",
                 "delegation": "第一代表团", "category": "一线职工", "gender": "女" if i % 3 == 0 else "男",
                 "dispatched": False, "elected_on": dt.date(2025, 1, 1), "username": f"w{o}_{i}",
                 "created_at": NOW} for o in orgs for i in range(workers)])
            instances, tasks, candidates, reminded = [], [], [], []
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
                    if k < 2:  # today's overdue reminder went out already: the worker beside the server idles
                        reminded.append({"org_id": o, "key": f"task.overdue/{tid}/{today.date().isoformat()}",
                                         "kind": "task.overdue", "created_at": today})
            _bulk(s, Instance, instances)
            _bulk(s, HumanTask, tasks)
            _bulk(s, TaskCandidate, candidates)
            _bulk(s, NotificationKey, reminded)
        uow.commit()


def inbox_plan(engine, org: int) -> str:
    """The plan of the inbox's page query (ready tasks of one organisation, oldest first, one page) as the database
    would run it: ``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN`` on PostgreSQL."""
    query = (select(HumanTask.id, Instance.business_key).join(Instance, Instance.id == HumanTask.instance_id)
             .where(HumanTask.state == "ready", HumanTask.org_id == org)
             .order_by(HumanTask.created_at, HumanTask.id).limit(51))
    with engine.connect() as conn:
        sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
        prefix = "EXPLAIN QUERY PLAN " if conn.dialect.name == "sqlite" else "EXPLAIN "
        rows = conn.execute(text(prefix + sql)).all()
        conn.rollback()
    return " | ".join(" ".join(str(c) for c in row) for row in rows)


class _Install:
    """One installation: a federation above ``members`` enterprises, the first being the measured one."""

    def __init__(self, url: str, members: int, workers: int):
        from api import create_app

        self.app = create_app({"DATABASE_URL": url}, routes=False)
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
                s.execute(insert(Organisation), [  # a JSON column: 1,000 rows, a plain INSERT
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

    def inbox_plan(self) -> str:
        """The database's plan of the inbox's page query for the measured member (see engine.inbox.list_tasks)."""
        return inbox_plan(self.services.db, tenancy.DEFAULT_ORG)

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


class _HttpInstall:
    """One installation on PostgreSQL, built in bulk in a fresh schema and served as in production: gunicorn with
    ``HTTP_WORKERS`` worker processes and a ``dmflow worker`` beside it; measured over HTTP."""

    def __init__(self, name: str, members: int, workers: int):
        self.database = Database("postgres", label=f"p8-{name}")
        self.server: Server | None = None
        self.worker_proc: subprocess.Popen | None = None
        self.install: _Install | None = None
        try:
            self._start(members, workers)
        except BaseException:
            self.close()  # the schema and the processes go with a failed (or interrupted) build
            raise

    def _start(self, members: int, workers: int) -> None:
        self.install = _Install(self.database.url, members, workers)
        services, self.members = self.install.services, members
        t0 = time.perf_counter()
        with self.database.engine.connect() as conn:  # fresh statistics for the planner after the bulk load
            for table in conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                                      ).scalars().all():
                conn.execute(text(f'ANALYZE "{table}"'))  # this schema's tables only, not the whole database
            conn.commit()
        self.analyze_s = time.perf_counter() - t0
        with tenancy.acting_for(tenancy.DEFAULT_ORG):
            self.stepper = issue_token(services.uow(), "stepper", actor=SYSTEM, label="bench")
            self.reader = issue_token(services.uow(), self.install.worker.username, actor=SYSTEM, label="bench")
        with tenancy.acting_for(self.install.federation):
            _, self.officer = create_user(services.uow(), "officer", ["federation_officer"], actor=SYSTEM)
        self.server = Server(self.database.url, workers=HTTP_WORKERS)
        self.server.start()
        env = dict(os.environ, DMFLOW_DATABASE_URL=self.database.url, PYTHONUNBUFFERED="1",
                   DMFLOW_SIGNING_KEY_FILE=str(Path(tempfile.gettempdir()) / "dmflow-p8-no-signing-key.pem"))
        self.worker_proc = subprocess.Popen([python(), "-c", "from api.cli import main; main()", "worker",
                                             "--interval", "2"], cwd=ROOT, env=env,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=300)

    def _call(self, method: str, path: str, token: str, body: Any = None, expect: int = 200) -> tuple[float, Any]:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                   "Connection": "keep-alive"}
        t0 = time.perf_counter()
        self.conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = self.conn.getresponse()
        raw = response.read()
        elapsed = (time.perf_counter() - t0) * 1000
        if response.status != expect:
            raise RuntimeError(f"{method} {path} answered {response.status}: {raw[:500]!r}")
        return elapsed, json.loads(raw) if raw else None

    def step(self) -> float:
        _, started = self._call("POST", "/api/v1/instances", self.stepper, {"process": LOOP_PROCESS, "data": {}},
                                expect=201)
        [task] = started["ready_tasks"]
        elapsed, _ = self._call("POST", f"/api/v1/tasks/{task['id']}/complete", self.stepper,
                                {"data": {"again": False}})
        return elapsed

    def inbox(self) -> float:
        elapsed, page = self._call("GET", "/api/v1/tasks?page=1", self.reader)
        assert page["total"] == CASES, page["total"]
        return elapsed

    def dashboard(self) -> float:
        elapsed, figures = self._call("GET", "/api/v1/federation/dashboard", self.officer)
        assert figures["totals"]["members"] == self.members
        return elapsed

    def close(self) -> None:
        if getattr(self, "conn", None) is not None:
            self.conn.close()
        if self.worker_proc is not None:
            self.worker_proc.terminate()
            try:
                self.worker_proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.worker_proc.kill()
                self.worker_proc.wait()
        if self.server is not None:
            self.server.stop()
        if self.install is not None:
            self.install.close()
        self.database.close()


def _measure(pair: dict[str, Any], rounds: int) -> dict[str, dict[str, list[float]]]:
    """Warm up, then time step, inbox and dashboard in interleaved rounds on both installations."""
    times: dict[str, dict[str, list[float]]] = {k: {"single": [], "federated": []}
                                                for k in ("step", "inbox", "dashboard")}
    for install in pair.values():  # warm-up (every gunicorn worker sees a request or two)
        for _ in range(3):
            install.step(), install.inbox(), install.dashboard()
    for _ in range(rounds):
        for name, install in pair.items():
            times["step"][name].append(install.step())
            times["inbox"][name].append(install.inbox())
            times["dashboard"][name].append(install.dashboard())
    return times


def _index_row(where: str, plan: str) -> Row:
    """Which index of human_tasks the member's inbox reads: one led by the organisation (its own rows only), not
    ``ix_human_tasks_state_created`` (every organisation's ready tasks)."""
    found = re.findall(r"ix_human_tasks_\w+", plan)
    ours = bool(found) and all(name.startswith("ix_human_tasks_org") for name in found)
    return Row("P8", f"{where}: the member's inbox reads human_tasks by", ", ".join(found) or "no index",
               "an index led by org_id", ours, data={"plan": plan})


def _rows(times: dict[str, dict[str, list[float]]], members: int, where: str) -> list[Row]:
    stats = {k: {n: Stat.of(v) for n, v in d.items()} for k, d in times.items()}
    rows = []
    for key, label in (("step", "a member's task step"), ("inbox", "a member worker's inbox page 1")):
        one, many = stats[key]["single"], stats[key]["federated"]
        ratio = many.median / one.median
        rows.append(Row("P8", f"{where}{label}: federated ÷ single ({many.median:.1f} vs {one.median:.1f} ms)",
                        f"{ratio:.2f}", f"≤ {RATIO_TARGET:g}", ratio <= RATIO_TARGET,
                        data={"single_ms": one.as_dict(), "federated_ms": many.as_dict(), "ratio": ratio}))
    one, many = stats["dashboard"]["single"], stats["dashboard"]["federated"]
    rows.append(Row("P8", f"{where}dashboard of {members:,} members (1 member: {one.median:.1f} ms)",
                    many.fmt(" ms", 1), data={"single_ms": one.as_dict(), "federated_ms": many.as_dict(),
                                              "per_member_ms": many.median / members,
                                              "ratio": many.median / one.median}))
    return rows


def _postgres(members: int, workers: int, rounds: int) -> tuple[list[Row], dict[str, Any]]:
    pair: dict[str, Any] = {}
    try:
        t0 = time.perf_counter()
        pair["single"] = _HttpInstall("single", 1, workers)
        pair["federated"] = _HttpInstall("federated", members, workers)
        built = time.perf_counter() - t0
        log(f"P8 PostgreSQL installations built in {built:.0f} s; serving with {HTTP_WORKERS} gunicorn workers")
        plan = pair["federated"].install.inbox_plan()
        times = _measure(pair, rounds)
    finally:
        for install in pair.values():
            install.close()
    federated = pair["federated"]
    rows = [Row("P8", f"PostgreSQL: federation built in bulk ({members:,} × {workers}), then ANALYZE",
                f"{federated.install.built_s:.1f} s + {federated.analyze_s:.1f} s"),
            _index_row("PostgreSQL", plan)]
    rows += _rows(times, members, f"PostgreSQL, HTTP, gunicorn -w {HTTP_WORKERS} + dmflow worker: ")
    return rows, {"times": times, "inbox_plan": plan, "load_average": os.getloadavg()}


def run(s: Settings) -> tuple[list[Row], dict[str, Any]]:
    members, workers, rounds = (50, 20, 7) if s.quick else (1_000, 200, 15)
    load = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="dmflow-p8-"))
    pair: dict[str, _Install] = {}
    try:
        for name, count in (("single", 1), ("federated", members)):
            url = f"sqlite:///{tmp / f'{name}.db'}"
            migrate(url)
            pair[name] = _Install(url, count, workers)
        plan = pair["federated"].inbox_plan()
        times = _measure(pair, rounds)
        built = pair["federated"].built_s
    finally:
        for install in pair.values():
            install.close()
        shutil.rmtree(tmp, ignore_errors=True)
    rows = [Row("P8", f"federation built: {members:,} enterprises × {workers} workers "
                      f"({members * workers:,} users and representatives)", f"{built:.1f} s"),
            _index_row("SQLite", plan)]
    rows += _rows(times, members, "")
    raw: dict[str, Any] = {"sqlite": {"times": times, "inbox_plan": plan}, "load_average_at_start": load}
    if POSTGRES_URL:
        more, raw["postgres"] = _postgres(members, workers, rounds)
        rows += more
    return rows, raw
