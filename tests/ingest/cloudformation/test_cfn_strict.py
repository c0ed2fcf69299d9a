"""CloudFormation templates that CloudFormation itself would reject fail loudly, located:
duplicate keys, reference cycles, intrinsic arguments of the wrong type, unknown intrinsics,
resource types and properties."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamsim.errors import InputError
from iamsim.ingest.cloudformation import load_cloudformation, read_cloudformation
from iamsim.model import World

TRUST = (
    '{Version: "2012-10-17", Statement: [{Effect: Allow, '
    'Principal: {Service: ec2.amazonaws.com}, Action: "sts:AssumeRole"}]}'
)
HEAD = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n'


def cfn(tmp_path: Path, text: str, name: str = "stack.yaml") -> World:
    path = tmp_path / name
    path.write_text(text)
    return load_cloudformation(path)


def cfn_error(tmp_path: Path, text: str, name: str = "stack.yaml") -> InputError:
    with pytest.raises(InputError) as info:
        cfn(tmp_path, text, name)
    assert info.value.source == str(tmp_path / name)
    return info.value


def user(name: str, extra: str = "") -> str:
    return f"  Alice:\n    Type: AWS::IAM::User\n    Properties:\n      UserName: {name}\n{extra}"


# -- duplicate keys and nesting ------------------------------------------------------------


def test_yaml_duplicate_key_in_a_policy(tmp_path: Path) -> None:
    text = HEAD + user(
        "alice",
        "      Policies:\n"
        "        - PolicyName: p\n"
        "          PolicyDocument:\n"
        '            Version: "2012-10-17"\n'
        "            Statement:\n"
        "              - Effect: Deny\n"
        '                Action: "s3:*"\n'
        '                Resource: "*"\n'
        "                Effect: Allow\n",
    )
    err = cfn_error(tmp_path, text)
    assert err.path == "/Resources/Alice/Properties/Policies/0/PolicyDocument/Statement/0/Effect"
    assert "duplicate key 'Effect'" in err.reason


def test_json_duplicate_key(tmp_path: Path) -> None:
    text = '{"Resources": {"A": {"Type": "AWS::IAM::User", "Type": "AWS::IAM::Group"}}}'
    err = cfn_error(tmp_path, text, "stack.json")
    assert err.path == "/Resources/A/Type"
    assert err.reason == "duplicate key 'Type'"


def test_deep_template_is_an_input_error(tmp_path: Path) -> None:
    err = cfn_error(tmp_path, HEAD + user("!Join ['', " + "[" * 3000 + "]" * 3000 + "]"))
    assert "nested too deeply" in err.reason


# -- reference cycles ----------------------------------------------------------------------


def _two_roles(a_name: str, b_name: str) -> str:
    return (
        HEAD
        + f"  A:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: {a_name}\n"
        + f"      AssumeRolePolicyDocument: {TRUST}\n"
        + f"  B:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: {b_name}\n"
        + f"      AssumeRolePolicyDocument: {TRUST}\n"
    )


@pytest.mark.parametrize(
    ("a_name", "b_name"),
    [("!GetAtt B.Arn", "!Ref A"), ('!Sub "${B}"', '!Sub "${A}"'), ("!Ref B", "!GetAtt A.RoleId")],
    ids=["getatt-ref", "sub-sub", "ref-roleid"],
)
def test_reference_cycle_is_reported(tmp_path: Path, a_name: str, b_name: str) -> None:
    # CloudFormation refuses these too ("Circular dependency between resources").
    err = cfn_error(tmp_path, _two_roles(a_name, b_name))
    assert err.path == "/Resources/A/Properties/RoleName"
    assert err.reason == "circular reference A -> B -> A"


def test_self_reference_is_reported(tmp_path: Path) -> None:
    err = cfn_error(tmp_path, HEAD + user("!Ref Alice"))
    assert err.reason == "circular reference Alice -> Alice"


def test_path_cycle_is_reported(tmp_path: Path) -> None:
    text = (
        HEAD
        + '  A:\n    Type: AWS::IAM::User\n    Properties:\n      Path: !Sub "/${B}/"\n'
        + "  B:\n    Type: AWS::IAM::Group\n    Properties:\n"
        + '      GroupName: !Select [1, !Split ["/", !GetAtt A.Arn]]\n'
    )
    err = cfn_error(tmp_path, text)
    assert "circular reference" in err.reason


def test_long_reference_chain_is_an_input_error(tmp_path: Path) -> None:
    # Each group is named after the next one's ARN: legal, but too deep to evaluate here.
    count = 400
    parts = [
        f"  G{i}:\n    Type: AWS::IAM::Group\n    Properties:\n"
        f'      GroupName: !Select [1, !Split ["/", !GetAtt G{i + 1}.Arn]]\n'
        for i in range(count)
    ]
    parts.append(f"  G{count}:\n    Type: AWS::IAM::Group\n")
    err = cfn_error(tmp_path, HEAD + "".join(parts))
    assert err.path == "/Resources/G0"
    assert "nested too deeply" in err.reason


# -- intrinsic arguments -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ('{"Fn::Length": 5}', "Fn::Length takes a list"),
        ("!Select [0, !Split [5, 5]]", "Fn::Split takes a delimiter and a string"),
        ('!Join ["", [a, [b]]]', "Fn::Join takes a delimiter and a list of strings"),
        ("!Base64 [a]", "Fn::Base64 takes a string"),
        ('!Sub ["${X}", {X: [a, b]}]', "Fn::Sub: ${X} is not a string"),
        ('{"Fn::Foo": "x"}', "unknown intrinsic function 'Fn::Foo'"),
        ('{"Fn::Joinn": ["", [a]]}', "unknown intrinsic function 'Fn::Joinn' (did you mean"),
    ],
)
def test_intrinsic_argument_errors(tmp_path: Path, expr: str, message: str) -> None:
    err = cfn_error(tmp_path, HEAD + user(expr))
    assert err.path.startswith("/Resources/Alice/Properties/UserName/")
    assert message in err.reason


def test_unknown_intrinsic_inside_a_deny_is_an_error(tmp_path: Path) -> None:
    text = HEAD + user(
        "alice",
        "      Policies:\n"
        "        - PolicyName: deny\n"
        "          PolicyDocument:\n"
        '            Version: "2012-10-17"\n'
        '            Statement: [{Effect: Deny, Action: "s3:GetObject", '
        'Resource: {"Fn::Foo": "x"}}]\n',
    )
    err = cfn_error(tmp_path, text)
    assert err.path.endswith("/Statement/0/Resource/Fn::Foo")


def test_condition_functions_take_conditions(tmp_path: Path) -> None:
    text = HEAD.replace("Resources:\n", "Conditions:\n  C: !Not [abc]\nResources:\n") + user(
        "alice"
    )
    text = text.replace(
        "    Type: AWS::IAM::User\n", "    Type: AWS::IAM::User\n    Condition: C\n"
    )
    err = cfn_error(tmp_path, text)
    assert "Fn::Not takes a condition" in err.reason


def test_intrinsics_still_evaluate(tmp_path: Path) -> None:
    world = cfn(
        tmp_path,
        HEAD + user('!Join ["-", [!Select [1, !Split [",", "a,b"]], !Base64 x, "1"]]'),
    )
    (alice,) = world.users.values()
    assert alice.name == "b-eA==-1"


def test_unsupported_but_real_intrinsic_is_reported_not_refused(tmp_path: Path) -> None:
    world, warnings = _read(tmp_path, HEAD + user('{"Fn::Cidr": ["10.0.0.0/16", 2, 8]}'))
    assert not world.users
    assert any("Fn::Cidr" in w.message for w in warnings)


def _read(tmp_path: Path, text: str) -> tuple[World, list[object]]:
    path = tmp_path / "stack.yaml"
    path.write_text(text)
    world, warnings = read_cloudformation(path)
    return world, list(warnings)


# -- resource types and properties ---------------------------------------------------------


def test_misspelled_iam_type_is_an_error(tmp_path: Path) -> None:
    text = (
        HEAD
        + user("alice")
        + "  Deny:\n    Type: AWS::IAM::Polcy\n    Properties:\n      PolicyName: deny\n"
    )
    err = cfn_error(tmp_path, text)
    assert err.path == "/Resources/Deny/Type"
    assert (
        err.reason == "unknown resource type 'AWS::IAM::Polcy' (did you mean 'AWS::IAM::Policy'?)"
    )


@pytest.mark.parametrize(
    ("rtype", "suggestion"),
    [
        ("AWS::IAM::Nonsense", None),
        ("AWS::S3::BucketPolicyy", "AWS::S3::BucketPolicy"),
        ("AWS::IAMM::Role", "AWS::IAM::Role"),
        ("AWS::iam::role", "AWS::IAM::Role"),
    ],
)
def test_unknown_types_near_modeled_ones(tmp_path: Path, rtype: str, suggestion: str) -> None:
    err = cfn_error(tmp_path, HEAD + f"  X:\n    Type: {rtype}\n")
    assert err.path == "/Resources/X/Type"
    assert f"unknown resource type {rtype!r}" in err.reason
    if suggestion:
        assert f"did you mean {suggestion!r}" in err.reason


@pytest.mark.parametrize(
    "rtype",
    ["AWS::IAM::OIDCProvider", "AWS::S3::AccessPoint", "AWS::IoT::Policy", "Custom::Thing"],
)
def test_real_unmodeled_types_load(tmp_path: Path, rtype: str) -> None:
    world = cfn(tmp_path, HEAD + user("alice") + f"  X:\n    Type: {rtype}\n")
    assert len(world.users) == 1


def test_misspelled_property_is_an_error(tmp_path: Path) -> None:
    err = cfn_error(
        tmp_path,
        HEAD + user("alice", "      PermissionBoundary: arn:aws:iam::111122223333:policy/b\n"),
    )
    assert err.path == "/Resources/Alice/Properties/PermissionBoundary"
    assert err.reason == (
        "unknown property 'PermissionBoundary' of AWS::IAM::User "
        "(did you mean 'PermissionsBoundary'?)"
    )


def test_property_in_the_wrong_case_is_an_error(tmp_path: Path) -> None:
    err = cfn_error(tmp_path, HEAD + user("alice", "      tags: [{Key: a, Value: b}]\n"))
    assert "did you mean 'Tags'" in err.reason


def test_other_unknown_property_is_a_note(tmp_path: Path) -> None:
    world, warnings = _read(tmp_path, HEAD + user("alice", "      SomethingNew: 1\n"))
    assert len(world.users) == 1
    assert any("'SomethingNew'" in w.message for w in warnings)  # type: ignore[attr-defined]
    assert any("SomethingNew" in note for note in world.notes)


def test_policies_must_be_a_list(tmp_path: Path) -> None:
    err = cfn_error(tmp_path, HEAD + user("alice", "      Policies: {}\n"))
    assert err.path == "/Resources/Alice/Properties/Policies"


def test_key_policy_string_that_is_not_json(tmp_path: Path) -> None:
    text = HEAD + "  K:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy: '{oops'\n"
    world, warnings = _read(tmp_path, text)
    # A resource policy IAM's grammar rejects is reported and left out, not a traceback.
    assert any("not valid JSON" in w.message for w in warnings)  # type: ignore[attr-defined]
    assert all(r.policy is None for r in world.resources.values())
