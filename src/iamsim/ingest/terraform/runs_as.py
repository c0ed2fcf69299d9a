"""Runs-as links from Terraform resources: which role a compute resource runs as.

One table, :data:`COMPUTE`, says for each compute resource type the argument naming its role
(``aws_lambda_function.role``, ``aws_ecs_task_definition.task_role_arn``, an instance
profile...), what the role is to the resource, and how its ARN is written. An ARN part known
only after apply (an instance ID, a stack's UUID) gets a deterministic stand-in derived from the
resource address, so policies written with wildcards decide the same way. A role argument whose
value is unknown gives a note and no link.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from iamsim.ingest.iac.computed import value_of
from iamsim.ingest.iac.placeholders import placeholder_alnum
from iamsim.ingest.iac.standins import stack_uuid
from iamsim.ingest.iac.unknown import Unknown, Warnings
from iamsim.model import RunsAs

if TYPE_CHECKING:  # resources.py calls this module
    from iamsim.ingest.terraform.resources import TfResource

# (resource, its name argument's value) -> the part of the ARN after ``arn:P:SERVICE:R:A:``.
_Arn = Callable[["TfResource", str], str]


@dataclass(frozen=True, slots=True)
class Compute:
    """A compute resource type: its ARN's service, the argument with its name (None: the
    ARN has only stand-in parts), how the ARN's resource part is written, and the roles."""

    words: str
    service: str
    name_key: str | None
    arn: _Arn
    roles: tuple[tuple[str, str], ...]  # (argument path, use)


def _standin(r: TfResource, length: int = 17) -> str:
    return placeholder_alnum(r.address, length, upper=False)


def _uuid(r: TfResource) -> str:
    return stack_uuid(r.address)


COMPUTE: Mapping[str, Compute] = {
    "aws_lambda_function": Compute(
        "Lambda function",
        "lambda",
        "function_name",
        lambda r, n: f"function:{n}",
        (("role", "execution role"),),
    ),
    "aws_codebuild_project": Compute(
        "CodeBuild project",
        "codebuild",
        "name",
        lambda r, n: f"project/{n}",
        (("service_role", "service role"),),
    ),
    "aws_glue_job": Compute(
        "Glue job", "glue", "name", lambda r, n: f"job/{n}", (("role_arn", "execution role"),)
    ),
    "aws_glue_dev_endpoint": Compute(
        "Glue development endpoint",
        "glue",
        "name",
        lambda r, n: f"devEndpoint/{n}",
        (("role_arn", "execution role"),),
    ),
    "aws_sagemaker_notebook_instance": Compute(
        "SageMaker notebook instance",
        "sagemaker",
        "name",
        lambda r, n: f"notebook-instance/{n.lower()}",  # SageMaker ARNs are lower case
        (("role_arn", "execution role"),),
    ),
    "aws_cloudformation_stack": Compute(
        "CloudFormation stack",
        "cloudformation",
        "name",
        lambda r, n: f"stack/{n}/{_uuid(r)}",
        (("iam_role_arn", "service role"),),
    ),
    "aws_cloudformation_stack_set": Compute(
        "CloudFormation stack set",
        "cloudformation",
        "name",
        lambda r, n: f"stackset/{n}:{_uuid(r)}",
        (("administration_role_arn", "administration role"),),
    ),
    "aws_ecs_task_definition": Compute(
        "ECS task definition",
        "ecs",
        "family",
        lambda r, n: f"task-definition/{n}:1",  # the first revision stands in for the next
        (("task_role_arn", "task role"), ("execution_role_arn", "task execution role")),
    ),
    "aws_instance": Compute(
        "EC2 instance",
        "ec2",
        None,
        lambda r, n: f"instance/i-{_standin(r)}",
        (("iam_instance_profile", "instance profile"),),
    ),
    "aws_launch_template": Compute(
        "EC2 launch template",
        "ec2",
        None,
        lambda r, n: f"launch-template/lt-{_standin(r)}",
        (
            ("iam_instance_profile.name", "instance profile"),
            ("iam_instance_profile.arn", "instance profile"),
        ),
    ),
    "aws_apprunner_service": Compute(
        "App Runner service",
        "apprunner",
        "service_name",
        lambda r, n: f"service/{n}/{_standin(r, 32)}",
        (
            ("instance_configuration.instance_role_arn", "instance role"),
            (
                "source_configuration.authentication_configuration.access_role_arn",
                "access role",
            ),
        ),
    ),
    "aws_sfn_state_machine": Compute(
        "Step Functions state machine",
        "states",
        "name",
        lambda r, n: f"stateMachine:{n}",
        (("role_arn", "execution role"),),
    ),
    # SageMaker training and processing jobs are API calls, not Terraform resources; what
    # Terraform defines with an execution role is the model (run by endpoints and batch
    # transform jobs) and the pipeline (its steps run as the pipeline's role).
    "aws_sagemaker_model": Compute(
        "SageMaker model",
        "sagemaker",
        "name",
        lambda r, n: f"model/{n.lower()}",
        (("execution_role_arn", "execution role"),),
    ),
    "aws_sagemaker_pipeline": Compute(
        "SageMaker pipeline",
        "sagemaker",
        "pipeline_name",
        lambda r, n: f"pipeline/{n.lower()}",
        (("role_arn", "execution role"),),
    ),
    "aws_bedrockagent_agent": Compute(
        "Bedrock agent",
        "bedrock",
        None,
        lambda r, n: f"agent/{_standin(r, 10).upper()}",
        (("agent_resource_role_arn", "agent role"),),
    ),
    "aws_bedrockagentcore_code_interpreter": Compute(
        "Bedrock AgentCore code interpreter",
        "bedrock-agentcore",
        "name",
        lambda r, n: f"code-interpreter-custom/{n}-{_standin(r, 10)}",
        (("execution_role_arn", "execution role"),),
    ),
}


def _path_value(values: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted argument path; a nested block (a list of one mapping) is entered."""
    value: Any = values
    for key in path.split("."):
        if isinstance(value, list | tuple):
            if len(value) != 1:
                return None
            value = value[0]
        if isinstance(value, Unknown):
            return value
        if not isinstance(value, Mapping):
            return None
        value = value_of(value, key)
    return value


def _profiles(resources: Sequence[TfResource]) -> dict[tuple[str, str], str]:
    """(account, instance profile name or ARN) -> the name of its role."""
    out: dict[tuple[str, str], str] = {}
    for r in resources:
        if r.type != "aws_iam_instance_profile" or r.mode != "managed" or r.uncertain:
            continue
        role = r.attr("role")
        if not isinstance(role, str) or not role:
            continue
        role = role.rsplit("/", 1)[-1]  # an ARN given instead of the name
        for key in ("name", "arn"):
            value = r.attr(key)
            if isinstance(value, str) and value:
                out[(r.env.account, value)] = role
    return out


def terraform_runs_as(resources: Sequence[TfResource], warnings: Warnings) -> list[RunsAs]:
    """The runs-as links of ``resources``; what cannot be linked is noted in ``warnings``."""
    profiles = _profiles(resources)
    stack_sets = _stack_sets(resources)
    links: list[RunsAs] = []
    for r in resources:
        if r.mode != "managed" or r.uncertain is not None:
            continue
        if r.type == "aws_datapipeline_definition":
            links.extend(_datapipeline_links(r, warnings))
        elif r.type == "aws_cloudformation_stack_set_instance":
            links.extend(_stack_set_instance_links(r, stack_sets, warnings))
        spec = COMPUTE.get(r.type)
        if spec is None:
            continue
        links.extend(_links(r, spec, profiles, warnings))
    return links


# Data Pipeline: the pipeline objects' ``role`` (what the service acts as) and ``resourceRole``
# (the EC2 instances' role, whose instance profile has the same name) fields name roles.
# https://docs.aws.amazon.com/datapipeline/latest/DeveloperGuide/dp-iam-roles.html
_PIPELINE_ROLE_FIELDS = {"role": "execution role", "resourceRole": "instance role"}


def _datapipeline_links(r: TfResource, warnings: Warnings) -> list[RunsAs]:
    env = r.env
    pipeline = r.attr("pipeline_id")
    if not isinstance(pipeline, str) or not pipeline:
        # The pipeline's ID is known after apply: a stand-in in its documented df- form.
        pipeline = "df-" + placeholder_alnum(r.address, 19, upper=True)
    arn = f"arn:{env.partition}:datapipeline:{env.region}:{env.account}:pipeline/{pipeline}"
    out: list[RunsAs] = []
    objects = r.values.get("pipeline_object")
    for i, obj in enumerate(objects if isinstance(objects, list | tuple) else ()):
        fields = obj.get("field") if isinstance(obj, Mapping) else None
        for field in fields if isinstance(fields, list | tuple) else ():
            if not isinstance(field, Mapping) or field.get("key") not in _PIPELINE_ROLE_FIELDS:
                continue
            use = _PIPELINE_ROLE_FIELDS[field["key"]]
            value = field.get("string_value")
            if isinstance(value, Unknown) or not isinstance(value, str) or not value:
                why = value.reason if isinstance(value, Unknown) else "not a string"
                warnings.add(
                    r.source,
                    r.address,
                    f"pipeline_object[{i}] {field['key']} is unknown ({why}); the Data Pipeline "
                    f"is not linked to its {use}",
                )
                continue
            role = (
                value
                if value.startswith("arn:")
                else (f"arn:{env.partition}:iam::{env.account}:role/{value}")
            )
            where = f"{r.source} ({r.address}.pipeline_object[{i}].{field['key']})"
            out.append(RunsAs(arn, role, "Data Pipeline", use, where))
    return list(dict.fromkeys(out))


# A self-managed stack set deploys into each target account as the execution role named by
# execution_role_name (AWS's default name when not set).
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-prereqs-self-managed.html
_DEFAULT_EXECUTION_ROLE = "AWSCloudFormationStackSetExecutionRole"


def _stack_sets(resources: Sequence[TfResource]) -> dict[tuple[str, str], TfResource]:
    out: dict[tuple[str, str], TfResource] = {}
    for r in resources:
        if r.type == "aws_cloudformation_stack_set" and r.mode == "managed":
            name = r.attr("name")
            if isinstance(name, str):
                out[(r.env.account, name)] = r
    return out


def _stack_set_instance_links(
    r: TfResource, stack_sets: Mapping[tuple[str, str], TfResource], warnings: Warnings
) -> list[RunsAs]:
    env = r.env
    name = r.attr("stack_set_name")
    target = r.attr("account_id")
    stack_set = stack_sets.get((env.account, name)) if isinstance(name, str) else None
    if stack_set is None:
        return []  # a stack set defined elsewhere: its execution role is not known here
    if stack_set.attr("permission_model") == "SERVICE_MANAGED":
        return []  # AWS's own roles deploy service-managed stack sets
    if target is None:
        target = env.account  # the provider's account, as Terraform's default
    if isinstance(target, Unknown) or not isinstance(target, str):
        why = target.reason if isinstance(target, Unknown) else "not a string"
        warnings.add(
            r.source,
            r.address,
            f"account_id is unknown ({why}); no runs-as link to the stack set's execution role",
        )
        return []
    role_name = stack_set.attr("execution_role_name") or _DEFAULT_EXECUTION_ROLE
    if not isinstance(role_name, str):
        warnings.add(r.source, r.address, "execution_role_name is unknown; no runs-as link")
        return []
    region = r.attr("region")
    region = region if isinstance(region, str) and region else env.region
    stack = f"stack/StackSet-{name}-{_uuid(r)}/{_uuid(stack_set)}"
    arn = f"arn:{env.partition}:cloudformation:{region}:{target}:{stack}"
    role = f"arn:{env.partition}:iam::{target}:role/{role_name}"
    where = f"{stack_set.source} ({stack_set.address}.execution_role_name)"
    return [RunsAs(arn, role, "CloudFormation stack set instance", "execution role", where)]


def _links(
    r: TfResource,
    spec: Compute,
    profiles: Mapping[tuple[str, str], str],
    warnings: Warnings,
) -> list[RunsAs]:
    env = r.env
    arn = r.attr("arn")
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        name = r.attr(spec.name_key) if spec.name_key else ""
        if isinstance(name, Unknown) or not isinstance(name, str):
            why = name.reason if isinstance(name, Unknown) else "not set"
            warnings.add(
                r.source, r.address, f"{spec.name_key} is unknown ({why}); no runs-as link"
            )
            return []
        prefix = f"arn:{env.partition}:{spec.service}:{env.region}:{env.account}:"
        arn = prefix + spec.arn(r, name)
    out = []
    for path, use in spec.roles:
        value = _path_value(r.values, path)
        if value is None or value == "":
            continue
        if isinstance(value, Unknown) or not isinstance(value, str):
            why = value.reason if isinstance(value, Unknown) else "not a string"
            warnings.add(
                r.source,
                r.address,
                f"{path} is unknown ({why}); the {spec.words} is not linked to its {use} "
                "(code-injection paths through it stay conditional)",
            )
            continue
        if use == "instance profile":
            profile = value
            role_name = profiles.get((env.account, profile))
            if role_name is None:
                warnings.add(
                    r.source,
                    r.address,
                    f"instance profile {profile!r} is not defined in the inputs; the "
                    f"{spec.words} is not linked to a role",
                )
                continue
            role = f"arn:{env.partition}:iam::{env.account}:role/{role_name}"
        elif value.startswith("arn:"):
            role = value
        else:  # a role name (the argument takes either)
            role = f"arn:{env.partition}:iam::{env.account}:role/{value}"
        out.append(RunsAs(arn, role, spec.words, use, f"{r.source} ({r.address}.{path})"))
    return out
