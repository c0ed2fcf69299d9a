"""Runs-as links from a CloudFormation template: which role a compute resource runs as.

:data:`COMPUTE` says for each compute resource type the property naming its role
(``AWS::Lambda::Function`` ``Role``, ``AWS::ECS::TaskDefinition`` ``TaskRoleArn``, an instance
profile...), what the role is to the resource and how its ARN is written; the same roles as
the Terraform loader's table (:mod:`iamsim.ingest.terraform.runs_as`). A part of the ARN that
CloudFormation or the service assigns (an instance ID, a stack set's UUID) gets a stand-in
derived from the stack and logical ID. A role property whose value is unknown gives a note
and no link; so does a resource whose Condition is unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from iamsim.ingest.cloudformation.intrinsics import NO_VALUE, Template
from iamsim.ingest.iac.placeholders import placeholder_alnum, placeholder_uuid
from iamsim.ingest.iac.unknown import Unknown, Warnings
from iamsim.model import RunsAs


@dataclass(frozen=True, slots=True)
class Compute:
    words: str
    service: str
    name_key: str | None  # the property with the resource's name (None: stand-in parts only)
    arn: Callable[[str, str], str]  # (name, seed) -> the ARN's resource part
    roles: tuple[tuple[str, str], ...]  # (property path, use)


def _alnum(seed: str, length: int = 17) -> str:
    return placeholder_alnum(seed, length, upper=False)


COMPUTE: Mapping[str, Compute] = {
    "AWS::Lambda::Function": Compute(
        "Lambda function",
        "lambda",
        "FunctionName",
        lambda n, s: f"function:{n}",
        (("Role", "execution role"),),
    ),
    "AWS::CodeBuild::Project": Compute(
        "CodeBuild project",
        "codebuild",
        "Name",
        lambda n, s: f"project/{n}",
        (("ServiceRole", "service role"),),
    ),
    "AWS::Glue::Job": Compute(
        "Glue job", "glue", "Name", lambda n, s: f"job/{n}", (("Role", "execution role"),)
    ),
    "AWS::Glue::DevEndpoint": Compute(
        "Glue development endpoint",
        "glue",
        "EndpointName",
        lambda n, s: f"devEndpoint/{n}",
        (("RoleArn", "execution role"),),
    ),
    "AWS::SageMaker::NotebookInstance": Compute(
        "SageMaker notebook instance",
        "sagemaker",
        "NotebookInstanceName",
        lambda n, s: f"notebook-instance/{n.lower()}",
        (("RoleArn", "execution role"),),
    ),
    "AWS::CloudFormation::StackSet": Compute(
        "CloudFormation stack set",
        "cloudformation",
        "StackSetName",
        lambda n, s: f"stackset/{n}:{placeholder_uuid(s)}",
        (("AdministrationRoleARN", "administration role"),),
    ),
    "AWS::ECS::TaskDefinition": Compute(
        "ECS task definition",
        "ecs",
        "Family",
        lambda n, s: f"task-definition/{n}:1",
        (("TaskRoleArn", "task role"), ("ExecutionRoleArn", "task execution role")),
    ),
    "AWS::EC2::Instance": Compute(
        "EC2 instance",
        "ec2",
        None,
        lambda n, s: f"instance/i-{_alnum(s)}",
        (("IamInstanceProfile", "instance profile"),),
    ),
    "AWS::EC2::LaunchTemplate": Compute(
        "EC2 launch template",
        "ec2",
        None,
        lambda n, s: f"launch-template/lt-{_alnum(s)}",
        (
            ("LaunchTemplateData.IamInstanceProfile.Name", "instance profile"),
            ("LaunchTemplateData.IamInstanceProfile.Arn", "instance profile"),
        ),
    ),
    "AWS::AppRunner::Service": Compute(
        "App Runner service",
        "apprunner",
        "ServiceName",
        lambda n, s: f"service/{n}/{_alnum(s, 32)}",
        (
            ("InstanceConfiguration.InstanceRoleArn", "instance role"),
            ("SourceConfiguration.AuthenticationConfiguration.AccessRoleArn", "access role"),
        ),
    ),
    "AWS::StepFunctions::StateMachine": Compute(
        "Step Functions state machine",
        "states",
        "StateMachineName",
        lambda n, s: f"stateMachine:{n}",
        (("RoleArn", "execution role"),),
    ),
    "AWS::Bedrock::Agent": Compute(
        "Bedrock agent",
        "bedrock",
        None,
        lambda n, s: f"agent/{_alnum(s, 10).upper()}",
        (("AgentResourceRoleArn", "agent role"),),
    ),
    "AWS::BedrockAgentCore::CodeInterpreterCustom": Compute(
        "Bedrock AgentCore code interpreter",
        "bedrock-agentcore",
        "Name",
        lambda n, s: f"code-interpreter-custom/{n}-{_alnum(s, 10)}",
        (("ExecutionRoleArn", "execution role"),),
    ),
}


def cloudformation_runs_as(t: Template, warnings: Warnings) -> list[RunsAs]:
    """The runs-as links of template ``t``; what cannot be linked is noted in ``warnings``."""
    profiles = _profiles(t)
    links: list[RunsAs] = []
    for logical, res in t.resources.items():
        if not isinstance(res, Mapping):
            continue
        spec = COMPUTE.get(str(res.get("Type")))
        if spec is None or not isinstance(res.get("Properties") or {}, Mapping):
            continue
        condition = res.get("Condition")
        if isinstance(condition, str):
            value = t.condition(condition, f"/Resources/{logical}/Condition")
            if isinstance(value, Unknown) or not value:
                continue  # absent, or maybe absent (the loader notes the unknown condition)
        links.extend(_links(t, str(logical), spec, profiles, warnings))
    return links


def _prop(t: Template, logical: str, path: str) -> Any:
    """The evaluated property at a dotted path (None when absent)."""
    first, _, rest = path.partition(".")
    props = t.resources[logical].get("Properties") or {}
    if first not in props:
        return None
    value = t._property(logical, first)
    for key in rest.split(".") if rest else ():
        if isinstance(value, Unknown):
            return value
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return None if value is NO_VALUE else value


def _profiles(t: Template) -> dict[str, str]:
    """Instance profile name or ARN -> the name of its (first) role, for the template's
    ``AWS::IAM::InstanceProfile`` resources."""
    out: dict[str, str] = {}
    for logical, res in t.resources.items():
        if not isinstance(res, Mapping) or res.get("Type") != "AWS::IAM::InstanceProfile":
            continue
        roles = _prop(t, str(logical), "Roles")
        if not isinstance(roles, list) or not roles or not isinstance(roles[0], str):
            continue
        role = roles[0].rsplit("/", 1)[-1]
        name = t.physical_name(str(logical))
        arn = t._iam_arn("instance-profile", str(logical))
        for key in (name, arn):
            if isinstance(key, str):
                out[key] = role
    return out


def _links(
    t: Template, logical: str, spec: Compute, profiles: Mapping[str, str], warnings: Warnings
) -> list[RunsAs]:
    seed = f"{t.stack_name}/{logical}"
    name: Any = ""
    if spec.name_key is not None:
        name = _prop(t, logical, spec.name_key)
        if name is None:
            name = t._generated(logical, str(t.resources[logical].get("Type")))
        if isinstance(name, Unknown) or not isinstance(name, str):
            why = name.reason if isinstance(name, Unknown) else "not a string"
            warnings.add(t.source, logical, f"{spec.name_key} is unknown ({why}); no runs-as link")
            return []
    arn = f"arn:{t.partition}:{spec.service}:{t.region}:{t.account}:{spec.arn(name, seed)}"
    out = []
    for path, use in spec.roles:
        value = _prop(t, logical, path)
        if value is None or value == "":
            continue
        where = f"/Resources/{logical}/Properties/{path.replace('.', '/')}"
        if isinstance(value, Unknown) or not isinstance(value, str):
            why = value.reason if isinstance(value, Unknown) else "not a string"
            warnings.add(
                t.source,
                logical,
                f"{path} is unknown ({why}); the {spec.words} is not linked to its {use} "
                "(code-injection paths through it stay conditional)",
            )
            continue
        if use == "instance profile":
            role_name = profiles.get(value)
            if role_name is None:
                warnings.add(
                    t.source,
                    logical,
                    f"instance profile {value!r} is not defined in the template; the "
                    f"{spec.words} is not linked to a role",
                )
                continue
            role = f"arn:{t.partition}:iam::{t.account}:role/{role_name}"
        elif value.startswith("arn:"):
            role = value
        else:  # a role name (CodeBuild and Glue take either)
            role = f"arn:{t.partition}:iam::{t.account}:role/{value}"
        out.append(RunsAs(arn, role, spec.words, use, f"{t.source}#{where}"))
    return out
