"""CloudFormation loader fidelity: stand-ins for physical IDs CloudFormation or the service
assigns, Fn::FindInMap keyed by a placeholder pseudo parameter, the rule functions' short forms
in a template's Rules, and AWS managed policies named through Fn::Sub."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamsim.builder import RequestBuilder
from iamsim.engine import evaluate
from iamsim.errors import InputError
from iamsim.ingest.cloudformation import load_cloudformation
from iamsim.model import World

ACCT = "111122223333"
TRUST = (
    "      AssumeRolePolicyDocument:\n"
    "        Version: '2012-10-17'\n"
    "        Statement:\n"
    "          - {Effect: Allow, Principal: {Service: ec2.amazonaws.com}, "
    "Action: sts:AssumeRole}\n"
)


def cfn(tmp_path: Path, text: str, **kwargs: object) -> World:
    path = tmp_path / "stack.yaml"
    path.write_text(text)
    return load_cloudformation(path, **kwargs)  # type: ignore[arg-type]


def decide(world: World, principal: str, action: str, resource: str) -> str:
    built = RequestBuilder(world).build(principal, action, resource)
    return str(evaluate(built.request, built.policies).value)


STANDINS = f"""
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties: {{ImageId: ami-12345678}}
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties: {{Family: app}}
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties: {{DefinitionString: '{{}}', RoleArn: arn:aws:iam::{ACCT}:role/x}}
  Ops:
    Type: AWS::IAM::User
    Properties:
      UserName: ops
      Policies:
        - PolicyName: ops
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: ec2:StopInstances
                Resource: !Sub arn:${{AWS::Partition}}:ec2:${{AWS::Region}}:${{AWS::AccountId}}:instance/${{Web}}
              - Effect: Allow
                Action: ecs:RunTask
                Resource: !Ref Task
              - Effect: Allow
                Action: states:StartExecution
                Resource: !GetAtt Flow.Arn
"""


def test_generated_physical_ids_get_stand_ins(tmp_path: Path) -> None:
    world = cfn(tmp_path, STANDINS, account=ACCT, region="eu-west-1")
    ops = f"arn:aws:iam::{ACCT}:user/ops"
    assert not world.unresolved.get(ops)
    statements = world.users[ops].inline_policies[0].statements
    instance = statements[0].resources[0]
    assert instance.startswith(f"arn:aws:ec2:eu-west-1:{ACCT}:instance/i-")
    assert "*" not in instance and "?" not in instance
    assert statements[1].resources == (f"arn:aws:ecs:eu-west-1:{ACCT}:task-definition/app:1",)
    flow = statements[2].resources[0]
    assert flow.startswith(f"arn:aws:states:eu-west-1:{ACCT}:stateMachine:stack-Flow-")
    assert decide(world, ops, "ec2:StopInstances", instance) == "Allow"
    other = f"arn:aws:ec2:eu-west-1:{ACCT}:instance/i-0123456789abcdef0"
    assert decide(world, ops, "ec2:StopInstances", other) != "Allow"
    notes = "\n".join(world.notes)
    assert "stand-in for Web (AWS::EC2::Instance) (known once the stack is created)" in notes
    assert "stand-in for Flow.Arn" in notes
    # deterministic
    again = cfn(tmp_path, STANDINS, account=ACCT, region="eu-west-1")
    assert again.users[ops].inline_policies[0].statements[0].resources[0] == instance


FIND_IN_MAP = f"""
Mappings:
  Buckets:
    us-east-1: {{Name: logs-use1}}
    eu-west-1: {{Name: logs-euw1}}
Resources:
  Reader:
    Type: AWS::IAM::Role
    Properties:
      RoleName: reader
{TRUST}      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: !Sub
                  - arn:aws:s3:::${{B}}/*
                  - B: !FindInMap [Buckets, !Ref AWS::Region, Name]
"""


def test_find_in_map_keyed_by_the_placeholder_region_is_unknown(tmp_path: Path) -> None:
    world = cfn(tmp_path, FIND_IN_MAP)
    role = "arn:aws:iam::000000000000:role/reader"
    assert world.unresolved.get(role)  # refused, not an error and not an Allow
    notes = "\n".join(world.notes)
    assert "Fn::FindInMap is keyed by AWS::Region, a placeholder" in notes
    # with the region given, the map decides
    known = cfn(tmp_path, FIND_IN_MAP, region="eu-west-1")
    policy = known.roles[role].inline_policies[0]
    assert policy.statements[0].resources == ("arn:aws:s3:::logs-euw1/*",)


def test_find_in_map_with_a_missing_known_key_is_still_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no Buckets/ap-south-1/Name in Mappings"):
        cfn(tmp_path, FIND_IN_MAP, region="ap-south-1")


RULES = f"""
Parameters:
  Env:
    Type: String
    Default: prod
  Subnet:
    Type: AWS::EC2::Subnet::Id
    Default: subnet-1
Rules:
  ProdOnly:
    RuleCondition: !Equals [!Ref Env, prod]
    Assertions:
      - Assert: !Contains [[vpc-1, vpc-2], !ValueOf [Subnet, VpcId]]
        AssertDescription: the subnet is in a production VPC
      - Assert: !EachMemberIn [!ValueOfAll [AWS::EC2::Subnet::Id, VpcId], [vpc-1]]
      - Assert: !EachMemberEquals [!RefAll AWS::EC2::VPC::Id, vpc-1]
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      RoleName: r
{TRUST}"""


def test_rule_functions_short_forms_are_read(tmp_path: Path) -> None:
    world = cfn(tmp_path, RULES)
    assert "arn:aws:iam::000000000000:role/r" in world.roles


def test_an_unknown_tag_is_named_with_its_line(tmp_path: Path) -> None:
    text = RULES.replace("!ValueOf [Subnet", "!ValueOff [Subnet")
    with pytest.raises(InputError) as info:
        cfn(tmp_path, text)
    message = str(info.value)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "!ValueOff" in t)
    assert "'!ValueOff'" in message and f"line {line}," in message


MANAGED = f"""
Resources:
  Admin:
    Type: AWS::IAM::Role
    Properties:
      RoleName: admin
{TRUST}      ManagedPolicyArns:
        - !Sub arn:${{AWS::Partition}}:iam::aws:policy/ReadOnlyAccess
        - arn:aws:iam::aws:policy/AmazonS3FullAccess
"""


def test_aws_managed_policy_arns_resolve_from_the_snapshot(tmp_path: Path) -> None:
    world = cfn(tmp_path, MANAGED, account=ACCT)
    admin = f"arn:aws:iam::{ACCT}:role/admin"
    assert set(world.roles[admin].managed_policy_arns) == {
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/AmazonS3FullAccess",
    }
    assert decide(world, admin, "iam:GetRole", f"arn:aws:iam::{ACCT}:role/admin") == "Allow"
    assert decide(world, admin, "iam:CreateRole", f"arn:aws:iam::{ACCT}:role/x") != "Allow"


def test_validate_names_the_misspelled_tag_not_the_first_short_form(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from iamsim.cli.main import cli

    path = tmp_path / "stack.yaml"
    path.write_text(RULES.replace("!ValueOf [Subnet", "!ValueOff [Subnet"))
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    assert "'!ValueOff'" in result.output and "'!Equals'" not in result.output
