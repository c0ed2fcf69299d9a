"""Evaluating a template: parameters, mappings, conditions, pseudo parameters and the intrinsic
functions.

Owns :class:`Template`, which resolves ``Ref``, ``Fn::GetAtt``, ``Fn::Sub``, ``Fn::Join``,
``Fn::Select``, ``Fn::Split``, ``Fn::If``, ``Fn::FindInMap``, the condition functions,
``Fn::Base64``, ``Fn::ToJsonString`` and ``Fn::Length`` offline, names the physical resources
CloudFormation would generate, and leaves what only a deployment knows (``Fn::ImportValue``,
``Fn::GetAZs``, a parameter without a default) an :class:`Unknown`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from iamsim.errors import InputError
from iamsim.ingest.cloudformation.schema import NAME_LIMITS, NAME_PROPERTY
from iamsim.ingest.documents import close_match
from iamsim.ingest.iac.placeholders import (
    PLACEHOLDER_ACCOUNT,
    PLACEHOLDER_REGION,
    Env,
    dns_suffix,
    partition_of_region,
    placeholder_alnum,
    placeholder_uuid,
)
from iamsim.ingest.iac.standins import CFN_STANDINS, standin_note
from iamsim.ingest.iac.unknown import Unknown, Warnings, find_unknown

NO_VALUE = object()  # AWS::NoValue: the property is removed


def is_intrinsic(value: Any) -> str | None:
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


class Template:
    """One template being evaluated: its sections, parameter values and the pseudo
    parameters, with memoised conditions and generated physical names."""

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
                value = Unknown(
                    f"parameter {name} has no default (pass it with --param {name}=VALUE "
                    "or --param-file FILE)"
                )
            ptype = str(decl.get("Type", "String"))
            if isinstance(value, str) and (
                ptype.startswith("List<") or ptype == "CommaDelimitedList"
            ):
                value = [v.strip() for v in value.split(",")] if value else []
            if ptype.startswith("AWS::SSM::Parameter::Value") and name not in parameters:
                value = Unknown(
                    f"parameter {name} is read from SSM Parameter Store when the "
                    f"stack is deployed (pass it with --param {name}=VALUE)"
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
            if value is NO_VALUE:
                raise self.error(f"condition {name!r} refers to itself", path)
            if self._condition_frames:
                self._condition_frames[-1].update(self._condition_deps.get(name, ()))
            return value
        if name not in self.conditions_src:
            raise self.error(f"condition {name!r} is not defined", path)
        self._conditions[name] = NO_VALUE
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
        limit = NAME_LIMITS.get(rtype, 128)
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
        prop = NAME_PROPERTY.get(rtype)
        props = res.get("Properties") or {}
        value: Any = None
        if prop is not None and isinstance(props, Mapping) and props.get(prop) is not None:
            value = self._property(logical, prop)
        if value is None or value is NO_VALUE:
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
        if rtype in NAME_PROPERTY:
            return self.physical_name(logical)
        standin = self._standin(logical, rtype, "Ref")
        if standin is not None:
            return standin
        return Unknown(f"the physical ID of {logical} ({rtype}) is assigned by CloudFormation")

    def _standin(self, logical: str, rtype: str, attr: str) -> Any:
        """The stand-in for ``Ref``/``Fn::GetAtt`` of a resource whose identifier
        CloudFormation or the service assigns (see :mod:`iamsim.ingest.iac.standins`), noted;
        None for a type or attribute without one."""
        entry = CFN_STANDINS.get(rtype)
        if entry is None:
            return None
        name_property, rule = entry
        name: Any = None
        if name_property is not None:
            props = self.resources[logical].get("Properties") or {}
            if isinstance(props, Mapping) and props.get(name_property) is not None:
                name = self._property(logical, name_property)
            if name is None or name is NO_VALUE:
                name = self._generated(logical, rtype)
        self.uses("AWS::Region", "AWS::AccountId")
        env = Env(account=self.account, partition=self.partition, region=self.region)
        value = rule(name, f"{self.stack_name}/{logical}", env).get(attr)
        if value is None:
            return None
        if not isinstance(value, Unknown):
            what = logical if attr == "Ref" else f"{logical}.{attr}"
            self.warnings.add(
                self.source,
                logical,
                standin_note(f"{what} ({rtype})", value, "known once the stack is created"),
            )
        return value

    def role_id(self, logical: str) -> str:
        """The placeholder RoleId of role ``logical`` (CloudFormation's is assigned by IAM);
        it becomes the role's unique ID, so ``aws:userid`` of its sessions matches it."""
        if logical not in self.role_ids:
            self.role_ids[logical] = "AROA" + placeholder_alnum(f"{self.stack_name}/{logical}", 17)
        return self.role_ids[logical]

    def get_att(self, logical: str, attr: str, path: str) -> Any:
        res = self.resources[logical]
        rtype = str(res.get("Type"))
        name = self.physical_name(logical) if rtype in NAME_PROPERTY else None
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
            standin = self._standin(logical, rtype, attr)
            if standin is not None:
                return standin
            return Unknown(f"{logical}.{attr} ({rtype}) is known only after the stack is created")
        return getter()

    # -- intrinsic functions

    def ev(self, value: Any, path: str) -> Any:
        """Evaluate intrinsics in ``value`` (found at JSON pointer ``path``)."""
        fn = is_intrinsic(value)
        if fn is not None:
            return self.intrinsic(fn, value[fn], f"{path}/{fn}")
        if isinstance(value, Mapping):
            out: dict[str, Any] = {}
            for k, v in value.items():
                item = self.ev(v, f"{path}/{k}")
                if item is not NO_VALUE:
                    out[str(k)] = item
            return out
        if isinstance(value, list):
            items = [self.ev(v, f"{path}/{i}") for i, v in enumerate(value)]
            return [i for i in items if i is not NO_VALUE]
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
            return sep.join(as_text(i) for i in items)
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
            return unknown if unknown is not None else as_text(a) == as_text(b)
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
                placeholder = self._placeholder_key(args)
                if placeholder is not None:
                    # Keyed by a stand-in for the deployment's region or account: the real
                    # key may well be in the map. Unknown, not an error.
                    return Unknown(
                        f"{path}: Fn::FindInMap is keyed by {placeholder}, a placeholder "
                        f"({_PSEUDO_HINT[placeholder]})"
                    )
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
            return base64.b64encode(as_text(value).encode()).decode()
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

    def _placeholder_key(self, args: list[Any]) -> str | None:
        """The pseudo parameter whose placeholder value is one of a FindInMap's keys."""
        keys = {str(a) for a in args[1:3]}
        if self.region_is_placeholder and self.region in keys:
            return "AWS::Region"
        if self.account_is_placeholder and self.account in keys:
            return "AWS::AccountId"
        if self.partition_is_placeholder and self.partition in keys:
            return "AWS::Partition"
        return None

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
            return NO_VALUE
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
            out.append(as_text(value))
        return "".join(out)


# CloudFormation's intrinsic functions (the condition functions included). Those evaluated
# here are handled in Template.intrinsic; the others make a value unknown; any other Fn::
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
_PSEUDO_HINT = {
    "AWS::Region": "the stack's region is not known; set it with --default-region REGION",
    "AWS::AccountId": "the stack's account is not known; set it with --default-account ID",
    "AWS::Partition": "the stack's region is not known; set it with --default-region REGION",
}

_OFFLINE_UNSUPPORTED = frozenset({"Fn::Cidr", "Fn::Transform"})


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _join(*parts: Any) -> Any:
    for p in parts:
        if isinstance(p, Unknown):
            return p
    return "".join(str(p) for p in parts)
