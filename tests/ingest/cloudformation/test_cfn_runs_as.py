"""Runs-as links from CloudFormation: each compute resource type of the table links its
resource to the role its code runs as (or the service uses), with where it was read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from iamsim.ingest import load_inputs

ROLE = {
    "Type": "AWS::IAM::Role",
    "Properties": {
        "RoleName": "svc",
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        },
    },
}
ARN = {"Fn::GetAtt": ["Svc", "Arn"]}

# (type, properties, the resource kind of the link, what the role is to it, runs code)
CASES: list[tuple[str, dict[str, Any], str, str, bool]] = [
    ("AWS::Lambda::Function", {"Role": ARN}, "lambda-function", "execution role", True),
    ("AWS::CodeBuild::Project", {"Name": "b", "ServiceRole": {"Ref": "Svc"}}, "codebuild-project", "service role", True),
    ("AWS::Glue::Job", {"Name": "j", "Role": {"Ref": "Svc"}}, "glue-job", "execution role", True),
    ("AWS::Glue::DevEndpoint", {"RoleArn": ARN}, "glue-devEndpoint", "execution role", True),
    ("AWS::SageMaker::NotebookInstance", {"NotebookInstanceName": "NB", "RoleArn": ARN}, "sagemaker-notebook-instance", "execution role", True),
    ("AWS::CloudFormation::StackSet", {"StackSetName": "s", "AdministrationRoleARN": ARN}, "cloudformation-stackset", "administration role", True),
    ("AWS::ECS::TaskDefinition", {"Family": "app", "TaskRoleArn": ARN}, "ecs-task-definition", "task role", True),
    ("AWS::ECS::TaskDefinition", {"Family": "app", "ExecutionRoleArn": ARN}, "ecs-task-definition", "task execution role", False),
    ("AWS::EC2::LaunchTemplate", {"LaunchTemplateData": {"IamInstanceProfile": {"Name": {"Ref": "Profile"}}}}, "ec2-launch-template", "instance profile", True),
    ("AWS::AppRunner::Service", {"ServiceName": "web", "InstanceConfiguration": {"InstanceRoleArn": ARN}}, "apprunner-service", "instance role", True),
    ("AWS::AppRunner::Service", {"ServiceName": "web", "SourceConfiguration": {"AuthenticationConfiguration": {"AccessRoleArn": ARN}}}, "apprunner-service", "access role", False),
    ("AWS::StepFunctions::StateMachine", {"RoleArn": ARN}, "states-stateMachine", "execution role", True),
    ("AWS::Bedrock::Agent", {"AgentName": "a", "AgentResourceRoleArn": ARN}, "bedrock-agent", "agent role", False),
    ("AWS::BedrockAgentCore::CodeInterpreterCustom", {"Name": "ci", "ExecutionRoleArn": ARN}, "bedrock-agentcore-code-interpreter-custom", "execution role", True),
]  # fmt: skip


@pytest.mark.parametrize("rtype,props,kind,use,runs_code", CASES, ids=[c[0] for c in CASES])
def test_link(
    tmp_path: Path, rtype: str, props: dict[str, Any], kind: str, use: str, runs_code: bool
) -> None:
    profile = {"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [{"Ref": "Svc"}]}}
    doc = {
        "Resources": {
            "Svc": ROLE,
            "Profile": profile,
            "Compute": {"Type": rtype, "Properties": props},
        }
    }
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(doc))
    (link,) = load_inputs([path]).runs_as
    assert (link.kind, link.use, link.runs_code) == (kind, use, runs_code)
    assert link.role.endswith(":role/svc")
    assert link.source.startswith(f"{path}#/Resources/Compute/Properties/")


def test_unknown_role_is_a_note(tmp_path: Path) -> None:
    doc = {
        "Parameters": {"Role": {"Type": "String"}},
        "Resources": {
            "F": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Ref": "Role"}}}
        },
    }
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(doc))
    world = load_inputs([path])
    assert world.runs_as == ()
    assert any("Role is unknown" in n and "not linked" in n for n in world.notes), world.notes


def test_instance_profile_outside_the_template_is_a_note(tmp_path: Path) -> None:
    doc = {
        "Resources": {
            "I": {"Type": "AWS::EC2::Instance", "Properties": {"IamInstanceProfile": "elsewhere"}}
        }
    }
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(doc))
    world = load_inputs([path])
    assert world.runs_as == ()
    assert any("instance profile 'elsewhere' is not defined" in n for n in world.notes)
