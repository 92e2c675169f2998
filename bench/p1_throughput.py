"""P1 task throughput: the reference model through the HTTP API, beside the floor and the naive baseline.

One server per backend (gunicorn, 2 workers) serves all three scenarios; the load comes from
``bench.client`` in a separate process, once per concurrency level, with the scenarios' rounds interleaved.
"""

from __future__ import annotations

import json
import subprocess
import time
from typing import Any

from .common import REFERENCE_PROCESS, ROOT, Row, Settings, Stat, log, python
from .server import Server, backends, prepared

SCENARIOS = ("dmflow", "floor", "naive", "bare")  # bare: the independent floor (bench.bare), its own server
FLOOR_TARGET = 0.5
CPU_TARGET = 3.5  # the server's CPU per step ÷ the independent floor's per request (as in-process, bench.p1_cpu)
NAIVE_TARGET = 5.0


def _load(server: Server, bare: Server, tokens: list[str], clients: int,
          s: Settings) -> dict[str, list[dict[str, Any]]]:
    plan = {"port": server.port, "tokens": tokens, "process": REFERENCE_PROCESS, "clients": clients,
            "warmup": s.p1_warmup_s, "rounds": s.p1_rounds, "duration": s.p1_round_s, "scenarios": SCENARIOS,
            "ports": {"bare": bare.port},
            "pids": {k: (bare if k == "bare" else server).pids() for k in SCENARIOS}}
    budget = (s.p1_warmup_s + s.p1_rounds * s.p1_round_s) * len(SCENARIOS) + 120
    proc = subprocess.run([python(), "-m", "bench.client"], input=json.dumps(plan), capture_output=True,
                          text=True, cwd=ROOT, timeout=budget)
    if proc.returncode != 0:
        raise RuntimeError(f"bench.client failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout)


def _smoke(server: Server, token: str) -> None:
    """One instance of each kind end to end, so a broken path fails loudly before any timing."""
    server.check_bench_endpoints(token)
    for start, complete in (("/api/v1/instances", "/api/v1/tasks/{task}/complete"),
                            ("/api/v1/_bench/naive/start", "/api/v1/_bench/naive/{inst}/complete")):
        status, body = server.request("POST", start, {"process": REFERENCE_PROCESS, "data": {}}, token)
        assert status == 201, (start, status, body)
        for data in ({"title": "Smoke test", "body": "x"}, {"approve": True}):
            task = body["ready_tasks"][0]["id"]
            status, body = server.request("POST", complete.format(task=task, inst=body["id"]),
                                          {"task_id": task, "data": data}
                                          if "naive" in complete else {"data": data}, token)
            assert status == 200, (complete, status, body)
        assert body["status"] == "completed", body


def run(s: Settings) -> tuple[list[Row], dict[str, Any]]:
    from . import p1_cpu

    rows, cpu = p1_cpu.run(s)
    raw: dict[str, Any] = {"cpu": cpu}
    for backend in backends():
        database, tokens = prepared(backend, max(s.p1_clients), label="p1")
        try:
            with Server(database.url) as server, Server(database.url, app="bench.bare:app") as bare:
                _smoke(server, tokens[0])
                for clients in s.p1_clients:
                    started = time.perf_counter()
                    result = _load(server, bare, tokens, clients, s)
                    log(f"P1 {backend}, {clients} client(s): {time.perf_counter() - started:.1f} s")
                    raw[f"{backend}/{clients}"] = result
                    rows += _rows(backend, clients, result)
        finally:
            database.close()
    return rows, raw


def _rows(backend: str, clients: int, result: dict[str, list[dict[str, Any]]]) -> list[Row]:
    rows = []
    rate = {k: [r["steps_per_s"] for r in v] for k, v in result.items()}
    where = f"{backend}, {clients} client{'s' if clients > 1 else ''}"
    for scenario in SCENARIOS:
        rounds = result[scenario]
        sps, p50, p95 = (Stat.of([r[k] for r in rounds]) for k in ("steps_per_s", "p50_ms", "p95_ms"))
        errors = sum(r["errors"] for r in rounds)
        samples = [e for r in rounds for e in r["error_samples"]][:3]
        value = f"{sps.fmt(' steps/s')}; p50 {p50.median:.1f} ms, p95 {p95.median:.1f} ms"
        if errors:
            value += f"; {errors} ERRORS"
        rows.append(Row("P1", f"{scenario} ({where})", value, data={
            "backend": backend, "clients": clients, "scenario": scenario, "steps_per_s": sps.as_dict(),
            "p50_ms": p50.as_dict(), "p95_ms": p95.as_dict(), "errors": errors, "error_samples": samples,
            "instances_per_s": sps.median / 3 if scenario in ("dmflow", "naive") else None}))
    for other, target in (("bare", FLOOR_TARGET), ("floor", FLOOR_TARGET), ("naive", NAIVE_TARGET)):
        ratio = Stat.of([d / o for d, o in zip(rate["dmflow"], rate[other], strict=True) if o])
        label = "independent floor (bare WSGI)" if other == "bare" else other
        rows.append(Row("P1", f"dmflow ÷ {label} ({where})", ratio.fmt("", 2),
                        f"≥ {target:g}", ratio.median >= target,
                        data={"backend": backend, "clients": clients, "ratio": ratio.as_dict()}))
    cpu = {k: [r["server_cpu_ms_per_step"] for r in v if r.get("server_cpu_ms_per_step")] for k, v in result.items()}
    if cpu["dmflow"] and cpu["bare"]:
        dm, bare = Stat.of(cpu["dmflow"]), Stat.of(cpu["bare"])
        over = Stat.of([d / b for d, b in zip(cpu["dmflow"], cpu["bare"], strict=False) if b])
        rows.append(Row("P1", f"server CPU per step over HTTP: dmflow / independent floor ({where})",
                        f"{dm.median:.2f} / {bare.median:.2f} ms: ÷ {over.median:.1f}", f"≤ {CPU_TARGET:g}",
                        over.median <= CPU_TARGET, data={"backend": backend, "clients": clients,
                                                          "dmflow_ms": dm.as_dict(), "bare_ms": bare.as_dict(),
                                                          "ratio": over.as_dict()}))
    # No implementation can beat the floor, so dmflow ÷ naive can never exceed floor ÷ naive.
    ceiling = Stat.of([f / n for f, n in zip(rate["floor"], rate["naive"], strict=True) if n])
    rows.append(Row("P1", f"ceiling of dmflow ÷ naive = floor ÷ naive ({where})", ceiling.fmt("", 2),
                    data={"backend": backend, "clients": clients, "ceiling": ceiling.as_dict()}))
    return rows
