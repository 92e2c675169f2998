"""The load generator: a separate process, plain threads, one keep-alive `http.client` connection each.

Run as ``python -m bench.client`` with a JSON plan on stdin; prints the JSON results on stdout::

    {"port": 8000, "tokens": [...], "process": "...", "clients": 4, "warmup": 1.0,
     "rounds": 3, "duration": 2.0, "scenarios": ["dmflow", "floor", "naive", "bare"], "ports": {"bare": 8001},
     "pids": {"dmflow": [...], ...}}

``pids``: the server processes of a scenario, whose CPU time (from /proc) is read before and after each round:
the server's CPU per step over HTTP, as production pays it (the HTTP parsing included).

Every scenario is warmed up once, then the rounds are interleaved (round 1 of each scenario, round 2 of
each, ...) so that a drift of the machine touches all of them alike. A *step* is one state-changing
request: for dmflow and naive a start or a task completion (an instance takes three), for the floor one
INSERT. Each client thread drives its own instances from start to end, so clients never contend for one
instance; they do contend for the database, as real users do.
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import threading
import time
from typing import Any

PROPOSAL = {"title": "Canteen opening hours", "body": "Open the canteen at 06:30 for the early shift."}
VOTE = {"approve": True}


class Client:
    """One simulated user: a keep-alive connection and a scenario's request cycle."""

    def __init__(self, port: int, token: str, process: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                        "Connection": "keep-alive"}
        self.process = process
        self.next: tuple[str, dict] | None = None  # the request that continues the current instance
        self.stage = 0

    def post(self, path: str, body: dict) -> tuple[int, bytes]:
        try:
            self.conn.request("POST", path, body=json.dumps(body), headers=self.headers)
            resp = self.conn.getresponse()
            return resp.status, resp.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()  # reconnects on the next request
            raise

    # Each scenario: returns (path, body, expected status) of the next request, and digests its answer.
    def request_for(self, scenario: str) -> tuple[str, dict, int]:
        if scenario == "floor":
            return "/api/v1/_bench/floor", {}, 201
        if scenario == "bare":
            return "/floor", {}, 201
        if self.next is None:
            self.stage = 0
            path = "/api/v1/instances" if scenario == "dmflow" else "/api/v1/_bench/naive/start"
            return path, {"process": self.process, "data": {}}, 201
        path, body = self.next
        return path, body, 200

    def digest(self, scenario: str, raw: bytes) -> None:
        if scenario in ("floor", "bare"):
            return
        answer = json.loads(raw)
        ready = answer.get("ready_tasks") or []
        self.stage += 1
        if not ready or self.stage >= 3:
            self.next = None
            return
        data = PROPOSAL if self.stage == 1 else VOTE
        if scenario == "dmflow":
            self.next = (f"/api/v1/tasks/{ready[0]['id']}/complete", {"data": data})
        else:
            self.next = (f"/api/v1/_bench/naive/{answer['id']}/complete", {"task_id": ready[0]["id"], "data": data})


def _run(plan: dict[str, Any], scenario: str, duration: float, clients: list[Client]) -> dict[str, Any]:
    latencies: list[list[float]] = [[] for _ in clients]
    errors: list[list[str]] = [[] for _ in clients]
    done = [0] * len(clients)
    barrier = threading.Barrier(len(clients) + 1)
    box: dict[str, float] = {}

    def worker(i: int) -> None:
        client, lat, err = clients[i], latencies[i], errors[i]
        barrier.wait()
        deadline = box["deadline"]
        while time.perf_counter() < deadline:
            path, body, expected = client.request_for(scenario)
            t0 = time.perf_counter()
            try:
                status, raw = client.post(path, body)
            except (http.client.HTTPException, OSError) as exc:
                err.append(f"{path}: {type(exc).__name__}: {exc}")
                client.next = None
                continue
            lat.append(time.perf_counter() - t0)
            if status != expected:
                err.append(f"{path}: HTTP {status}: {raw[:200].decode(errors='replace')}")
                client.next = None
                continue
            client.digest(scenario, raw)
            done[i] += 1

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(len(clients))]
    for t in threads:
        t.start()
    pids = plan.get("pids", {}).get(scenario, [])
    cpu0 = _server_cpu(pids)
    start = time.perf_counter()
    box["deadline"] = start + duration
    barrier.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    cpu = _server_cpu(pids) - cpu0
    lat = sorted(x for per in latencies for x in per)
    errs = [e for per in errors for e in per]
    ok = sum(done)

    def pct(q: float) -> float:
        if not lat:
            return float("nan")
        k = (len(lat) - 1) * q / 100
        lo, hi = int(k), min(int(k) + 1, len(lat) - 1)
        return (lat[lo] + (lat[hi] - lat[lo]) * (k - lo)) * 1000

    return {"scenario": scenario, "clients": len(clients), "steps": ok, "elapsed_s": elapsed,
            "steps_per_s": ok / elapsed if elapsed else 0.0, "p50_ms": pct(50), "p95_ms": pct(95),
            "errors": len(errs), "error_samples": errs[:5],
            "server_cpu_ms_per_step": cpu * 1000 / ok if pids and ok else None}


def _server_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) the server's processes have used so far, from /proc (Linux)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def main() -> None:
    plan = json.load(sys.stdin)
    tokens = plan["tokens"]
    n = plan["clients"]
    results: dict[str, list[dict[str, Any]]] = {s: [] for s in plan["scenarios"]}
    ports = plan.get("ports", {})  # a scenario served by another server (the independent floor)
    pools = {s: [Client(ports.get(s, plan["port"]), tokens[i % len(tokens)], plan["process"]) for i in range(n)]
             for s in plan["scenarios"]}
    for scenario in plan["scenarios"]:
        if plan["warmup"] > 0:
            _run(plan, scenario, plan["warmup"], pools[scenario])
    for _ in range(plan["rounds"]):
        for scenario in plan["scenarios"]:
            results[scenario].append(_run(plan, scenario, plan["duration"], pools[scenario]))
    for pool in pools.values():
        for client in pool:
            client.conn.close()
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
