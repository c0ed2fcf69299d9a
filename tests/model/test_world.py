"""World model: lookups, principal resolution, organization paths, merging."""

from __future__ import annotations

import pytest

from iamsim.errors import InputError, RequestError
from iamsim.model import (
    Account,
    Anonymous,
    ManagedPolicy,
    NodeKind,
    Organization,
    OrgNode,
    PolicyVersion,
    Resource,
    Role,
    Root,
    ServicePrincipal,
    Session,
    SessionKind,
    Tags,
    User,
    World,
    merge_worlds,
    resource_kind,
)
from iamsim.policy.builtin import (
    full_aws_access_scp,
    rcp_full_aws_access,
)
from iamsim.policy.model import Policy, PolicyType

A = "111122223333"
B = "444455556666"


def _policy(name: str, ptype: PolicyType = PolicyType.IDENTITY) -> Policy:
    return Policy(policy_type=ptype, statements=(), version="2012-10-17", name=name)


def _world() -> World:
    return World.of(
        accounts=[Account(A, "prod"), Account(B, "dev")],
        users=[
            User(arn=f"arn:aws:iam::{A}:user/alice", name="alice", account=A),
            User(arn=f"arn:aws:iam::{A}:user/ops/dev", name="dev", account=A, path="/ops/"),
        ],
        roles=[
            Role(arn=f"arn:aws:iam::{A}:role/dev", name="dev", account=A),
            Role(arn=f"arn:aws:iam::{B}:role/team/app", name="app", account=B, path="/team/"),
            Role(
                arn=f"arn:aws:iam::{B}:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX",
                name="AWSServiceRoleForX",
                account=B,
                path="/aws-service-role/x.amazonaws.com/",
            ),
        ],
    )


def test_find_principal_short_names() -> None:
    world = _world()
    assert world.find_principal("alice").arn == f"arn:aws:iam::{A}:user/alice"  # type: ignore[union-attr]
    assert isinstance(world.find_principal("role/dev"), Role)
    assert isinstance(world.find_principal("user/dev"), User)
    assert world.find_principal("role/team/app").name == "app"  # type: ignore[union-attr]
    assert world.find_principal("app").account == B  # type: ignore[union-attr]
    with pytest.raises(RequestError, match=r"ambiguous.*role/dev.*user/ops/dev"):
        world.find_principal("dev")
    with pytest.raises(RequestError, match=r"did you mean.*alice"):
        world.find_principal("alcie")


def test_find_principal_account_qualified_labels() -> None:
    # Reports label principals ACCOUNT:role/path/name when several accounts are loaded.
    world = _world()
    role = world.find_principal(f"{B}:role/team/app")
    assert isinstance(role, Role) and role.arn == f"arn:aws:iam::{B}:role/team/app"
    assert world.find_principal(f"{B}:role/app") is role  # the path may be left out


def test_find_principal_special_forms() -> None:
    world = _world()
    assert world.find_principal("anonymous") == Anonymous()
    assert world.find_principal("lambda.amazonaws.com") == ServicePrincipal("lambda.amazonaws.com")
    assert world.find_principal(f"arn:aws:iam::{A}:root") == Root(A)
    assert world.find_principal(A) == Root(A)
    session = world.find_principal(f"arn:aws:sts::{B}:assumed-role/app/s1")
    assert isinstance(session, Session)
    assert session.kind is SessionKind.ASSUMED_ROLE
    assert session.role_arn == f"arn:aws:iam::{B}:role/team/app"  # path from the model
    assert session.arn == f"arn:aws:sts::{B}:assumed-role/app/s1"
    fed = world.find_principal(f"arn:aws:sts::{A}:federated-user/bob")
    assert isinstance(fed, Session) and fed.kind is SessionKind.FEDERATED_USER
    # An outsider from an account the model does not hold: a bare entity.
    outsider = world.find_principal("arn:aws:iam::999999999999:role/x")
    assert isinstance(outsider, Role) and outsider.inline_policies == ()
    with pytest.raises(RequestError):
        world.find_principal(f"arn:aws:iam::{A}:role/nope")
    with pytest.raises(RequestError, match="not in account"):
        world.find_principal(f"arn:aws:sts::{A}:assumed-role/nope/s")
    # An account known only from a resource (no IAM data loaded) also holds outsiders.
    bucket = Resource("arn:aws:s3:::shared", account="888888888888")
    extra = World.of(accounts=[Account("888888888888")], resources=[bucket])
    with_resource = merge_worlds([world, extra])
    assert "888888888888" in with_resource.accounts
    assert "888888888888" not in with_resource.iam_accounts
    stranger = with_resource.find_principal("arn:aws:iam::888888888888:user/u")
    assert isinstance(stranger, User) and stranger.inline_policies == ()


def test_service_linked_flag() -> None:
    world = _world()
    assert [r.service_linked for r in world.roles.values()] == [False, True, False]


def _org() -> Organization:
    acct_a = OrgNode(A, NodeKind.ACCOUNT, "prod", scps=(full_aws_access_scp(),))
    acct_b = OrgNode(B, NodeKind.ACCOUNT, "dev", scps=(full_aws_access_scp(),))
    inner = OrgNode("ou-ab12-22222222", NodeKind.OU, "inner", children=(acct_b,))
    outer = OrgNode("ou-ab12-11111111", NodeKind.OU, "outer", children=(inner,))
    root = OrgNode(
        "r-ab12",
        NodeKind.ROOT,
        "Root",
        children=(acct_a, outer),
        scps=(full_aws_access_scp(),),
        rcps=(rcp_full_aws_access(),),
    )
    return Organization("o-a1b2c3d4e5", A, root)


def test_org_paths() -> None:
    org = _org()
    assert [n.id for n in org.path_to(B)] == [
        "r-ab12",
        "ou-ab12-11111111",
        "ou-ab12-22222222",
        B,
    ]
    assert org.org_path_string(B) == "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/"
    assert org.org_path_string(A) == "o-a1b2c3d4e5/r-ab12/"
    assert org.is_management(A) and not org.is_management(B)
    assert len(org.scp_levels(B)) == 4
    assert org.account_ids == (A, B)
    with pytest.raises(KeyError):
        org.path_to("000000000000")


def test_org_rejects_duplicate_nodes() -> None:
    acct = OrgNode(A, NodeKind.ACCOUNT)
    with pytest.raises(ValueError, match="twice"):
        Organization("o-x", None, OrgNode("r-1", NodeKind.ROOT, children=(acct, acct)))


def test_tags_case_insensitive_override() -> None:
    role_tags = Tags({"Team": "a", "Env": "prod"})
    merged = role_tags.overridden_by({"team": "b"})
    assert dict(merged) == {"Env": "prod", "team": "b"}
    assert merged.get_folded("TEAM") == "b"


def test_resource_kinds() -> None:
    assert resource_kind("arn:aws:s3:::bucket") == "s3-bucket"
    assert resource_kind("arn:aws:s3:::bucket/a/b") == "s3-object"
    assert resource_kind(f"arn:aws:kms:us-east-1:{A}:key/1234") == "kms-key"
    assert resource_kind(f"arn:aws:sqs:us-east-1:{A}:q") == "sqs-queue"
    assert resource_kind(f"arn:aws:lambda:us-east-1:{A}:function:f") == "lambda-function"
    bucket = Resource("arn:aws:s3:::bucket", account=A)
    world = World.of(resources=[bucket])
    assert world.resource_for("arn:aws:s3:::bucket/key") is bucket
    assert world.resource_account("arn:aws:s3:::bucket/key") == A


def test_parent_policies_govern_subresources() -> None:
    # An OpenSearch domain policy covers domain/NAME/*; a DynamoDB table policy its indexes
    # (not its streams, which have their own); the Glue Data Catalog policy its tables.
    domain = Resource(f"arn:aws:es:us-east-1:{A}:domain/logs", account=A)
    table = Resource(f"arn:aws:dynamodb:us-east-1:{A}:table/Books", account=A)
    catalog = Resource(f"arn:aws:glue:us-east-1:{A}:catalog", account=A)
    world = World.of(resources=[domain, table, catalog])
    assert world.resource_for(f"arn:aws:es:us-east-1:{A}:domain/logs/index/_search") is domain
    assert world.resource_for(f"arn:aws:es:us-east-1:{A}:domain/other/x") is None
    assert world.resource_for(f"arn:aws:dynamodb:us-east-1:{A}:table/Books/index/byAuthor") is table
    assert world.resource_for(f"arn:aws:dynamodb:us-east-1:{A}:table/Books/stream/2024") is None
    assert world.resource_for(f"arn:aws:glue:us-east-1:{A}:table/db/t") is catalog
    assert world.resource_for(f"arn:aws:glue:us-west-2:{A}:table/db/t") is None


def test_managed_policy_versions_and_retype() -> None:
    mp = ManagedPolicy(
        arn="arn:aws:iam::aws:policy/ReadOnlyAccess",
        name="ReadOnlyAccess",
        versions=(
            PolicyVersion("v1", _policy("old")),
            PolicyVersion("v2", _policy("ReadOnlyAccess"), is_default=True),
        ),
    )
    assert mp.is_aws_managed and mp.version_id == "v2"
    boundary = mp.as_type(PolicyType.BOUNDARY)
    assert boundary.policy_type is PolicyType.BOUNDARY
    assert boundary.statements == mp.document.statements
    assert mp.as_type(PolicyType.BOUNDARY) is boundary


def test_merge_duplicates_and_conflicts() -> None:
    user = User(arn=f"arn:aws:iam::{A}:user/alice", name="alice", account=A)
    same = World.of(users=[user], sources={user.arn: "b.json"})
    merged = merge_worlds([World.of(users=[user], sources={user.arn: "a.json"}), same])
    assert list(merged.users) == [user.arn]
    assert merged.sources[user.arn] == "a.json"
    changed = World.of(
        users=[User(arn=user.arn, name="alice", account=A, group_names=("admins",))],
        sources={user.arn: "c.json"},
    )
    with pytest.raises(InputError) as info:
        merge_worlds([World.of(users=[user], sources={user.arn: "a.json"}), changed])
    assert info.value.source == "c.json" and "a.json" in info.value.reason


def test_merge_aws_managed_newer_wins() -> None:
    def mp(version: str) -> ManagedPolicy:
        return ManagedPolicy(
            arn="arn:aws:iam::aws:policy/X",
            name="X",
            versions=(PolicyVersion(version, _policy(version), is_default=True),),
        )

    merged = merge_worlds(
        [World.of(managed_policies=[mp("v9")]), World.of(managed_policies=[mp("v28")])]
    )
    assert merged.managed_policies["arn:aws:iam::aws:policy/X"].version_id == "v28"
    assert any("v28" in note for note in merged.notes)


def test_merge_accounts_and_orgs() -> None:
    merged = merge_worlds(
        [
            World.of(accounts=[Account(A)]),
            World.of(accounts=[Account(A, "prod")], organization=_org()),
        ]
    )
    assert merged.accounts[A].name == "prod"
    assert merged.organization is not None
    with pytest.raises(InputError, match="second organization"):
        other = Organization("o-other", None, OrgNode("r-zz", NodeKind.ROOT))
        merge_worlds([merged, World.of(organization=other)])
