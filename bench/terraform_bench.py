"""Loading a 100-file Terraform project (bench/gen_terraform.py) into the world model.

Generates the project into a temporary folder (or uses --dir), then loads it ``--repeat``
times through ``iamsim.ingest.load_inputs``, each load from scratch (a new loader, nothing
cached between loads but the parsed service reference and managed policy snapshot, as in one
command-line run). Reports wall and CPU time per load (CPU time is what the machine's load
does not inflate), and what was loaded. ``--profile`` prints the 25 costliest functions of one
load. Run::

    .venv/bin/python bench/terraform_bench.py [--files 100] [--repeat 5] [--profile]
        [--json out.json]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_terraform import write

from iamsim.ingest import load_inputs


def _load(directory: Path) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    world = load_inputs([directory])
    return time.perf_counter() - wall, time.process_time() - cpu, world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", type=Path, help="load this project instead of generating one")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        directory = args.dir or write(Path(tmp) / "project", args.files, args.seed)
        tf_files = len(list(directory.glob("*.tf")))
        # The first load also pays for reading the service reference and the managed policy
        # snapshot (once per process): reported apart.
        first_wall, first_cpu, world = _load(directory)
        walls, cpus = [], []
        for _ in range(args.repeat):
            wall, cpu, world = _load(directory)
            walls.append(wall)
            cpus.append(cpu)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            load_inputs([directory])
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)

    w = world  # type: ignore[assignment]
    result = {
        "files": tf_files,
        "roles": len(w.roles),  # type: ignore[attr-defined]
        "users": len(w.users),  # type: ignore[attr-defined]
        "groups": len(w.groups),  # type: ignore[attr-defined]
        "managed_policies": len(w.managed_policies),  # type: ignore[attr-defined]
        "resources": len(w.resources),  # type: ignore[attr-defined]
        "unresolved": len(w.unresolved),  # type: ignore[attr-defined]
        "first_load_wall_s": round(first_wall, 3),
        "first_load_cpu_s": round(first_cpu, 3),
        "load_wall_s_median": round(statistics.median(walls), 3),
        "load_cpu_s_median": round(statistics.median(cpus), 3),
        "load_cpu_s_min": round(min(cpus), 3),
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }
    for key, value in result.items():
        print(f"{key:>22}: {value}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
