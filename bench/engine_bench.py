"""Decisions per second on one core for the two workloads of the engine benchmark.

(a) users with one identity policy (S3 and DynamoDB grants), asking allowed and not allowed
    actions;
(b) cross-account role sessions writing to a bucket: a three-level SCP chain containing a Deny,
    a boundary with a condition, a bucket policy with Allow and Deny statements and conditions,
    an RCP, a policy variable and an IP condition; a few requests are denied (plain HTTP, an
    address outside the range, another team's tag).

Each workload is plain data (policy documents and request fields), so the peer harness
(``bench/peer_engine.mjs``) runs exactly the same policies and requests. Every request differs
from every other (its own principal, resource and context values; ``--count`` of them, 20,000 by
default, built before timing), so no cache of answers can help: the loop measures evaluation.

Policies are compiled once; each iteration evaluates one request. Run:
``python bench/engine_bench.py`` (results are printed and, with --json, written as JSON);
``--export FILE`` writes the workloads with iamsim's decisions for the peer harness.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from iamsim.engine import CompiledPolicySet, PolicySet, decide, evaluate, make_request
from iamsim.policy.model import Policy, PolicyType
from iamsim.policy.parser import parse_policy
from iamsim.vocabulary.request import Request

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DEFAULT_COUNT = 20_000

Doc = dict[str, Any]
# A workload as data: {"policies": {slot: ...}, "requests": [{principal, action, ...}]}.
Workload = dict[str, Any]


def _allow_all() -> Doc:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }


def spec_simple(count: int = DEFAULT_COUNT) -> Workload:
    """Workload (a): one identity policy; a mix of granted and not granted requests."""
    identity = {
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
    }
    requests = []
    for i in range(count):
        kind = i % 8
        principal = f"arn:aws:iam::111122223333:user/user-{i}"
        if kind < 4:  # granted: GetObject / PutObject on a first-* bucket
            action = "s3:GetObject" if kind % 2 == 0 else "s3:PutObject"
            resource = f"arn:aws:s3:::first-{i % 97}/k{i}"
        elif kind < 6:  # granted: DynamoDB on a first-* table
            action = "dynamodb:GetItem" if kind == 4 else "dynamodb:PutItem"
            resource = f"arn:aws:dynamodb:eu-west-1:111122223333:table/first-{i}"
        elif kind == 6:  # not granted: another bucket
            action = "s3:GetObject"
            resource = f"arn:aws:s3:::other-{i}/k{i}"
        else:  # not granted: an action no statement names
            action = "s3:DeleteObject"
            resource = f"arn:aws:s3:::first-{i}/k{i}"
        requests.append(
            {
                "principal": principal,
                "action": action,
                "resource": resource,
                "resource_account": "111122223333",
                "context": {"aws:UserAgent": f"bench/{i}"},
            }
        )
    return {
        "name": "a_simple",
        "policies": {"identity": [{"name": "app", "document": identity}]},
        "requests": requests,
    }


def spec_complex(count: int = DEFAULT_COUNT) -> Workload:
    """Workload (b): every policy type of a cross-account request, mostly granted."""
    region_lock = {
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
    }
    identity = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "arn:aws:s3:::backup-${aws:PrincipalTag/team}/*",
            },
            {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"},
        ],
    }
    boundary = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "ec2:Describe*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": ["blue", "green"]}},
            }
        ],
    }
    bucket = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowBackupRole",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::444455556666:role/backup"},
                "Action": ["s3:PutObject", "s3:GetObject"],
                "Resource": "arn:aws:s3:::backup-blue/*",
                "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}},
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
    }
    rcp = {
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
    }
    requests = []
    for i in range(count):
        kind = i % 16
        context = {
            "aws:PrincipalTag/team": "green" if kind == 13 else "blue",
            # IPv4 and IPv6 sources, all distinct; kind 14 comes from outside the ranges.
            "aws:SourceIp": (
                f"198.51.100.{i % 250}"
                if kind == 14
                else f"2001:db8::{i:x}"
                if kind % 2
                else f"203.0.113.{i % 250}"
            ),
            "aws:SecureTransport": "false" if kind == 15 else "true",
            "aws:PrincipalOrgID": "o-abc123",
            "aws:RequestedRegion": "eu-west-1",
            "aws:UserAgent": f"backup-agent/{i}",
        }
        requests.append(
            {
                "principal": f"arn:aws:sts::444455556666:assumed-role/backup/nightly-{i}",
                "action": "s3:GetObject" if kind % 4 == 3 else "s3:PutObject",
                "resource": f"arn:aws:s3:::backup-blue/{i}.tar",
                "resource_account": "111122223333",
                "context": context,
            }
        )
    allow_all = {"name": "FullAWSAccess", "document": _allow_all()}
    return {
        "name": "b_complex",
        "policies": {
            "identity": [{"name": "BackupAccess", "document": identity}],
            "boundary": {"name": "TeamBoundary", "document": boundary},
            "resource": {"name": "backup-blue bucket policy", "document": bucket},
            "scp": [
                [allow_all],
                [allow_all, {"name": "RegionLock", "document": region_lock}],
                [allow_all],
            ],
            # iamsim adds RCPFullAWSAccess to every RCP level (AWS attaches it to every node).
            "rcp": [[], [{"name": "DataPerimeter", "document": rcp}]],
        },
        "requests": requests,
    }


def _policy(entry: Doc, kind: PolicyType) -> Policy:
    return parse_policy(entry["document"], kind, name=entry["name"])


def build(spec: Workload) -> tuple[list[Request], CompiledPolicySet]:
    """iamsim's requests and compiled policy set for a workload given as data."""
    p = spec["policies"]
    policies = PolicySet(
        identity=tuple(_policy(e, PolicyType.IDENTITY) for e in p.get("identity", ())),
        boundary=_policy(p["boundary"], PolicyType.BOUNDARY) if "boundary" in p else None,
        resource=_policy(p["resource"], PolicyType.RESOURCE) if "resource" in p else None,
        scp=tuple(tuple(_policy(e, PolicyType.SCP) for e in level) for level in p["scp"])
        if "scp" in p
        else None,
        rcp=tuple(tuple(_policy(e, PolicyType.RCP) for e in level) for level in p["rcp"])
        if "rcp" in p
        else None,
    )
    requests = [
        make_request(
            r["principal"],
            r["action"],
            r["resource"],
            resource_account=r["resource_account"],
            context=r["context"],
            now=NOW,
        )
        for r in spec["requests"]
    ]
    return requests, CompiledPolicySet(policies)


def workload_simple(count: int = DEFAULT_COUNT) -> tuple[list[Request], CompiledPolicySet]:
    return build(spec_simple(count))


def workload_complex(count: int = DEFAULT_COUNT) -> tuple[list[Request], CompiledPolicySet]:
    return build(spec_complex(count))


def measure(fn: Callable[[Request], object], requests: list[Request], seconds: float) -> float:
    """Calls per second of CPU time of this process (robust to other load on the machine).

    Requests are taken in order, wrapping around after the last: with thousands of distinct
    requests no request repeats within any cache's reach."""
    count = 0
    total = len(requests)
    index = 0
    start = time.process_time()
    deadline = start + seconds
    while True:
        chunk = requests[index : index + 256]
        for request in chunk:
            fn(request)
        count += len(chunk)
        index = index + 256 if index + 256 < total else 0
        now = time.process_time()
        if now >= deadline:
            return count / (now - start)


def run(seconds: float, count: int, export: str | None = None) -> dict[str, object]:
    results: dict[str, object] = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "requests": count,
    }
    exported = []
    for spec in (spec_simple(count), spec_complex(count)):
        label = spec["name"]
        requests, compiled = build(spec)
        decisions = [decide(r, compiled).value for r in requests]
        assert decisions == [evaluate(r, compiled).value.value for r in requests]
        fast = measure(lambda r, p=compiled: decide(r, p), requests, seconds)
        explained = measure(lambda r, p=compiled: evaluate(r, p), requests, seconds)
        tally = dict(sorted(Counter(decisions).items()))
        results[label] = {
            "decisions": tally,
            "decide_per_s": round(fast),
            "evaluate_explain_per_s": round(explained),
        }
        print(
            f"{label}: {count:,} distinct requests {tally}\n"
            f"  decide(): {fast:,.0f}/s  evaluate(explain): {explained:,.0f}/s",
            flush=True,
        )
        exported.append({**spec, "decisions": decisions})
    if export:
        with open(export, "w") as handle:
            json.dump({"workloads": exported}, handle)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="distinct requests")
    parser.add_argument("--json", dest="json_path")
    parser.add_argument("--export", help="write the workloads and decisions for the peer")
    args = parser.parse_args()
    results = run(args.seconds, args.count, args.export)
    if args.json_path:
        with open(args.json_path, "w") as handle:
            json.dump(results, handle, indent=2)


if __name__ == "__main__":
    main()
