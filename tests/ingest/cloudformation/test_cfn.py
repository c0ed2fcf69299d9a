"""CloudFormation templates: the IAM resource types, short-form intrinsics, parameters,
conditions, generated names, pseudo parameters, and what is reported instead of guessed."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamsim.errors import InputError
from iamsim.ingest import InputFile, detect_format, load_inputs
from iamsim.ingest.cloudformation import (
    detect,
    load_cloudformation,
    parse_template,
    read_cloudformation,
)
from iamsim.ingest.iac.placeholders import PLACEHOLDER_ACCOUNT, PLACEHOLDER_REGION
from iamsim.model import World
from iamsim.policy.model import Effect

DATA = Path(__file__).parent / "data"
A = PLACEHOLDER_ACCOUNT


def cfn(tmp_path: Path, text: str, **kwargs: object) -> World:
    path = tmp_path / "stack.yaml"
    path.write_text(text)
    return load_cloudformation(path, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def iam() -> World:
    return load_cloudformation(DATA / "iam.yaml")


def test_role_with_every_property(iam: World) -> None:
    role = iam.roles[f"arn:aws:iam::{A}:role/dev/dev-app"]  # !Join name, !FindInMap path
    assert role.trust_policy is not None
    principal = role.trust_policy.statements[0].principal
    # !Sub with ${AWS::Partition} and a parameter whose default has a leading zero
    assert principal is not None and principal.values("AWS") == ("arn:aws:iam::012345678901:root",)
    # !If on a false condition with AWS::NoValue drops the list element
    assert role.managed_policy_arns == ("arn:aws:iam::aws:policy/ReadOnlyAccess",)
    assert role.boundary_arn == f"arn:aws:iam::{A}:policy/boundaries/dev-boundary"  # !Ref
    assert [p.name for p in role.inline_policies] == ["home", "shared", "dev-extra"]
    assert dict(role.tags) == {"app": "one"}  # !Select / !Split
    assert role.instance_profile_arns == (
        f"arn:aws:iam::{A}:instance-profile/iam-Profile-{role.instance_profile_arns[0][-12:]}",
    )


def test_policy_variables_in_sub_and_plain_strings(iam: World) -> None:
    role = iam.roles[f"arn:aws:iam::{A}:role/dev/dev-app"]
    home = role.inline_policies[0]
    bucket = next(a for a in iam.resources if a.startswith("arn:aws:s3:::"))
    # ${!aws:username} inside Fn::Sub is the literal policy variable
    assert home.statements[0].resources == (f"{bucket}/home/${{aws:username}}/*",)
    assert home.statements[1].resources == (bucket,)  # !GetAtt DataBucket.Arn
    assert home.statements[1].conditions[0].values == ("home/${aws:username}/*",)


def test_generated_names_follow_the_documented_rule(iam: World) -> None:
    generated = [r for r in iam.roles.values() if r.name.startswith("iam-GeneratedRole-")]
    assert len(generated) == 1 and len(generated[0].name) == len("iam-GeneratedRole-") + 12
    assert load_cloudformation(DATA / "iam.yaml").roles.keys() == iam.roles.keys()  # stable
    bucket = next(a for a in iam.resources if a.startswith("arn:aws:s3:::"))
    assert bucket.startswith("arn:aws:s3:::iam-databucket-") and bucket == bucket.lower()
    assert any("GeneratedRole: CloudFormation names this role" in n for n in iam.notes)
    other = load_cloudformation(DATA / "iam.yaml", stack_name="prod-stack")
    assert any(r.name.startswith("prod-stack-GeneratedRole-") for r in other.roles.values())


def test_users_groups_and_policies(iam: World) -> None:
    alice = iam.users[f"arn:aws:iam::{A}:user/people/alice"]
    assert alice.group_names == ("developers",)
    assert alice.boundary_arn == f"arn:aws:iam::{A}:policy/boundaries/dev-boundary"  # GetAtt
    assert alice.inline_policies[0].statements[0].effect is Effect.DENY
    assert dict(alice.tags) == {"project": "red"}
    bob = iam.users[f"arn:aws:iam::{A}:user/bob"]
    assert bob.group_names == ("ops",)  # AWS::IAM::UserToGroupAddition
    assert [p.name for p in bob.inline_policies] == ["shared"]  # AWS::IAM::Policy Users
    devs = iam.groups[f"arn:aws:iam::{A}:group/developers"]
    read_arn = devs.managed_policy_arns[0]
    assert read_arn.startswith(f"arn:aws:iam::{A}:policy/iam-ReadPolicy-")  # Ref of ManagedPolicy
    assert read_arn in iam.managed_policies
    generated = next(r for r in iam.roles.values() if r.name.startswith("iam-GeneratedRole-"))
    assert generated.managed_policy_arns == (read_arn,)  # ManagedPolicy Roles
    ops = iam.groups[f"arn:aws:iam::{A}:group/ops"]
    assert [p.name for p in ops.inline_policies] == ["shared"]


def test_conditions_skip_resources(iam: World) -> None:
    assert not any(r.name == "prod-only" for r in iam.roles.values())
    prod = load_cloudformation(DATA / "iam.yaml", parameters={"Env": "prod"})
    role = prod.roles[f"arn:aws:iam::{A}:role/prod/prod-app"]
    assert "arn:aws:iam::aws:policy/AdministratorAccess" in role.managed_policy_arns
    assert "dev-extra" not in [p.name for p in role.inline_policies]
    assert any(r.name == "prod-only" for r in prod.roles.values())


def test_resource_policies(iam: World) -> None:
    bucket_arn = next(a for a in iam.resources if a.startswith("arn:aws:s3:::"))
    bucket = iam.resources[bucket_arn]
    assert dict(bucket.tags) == {"data": "true"} and bucket.policy is not None
    stmt = bucket.policy.statements[0]
    assert stmt.principal is not None
    assert stmt.principal.values("AWS") == (f"arn:aws:iam::{A}:role/dev/dev-app",)
    assert stmt.resources == (f"{bucket_arn}/*",)  # ${DataBucket.Arn} in !Sub
    keys = [r for a, r in iam.resources.items() if ":kms:" in a]
    assert sorted(str(k.policy.statements[0].sid) for k in keys if k.policy) == [
        "Enable IAM User Permissions",
        "Root",
    ]
    assert f"arn:aws:sqs:{PLACEHOLDER_REGION}:{A}:jobs" in iam.resources
    topic = next(r for a, r in iam.resources.items() if ":sns:" in a)
    assert topic.policy is not None and topic.policy.statements[0].resources == (topic.arn,)


def test_pseudo_parameters_and_json_templates() -> None:
    world = load_cloudformation(DATA / "template.json", account="111122223333", region="eu-west-1")
    role = world.roles["arn:aws:iam::111122223333:role/template-role"]  # AWS::StackName
    assert role.inline_policies[0].statements[0].resources == (
        "arn:aws:sqs:eu-west-1:111122223333:*",
    )
    assert not any("placeholder" in n for n in world.notes)
    default = load_cloudformation(DATA / "template.json")
    assert any(f"placeholder account {A}" in n for n in default.notes)
    assert any(f"placeholder region {PLACEHOLDER_REGION}" in n for n in default.notes)


def test_unresolvable_values_are_reported() -> None:
    world, warnings = read_cloudformation(DATA / "unresolved.yaml")
    by_id = {w.address: w.message for w in warnings}
    assert "Fn::ImportValue" in by_id["Imported"]
    assert world.roles[f"arn:aws:iam::{A}:role/imported"].trust_policy is None
    assert "parameter ExternalArn has no default" in by_id["NeedsParameter"]
    assert "condition HasExternal is unknown" in by_id["Conditional"]
    assert "not modeled" in by_id["Ecr"] and "not modeled" in by_id["Logs"]
    assert not world.users and not world.managed_policies
    # What is left unknown is refused rather than answered from the rest.
    assert list(world.unresolved) == [f"arn:aws:iam::{A}:role/imported"]
    given = load_cloudformation(
        DATA / "unresolved.yaml",
        parameters={"ExternalArn": "arn:aws:iam::111122223333:role/x"},
    )
    assert f"arn:aws:iam::{A}:policy/needs-parameter" in given.managed_policies
    assert f"arn:aws:iam::{A}:user/conditional" in given.users


def test_lambda_permission(tmp_path: Path) -> None:
    text = """
Resources:
  Allow:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: fn
      Principal: s3.amazonaws.com
      SourceAccount: !Ref AWS::AccountId
"""
    world = cfn(tmp_path, text, region="us-east-1")
    fn = world.resources[f"arn:aws:lambda:us-east-1:{A}:function:fn"]
    assert fn.policy is not None
    stmt = fn.policy.statements[0]
    assert stmt.principal is not None and stmt.principal.values("Service") == ("s3.amazonaws.com",)
    assert stmt.conditions[0].key == "AWS:SourceAccount"


def test_policy_variable_inside_sub_must_be_escaped() -> None:
    with pytest.raises(InputError) as info:
        load_cloudformation(DATA / "bad-sub.yaml")
    assert "${!aws:username}" in info.value.reason
    assert info.value.path.startswith("/Resources/Policy/Properties/PolicyDocument/Statement/0")


def test_malformed_yaml_names_file_and_line() -> None:
    with pytest.raises(InputError) as info:
        load_cloudformation(DATA / "malformed.yaml")
    assert info.value.source.endswith("malformed.yaml")
    assert info.value.path.startswith("line ")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("Resources: [1]\n", "Resources must be a mapping"),
        ("Resources:\n  X: {Properties: {}}\n", "a resource needs a Type"),
        (
            "Resources:\n  X:\n    Type: AWS::IAM::User\n    Properties:\n"
            "      UserName: !Ref Nope\n",
            "Ref to 'Nope'",
        ),
        (
            "Resources:\n  X:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: r\n"
            "      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: "
            "[{Effect: Allow, Action: 'sts:AssumeRole'}]}\n",
            "Principal",
        ),
        ("Resources:\n  X:\n    Type: AWS::IAM::User\n    Condition: Missing\n", "not defined"),
    ],
)
def test_malformed_templates(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        cfn(tmp_path, text)


def test_invalid_trust_policy_is_located(tmp_path: Path) -> None:
    text = (
        "Resources:\n  App:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: "
        "[{Effect: Allow, Action: 'sts:AssumeRole'}]}\n"
    )
    with pytest.raises(InputError) as info:
        cfn(tmp_path, text)
    assert info.value.source.endswith("stack.yaml")
    assert info.value.path.startswith(
        "/Resources/App/Properties/AssumeRolePolicyDocument/Statement/0"
    )


def test_unknown_parameter_name(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="declares no parameter"):
        cfn(tmp_path, "Resources: {}\n", parameters={"X": "1"})


def test_short_forms_parse_to_long_forms() -> None:
    doc = parse_template(
        "A: !GetAtt R.Arn\nB: !Sub ['${X}', {X: 1}]\nC: !Ref Y\nD: !GetAZs ''\n", "t"
    )
    assert doc == {
        "A": {"Fn::GetAtt": ["R", "Arn"]},
        "B": {"Fn::Sub": ["${X}", {"X": 1}]},
        "C": {"Ref": "Y"},
        "D": {"Fn::GetAZs": ""},
    }


def test_detection(tmp_path: Path) -> None:
    assert detect(DATA / "iam.yaml") and detect(str(DATA / "template.json"))
    assert detect((DATA / "iam.yaml").read_text())
    copy = tmp_path / "stack.txt"
    copy.write_text((DATA / "iam.yaml").read_text())
    assert detect_format(InputFile(copy)).name == "cloudformation"
    assert not detect('{"resources": []}')
    assert not detect("Resources: 3\n")
    assert not detect(tmp_path)


def test_load_inputs_merges_with_other_formats(iam: World) -> None:
    world = load_inputs([DATA / "iam.yaml", DATA / "template.json"])
    assert f"arn:aws:iam::{A}:role/template-role" in world.roles
    assert "arn:aws:iam::aws:policy/ReadOnlyAccess" in world.managed_policies
