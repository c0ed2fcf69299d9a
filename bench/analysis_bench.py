"""Benchmarks of the analyses: effective permissions over the full catalogue, and who-can, on
the generated account of ``bench/gen_account.py`` (1,000 roles, 2,000 managed policies, 200
resource policies, an organization with a region SCP).

Run: ``python bench/analysis_bench.py [--seed 7] [--json out.json]``. Every number is wall time
on one core, in one process, in this order (so "cold" means what a CLI run pays):

1. loading the generated inputs;
2. the action index over the whole catalogue (reads the service reference);
3. effective permissions of the first principal (expands its action patterns, compiles
   its policies), then of 200 more principals with warm caches (median, p95, max), and of the
   broadest role again;
4. who-can for a set of questions, first with cold engine caches, then again.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from gen_account import ACCOUNT, write

from iamsim.analysis.actions_index import default_index
from iamsim.analysis.effective import EffectiveAnalyzer
from iamsim.analysis.who_can import WhoCan, expand_actions
from iamsim.ingest import load_inputs


def _timed(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description="analysis benchmarks")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--principals", type=int, default=200)
    parser.add_argument("--json", dest="json_out")
    args = parser.parse_args()
    results: dict[str, Any] = {"python": platform.python_version(), "seed": args.seed}

    with tempfile.TemporaryDirectory() as tmp:
        paths = write(tmp, args.seed)
        world, seconds = _timed(lambda: load_inputs(paths))
    results["load_inputs_s"] = round(seconds, 3)
    results["roles"] = len(world.roles)
    results["managed_policies"] = len(world.managed_policies)
    results["resource_policies"] = sum(1 for r in world.resources.values() if r.policy)

    index, seconds = _timed(default_index)
    results["catalogue_actions"] = len(index)
    results["action_index_s"] = round(seconds, 3)

    analyzer = EffectiveAnalyzer(world, index=index)
    roles = list(world.roles)
    _first, seconds = _timed(lambda: analyzer.permissions(roles[0]))
    results["effective_first_principal_s"] = round(seconds, 3)
    times = []
    granted = []
    for arn in roles[1 : 1 + args.principals]:
        result, seconds = _timed(lambda arn=arn: analyzer.permissions(arn))
        times.append(seconds)
        granted.append(len(result))
    times.sort()
    results["effective_principals"] = len(times)
    results["effective_median_s"] = round(statistics.median(times), 4)
    results["effective_p95_s"] = round(times[int(len(times) * 0.95) - 1], 4)
    results["effective_max_s"] = round(times[-1], 4)
    results["effective_mean_actions_granted"] = round(statistics.mean(granted))
    broadest = max(roles[: 1 + args.principals], key=lambda a: len(analyzer.permissions(a)))
    result, seconds = _timed(lambda: analyzer.permissions(broadest))
    results["effective_broadest_role"] = {
        "actions_granted": len(result),
        "counts": result.counts(),
        "seconds": round(seconds, 4),
    }

    buckets = [a for a in world.resources if a.startswith("arn:aws:s3:::")]
    queues = [a for a in world.resources if a.startswith("arn:aws:sqs:")]
    keys = [a for a in world.resources if a.startswith("arn:aws:kms:")]
    questions = [
        (["s3:GetObject"], f"{buckets[0]}/data.csv"),
        (["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], f"{buckets[1]}/x"),
        (["sqs:SendMessage"], queues[0]),
        (["kms:Decrypt"], keys[0]),
        (["iam:PassRole"], roles[5]),
        (["sts:AssumeRole"], roles[7]),
        (["s3:Get*"], f"{buckets[2]}/k"),
        (["ec2:StartInstances"], f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-0123"),
    ]
    who = WhoCan(world)
    cold: list[dict[str, Any]] = []
    for patterns, resource in questions:
        actions = expand_actions(patterns)
        answer, seconds = _timed(lambda a=actions, r=resource: who.who_can(a, r))
        cold.append(
            {
                "actions": patterns,
                "expanded": len(actions),
                "resource": resource,
                "principals": len(answer.principals),
                "candidates": answer.considered,
                "requests": answer.evaluated,
                "seconds": round(seconds, 3),
            }
        )
    warm = []
    for patterns, resource in questions:
        actions = expand_actions(patterns)
        _answer, seconds = _timed(lambda a=actions, r=resource: who.who_can(a, r))
        warm.append(round(seconds, 3))
    results["who_can"] = cold
    results["who_can_warm_s"] = warm

    # End to end, as a user runs it: a fresh process loads the test account and the catalogue
    # and prints the full-catalogue JSON of an administrator behind SCPs and RCPs.
    data = Path(__file__).resolve().parent.parent / "tests" / "analysis" / "data"
    command = [
        str(Path(sys.executable).parent / "iamsim"),
        "permissions",
        "admin",
        *("-i", str(data / "gaad.yaml"), "-i", str(data / "org.yaml")),
        "--json",
    ]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False)
    results["cli_permissions_admin_full_catalogue_s"] = round(time.perf_counter() - start, 3)
    results["cli_permissions_exit"] = done.returncode

    print(json.dumps(results, indent=2))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
