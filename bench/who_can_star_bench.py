"""Benchmark of who-can over the whole catalogue: ``who-can '*' '*'`` on the real 824 KB
export (tests/real_inputs/gaad/cloudsplaining-example.json, 44 users, 78 roles, 22,321
catalogue actions), and one-action questions on the generated 1,000-role account (warm).

Run: ``python bench/who_can_star_bench.py [--reference] [--json out.json]``. With
``--reference`` the same question is also answered by the loop kept as the reference in
tests/analysis/who_can_reference.py (every principal and action decided on its own), in the
same process, and the two answers are compared. Wall and CPU seconds, one core.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "analysis"))

from gen_account import ACCOUNT, write  # noqa: E402

from iamsim.analysis.actions_index import default_index  # noqa: E402
from iamsim.analysis.effective import EffectiveAnalyzer  # noqa: E402
from iamsim.analysis.who_can import WhoCan, expand_actions  # noqa: E402
from iamsim.ingest import load_inputs  # noqa: E402

EXPORT = ROOT / "tests" / "real_inputs" / "gaad" / "cloudsplaining-example.json"


def _timed(fn: Any) -> tuple[Any, float, float]:
    # A full collection first, outside the timing: one measure must not pay for the
    # collector's scan of what earlier measures left (the '*' '*' answer holds millions of
    # objects, and a full collection falling inside a 30 ms measure multiplies it).
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, round(time.perf_counter() - wall, 3), round(time.process_time() - cpu, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description="who-can over the catalogue")
    parser.add_argument("--reference", action="store_true", help="also run the reference loop")
    parser.add_argument("--json", dest="json_out")
    args = parser.parse_args()
    out: dict[str, Any] = {"load_average": os.getloadavg()[0]}

    world, wall, cpu = _timed(lambda: load_inputs([EXPORT]))
    out["export_load"] = {"wall": wall, "cpu": cpu}
    actions, wall, cpu = _timed(lambda: expand_actions(["*"]))
    out["catalogue_expand"] = {"actions": len(actions), "wall": wall, "cpu": cpu}
    _index, wall, cpu = _timed(default_index)
    out["action_index"] = {"wall": wall, "cpu": cpu}
    answer, wall, cpu = _timed(lambda: WhoCan(world).who_can(actions, "*"))
    out["who_can_star_star"] = {
        "principals": len(answer.principals),
        "grants": sum(len(e.actions) for e in answer.principals),
        "blocked": len(answer.blocked),
        "requests": answer.evaluated,
        "wall": wall,
        "cpu": cpu,
    }
    if not args.reference:
        del answer  # measured; the later measures should not carry it
    if args.reference:
        from who_can_reference import ReferenceWhoCan

        old, wall, cpu = _timed(lambda: ReferenceWhoCan(world).who_can(actions, "*"))
        out["reference_who_can_star_star"] = {"wall": wall, "cpu": cpu}
        out["reference_equal"] = old.to_dict() == answer.to_dict()

    analyzer = EffectiveAnalyzer(world)
    broadest = max(world.roles, key=lambda arn: len(analyzer.permissions(arn)))
    result, wall, cpu = _timed(lambda: analyzer.permissions(broadest))
    out["export_permissions_broadest_role"] = {
        "role": broadest,
        "actions": len(result),
        "wall": wall,
        "cpu": cpu,
    }

    with tempfile.TemporaryDirectory() as tmp:
        generated = load_inputs(write(tmp, 7))
    who = WhoCan(generated)
    buckets = [a for a in generated.resources if a.startswith("arn:aws:s3:::")]
    queues = [a for a in generated.resources if a.startswith("arn:aws:sqs:")]
    keys = [a for a in generated.resources if a.startswith("arn:aws:kms:")]
    roles = list(generated.roles)
    questions = [
        ("s3:GetObject", f"{buckets[0]}/data.csv"),
        ("sqs:SendMessage", queues[0]),
        ("kms:Decrypt", keys[0]),
        ("iam:PassRole", roles[5]),
        ("sts:AssumeRole", roles[7]),
        ("ec2:StartInstances", f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-0123"),
        ("s3:ListAllMyBuckets", "*"),
    ]
    for action, resource in questions:  # compiles every principal's policies once
        who.who_can([action], resource)
    warm = []
    for action, resource in questions:
        found, wall, cpu = _timed(lambda a=action, r=resource: who.who_can([a], r))
        warm.append(
            {"action": action, "principals": len(found.principals), "wall": wall, "cpu": cpu}
        )
    out["generated_one_action_warm"] = warm
    gen_analyzer = EffectiveAnalyzer(generated)
    gen_broadest = max(roles[:200], key=lambda arn: len(gen_analyzer.permissions(arn)))
    result, wall, cpu = _timed(lambda: gen_analyzer.permissions(gen_broadest))
    out["generated_permissions_broadest_role"] = {
        "actions": len(result),
        "wall": wall,
        "cpu": cpu,
    }
    out["load_average_end"] = os.getloadavg()[0]
    print(json.dumps(out, indent=2))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
