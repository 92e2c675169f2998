"""Shared helpers of the benchmark suite: settings per mode, statistics, result records."""

from __future__ import annotations

import os
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
MODELS = BENCH_DIR / "models"
RESULTS = BENCH_DIR / "results"
REFERENCE_PROCESS = "Process_bench_proposal_vote"
REFERENCE_FILES = ("proposal-vote.bpmn", "proposal-schema.json", "vote-schema.json")
LOOP_PROCESS = "Process_bench_history_loop"
LOOP_FILE = "history-loop.bpmn"
POSTGRES_URL = os.environ.get("DMFLOW_BENCH_POSTGRES_URL") or os.environ.get("DMFLOW_TEST_POSTGRES_URL") or None


@dataclass(frozen=True)
class Settings:
    """How long and how often each benchmark measures (quick: under two minutes in all on 2 cores)."""

    quick: bool
    p1_clients: tuple[int, ...] = (1, 4, 8)
    p1_warmup_s: float = 1.5
    p1_rounds: int = 5
    p1_round_s: float = 3.0
    p4_events: int = 1_000_000
    p4_case_events: int = 10_000
    p4_rounds: int = 3
    p4_case_rounds: int = 5
    p5_small: int = 100
    p5_large: int = 100_000
    p5_rounds: int = 3
    p5_cycles: int = 40
    p6_small: int = 30
    p6_large: int = 300
    p6_rounds: int = 15

    @classmethod
    def for_mode(cls, quick: bool) -> Settings:
        if not quick:
            return cls(quick=False)
        return cls(quick=True, p1_warmup_s=0.5, p1_rounds=3, p1_round_s=1.0, p4_events=250_000, p4_rounds=2,
                   p4_case_rounds=3, p5_rounds=2, p5_cycles=20, p6_rounds=7)


def python() -> str:
    """The interpreter running the bench (the project's .venv under `make bench`)."""
    return sys.executable


def gunicorn() -> str:
    beside = Path(sys.executable).parent / "gunicorn"
    return str(beside if beside.exists() else ROOT / ".venv" / "bin" / "gunicorn")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@dataclass
class Stat:
    """A measure over rounds: the median, with the minimum and maximum."""

    median: float
    min: float
    max: float
    rounds: list[float] = field(default_factory=list)

    @classmethod
    def of(cls, values: list[float]) -> Stat:
        values = [v for v in values if v == v]  # drop NaN
        if not values:
            return cls(float("nan"), float("nan"), float("nan"), [])
        return cls(statistics.median(values), min(values), max(values), list(values))

    def as_dict(self) -> dict[str, Any]:
        return {"median": self.median, "min": self.min, "max": self.max, "rounds": self.rounds}

    def fmt(self, unit: str = "", digits: int = 1) -> str:
        if self.median != self.median:
            return "n/a"
        def f(v: float) -> str:
            return f"{v:,.{digits}f}"
        return f"{f(self.median)}{unit} ({f(self.min)}–{f(self.max)})"


@dataclass
class Row:
    """One line of the printed table and of latest.json."""

    bench: str
    metric: str
    value: str
    target: str = ""
    met: bool | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"bench": self.bench, "metric": self.metric, "value": self.value, "target": self.target,
                "met": self.met, **self.data}


def verdict(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: ""}[met]


def log(message: str) -> None:
    print(f"  · {message}", file=sys.stderr, flush=True)
