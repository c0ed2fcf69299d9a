"""Stand-ins for attributes AWS assigns at apply time (an instance's ``id``, a task definition's
``arn``...), shared by the Terraform and CloudFormation loaders.

This module owns the table of resource types whose generated identifiers get a stand-in, how
each stand-in is built, and the note that names it. A stand-in is deterministic (a function of
the resource's address, so two loads give the same model), unique to its resource, and never a
wildcard: it holds no ``*`` or ``?``, and it is refused (left unknown) when a configured part
it is built from holds one. A policy that refers to it is then decided for that one resource
instead of being refused whole; it names nothing else, so it cannot widen access.

ARNs are built from the resource type's ARN format in the AWS service reference
(:mod:`iamsim.catalog.service_reference`), with the resource's partition, region and account.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from iamsim.ingest.iac.placeholders import (
    Env,
    placeholder_alnum,
    placeholder_digits,
    placeholder_hex,
)
from iamsim.ingest.iac.unknown import Unknown

__all__ = [
    "CFN_STANDINS",
    "arn_from_reference",
    "generated_id",
    "standin_attributes",
    "standin_note",
]

_VARIABLE = re.compile(r"\$\{([A-Za-z0-9]+)\}")


def generated_id(kind: str, address: str) -> str:
    """The stand-in for an ID AWS generates: ``i-`` and 17 hex digits for an instance, as
    AWS writes them, derived from the address."""
    return f"{kind}-{placeholder_hex('id:' + address, 17)}"


def arn_from_reference(service: str, resource_type: str, env: Env, **parts: Any) -> Any:
    """The ARN of ``service``'s ``resource_type`` from its format in the service reference,
    with ``parts`` for the format's variables (``InstanceId=...``). Unknown when the reference
    has no such type, a part is missing or unknown, or a part holds a wildcard character."""
    from iamsim.catalog.service_reference import service_reference

    formats = service_reference().arn_formats(service, resource_type)
    if not formats:
        return Unknown(f"the service reference has no ARN format for {service} {resource_type}")
    values = {"Partition": env.partition, "Region": env.region, "Account": env.account}
    for name, value in parts.items():
        if isinstance(value, Unknown):
            return value
        if not isinstance(value, str | int) or isinstance(value, bool):
            return Unknown(f"{name} is not set")
        text = str(value)
        if "*" in text or "?" in text:
            # A stand-in names one resource; a wildcard would name many.
            return Unknown(f"{name} {text!r} holds a wildcard character")
        values[name] = text
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            missing.append(name)
            return ""
        return values[name]

    arn = _VARIABLE.sub(fill, formats[0])
    if missing:
        return Unknown(f"the ARN of {service} {resource_type} needs {', '.join(missing)}")
    return arn


# -- the table ------------------------------------------------------------------------------------

Values = Mapping[str, Any]
_Rule = Callable[[str, Values, Env], dict[str, Any]]


def _value(values: Values, key: str) -> Any:
    try:
        return values[key]
    except KeyError:
        return None


def _by_id(service: str, resource_type: str, variable: str, kind: str) -> _Rule:
    """A resource AWS names with a generated ID (``i-...``): ``id`` and ``arn``."""

    def rule(address: str, values: Values, env: Env) -> dict[str, Any]:
        ident = _value(values, "id") or generated_id(kind, address)
        arn = arn_from_reference(service, resource_type, env, **{variable: ident})
        return {"id": ident, "arn": arn}

    return rule


def _by_name(
    service: str, resource_type: str, variable: str, name_key: str = "name", id_is_arn: bool = False
) -> _Rule:
    """A resource named in the configuration whose ARN AWS reports back: ``arn`` (and ``id``:
    the name, or the ARN where the provider says so)."""

    def rule(address: str, values: Values, env: Env) -> dict[str, Any]:
        name = _value(values, name_key)
        if name is None:
            name = Unknown(f"{address}.{name_key} is not set")
        arn = arn_from_reference(service, resource_type, env, **{variable: name})
        return {"arn": arn, "id": arn if id_is_arn else name}

    return rule


def stack_uuid(address: str) -> str:
    """The stand-in for the UUID AWS appends to a stack's or stack set's ID, from the address
    (the runs-as link of the resource uses the same one, so a policy naming the stack's ``id``
    and the link agree)."""
    d = placeholder_digits(address, 32)
    return f"{d[:8]}-{d[8:12]}-{d[12:16]}-{d[16:20]}-{d[20:]}"


def _stack(address: str, values: Values, env: Env) -> dict[str, Any]:
    # Terraform's id of a stack is its stack ID: the ARN, ending in a generated UUID.
    name = _value(values, "name")
    arn = arn_from_reference(
        "cloudformation",
        "stack",
        env,
        StackName=name if name is not None else Unknown(f"{address}.name is not set"),
        Id=stack_uuid(address),
    )
    return {"id": arn, "arn": arn}


def _stack_set(address: str, values: Values, env: Env) -> dict[str, Any]:
    name = _value(values, "name")
    if name is None:
        name = Unknown(f"{address}.name is not set")
    ident = name if isinstance(name, Unknown) else f"{name}:{stack_uuid(address)}"
    arn = arn_from_reference(
        "cloudformation", "stackset", env, StackSetName=name, Id=stack_uuid(address)
    )
    return {"arn": arn, "stack_set_id": ident}


def _notebook(address: str, values: Values, env: Env) -> dict[str, Any]:
    # SageMaker writes the resource name of its ARNs in lower case.
    name = _value(values, "name")
    if name is None:
        name = Unknown(f"{address}.name is not set")
    arn = arn_from_reference(
        "sagemaker",
        "notebook-instance",
        env,
        NotebookInstanceName=name.lower() if isinstance(name, str) else name,
    )
    return {"arn": arn, "id": name}


def _task_definition(address: str, values: Values, env: Env) -> dict[str, Any]:
    family = _value(values, "family")
    # The first registration of a family is revision 1; a new family in the configuration
    # is registered once.
    arn = arn_from_reference(
        "ecs",
        "task-definition",
        env,
        TaskDefinitionFamilyName=family if family is not None else Unknown("family is not set"),
        TaskDefinitionRevisionNumber="1",
    )
    without = arn.rsplit(":", 1)[0] if isinstance(arn, str) else arn
    return {"arn": arn, "arn_without_revision": without, "revision": 1, "id": family}


def _db_instance(address: str, values: Values, env: Env) -> dict[str, Any]:
    name = _value(values, "identifier")
    if name is None:
        prefix = _value(values, "identifier_prefix")
        if isinstance(prefix, Unknown):
            name = prefix
        else:
            name = f"{prefix if isinstance(prefix, str) else 'terraform-'}" + placeholder_digits(
                address, 26
            )
    arn = arn_from_reference("rds", "db", env, DbInstanceName=name)
    return {"arn": arn, "identifier": name, "resource_id": "db-" + placeholder_alnum(address, 26)}


def _ssm_parameter(address: str, values: Values, env: Env) -> dict[str, Any]:
    name = _value(values, "name")
    text = name.removeprefix("/") if isinstance(name, str) else name
    arn = arn_from_reference(
        "ssm", "parameter", env, ParameterNameWithoutLeadingSlash=text if text is not None else None
    )
    return {"arn": arn, "id": name}


def _access_key(address: str, values: Values, env: Env) -> dict[str, Any]:
    return {"id": "AKIA" + placeholder_alnum("access-key:" + address, 16)}


#: Terraform resource type -> how its after-apply identifiers are built.
_TERRAFORM: dict[str, _Rule] = {
    "aws_instance": _by_id("ec2", "instance", "InstanceId", "i"),
    "aws_spot_instance_request": _by_id(
        "ec2", "spot-instances-request", "SpotInstanceRequestId", "sir"
    ),
    "aws_launch_template": _by_id("ec2", "launch-template", "LaunchTemplateId", "lt"),
    "aws_security_group": _by_id("ec2", "security-group", "SecurityGroupId", "sg"),
    "aws_vpc": _by_id("ec2", "vpc", "VpcId", "vpc"),
    "aws_subnet": _by_id("ec2", "subnet", "SubnetId", "subnet"),
    "aws_ebs_volume": _by_id("ec2", "volume", "VolumeId", "vol"),
    "aws_efs_file_system": _by_id("elasticfilesystem", "file-system", "FileSystemId", "fs"),
    "aws_ecs_cluster": _by_name("ecs", "cluster", "ClusterName", id_is_arn=True),
    "aws_ecs_task_definition": _task_definition,
    "aws_glue_job": _by_name("glue", "job", "JobName"),
    "aws_glue_dev_endpoint": _by_name("glue", "devendpoint", "EndpointName"),
    "aws_sagemaker_notebook_instance": _notebook,
    "aws_cloudformation_stack": _stack,
    "aws_cloudformation_stack_set": _stack_set,
    "aws_codebuild_project": _by_name("codebuild", "project", "ProjectName", id_is_arn=True),
    "aws_sfn_state_machine": _by_name("states", "statemachine", "StateMachineName", id_is_arn=True),
    "aws_eks_cluster": _by_name("eks", "cluster", "ClusterName"),
    "aws_db_instance": _db_instance,
    "aws_ssm_parameter": _ssm_parameter,
    "aws_iam_access_key": _access_key,
}


def standin_attributes(rtype: str, address: str, values: Values, env: Env) -> dict[str, Any]:
    """The stand-ins for the after-apply attributes of a Terraform resource type (empty for a
    type without any). ``values`` are its configured values, read lazily."""
    rule = _TERRAFORM.get(rtype)
    return rule(address, values, env) if rule is not None else {}


# -- CloudFormation -------------------------------------------------------------------------------

#: A CloudFormation resource type -> (its name property, or None; how its ``Ref`` value and
#: ``Fn::GetAtt`` attributes are built from its name, a per-resource seed and its Env). The
#: name is the property's value, or the name CloudFormation generates.
_CfnRule = Callable[[Any, str, Env], dict[str, Any]]


def _cfn_by_id(kind: str, attribute: str) -> _CfnRule:
    def rule(name: Any, seed: str, env: Env) -> dict[str, Any]:
        ident = generated_id(kind, seed)
        return {"Ref": ident, attribute: ident}

    return rule


def _cfn_named(
    service: str, resource_type: str, variable: str, *, ref_is_arn: bool, name_attr: str = ""
) -> _CfnRule:
    def rule(name: Any, seed: str, env: Env) -> dict[str, Any]:
        arn = arn_from_reference(service, resource_type, env, **{variable: name})
        out = {"Ref": arn if ref_is_arn else name, "Arn": arn}
        if name_attr:
            out[name_attr] = name
        return out

    return rule


def _cfn_task_definition(name: Any, seed: str, env: Env) -> dict[str, Any]:
    arn = arn_from_reference(
        "ecs",
        "task-definition",
        env,
        TaskDefinitionFamilyName=name,
        TaskDefinitionRevisionNumber="1",
    )
    return {"Ref": arn, "TaskDefinitionArn": arn}


CFN_STANDINS: dict[str, tuple[str | None, _CfnRule]] = {
    "AWS::EC2::Instance": (None, _cfn_by_id("i", "InstanceId")),
    "AWS::EC2::LaunchTemplate": (None, _cfn_by_id("lt", "LaunchTemplateId")),
    "AWS::EC2::SecurityGroup": (None, _cfn_by_id("sg", "GroupId")),
    "AWS::EC2::VPC": (None, _cfn_by_id("vpc", "VpcId")),
    "AWS::EC2::Subnet": (None, _cfn_by_id("subnet", "SubnetId")),
    "AWS::ECS::TaskDefinition": ("Family", _cfn_task_definition),
    "AWS::ECS::Cluster": (
        "ClusterName",
        _cfn_named("ecs", "cluster", "ClusterName", ref_is_arn=False),
    ),
    "AWS::CodeBuild::Project": (
        "Name",
        _cfn_named("codebuild", "project", "ProjectName", ref_is_arn=False),
    ),
    "AWS::Glue::Job": ("Name", _cfn_named("glue", "job", "JobName", ref_is_arn=False)),
    "AWS::StepFunctions::StateMachine": (
        "StateMachineName",
        _cfn_named("states", "statemachine", "StateMachineName", ref_is_arn=True, name_attr="Name"),
    ),
    "AWS::SageMaker::NotebookInstance": (
        "NotebookInstanceName",
        _cfn_named(
            "sagemaker",
            "notebook-instance",
            "NotebookInstanceName",
            ref_is_arn=True,
            name_attr="NotebookInstanceName",
        ),
    ),
}


def standin_note(reference: str, value: Any, known: str = "known after apply") -> str:
    """The note that says a stand-in was used for ``reference`` (``aws_instance.web.arn``)."""
    return f"stand-in for {reference} ({known}): {value} is used in its place"
