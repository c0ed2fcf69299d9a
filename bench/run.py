"""Run every benchmark under bench/ and print their results (``make bench``).

Each benchmark is its own script so it can be run alone; this runner calls them in turn with
the interpreter running it. Results go to standard output; record them in docs/benchmarks.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = (
    "engine_bench.py",
    "world_bench.py",
    "analysis_bench.py",
    "escalation_bench.py",
    "eval_bench.py",
    "terraform_bench.py",
)


def main() -> int:
    here = Path(__file__).resolve().parent
    status = 0
    for name in BENCHMARKS:
        script = here / name
        if not script.exists():
            continue
        print(f"== {name}", flush=True)
        status |= subprocess.call([sys.executable, str(script), *sys.argv[1:]])
    return status


if __name__ == "__main__":
    sys.exit(main())
