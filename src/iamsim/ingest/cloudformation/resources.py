"""Mapping the template's resources onto the world model, through the IaC world builder.

Owns :class:`Mapper` (one method per mapped resource type: IAM users, groups, roles, policies,
instance profiles, S3 buckets and bucket policies, KMS keys, SQS/SNS policies, Lambda
permissions), the unknown-policy bookkeeping that makes affected principals and resources
unresolved, and :func:`with_role_ids`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from iamsim.ingest.cloudformation.intrinsics import NO_VALUE, Template, as_text, is_intrinsic
from iamsim.ingest.cloudformation.schema import AFFECTS, NAME_PROPERTY
from iamsim.ingest.iac.policies import checked_policy, default_kms_key_policy
from iamsim.ingest.iac.unknown import Unknown, find_unknown
from iamsim.ingest.iac.world import WorldBuilder
from iamsim.model import World
from iamsim.policy.model import Policy, PolicyType

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


class Mapper:
    """Puts each resource of a template into the world builder (method ``AWS__IAM__Role``
    for ``AWS::IAM::Role``, ...), keeping what a policy of unknown target may affect."""

    def __init__(self, t: Template, builder: WorldBuilder) -> None:
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
            if rtype in AFFECTS:
                self.some_unknown(AFFECTS[rtype], f"{reason}; its policy may apply here", logical)
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
        if is_intrinsic(props) is not None:
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
            if item is not NO_VALUE:
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
        return as_text(value)

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
                out.append(as_text(item))
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
        return as_text(value)

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
            out[as_text(k)] = as_text(v)
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
                name=as_text(name),
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
        generated = NAME_PROPERTY[f"AWS::IAM::{kind.title()}"] not in props
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
                generated=NAME_PROPERTY["AWS::IAM::ManagedPolicy"] not in props,
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


def with_role_ids(world: World, t: Template, mapper: Mapper) -> World:
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
