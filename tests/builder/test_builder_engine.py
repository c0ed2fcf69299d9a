"""End to end: built requests decided by the engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamsim import engine
from iamsim.builder import RequestBuilder
from iamsim.ingest import load_inputs

DATA = Path(__file__).parent.parent / "ingest" / "data"
IN_REGION = {"aws:RequestedRegion": "eu-west-1"}


@pytest.fixture(scope="module")
def builder() -> RequestBuilder:
    world = load_inputs([DATA / "gaad-small.json", DATA / "org-tree.yaml", DATA / "resources.yaml"])
    return RequestBuilder(world)


@pytest.mark.parametrize(
    ("principal", "action", "resource", "context", "expected"),
    [
        # Identity allows, boundary allows, SCP region control satisfied, RCP satisfied.
        ("alice", "s3:GetObject", "arn:aws:s3:::data-bucket/x", IN_REGION, "Allow"),
        # The region SCP at the Workloads OU denies outside its regions.
        (
            "alice",
            "s3:GetObject",
            "arn:aws:s3:::data-bucket/x",
            {"aws:RequestedRegion": "us-east-1"},
            "ExplicitDeny",
        ),
        # The prod account's SCP denies iam:CreateUser.
        (
            "alice",
            "iam:CreateUser",
            "arn:aws:iam::222222222222:user/new",
            IN_REGION,
            "ExplicitDeny",
        ),
        # The trust policy names the account: alice's identity policies must allow; they don't.
        ("alice", "sts:AssumeRole", "arn:aws:iam::222222222222:role/app/app", {}, "ImplicitDeny"),
        # Cross-account: the bucket policy grants the dev account; dev's root may use it.
        ("333333333333", "s3:GetObject", "arn:aws:s3:::data-bucket/x", IN_REGION, "Allow"),
        # Sandbox OU replaced FullAWSAccess with an S3-only allow.
        ("arn:aws:iam::444444444444:root", "sqs:ListQueues", "*", IN_REGION, "ImplicitDeny"),
    ],
)
def test_decisions(
    builder: RequestBuilder,
    principal: str,
    action: str,
    resource: str,
    context: dict[str, str],
    expected: str,
) -> None:
    built = builder.build(principal, action, resource, context=context)
    decision = engine.evaluate(built.request, built.policies)
    assert str(decision.value) == expected, decision.reason
