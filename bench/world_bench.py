"""Answering many ``check``-style questions against a real account export.

Loads the largest real export in ../shared/data/gaad/ (or the file given with --gaad), then asks
10,000 questions (every user and role, a mix of S3, IAM, EC2, KMS, Lambda and sts:AssumeRole on
resources of the account) through the library: RequestBuilder + engine. Reports load time,
build time, and decision time with and without the full explanation. Run:
``python bench/world_bench.py [--gaad PATH] [--questions N]``.
"""

from __future__ import annotations

import argparse
import itertools
import time
from datetime import UTC, datetime
from pathlib import Path

from iamsim.builder import RequestBuilder
from iamsim.engine import decide, evaluate
from iamsim.ingest import load_inputs

DEFAULT_GAAD = (
    Path(__file__).resolve().parents[1]
    / "tests"
    / "real_inputs"
    / "gaad"
    / "cloudsplaining-example.json"
)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def questions(world, count: int) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    principals = sorted(str(arn) for arn in (*world.users, *world.roles))
    account = next(iter(world.accounts))
    roles = sorted(world.roles)
    shapes = [
        ("s3:GetObject", "arn:aws:s3:::{n}-data/reports/2026.csv"),
        ("s3:PutObject", "arn:aws:s3:::{n}-uploads/incoming/file.bin"),
        ("s3:ListBucket", "arn:aws:s3:::{n}-data"),
        ("iam:CreateRole", f"arn:aws:iam::{account}:role/new-{{n}}"),
        ("iam:PassRole", "{role}"),
        ("ec2:RunInstances", f"arn:aws:ec2:us-east-1:{account}:instance/*"),
        ("ec2:DescribeInstances", "*"),
        ("kms:Decrypt", f"arn:aws:kms:us-east-1:{account}:key/{{n}}"),
        ("lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{account}:function:{{n}}"),
        ("sts:AssumeRole", "{role}"),
    ]
    out = []
    for i, (principal, (action, template)) in enumerate(
        zip(itertools.cycle(principals), itertools.cycle(shapes))
    ):
        if i >= count:
            break
        out.append((principal, action, template.format(n=i % 50, role=roles[i % len(roles)])))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gaad", type=Path, default=DEFAULT_GAAD)
    parser.add_argument("--questions", type=int, default=10_000)
    args = parser.parse_args()

    start = time.perf_counter()
    world = load_inputs([args.gaad])
    loaded = time.perf_counter()
    builder = RequestBuilder(world)
    asked = questions(world, args.questions)
    built = [
        builder.build(p, a, r, context={"aws:RequestedRegion": "us-east-1"}, now=NOW)
        for p, a, r in asked
    ]
    t_built = time.perf_counter()
    fast = [decide(b.request, b.policies) for b in built]
    t_decided = time.perf_counter()
    explained = [evaluate(b.request, b.policies) for b in built]
    t_explained = time.perf_counter()
    assert [d.value for d in explained] == [d.value for d in fast]
    allowed = sum(1 for d in fast if d.value == "Allow")
    print(
        f"input: {args.gaad.name} ({len(world.users)} users, {len(world.roles)} roles, "
        f"{len(world.managed_policies)} managed policies)"
    )
    print(f"load: {loaded - start:.2f} s")
    print(f"build {len(asked):,} requests: {t_built - loaded:.2f} s")
    print(f"decide {len(asked):,}: {t_decided - t_built:.2f} s   ({allowed:,} allowed)")
    print(f"evaluate with explanation {len(asked):,}: {t_explained - t_decided:.2f} s")
    print(f"total (load + build + decide): {t_decided - start:.2f} s")


if __name__ == "__main__":
    main()
