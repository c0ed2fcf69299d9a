"""The AWS SAM transform (``AWS::Serverless-2016-10-31``), for the resources that carry IAM.

This module owns :func:`expand_sam`: each ``AWS::Serverless::Function`` becomes the
``AWS::Lambda::Function`` and the execution role ``<LogicalId>Role`` SAM generates for it, so that
the role's policies are checked and the function runs as it. What SAM puts in that role
(https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html#sam-function-policies):

- the trust policy for ``lambda.amazonaws.com`` (or ``AssumeRolePolicyDocument``);
- ``AWSLambdaBasicExecutionRole``, ``AWSXrayWriteOnlyAccess`` with ``Tracing: Active``,
  ``AWSLambdaVPCAccessExecutionRole`` with ``VpcConfig``, and the managed policy of each
  polling event source (SQS, Kinesis, DynamoDB, MSK);
- each entry of ``Policies``: an AWS managed policy name (its ARN from the bundled snapshot) or
  an ARN, a policy document (inline policy ``<LogicalId>RolePolicy<index>``), or a SAM policy
  template (its ``Definition``, parameters substituted, as that inline policy), as the
  translator does it (samtranslator ``role_constructor.py``, ``policy_templates_plugin.py``);
- ``PermissionsBoundary`` and ``RolePath``, from the function or ``Globals.Function``.

With ``Role`` set, SAM generates no role and ignores ``Policies``. The policy templates are
SAM's own (``iamsim/data/sam-policy-templates.json.gz``, from aws-sam-translator). Any other
``AWS::Serverless::*`` type (state machines, APIs, nested applications, ...) is not expanded: the
caller keeps treating the transform as unknown when one is present.
"""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from iamsim.catalog.managed_policies import managed_policy
from iamsim.errors import InputError

__all__ = ["SAM_TRANSFORM", "expand_sam"]

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
_FUNCTION = "AWS::Serverless::Function"
# Serverless types that generate no IAM role or policy (nothing to check is lost).
_NO_IAM = frozenset({"AWS::Serverless::LayerVersion", "AWS::Serverless::SimpleTable"})
_LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Action": ["sts:AssumeRole"],
            "Effect": "Allow",
            "Principal": {"Service": ["lambda.amazonaws.com"]},
        }
    ],
}
# Event sources that Lambda polls with the function's role: SAM attaches their managed policy.
_EVENT_POLICIES = {
    "SQS": "service-role/AWSLambdaSQSQueueExecutionRole",
    "Kinesis": "service-role/AWSLambdaKinesisExecutionRole",
    "DynamoDB": "service-role/AWSLambdaDynamoDBExecutionRole",
    "MSK": "service-role/AWSLambdaMSKExecutionRole",
}
# Event sources for which SAM writes statements into the role: not expanded here.
_EVENT_ROLE_STATEMENTS = frozenset({"MQ", "SelfManagedKafka", "DocumentDB"})
# Function properties with which SAM adds policies to the role or to other resources.
_UNEXPANDED_PROPERTIES = ("Connectors", "EventInvokeConfig")
_DLQ_ACTIONS = {"SQS": "sqs:SendMessage", "SNS": "sns:Publish"}


def _aws_policy_arn(path_and_name: str) -> dict[str, str]:
    return {"Fn::Sub": f"arn:${{AWS::Partition}}:iam::aws:policy/{path_and_name}"}


@cache
def _templates() -> Mapping[str, Any]:
    data = resources.files("iamsim.data").joinpath("sam-policy-templates.json.gz").read_bytes()
    templates = json.loads(gzip.decompress(data))["Templates"]
    assert isinstance(templates, dict)
    return templates


def expand_sam(
    doc: Mapping[str, Any], source: str
) -> tuple[dict[str, Any], list[str], dict[str, str]]:
    """``doc`` with each ``AWS::Serverless::Function`` replaced by what SAM generates for IAM;
    what is not expanded (other ``AWS::Serverless::*`` types, function properties with which
    SAM writes policies: sorted); and the functions whose resource-based policy SAM extends
    (an event source that invokes them, a function URL), each with why."""
    out = dict(doc)
    res = doc.get("Resources")
    if not isinstance(res, Mapping):
        return out, [], {}
    globals_ = doc.get("Globals")
    function_globals = globals_.get("Function") if isinstance(globals_, Mapping) else None
    defaults = function_globals if isinstance(function_globals, Mapping) else {}
    expanded: dict[str, Any] = {}
    others: set[str] = set()
    pushed: dict[str, str] = {}
    for logical, resource in res.items():
        rtype = resource.get("Type") if isinstance(resource, Mapping) else None
        if rtype == _FUNCTION:
            props = resource.get("Properties")
            props = {**defaults, **props} if isinstance(props, Mapping) else dict(defaults)
            others.update(f"{_FUNCTION} {p}" for p in _UNEXPANDED_PROPERTIES if p in props)
            for kind in _event_types(props):
                if kind in _EVENT_ROLE_STATEMENTS:
                    others.add(f"{_FUNCTION} {kind} event")
                elif kind not in _EVENT_POLICIES:
                    pushed[str(logical)] = (
                        f"SAM adds a Lambda permission for its {kind} event, which is not expanded"
                    )
            if "FunctionUrlConfig" in props:
                pushed[str(logical)] = "SAM adds a Lambda permission for its function URL"
            expanded.update(_function(str(logical), resource, defaults, source))
            continue
        if isinstance(rtype, str) and rtype.startswith("AWS::Serverless::"):
            if rtype not in _NO_IAM:
                others.add(rtype)
            continue
        expanded[logical] = resource
    out["Resources"] = expanded
    return out, sorted(others), pushed


def _event_types(props: Mapping[str, Any]) -> list[str]:
    events = props.get("Events")
    if not isinstance(events, Mapping):
        return []
    kinds = [e.get("Type") for e in events.values() if isinstance(e, Mapping)]
    return [k for k in kinds if isinstance(k, str)]


def _function(
    logical: str, resource: Mapping[str, Any], defaults: Mapping[str, Any], source: str
) -> dict[str, Any]:
    props_in = resource.get("Properties") or {}
    if not isinstance(props_in, Mapping):
        raise InputError(
            "Properties must be a mapping", path=f"/Resources/{logical}/Properties", source=source
        )
    props = {**defaults, **props_in}
    attributes = {k: v for k, v in resource.items() if k in ("Condition", "DependsOn")}
    function_props: dict[str, Any] = {}
    if "FunctionName" in props:
        function_props["FunctionName"] = props["FunctionName"]
    role_id = f"{logical}Role"
    if "Role" in props:
        function_props["Role"] = props["Role"]
        return {logical: {"Type": "AWS::Lambda::Function", "Properties": function_props}}
    function_props["Role"] = {"Fn::GetAtt": [role_id, "Arn"]}
    managed: list[Any] = [_aws_policy_arn("service-role/AWSLambdaBasicExecutionRole")]
    if props.get("Tracing") == "Active":
        managed.append(_aws_policy_arn("AWSXrayWriteOnlyAccess"))
    if "VpcConfig" in props:
        managed.append(_aws_policy_arn("service-role/AWSLambdaVPCAccessExecutionRole"))
    for kind in _event_types(props):
        if kind in _EVENT_POLICIES:
            managed.append(_aws_policy_arn(_EVENT_POLICIES[kind]))
    inline: list[Any] = []
    policies = props.get("Policies")
    if policies is not None and not isinstance(policies, list):
        policies = [policies]
    where = f"/Resources/{logical}/Properties/Policies"
    for index, entry in enumerate(policies or ()):
        name = f"{role_id}Policy{index}"
        if isinstance(entry, str):
            managed.append(_managed_arn(entry))
        elif isinstance(entry, Mapping) and "Fn::If" in entry:
            inline_or_managed = _if_entry(entry, name, f"{where}/{index}", source)
            (inline if inline_or_managed[0] else managed).append(inline_or_managed[1])
        elif isinstance(entry, Mapping) and "Statement" in entry:
            inline.append({"PolicyName": name, "PolicyDocument": entry})
        elif isinstance(entry, Mapping) and len(entry) == 1 and not _intrinsic(entry):
            inline.append(
                {
                    "PolicyName": name,
                    "PolicyDocument": _template(entry, f"{where}/{index}", source),
                }
            )
        elif isinstance(entry, Mapping) and _intrinsic(entry):
            managed.append(entry)  # Ref/Sub/GetAtt/ImportValue: a managed policy ARN
        else:
            raise InputError(
                "a SAM policy is a managed policy name or ARN, a policy document or a policy "
                "template",
                path=f"{where}/{index}",
                source=source,
            )
    role_props: dict[str, Any] = {
        "AssumeRolePolicyDocument": props.get("AssumeRolePolicyDocument", _LAMBDA_TRUST),
        "ManagedPolicyArns": list({json.dumps(m, sort_keys=True): m for m in managed}.values()),
    }
    dlq = props.get("DeadLetterQueue")
    if isinstance(dlq, Mapping) and dlq.get("Type") in _DLQ_ACTIONS:
        statement = {
            "Action": _DLQ_ACTIONS[dlq["Type"]],
            "Resource": dlq.get("TargetArn"),
            "Effect": "Allow",
        }
        document = {"Version": "2012-10-17", "Statement": [statement]}
        inline.append({"PolicyName": "DeadLetterQueuePolicy", "PolicyDocument": document})
    if inline:
        role_props["Policies"] = inline
    if "PermissionsBoundary" in props:
        role_props["PermissionsBoundary"] = props["PermissionsBoundary"]
    if "RolePath" in props:
        role_props["Path"] = props["RolePath"]
    return {
        role_id: {"Type": "AWS::IAM::Role", "Properties": role_props, **attributes},
        logical: {
            "Type": "AWS::Lambda::Function",
            "Properties": function_props,
            **attributes,
        },
    }


def _intrinsic(entry: Mapping[str, Any]) -> bool:
    return len(entry) == 1 and next(iter(entry)) in (
        "Ref",
        "Fn::Sub",
        "Fn::GetAtt",
        "Fn::ImportValue",
        "Fn::Join",
        "Fn::FindInMap",
    )


def _managed_arn(name: str) -> Any:
    """SAM's reading of a string in ``Policies``: an AWS managed policy name (exactly as AWS
    spells it) becomes its ARN; anything else is taken as an ARN."""
    if name.startswith("arn:"):
        return name
    found = managed_policy(name)
    if found is not None and found.name == name:
        return _aws_policy_arn(found.path.lstrip("/") + found.name)
    return name


def _if_entry(entry: Mapping[str, Any], name: str, where: str, source: str) -> tuple[bool, Any]:
    """An ``Fn::If`` entry of ``Policies``: inline (documents in its branches, each given the
    policy name) or managed (names in its branches)."""
    args = entry["Fn::If"]
    if not (isinstance(args, list) and len(args) == 3):
        raise InputError("Fn::If takes [condition, value, value]", path=where, source=source)
    branches = args[1:]

    def is_no_value(value: Any) -> bool:
        return isinstance(value, Mapping) and value.get("Ref") == "AWS::NoValue"

    if any(isinstance(b, Mapping) and "Statement" in b for b in branches):
        wrapped = [
            b if is_no_value(b) else {"PolicyName": name, "PolicyDocument": b} for b in branches
        ]
        return True, {"Fn::If": [args[0], *wrapped]}
    converted = [_managed_arn(b) if isinstance(b, str) else b for b in branches]
    return False, {"Fn::If": [args[0], *converted]}


def _template(entry: Mapping[str, Any], where: str, source: str) -> Any:
    """The policy document of a SAM policy template entry ``{Name: {Param: value}}``."""
    template_name, values = next(iter(entry.items()))
    template = _templates().get(str(template_name))
    if template is None:
        raise InputError(
            f"{template_name!r} is not a SAM policy template (nor a policy document)",
            path=where,
            source=source,
        )
    values = values if isinstance(values, Mapping) else {}
    wanted = template.get("Parameters") or {}
    missing = [p for p in wanted if p not in values]
    if missing:
        raise InputError(
            f"the SAM policy template {template_name} needs {', '.join(missing)}",
            path=f"{where}/{template_name}",
            source=source,
        )
    # SAM substitutes {"Ref": Param} of the template's own parameters only.
    return _substitute(copy.deepcopy(template["Definition"]), {p: values[p] for p in wanted})


def _substitute(value: Any, values: Mapping[str, Any]) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get("Ref"), str) and value["Ref"] in values:
            return values[value["Ref"]]
        return {k: _substitute(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, values) for v in value]
    return value
