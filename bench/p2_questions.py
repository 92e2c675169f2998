"""P2 (disclosures): one step of a disclosure instance after 10 and after 2,000 workers' questions.

Questions are records, not BPMN tasks, so the step that closes a disclosure's feedback window should cost the
same however many workers asked. Measured in-process (no HTTP, so nothing but the step is timed): per round a
fresh database, a quarterly social-insurance disclosure driven to its feedback window through the API, N
questions asked and answered through the domain services (setup, not timed), then the clock moved past the
window and the worker's `run_once` timed: it loads the instance, fires the window's timer, runs the engine on
and saves.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .common import Row, Stat, log
from .server import migrate

ROOT = Path(__file__).resolve().parent.parent


def _flow(n_questions: int) -> float:
    from api import create_app
    from engine.clock import FixedClock
    from engine.identity import SYSTEM, Actor, create_user
    from engine.worker import run_once
    from workflows.catalog import deploy_bundled
    from workflows.disclosure import feedback as disclosure_feedback
    from workflows.disclosure.catalogue import seed_catalogue

    tmp = Path(tempfile.mkdtemp(prefix="dmflow-p2q-"))
    try:
        url = f"sqlite:///{tmp / 'p2q.db'}"
        migrate(url)
        clock = FixedClock(datetime(2026, 4, 1, 2, tzinfo=UTC))
        app = create_app({"DATABASE_URL": url, "TESTING": True, "CLOCK": clock})
        services = app.extensions["dmflow"]
        deploy_bundled(services.uow(), ROOT / "bpmn", actor=SYSTEM)
        seed_catalogue(services.uow())
        heads = {}
        for name, role in (("hr", "dept_hr"), ("conf", "confidentiality_officer"), ("sup", "supervision_group"),
                           ("worker", "worker")):
            _, token = create_user(services.uow(), name, [role], actor=SYSTEM)
            heads[name] = {"Authorization": f"Bearer {token}"}
        client = app.test_client()

        def call(method: str, path: str, who: str, **kw) -> dict[str, Any]:
            r = getattr(client, method)(f"/api/v1/disclosures{path}", headers=heads[who], **kw)
            assert r.status_code < 300, (path, r.get_json())
            return r.get_json()

        items = {i["code"]: i for i in call("get", "/catalogue", "worker")}
        item = items["social_insurance"]
        did = call("post", "", "hr", json={"item_id": item["id"], "period": "2026-Q1"})["id"]
        call("put", f"/{did}/draft", "hr", json={"content": "2026年第1季度社会保险缴纳情况", "channels": ["intranet"]})
        call("post", f"/{did}/submit", "hr")
        if item["confidentiality_check"]:
            call("post", f"/{did}/confidentiality-check", "conf",
                 json={"decision": "clear", "state_secret": False, "trade_secret": False, "lawful": True})
        call("post", f"/{did}/review", "sup", json={"decision": "approve", "truthful": True, "complete": True,
                                                    "timely": True})
        call("post", f"/{did}/publications", "hr", json={"channel": "intranet", "location": "内网"})
        published = call("post", f"/{did}/publish", "hr")
        hr = Actor("hr", frozenset({"dept_hr"}))
        for n in range(n_questions):  # N workers' questions: one each (a worker may ask at most 10 per disclosure)
            worker = Actor(f"worker{n}", frozenset({"worker"}))
            q = disclosure_feedback.ask(services.uow(), did, body=f"第{n + 1}个问题：缴费基数如何确定？", actor=worker)
            disclosure_feedback.answer(services.uow(), did, q.id, "按上年度月平均工资确定。", actor=hr)
        clock.set(datetime.fromisoformat(published["feedback_until"]) + timedelta(minutes=1))
        started = time.perf_counter()
        done = run_once(services.uow)
        elapsed = (time.perf_counter() - started) * 1000
        assert done.timers_fired and not done.failed, done
        services.db.dispose()
        return elapsed
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(settings) -> tuple[list[Row], dict[str, Any]]:
    rounds = 2 if settings.quick else 4
    large = 500 if settings.quick else 2_000
    small_ms, large_ms = [], []
    for r in range(rounds):
        log(f"P2 disclosure round {r + 1}/{rounds}")
        small_ms.append(_flow(10))
        large_ms.append(_flow(large))
    small, big = Stat.of(small_ms), Stat.of(large_ms)
    ratio = big.median / small.median
    label = f"{large:,}" + (" (quick)" if settings.quick else "")
    rows = [
        Row("P2", "disclosure step closing the feedback window, 10 questions", small.fmt(" ms")),
        Row("P2", f"disclosure step closing the feedback window, {label} questions", big.fmt(" ms")),
        Row("P2", f"disclosure step, {label} ÷ 10 questions", f"{ratio:.2f}", "≤ 1.2", ratio <= 1.2),
    ]
    return rows, {"small_ms": small_ms, "large_ms": large_ms, "large_questions": large}
