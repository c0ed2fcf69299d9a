"""Scenarios per second on the ``iamsim eval`` path, in one process.

Generates N scenarios that share the organization's policies (a three-level SCP chain with a
Deny and a condition, a permissions boundary, the same identity policy), as a batch of real
scenario files does, while no two requests repeat: each scenario has its own principal and its
own resource. The timed run is what ``iamsim eval --json`` does for every scenario: read the
scenario file (YAML), evaluate with the full explanation and build the JSON record. Run:
``python bench/eval_bench.py [--scenarios 2000] [--no-policy-cache] [--json out.json]``
(``--no-policy-cache`` measures the path as it was before :mod:`iamsim.checks.policy_cache`:
every scenario parses and compiles its own copy of each policy).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from typing import Any

import yaml

from iamsim.checks import policy_cache
from iamsim.checks.scenarios import Scenario, load_scenarios
from iamsim.engine.decision import evaluate
from iamsim.report.json_report import scenario_to_json


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


ALLOW_ALL = _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
SCP_OU = _doc(
    {"Effect": "Allow", "Action": "*", "Resource": "*"},
    {
        "Sid": "RegionLock",
        "Effect": "Deny",
        "NotAction": ["iam:*", "sts:*"],
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}},
    },
)
SCP_ACCOUNT = _doc(
    {"Effect": "Allow", "Action": ["s3:*", "dynamodb:*"], "Resource": "*"},
    {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
)
BOUNDARY = _doc(
    {
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:PutObject"],
        "Resource": "arn:aws:s3:::data-*/*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/team}"}},
    }
)
IDENTITY = _doc(
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"},
    {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::data-*/locked/*"},
)


def scenarios_text(count: int) -> str:
    """``count`` scenarios as one YAML document: shared policies, distinct requests."""
    items = []
    for i in range(count):
        items.append(
            {
                "name": f"scenario {i}",
                "principal": f"arn:aws:iam::111122223333:user/user-{i}",
                "action": "s3:GetObject" if i % 2 else "s3:PutObject",
                "resource": f"arn:aws:s3:::data-{i % 7}/object-{i}",
                "context": {"aws:RequestedRegion": "eu-west-1" if i % 3 else "us-east-1"},
                "policies": {
                    "identity": [IDENTITY],
                    "boundary": BOUNDARY,
                    "scp": [[ALLOW_ALL], [SCP_OU], [SCP_ACCOUNT]],
                },
            }
        )
    return yaml.safe_dump(items, sort_keys=False)


def run(text: str) -> tuple[float, float, int]:
    """CPU seconds to load the scenarios, CPU seconds to evaluate and report them, the count
    (CPU time of this process: other load on the machine changes it little)."""
    started = time.process_time()
    loaded = load_scenarios(text, "bench.yaml")
    loaded_at = time.process_time()
    count = 0
    for item in loaded:
        assert isinstance(item, Scenario), item
        decision = evaluate(item.request, item.policies, explain=True)
        json.dumps(scenario_to_json(item, decision))
        count += 1
    return loaded_at - started, time.process_time() - loaded_at, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenarios", type=int, default=2000)
    parser.add_argument("--json", dest="json_out", help="also write the results to this file")
    # Accepted for bench/run.py, which passes its arguments to every benchmark: this one runs
    # a fixed number of scenarios instead.
    parser.add_argument("--seconds", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--no-policy-cache", action="store_true", help="parse every copy")
    args = parser.parse_args()
    if args.no_policy_cache:
        policy_cache._LIMIT = 0  # every entry is dropped as soon as it is stored
    text = scenarios_text(args.scenarios)
    load_s, eval_s, count = run(text)
    total = load_s + eval_s
    result = {
        "python": platform.python_version(),
        "scenarios": count,
        "policy_cache": not args.no_policy_cache,
        "load_seconds": round(load_s, 3),
        "evaluate_seconds": round(eval_s, 3),
        "scenarios_per_second": round(count / total, 1),
    }
    print(
        f"{count} scenarios: load {load_s:.2f} s, evaluate+report {eval_s:.2f} s, "
        f"{count / total:,.0f} scenarios/s"
    )
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as out:
            json.dump(result, out, indent=2)


if __name__ == "__main__":
    main()
