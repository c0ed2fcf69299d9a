"""who-can over many actions decides each class of alike actions once: the answers must equal
the reference loop's (tests/analysis/who_can_reference.py), which decides every (principal,
action) pair on its own, on the real export and on the test organization (SCPs, RCPs,
boundaries, resource policies, trust policies)."""

from __future__ import annotations

from pathlib import Path

import pytest
from who_can_reference import ReferenceWhoCan

from iamsim.analysis.action_classes import class_key, engine_service, singled_out
from iamsim.analysis.who_can import WhoCan, expand_actions
from iamsim.ingest import load_inputs
from iamsim.model import World

DATA = Path(__file__).parent / "data"
EXPORT = Path(__file__).parents[1] / "real_inputs" / "gaad" / "cloudsplaining-example.json"
ACCOUNT = "222222222222"

# Actions the engine or the builder single out, and a spread of the catalogue.
SPECIAL = [
    "sts:*",
    "iam:*Role*",
    "iam:*PolicyVersion",
    "kms:*",
    "sqs:*Queue*",
    "s3:*BucketPolicy",
    "s3:GetObject",
    "s3:ListAllMyBuckets",
    "dynamodb:GetItem",
    "ec2:Describe*",
]


def _sample(step: int) -> list[str]:
    everything = expand_actions(["*"])
    return sorted(set(everything[::step]) | set(expand_actions(SPECIAL)))


@pytest.fixture(scope="module")
def export() -> World:
    return load_inputs([EXPORT])


@pytest.fixture(scope="module")
def organization() -> World:
    return load_inputs([DATA / "gaad.yaml", DATA / "org.yaml", DATA / "resources.yaml"])


@pytest.mark.parametrize(
    "resource",
    ["*", "arn:aws:s3:::some-bucket/key", "arn:aws:iam::123456789012:role/x"],
)
def test_real_export_answers_equal_the_reference(export: World, resource: str) -> None:
    actions = _sample(400)
    grouped = WhoCan(export).who_can(actions, resource)
    reference = ReferenceWhoCan(export).who_can(actions, resource)
    assert grouped.to_dict() == reference.to_dict()
    assert grouped.principals  # the question has answers to compare


@pytest.mark.parametrize(
    "resource",
    [
        "*",
        "arn:aws:s3:::data-bucket/report.csv",
        f"arn:aws:sqs:eu-west-1:{ACCOUNT}:jobs-main",
        f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555",
        f"arn:aws:iam::{ACCOUNT}:user/someone",
    ],
)
def test_organization_answers_equal_the_reference(organization: World, resource: str) -> None:
    actions = _sample(600)
    grouped = WhoCan(organization).who_can(actions, resource)
    reference = ReferenceWhoCan(organization).who_can(actions, resource)
    assert grouped.to_dict() == reference.to_dict()


def test_actions_named_by_engine_rules_are_their_own_class() -> None:
    named = singled_out()
    # Rules of the engine and of the builder, read from their modules.
    assert {"sts:assumerole", "kms:retiregrant", "s3:putbucketpolicy"} <= named
    assert {"sts:getcalleridentity", "sqs:deletequeue", "iam:deletepolicy"} <= named
    assert class_key("s3:PutBucketPolicy", True) == ("s3", True, "s3:putbucketpolicy")
    assert class_key("s3:GetObject", True) == ("s3", True, None)
    assert class_key("sts:GetAccessKeyInfo", False) == ("sts", False, "sts:getaccesskeyinfo")


def test_services_the_engine_names_are_never_merged() -> None:
    assert engine_service("kms:Encrypt", rcp=False) == "kms"
    assert engine_service("dynamodb:GetItem", rcp=False) == "dynamodb"
    assert engine_service("ec2:RunInstances", rcp=False) is None
    assert engine_service("ec2:RunInstances", rcp=True) == "ec2"
