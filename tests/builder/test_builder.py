"""The request builder: which policies AWS applies and which context keys it supplies."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from iamsim.builder import BuilderWarning, RequestBuilder, build_request
from iamsim.errors import RequestError
from iamsim.ingest import load_inputs
from iamsim.model import (
    User,
    World,
    merge_worlds,
)
from iamsim.policy import parse_policy
from iamsim.policy.builtin import (
    FULL_AWS_ACCESS,
    RCP_FULL_AWS_ACCESS,
)
from iamsim.policy.model import PolicyType
from iamsim.vocabulary.request import CallerKind

DATA = Path(__file__).parent.parent / "ingest" / "data"
MGMT, PROD, DEV = "111111111111", "222222222222", "333333333333"
NOW = datetime(2026, 11, 23, 12, 30, 5, tzinfo=UTC)
BUCKET = "arn:aws:s3:::data-bucket"
KEY = f"arn:aws:kms:us-east-1:{PROD}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
APP_ROLE = f"arn:aws:iam::{PROD}:role/app/app"
SLR = f"arn:aws:iam::{PROD}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport"
ORG_PATH_PROD = "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/"


@pytest.fixture(scope="module")
def world() -> World:
    return load_inputs([DATA / "gaad-small.json", DATA / "org-tree.yaml", DATA / "resources.yaml"])


@pytest.fixture
def builder(world: World) -> RequestBuilder:
    return RequestBuilder(world)


def labels(policies: tuple[object, ...]) -> list[str]:
    return [p.name or "" for p in policies]  # type: ignore[attr-defined]


# -- which policies ---------------------------------------------------------------------


def test_user_with_groups_and_boundary(builder: RequestBuilder) -> None:
    built = builder.build(
        "alice",
        "s3:GetObject",
        f"{BUCKET}/x",
        now=NOW,
        context={"aws:RequestedRegion": "eu-west-1"},
    )
    policies = built.policies
    assert labels(policies.identity) == [
        "alice-inline (inline, user/alice)",
        "data-read",  # attached to alice and to her group: counted once
        "dev-inline (inline, group/developers)",
        "SecurityAudit",  # AWS managed, from the snapshot, via group auditors
    ]
    assert all(p.policy_type is PolicyType.IDENTITY for p in policies.identity)
    assert policies.boundary is not None
    assert policies.boundary.name == "dev-boundary"
    assert policies.boundary.policy_type is PolicyType.BOUNDARY
    assert policies.session is None
    assert (
        policies.resource is not None and policies.resource.name == f"resource policy of {BUCKET}"
    )
    assert policies.scp is not None and len(policies.scp) == 4
    assert labels(policies.scp[0]) == [FULL_AWS_ACCESS, "deny-leave-organization"]
    assert policies.rcp is not None and labels(policies.rcp[0]) == [
        RCP_FULL_AWS_ACCESS,
        "deny-external-s3",
    ]
    caller = built.request.caller
    assert caller.kind is CallerKind.USER and caller.arn == f"arn:aws:iam::{PROD}:user/alice"
    assert built.warnings == ()


def test_role_session_policies_and_tags(builder: RequestBuilder) -> None:
    session_policy = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
        },
        PolicyType.SESSION,
        name="passed",
    )
    built = builder.build(
        f"arn:aws:sts::{PROD}:assumed-role/app/build-42",
        "s3:GetObject",
        f"{BUCKET}/x",
        now=NOW,
        session_policies=[session_policy],
        session_tags={"team": "green", "project": "atlas"},
    )
    assert labels(built.policies.identity) == ["app-inline (inline, role/app)"]
    assert built.policies.boundary is not None and built.policies.boundary.name == "dev-boundary"
    assert built.policies.session == (session_policy,)
    ctx = built.request.context
    # The role's tag "Team" is replaced by the session tag "team" (keys compare case-blind).
    assert ctx["aws:PrincipalTag/Team"] == ("green",)
    assert ctx.name_of("aws:PrincipalTag/team") == "aws:PrincipalTag/team"
    assert ctx["aws:PrincipalTag/env"] == ("prod",)
    assert ctx["aws:PrincipalTag/project"] == ("atlas",)
    assert ctx["aws:userid"] == ("AROAAPP0000000000001:build-42",)
    assert ctx["aws:PrincipalArn"] == (APP_ROLE,)  # the role ARN, with its path
    assert ctx["aws:PrincipalType"] == ("AssumedRole",)
    assert "aws:username" not in ctx
    # Temporary credentials: issued at the request time unless told, MFA false unless told.
    assert ctx["aws:TokenIssueTime"] == ("2026-11-23T12:30:05Z",)
    assert ctx["aws:MultiFactorAuthPresent"] == ("false",)
    assert ctx["aws:ViaAWSService"] == ("false",)
    caller = built.request.caller
    assert caller.kind is CallerKind.ROLE_SESSION
    assert caller.arn == f"arn:aws:sts::{PROD}:assumed-role/app/build-42"
    assert caller.role_arn == APP_ROLE and caller.session_name == "build-42"


def test_role_arn_means_a_session_with_unknown_name(builder: RequestBuilder) -> None:
    built = builder.build(APP_ROLE, "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{DEV}:jobs")
    caller = built.request.caller
    assert caller.kind is CallerKind.ROLE_SESSION
    assert caller.arn is None and caller.session_name is None and caller.role_arn == APP_ROLE
    assert "aws:userid" not in built.request.context  # ROLEID:<session> is unknown
    assert built.request.context["aws:PrincipalTag/Team"] == ("red",)
    # Cross-account: the queue lives in dev; its policy and dev's RCP path apply.
    assert built.request.resource_account == DEV
    assert built.policies.resource is not None
    assert built.policies.rcp is not None and len(built.policies.rcp) == 3
    assert built.policies.scp is not None and len(built.policies.scp) == 4


def test_trust_policy_is_the_resource_policy_for_role_assumption(builder: RequestBuilder) -> None:
    for action in ("sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"):
        built = builder.build("alice", action, APP_ROLE)
        assert built.policies.resource is not None
        assert built.policies.resource.policy_type is PolicyType.TRUST
        assert built.policies.has_trust_policy
    # Other actions on the role have no resource policy, but see the role's tags.
    built = builder.build("alice", "iam:GetRole", APP_ROLE)
    assert built.policies.resource is None
    assert built.request.context["aws:ResourceTag/env"] == ("prod",)


def test_scp_skipped_for_management_account(builder: RequestBuilder) -> None:
    built = builder.build(f"arn:aws:iam::{MGMT}:root", "s3:GetObject", f"{BUCKET}/x")
    assert built.request.caller.kind is CallerKind.ROOT
    assert built.policies.scp is None
    assert built.policies.identity == () and built.policies.boundary is None
    # The bucket is in a member account: its RCPs still apply to the management root.
    assert built.policies.rcp is not None
    ctx = built.request.context
    assert ctx["aws:PrincipalType"] == ("Account",)
    assert ctx["aws:userid"] == (MGMT,)
    assert ctx["aws:PrincipalOrgPaths"] == ("o-a1b2c3d4e5/r-ab12/",)


def test_rcp_skipped_for_management_account_resources(world: World) -> None:
    mgmt_queue = f"arn:aws:sqs:us-east-1:{MGMT}:q"
    built = RequestBuilder(world).build("alice", "sqs:SendMessage", mgmt_queue)
    assert built.policies.rcp is None
    assert built.policies.scp is not None


def test_scp_and_rcp_skipped_for_service_linked_role(builder: RequestBuilder) -> None:
    built = builder.build(SLR, "s3:GetObject", f"{BUCKET}/x")
    assert built.request.caller.service_linked
    assert built.policies.scp is None
    assert built.policies.rcp is None


def test_rcp_only_for_supported_services(builder: RequestBuilder) -> None:
    supported = builder.catalog.rcp_supported_services()
    assert "sqs" in supported and "sns" not in supported
    sns = builder.build("alice", "sns:Publish", f"arn:aws:sns:us-east-1:{DEV}:alerts")
    assert sns.policies.rcp is None
    sqs = builder.build("alice", "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{DEV}:jobs")
    assert sqs.policies.rcp is not None


def test_no_organization_means_no_gates(tmp_path: Path) -> None:
    world = load_inputs([DATA / "gaad-small.json"])
    built = RequestBuilder(world).build("alice", "s3:GetObject", f"{BUCKET}/x")
    assert built.policies.scp is None and built.policies.rcp is None
    assert "aws:PrincipalOrgID" not in built.request.context


# -- context keys -----------------------------------------------------------------------


def test_user_context_keys(builder: RequestBuilder) -> None:
    built = builder.build("alice", "s3:GetObject", f"{BUCKET}/x", now=NOW)
    ctx = built.request.context
    assert ctx.as_dict() == {
        "aws:CurrentTime": "2026-11-23T12:30:05Z",
        "aws:EpochTime": str(int(NOW.timestamp())),
        "aws:PrincipalIsAWSService": "false",
        "aws:PrincipalType": "User",
        "aws:PrincipalArn": f"arn:aws:iam::{PROD}:user/alice",
        "aws:PrincipalAccount": PROD,
        "aws:username": "alice",
        "aws:userid": "AIDAALICE000000000001",
        "aws:PrincipalTag/CostCenter": "42",
        "aws:PrincipalTag/team": "blue",
        "aws:PrincipalOrgID": "o-a1b2c3d4e5",
        "aws:PrincipalOrgPaths": [ORG_PATH_PROD],
        "aws:ResourceAccount": PROD,
        "aws:ResourceOrgID": "o-a1b2c3d4e5",
        "aws:ResourceOrgPaths": [ORG_PATH_PROD],
        "aws:ViaAWSService": "false",  # a direct call; long-term keys carry no token or MFA keys
    }
    assert ctx.is_multi("aws:PrincipalOrgPaths")
    assert built.request.resource_account == PROD  # the bucket's owner, from the model


def test_resource_tags_region_and_overrides(builder: RequestBuilder) -> None:
    built = builder.build(
        "alice",
        "kms:Decrypt",
        KEY,
        now=NOW,
        context={"aws:SourceIp": "10.0.0.1", "aws:PrincipalTag/team": "override"},
    )
    ctx = built.request.context
    assert ctx["aws:ResourceTag/Owner"] == ("security",)
    assert ctx["aws:RequestedRegion"] == ("us-east-1",)
    assert ctx["aws:SourceIp"] == ("10.0.0.1",)
    assert ctx["aws:PrincipalTag/team"] == ("override",)  # the user's value wins
    bucket = builder.build("alice", "s3:ListBucket", BUCKET)
    assert bucket.request.context["aws:ResourceTag/classification"] == ("internal",)
    # An object does not carry its bucket's tags.
    obj = builder.build("alice", "s3:GetObject", f"{BUCKET}/k")
    assert "aws:ResourceTag/classification" not in obj.request.context


def test_other_principal_kinds(builder: RequestBuilder) -> None:
    anon = builder.build("anonymous", "s3:GetObject", f"{BUCKET}/x")
    assert anon.request.caller.kind is CallerKind.ANONYMOUS
    assert anon.policies.scp is None and anon.policies.identity == ()
    assert anon.policies.rcp is not None  # RCPs apply to every caller
    assert {k: anon.request.context[k] for k in ("aws:PrincipalType", "aws:userid")} == {
        "aws:PrincipalType": ("Anonymous",),
        "aws:userid": ("anonymous",),
    }
    assert "aws:PrincipalArn" not in anon.request.context

    svc = builder.build("cloudtrail.amazonaws.com", "s3:PutObject", f"{BUCKET}/logs/x")
    assert svc.request.caller.kind is CallerKind.SERVICE
    assert svc.request.context["aws:PrincipalIsAWSService"] == ("true",)
    assert svc.request.context["aws:PrincipalServiceName"] == ("cloudtrail.amazonaws.com",)
    assert svc.policies.scp is None

    fed = builder.build(f"arn:aws:sts::{PROD}:federated-user/carol", "s3:GetObject", f"{BUCKET}/x")
    assert fed.request.caller.kind is CallerKind.FEDERATED_USER
    assert fed.request.context["aws:userid"] == (f"{PROD}:carol",)
    assert fed.request.context["aws:PrincipalType"] == ("FederatedUser",)
    assert fed.policies.scp is not None
    assert any("federated user" in w for w in fed.warnings)


def test_outside_principal_has_no_identity(builder: RequestBuilder) -> None:
    built = builder.build("arn:aws:iam::999999999999:role/partner", "s3:GetObject", f"{BUCKET}/x")
    assert built.policies.identity == () and built.policies.scp is None
    assert "aws:PrincipalOrgID" not in built.request.context
    assert any("999999999999 is not in the inputs" in w for w in built.warnings)


def test_s3_object_of_unknown_bucket_defaults_to_caller_account(builder: RequestBuilder) -> None:
    built = builder.build("alice", "s3:GetObject", "arn:aws:s3:::unknown-bucket/k")
    assert built.request.resource_account == PROD
    assert built.request.context["aws:ResourceAccount"] == (PROD,)
    assert any("owner of arn:aws:s3:::unknown-bucket/k is unknown" in w for w in built.warnings)


# -- validation -------------------------------------------------------------------------


def test_unknown_action_suggests(builder: RequestBuilder) -> None:
    with pytest.raises(RequestError, match=r"unknown action 's3:GetObjekt'.*s3:GetObject"):
        builder.build("alice", "s3:GetObjekt", "*")
    with pytest.raises(RequestError, match="pattern"):
        builder.build("alice", "s3:Get*", "*")


def test_canonical_action_spelling(builder: RequestBuilder) -> None:
    assert builder.build("alice", "S3:getobject", f"{BUCKET}/x").request.action == "s3:GetObject"


def test_action_without_resource_level_permissions(builder: RequestBuilder) -> None:
    built = builder.build("alice", "s3:ListAllMyBuckets", BUCKET)
    assert built.request.resource == "*"
    assert any("no resource-level permissions" in w for w in built.warnings)
    region = {"aws:RequestedRegion": "eu-west-1"}
    assert builder.build("alice", "s3:ListAllMyBuckets", context=region).warnings == ()


def test_requested_region(builder: RequestBuilder) -> None:
    # From the resource ARN; IAM's single endpoint is us-east-1; otherwise unknown, and said
    # so when a policy (here the region SCP) has a condition on it.
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
    lam = "arn:aws:lambda:eu-west-1:{}:function:f"
    built = builder.build("alice", "lambda:InvokeFunction", lam.format(PROD))
    assert built.request.context.get_values("aws:RequestedRegion") == ("eu-west-1",)
    built = builder.build("alice", "iam:GetRole", APP_ROLE)
    assert built.request.context.get_values("aws:RequestedRegion") == ("us-east-1",)
    built = builder.build("alice", "s3:GetObject", f"{BUCKET}/x")
    assert built.request.context.get_values("aws:RequestedRegion") is None
    assert any("aws:RequestedRegion is unknown" in w for w in built.warnings)
    regional = RequestBuilder(builder.world, region="eu-central-1")
    built = regional.build("alice", "s3:GetObject", f"{BUCKET}/x")
    assert built.request.context.get_values("aws:RequestedRegion") == ("eu-central-1",)


def test_resource_must_fit_the_action(builder: RequestBuilder) -> None:
    with pytest.raises(RequestError, match=r"arn:\$\{Partition\}:s3:::\$\{BucketName\}/"):
        builder.build("alice", "s3:GetObject", f"arn:aws:sqs:us-east-1:{PROD}:q")
    with pytest.raises(RequestError, match="not an ARN"):
        builder.build("alice", "s3:GetObject", "data-bucket")


def test_unknown_and_ambiguous_principals(builder: RequestBuilder) -> None:
    with pytest.raises(RequestError, match="did you mean"):
        builder.build("alicia", "s3:GetObject", f"{BUCKET}/x")
    with pytest.raises(RequestError):
        builder.build(f"arn:aws:iam::{PROD}:role/nope", "s3:GetObject", f"{BUCKET}/x")


def test_missing_managed_policy_is_an_error(world: World) -> None:
    ghost = User(
        arn=f"arn:aws:iam::{PROD}:user/ghost",
        name="ghost",
        account=PROD,
        managed_policy_arns=(f"arn:aws:iam::{PROD}:policy/not-exported",),
    )
    merged = merge_worlds([world, World.of(users=[ghost])])
    with pytest.raises(RequestError, match="not-exported"):
        RequestBuilder(merged).build("ghost", "s3:GetObject", f"{BUCKET}/x")


def test_build_request_function_warns(world: World) -> None:
    with pytest.warns(BuilderWarning, match="no resource-level permissions"):
        request, policies = build_request(world, "bob", "s3:ListAllMyBuckets", BUCKET, now=NOW)
    assert request.resource == "*"
    assert labels(policies.identity) == ["ReadOnlyAccess"]


def test_per_principal_work_is_cached(builder: RequestBuilder) -> None:
    a = builder.build("alice", "s3:GetObject", f"{BUCKET}/a")
    b = builder.build("alice", "kms:Decrypt", KEY)
    assert a.policies.identity is b.policies.identity
    assert a.policies.scp is b.policies.scp


def test_ten_thousand_questions_on_the_largest_export() -> None:
    path = (
        Path(__file__).resolve().parents[1] / "real_inputs" / "gaad" / "cloudsplaining-example.json"
    )
    world = load_inputs([path])
    builder = RequestBuilder(world)
    principals = sorted(world.users) + sorted(world.roles)
    questions = [
        (principals[i % len(principals)], "s3:GetObject", f"arn:aws:s3:::bucket-{i % 97}/key")
        for i in range(10_000)
    ]
    start = time.perf_counter()
    built = [builder.build(p, a, r, now=NOW) for p, a, r in questions]
    elapsed = time.perf_counter() - start
    assert len(built) == 10_000
    assert elapsed < 10.0, f"10,000 builds took {elapsed:.2f}s"


def test_requests_needing_unresolved_policies_are_refused(world: World) -> None:
    # A principal or resource whose policies the inputs left partly unknown is not answered
    # from the rest: an unknown Deny could be among them.
    alice = f"arn:aws:iam::{PROD}:user/alice"
    partial = dataclasses.replace(world, unresolved={alice: ("main.tf:3: policy is unknown",)})
    with pytest.raises(RequestError, match=r"incomplete.*policy is unknown"):
        RequestBuilder(partial).build("alice", "s3:GetObject", f"{BUCKET}/x")
    bucket = dataclasses.replace(world, unresolved={BUCKET: ("bucket policy is unknown",)})
    with pytest.raises(RequestError, match="resource-based policy of"):
        RequestBuilder(bucket).build("alice", "s3:GetObject", f"{BUCKET}/x")


def test_service_resource_tag_keys_are_filled(builder: RequestBuilder) -> None:
    # IAM, EC2, Secrets Manager... define their own ResourceTag key beside aws:ResourceTag;
    # policies using either read the same tags, also for sts:AssumeRole on a tagged role.
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/access_iam-tags.html
    for action in ("iam:GetRole", "sts:AssumeRole"):
        ctx = builder.build("alice", action, APP_ROLE).request.context
        assert ctx["iam:ResourceTag/Team"] == ctx["aws:ResourceTag/Team"]
    ctx = builder.build("alice", "s3:GetObject", f"{BUCKET}/x").request.context
    assert not [k for k in ctx if k.startswith("s3:ResourceTag/")]  # S3 defines none


def test_federated_user_carries_the_user_tags_with_session_tags_overriding() -> None:
    """GetFederationToken: "You can pass a session tag with the same key as a tag that is
    already attached to the user you are federating. When you do, session tags override a user
    tag with the same key."
    https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
    """
    from iamsim.builder.context import principal_keys
    from iamsim.model.principals import Session, SessionKind, User
    from iamsim.model.tags import Tags

    user = User(
        arn="arn:aws:iam::111122223333:user/carol",
        name="carol",
        account="111122223333",
        tags=Tags({"team": "blue", "cost-center": "42"}),
    )
    session = Session(
        kind=SessionKind.FEDERATED_USER,
        account="111122223333",
        name="carol-app",
        user_arn=user.arn,
        tags=Tags({"team": "red"}),
    )
    keys = principal_keys(session, user=user)
    assert keys["aws:PrincipalTag/team"] == "red"
    assert keys["aws:PrincipalTag/cost-center"] == "42"
    # Without the user known, only the session's tags are known.
    alone = principal_keys(session)
    assert alone["aws:PrincipalTag/team"] == "red"
    assert "aws:PrincipalTag/cost-center" not in alone
