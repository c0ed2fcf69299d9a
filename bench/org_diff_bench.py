"""Benchmark of ``iamsim diff`` of two organization folders: one World per side against the
per-account tasks (docs/benchmarks.md, "World diff", "Organization folders").

The organization is ``bench/gen_org.py``'s (N accounts x R roles, seed 7). Two changes:

* ``account``: one account's policies changed -- in account #3, a customer managed policy
  gains ``s3:*`` on ``*`` and a role's trust policy is opened to account #5;
* ``scp``: the organization's region SCP allows one more region (every principal's SCP chain
  changes: every account is answered).

Each run is a separate process (``/usr/bin/time -v`` for the peak RSS), back to back under the
same load: ``one-world`` (both folders loaded whole, ``diff_worlds``, the JSON document) and
``tasks`` (``iamsim diff -i BASE --against VARIANT --json --workers W``, with W = 1, in this
process, whose peak RSS is exact, and W = --workers); the JSON documents are compared
(without the per-account counts).

    .venv/bin/python bench/org_diff_bench.py [--accounts 10] [--roles 1000] [--workers 2]
        [--no-escalation] [--only account|scp] [--no-serial] [--dir /tmp/org-diff-bench]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import gen_org  # noqa: E402  (a sibling script, not a package)

PYTHON = sys.executable
IAMSIM = str(Path(sys.executable).parent / "iamsim")
ONE_WORLD = """
import json, sys
from pathlib import Path
from iamsim.analysis.world_diff import diff_worlds
from iamsim.ingest import load_inputs
diff = diff_worlds(load_inputs([Path(sys.argv[1])]), load_inputs([Path(sys.argv[2])]),
                   escalation=sys.argv[3] == "1")
json.dump(diff.to_dict(), open(sys.argv[4], "w"))
"""


def _change_account(org: Path, ids: list[str]) -> None:
    target, other = ids[3 % len(ids)], ids[5 % len(ids)]
    path = org / "accounts" / target / "gaad.json"
    doc = json.loads(path.read_text())
    policy = next(p for p in doc["Policies"] if "boundary" not in p["PolicyName"])
    version = next(v for v in policy["PolicyVersionList"] if v["IsDefaultVersion"])
    version["Document"]["Statement"].append(
        {"Sid": "Loosened", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    )
    role = doc["RoleDetailList"][0]
    role["AssumeRolePolicyDocument"]["Statement"].append(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{other}:root"},
            "Action": "sts:AssumeRole",
        }
    )
    path.write_text(json.dumps(doc))


def _change_scp(org: Path, ids: list[str]) -> None:
    path = org / "organization.json"
    doc = json.loads(path.read_text())
    scp = doc["organization"]["root"]["children"][1]["scps"][0]["document"]["Statement"][0]
    scp["Condition"]["StringNotEquals"]["aws:RequestedRegion"].append("us-west-2")
    path.write_text(json.dumps(doc))


CHANGES = {"account": _change_account, "scp": _change_scp}


def _timed(command: list[str]) -> tuple[float, int, str]:
    """Wall seconds, max RSS (MB, /usr/bin/time -v) and standard output of ``command``."""
    start = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-v", *command], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{command}: exit {done.returncode}\n{done.stderr[-3000:]}")
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return wall, int(found.group(1)) // 1024 if found else -1, done.stdout


def _strip(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("accounts") and k != "schema_version"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument("--roles", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-escalation", action="store_true")
    parser.add_argument("--only", choices=sorted(CHANGES))
    parser.add_argument("--dir", default="/tmp/org-diff-bench")
    parser.add_argument(
        "--no-serial", action="store_true", help="skip the --workers 1 run (long variants)"
    )
    args = parser.parse_args()
    root = Path(args.dir)
    base = root / f"base-{args.accounts}x{args.roles}"
    if not base.exists():
        gen_org.write(base, accounts=args.accounts, roles=args.roles, seed=7)
    ids = [gen_org.account_id(i) for i in range(args.accounts)]
    escalation = not args.no_escalation
    for name, change in CHANGES.items():
        if args.only and name != args.only:
            continue
        variant = root / f"{name}-{args.accounts}x{args.roles}"
        shutil.rmtree(variant, ignore_errors=True)
        shutil.copytree(base, variant)
        change(variant, ids)
        print(f"== {name} (load average {os.getloadavg()[0]:.1f})", flush=True)
        out = root / f"{name}-one-world.json"
        wall, rss, _ = _timed(
            [PYTHON, "-c", ONE_WORLD, str(base), str(variant), "1" if escalation else "0", str(out)]
        )
        one = json.loads(out.read_text())
        print(f"one-world: {wall:.1f} s, {rss} MB max RSS, summary {one['summary']}", flush=True)
        for workers in sorted({args.workers} if args.no_serial else {1, args.workers}):
            command = [
                IAMSIM, "diff", "-i", str(base), "--against", str(variant), "--json",
                "--workers", str(workers),
            ]  # fmt: skip
            if not escalation:
                command.append("--no-escalation")
            wall, rss, stdout = _timed(command)
            tasks = json.loads(stdout)
            counts = {k: v for k, v in tasks.items() if k.startswith("accounts")}
            same = _strip(tasks) == _strip(one)
            where = "in-process" if workers == 1 else "the parent only: workers are not counted"
            print(
                f"tasks (--workers {workers}): {wall:.1f} s, {rss} MB max RSS ({where}), "
                f"{counts}, same JSON: {same}",
                flush=True,
            )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
