"""who-can: every principal that can perform an action on a resource, decided by the engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamsim.analysis.who_can import WhoCan, WhoCanResult, expand_actions, who_can
from iamsim.builder import RequestBuilder
from iamsim.engine import decide
from iamsim.errors import RequestError
from iamsim.ingest import load_inputs
from iamsim.model import World
from iamsim.report.permissions import render_who_can

DATA = Path(__file__).parent / "data"
ACCOUNT = "222222222222"
BUCKET = "arn:aws:s3:::data-bucket"
QUEUE = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:jobs-main"
TOPIC = f"arn:aws:sns:eu-west-1:{ACCOUNT}:alerts"
KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"


def user(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


@pytest.fixture(scope="module")
def world() -> World:
    return load_inputs([DATA / "gaad.yaml", DATA / "org.yaml", DATA / "resources.yaml"])


@pytest.fixture(scope="module")
def analyzer(world: World) -> WhoCan:
    return WhoCan(world)


def names(result: WhoCanResult) -> list[str]:
    return [e.principal for e in result.principals]


def test_identity_granted_principals_are_found(world: World, analyzer: WhoCan) -> None:
    result = who_can(world, ["iam:DeleteUser"], user("someone"), analyzer=analyzer)
    assert names(result) == [user("admin"), f"arn:aws:iam::{ACCOUNT}:root"]
    admin = result.find(user("admin"))
    assert admin is not None and not admin.conditional
    assert admin.actions[0].granted_by[0].policy == "AdministratorAccess"


def test_boundary_and_deny_blocked_principals_are_excluded(world: World, analyzer: WhoCan) -> None:
    result = who_can(world, ["iam:DeleteUser"], user("someone"), analyzer=analyzer)
    assert user("dev") not in names(result)  # DevPolicy grants iam:*, DevBoundary does not
    assert user("limited") not in names(result)  # explicit Deny NoUserDeletes
    blocked = {(b.principal, b.blocked_by, b.decision) for b in result.blocked}
    assert (user("dev"), "permissions boundary", "ImplicitDeny") in blocked
    assert (user("limited"), None, "ExplicitDeny") in blocked


def test_scp_blocks_everyone_in_the_account(world: World, analyzer: WhoCan) -> None:
    result = who_can(world, ["iam:CreateUser"], user("new"), analyzer=analyzer)
    assert names(result) == []
    assert {b.principal for b in result.blocked} >= {user("admin"), f"arn:aws:iam::{ACCOUNT}:root"}


def test_resource_policy_grants_external_account_and_everyone(
    world: World, analyzer: WhoCan
) -> None:
    result = who_can(world, ["sns:Publish", "sns:GetTopicAttributes"], TOPIC, analyzer=analyzer)
    partner = result.find("arn:aws:iam::999999999999:root")
    assert partner is not None and partner.kind == "account"
    assert {a.action for a in partner.actions} == {"sns:Publish", "sns:GetTopicAttributes"}
    assert all("own policies allow" in (a.assumption or "") for a in partner.actions)
    anonymous = result.find("anonymous")
    assert anonymous is not None
    assert [a.action for a in anonymous.actions] == ["sns:GetTopicAttributes"]
    assert any(e.kind == "any-principal" for e in result.principals)
    # SNS is outside the member account's SCP allow list: its own principals cannot.
    assert user("admin") not in names(result)


def test_conditional_grants_show_their_conditions(world: World, analyzer: WhoCan) -> None:
    result = who_can(world, ["sns:Subscribe"], TOPIC, analyzer=analyzer)
    outside = next(e for e in result.principals if e.kind == "any-principal")
    grant = outside.actions[0]
    assert grant.conditional
    assert grant.conditions[0].conditions == {
        "StringEquals": {"aws:PrincipalOrgID": "o-test000001"}
    }
    assert "anonymous" not in names(result)  # anonymous callers have no organization

    result = who_can(world, ["kms:Decrypt"], KEY, analyzer=analyzer)
    limited = result.find(user("limited"))
    assert limited is not None and limited.conditional
    assert limited.actions[0].conditions[0].conditions == {
        "Bool": {"aws:MultiFactorAuthPresent": "true"}
    }
    admin = result.find(user("admin"))
    assert admin is not None and not admin.conditional  # the region SCP is met by the key's region


def test_external_role_named_by_a_queue_policy(world: World, analyzer: WhoCan) -> None:
    result = who_can(world, ["sqs:SendMessage"], QUEUE, analyzer=analyzer)
    partner = result.find("arn:aws:iam::999999999999:role/partner-writer")
    assert partner is not None and partner.kind == "external-role"
    grant = partner.actions[0]
    assert grant.assumption and "outside the loaded inputs" in grant.assumption
    assert [r.statement for r in grant.granted_by if r.policy_type == "resource"] == ["PartnerRole"]
    # The RCP's conditional Deny on insecure transport is shown as what would stop it.
    assert [u.statement.statement for u in grant.unless] == ["SecureSqs"]
    assert result.find("events.amazonaws.com") is not None


def test_cross_account_grant_stopped_by_rcp(world: World, analyzer: WhoCan) -> None:
    result = who_can(world, ["s3:GetObject"], f"{BUCKET}/report.csv", analyzer=analyzer)
    assert "arn:aws:iam::999999999999:root" not in names(result)
    assert ("arn:aws:iam::999999999999:root", "RCP at level 0") in {
        (b.principal, b.blocked_by) for b in result.blocked
    }
    dev = result.find(user("dev"))  # named directly by the bucket policy: boundary bypassed
    assert dev is not None
    assert "AuditorUser" in [r.statement for r in dev.actions[0].granted_by]


def test_answers_agree_with_the_engine_for_every_principal(world: World) -> None:
    builder = RequestBuilder(world)
    analyzer = WhoCan(world, builder=builder)
    for action, resource in [
        ("s3:GetObject", f"{BUCKET}/public/x"),
        ("s3:PutObject", f"{BUCKET}/x"),
        ("sqs:SendMessage", QUEUE),
        ("ec2:StartInstances", f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-1"),
        ("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/ops"),
    ]:
        result = analyzer.who_can([action], resource)
        found = {e.principal for e in result.principals if e.actions[0].allowed_as_built}
        for principal in [*world.users, *world.roles]:
            built = builder.build(principal, action, resource)
            allowed = decide(built.request, built.policies).allowed
            assert (principal in found) == allowed, (principal, action, resource)


def test_actions_expand_lists_and_wildcards() -> None:
    assert expand_actions(["s3:getobject, s3:PutObject"]) == ["s3:GetObject", "s3:PutObject"]
    assert "iam:AttachRolePolicy" in expand_actions(["iam:Attach*Policy"])
    with pytest.raises(RequestError, match="did you mean"):
        expand_actions(["s3:GetObjct"])


def test_results_are_reproducible(world: World) -> None:
    first = who_can(world, ["s3:GetObject", "s3:ListBucket"], f"{BUCKET}/shared/a")
    second = who_can(world, ["s3:ListBucket", "s3:GetObject"], f"{BUCKET}/shared/a")
    assert first.to_dict() == second.to_dict()
    assert render_who_can(first) == render_who_can(second)


def test_real_export_who_can_pass_role() -> None:
    path = (
        Path(__file__).resolve().parents[1] / "real_inputs" / "gaad" / "cloudsplaining-example.json"
    )
    world = load_inputs([path])
    role = next(iter(world.roles))
    result = who_can(world, ["iam:PassRole"], role)
    assert result.principals, "someone in the example account can pass its roles"
    builder = RequestBuilder(world)
    for entry in result.principals:
        if entry.kind in ("user", "role") and entry.actions[0].allowed_as_built:
            built = builder.build(entry.principal, "iam:PassRole", role)
            assert decide(built.request, built.policies).allowed


def test_identity_providers_named_by_a_trust_policy() -> None:
    # Users of an OIDC or SAML provider reach a role through its trust policy alone.
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-federated-web-identity
    world = load_inputs([DATA / "federation_gaad.json"])
    role = "arn:aws:iam::111122223333:role/deploy"
    github = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
    result = who_can(world, ["sts:AssumeRoleWithWebIdentity"], role)
    assert names(result) == [github]
    entry = result.find(github)
    assert entry is not None and entry.kind == "federated" and entry.conditional
    saml = who_can(world, ["sts:AssumeRoleWithSAML"], role)
    assert names(saml) == ["arn:aws:iam::111122223333:saml-provider/Okta"]
    # The engine decides the provider's token claims as context keys.
    builder = RequestBuilder(world)
    claims = {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:octo-org/app:ref:refs/heads/main",
    }
    built = builder.build(github, "sts:AssumeRoleWithWebIdentity", role, context=claims)
    assert decide(built.request, built.policies).value == "Allow"
    forked = {**claims, "token.actions.githubusercontent.com:sub": "repo:fork/app:ref:x"}
    built = builder.build(github, "sts:AssumeRoleWithWebIdentity", role, context=forked)
    assert decide(built.request, built.policies).value == "ImplicitDeny"
    built = builder.build("accounts.google.com", "sts:AssumeRoleWithWebIdentity", role)
    assert decide(built.request, built.policies).value == "ImplicitDeny"


def test_unknown_owner_across_accounts_is_said() -> None:
    from iamsim.cli.demo_cmd import example_dir

    world = load_inputs([example_dir() / "model"])
    result = who_can(world, ["s3:GetObject"], "arn:aws:s3:::nobody-knows/x")
    assert any("owner of arn:aws:s3:::nobody-knows/x is unknown" in n for n in result.notes)
    assert any("principal's own account" in n for n in result.notes)
    known = who_can(world, ["s3:GetObject"], "arn:aws:s3:::first-data/x")
    assert not any("is unknown" in n for n in known.notes)


def test_an_external_account_trusted_by_a_role_is_listed(tmp_path: Path) -> None:
    # A trust policy naming another account's root lets that account's principals assume the
    # role (their own policies must allow); the root user itself cannot call AssumeRole, so
    # "the account" is answered for a stand-in principal of it, not for its root user.
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_aws-accounts.html
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::999900001111:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = {
        "Path": "/",
        "RoleName": "org-admin",
        "RoleId": "AROAEXAMPLE000000002",
        "Arn": "arn:aws:iam::111122223333:role/org-admin",
        "AssumeRolePolicyDocument": trust,
        "InstanceProfileList": [],
        "RolePolicyList": [],
        "AttachedManagedPolicies": [],
        "Tags": [],
    }
    gaad = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [role], "Policies": []}
    path = tmp_path / "gaad.json"
    path.write_text(json.dumps(gaad))
    result = who_can(load_inputs([path]), ["sts:AssumeRole"], role["Arn"])
    entry = result.find("arn:aws:iam::999900001111:root")
    assert entry is not None and entry.kind == "account"
    assert entry.actions[0].assumption == "a principal of that account whose own policies allow"
