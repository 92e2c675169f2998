"""Run the benchmark suite and print a table of medians with min–max; write bench/results/latest.json.

Usage: ``python -m bench.run [--quick] [--only P1,P4,...]`` (``make bench`` / ``make bench-quick``).
Targets are reported, never asserted: the exit status is 0 whenever every benchmark ran.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from importlib.metadata import version

from .common import POSTGRES_URL, RESULTS, Row, Settings, verdict


def _module(name: str):
    def run(settings: Settings):
        return importlib.import_module(f"bench.{name}").run(settings)
    return run


def _both(*names: str):
    def run(settings: Settings):
        rows, details = [], {}
        for name in names:
            got, more = importlib.import_module(f"bench.{name}").run(settings)
            rows += got
            details[name] = more
        return rows, details
    return run


def _benchmarks() -> dict:
    return {"P1": _module("p1_throughput"), "P2": _both("p2_participation", "p2_questions"),
            "P3": _module("p3_ballots"),
            "P4": _module("p4_audit"), "P5": _module("p5_memory"), "P6": _module("p6_history"),
            "P7": _module("p7_inbox"), "P8": _module("p8_federation")}


def _table(rows: list[Row]) -> str:
    head = ("bench", "metric", "median (min–max)", "target", "")
    cells = [head] + [(r.bench, r.metric, r.value, r.target, verdict(r.met)) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    widths[2] = min(widths[2], 78)
    lines = []
    for n, c in enumerate(cells):
        lines.append("  ".join(str(v).ljust(w) for v, w in zip(c, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer and shorter rounds (under two minutes)")
    parser.add_argument("--only", help="comma-separated benchmarks to run, e.g. P1,P4")
    args = parser.parse_args(argv)
    settings = Settings.for_mode(args.quick)
    benchmarks = _benchmarks()
    wanted = [b.strip().upper() for b in args.only.split(",")] if args.only else list(benchmarks)
    unknown = [b for b in wanted if b not in benchmarks]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)} (choose from {', '.join(benchmarks)})")

    load = os.getloadavg()[0]
    if load > 1.0:
        print(f"warning: the machine is busy (load average {load:.2f}); the figures will be noisy",
              file=sys.stderr)
    started = time.perf_counter()
    rows: list[Row] = []
    raw: dict[str, object] = {}
    failed = []
    for name in wanted:
        print(f"{name} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            got, details = benchmarks[name](settings)
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            first_line = (str(exc).strip().splitlines() or [""])[0]
            got, details = [Row(name, "error", f"{type(exc).__name__}: {first_line}"[:160], met=None)], {}
            failed.append(name)
        rows += got
        raw[name] = details
        print(f"{name} done in {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    total = time.perf_counter() - started

    mode = "quick" if args.quick else "full"
    print()
    print(f"dmflow benchmarks ({mode}, {total:.0f} s; {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"SpiffWorkflow {version('SpiffWorkflow')}, backends: sqlite{'+postgres' if POSTGRES_URL else ''})")
    print(_table(rows))
    if load > 1.0:
        print(f"(the machine was busy when the run began: load average {load:.2f}; figures are noisy)")
    missed = [r for r in rows if r.met is False]
    by_bench = {b: sum(r.bench == b for r in missed) for b in dict.fromkeys(r.bench for r in missed)}
    print(f"\ntargets: {sum(r.met is True for r in rows)} met, {len(missed)} missed"
          + (f" ({', '.join(f'{b} ×{n}' for b, n in by_bench.items())})" if missed else "")
          + ". Targets are reported, not asserted; bench/README.md says what is behind each miss.")

    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "latest.json"
    out.write_text(json.dumps({
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "mode": mode, "seconds": round(total, 1),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "load_before": load,
                    "spiffworkflow": version("SpiffWorkflow"), "platform": platform.platform()},
        "backends": ["sqlite"] + (["postgres"] if POSTGRES_URL else []),
        "settings": settings.__dict__, "rows": [r.as_dict() for r in rows], "raw": raw, "failed": failed,
    }, indent=2, default=str, ensure_ascii=False))
    print(f"written: {out.relative_to(RESULTS.parent.parent)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
