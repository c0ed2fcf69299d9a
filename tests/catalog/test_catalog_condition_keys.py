"""Condition keys: per-action keys, key families, global keys, types and multi-valuedness."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamsim.catalog import ServiceReference, service_reference

GLOBAL_KEYS_FILE = (
    Path(__file__).resolve().parents[2] / "src" / "iamsim" / "data" / "global_condition_keys.json"
)


@pytest.fixture(scope="module")
def ref() -> ServiceReference:
    return service_reference()


def test_pass_role_keys(ref: ServiceReference) -> None:
    keys = ref.condition_keys("iam:PassRole")
    assert "iam:PassedToService" in keys
    assert "iam:AssociatedResourceArn" in keys
    assert ref.is_known_condition_key("iam:PassedToService", "iam:PassRole")
    assert ref.is_known_condition_key("IAM:passedtoservice", "iam:PassRole")


def test_create_role_keys(ref: ServiceReference) -> None:
    assert "iam:PermissionsBoundary" in ref.condition_keys("iam:CreateRole")
    assert ref.is_known_condition_key("iam:PermissionsBoundary", "iam:CreateRole")
    # a real IAM key that CreateRole does not list
    assert not ref.is_known_condition_key("iam:PassedToService", "iam:CreateRole")
    assert ref.is_known_condition_key("iam:PassedToService")


def test_resource_type_keys_are_included(ref: ServiceReference) -> None:
    # s3:GetObject's accesspointobject resource type carries the access point keys
    assert "s3:DataAccessPointArn" in ref.condition_keys("s3:GetObject")
    assert ref.condition_keys("nope:Nope") == set()


def test_global_keys_apply_to_every_action(ref: ServiceReference) -> None:
    for action in ("s3:GetObject", "sts:GetCallerIdentity", "iam:PassRole"):
        assert ref.is_known_condition_key("aws:SourceIp", action)
        assert ref.is_known_condition_key("aws:PrincipalTag/team", action)
        assert ref.is_known_condition_key("aws:ResourceOrgPaths", action)


@pytest.mark.parametrize(
    ("key", "action"),
    [
        ("aws:RequestTag/Env", "iam:CreateRole"),
        ("aws:requesttag/env", None),
        ("aws:ResourceTag/owner/team", None),
        ("s3:ExistingObjectTag/classification", "s3:GetObject"),
        ("s3:existingobjecttag/classification", None),
        ("s3:RequestObjectTag/a", None),
        ("kms:EncryptionContext:aws:s3:arn", None),
        ("ec2:ResourceTag/Name", None),
        ("iam:ResourceTag/dept", "iam:PassRole"),
        ("codebuild:secondarySources/src1.location", None),
        ("s3:prefix", "s3:ListBucket"),
        ("sts:RoleSessionName", "sts:AssumeRole"),
        ("saml:aud", None),
        ("token.actions.githubusercontent.com/my-org:repository", None),
        ("accounts.google.com:sub", "sts:AssumeRoleWithWebIdentity"),
        # OIDC claims of any provider, which the reference does not list
        ("token.actions.githubusercontent.com:sub", "sts:AssumeRoleWithWebIdentity"),
        ("token.actions.githubusercontent.com:aud", None),
        ("oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub", None),
        ("ec2:SourceInstanceArn", "s3:GetObject"),
    ],
)
def test_known_keys(ref: ServiceReference, key: str, action: str | None) -> None:
    assert ref.is_known_condition_key(key, action)


@pytest.mark.parametrize(
    ("key", "action"),
    [
        ("aws:Nope", None),
        ("aws:Nope", "s3:GetObject"),
        ("s3:Nope", None),
        ("s3:ExistingObjectTag/", None),
        ("aws:RequestTag/", None),
        ("s3:prefix", "s3:GetObject"),
        ("iam:PassedToService", "nope:Nope"),
        ("nosuchprefix:key", None),
        ("token.actions.githubusercontent.com:no_such_claim", None),
        ("s3:sub", None),
    ],
)
def test_unknown_keys(ref: ServiceReference, key: str, action: str | None) -> None:
    assert not ref.is_known_condition_key(key, action)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("aws:SourceIp", "IPAddress"),
        ("aws:VpcSourceIp", "IPAddress"),
        ("aws:CurrentTime", "Date"),
        ("aws:EpochTime", "Date"),
        ("aws:TokenIssueTime", "Date"),
        ("aws:MultiFactorAuthAge", "Numeric"),
        ("aws:MultiFactorAuthPresent", "Bool"),
        ("aws:SecureTransport", "Bool"),
        ("aws:PrincipalArn", "ARN"),
        ("aws:SourceArn", "ARN"),
        ("aws:SourceVpcArn", "ARN"),
        ("aws:PrincipalAccount", "String"),
        ("aws:userid", "String"),
        ("AWS:USERID", "String"),
        ("aws:TagKeys", "ArrayOfString"),
        ("aws:CalledVia", "ArrayOfString"),
        ("aws:PrincipalTag/team", "String"),
        ("aws:RequestTag/team", "String"),
        ("aws:ResourceTag/team", "String"),
        ("ec2:RoleDelivery", "Numeric"),
        ("identitystore:UserId", "String"),
        ("aws:Nope", None),
    ],
)
def test_global_key_types(ref: ServiceReference, key: str, expected: str | None) -> None:
    assert ref.condition_key_type(key) == expected


@pytest.mark.parametrize(
    ("key", "action", "expected"),
    [
        ("iam:PassedToService", "iam:PassRole", "String"),
        ("iam:PermissionsBoundary", "iam:CreateRole", "ARN"),
        ("s3:ExistingObjectTag/team", "s3:GetObject", "String"),
        ("s3:max-keys", "s3:ListBucket", "Numeric"),
        ("iam:PassedToService", "iam:CreateRole", None),
    ],
)
def test_service_key_types(
    ref: ServiceReference, key: str, action: str, expected: str | None
) -> None:
    assert ref.condition_key_type(key, action) == expected


def test_array_types_come_from_the_reference(ref: ServiceReference) -> None:
    # any ArrayOf* key the reference defines is multivalued, with or without its action
    assert ref.condition_key_type("iam:OrganizationsPolicyId") == "String"
    key = next(
        k
        for k in ref.condition_keys("ec2:RunInstances")
        if (ref.condition_key_type(k, "ec2:RunInstances") or "").startswith("ArrayOf")
    )
    assert ref.is_multivalued_key(key)
    assert ref.is_multivalued_key(key, "ec2:RunInstances")


@pytest.mark.parametrize(
    "key",
    [
        "aws:TagKeys",
        "aws:CalledVia",
        "aws:PrincipalOrgPaths",
        "aws:ResourceOrgPaths",
        "aws:PrincipalServiceNamesList",
        "aws:SourceOrgPaths",
        "aws:VpceOrgPaths",
        "AWS:tagkeys",
    ],
)
def test_multivalued_global_keys(ref: ServiceReference, key: str) -> None:
    assert ref.is_multivalued_key(key)


@pytest.mark.parametrize(
    "key",
    [
        "aws:CalledViaFirst",
        "aws:CalledViaLast",
        "aws:PrincipalOrgID",
        "aws:PrincipalTag/team",
        "aws:RequestTag/team",
        "aws:ResourceTag/team",
        "aws:SourceIp",
        "aws:PrincipalServiceName",
        "s3:prefix",
        "aws:Nope",
    ],
)
def test_single_valued_keys(ref: ServiceReference, key: str) -> None:
    assert not ref.is_multivalued_key(key)


def test_global_key_records(ref: ServiceReference) -> None:
    tag = ref.global_condition_key("aws:PrincipalTag/CostCenter")
    assert tag is not None and tag.key == "aws:PrincipalTag/${TagKey}"
    assert tag.category == "principal" and not tag.multivalued
    account = ref.global_condition_key("aws:SourceAccount")
    assert account is not None and account.sensitive
    assert ref.global_condition_key("aws:Nope") is None
    assert ref.global_condition_key("s3:prefix") is None


def test_condition_key_info(ref: ServiceReference) -> None:
    info = ref.condition_key_info("s3:existingobjecttag/x", "s3:GetObject")
    assert info is not None
    assert info.key == "s3:ExistingObjectTag/<key>" and info.service == "s3"
    assert not info.multivalued
    glob = ref.condition_key_info("aws:TagKeys")
    assert glob is not None and glob.service == "aws" and glob.multivalued


def test_global_key_table_shape() -> None:
    raw = json.loads(GLOBAL_KEYS_FILE.read_text())
    assert raw["source"].startswith("https://docs.aws.amazon.com/IAM/latest/UserGuide/")
    keys = raw["keys"]
    names = [k["key"].lower() for k in keys]
    assert len(names) == len(set(names))
    types = {"String", "ArrayOfString", "ARN", "Bool", "Date", "Numeric", "IPAddress"}
    categories = {"principal", "session", "network", "resource", "request"}
    for entry in keys:
        assert set(entry) == {"key", "type", "multivalued", "category", "availability", "sensitive"}
        assert entry["type"] in types and entry["category"] in categories
        assert entry["multivalued"] == entry["type"].startswith("ArrayOf")
        assert entry["availability"]


def test_every_global_key_is_in_the_table(ref: ServiceReference) -> None:
    names = {k.key for k in ref.global_condition_keys()}
    expected = {
        "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgPaths", "aws:PrincipalOrgID",
        "aws:PrincipalTag/${TagKey}", "aws:PrincipalIsAWSService", "aws:PrincipalServiceName",
        "aws:PrincipalServiceNamesList", "aws:PrincipalType", "aws:userid", "aws:username",
        "aws:AssumedRoot", "aws:FederatedProvider", "aws:TokenIssueTime", "aws:SignInSessionArn",
        "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent", "aws:ChatbotSourceArn",
        "aws:Ec2InstanceSourceVpc", "aws:Ec2InstanceSourcePrivateIPv4", "aws:SourceIdentity",
        "aws:SourceIp", "aws:SourceVpc", "aws:SourceVpcArn", "aws:SourceVpce",
        "aws:VpceAccount", "aws:VpceOrgID", "aws:VpceOrgPaths", "aws:VpcSourceIp",
        "aws:ResourceAccount", "aws:ResourceOrgID", "aws:ResourceOrgPaths",
        "aws:ResourceTag/${TagKey}", "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast",
        "aws:CalledViaAWSMCP", "aws:ViaAWSService", "aws:ViaAWSMCPService", "aws:CurrentTime",
        "aws:EpochTime", "aws:referer", "aws:RequestedRegion", "aws:RequestTag/${TagKey}",
        "aws:TagKeys", "aws:SecureTransport", "aws:SourceAccount", "aws:SourceArn",
        "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:UserAgent", "aws:IsMcpServiceAction",
    }  # fmt: skip
    assert expected <= names
