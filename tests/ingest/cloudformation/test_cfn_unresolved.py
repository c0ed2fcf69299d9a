"""What a template leaves unknown is refused, not answered from the rest: a policy (or a
boundary, a trust policy, a group, a resource policy) that depends on Fn::ImportValue, a
parameter without default, an unknown condition or a Transform makes the principals and
resources it applies to unresolved (World.unresolved), so the request builder refuses them.

Also: conditions that compare placeholder pseudo parameters are noted, unmodeled
policy-carrying types are noted, YAML dates stay text, and a role's RoleId is its unique ID.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from iamsim.builder import RequestBuilder
from iamsim.errors import RequestError
from iamsim.ingest.cloudformation import load_cloudformation, read_cloudformation
from iamsim.ingest.iac.placeholders import PLACEHOLDER_ACCOUNT
from iamsim.model import World

A = PLACEHOLDER_ACCOUNT
TRUST = (
    "      AssumeRolePolicyDocument:\n"
    "        Version: '2012-10-17'\n"
    "        Statement:\n"
    "          - {Effect: Allow, Principal: {Service: ec2.amazonaws.com}, "
    "Action: sts:AssumeRole}\n"
)
ALLOW_S3 = "{Version: '2012-10-17', Statement: [{Effect: Allow, Action: 's3:*', Resource: '*'}]}"
IMPORTED_DENY = (
    "{Version: '2012-10-17', Statement: [{Effect: Deny, Action: 's3:*', "
    "Resource: !ImportValue shared-bucket}]}"
)


def cfn(tmp_path: Path, text: str, **kwargs: object) -> World:
    path = tmp_path / "stack.yaml"
    path.write_text(text)
    return load_cloudformation(path, **kwargs)  # type: ignore[arg-type]


def role(name: str, extra: str = "", logical: str = "Role") -> str:
    return (
        f"  {logical}:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: {name}\n"
        f"{TRUST}      ManagedPolicyArns: [arn:aws:iam::aws:policy/AmazonS3FullAccess]\n{extra}"
    )


def refused(world: World, principal: str, action: str, resource: str) -> str:
    with pytest.raises(RequestError) as info:
        RequestBuilder(world).build(principal, action, resource)
    return str(info.value)


def answered(world: World, principal: str, action: str, resource: str) -> None:
    RequestBuilder(world).build(principal, action, resource)


# -- item 1: fail closed ---------------------------------------------------------------------

DROPS_DENY = (
    "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n"
    + role("worker", logical="WorkerRole")
    + "  DenyProdData:\n    Type: AWS::IAM::Policy\n    Properties:\n"
    "      PolicyName: deny-prod-data\n      Roles: [!Ref WorkerRole]\n"
    "      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n"
    "          - {Effect: Deny, Action: 's3:*', Resource: ['arn:aws:s3:::prod-*', "
    "'arn:aws:s3:::prod-*/*']}\n"
    "          - {Effect: Deny, Action: 'dynamodb:*', Resource: !ImportValue prod-TableArn}\n"
)


def test_imported_value_in_a_deny_policy_refuses_the_role(tmp_path: Path) -> None:
    world = cfn(tmp_path, DROPS_DENY)
    reasons = world.unresolved[f"arn:aws:iam::{A}:role/worker"]
    assert any("DenyProdData: PolicyDocument is unknown" in r for r in reasons)
    message = refused(world, "role/worker", "s3:DeleteObject", "arn:aws:s3:::prod-ledger/a")
    assert "Fn::ImportValue" in message and "incomplete" in message


def test_cli_refuses_the_review_case(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from iamsim.cli.main import cli

    path = tmp_path / "template.yaml"
    path.write_text(DROPS_DENY)
    args = ["check", "role/worker", "s3:DeleteObject", "arn:aws:s3:::prod-ledger/2024.csv"]
    result = CliRunner().invoke(cli, [*args, "-i", str(path)])
    assert result.exit_code == 2, result.output
    assert "Fn::ImportValue" in result.stderr and "Allow" not in result.stdout


@pytest.mark.parametrize(
    ("user", "reason"),
    [
        (  # an inline policy of the user
            "      Policies:\n"
            f"        - {{PolicyName: allow, PolicyDocument: {ALLOW_S3}}}\n"
            f"        - {{PolicyName: deny, PolicyDocument: {IMPORTED_DENY}}}\n",
            "Policies/1/PolicyDocument is unknown",
        ),
        (  # a boundary from a parameter without default
            "      PermissionsBoundary: !Ref Boundary\n",
            "PermissionsBoundary is unknown (parameter Boundary has no default",
        ),
        (  # an attached policy imported from another stack
            "      ManagedPolicyArns: [!ImportValue shared-policy-arn]\n",
            "ManagedPolicyArns is unknown",
        ),
        (  # a group imported from another stack
            "      Groups: [!ImportValue shared-group]\n",
            "Groups is unknown",
        ),
        (  # a policy list that depends on an unknown condition
            "      Policies: !If [HasBoundary, [], []]\n",
            "Policies is unknown",
        ),
    ],
)
def test_unknown_parts_of_a_user_refuse_it(tmp_path: Path, user: str, reason: str) -> None:
    text = (
        "Parameters:\n  Boundary: {Type: String}\n"
        "Conditions:\n  HasBoundary: !Not [!Equals [!Ref Boundary, '']]\n"
        "Resources:\n  Alice:\n    Type: AWS::IAM::User\n    Properties:\n"
        f"      UserName: alice\n{user}"
    )
    world = cfn(tmp_path, text)
    assert any(reason in r for r in world.unresolved[f"arn:aws:iam::{A}:user/alice"])
    assert reason in refused(world, "alice", "s3:GetObject", "arn:aws:s3:::b/k")


def test_the_boundary_given_as_a_parameter_is_answered(tmp_path: Path) -> None:
    text = (
        "Parameters:\n  Boundary: {Type: String}\nResources:\n  Alice:\n"
        "    Type: AWS::IAM::User\n    Properties:\n      UserName: alice\n"
        "      PermissionsBoundary: !Ref Boundary\n"
    )
    boundary = f"arn:aws:iam::{A}:policy/boundary"
    world = cfn(tmp_path, text, parameters={"Boundary": boundary})
    assert not world.unresolved
    assert world.users[f"arn:aws:iam::{A}:user/alice"].boundary_arn == boundary


def test_unknown_trust_policy_refuses_the_role(tmp_path: Path) -> None:
    text = (
        "Resources:\n  Imported:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      RoleName: imported\n      AssumeRolePolicyDocument:\n"
        "        Version: '2012-10-17'\n        Statement:\n"
        "          - {Effect: Allow, Principal: {AWS: !ImportValue ops-role}, "
        "Action: sts:AssumeRole}\n"
    )
    world = cfn(tmp_path, text)
    arn = f"arn:aws:iam::{A}:role/imported"
    assert world.roles[arn].trust_policy is None
    assert "trust policy of" in refused(world, f"arn:aws:iam::{A}:root", "sts:AssumeRole", arn)


def test_policies_on_named_principals(tmp_path: Path) -> None:
    text = (
        "Resources:\n"
        + role("app")
        + "  Ops:\n    Type: AWS::IAM::Group\n    Properties: {GroupName: ops}\n"
        "  Bob:\n    Type: AWS::IAM::User\n    Properties: {UserName: bob}\n"
        "  Carol:\n    Type: AWS::IAM::User\n    Properties: {UserName: carol, Groups: [ops]}\n"
        "  Dave:\n    Type: AWS::IAM::User\n    Properties: {UserName: dave}\n"
        "  Managed:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
        f"      Groups: [!Ref Ops]\n      PolicyDocument: {IMPORTED_DENY}\n"
        "  OnRole:\n    Type: AWS::IAM::RolePolicy\n    Properties:\n"
        f"      RoleName: !Ref Role\n      PolicyName: p\n      PolicyDocument: {IMPORTED_DENY}\n"
        "  Join:\n    Type: AWS::IAM::UserToGroupAddition\n    Properties:\n"
        "      GroupName: !ImportValue shared-group\n      Users: [!Ref Bob]\n"
    )
    world = cfn(tmp_path, text)
    assert set(world.unresolved) == {
        f"arn:aws:iam::{A}:group/ops",
        f"arn:aws:iam::{A}:role/app",
        f"arn:aws:iam::{A}:user/bob",
    }
    assert not world.managed_policies
    assert "its groups are unknown" in refused(world, "bob", "s3:GetObject", "arn:aws:s3:::b/k")
    assert "policies of group" in refused(world, "carol", "s3:GetObject", "arn:aws:s3:::b/k")
    answered(world, "dave", "s3:GetObject", "arn:aws:s3:::b/k")


def test_policy_whose_targets_are_unknown_may_apply_to_any_principal_of_the_kind(
    tmp_path: Path,
) -> None:
    text = (
        "Resources:\n"
        + role("app")
        + "  Bob:\n    Type: AWS::IAM::User\n    Properties: {UserName: bob}\n"
        "  Deny:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: deny\n"
        "      Roles: [!ImportValue other-role]\n"
        "      PolicyDocument: {Version: '2012-10-17', Statement: "
        "[{Effect: Deny, Action: '*', Resource: '*'}]}\n"
    )
    world, warnings = read_cloudformation(_write(tmp_path, text))
    assert list(world.unresolved) == [f"arn:aws:iam::{A}:role/app"]
    assert "the policy may apply to this role" in world.unresolved[f"arn:aws:iam::{A}:role/app"][0]
    assert any("an element of Roles is unknown" in w.message for w in warnings)


def test_unknown_policy_name_is_only_a_label(tmp_path: Path) -> None:
    text = (
        "Resources:\n" + role("app") + "  Deny:\n    Type: AWS::IAM::Policy\n    Properties:\n"
        "      PolicyName: !ImportValue policy-name\n      Roles: [!Ref Role]\n"
        "      PolicyDocument: {Version: '2012-10-17', Statement: "
        "[{Effect: Deny, Action: '*', Resource: '*'}]}\n"
    )
    world = cfn(tmp_path, text)
    assert not world.unresolved
    assert [p.name for p in world.roles[f"arn:aws:iam::{A}:role/app"].inline_policies] == ["Deny"]


def test_unknown_condition_on_a_policy_resource(tmp_path: Path) -> None:
    text = (
        "Parameters:\n  Env: {Type: String}\n"
        "Conditions:\n  IsProd: !Equals [!Ref Env, prod]\n"
        "Resources:\n"
        + role("app")
        + "  ProdDeny:\n    Type: AWS::IAM::Policy\n    Condition: IsProd\n    Properties:\n"
        "      PolicyName: deny\n      Roles: [!Ref Role]\n"
        "      PolicyDocument: {Version: '2012-10-17', Statement: "
        "[{Effect: Deny, Action: '*', Resource: '*'}]}\n"
        "  Bucket:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: data}\n"
        "  BucketPolicy:\n    Type: AWS::S3::BucketPolicy\n    Condition: IsProd\n"
        "    Properties:\n      Bucket: !Ref Bucket\n"
        "      PolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Deny, "
        "Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::data/*'}]}\n"
    )
    world = cfn(tmp_path, text)
    assert "condition IsProd is unknown" in world.unresolved[f"arn:aws:iam::{A}:role/app"][0]
    assert "arn:aws:s3:::data" in world.unresolved
    assert world.resources["arn:aws:s3:::data"].policy is None
    prod = cfn(tmp_path, text, parameters={"Env": "prod"})
    assert not prod.unresolved and prod.resources["arn:aws:s3:::data"].policy is not None
    dev = cfn(tmp_path, text, parameters={"Env": "dev"})
    assert not dev.unresolved and dev.resources["arn:aws:s3:::data"].policy is None


def test_resource_policies_left_unknown(tmp_path: Path) -> None:
    text = (
        "Resources:\n"
        "  Bucket:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: data}\n"
        "  Other:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: other}\n"
        "  BucketPolicy:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n"
        "      Bucket: !Ref Bucket\n"
        "      PolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Deny, "
        "Principal: '*', Action: 's3:*', Resource: !ImportValue arns}]}\n"
        "  Queue:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: jobs}\n"
        "  QueuePolicy:\n    Type: AWS::SQS::QueuePolicy\n    Properties:\n"
        "      Queues: [!ImportValue queue-url]\n"
        "      PolicyDocument: {Version: '2012-10-17', Statement: []}\n"
        "  Key:\n    Type: AWS::KMS::Key\n    Properties:\n"
        "      KeyPolicy: {Version: '2012-10-17', Statement: [{Effect: Allow, "
        "Principal: {AWS: !ImportValue admin}, Action: 'kms:*', Resource: '*'}]}\n"
        "  Invoke:\n    Type: AWS::Lambda::Permission\n    Properties:\n"
        "      Action: lambda:InvokeFunction\n      FunctionName: fn\n"
        "      Principal: s3.amazonaws.com\n      SourceArn: !ImportValue bucket-arn\n"
    )
    world = cfn(tmp_path, text, region="eu-west-1")
    unresolved = set(world.unresolved)
    assert "arn:aws:s3:::data" in unresolved and "arn:aws:s3:::other" not in unresolved
    assert f"arn:aws:sqs:eu-west-1:{A}:jobs" in unresolved  # the template's queues
    assert any(a.startswith(f"arn:aws:kms:eu-west-1:{A}:key/") for a in unresolved)
    # Without its SourceArn condition the permission would grant more: not modeled at all.
    fn = f"arn:aws:lambda:eu-west-1:{A}:function:fn"
    assert fn in unresolved and world.resources[fn].policy is None
    assert "resource-based policy of" in refused(
        world, f"arn:aws:iam::{A}:root", "s3:GetObject", "arn:aws:s3:::data/x"
    )


def test_unknown_properties_of_a_policy_resource(tmp_path: Path) -> None:
    text = (
        "Parameters:\n  Env: {Type: String}\n"
        "Conditions:\n  IsProd: !Equals [!Ref Env, prod]\n"
        "Resources:\n" + role("app") + "  Deny:\n    Type: AWS::IAM::RolePolicy\n"
        "    Properties: !If [IsProd, {RoleName: app, PolicyName: p, PolicyDocument: "
        "{Version: '2012-10-17', Statement: [{Effect: Deny, Action: '*', Resource: '*'}]}}, "
        "!Ref AWS::NoValue]\n"
    )
    world = cfn(tmp_path, text)
    assert "the properties are unknown" in world.unresolved[f"arn:aws:iam::{A}:role/app"][0]


def test_a_transform_leaves_the_whole_template_unresolved(tmp_path: Path) -> None:
    text = (
        "Transform: Acme::Macro\nResources:\n"
        "  Alice:\n    Type: AWS::IAM::User\n    Properties:\n      UserName: alice\n"
        f"      Policies: [{{PolicyName: allow, PolicyDocument: {ALLOW_S3}}}]\n"
        "  Bucket:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: data}\n"
    )
    world = cfn(tmp_path, text)
    assert set(world.unresolved) == {f"arn:aws:iam::{A}:user/alice", "arn:aws:s3:::data"}
    assert any("--template-stage Processed" in n for n in world.notes)
    assert "transform Acme::Macro" in refused(world, "alice", "s3:GetObject", "arn:aws:s3:::b/k")


# -- item 2: YAML dates stay text ------------------------------------------------------------


def test_unquoted_version_and_timestamps_are_text(tmp_path: Path) -> None:
    text = (
        "AWSTemplateFormatVersion: 2010-09-09\nResources:\n"
        "  Staff:\n    Type: AWS::IAM::Group\n    Properties:\n      GroupName: staff\n"
        "      Policies:\n        - PolicyName: home\n          PolicyDocument:\n"
        "            Version: 2012-10-17\n            Statement:\n"
        "              - Effect: Allow\n                Action: s3:GetObject\n"
        "                Resource: '*'\n                Condition:\n"
        "                  DateLessThan: {aws:CurrentTime: 2025-06-30T23:59:59Z}\n"
        "                  Bool: {aws:SecureTransport: true}\n"
    )
    policy = cfn(tmp_path, text).groups[f"arn:aws:iam::{A}:group/staff"].inline_policies[0]
    assert policy.version == "2012-10-17"
    date, secure = policy.statements[0].conditions
    assert date.values == ("2025-06-30T23:59:59Z",)
    assert secure.values == ("true",)  # item 6: shown as true, not True


# -- item 3: conditions on placeholder pseudo parameters -----------------------------------

REGION_CONDITION = (
    "Conditions:\n  IsPrimaryRegion: !Equals [!Ref 'AWS::Region', us-east-1]\n"
    "  NotPrimaryRegion: !Not [!Condition IsPrimaryRegion]\n"
    "  IsHome: !Equals [!Sub '${AWS::AccountId}', '111122223333']\n"
    "Resources:\n"
    "  Audit:\n    Type: AWS::IAM::User\n    Condition: IsPrimaryRegion\n"
    "    Properties: {UserName: audit}\n"
    "  Regional:\n    Type: AWS::IAM::User\n    Condition: NotPrimaryRegion\n"
    "    Properties: {UserName: !Sub 'regional-${AWS::Region}'}\n"
    "  Home:\n    Type: AWS::IAM::User\n    Condition: IsHome\n    Properties: {UserName: home}\n"
)


def test_conditions_on_placeholders_are_noted(tmp_path: Path) -> None:
    world = cfn(tmp_path, REGION_CONDITION)
    notes = "\n".join(world.notes)
    assert (
        "condition IsPrimaryRegion depends on AWS::Region, which is a placeholder: "
        "resources it selects may differ when deployed (pass region=...)"
    ) in notes
    assert "condition NotPrimaryRegion depends on AWS::Region" in notes
    assert "condition IsHome depends on AWS::AccountId, which is a placeholder" in notes
    given = cfn(tmp_path, REGION_CONDITION, region="us-east-1", account="111122223333")
    assert not any("depends on" in n for n in given.notes)
    assert {u.name for u in given.users.values()} == {"audit", "home"}


# -- item 4: policy-carrying types not modeled ---------------------------------------------


def test_organization_policy_and_permission_set_are_noted(tmp_path: Path) -> None:
    text = (
        "Resources:\n  DenyLeave:\n    Type: AWS::Organizations::Policy\n    Properties:\n"
        "      Name: deny-leave\n      Type: SERVICE_CONTROL_POLICY\n"
        "      TargetIds: [r-abcd]\n"
        "      Content: {Version: '2012-10-17', Statement: [{Effect: Deny, "
        "Action: 'organizations:LeaveOrganization', Resource: '*'}]}\n"
        "  PermissionSet:\n    Type: AWS::SSO::PermissionSet\n    Properties:\n"
        "      InstanceArn: arn:aws:sso:::instance/ssoins-1\n      Name: dev\n"
        "      ManagedPolicies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n"
        "  Doc:\n    Type: AWS::SSM::Document\n    Properties: {Content: {}}\n"
    )
    _, warnings = read_cloudformation(_write(tmp_path, text))
    by_id = {w.address: w.message for w in warnings}
    assert (
        "AWS::Organizations::Policy carries a policy (Content) that is not modeled"
        in (by_id["DenyLeave"])
    )
    assert "(ManagedPolicies) that is not modeled" in by_id["PermissionSet"]
    assert "Doc" not in by_id  # an SSM document's Content is no policy


# -- item 5: RoleId is the role's unique ID ------------------------------------------------

USERID = (
    "Resources:\n"
    + role("restricted-app", logical="AppRole")
    + role("admin", logical="AdminRole")
    + "  Bucket:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: restricted}\n"
    "  BucketPolicy:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n"
    "      Bucket: !Ref Bucket\n      PolicyDocument:\n        Version: '2012-10-17'\n"
    "        Statement:\n          - Sid: OnlyAppRole\n            Effect: Deny\n"
    "            Principal: '*'\n            Action: 's3:*'\n"
    "            Resource: [!GetAtt Bucket.Arn, !Sub '${Bucket.Arn}/*']\n"
    "            Condition:\n              StringNotLike:\n"
    "                aws:userid: [!Sub '${AppRole.RoleId}:*', !Ref AWS::AccountId]\n"
)


def test_role_id_used_in_a_policy_is_the_roles_unique_id(tmp_path: Path) -> None:
    from iamsim.engine.decision import evaluate

    world = cfn(tmp_path, USERID)
    app = world.roles[f"arn:aws:iam::{A}:role/restricted-app"]
    assert app.id is not None and app.id.startswith("AROA") and len(app.id) == 21
    assert world.roles[f"arn:aws:iam::{A}:role/admin"].id is None  # its RoleId is not used
    assert any("AppRole: IAM assigns the RoleId" in n for n in world.notes)
    statement = world.resources["arn:aws:s3:::restricted"].policy.statements[0]  # type: ignore[union-attr]
    assert statement.conditions[0].values == (f"{app.id}:*", A)

    def decide(session: str) -> str:
        built = RequestBuilder(world).build(session, "s3:GetObject", "arn:aws:s3:::restricted/x")
        return evaluate(built.request, built.policies).value

    assert decide(f"arn:aws:sts::{A}:assumed-role/restricted-app/task") == "Allow"
    assert decide(f"arn:aws:sts::{A}:assumed-role/admin/me") == "ExplicitDeny"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "stack.yaml"
    path.write_text(text)
    return path


def test_language_extensions_are_evaluated_but_for_each_is_not(tmp_path: Path) -> None:
    text = (
        "Transform: AWS::LanguageExtensions\nResources:\n"
        "  Alice:\n    Type: AWS::IAM::User\n    Properties:\n      UserName: alice\n"
        f"      Policies: [{{PolicyName: allow, PolicyDocument: {ALLOW_S3}}}]\n"
    )
    world = cfn(tmp_path, text)
    assert not world.unresolved and not any("transform" in n for n in world.notes)
    looped = text + (
        "  Fn::ForEach::Policies:\n    - Name\n    - [a, b]\n"
        "    - Policy${Name}:\n        Type: AWS::IAM::Policy\n        Properties: {}\n"
    )
    world = cfn(tmp_path, looped)
    assert (
        "Fn::ForEach::Policies is not expanded"
        in (world.unresolved[f"arn:aws:iam::{A}:user/alice"][0])
    )
