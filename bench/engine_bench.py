"""Decisions per second on one core for the two workloads of the engine benchmark.

(a) a user with one identity policy;
(b) a cross-account request with a three-level SCP chain containing a Deny, a boundary with a
    condition, a bucket policy with Allow and Deny statements and conditions, an RCP, a policy
    variable and an IP condition.

Policies are compiled once; each iteration builds nothing but evaluates one request. Run:
``python bench/engine_bench.py`` (results are printed and, with --json, written as JSON).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable
from datetime import UTC, datetime

from iamsim.engine import CompiledPolicySet, PolicySet, decide, evaluate, make_request
from iamsim.policy.model import PolicyType
from iamsim.policy.parser import parse_policy

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _p(doc: dict, kind: PolicyType, name: str):  # type: ignore[no-untyped-def]
    return parse_policy(doc, kind, name=name)


def workload_simple() -> tuple[list, CompiledPolicySet]:  # type: ignore[type-arg]
    identity = _p(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:PutObject"],
                    "Resource": "arn:aws:s3:::first-*/*",
                },
                {
                    "Effect": "Allow",
                    "Action": "dynamodb:*",
                    "Resource": "arn:aws:dynamodb:*:111122223333:table/first-*",
                },
            ],
        },
        PolicyType.IDENTITY,
        "app",
    )
    compiled = CompiledPolicySet(PolicySet(identity=(identity,)))
    requests = [
        make_request(
            "arn:aws:iam::111122223333:user/alice",
            "s3:GetObject",
            f"arn:aws:s3:::first-{i % 7}/k{i}",
            now=NOW,
        )
        for i in range(64)
    ]
    return requests, compiled


def workload_complex() -> tuple[list, CompiledPolicySet]:  # type: ignore[type-arg]
    allow_all = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    scp_root = [_p(allow_all, PolicyType.SCP, "FullAWSAccess")]
    scp_ou = [
        _p(allow_all, PolicyType.SCP, "FullAWSAccess"),
        _p(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "DenyOutsideRegions",
                        "Effect": "Deny",
                        "NotAction": ["iam:*", "sts:*", "s3:*"],
                        "Resource": "*",
                        "Condition": {
                            "StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}
                        },
                    }
                ],
            },
            PolicyType.SCP,
            "RegionLock",
        ),
    ]
    scp_account = [_p(allow_all, PolicyType.SCP, "FullAWSAccess")]
    identity = _p(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:*",
                    "Resource": "arn:aws:s3:::backup-${aws:PrincipalTag/team}/*",
                },
                {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"},
            ],
        },
        PolicyType.IDENTITY,
        "BackupAccess",
    )
    boundary = _p(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:PutObject", "ec2:Describe*"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:PrincipalTag/team": ["blue", "green"]}},
                }
            ],
        },
        PolicyType.BOUNDARY,
        "TeamBoundary",
    )
    bucket = _p(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AllowBackupRole",
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::444455556666:role/backup"},
                    "Action": ["s3:PutObject", "s3:GetObject"],
                    "Resource": "arn:aws:s3:::backup-blue/*",
                    "Condition": {
                        "IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}
                    },
                },
                {
                    "Sid": "DenyInsecure",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": ["arn:aws:s3:::backup-blue", "arn:aws:s3:::backup-blue/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            ],
        },
        PolicyType.RESOURCE,
        "backup-blue bucket policy",
    )
    rcp = _p(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": "*",
                    "Condition": {
                        "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"},
                        "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
                    },
                }
            ],
        },
        PolicyType.RCP,
        "DataPerimeter",
    )
    compiled = CompiledPolicySet(
        PolicySet(
            identity=(identity,),
            boundary=boundary,
            resource=bucket,
            scp=(tuple(scp_root), tuple(scp_ou), tuple(scp_account)),
            rcp=((), (rcp,)),
        )
    )
    requests = [
        make_request(
            "arn:aws:sts::444455556666:assumed-role/backup/nightly",
            "s3:PutObject",
            f"arn:aws:s3:::backup-blue/{i}.tar",
            resource_account="111122223333",
            context={
                "aws:PrincipalTag/team": "blue",
                "aws:SourceIp": f"203.0.113.{i % 250}",
                "aws:SecureTransport": "true",
                "aws:PrincipalOrgID": "o-abc123",
                "aws:RequestedRegion": "eu-west-1",
            },
            now=NOW,
        )
        for i in range(64)
    ]
    # The backup role's account is the caller's; its policies include the role ARN's path-free form.
    return requests, compiled


def measure(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of CPU time of this process (robust to other load on the machine)."""
    count = 0
    start = time.process_time()
    deadline = start + seconds
    while True:
        for _ in range(256):
            fn()
        count += 256
        now = time.process_time()
        if now >= deadline:
            return count / (now - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--json", dest="json_path")
    args = parser.parse_args()
    results: dict[str, object] = {
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    for label, factory in (("a_simple", workload_simple), ("b_complex", workload_complex)):
        requests, compiled = factory()
        expected = decide(requests[0], compiled)
        assert all(decide(r, compiled) is expected for r in requests)
        cycle = iter(requests * 1_000_000)
        fast = measure(lambda c=cycle, p=compiled: decide(next(c), p), args.seconds)
        explained = measure(lambda c=cycle, p=compiled: evaluate(next(c), p), args.seconds)
        results[label] = {
            "decision": expected.value,
            "decide_per_s": round(fast),
            "evaluate_explain_per_s": round(explained),
        }
        print(
            f"{label}: decision={expected.value}  decide(): {fast:,.0f}/s  evaluate(explain): {explained:,.0f}/s"
        )
    if args.json_path:
        with open(args.json_path, "w") as handle:
            json.dump(results, handle, indent=2)


if __name__ == "__main__":
    main()
