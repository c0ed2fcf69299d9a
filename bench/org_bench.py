"""Organization-scale benchmark: who-can of one bucket action across an organization folder.

    python bench/gen_org.py /tmp/org-100x1000 --accounts 100 --roles 1000
    python bench/org_bench.py /tmp/org-100x1000 [--workers 2] [--single]

Each measurement runs in a fresh child interpreter (so its peak memory is its own) and
prints one JSON line:

* ``org-who-can``: ``org_who_can`` (per-account tasks) on ``--workers`` processes: wall
  time, peak RSS of the parent and the largest peak RSS of a worker
  (``resource.getrusage(RUSAGE_CHILDREN)``: the maximum over the workers, not their sum), and
  ``peak_total_mib_bound`` = parent + workers x largest worker, an upper bound of the
  machine's peak.
* ``org-who-can-serial``: the same tasks in one process (``--workers 1``).
* ``single`` (with ``--single``): the whole organization loaded into one World and asked
  once (the path before organization folders).
* ``per-role``: memory of one loaded account (its World, AWS managed policies resolved, every
  policy compiled) per role, by tracemalloc.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ACTION = "s3:GetObject"
TARGET = "arn:aws:s3:::org-shared-data/report.csv"
REGION = "eu-west-1"


def _mib(kib: int) -> float:
    return round(kib / 1024, 1)


def one(mode: str, org_dir: str, workers: int) -> dict[str, object]:
    from iamsim.scale.tasks import org_who_can

    start = time.perf_counter()
    if mode == "per-role":
        from iamsim.engine.compiled import compiled_policy
        from iamsim.ingest.org_folder import OrgFolder
        from iamsim.model.managed import resolve_managed_policies

        folder = OrgFolder(org_dir)
        account = list(folder.accounts)[1]
        tracemalloc.start()
        world = resolve_managed_policies(folder.account_world(account))
        for role in world.roles.values():
            for policy in role.inline_policies:
                compiled_policy(policy)
        for managed in world.managed_policies.values():
            compiled_policy(managed.document)
        used, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        roles = len(world.roles)
        return {
            "mode": mode,
            "roles": roles,
            "managed_policies": len(world.managed_policies),
            "bytes_per_role": used // roles,
            "peak_bytes_per_role": peak // roles,
        }
    if mode == "single":
        from iamsim.analysis.who_can import WhoCan
        from iamsim.builder import RequestBuilder
        from iamsim.ingest import load_inputs

        world = load_inputs([org_dir])
        loaded = time.perf_counter() - start
        result = WhoCan(world, builder=RequestBuilder(world, region=REGION)).who_can(
            [ACTION], TARGET
        )
        principals = len(result.principals)
        extra: dict[str, object] = {"load_s": round(loaded, 2)}
    else:
        from iamsim.scale.runner import ProcessRunner, SerialRunner, TaskRunner

        # spawn: the workers are this process's children, so RUSAGE_CHILDREN sees their peak.
        runner: TaskRunner = (
            SerialRunner()
            if mode == "org-who-can-serial"
            else ProcessRunner(workers, start_method="spawn")
        )
        try:
            answer = org_who_can(org_dir, [ACTION], TARGET, runner, region=REGION)
        finally:
            runner.close()
        principals = len(answer.result.principals)
        extra = {"accounts": answer.accounts, "left_out": len(answer.left_out)}
    wall = time.perf_counter() - start
    parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    used_workers = workers if mode == "org-who-can" else 0
    return {
        "mode": mode,
        "workers": used_workers or 1,
        "wall_s": round(wall, 2),
        "principals": principals,
        "parent_peak_rss_mib": _mib(parent),
        "largest_worker_peak_rss_mib": _mib(child) if used_workers else 0,
        "peak_total_mib_bound": _mib(parent + used_workers * child),
        **extra,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("org_dir")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--single", action="store_true", help="also the single-process path")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.org_dir, args.workers)))
        return
    modes = ["org-who-can", "org-who-can-serial", "per-role"]
    if args.single:
        modes.append("single")
    with open("/proc/loadavg") as f:
        print(json.dumps({"loadavg_at_start": f.read().split()[:3]}))
    for mode in modes:
        command = [sys.executable, str(Path(__file__).resolve()), args.org_dir, "--one", mode]
        command += ["--workers", str(args.workers)]
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
