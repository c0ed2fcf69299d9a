"""What the Ray runner costs: cluster start-up, worker warm-up, per-task overhead, shut-down.

Starts a local cluster with ``RayRunner("auto")`` (as ``--ray auto`` does) and measures, in one
run so that every number shares the machine's load: the start-up; the first map (one task per
CPU: the workers start and import iamsim); the time per task of a task that does nothing, over
``--tasks`` tasks, for 1, 2, 4 and 8 tasks in flight per CPU (IN_FLIGHT_PER_CPU is 4), against a
serial map; a task that loads one account export (the bundled example's GAAD files) serially and
on the cluster; and ``close()``. Needs the ray extra. Run:
``python bench/ray_overhead.py [--tasks N] [--load-tasks N] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

EXPORTS = sorted(
    str(p)
    for p in (
        Path(__file__).resolve().parents[1] / "src" / "iamsim" / "examples" / "organization"
    ).glob("model/gaad-*.json")
)


def nothing(n: int) -> int:
    return n


def load_account(path: str) -> int:
    """A per-account task in small: load one export and compile it; return its role count."""
    import iamsim

    return len(iamsim.load([path]).roles)


def timed(run: Callable[[], object], repeat: int) -> float:
    """The median wall-clock seconds of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=3000)
    parser.add_argument("--load-tasks", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"cpus {os.cpu_count()}, load average at start {os.getloadavg()[0]:.2f}")

    start = time.perf_counter()
    from iamsim.scale.ray_runner import IN_FLIGHT_PER_CPU, RayRunner

    imported = time.perf_counter() - start
    start = time.perf_counter()
    runner = RayRunner("auto")
    started = time.perf_counter() - start
    print(f"import iamsim.scale.ray_runner {imported:.2f} s")
    print(f"cluster start-up (RayRunner('auto')) {started:.2f} s")
    try:
        cpus = runner.cluster_cpus()
        start = time.perf_counter()
        list(runner.map_unordered(load_account, EXPORTS[:1] * cpus))
        print(
            f"first map, {cpus} tasks (workers start, import iamsim) "
            f"{time.perf_counter() - start:.2f} s"
        )

        tasks = range(args.tasks)
        serial = timed(lambda: list(map(nothing, tasks)), args.repeat)
        print(f"no-op task x {args.tasks}: serial {serial / args.tasks * 1e6:.2f} us/task")
        for per_cpu in (1, 2, 4, 8):
            runner.in_flight_per_cpu = per_cpu
            took = timed(lambda: list(runner.map_unordered(nothing, tasks)), args.repeat)
            print(
                f"no-op task x {args.tasks}: ray, {per_cpu} in flight per CPU "
                f"{took / args.tasks * 1e3:.2f} ms/task ({args.tasks / took:.0f} tasks/s)"
            )
        runner.in_flight_per_cpu = IN_FLIGHT_PER_CPU

        loads = [EXPORTS[n % len(EXPORTS)] for n in range(args.load_tasks)]
        serial = timed(lambda: list(map(load_account, loads)), args.repeat)
        took = timed(lambda: list(runner.map_unordered(load_account, loads)), args.repeat)
        print(
            f"load-one-export task x {args.load_tasks}: serial "
            f"{serial / args.load_tasks * 1e3:.1f} ms/task, ray "
            f"{took / args.load_tasks * 1e3:.1f} ms/task ({serial / took:.2f}x)"
        )
    finally:
        start = time.perf_counter()
        runner.close()
        print(f"close (shut-down) {time.perf_counter() - start:.2f} s")
    print(f"load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
