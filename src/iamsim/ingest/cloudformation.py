"""CloudFormation templates (JSON, or YAML with the short-form ``!Ref``/``!Sub``/... tags) into
the world model.

This module owns the template language: reading (the YAML short forms become their
``Fn::``-mapping equivalents; YAML integers with a leading zero stay strings, so account IDs
survive), parameters (their ``Default`` or the caller's ``parameters=``), ``Mappings``,
``Conditions`` (resources whose condition is false are skipped), the intrinsic functions
(``Ref``, ``Fn::GetAtt``, ``Fn::Sub``, ``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::If``,
``Fn::FindInMap``, ``Fn::Equals``/``And``/``Or``/``Not``, ``Fn::Base64``, ``Fn::ToJsonString``,
``Fn::Length``), pseudo parameters, and the resource types that carry IAM state:
``AWS::IAM::User``/``Group``/``Role``/``Policy``/``ManagedPolicy``/``UserToGroupAddition``/
``RolePolicy``/``UserPolicy``/``GroupPolicy``/``InstanceProfile``, ``AWS::S3::Bucket``/
``BucketPolicy``, ``AWS::KMS::Key``, ``AWS::SQS::QueuePolicy`` and ``AWS::SNS::TopicPolicy``.
The model itself is filled through :class:`~iamsim.ingest.terraform_common.WorldBuilder`.

Physical names CloudFormation generates (a resource without ``RoleName``, ``BucketName``, ...)
follow CloudFormation's pattern ``{stack name}-{logical ID}-{suffix}``; the suffix is 12
characters derived from the stack name and logical ID (CloudFormation's is random), so loads
are reproducible. The stack name is the ``stack_name=`` argument, else the template's file
name without extension. S3 bucket names are lower-cased, as CloudFormation does.

What cannot be resolved offline (``Fn::ImportValue``, ``Fn::GetAZs``, a parameter without a
default, an attribute CloudFormation only knows after creation) is an
:class:`~iamsim.ingest.terraform_common.Unknown`; whatever depends on it is reported in
``World.notes``, not guessed.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from iamsim.errors import InputError
from iamsim.ingest._io import InputFile, close_match, load_json, load_yaml
from iamsim.ingest.detect import InputFormat
from iamsim.ingest.terraform_common import (
    DEFAULT_PARTITION,
    PLACEHOLDER_ACCOUNT,
    PLACEHOLDER_REGION,
    Unknown,
    Warnings,
    WorldBuilder,
    checked_policy,
    default_kms_key_policy,
    dns_suffix,
    find_unknown,
    partition_of_region,
    placeholder_alnum,
    placeholder_uuid,
)
from iamsim.model import World, is_account_id
from iamsim.policy.model import PolicyType

__all__ = [
    "FORMATS",
    "detect",
    "load",
    "load_cloudformation",
    "parse_template",
    "read_cloudformation",
]

# -- reading -----------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe YAML plus CloudFormation's short-form intrinsic tags.

    Integers are only plain decimal numbers without a leading zero: YAML 1.1 would read
    ``012345678901`` as octal and change an account ID.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:int"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)

_SHORT_FORMS = {
    "Ref": "Ref",
    "Condition": "Condition",
    **{
        name: f"Fn::{name}"
        for name in (
            "And",
            "Base64",
            "Cidr",
            "Equals",
            "FindInMap",
            "GetAtt",
            "GetAZs",
            "If",
            "ImportValue",
            "Join",
            "Length",
            "Not",
            "Or",
            "Select",
            "Split",
            "Sub",
            "ToJsonString",
            "Transform",
        )
    },
}


def _construct(full_name: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if full_name == "Fn::GetAtt" and isinstance(value, str):
                # !GetAtt Logical.Attr.Sub -> ["Logical", "Attr.Sub"]
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {full_name: value}

    return construct


for _short, _full in _SHORT_FORMS.items():
    _Loader.add_constructor(f"!{_short}", _construct(_full))


def parse_template(text: str, source: str) -> Any:
    """Parse template text (JSON when it starts like JSON, else YAML with short forms).

    A key given twice in one mapping (CloudFormation rejects it too) and absurdly deep nesting
    are errors located by JSON pointer.
    """
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        try:
            return load_json(stripped)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"invalid JSON: {exc.msg}",
                path=f"line {exc.lineno}, column {exc.colno}",
                source=source,
            ) from None
        except InputError as exc:
            raise exc.located(source=source) from None
    try:
        return load_yaml(text, _Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"invalid YAML: {problem}", path=where, source=source) from None
    except InputError as exc:
        raise exc.located(source=source) from None


def _looks_like_template(doc: Any) -> bool:
    if not isinstance(doc, Mapping):
        return False
    resources = doc.get("Resources")
    if not isinstance(resources, Mapping):
        return False
    if "AWSTemplateFormatVersion" in doc:
        return True
    return any(
        isinstance(r, Mapping)
        and isinstance(r.get("Type"), str)
        and r["Type"].startswith(("AWS::", "Custom::", "Alexa::"))
        for r in resources.values()
    )


def detect(source: InputFile | str | os.PathLike[str]) -> bool:
    """True when ``source`` is a CloudFormation template: a mapping with ``Resources`` whose
    entries have ``Type: AWS::...`` (or with ``AWSTemplateFormatVersion``).

    ``source`` is an :class:`~iamsim.ingest.InputFile` (as the format registry passes it), a
    path, or the template text.
    """
    if isinstance(source, InputFile):
        if source.is_dir:
            return False
        try:
            text = source.text
        except InputError:
            return False
        label = source.source
    else:
        text = str(source)
        label = "template"
        if "\n" not in text and not text.lstrip().startswith("{"):
            path = Path(source)
            try:
                if not path.is_file():
                    return False
                text = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                return False
            label = str(path)
    if "Resources" not in text:
        return False
    try:
        return _looks_like_template(parse_template(text, label))
    except InputError:
        return False


def load(file: InputFile) -> World:
    """The format registry's entry point (see :func:`load_cloudformation`)."""
    return load_cloudformation(file.path, source=file.source)


FORMATS = (
    InputFormat(
        name="cloudformation",
        description="a CloudFormation template (JSON, or YAML with !Ref-style short forms)",
        detect=detect,
        load=load,
    ),
)


# -- evaluation ---------------------------------------------------------------------------------------

_NO_VALUE = object()  # AWS::NoValue: the property is removed


def _is_intrinsic(value: Any) -> str | None:
    if isinstance(value, Mapping) and len(value) == 1:
        key = next(iter(value))
        if key == "Ref" or key == "Condition" or (isinstance(key, str) and key.startswith("Fn::")):
            return str(key)
    return None


# Ref and Fn::GetAtt of the resource types we know: how CloudFormation computes them.
_NAME_PROPERTY = {
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::ECR::Repository": "RepositoryName",
    "AWS::KMS::Alias": "AliasName",
    "AWS::Logs::LogGroup": "LogGroupName",
}
# CloudFormation's name length limits for generated names.
_NAME_LIMITS = {
    "AWS::IAM::Role": 64,
    "AWS::IAM::User": 64,
    "AWS::IAM::Group": 128,
    "AWS::IAM::ManagedPolicy": 128,
    "AWS::S3::Bucket": 63,
    "AWS::SQS::Queue": 80,
    "AWS::SNS::Topic": 256,
    "AWS::Lambda::Function": 64,
}


class _Template:
    def __init__(
        self,
        doc: Mapping[str, Any],
        source: str,
        warnings: Warnings,
        *,
        account: str | None,
        region: str | None,
        partition: str | None,
        stack_name: str,
        parameters: Mapping[str, Any],
    ) -> None:
        self.doc = doc
        self.source = source
        self.warnings = warnings
        self.account = account or PLACEHOLDER_ACCOUNT
        self.region = region or PLACEHOLDER_REGION
        self.partition = partition or partition_of_region(region)
        self.account_is_placeholder = account is None
        self.region_is_placeholder = region is None
        self.region_used = False
        self.stack_name = stack_name
        self.resources: Mapping[str, Any] = self._section("Resources", required=True)
        self.mappings = self._section("Mappings")
        self.conditions_src = self._section("Conditions")
        self.param_decls = self._section("Parameters")
        self.params: dict[str, Any] = {}
        for name, decl in self.param_decls.items():
            if not isinstance(decl, Mapping):
                raise InputError(
                    "a parameter must be a mapping", path=f"/Parameters/{name}", source=source
                )
            if name in parameters:
                value: Any = parameters[name]
            elif "Default" in decl:
                value = decl["Default"]
            else:
                value = Unknown(f"parameter {name} has no default (pass it with parameters=...)")
            ptype = str(decl.get("Type", "String"))
            if isinstance(value, str) and (
                ptype.startswith("List<") or ptype == "CommaDelimitedList"
            ):
                value = [v.strip() for v in value.split(",")] if value else []
            if ptype.startswith("AWS::SSM::Parameter::Value") and name not in parameters:
                value = Unknown(
                    f"parameter {name} is read from SSM Parameter Store when the "
                    "stack is deployed (pass it with parameters=...)"
                )
            if isinstance(value, int | float) and not isinstance(value, bool):
                value = str(value)
            self.params[name] = value
        for name in parameters:
            if name not in self.param_decls:
                raise InputError(f"the template declares no parameter {name!r}", source=source)
        self._conditions: dict[str, Any] = {}
        self._names: dict[str, Any] = {}
        # (logical ID, property) being evaluated to name a resource: a reference back to one
        # of them is a cycle, which CloudFormation rejects too.
        self._resolving: list[tuple[str, str]] = []

    def _section(self, name: str, *, required: bool = False) -> Mapping[str, Any]:
        value = self.doc.get(name)
        if value is None:
            if required:
                raise InputError(f"the template has no {name} section", source=self.source)
            return {}
        if not isinstance(value, Mapping):
            raise InputError(f"{name} must be a mapping", path=f"/{name}", source=self.source)
        return value

    def error(self, reason: str, path: str) -> InputError:
        return InputError(reason, path=path, source=self.source)

    # -- conditions

    def condition(self, name: str, path: str) -> Any:
        if name in self._conditions:
            value = self._conditions[name]
            if value is _NO_VALUE:
                raise self.error(f"condition {name!r} refers to itself", path)
            return value
        if name not in self.conditions_src:
            raise self.error(f"condition {name!r} is not defined", path)
        self._conditions[name] = _NO_VALUE
        value = self.ev(self.conditions_src[name], f"/Conditions/{name}")
        if not isinstance(value, bool | Unknown):
            raise self.error(f"condition {name!r} is not a boolean", f"/Conditions/{name}")
        self._conditions[name] = value
        return value

    # -- names and attributes of resources

    def _generated(self, logical: str, rtype: str) -> str:
        suffix = placeholder_alnum(f"{self.stack_name}/{logical}", 12)
        limit = _NAME_LIMITS.get(rtype, 128)
        stack, lid = self.stack_name, logical
        # CloudFormation shortens the stack name and logical ID parts to fit the limit.
        room = limit - len(suffix) - 2
        if len(stack) + len(lid) > room:
            stack = stack[: max(room // 2, room - len(lid))]
            lid = lid[: room - len(stack)]
        name = f"{stack}-{lid}-{suffix}"
        return name.lower() if rtype == "AWS::S3::Bucket" else name

    def _property(self, logical: str, prop: Any) -> Any:
        """Evaluate property ``prop`` of resource ``logical``; a property that needs itself
        (through other resources' names and ARNs) is a circular reference."""
        key = (logical, str(prop))
        path = f"/Resources/{logical}/Properties/{prop}"
        if key in self._resolving:
            chain = [name for name, _ in self._resolving[self._resolving.index(key) :]]
            raise self.error(f"circular reference {' -> '.join([*chain, logical])}", path)
        self._resolving.append(key)
        try:
            return self.ev(self.resources[logical]["Properties"][prop], path)
        finally:
            self._resolving.pop()

    def physical_name(self, logical: str) -> Any:
        if logical in self._names:
            return self._names[logical]
        res = self.resources[logical]
        rtype = str(res.get("Type"))
        prop = _NAME_PROPERTY.get(rtype)
        props = res.get("Properties") or {}
        value: Any = None
        if prop is not None and isinstance(props, Mapping) and props.get(prop) is not None:
            value = self._property(logical, prop)
        if value is None or value is _NO_VALUE:
            if rtype == "AWS::SQS::Queue" and isinstance(props, Mapping) and props.get("FifoQueue"):
                value = self._generated(logical, rtype)[:75] + ".fifo"
            else:
                value = self._generated(logical, rtype)
        self._names[logical] = value
        return value

    def _path_of(self, logical: str) -> Any:
        props = self.resources[logical].get("Properties") or {}
        path = props.get("Path") if isinstance(props, Mapping) else None
        return "/" if path is None else self._property(logical, "Path")

    def _regional(self, service: str, resource: Any) -> Any:
        self.region_used = True
        if isinstance(resource, Unknown):
            return resource
        return f"arn:{self.partition}:{service}:{self.region}:{self.account}:{resource}"

    def _iam_arn(self, kind: str, logical: str) -> Any:
        name, path = self.physical_name(logical), self._path_of(logical)
        for part in (name, path):
            if isinstance(part, Unknown):
                return part
        return f"arn:{self.partition}:iam::{self.account}:{kind}{path}{name}"

    def ref(self, logical: str, path: str) -> Any:
        res = self.resources[logical]
        rtype = str(res.get("Type"))
        if rtype == "AWS::IAM::ManagedPolicy":
            return self._iam_arn("policy", logical)
        if rtype == "AWS::KMS::Key":
            return placeholder_uuid(f"{self.stack_name}/{logical}")
        if rtype == "AWS::SQS::Queue":
            self.region_used = True
            name = self.physical_name(logical)
            if isinstance(name, Unknown):
                return name
            return f"https://sqs.{self.region}.{dns_suffix(self.partition)}/{self.account}/{name}"
        if rtype == "AWS::SNS::Topic":
            return self._regional("sns", self.physical_name(logical))
        if rtype == "AWS::SecretsManager::Secret":
            return self.get_att(logical, "Id", path)
        if rtype in _NAME_PROPERTY:
            return self.physical_name(logical)
        return Unknown(f"the physical ID of {logical} ({rtype}) is assigned by CloudFormation")

    def get_att(self, logical: str, attr: str, path: str) -> Any:
        res = self.resources[logical]
        rtype = str(res.get("Type"))
        name = self.physical_name(logical) if rtype in _NAME_PROPERTY else None
        seed = f"{self.stack_name}/{logical}"
        table: dict[tuple[str, str], Any] = {
            ("AWS::IAM::Role", "Arn"): lambda: self._iam_arn("role", logical),
            ("AWS::IAM::Role", "RoleId"): lambda: "AROA" + placeholder_alnum(seed, 17),
            ("AWS::IAM::User", "Arn"): lambda: self._iam_arn("user", logical),
            ("AWS::IAM::Group", "Arn"): lambda: self._iam_arn("group", logical),
            ("AWS::IAM::InstanceProfile", "Arn"): lambda: self._iam_arn(
                "instance-profile", logical
            ),
            ("AWS::IAM::ManagedPolicy", "PolicyArn"): lambda: self._iam_arn("policy", logical),
            ("AWS::S3::Bucket", "Arn"): lambda: _join(f"arn:{self.partition}:s3:::", name),
            ("AWS::S3::Bucket", "DomainName"): lambda: _join(
                name, f".s3.{dns_suffix(self.partition)}"
            ),
            ("AWS::KMS::Key", "Arn"): lambda: self._regional(
                "kms", "key/" + placeholder_uuid(seed)
            ),
            ("AWS::KMS::Key", "KeyId"): lambda: placeholder_uuid(seed),
            ("AWS::SQS::Queue", "Arn"): lambda: self._regional("sqs", name),
            ("AWS::SQS::Queue", "QueueName"): lambda: name,
            ("AWS::SQS::Queue", "QueueUrl"): lambda: self.ref(logical, path),
            ("AWS::SNS::Topic", "TopicArn"): lambda: self._regional("sns", name),
            ("AWS::SNS::Topic", "TopicName"): lambda: name,
            ("AWS::Lambda::Function", "Arn"): lambda: self._regional(
                "lambda", _join("function:", name)
            ),
            ("AWS::SecretsManager::Secret", "Id"): lambda: self._regional(
                "secretsmanager",
                _join("secret:", name, "-", placeholder_alnum(seed, 6, upper=False)),
            ),
            ("AWS::DynamoDB::Table", "Arn"): lambda: self._regional(
                "dynamodb", _join("table/", name)
            ),
            ("AWS::ECR::Repository", "Arn"): lambda: self._regional(
                "ecr", _join("repository/", name)
            ),
            ("AWS::Logs::LogGroup", "Arn"): lambda: self._regional(
                "logs", _join("log-group:", name, ":*")
            ),
        }
        getter = table.get((rtype, attr))
        if getter is None:
            return Unknown(f"{logical}.{attr} ({rtype}) is known only after the stack is created")
        return getter()

    # -- intrinsic functions

    def ev(self, value: Any, path: str) -> Any:
        """Evaluate intrinsics in ``value`` (found at JSON pointer ``path``)."""
        fn = _is_intrinsic(value)
        if fn is not None:
            return self.intrinsic(fn, value[fn], f"{path}/{fn}")
        if isinstance(value, Mapping):
            out: dict[str, Any] = {}
            for k, v in value.items():
                item = self.ev(v, f"{path}/{k}")
                if item is not _NO_VALUE:
                    out[str(k)] = item
            return out
        if isinstance(value, list):
            items = [self.ev(v, f"{path}/{i}") for i, v in enumerate(value)]
            return [i for i in items if i is not _NO_VALUE]
        return value

    def _args(self, value: Any, n: int | tuple[int, ...], fn: str, path: str) -> list[Any]:
        counts = (n,) if isinstance(n, int) else n
        if not isinstance(value, list) or len(value) not in counts:
            raise self.error(
                f"{fn} takes a list of {' or '.join(map(str, counts))} arguments", path
            )
        return value

    def intrinsic(self, fn: str, arg: Any, path: str) -> Any:
        if fn == "Ref":
            if not isinstance(arg, str):
                raise self.error("Ref takes a name", path)
            return self.ref_name(arg, path)
        if fn == "Condition":
            if not isinstance(arg, str):
                raise self.error("Condition takes a condition name", path)
            return self.condition(arg, path)
        if fn == "Fn::GetAtt":
            if isinstance(arg, str):
                arg = arg.split(".", 1)
            parts = self._args(arg, 2, fn, path)
            logical, attr = self.ev(parts[0], path), self.ev(parts[1], path)
            if not isinstance(logical, str) or logical not in self.resources:
                raise self.error(f"Fn::GetAtt names an unknown resource {logical!r}", path)
            if not isinstance(attr, str):
                return attr if isinstance(attr, Unknown) else Unknown("a computed attribute name")
            return self.get_att(logical, attr, path)
        if fn == "Fn::Sub":
            return self.sub(arg, path)
        if fn == "Fn::Join":
            sep, items = self._args(arg, 2, fn, path)
            sep, items = self.ev(sep, path), self.ev(items, path)
            unknown = find_unknown([sep, items])
            if unknown is not None:
                return unknown
            if (
                not isinstance(items, list)
                or not isinstance(sep, str)
                or not all(_is_scalar(i) for i in items)
            ):
                raise self.error("Fn::Join takes a delimiter and a list of strings", path)
            return sep.join(_text(i) for i in items)
        if fn == "Fn::Select":
            index, items = (self.ev(a, path) for a in self._args(arg, 2, fn, path))
            unknown = find_unknown([index, items])
            if unknown is not None:
                return unknown
            if not isinstance(items, list) or not str(index).isdigit() or int(index) >= len(items):
                raise self.error("Fn::Select index is out of range", path)
            return items[int(index)]
        if fn == "Fn::Split":
            sep, text = (self.ev(a, path) for a in self._args(arg, 2, fn, path))
            unknown = find_unknown([sep, text])
            if unknown is not None:
                return unknown
            if not isinstance(sep, str) or not sep or not isinstance(text, str):
                raise self.error("Fn::Split takes a delimiter and a string", path)
            return text.split(sep)
        if fn == "Fn::If":
            name, then, other = self._args(arg, 3, fn, path)
            cond = self.condition(name, path) if isinstance(name, str) else None
            if cond is None:
                raise self.error("Fn::If takes a condition name", path)
            if isinstance(cond, Unknown):
                return cond
            return self.ev(then if cond else other, path)
        if fn == "Fn::Equals":
            a, b = (self.ev(x, path) for x in self._args(arg, 2, fn, path))
            unknown = find_unknown([a, b])
            return unknown if unknown is not None else _text(a) == _text(b)
        if fn in ("Fn::And", "Fn::Or"):
            if not isinstance(arg, list) or not 2 <= len(arg) <= 10:
                raise self.error(f"{fn} takes 2 to 10 conditions", path)
            values = [self.ev(a, path) for a in arg]
            unknown = find_unknown(values)
            if unknown is not None:
                return unknown
            if not all(isinstance(v, bool) for v in values):
                raise self.error(f"{fn} takes conditions (true or false values)", path)
            return all(values) if fn == "Fn::And" else any(values)
        if fn == "Fn::Not":
            (value,) = (self.ev(x, path) for x in self._args(arg, 1, fn, path))
            if isinstance(value, Unknown):
                return value
            if not isinstance(value, bool):
                raise self.error("Fn::Not takes a condition (a true or false value)", path)
            return not value
        if fn == "Fn::FindInMap":
            args = [self.ev(a, path) for a in self._args(arg, (3, 4), fn, path)]
            unknown = find_unknown(args)
            if unknown is not None:
                return unknown
            top = self.mappings.get(str(args[0]))
            second = top.get(str(args[1])) if isinstance(top, Mapping) else None
            if not isinstance(second, Mapping) or str(args[2]) not in second:
                if len(args) == 4 and isinstance(args[3], Mapping) and "DefaultValue" in args[3]:
                    return args[3]["DefaultValue"]
                raise self.error(
                    f"Fn::FindInMap: no {args[0]}/{args[1]}/{args[2]} in Mappings", path
                )
            return second[str(args[2])]
        if fn == "Fn::Base64":
            value = self.ev(arg, path)
            if isinstance(value, Unknown):
                return value
            if not _is_scalar(value):
                raise self.error("Fn::Base64 takes a string", path)
            return base64.b64encode(_text(value).encode()).decode()
        if fn == "Fn::ToJsonString":
            value = self.ev(arg, path)
            unknown = find_unknown(value)
            return unknown if unknown is not None else json.dumps(value, separators=(",", ":"))
        if fn == "Fn::Length":
            value = self.ev(arg, path)
            if isinstance(value, Unknown):
                return value
            if not isinstance(value, list):
                raise self.error("Fn::Length takes a list", path)
            return len(value)
        if fn == "Fn::ImportValue":
            return Unknown(f"{path}: Fn::ImportValue reads another stack's export")
        if fn == "Fn::GetAZs":
            return Unknown(f"{path}: Fn::GetAZs depends on the account and region")
        if fn in _OFFLINE_UNSUPPORTED:
            return Unknown(f"{path}: {fn} is not supported offline")
        suggestion = close_match(fn, _INTRINSICS)
        hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
        raise self.error(f"unknown intrinsic function {fn!r}{hint}", path)

    def ref_name(self, name: str, path: str) -> Any:
        if name == "AWS::AccountId":
            return self.account
        if name == "AWS::Partition":
            return self.partition
        if name == "AWS::Region":
            self.region_used = True
            return self.region
        if name == "AWS::URLSuffix":
            return dns_suffix(self.partition)
        if name == "AWS::StackName":
            return self.stack_name
        if name == "AWS::StackId":
            self.region_used = True
            stack_uuid = placeholder_uuid(f"stack/{self.stack_name}")
            return f"arn:{self.partition}:cloudformation:{self.region}:{self.account}:stack/{self.stack_name}/{stack_uuid}"
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name == "AWS::NotificationARNs":
            return []
        if name in self.params:
            return self.params[name]
        if name in self.resources:
            return self.ref(name, path)
        raise self.error(
            f"Ref to {name!r}, which is not a parameter, resource or pseudo parameter", path
        )

    def sub(self, arg: Any, path: str) -> Any:
        if isinstance(arg, list):
            text, variables = self._args(arg, 2, "Fn::Sub", path)
            if not isinstance(variables, Mapping):
                raise self.error("Fn::Sub variables must be a mapping", path)
        else:
            text, variables = arg, {}
        if not isinstance(text, str):
            raise self.error("Fn::Sub takes a string", path)
        out: list[str] = []
        i = 0
        while i < len(text):
            start = text.find("${", i)
            if start < 0:
                out.append(text[i:])
                break
            out.append(text[i:start])
            end = text.find("}", start)
            if end < 0:
                out.append(text[start:])
                break
            name = text[start + 2 : end]
            i = end + 1
            if name.startswith("!"):
                out.append("${" + name[1:] + "}")  # ${!Literal} is the literal ${Literal}
                continue
            if name in variables:
                value = self.ev(variables[name], path)
            elif "." in name and name.split(".", 1)[0] in self.resources:
                logical, attr = name.split(".", 1)
                value = self.get_att(logical, attr, path)
            elif name in self.params or name in self.resources or name.startswith("AWS::"):
                value = self.ref_name(name, path)
            else:
                raise self.error(
                    f"Fn::Sub: ${{{name}}} names no parameter, resource or attribute (an IAM "
                    f"policy variable is written ${{!{name}}} inside Fn::Sub)",
                    path,
                )
            if isinstance(value, Unknown):
                return value
            if not _is_scalar(value):
                raise self.error(f"Fn::Sub: ${{{name}}} is not a string", path)
            out.append(_text(value))
        return "".join(out)


# CloudFormation's intrinsic functions (the condition functions included). Those evaluated
# here are handled in _Template.intrinsic; the others make a value unknown; any other Fn::
# name is an error (CloudFormation rejects the template).
_INTRINSICS = (
    "Ref",
    "Condition",
    "Fn::And",
    "Fn::Base64",
    "Fn::Cidr",
    "Fn::Equals",
    "Fn::FindInMap",
    "Fn::GetAtt",
    "Fn::GetAZs",
    "Fn::If",
    "Fn::ImportValue",
    "Fn::Join",
    "Fn::Length",
    "Fn::Not",
    "Fn::Or",
    "Fn::Select",
    "Fn::Split",
    "Fn::Sub",
    "Fn::ToJsonString",
    "Fn::Transform",
)
_OFFLINE_UNSUPPORTED = frozenset({"Fn::Cidr", "Fn::Transform"})


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _join(*parts: Any) -> Any:
    for p in parts:
        if isinstance(p, Unknown):
            return p
    return "".join(str(p) for p in parts)


# -- mapping onto the model ----------------------------------------------------------------------------


class _Mapper:
    def __init__(self, t: _Template, builder: WorldBuilder) -> None:
        self.t = t
        self.b = builder

    def where(self, logical: str) -> str:
        return f"/Resources/{logical}"

    def props(self, logical: str) -> dict[str, Any] | None:
        """The evaluated properties (None, reported, when they are unknown as a whole)."""
        res = self.t.resources[logical]
        props = res.get("Properties")
        path = f"{self.where(logical)}/Properties"
        if props is None:
            props = {}
        if not isinstance(props, Mapping):
            raise self.t.error("Properties must be a mapping", path)
        if _is_intrinsic(props) is not None:
            value = self.t.ev(props, path)
            if isinstance(value, Unknown):
                self.b.warn(
                    self.t.source,
                    logical,
                    f"the properties are unknown ({value.reason}); the resource is not modeled",
                )
                return None
            if not isinstance(value, dict):
                raise self.t.error("Properties must be a mapping", path)
            return value
        out: dict[str, Any] = {}
        for key in props:
            # Each property through the cycle guard: A's RoleName naming B whose RoleName
            # names A is reported as a circular reference, not a stack overflow.
            item = self.t._property(logical, key)
            if item is not _NO_VALUE:
                out[str(key)] = item
        return out

    def text(self, logical: str, props: Mapping[str, Any], key: str, *, what: str) -> str | None:
        value = props.get(key)
        if value is None:
            return None
        if isinstance(value, Unknown):
            self.b.warn(
                self.t.source, logical, f"{key} is unknown ({value.reason}); {what} is not modeled"
            )
            return None
        if isinstance(value, Mapping | list):
            raise self.t.error(f"{key} must be a string", f"{self.where(logical)}/Properties/{key}")
        return _text(value)

    def texts(self, logical: str, props: Mapping[str, Any], key: str) -> list[str]:
        value = props.get(key)
        if value is None:
            return []
        if isinstance(value, Unknown):
            self.b.warn(self.t.source, logical, f"{key} is unknown ({value.reason}); ignored")
            return []
        if not isinstance(value, list):
            raise self.t.error(f"{key} must be a list", f"{self.where(logical)}/Properties/{key}")
        out = []
        for item in value:
            if isinstance(item, Unknown):
                self.b.warn(
                    self.t.source,
                    logical,
                    f"an element of {key} is unknown ({item.reason}); it is left out",
                )
            else:
                out.append(_text(item))
        return out

    def policy(
        self, logical: str, document: Any, ptype: PolicyType, *, name: str | None, key: str
    ) -> Any:
        if document is None:
            return None
        unknown = find_unknown(document)
        if unknown is not None:
            self.b.warn(
                self.t.source,
                logical,
                f"{key} is unknown ({unknown.reason}); the policy is not loaded",
            )
            return None
        return checked_policy(
            self.b,
            document,
            ptype,
            name=name,
            source=self.t.source,
            address=logical,
            where=f"{self.where(logical)}/Properties/{key}",
        )

    def tags(self, logical: str, props: Mapping[str, Any]) -> dict[str, str]:
        out: dict[str, str] = {}
        value = props.get("Tags")
        if value is None:
            return out
        if isinstance(value, Mapping):  # some types (SSM, ...) take a map
            items = list(value.items())
        elif isinstance(value, list):
            items = []
            for i, tag in enumerate(value):
                if not isinstance(tag, Mapping) or "Key" not in tag:
                    raise self.t.error(
                        "a tag is {Key, Value}", f"{self.where(logical)}/Properties/Tags/{i}"
                    )
                items.append((tag["Key"], tag.get("Value", "")))
        else:
            raise self.t.error("Tags must be a list", f"{self.where(logical)}/Properties/Tags")
        for k, v in items:
            if isinstance(k, Unknown) or isinstance(v, Unknown):
                self.b.warn(self.t.source, logical, "a tag is unknown; it is ignored")
                continue
            out[_text(k)] = _text(v)
        return out

    def inline_policies(self, logical: str, props: Mapping[str, Any]) -> list[Any]:
        out: list[Any] = []
        policies = props.get("Policies")
        if isinstance(policies, Unknown):
            self.b.warn(
                self.t.source, logical, f"Policies is unknown ({policies.reason}); not loaded"
            )
            return out
        if policies is not None and not isinstance(policies, list):
            raise self.t.error(
                "Policies must be a list", f"{self.where(logical)}/Properties/Policies"
            )
        for i, item in enumerate(policies or []):
            if not isinstance(item, Mapping):
                raise self.t.error(
                    "a policy is {PolicyName, PolicyDocument}",
                    f"{self.where(logical)}/Properties/Policies/{i}",
                )
            name = item.get("PolicyName")
            if isinstance(name, Unknown) or name is None:
                self.b.warn(
                    self.t.source, logical, f"Policies[{i}] has no known PolicyName; not loaded"
                )
                continue
            policy = self.policy(
                logical,
                item.get("PolicyDocument"),
                PolicyType.IDENTITY,
                name=_text(name),
                key=f"Policies/{i}/PolicyDocument",
            )
            if policy is not None:
                out.append(policy)
        return out

    def entity(self, logical: str, kind: str, props: Mapping[str, Any]) -> Any:
        name = self.t.physical_name(logical)
        path = self.t._path_of(logical)
        for part, key in ((name, "name"), (path, "Path")):
            if isinstance(part, Unknown):
                self.b.warn(
                    self.t.source,
                    logical,
                    f"the {key} is unknown ({part.reason}); the {kind} is not modeled",
                )
                return None
        if _NAME_PROPERTY[f"AWS::IAM::{kind.title()}"] not in props:
            self.b.notes.append(
                f"{self.t.source}: {logical}: CloudFormation names this {kind} at creation; "
                f"the generated name {name!r} stands in for it"
            )
        e = self.b.add_principal(
            kind,
            account=self.t.account,
            partition=self.t.partition,
            name=str(name),
            path=str(path),
            source=self.t.source,
            address=logical,
        )
        for policy in self.inline_policies(logical, props):
            e.inline[policy.name or ""] = policy
        for arn in self.texts(logical, props, "ManagedPolicyArns"):
            if arn not in e.managed:
                e.managed.append(arn)
        return e

    def AWS__IAM__User(self, logical: str, props: dict[str, Any]) -> None:
        e = self.entity(logical, "user", props)
        if e is None:
            return
        e.boundary = self.text(logical, props, "PermissionsBoundary", what="the boundary")
        e.tags = self.tags(logical, props)
        for group in self.texts(logical, props, "Groups"):
            self.b.add_membership(
                self.t.account, e.name, group, source=self.t.source, address=logical
            )

    def AWS__IAM__Group(self, logical: str, props: dict[str, Any]) -> None:
        self.entity(logical, "group", props)

    def AWS__IAM__Role(self, logical: str, props: dict[str, Any]) -> None:
        e = self.entity(logical, "role", props)
        if e is None:
            return
        e.trust = self.policy(
            logical,
            props.get("AssumeRolePolicyDocument"),
            PolicyType.TRUST,
            name="trust policy",
            key="AssumeRolePolicyDocument",
        )
        e.boundary = self.text(logical, props, "PermissionsBoundary", what="the boundary")
        e.tags = self.tags(logical, props)

    def _targets(self, logical: str, props: Mapping[str, Any]) -> list[tuple[str, str]]:
        return [
            (kind, name)
            for kind, key in (("role", "Roles"), ("user", "Users"), ("group", "Groups"))
            for name in self.texts(logical, props, key)
        ]

    def AWS__IAM__Policy(self, logical: str, props: dict[str, Any]) -> None:
        name = self.text(logical, props, "PolicyName", what="the policy")
        if name is None:
            return
        policy = self.policy(
            logical,
            props.get("PolicyDocument"),
            PolicyType.IDENTITY,
            name=name,
            key="PolicyDocument",
        )
        if policy is None:
            return
        for kind, target in self._targets(logical, props):
            if target.startswith("arn:"):
                target = target.rsplit("/", 1)[-1]
            self.b.add_inline(
                kind, self.t.account, target, policy, source=self.t.source, address=logical
            )

    def AWS__IAM__ManagedPolicy(self, logical: str, props: dict[str, Any]) -> None:
        arn = self.t._iam_arn("policy", logical)
        name = self.t.physical_name(logical)
        path = self.t._path_of(logical)
        if find_unknown([arn, name, path]) is not None:
            self.b.warn(self.t.source, logical, "the policy's name or path is unknown; not modeled")
            return
        policy = self.policy(
            logical,
            props.get("PolicyDocument"),
            PolicyType.IDENTITY,
            name=str(name),
            key="PolicyDocument",
        )
        if policy is None:
            return
        self.b.add_managed_policy(
            str(arn), str(name), str(path), policy, source=self.t.source, address=logical
        )
        for kind, target in self._targets(logical, props):
            if target.startswith("arn:"):
                target = target.rsplit("/", 1)[-1]
            self.b.attach(
                kind, self.t.account, target, str(arn), source=self.t.source, address=logical
            )

    def _inline_on(self, logical: str, props: dict[str, Any], kind: str, key: str) -> None:
        target = self.text(logical, props, key, what="the policy")
        name = self.text(logical, props, "PolicyName", what="the policy")
        if target is None or name is None:
            return
        policy = self.policy(
            logical,
            props.get("PolicyDocument"),
            PolicyType.IDENTITY,
            name=name,
            key="PolicyDocument",
        )
        if policy is not None:
            self.b.add_inline(
                kind, self.t.account, target, policy, source=self.t.source, address=logical
            )

    def AWS__IAM__RolePolicy(self, logical: str, props: dict[str, Any]) -> None:
        self._inline_on(logical, props, "role", "RoleName")

    def AWS__IAM__UserPolicy(self, logical: str, props: dict[str, Any]) -> None:
        self._inline_on(logical, props, "user", "UserName")

    def AWS__IAM__GroupPolicy(self, logical: str, props: dict[str, Any]) -> None:
        self._inline_on(logical, props, "group", "GroupName")

    def AWS__IAM__UserToGroupAddition(self, logical: str, props: dict[str, Any]) -> None:
        group = self.text(logical, props, "GroupName", what="the group addition")
        if group is None:
            return
        for user in self.texts(logical, props, "Users"):
            self.b.add_membership(
                self.t.account, user, group, source=self.t.source, address=logical
            )

    def AWS__IAM__InstanceProfile(self, logical: str, props: dict[str, Any]) -> None:
        arn = self.t._iam_arn("instance-profile", logical)
        if isinstance(arn, Unknown):
            return
        for role in self.texts(logical, props, "Roles"):
            self.b.add_instance_profile(
                self.t.account, role, str(arn), source=self.t.source, address=logical
            )

    def AWS__S3__Bucket(self, logical: str, props: dict[str, Any]) -> None:
        name = self.t.physical_name(logical)
        if isinstance(name, Unknown):
            self.b.warn(self.t.source, logical, f"the bucket name is unknown ({name.reason})")
            return
        res = self.b.resource(
            f"arn:{self.t.partition}:s3:::{name}", self.t.account, source=self.t.source
        )
        res.tags.update(self.tags(logical, props))

    def AWS__S3__BucketPolicy(self, logical: str, props: dict[str, Any]) -> None:
        bucket = self.text(logical, props, "Bucket", what="the bucket policy")
        if bucket is None:
            return
        if bucket.startswith("arn:"):
            bucket = bucket.split(":::", 1)[-1]
        policy = self.policy(
            logical,
            props.get("PolicyDocument"),
            PolicyType.RESOURCE,
            name="bucket policy",
            key="PolicyDocument",
        )
        if policy is not None:
            self.b.set_resource_policy(
                f"arn:{self.t.partition}:s3:::{bucket}",
                self.t.account,
                policy,
                source=self.t.source,
                address=logical,
            )

    def AWS__KMS__Key(self, logical: str, props: dict[str, Any]) -> None:
        arn = self.t.get_att(logical, "Arn", self.where(logical))
        if isinstance(arn, Unknown):
            return
        document = props.get("KeyPolicy")
        if document is None:
            document = default_kms_key_policy(self.t.account, self.t.partition)
            self.b.notes.append(
                f"{self.t.source}: {logical}: no KeyPolicy; AWS's default key "
                "policy (the account's IAM policies decide) is used"
            )
        policy = self.policy(
            logical, document, PolicyType.RESOURCE, name="key policy", key="KeyPolicy"
        )
        res = self.b.resource(str(arn), self.t.account, source=self.t.source)
        res.tags.update(self.tags(logical, props))
        if policy is not None:
            self.b.set_resource_policy(
                str(arn), self.t.account, policy, source=self.t.source, address=logical
            )

    def AWS__SQS__QueuePolicy(self, logical: str, props: dict[str, Any]) -> None:
        policy = self.policy(
            logical,
            props.get("PolicyDocument"),
            PolicyType.RESOURCE,
            name="queue policy",
            key="PolicyDocument",
        )
        if policy is None:
            return
        for url in self.texts(logical, props, "Queues"):
            parts = url.rstrip("/").split("/")
            host = parts[2] if len(parts) > 2 else ""
            if len(parts) < 5 or host.count(".") < 2:
                raise self.t.error(
                    f"{url!r} is not a queue URL", f"{self.where(logical)}/Properties/Queues"
                )
            arn = f"arn:{self.t.partition}:sqs:{host.split('.')[1]}:{parts[-2]}:{parts[-1]}"
            self.b.set_resource_policy(
                arn, self.t.account, policy, source=self.t.source, address=logical
            )

    def AWS__SNS__TopicPolicy(self, logical: str, props: dict[str, Any]) -> None:
        policy = self.policy(
            logical,
            props.get("PolicyDocument"),
            PolicyType.RESOURCE,
            name="topic policy",
            key="PolicyDocument",
        )
        if policy is None:
            return
        for arn in self.texts(logical, props, "Topics"):
            self.b.set_resource_policy(
                arn, self.t.account, policy, source=self.t.source, address=logical
            )

    def AWS__Lambda__Permission(self, logical: str, props: dict[str, Any]) -> None:
        fn = self.text(logical, props, "FunctionName", what="the permission")
        action = self.text(logical, props, "Action", what="the permission")
        principal = self.text(logical, props, "Principal", what="the permission")
        if fn is None or action is None or principal is None:
            return
        arn = fn if fn.startswith("arn:") else self.t._regional("lambda", f"function:{fn}")
        # AddPermission: a service name is a Service principal, an account or ARN an AWS one.
        if principal == "*":
            who: Any = "*"
        elif principal.endswith((".amazonaws.com", ".amazonaws.com.cn")):
            who = {"Service": principal}
        else:
            who = {"AWS": principal}
        stmt: dict[str, Any] = {
            "Sid": logical,
            "Effect": "Allow",
            "Principal": who,
            "Action": action,
            "Resource": arn,
        }
        cond: dict[str, dict[str, str]] = {}
        for key, op, ckey in (
            ("SourceArn", "ArnLike", "AWS:SourceArn"),
            ("SourceAccount", "StringEquals", "AWS:SourceAccount"),
            ("PrincipalOrgID", "StringEquals", "aws:PrincipalOrgID"),
            ("EventSourceToken", "StringEquals", "lambda:EventSourceToken"),
            ("FunctionUrlAuthType", "StringEquals", "lambda:FunctionUrlAuthType"),
        ):
            value = self.text(logical, props, key, what="the permission")
            if value:
                cond.setdefault(op, {})[ckey] = value
        if cond:
            stmt["Condition"] = cond
        self.b.add_resource_statement(
            str(arn), self.t.account, stmt, source=self.t.source, address=logical
        )


# -- resource types and properties ---------------------------------------------------------------

# Every resource type of the namespaces whose types are mapped (CloudFormation's template
# reference). A type of these namespaces outside the list is a misspelling (CloudFormation
# rejects it), not something to skip: skipping AWS::IAM::Polcy would drop a Deny.
_KNOWN_TYPES = {
    "AWS::IAM": (
        "AccessKey",
        "Group",
        "GroupPolicy",
        "InstanceProfile",
        "ManagedPolicy",
        "OIDCProvider",
        "Policy",
        "Role",
        "RolePolicy",
        "SAMLProvider",
        "ServerCertificate",
        "ServiceLinkedRole",
        "User",
        "UserPolicy",
        "UserToGroupAddition",
        "VirtualMFADevice",
    ),
    "AWS::S3": (
        "AccessGrant",
        "AccessGrantsInstance",
        "AccessGrantsLocation",
        "AccessPoint",
        "Bucket",
        "BucketPolicy",
        "MultiRegionAccessPoint",
        "MultiRegionAccessPointPolicy",
        "StorageLens",
        "StorageLensGroup",
    ),
    "AWS::KMS": ("Alias", "Key", "ReplicaKey"),
    "AWS::SQS": ("Queue", "QueueInlinePolicy", "QueuePolicy"),
    "AWS::SNS": ("Subscription", "Topic", "TopicInlinePolicy", "TopicPolicy"),
    "AWS::Lambda": (
        "Alias",
        "CapacityProvider",
        "CodeSigningConfig",
        "EventInvokeConfig",
        "EventSourceMapping",
        "Function",
        "LayerVersion",
        "LayerVersionPermission",
        "Permission",
        "Url",
        "Version",
    ),
}
_ALL_KNOWN_TYPES = frozenset(
    f"{namespace}::{name}" for namespace, names in _KNOWN_TYPES.items() for name in names
)

# The properties of each mapped type (CloudFormation's template reference), read or not. A
# property outside the list that looks like a misspelling of one is an error (its value would
# be silently dropped: PermissionBoundary for PermissionsBoundary); others are reported.
_PROPERTIES = {
    "AWS::IAM::User": (
        "Groups",
        "LoginProfile",
        "ManagedPolicyArns",
        "Path",
        "PermissionsBoundary",
        "Policies",
        "Tags",
        "UserName",
    ),
    "AWS::IAM::Group": ("GroupName", "ManagedPolicyArns", "Path", "Policies"),
    "AWS::IAM::Role": (
        "AssumeRolePolicyDocument",
        "Description",
        "ManagedPolicyArns",
        "MaxSessionDuration",
        "Path",
        "PermissionsBoundary",
        "Policies",
        "RoleName",
        "Tags",
    ),
    "AWS::IAM::Policy": ("Groups", "PolicyDocument", "PolicyName", "Roles", "Users"),
    "AWS::IAM::ManagedPolicy": (
        "Description",
        "Groups",
        "ManagedPolicyName",
        "Path",
        "PolicyDocument",
        "Roles",
        "Users",
    ),
    "AWS::IAM::RolePolicy": ("PolicyDocument", "PolicyName", "RoleName"),
    "AWS::IAM::UserPolicy": ("PolicyDocument", "PolicyName", "UserName"),
    "AWS::IAM::GroupPolicy": ("GroupName", "PolicyDocument", "PolicyName"),
    "AWS::IAM::UserToGroupAddition": ("GroupName", "Users"),
    "AWS::IAM::InstanceProfile": ("InstanceProfileName", "Path", "Roles"),
    "AWS::S3::Bucket": (
        "AbacStatus",
        "AccelerateConfiguration",
        "AccessControl",
        "AnalyticsConfigurations",
        "BucketEncryption",
        "BucketName",
        "CorsConfiguration",
        "IntelligentTieringConfigurations",
        "InventoryConfigurations",
        "LifecycleConfiguration",
        "LoggingConfiguration",
        "MetadataConfiguration",
        "MetadataTableConfiguration",
        "MetricsConfigurations",
        "NotificationConfiguration",
        "ObjectLockConfiguration",
        "ObjectLockEnabled",
        "OwnershipControls",
        "PublicAccessBlockConfiguration",
        "ReplicationConfiguration",
        "Tags",
        "VersioningConfiguration",
        "WebsiteConfiguration",
    ),
    "AWS::S3::BucketPolicy": ("Bucket", "PolicyDocument"),
    "AWS::KMS::Key": (
        "BypassPolicyLockoutSafetyCheck",
        "Description",
        "EnableKeyRotation",
        "Enabled",
        "KeyPolicy",
        "KeySpec",
        "KeyUsage",
        "MultiRegion",
        "Origin",
        "PendingWindowInDays",
        "RotationPeriodInDays",
        "Tags",
    ),
    "AWS::SQS::QueuePolicy": ("PolicyDocument", "Queues"),
    "AWS::SNS::TopicPolicy": ("PolicyDocument", "Topics"),
    "AWS::Lambda::Permission": (
        "Action",
        "EventSourceToken",
        "FunctionName",
        "FunctionUrlAuthType",
        "InvokedViaFunctionUrl",
        "Principal",
        "PrincipalOrgID",
        "SourceAccount",
        "SourceArn",
    ),
}


def _check_type(rtype: str, path: str, source: str) -> None:
    """Refuse a type of a mapped namespace that does not exist (or one that is a near miss of
    a mapped type from elsewhere, ``AWS::IAMM::Role``)."""
    if rtype in _ALL_KNOWN_TYPES:
        return
    namespace = "::".join(rtype.split("::")[:2])
    own = next((ns for ns in _KNOWN_TYPES if ns.lower() == namespace.lower()), None)
    if own is not None:
        suggestion = close_match(rtype, (f"{own}::{name}" for name in _KNOWN_TYPES[own]))
    else:
        suggestion = close_match(rtype, _ALL_KNOWN_TYPES, cutoff=0.9)
        if suggestion is None:
            return  # another service's type: not modeled (reported below if it has a policy)
    hint = f" (did you mean {suggestion!r}?)" if suggestion else f" ({own} has no such type)"
    raise InputError(f"unknown resource type {rtype!r}{hint}", path=path, source=source)


def _check_properties(
    res: Mapping[str, Any], logical: str, source: str, warnings: Warnings
) -> None:
    known = _PROPERTIES.get(str(res["Type"]))
    props = res.get("Properties")
    if known is None or not isinstance(props, Mapping):
        return
    for key in props:
        if key in known:
            continue
        name = str(key)
        suggestion = close_match(name, known)
        if suggestion is not None:
            raise InputError(
                f"unknown property {name!r} of {res['Type']} (did you mean {suggestion!r}?)",
                path=f"/Resources/{logical}/Properties/{name}",
                source=source,
            )
        warnings.add(
            source,
            logical,
            f"{res['Type']} has no property {name!r} that iamsim knows; it is ignored",
        )


# Property names that hold policy documents; a resource type we do not map that has one is
# reported.
_POLICY_PROPERTIES = (
    "PolicyDocument",
    "KeyPolicy",
    "ResourcePolicy",
    "AccessPolicies",
    "Policy",
    "RepositoryPolicyText",
    "PolicyText",
    "ResourcePolicyDocument",
)


def read_cloudformation(
    path: str | os.PathLike[str],
    *,
    account: str | None = None,
    region: str | None = None,
    partition: str | None = None,
    stack_name: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    source: str | None = None,
) -> tuple[World, Warnings]:
    """Load a template and also return the structured warnings (also in ``World.notes``)."""
    label = source if source is not None else str(path)
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", source=label) from None
    except UnicodeDecodeError:
        raise InputError("file is not UTF-8 text", source=label) from None
    doc = parse_template(text, label)
    if not isinstance(doc, Mapping):
        raise InputError("a CloudFormation template is a mapping", source=label)
    if account is not None and not is_account_id(account):
        raise InputError(f"account must be a 12-digit account ID, not {account!r}", source=label)
    stack = stack_name or re.sub(r"[^A-Za-z0-9-]", "-", file.stem) or "stack"
    warnings = Warnings()
    t = _Template(
        doc,
        label,
        warnings,
        account=account,
        region=region,
        partition=partition,
        stack_name=stack,
        parameters=parameters or {},
    )
    transform = doc.get("Transform")
    if transform:
        warnings.add(
            label,
            "Transform",
            f"the template uses the transform {transform!r}, which "
            "is not expanded; resources it would generate are not modeled",
        )
    builder = WorldBuilder(warnings, label=label)
    mapper = _Mapper(t, builder)
    current = ""
    try:
        for logical in t.resources:
            current = logical
            res = t.resources[logical]
            where = f"/Resources/{logical}"
            if not isinstance(res, Mapping) or not isinstance(res.get("Type"), str):
                raise InputError("a resource needs a Type", path=where, source=label)
            _check_type(res["Type"], f"{where}/Type", label)
            _check_properties(res, logical, label, warnings)
            condition = res.get("Condition")
            if condition is not None:
                if not isinstance(condition, str):
                    raise InputError(
                        "Condition must be a condition name",
                        path=f"{where}/Condition",
                        source=label,
                    )
                value = t.condition(condition, f"{where}/Condition")
                if isinstance(value, Unknown):
                    warnings.add(
                        label,
                        logical,
                        f"condition {condition} is unknown ({value.reason}); "
                        "the resource is not modeled",
                    )
                    continue
                if not value:
                    continue
            rtype = res["Type"]
            handler = getattr(mapper, rtype.replace("::", "__"), None)
            if handler is not None:
                props = mapper.props(logical)
                if props is not None:
                    handler(logical, props)
                continue
            props = res.get("Properties")
            if isinstance(props, Mapping) and any(k in props for k in _POLICY_PROPERTIES):
                warnings.add(
                    label,
                    logical,
                    f"{rtype} carries a policy that iamsim does not model; it is ignored",
                )
    except RecursionError:
        # A long chain of resources naming each other (A's name from B's ARN, B's from C's...)
        raise InputError(
            "references between resources are nested too deeply to evaluate",
            path=f"/Resources/{current}",
            source=label,
        ) from None

    notes = []
    if t.account_is_placeholder:
        notes.append(
            f"{label}: the stack's account is not known; the placeholder account "
            f"{PLACEHOLDER_ACCOUNT} stands for AWS::AccountId (pass account=...)"
        )
    if t.region_is_placeholder and t.region_used:
        notes.append(
            f"{label}: the stack's region is not known; the placeholder region "
            f"{PLACEHOLDER_REGION} stands for AWS::Region (pass region=...)"
        )
    builder.notes[:0] = notes
    builder.account(t.account, t.partition or DEFAULT_PARTITION)
    return builder.build(), warnings


def load_cloudformation(
    path: str | os.PathLike[str],
    *,
    account: str | None = None,
    region: str | None = None,
    partition: str | None = None,
    stack_name: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    source: str | None = None,
) -> World:
    """The world a CloudFormation stack from this template would create.

    ``account``/``region``/``partition`` give the pseudo parameters (placeholders otherwise),
    ``stack_name`` the stack's name (default: the file name without extension), ``parameters``
    the template parameters (over their defaults). Unresolvable parts are left out and
    reported in ``World.notes``; a malformed template raises
    :class:`~iamsim.errors.InputError` naming the file and the JSON pointer (or line).
    """
    world, _ = read_cloudformation(
        path,
        account=account,
        region=region,
        partition=partition,
        stack_name=stack_name,
        parameters=parameters,
        source=source,
    )
    return world
