"""Several worker processes never fire a timer twice; a worker killed mid-batch loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text

from api import create_app
from engine.clock import FixedClock
from engine.worker import run_once

from conftest import ROOT, Users, deploy_files
from helpers.bpmn import intermediate_timer


def _due_instances(db_url: str, count: int) -> list[str]:
    """`count` instances whose one-hour timer fell due an hour ago (created on a clock two hours back)."""
    past = FixedClock(datetime.now(UTC) - timedelta(hours=2))
    app = create_app({"DATABASE_URL": db_url, "TESTING": True, "CLOCK": past})
    client, users = app.test_client(), Users(app.extensions["dmflow"])
    assert deploy_files(client, users.headers("d", "designer"), {"t.bpmn": intermediate_timer("timed", "PT1H")}) \
        .status_code == 201
    clerk = users.headers("c", "clerk")
    ids = [client.post("/api/v1/instances", json={"process": "timed"}, headers=clerk).get_json()["id"]
           for _ in range(count)]
    app.extensions["dmflow"].db.dispose()
    return ids


def _fired(db_url: str) -> Counter:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT instance_id FROM audit_events WHERE event_type = 'timer.fired'")).all()
    engine.dispose()
    return Counter(r[0] for r in rows)


def _worker(db_url: str) -> subprocess.Popen:
    env = {**os.environ, "DMFLOW_DATABASE_URL": db_url}
    return subprocess.Popen([sys.executable, "-m", "api.cli", "worker", "--once"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_four_workers_fire_each_due_timer_exactly_once(db_url):
    ids = _due_instances(db_url, 240)
    workers = [_worker(db_url) for _ in range(4)]
    outputs = [w.communicate(timeout=240) for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0, 0], outputs
    fired = _fired(db_url)
    assert set(fired) == set(ids)
    assert set(fired.values()) == {1}, {k: v for k, v in fired.items() if v != 1}
    shares = [int(out.split()[3]) for out, _ in outputs]  # "fired timers of N instances, ..."
    assert sum(shares) == 240


def test_worker_killed_mid_batch_loses_nothing_and_a_restart_catches_up(db_url):
    ids = _due_instances(db_url, 400)
    worker = _worker(db_url)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and sum(_fired(db_url).values()) < 20:
        time.sleep(0.02)
    worker.send_signal(signal.SIGKILL)
    worker.communicate(timeout=30)
    at_kill = sum(_fired(db_url).values())
    assert 0 < at_kill < len(ids), "the worker should have been killed in the middle of its batch"
    app = create_app({"DATABASE_URL": db_url, "TESTING": True})
    done = run_once(app.extensions["dmflow"].uow)
    app.extensions["dmflow"].db.dispose()
    fired = _fired(db_url)
    assert set(fired) == set(ids) and set(fired.values()) == {1}
    assert len(done.timers_fired) == len(ids) - at_kill
