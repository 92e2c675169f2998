"""dmflow benchmark suite: `python -m bench.run [--quick] [--only P1,P4]` (see bench/README.md)."""
