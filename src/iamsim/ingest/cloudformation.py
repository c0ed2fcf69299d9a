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
``World.notes``, not guessed, and a policy it leaves unknown (or a ``Transform``, which is not
expanded) makes the principals and resources the policy applies to unresolved
(``World.unresolved``), so that the request builder refuses the requests that need them.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from iamsim.errors import InputError
from iamsim.ingest.detect import InputFormat
from iamsim.ingest.documents import YamlLoader, close_match, load_json, load_yaml
from iamsim.ingest.files import InputFile, read_text
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
from iamsim.model import World
from iamsim.policy.model import Policy, PolicyType
from iamsim.vocabulary.arn import is_account_id

__all__ = [
    "FORMATS",
    "detect",
    "load",
    "load_cloudformation",
    "parse_template",
    "read_cloudformation",
]

# -- reading -----------------------------------------------------------------------------------------


class _Loader(YamlLoader):
    """The inputs' strict YAML plus CloudFormation's short-form intrinsic tags.

    As for every YAML input, integers are only plain decimal numbers without a leading zero
    (YAML 1.1 would read ``012345678901`` as octal and change an account ID) and unquoted
    dates stay text (``Version: 2012-10-17`` is the string CloudFormation's conversion to
    JSON gives).
    """


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


# The load_cloudformation argument that gives each pseudo parameter.
_PSEUDO_ARGUMENT = {
    "AWS::AccountId": "account",
    "AWS::Region": "region",
    "AWS::Partition": "partition",
}

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
        self.partition_is_placeholder = partition is None and region is None
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
        # The placeholder pseudo parameters each condition depends on, and one set per
        # condition being evaluated (innermost last) that collects them.
        self._condition_deps: dict[str, frozenset[str]] = {}
        self._condition_frames: list[set[str]] = []
        # RoleId values handed out (logical ID -> placeholder unique ID): the role's ID.
        self.role_ids: dict[str, str] = {}
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
            if self._condition_frames:
                self._condition_frames[-1].update(self._condition_deps.get(name, ()))
            return value
        if name not in self.conditions_src:
            raise self.error(f"condition {name!r} is not defined", path)
        self._conditions[name] = _NO_VALUE
        self._condition_frames.append(set())
        try:
            value = self.ev(self.conditions_src[name], f"/Conditions/{name}")
        finally:
            deps = self._condition_frames.pop()
        if not isinstance(value, bool | Unknown):
            raise self.error(f"condition {name!r} is not a boolean", f"/Conditions/{name}")
        self._conditions[name] = value
        self._condition_deps[name] = frozenset(deps)
        if self._condition_frames:
            self._condition_frames[-1].update(deps)
        if deps and not isinstance(value, Unknown):
            names = sorted(deps)
            which = " and ".join(names)
            are = "is a placeholder" if len(names) == 1 else "are placeholders"
            hints = ", ".join(f"{_PSEUDO_ARGUMENT[n]}=..." for n in names if n in _PSEUDO_ARGUMENT)
            self.warnings.add(
                self.source,
                "",
                f"condition {name} depends on {which}, which {are}: resources it selects "
                f"may differ when deployed (pass {hints})",
            )
        return value

    def uses(self, *pseudo: str) -> None:
        """The value being evaluated depends on these pseudo parameters: noted for the
        condition being evaluated when they stand for unknown values (placeholders)."""
        if "AWS::Region" in pseudo:
            self.region_used = True
        if not self._condition_frames:
            return
        placeholder = {
            "AWS::AccountId": self.account_is_placeholder,
            "AWS::Region": self.region_is_placeholder,
            "AWS::Partition": self.partition_is_placeholder,
        }
        self._condition_frames[-1].update(p for p in pseudo if placeholder.get(p))

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
        self.uses("AWS::Region", "AWS::AccountId")
        if isinstance(resource, Unknown):
            return resource
        return f"arn:{self.partition}:{service}:{self.region}:{self.account}:{resource}"

    def _iam_arn(self, kind: str, logical: str) -> Any:
        name, path = self.physical_name(logical), self._path_of(logical)
        for part in (name, path):
            if isinstance(part, Unknown):
                return part
        self.uses("AWS::AccountId")
        return f"arn:{self.partition}:iam::{self.account}:{kind}{path}{name}"

    def ref(self, logical: str, path: str) -> Any:
        res = self.resources[logical]
        rtype = str(res.get("Type"))
        if rtype == "AWS::IAM::ManagedPolicy":
            return self._iam_arn("policy", logical)
        if rtype == "AWS::KMS::Key":
            return placeholder_uuid(f"{self.stack_name}/{logical}")
        if rtype == "AWS::SQS::Queue":
            self.uses("AWS::Region", "AWS::AccountId")
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

    def role_id(self, logical: str) -> str:
        """The placeholder RoleId of role ``logical`` (CloudFormation's is assigned by IAM);
        it becomes the role's unique ID, so ``aws:userid`` of its sessions matches it."""
        if logical not in self.role_ids:
            self.role_ids[logical] = "AROA" + placeholder_alnum(f"{self.stack_name}/{logical}", 17)
        return self.role_ids[logical]

    def get_att(self, logical: str, attr: str, path: str) -> Any:
        res = self.resources[logical]
        rtype = str(res.get("Type"))
        name = self.physical_name(logical) if rtype in _NAME_PROPERTY else None
        seed = f"{self.stack_name}/{logical}"
        table: dict[tuple[str, str], Any] = {
            ("AWS::IAM::Role", "Arn"): lambda: self._iam_arn("role", logical),
            ("AWS::IAM::Role", "RoleId"): lambda: self.role_id(logical),
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
            self.uses(name)
            return self.account
        if name == "AWS::Partition":
            self.uses(name)
            return self.partition
        if name == "AWS::Region":
            self.uses(name)
            return self.region
        if name == "AWS::URLSuffix":
            self.uses("AWS::Partition")
            return dns_suffix(self.partition)
        if name == "AWS::StackName":
            return self.stack_name
        if name == "AWS::StackId":
            self.uses("AWS::Region", "AWS::AccountId")
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


# Policy-carrying resource types whose Properties (or existence, under an unknown Condition)
# may be unknown, and what their policy applies to then: principals of a kind ("principal"
# for any) or the template's resources of a type.
_AFFECTS = {
    "AWS::IAM::Policy": "principal",
    "AWS::IAM::ManagedPolicy": "principal",
    "AWS::IAM::RolePolicy": "role",
    "AWS::IAM::UserPolicy": "user",
    "AWS::IAM::GroupPolicy": "group",
    "AWS::IAM::UserToGroupAddition": "user",
    "AWS::S3::BucketPolicy": "AWS::S3::Bucket",
    "AWS::SQS::QueuePolicy": "AWS::SQS::Queue",
    "AWS::SNS::TopicPolicy": "AWS::SNS::Topic",
    "AWS::Lambda::Permission": "AWS::Lambda::Function",
}
# The resources a policy of unknown target may be on: the template's resources of the type
# (their ARN attribute) and the resources with these ARN prefixes the template put policies on.
_RESOURCE_SCOPES = {
    "AWS::S3::Bucket": ("Arn", "s3:::"),
    "AWS::SQS::Queue": ("Arn", "sqs:"),
    "AWS::SNS::Topic": ("TopicArn", "sns:"),
    "AWS::Lambda::Function": ("Arn", "lambda:"),
    "AWS::KMS::Key": ("Arn", "kms:"),
}
_PRINCIPAL_SCOPES = ("principal", "user", "group", "role")


class _Mapper:
    def __init__(self, t: _Template, builder: WorldBuilder) -> None:
        self.t = t
        self.b = builder
        # Set while mapping a resource whose Condition is unknown: it may or may not exist, so
        # each policy it would set is unknown (requests that need it are refused).
        self.forced: Unknown | None = None
        # (scope, reason, logical ID): a policy whose targets are unknown; see finish().
        self._wide: list[tuple[str, str, str]] = []
        self.entities: dict[str, Any] = {}  # logical ID -> the principal it defines

    def where(self, logical: str) -> str:
        return f"/Resources/{logical}"

    def map(self, logical: str, rtype: str, forced: Unknown | None = None) -> None:
        """Map resource ``logical`` of a mapped type; ``forced`` when its Condition is unknown
        (only the policy-carrying types are then mapped, as unknown policies)."""
        handler = getattr(self, rtype.replace("::", "__"))
        props = self.props(logical)
        if isinstance(props, Unknown):
            reason = f"the properties are unknown ({props.reason})"
            self.b.warn(self.t.source, logical, f"{reason}; the resource is not modeled")
            if rtype in _AFFECTS:
                self.some_unknown(_AFFECTS[rtype], f"{reason}; its policy may apply here", logical)
            elif rtype == "AWS::KMS::Key":
                arn = self.t.get_att(logical, "Arn", self.where(logical))
                if not isinstance(arn, Unknown):
                    self.resource_unknown(str(arn), f"{reason}: the key policy is unknown", logical)
            return
        self.forced = forced
        try:
            handler(logical, props)
        finally:
            self.forced = None

    def props(self, logical: str) -> dict[str, Any] | Unknown:
        """The evaluated properties (Unknown when they are unknown as a whole)."""
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
                return value
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

    # -- what the template leaves unknown: requests that need it are refused

    def principal_unknown(self, kind: str, target: str, reason: str, logical: str) -> None:
        """Part of the policies of principal ``target`` (a name or ARN) is unknown."""
        if target.startswith("arn:"):
            target = target.rsplit("/", 1)[-1]
        self.b.unresolved(
            kind, self.t.account, target, reason, source=self.t.source, address=logical
        )

    def resource_unknown(self, arn: str, reason: str, logical: str) -> None:
        """The resource-based policy of ``arn`` is unknown."""
        self.b.resource(arn, self.t.account, source=self.t.source)
        self.b.resource_unresolved(arn, reason, address=logical)

    def some_unknown(self, scope: str, reason: str, logical: str) -> None:
        """A policy applies to principals or resources the template does not name (a role
        name imported from another stack, a bucket given by a parameter without default):
        every principal of kind ``scope`` (``principal``: any) or resource of type ``scope``
        the template defines may be one of them (see :meth:`finish`)."""
        self._wide.append((scope, reason, logical))

    def finish(self) -> None:
        """Apply :meth:`some_unknown` once every resource is mapped."""
        for scope, reason, logical in self._wide:
            if scope in _PRINCIPAL_SCOPES:
                for e in list(self.b.entities.values()):
                    if scope in ("principal", e.kind):
                        self.principal_unknown(e.kind, e.name, reason, logical)
                continue
            for arn in self._resources_of(scope):
                self.resource_unknown(arn, reason, logical)

    def _resources_of(self, scope: str) -> list[str]:
        """The ARNs of the template's resources of type ``scope`` (``*``: of every type that
        can carry a policy, and every resource given a policy)."""
        types = list(_RESOURCE_SCOPES) if scope == "*" else [scope]
        out: list[str] = []
        for logical, res in self.t.resources.items():
            if not isinstance(res, Mapping) or res.get("Type") not in types:
                continue
            condition = res.get("Condition")
            if isinstance(condition, str) and self.t.condition(condition, "") is False:
                continue
            arn = self.t.get_att(logical, _RESOURCE_SCOPES[res["Type"]][0], self.where(logical))
            if isinstance(arn, str):
                out.append(arn)
        prefixes = tuple(f"arn:{self.t.partition}:{_RESOURCE_SCOPES[t][1]}" for t in types)
        out += [arn for arn in self.b.resources if scope == "*" or arn.startswith(prefixes)]
        return list(dict.fromkeys(out))

    def unknown(self, props: Mapping[str, Any], key: str) -> str | None:
        """Why property ``key`` is unknown (wholly or in part), or None when it is known."""
        found = find_unknown(props.get(key))
        return None if found is None else f"{key} is unknown ({found.reason})"

    # -- values

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

    def policy_name(self, logical: str, props: Mapping[str, Any], key: str = "PolicyName") -> str:
        """An inline policy's name; only a label, so an unknown one is replaced (noted)."""
        value = props.get(key)
        if value is None:
            raise self.t.error(f"the policy needs a {key}", f"{self.where(logical)}/Properties")
        if isinstance(value, Unknown):
            self.b.warn(
                self.t.source,
                logical,
                f"{key} is unknown ({value.reason}); the policy is named {logical!r} here",
            )
            return logical
        if isinstance(value, Mapping | list):
            raise self.t.error(f"{key} must be a string", f"{self.where(logical)}/Properties/{key}")
        return _text(value)

    def policy(
        self, logical: str, document: Any, ptype: PolicyType, *, name: str | None, key: str
    ) -> Policy | Unknown | None:
        """The policy ``document`` (None when absent, or a resource policy the service would
        reject, reported); Unknown when the template leaves it unknown (reported: the caller
        marks what it applies to as unresolved)."""
        if document is None:
            return None
        if self.forced is not None:
            return self.forced
        unknown = find_unknown(document)
        if unknown is not None:
            self.b.warn(
                self.t.source,
                logical,
                f"{key} is unknown ({unknown.reason}); the policy is not loaded",
            )
            return Unknown(f"{key} is unknown ({unknown.reason})")
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

    # -- principals

    def inline_policies(self, logical: str, props: Mapping[str, Any], e: Any) -> None:
        policies = props.get("Policies")
        if isinstance(policies, Unknown):
            self.b.warn(
                self.t.source, logical, f"Policies is unknown ({policies.reason}); not loaded"
            )
            self.principal_unknown(
                e.kind, e.name, f"Policies is unknown ({policies.reason})", logical
            )
            return
        if policies is not None and not isinstance(policies, list):
            raise self.t.error(
                "Policies must be a list", f"{self.where(logical)}/Properties/Policies"
            )
        for i, item in enumerate(policies or []):
            if isinstance(item, Unknown):
                reason = f"Policies/{i} is unknown ({item.reason})"
                self.b.warn(self.t.source, logical, f"{reason}; not loaded")
                self.principal_unknown(e.kind, e.name, reason, logical)
                continue
            if not isinstance(item, Mapping):
                raise self.t.error(
                    "a policy is {PolicyName, PolicyDocument}",
                    f"{self.where(logical)}/Properties/Policies/{i}",
                )
            name = item.get("PolicyName")
            if name is None:
                raise self.t.error(
                    "the policy needs a PolicyName",
                    f"{self.where(logical)}/Properties/Policies/{i}",
                )
            if isinstance(name, Unknown):
                self.b.warn(
                    self.t.source,
                    logical,
                    f"Policies/{i}/PolicyName is unknown ({name.reason}); the policy is "
                    f"named {logical}-{i} here",
                )
                name = f"{logical}-{i}"
            policy = self.policy(
                logical,
                item.get("PolicyDocument"),
                PolicyType.IDENTITY,
                name=_text(name),
                key=f"Policies/{i}/PolicyDocument",
            )
            if isinstance(policy, Unknown):
                self.principal_unknown(e.kind, e.name, policy.reason, logical)
            elif policy is not None:
                e.inline[policy.name or ""] = policy

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
        generated = _NAME_PROPERTY[f"AWS::IAM::{kind.title()}"] not in props
        if generated:
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
            generated=generated,
        )
        self.entities[logical] = e
        self.inline_policies(logical, props, e)
        keys = (
            "ManagedPolicyArns",
            "PermissionsBoundary",
            *(("Groups",) if kind == "user" else ()),
        )
        for key in keys:
            reason = self.unknown(props, key)
            if reason is not None:
                self.principal_unknown(kind, e.name, reason, logical)
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
        trust = self.policy(
            logical,
            props.get("AssumeRolePolicyDocument"),
            PolicyType.TRUST,
            name="trust policy",
            key="AssumeRolePolicyDocument",
        )
        if isinstance(trust, Unknown):
            self.principal_unknown("role", e.name, trust.reason, logical)
        else:
            e.trust = trust
        e.boundary = self.text(logical, props, "PermissionsBoundary", what="the boundary")
        e.tags = self.tags(logical, props)

    def _targets(self, logical: str, props: Mapping[str, Any]) -> list[tuple[str, str]]:
        """The principals a policy names (Roles, Users, Groups); an unknown one may be any
        principal of its kind that the template defines."""
        out = []
        for kind, key in (("role", "Roles"), ("user", "Users"), ("group", "Groups")):
            reason = self.unknown(props, key)
            if reason is not None:
                self.some_unknown(kind, f"{reason}; the policy may apply to this {kind}", logical)
            out += [(kind, name) for name in self.texts(logical, props, key)]
        return out

    def AWS__IAM__Policy(self, logical: str, props: dict[str, Any]) -> None:
        name = self.policy_name(logical, props)
        policy = self.policy(
            logical,
            props.get("PolicyDocument"),
            PolicyType.IDENTITY,
            name=name,
            key="PolicyDocument",
        )
        for kind, target in self._targets(logical, props):
            if isinstance(policy, Unknown):
                self.principal_unknown(kind, target, policy.reason, logical)
            elif policy is not None:
                if target.startswith("arn:"):
                    target = target.rsplit("/", 1)[-1]
                self.b.add_inline(
                    kind, self.t.account, target, policy, source=self.t.source, address=logical
                )

    def AWS__IAM__ManagedPolicy(self, logical: str, props: dict[str, Any]) -> None:
        arn = self.t._iam_arn("policy", logical)
        name = self.t.physical_name(logical)
        path = self.t._path_of(logical)
        unknown = find_unknown([arn, name, path])
        policy: Policy | Unknown | None
        if unknown is not None:
            self.b.warn(self.t.source, logical, "the policy's name or path is unknown; not modeled")
            policy = Unknown(f"the policy's name or path is unknown ({unknown.reason})")
        else:
            policy = self.policy(
                logical,
                props.get("PolicyDocument"),
                PolicyType.IDENTITY,
                name=str(name),
                key="PolicyDocument",
            )
        if policy is None:
            return
        if isinstance(policy, Policy):
            self.b.add_managed_policy(
                str(arn),
                str(name),
                str(path),
                policy,
                source=self.t.source,
                address=logical,
                generated=_NAME_PROPERTY["AWS::IAM::ManagedPolicy"] not in props,
            )
        for kind, target in self._targets(logical, props):
            if isinstance(policy, Unknown):
                self.principal_unknown(kind, target, policy.reason, logical)
                continue
            if target.startswith("arn:"):
                target = target.rsplit("/", 1)[-1]
            self.b.attach(
                kind, self.t.account, target, str(arn), source=self.t.source, address=logical
            )

    def _inline_on(self, logical: str, props: dict[str, Any], kind: str, key: str) -> None:
        reason = self.unknown(props, key)
        if reason is not None:
            self.some_unknown(kind, f"{reason}; the policy may apply to this {kind}", logical)
        target = self.text(logical, props, key, what="the policy")
        name = self.policy_name(logical, props)
        policy = self.policy(
            logical,
            props.get("PolicyDocument"),
            PolicyType.IDENTITY,
            name=name,
            key="PolicyDocument",
        )
        if target is None:
            return
        if isinstance(policy, Unknown):
            self.principal_unknown(kind, target, policy.reason, logical)
        elif policy is not None:
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
        reason = self.unknown(props, "Users")
        if reason is not None:
            self.some_unknown("user", f"{reason}; the user may be in the group", logical)
        unknown = self.forced.reason if self.forced else self.unknown(props, "GroupName")
        group = self.text(logical, props, "GroupName", what="the group addition")
        for user in self.texts(logical, props, "Users"):
            if unknown is not None:
                self.principal_unknown("user", user, f"its groups are unknown: {unknown}", logical)
            elif group is not None:
                self.b.add_membership(
                    self.t.account, user, group, source=self.t.source, address=logical
                )

    def AWS__IAM__InstanceProfile(self, logical: str, props: dict[str, Any]) -> None:
        arn = self.t._iam_arn("instance-profile", logical)
        if isinstance(arn, Unknown):
            return
        name, path = self.t.physical_name(logical), self.t._path_of(logical)
        if not isinstance(name, Unknown) and not isinstance(path, Unknown):
            self.b.check_name(
                "instance-profile",
                str(name),
                str(path),
                source=self.t.source,
                address=logical,
                generated="InstanceProfileName" not in props,
            )
        for role in self.texts(logical, props, "Roles"):
            self.b.add_instance_profile(
                self.t.account, role, str(arn), source=self.t.source, address=logical
            )

    # -- resources

    def AWS__S3__Bucket(self, logical: str, props: dict[str, Any]) -> None:
        name = self.t.physical_name(logical)
        if isinstance(name, Unknown):
            self.b.warn(self.t.source, logical, f"the bucket name is unknown ({name.reason})")
            return
        res = self.b.resource(
            f"arn:{self.t.partition}:s3:::{name}", self.t.account, source=self.t.source
        )
        res.tags.update(self.tags(logical, props))

    def _resource_policy(
        self, logical: str, props: dict[str, Any], arns: list[str], *, name: str, key: str
    ) -> None:
        """Set the policy ``props[key]`` on each of ``arns`` (or mark them unresolved)."""
        policy = self.policy(logical, props.get(key), PolicyType.RESOURCE, name=name, key=key)
        for arn in arns:
            if isinstance(policy, Unknown):
                self.resource_unknown(arn, policy.reason, logical)
            elif policy is not None:
                self.b.set_resource_policy(
                    arn, self.t.account, policy, source=self.t.source, address=logical
                )

    def _unknown_targets(self, logical: str, props: dict[str, Any], key: str, scope: str) -> None:
        reason = self.unknown(props, key)
        if reason is not None:
            self.some_unknown(scope, f"{reason}; the policy may be on this resource", logical)

    def AWS__S3__BucketPolicy(self, logical: str, props: dict[str, Any]) -> None:
        self._unknown_targets(logical, props, "Bucket", "AWS::S3::Bucket")
        bucket = self.text(logical, props, "Bucket", what="the bucket policy")
        if bucket is None:
            return
        if bucket.startswith("arn:"):
            bucket = bucket.split(":::", 1)[-1]
        arn = f"arn:{self.t.partition}:s3:::{bucket}"
        self._resource_policy(logical, props, [arn], name="bucket policy", key="PolicyDocument")

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
        res = self.b.resource(str(arn), self.t.account, source=self.t.source)
        res.tags.update(self.tags(logical, props))
        self._resource_policy(
            logical, {"KeyPolicy": document}, [str(arn)], name="key policy", key="KeyPolicy"
        )

    def AWS__SQS__QueuePolicy(self, logical: str, props: dict[str, Any]) -> None:
        self._unknown_targets(logical, props, "Queues", "AWS::SQS::Queue")
        arns = []
        for url in self.texts(logical, props, "Queues"):
            parts = url.rstrip("/").split("/")
            host = parts[2] if len(parts) > 2 else ""
            if len(parts) < 5 or host.count(".") < 2:
                raise self.t.error(
                    f"{url!r} is not a queue URL", f"{self.where(logical)}/Properties/Queues"
                )
            arns.append(f"arn:{self.t.partition}:sqs:{host.split('.')[1]}:{parts[-2]}:{parts[-1]}")
        self._resource_policy(logical, props, arns, name="queue policy", key="PolicyDocument")

    def AWS__SNS__TopicPolicy(self, logical: str, props: dict[str, Any]) -> None:
        self._unknown_targets(logical, props, "Topics", "AWS::SNS::Topic")
        arns = self.texts(logical, props, "Topics")
        self._resource_policy(logical, props, arns, name="topic policy", key="PolicyDocument")

    def AWS__Lambda__Permission(self, logical: str, props: dict[str, Any]) -> None:
        self._unknown_targets(logical, props, "FunctionName", "AWS::Lambda::Function")
        fn = self.text(logical, props, "FunctionName", what="the permission")
        if fn is None:
            return
        arn = fn if fn.startswith("arn:") else self.t._regional("lambda", f"function:{fn}")
        if self.forced is not None:
            self.resource_unknown(str(arn), self.forced.reason, logical)
            return
        keys = (
            "Action",
            "Principal",
            "SourceArn",
            "SourceAccount",
            "PrincipalOrgID",
            "EventSourceToken",
            "FunctionUrlAuthType",
        )
        unknown = [reason for key in keys if (reason := self.unknown(props, key))]
        if unknown:
            # Without its condition (SourceArn, ...) the permission would grant more.
            self.b.warn(
                self.t.source, logical, f"{'; '.join(unknown)}; the permission is not modeled"
            )
            self.resource_unknown(str(arn), "; ".join(unknown), logical)
            return
        action = self.text(logical, props, "Action", what="the permission")
        principal = self.text(logical, props, "Principal", what="the permission")
        if action is None or principal is None:
            return
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


# Resource types that carry a policy under another name (or several), and what to say of them.
_UNMODELED_POLICY_PROPERTIES = {
    "AWS::Organizations::Policy": ("Content",),
    "AWS::Organizations::ResourcePolicy": ("Content",),
    "AWS::SSO::PermissionSet": (
        "InlinePolicy",
        "ManagedPolicies",
        "CustomerManagedPolicyReferences",
        "PermissionsBoundary",
    ),
}
_UNMODELED_HINTS = {
    "AWS::Organizations::Policy": (
        " (load the organization, with its policies, from the organization tree or the "
        "aws organizations CLI bundle)"
    ),
    "AWS::SSO::PermissionSet": (
        " (it applies to the AWSReservedSSO_ roles IAM Identity Center creates in the "
        "assigned accounts; load their account exports)"
    ),
}

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
    "AccessPolicy",
    "FileSystemPolicy",
    "PermissionsPolicyDocument",
    "InlinePolicy",
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
    text = read_text(file, label)
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
    builder = WorldBuilder(warnings, label=label)
    mapper = _Mapper(t, builder)
    transform = doc.get("Transform")
    transforms = transform if isinstance(transform, list) else [transform] if transform else []
    # AWS::LanguageExtensions adds Fn::Length, Fn::ToJsonString and Fn::FindInMap defaults,
    # which are evaluated here, and Fn::ForEach, which is reported below.
    unexpanded = [str(name) for name in transforms if name != "AWS::LanguageExtensions"]
    if unexpanded:
        names = ", ".join(unexpanded)
        message = (
            f"the template uses the transform {names}, which is not expanded: what it "
            "generates or changes is unknown (load the processed template of a deployed "
            "stack or change set: aws cloudformation get-template --template-stage Processed)"
        )
        warnings.add(label, "Transform", message)
        # A macro may rewrite any resource, SAM adds policies (connectors, ...): each
        # principal and resource of the template may have policies that are not modeled.
        reason = f"the template's transform {names} is not expanded"
        mapper.some_unknown("principal", reason, "Transform")
        mapper.some_unknown("*", reason, "Transform")
    current = ""
    try:
        for logical in t.resources:
            current = logical
            res = t.resources[logical]
            where = f"/Resources/{logical}"
            if str(logical).startswith("Fn::ForEach::"):
                # AWS::LanguageExtensions' loop: the resources it generates are not modeled,
                # and may carry policies for any principal or resource of the template.
                reason = f"{logical} is not expanded"
                warnings.add(label, logical, f"{reason}; the resources it generates are unknown")
                mapper.some_unknown("principal", reason, logical)
                mapper.some_unknown("*", reason, logical)
                continue
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
                    unknown = f"condition {condition} is unknown ({value.reason})"
                    if res["Type"] in _AFFECTS:
                        # It may exist or not: what its policy would decide is refused.
                        warnings.add(
                            label,
                            logical,
                            f"{unknown}; whether the resource exists is unknown, so requests "
                            "its policy would decide are refused",
                        )
                        forced = Unknown(f"{unknown}: the policy may or may not exist")
                        mapper.map(logical, res["Type"], forced)
                    else:
                        warnings.add(label, logical, f"{unknown}; the resource is not modeled")
                    continue
                if not value:
                    continue
            rtype = res["Type"]
            if hasattr(mapper, rtype.replace("::", "__")):
                mapper.map(logical, rtype)
                continue
            props = res.get("Properties")
            policy_keys = _UNMODELED_POLICY_PROPERTIES.get(rtype, _POLICY_PROPERTIES)
            carried = [k for k in policy_keys if isinstance(props, Mapping) and k in props]
            if carried:
                warnings.add(
                    label,
                    logical,
                    f"{rtype} carries a policy ({', '.join(carried)}) that is not modeled; "
                    f"it is ignored{_UNMODELED_HINTS.get(rtype, '')}",
                )
        mapper.finish()
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
    return _with_role_ids(builder.build(), t, mapper), warnings


def _with_role_ids(world: World, t: _Template, mapper: _Mapper) -> World:
    """Give each role whose ``RoleId`` the template uses that placeholder as its unique ID, so
    ``aws:userid`` of its sessions (``ROLEID:session``) matches the policies that name it."""
    ids: dict[str, str] = {}
    notes: list[str] = []
    for logical, role_id in t.role_ids.items():
        entity = mapper.entities.get(logical)
        if entity is not None and entity.arn in world.roles:
            ids[entity.arn] = role_id
            notes.append(
                f"{t.source}: {logical}: IAM assigns the RoleId at creation; the placeholder "
                f"{role_id} stands in for it (it is the role's unique ID in aws:userid)"
            )
    if not ids:
        return world
    roles = {
        arn: dataclasses.replace(role, id=ids[arn]) if arn in ids else role
        for arn, role in world.roles.items()
    }
    return dataclasses.replace(world, roles=roles, notes=(*world.notes, *notes))


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
