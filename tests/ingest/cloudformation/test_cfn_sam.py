"""The SAM transform: what ``AWS::Serverless::Function`` generates for IAM is loaded.

SAM semantics: https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html
(Policies, Role, PermissionsBoundary, RolePath, DeadLetterQueue) and the policy templates list
https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-policy-template-list.html
"""

from __future__ import annotations

from pathlib import Path

import pytest

from iamsim.builder import RequestBuilder
from iamsim.engine import evaluate
from iamsim.errors import InputError
from iamsim.ingest.cloudformation import load_cloudformation
from iamsim.model import World
from iamsim.policy.render import policy_to_dict

HEAD = "Transform: AWS::Serverless-2016-10-31\nResources:\n"
A = "111122223333"


def sam(tmp_path: Path, body: str) -> World:
    path = tmp_path / "template.yaml"
    path.write_text(HEAD + body)
    return load_cloudformation(path, account=A, region="eu-west-1")


def decide(world: World, principal: str, action: str, resource: str) -> str:
    built = RequestBuilder(world).build(principal, action, resource)
    return str(evaluate(built.request, built.policies).value)


def only_role(world: World) -> str:
    (arn,) = world.roles
    return arn


def test_function_role_gets_basic_execution_templates_and_statements(tmp_path: Path) -> None:
    world = sam(
        tmp_path,
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Handler: a.b\n      Tracing: Active\n      Policies:\n"
        "        - S3ReadPolicy: {BucketName: uploads}\n"
        "        - AmazonDynamoDBReadOnlyAccess\n"
        "        - Statement: [{Effect: Allow, Action: 'sqs:SendMessage', Resource: '*'}]\n",
    )
    role = world.roles[only_role(world)]
    assert set(role.managed_policy_arns) == {
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
        "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess",
    }
    names = [p.name for p in role.inline_policies]
    assert names == ["FnRolePolicy0", "FnRolePolicy2"]
    template = policy_to_dict(role.inline_policies[0])
    assert template["Statement"][0]["Resource"] == [
        "arn:aws:s3:::uploads",
        "arn:aws:s3:::uploads/*",
    ]
    trust = policy_to_dict(role.trust_policy) if role.trust_policy else {}
    assert trust["Statement"][0]["Principal"] == {"Service": ["lambda.amazonaws.com"]}
    (link,) = world.runs_as
    assert link.role == role.arn
    assert not world.unresolved
    assert not any("not expanded" in n for n in world.notes)
    # The policy template's grant is real: the role may read the bucket, not write it.
    assert decide(world, role.arn, "s3:GetObject", "arn:aws:s3:::uploads/k") == "Allow"
    assert decide(world, role.arn, "s3:PutObject", "arn:aws:s3:::uploads/k") != "Allow"


def test_function_with_role_generates_none(tmp_path: Path) -> None:
    world = sam(
        tmp_path,
        "  R:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: given\n"
        "      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, "
        "Principal: {Service: lambda.amazonaws.com}, Action: 'sts:AssumeRole'}]}\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Role: !GetAtt R.Arn\n      Policies: [AmazonS3FullAccess]\n",
    )
    assert list(world.roles) == [f"arn:aws:iam::{A}:role/given"]
    assert world.runs_as[0].role == f"arn:aws:iam::{A}:role/given"


def test_boundary_path_and_dead_letter_queue(tmp_path: Path) -> None:
    # The boundary comes from Globals, as SAM merges Globals.Function into each function.
    path = tmp_path / "template.yaml"
    path.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        f"Globals:\n  Function:\n    PermissionsBoundary: arn:aws:iam::{A}:policy/b\n"
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      RolePath: /apps/\n"
        "      DeadLetterQueue: {Type: SQS, TargetArn: 'arn:aws:sqs:eu-west-1:111122223333:dlq'}\n"
    )
    world = load_cloudformation(path, account=A, region="eu-west-1")
    role = world.roles[only_role(world)]
    assert role.boundary_arn == f"arn:aws:iam::{A}:policy/b"
    assert role.path == "/apps/"
    assert [p.name for p in role.inline_policies] == ["DeadLetterQueuePolicy"]


def test_push_event_leaves_the_function_policy_unresolved(tmp_path: Path) -> None:
    world = sam(
        tmp_path,
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Events:\n        Up: {Type: S3, Properties: {Bucket: !Ref B, Events: 's3:*'}}\n"
        "  B:\n    Type: AWS::S3::Bucket\n",
    )
    (arn,) = [a for a in world.unresolved if ":lambda:" in a]
    assert "S3 event" in world.unresolved[arn][0]


def test_other_serverless_types_keep_the_transform_unexpanded(tmp_path: Path) -> None:
    world = sam(
        tmp_path,
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {Handler: a.b}\n"
        "  Sm:\n    Type: AWS::Serverless::StateMachine\n    Properties: {Policies: []}\n",
    )
    assert any("AWS::Serverless::StateMachine" in n for n in world.notes)
    assert world.unresolved


@pytest.mark.parametrize(
    ("policies", "message"),
    [
        ("[{NoSuchPolicy: {X: y}}]", "'NoSuchPolicy' is not a SAM policy template"),
        ("[{S3ReadPolicy: {}}]", "the SAM policy template S3ReadPolicy needs BucketName"),
        ("[42]", "a SAM policy is a managed policy name or ARN"),
    ],
)
def test_bad_policies_are_located_errors(tmp_path: Path, policies: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        sam(
            tmp_path,
            f"  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            f"      Policies: {policies}\n",
        )
    assert message in info.value.reason
    assert info.value.path.startswith("/Resources/Fn/Properties/Policies/0")
