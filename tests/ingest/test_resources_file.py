"""The resources file loader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ingest_paths import DATA

from iamsim.errors import InputError
from iamsim.ingest import load_input, load_inputs
from iamsim.policy.model import PolicyType

KEY = "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_resources_with_all_policy_spellings() -> None:
    world = load_inputs([DATA / "resources.yaml"])
    assert list(world.resources) == [
        KEY,
        "arn:aws:s3:::data-bucket",
        "arn:aws:sns:us-east-1:333333333333:alerts",
        "arn:aws:sqs:us-east-1:333333333333:jobs",
    ]
    bucket = world.resources["arn:aws:s3:::data-bucket"]
    assert bucket.account == "222222222222" and bucket.kind == "s3-bucket"
    assert dict(bucket.tags) == {"classification": "internal"}
    assert bucket.policy is not None and bucket.policy.policy_type is PolicyType.RESOURCE
    key = world.resources[KEY]  # policy given as a JSON string, tags as Key/Value
    assert key.kind == "kms-key" and key.account == "222222222222"
    assert dict(key.tags) == {"Owner": "security"}
    assert key.policy is not None and key.policy.statements[0].sid == "EnableIAM"
    queue = world.resources["arn:aws:sqs:us-east-1:333333333333:jobs"]  # policy from a file
    assert queue.policy is not None and queue.policy.source == str(
        DATA / "policies/queue-policy.json"
    )
    topic = world.resources["arn:aws:sns:us-east-1:333333333333:alerts"]
    assert topic.policy is None and topic.kind == "sns-topic"
    assert sorted(world.accounts) == ["222222222222", "333333333333"]
    # A bucket policy governs the bucket's objects.
    assert world.resource_for("arn:aws:s3:::data-bucket/reports/x.csv") is bucket


def test_top_level_list_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "res.json"
    path.write_text(json.dumps([{"arn": "arn:aws:sqs:eu-west-1:222222222222:q"}]))
    assert list(load_input(path).resources) == ["arn:aws:sqs:eu-west-1:222222222222:q"]


@pytest.mark.parametrize(
    ("entry", "pointer", "message"),
    [
        ({"arn": "arn:aws:s3:::b"}, "/resources/0", "names no account"),
        ({"arn": "not-an-arn", "account": "222222222222"}, "/resources/0/arn", "not an ARN"),
        (
            {"arn": "arn:aws:sqs:us-east-1:222222222222:q", "account": "333333333333"},
            "/resources/0/account",
            "differs",
        ),
        (
            {"arn": "arn:aws:sqs:us-east-1:222222222222:q", "policy": {"Statement": "x"}},
            "/resources/0/policy/Statement",
            "",
        ),
        (
            {"arn": "arn:aws:sqs:us-east-1:222222222222:q", "tags": {"k": ["v"]}},
            "/resources/0/tags/k",
            "tag value",
        ),
        (
            {"arn": "arn:aws:iam::222222222222:role/r", "policy": {}},
            "/resources/0/arn",
            "IAM users, groups and roles",
        ),
        ({"arn": "arn:aws:sqs:us-east-1:222222222222:q", "owner": "x"}, "/resources/0/owner", ""),
    ],
)
def test_errors_are_located(tmp_path: Path, entry: dict, pointer: str, message: str) -> None:  # type: ignore[type-arg]
    path = tmp_path / "resources.json"
    path.write_text(json.dumps({"resources": [entry]}))
    with pytest.raises(InputError) as info:
        load_input(path)
    assert (info.value.source, info.value.path) == (str(path), pointer)
    assert message in info.value.reason
