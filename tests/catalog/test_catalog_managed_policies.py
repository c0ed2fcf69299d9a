"""AWS managed policies from the packaged snapshot."""

from __future__ import annotations

from datetime import datetime

import pytest

from iamsim.catalog import all_managed_policies, managed_policy, snapshot_info


def test_read_only_access_by_arn() -> None:
    policy = managed_policy("arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert policy is not None
    assert policy.name == "ReadOnlyAccess"
    assert policy.arn == "arn:aws:iam::aws:policy/ReadOnlyAccess"
    assert policy.path == "/"
    assert policy.version_id.startswith("v")
    assert isinstance(policy.update_date, datetime)
    statements = policy.document["Statement"]
    actions = {
        a
        for s in statements
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert "s3:Get*" in actions or any(a.startswith("s3:") for a in actions)
    assert all(s["Effect"] == "Allow" for s in statements)


def test_administrator_access() -> None:
    policy = managed_policy("AdministratorAccess")
    assert policy is not None
    assert policy.arn == "arn:aws:iam::aws:policy/AdministratorAccess"
    assert policy.document == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }


def test_service_role_path() -> None:
    arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    policy = managed_policy(arn)
    assert policy is not None
    assert policy.arn == arn and policy.path == "/service-role/"
    assert policy.name == "AWSLambdaBasicExecutionRole"
    assert managed_policy("AWSLambdaBasicExecutionRole") == policy
    assert managed_policy("service-role/AWSLambdaBasicExecutionRole") == policy
    # IAM needs the real path in an ARN
    assert managed_policy("arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole") is None
    assert managed_policy("job-function/AWSLambdaBasicExecutionRole") is None


def test_other_partitions() -> None:
    policy = managed_policy("arn:aws-cn:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    assert policy is not None
    assert policy.arn == "arn:aws-cn:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    gov = managed_policy("arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess")
    aws = managed_policy("arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert gov is not None and aws is not None
    assert gov.arn.startswith("arn:aws-us-gov:") and gov.document is aws.document


def test_bare_names_case_insensitive_fallback() -> None:
    exact = managed_policy("ReadOnlyAccess")
    assert exact is not None and managed_policy("readonlyaccess") == exact


@pytest.mark.parametrize(
    "text",
    [
        "NoSuchPolicy",
        "arn:aws:iam::aws:policy/NoSuchPolicy",
        "arn:aws:iam::123456789012:policy/ReadOnlyAccess",  # customer managed
        "arn:aws:iam::aws:role/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/readonlyaccess",  # ARNs are exact
        "",
        "   ",
    ],
)
def test_unknown(text: str) -> None:
    assert managed_policy(text) is None


def test_all_managed_policies() -> None:
    policies = all_managed_policies()
    assert len(policies) > 1500
    names = [p.name for p in policies]
    assert names == sorted(names) and len(set(names)) == len(names)
    for policy in policies:
        assert policy.arn.startswith("arn:aws:iam::aws:policy/")
        assert policy.arn.endswith(policy.path + policy.name)
        assert "Statement" in policy.document
    paths = {p.path for p in policies}
    assert {"/", "/service-role/", "/aws-service-role/", "/job-function/"} <= paths


def test_snapshot_info() -> None:
    info = snapshot_info()
    assert info.count == len(all_managed_policies())
    assert info.count > 1500
    assert info.date[:4].isdigit() and info.date >= "2026-01-01"
    assert "moto" in info.source
    assert info.latest_update is not None
