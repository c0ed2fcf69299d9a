"""Evaluated Terraform resources onto the world model.

This module owns :class:`TfResource` (one resource instance as the plan and HCL loaders see it)
and :func:`build_world`: the per-resource-type mapping (``aws_iam_role``, attachments, bucket
and key policies, organizations, ...) into the :class:`~iamsim.ingest.iac.world.WorldBuilder`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from iamsim.errors import InputError
from iamsim.ingest.iac.computed import computed_attributes, value_of
from iamsim.ingest.iac.placeholders import Env, placeholder_name
from iamsim.ingest.iac.policies import checked_policy, default_kms_key_policy, parse_policy_value
from iamsim.ingest.iac.policy_document import tf_string
from iamsim.ingest.iac.standins import standin_attributes
from iamsim.ingest.iac.unknown import Unknown, Warnings, find_unknown
from iamsim.ingest.iac.world import WorldBuilder
from iamsim.ingest.terraform.arguments import IGNORED_TYPES, POLICY_ATTRIBUTES
from iamsim.ingest.terraform.runs_as import terraform_runs_as
from iamsim.model import (
    NodeKind,
    World,
)
from iamsim.policy.jsondoc import json_type as type_name
from iamsim.policy.model import Policy, PolicyType

# -- the Terraform resource mapping ---------------------------------------------------------------


@dataclass(frozen=True)
class TfResource:
    """One evaluated resource instance, as both Terraform loaders hand it to :func:`build_world`.

    ``values`` hold configured (HCL) or planned (plan JSON) attribute values; nested blocks are
    lists of mappings; a value that could not be computed is an :class:`Unknown`.
    """

    address: str
    type: str
    name: str
    values: Mapping[str, Any]
    env: Env
    source: str
    mode: str = "managed"
    # Set when the instance's count/for_each is unknown (the reason): it may or may not exist,
    # and its values were evaluated with count.index / each unknown (see _Mapper.uncertain).
    uncertain: str | None = None

    def attr(self, key: str) -> Any:
        """A configured value, else the provider-computed one, else the after-apply stand-in
        (the one the configuration's references saw), else None."""
        value = value_of(self.values, key)
        if value is not None:
            return value
        value = computed_attributes(
            self.type, self.address, self.values, self.env, data=self.mode == "data"
        ).get(key)
        if value is not None or self.mode != "managed":
            return value
        # A runs-as link names the resource by the same stand-in a policy referring to it got.
        return standin_attributes(self.type, self.address, self.values, self.env).get(key)


Refusal = Callable[[str], None]

# The argument naming the principal that a policy-bearing resource applies to: (kind, key).
_PRINCIPAL_TARGETS: dict[str, tuple[str, str]] = {
    "aws_iam_user_policy": ("user", "user"),
    "aws_iam_group_policy": ("group", "group"),
    "aws_iam_role_policy": ("role", "role"),
    "aws_iam_user_policy_attachment": ("user", "user"),
    "aws_iam_group_policy_attachment": ("group", "group"),
    "aws_iam_role_policy_attachment": ("role", "role"),
    "aws_iam_user_policy_attachments_exclusive": ("user", "user_name"),
    "aws_iam_group_policy_attachments_exclusive": ("group", "group_name"),
    "aws_iam_role_policy_attachments_exclusive": ("role", "role_name"),
    "aws_iam_user_group_membership": ("user", "user"),
}
# Resources that put a policy on another resource: the argument holding the policy.
_RESOURCE_POLICY_KEYS: dict[str, str] = {
    "aws_s3_bucket_policy": "policy",
    "aws_kms_key_policy": "policy",
    "aws_sqs_queue_policy": "policy",
    "aws_sns_topic_policy": "policy",
    "aws_secretsmanager_secret_policy": "policy",
    "aws_ecr_repository_policy": "policy",
    "aws_opensearch_domain_policy": "access_policies",
    "aws_elasticsearch_domain_policy": "access_policies",
    "aws_kinesis_resource_policy": "policy",
    "aws_dynamodb_resource_policy": "policy",
    "aws_backup_vault_policy": "policy",
    "aws_codeartifact_domain_permissions_policy": "policy_document",
    "aws_s3tables_table_bucket_policy": "resource_policy",
    "aws_cloudwatch_event_bus_policy": "policy",
}
# Resources that carry their own policy argument (None: tags only).
_TAGGED_POLICY_KEYS: dict[str, str | None] = {
    "aws_s3_bucket": "policy",
    "aws_kms_key": "policy",
    "aws_kms_replica_key": "policy",
    "aws_sqs_queue": "policy",
    "aws_sns_topic": "policy",
    "aws_secretsmanager_secret": "policy",
    "aws_opensearch_domain": "access_policies",
    "aws_elasticsearch_domain": "access_policies",
    "aws_lambda_function": None,
    "aws_ecr_repository": None,
    "aws_dynamodb_table": None,
}


class _Mapper:
    """Maps each resource onto the builder. A policy-bearing value it cannot compute (an
    inline policy, a boundary, an attachment, a trust or resource policy) is reported and, when
    the principal or resource it belongs to is known, that principal or resource is marked
    unresolved (``WorldBuilder.unresolved``/``resource_unresolved``): its requests are refused
    rather than answered from the rest of its policies."""

    def __init__(self, builder: WorldBuilder) -> None:
        self.b = builder
        self.quiet = False  # no notes about unknown values (an instance that may not exist)

    # value access with reporting

    def unknown_value(
        self, r: TfResource, key: str, value: Unknown, what: str, refuse: Refusal | None
    ) -> None:
        """Report that ``key`` of ``r`` is unknown (``what`` is left out) and, with ``refuse``,
        mark what it belongs to unresolved."""
        reason = f"{key} is unknown ({value.reason})"
        if refuse is not None:
            what += "; requests that need it are refused"
            refuse(reason)
        if not self.quiet:
            self.b.warn(r.source, r.address, f"{reason}; {what}")

    def refuse_principal(self, r: TfResource, kind: str, target: str) -> Refusal:
        def refuse(reason: str) -> None:
            self.b.unresolved(
                kind, r.env.account, target, reason, source=r.source, address=r.address
            )

        return refuse

    def refuse_principals(self, r: TfResource, targets: Sequence[tuple[str, str]]) -> Refusal:
        def refuse(reason: str) -> None:
            for kind, target in targets:
                self.refuse_principal(r, kind, target)(reason)

        return refuse

    def refuse_resource(self, r: TfResource, arn: str) -> Refusal:
        def refuse(reason: str) -> None:
            self.b.resource_unresolved(
                arn, reason, address=r.address, account=r.env.account, source=r.source
            )

        return refuse

    def text(
        self,
        r: TfResource,
        key: str,
        *,
        what: str | None = None,
        refuse: Refusal | None = None,
    ) -> str | None:
        value = r.attr(key)
        if value is None:
            return None
        if isinstance(value, Unknown):
            self.unknown_value(r, key, value, f"{what or 'the resource'} is not modeled", refuse)
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise InputError(
                f"expected a string, found {type_name(value)}",
                path=f"{r.address}.{key}",
                source=r.source,
            )
        return tf_string(value)

    def texts(
        self, r: TfResource, key: str, value: Any = None, *, refuse: Refusal | None = None
    ) -> list[str]:
        value = r.attr(key) if value is None else value
        if value is None:
            return []
        if isinstance(value, Unknown):
            self.unknown_value(r, key, value, "it is ignored", refuse)
            return []
        if not isinstance(value, list | tuple):
            raise InputError(
                f"expected a list, found {type_name(value)}",
                path=f"{r.address}.{key}",
                source=r.source,
            )
        out = []
        for item in value:
            if isinstance(item, Unknown):
                self.unknown_value(r, f"an element of {key}", item, "it is left out", refuse)
            elif item is not None:
                out.append(str(tf_string(item) or item))
        return out

    def policy(
        self,
        r: TfResource,
        key: str,
        ptype: PolicyType,
        *,
        name: str | None,
        value: Any = None,
        refuse: Refusal | None = None,
    ) -> Policy | None:
        value = r.attr(key) if value is None else value
        if value is None or value == "":
            return None
        if isinstance(value, Unknown):
            self.unknown_value(r, key, value, "the policy is not loaded", refuse)
            return None
        return checked_policy(
            self.b,
            value,
            ptype,
            name=name,
            source=r.source,
            address=r.address,
            where=f"{r.address}.{key}",
        )

    def tags(self, r: TfResource) -> dict[str, str]:
        value = value_of(r.values, "tags_all")
        if not isinstance(value, Mapping) or find_unknown(value) is not None:
            merged: dict[str, Any] = dict(r.env.default_tags)
            tags = value_of(r.values, "tags")
            if isinstance(tags, Unknown):
                self.b.warn(r.source, r.address, f"tags are unknown ({tags.reason}); ignored")
                tags = None
            merged.update(tags or {})
            value = merged
        out: dict[str, str] = {}
        for k, v in value.items():
            if isinstance(v, Unknown):
                self.b.warn(r.source, r.address, f"tag {k!r} is unknown ({v.reason}); ignored")
            elif v is not None:
                out[str(k)] = v if isinstance(v, str) else json.dumps(v)
        return out

    def generated(self, r: TfResource, key: str = "name") -> None:
        if value_of(r.values, key) is None:
            self.b.warn(
                r.source,
                r.address,
                f"no {key} is configured; AWS/Terraform chooses it at apply time, so the "
                f"placeholder {r.attr(key)!r} stands in for it",
            )

    def principal_name(
        self, r: TfResource, key: str, *, refuse: Refusal | None = None
    ) -> str | None:
        """A user/group/role name argument; an ARN given instead is reduced to its name."""
        value = self.text(r, key, what="the attachment", refuse=refuse)
        if value is not None and value.startswith("arn:"):
            value = value.rsplit("/", 1)[-1]
        return value

    # IAM principals

    def entity(self, r: TfResource, kind: str) -> Any:
        generated = value_of(r.values, "name") is None  # a placeholder for the name AWS chooses
        if kind != "role" or not generated:
            name = self.text(r, "name", what=f"the {kind}")
        else:
            self.generated(r)
            name = self.text(r, "name", what=f"the {kind}")
        if name is None:
            if r.attr("name") is None:
                raise InputError(f"the {kind} has no name", path=r.address, source=r.source)
            return None
        path = self.text(r, "path", what=f"the {kind} (its ARN)")
        if path is None and r.attr("path") is not None:
            return None  # an unknown path: the principal's ARN is unknown
        entity = self.b.add_principal(
            kind,
            account=r.env.account,
            partition=r.env.partition,
            name=name,
            path=path or "/",
            source=r.source,
            address=r.address,
            generated=generated,
        )
        # Only a unique ID the input knows (a state) or refers to (a policy naming
        # aws_iam_role.x.unique_id) is recorded; see WorldBuilder / _Entity.id.
        unique_id = value_of(r.values, "unique_id")
        if isinstance(unique_id, str) and unique_id:
            entity.id = unique_id
        return entity

    def aws_iam_user(self, r: TfResource) -> None:
        e = self.entity(r, "user")
        if e is None:
            return
        refuse = self.refuse_principal(r, "user", e.name)
        e.boundary = (
            self.text(r, "permissions_boundary", what="the boundary", refuse=refuse) or None
        )
        e.tags = self.tags(r)

    def aws_iam_group(self, r: TfResource) -> None:
        self.entity(r, "group")

    def aws_iam_role(self, r: TfResource) -> None:
        e = self.entity(r, "role")
        if e is None:
            return
        refuse = self.refuse_principal(r, "role", e.name)
        e.trust = self.policy(
            r, "assume_role_policy", PolicyType.TRUST, name="trust policy", refuse=refuse
        )
        e.boundary = (
            self.text(r, "permissions_boundary", what="the boundary", refuse=refuse) or None
        )
        e.tags = self.tags(r)
        blocks = r.attr("inline_policy")
        if isinstance(blocks, Unknown):
            self.unknown_value(r, "inline_policy", blocks, "its policies are not loaded", refuse)
            blocks = None
        for i, block in enumerate(blocks or []):
            if isinstance(block, Unknown):  # a dynamic block whose for_each is unknown
                self.unknown_value(
                    r, f"inline_policy[{i}]", block, "its policies are not loaded", refuse
                )
                continue
            if not isinstance(block, Mapping):
                raise InputError(
                    "an inline_policy block must be an object",
                    path=f"{r.address}.inline_policy[{i}]",
                    source=r.source,
                )
            pname, doc = block.get("name"), block.get("policy")
            if pname is None and doc is None:
                continue  # an empty block means "no inline policies" to the provider
            if isinstance(pname, Unknown):
                self.unknown_value(
                    r, f"inline_policy[{i}].name", pname, "the policy is not loaded", refuse
                )
                continue
            if pname is None:
                pname = placeholder_name(
                    f"{r.address}.inline_policy[{i}]", block.get("name_prefix")
                )
            policy = self.policy(
                r,
                f"inline_policy[{i}].policy",
                PolicyType.IDENTITY,
                name=str(pname),
                value=doc if doc is not None else "",
                refuse=refuse,
            )
            if policy is not None:
                e.inline[str(pname)] = policy
        for arn in self.texts(r, "managed_policy_arns", refuse=refuse):
            if arn not in e.managed:
                e.managed.append(arn)

    def aws_iam_policy(self, r: TfResource) -> None:
        self.generated(r)
        name = self.text(r, "name", what="the policy")
        arn = self.text(r, "arn", what="the policy")
        if name is None or arn is None:
            return

        def refuse(reason: str) -> None:
            self.b.managed_unresolved(arn, reason, address=r.address)

        doc = self.policy(r, "policy", PolicyType.IDENTITY, name=name, refuse=refuse)
        if doc is None:
            if r.attr("policy") is None:
                raise InputError("the policy has no document", path=r.address, source=r.source)
            return
        path = self.text(r, "path") or "/"
        self.b.add_managed_policy(
            arn,
            name,
            path,
            doc,
            source=r.source,
            address=r.address,
            generated=value_of(r.values, "name") is None,
        )

    def _inline(self, r: TfResource, kind: str) -> None:
        target = self.principal_name(r, kind)
        self.generated(r)
        refuse = None if target is None else self.refuse_principal(r, kind, target)
        pname = self.text(r, "name", what="the policy", refuse=refuse)
        if target is None or pname is None:
            return
        doc = self.policy(r, "policy", PolicyType.IDENTITY, name=pname, refuse=refuse)
        if doc is not None:
            self.b.add_inline(kind, r.env.account, target, doc, source=r.source, address=r.address)

    def aws_iam_user_policy(self, r: TfResource) -> None:
        self._inline(r, "user")

    def aws_iam_group_policy(self, r: TfResource) -> None:
        self._inline(r, "group")

    def aws_iam_role_policy(self, r: TfResource) -> None:
        self._inline(r, "role")

    def _attachment(self, r: TfResource, kind: str, key: str) -> None:
        target = self.principal_name(r, key)
        refuse = None if target is None else self.refuse_principal(r, kind, target)
        arn = self.text(r, "policy_arn", what="the attachment", refuse=refuse)
        if target is not None and arn is not None:
            self.b.attach(kind, r.env.account, target, arn, source=r.source, address=r.address)

    def aws_iam_user_policy_attachment(self, r: TfResource) -> None:
        self._attachment(r, "user", "user")

    def aws_iam_group_policy_attachment(self, r: TfResource) -> None:
        self._attachment(r, "group", "group")

    def aws_iam_role_policy_attachment(self, r: TfResource) -> None:
        self._attachment(r, "role", "role")

    def _attachment_targets(self, r: TfResource) -> list[tuple[str, str]]:
        return [
            (kind, target)
            for kind, key in (("user", "users"), ("group", "groups"), ("role", "roles"))
            for target in self.texts(r, key)
        ]

    def aws_iam_policy_attachment(self, r: TfResource) -> None:
        targets = self._attachment_targets(r)
        refuse = self.refuse_principals(r, targets) if targets else None
        arn = self.text(r, "policy_arn", what="the attachment", refuse=refuse)
        if arn is None:
            return
        for kind, target in targets:
            self.b.attach(kind, r.env.account, target, arn, source=r.source, address=r.address)

    def _exclusive(self, r: TfResource, kind: str) -> None:
        target = self.principal_name(r, f"{kind}_name")
        if target is None:
            return
        refuse = self.refuse_principal(r, kind, target)
        for arn in self.texts(r, "policy_arns", refuse=refuse):
            self.b.attach(kind, r.env.account, target, arn, source=r.source, address=r.address)

    def aws_iam_user_policy_attachments_exclusive(self, r: TfResource) -> None:
        self._exclusive(r, "user")

    def aws_iam_group_policy_attachments_exclusive(self, r: TfResource) -> None:
        self._exclusive(r, "group")

    def aws_iam_role_policy_attachments_exclusive(self, r: TfResource) -> None:
        self._exclusive(r, "role")

    def aws_iam_group_membership(self, r: TfResource) -> None:
        users = self.texts(r, "users")
        # An unknown group gives its (unknown) policies to the listed users.
        refuse = self.refuse_principals(r, [("user", u) for u in users]) if users else None
        group = self.principal_name(r, "group", refuse=refuse)
        if group is None:
            return
        for user in users:
            self.b.add_membership(r.env.account, user, group, source=r.source, address=r.address)

    def aws_iam_user_group_membership(self, r: TfResource) -> None:
        user = self.principal_name(r, "user")
        if user is None:
            return
        refuse = self.refuse_principal(r, "user", user)
        for group in self.texts(r, "groups", refuse=refuse):
            self.b.add_membership(r.env.account, user, group, source=r.source, address=r.address)

    def aws_iam_instance_profile(self, r: TfResource) -> None:
        role = self.principal_name(r, "role")
        arn = self.text(r, "arn", what="the instance profile")
        if role is None or arn is None:
            return
        name, path = value_of(r.values, "name"), value_of(r.values, "path")
        if isinstance(name, str):  # as written (a generated or unknown name is not checked)
            self.b.check_name(
                "instance-profile",
                name,
                path if isinstance(path, str) else "/",
                source=r.source,
                address=r.address,
            )
        self.b.add_instance_profile(r.env.account, role, arn, source=r.source, address=r.address)

    def aws_iam_service_linked_role(self, r: TfResource) -> None:
        self.b.warn(
            r.source,
            r.address,
            "service-linked roles are named and defined by their service; this one is not modeled",
        )

    # resources with policies

    def _resource_arn(self, r: TfResource, key: str = "arn") -> str | None:
        return self.text(r, key, what="the resource")

    def _tagged(self, r: TfResource, policy_key: str | None = None) -> None:
        arn = self._resource_arn(r)
        if arn is None:
            return
        res = self.b.resource(arn, r.env.account, source=r.source)
        res.tags.update(self.tags(r))
        if policy_key is not None:
            doc = self.policy(
                r,
                policy_key,
                PolicyType.RESOURCE,
                name=f"{r.type} policy",
                refuse=self.refuse_resource(r, arn),
            )
            if doc is not None:
                self.b.set_resource_policy(
                    arn, r.env.account, doc, source=r.source, address=r.address
                )

    def aws_s3_bucket(self, r: TfResource) -> None:
        self.generated(r, "bucket")
        self._tagged(r, "policy")

    def aws_kms_key(self, r: TfResource) -> None:
        self._tagged(r, "policy")
        arn = self._resource_arn(r)
        if arn is None or r.attr("policy") is not None:
            return
        doc = default_kms_key_policy(r.env.account, r.env.partition)
        policy = parse_policy_value(
            doc,
            PolicyType.RESOURCE,
            name="default key policy",
            source=r.source,
            where=f"{r.address}.policy",
        )
        self.b.set_resource_policy(arn, r.env.account, policy, source=r.source, address=r.address)
        self.b.notes.append(
            f"{r.source}: {r.address}: no key policy is configured; AWS's default key policy "
            "(the account's IAM policies decide) is used"
        )

    def aws_kms_replica_key(self, r: TfResource) -> None:
        self.aws_kms_key(r)

    def aws_sqs_queue(self, r: TfResource) -> None:
        self.generated(r)
        self._tagged(r, "policy")

    def aws_sns_topic(self, r: TfResource) -> None:
        self.generated(r)
        self._tagged(r, "policy")

    def aws_secretsmanager_secret(self, r: TfResource) -> None:
        self._tagged(r, "policy")

    def aws_lambda_function(self, r: TfResource) -> None:
        self._tagged(r)

    def aws_ecr_repository(self, r: TfResource) -> None:
        self._tagged(r)

    def aws_dynamodb_table(self, r: TfResource) -> None:
        self._tagged(r)

    def aws_opensearch_domain(self, r: TfResource) -> None:
        self._tagged(r, "access_policies")

    def aws_elasticsearch_domain(self, r: TfResource) -> None:
        self._tagged(r, "access_policies")

    def _regional(self, r: TfResource, service: str, resource: str | None) -> str | None:
        if resource is None:
            return None
        e = r.env
        return f"arn:{e.partition}:{service}:{e.region}:{e.account}:{resource}"

    def policy_target(self, r: TfResource) -> str | None:
        """The ARN of the resource that a resource of a ``_RESOURCE_POLICY_KEYS`` type puts its
        policy on (None, reported, when it cannot be determined)."""
        t = r.type
        if t == "aws_s3_bucket_policy":
            bucket = self.text(r, "bucket", what="the bucket policy")
            if bucket is None:
                return None
            bucket = bucket.split(":::", 1)[-1] if bucket.startswith("arn:") else bucket
            return f"arn:{r.env.partition}:s3:::{bucket}"
        if t == "aws_kms_key_policy":
            key = self.text(r, "key_id", what="the key policy")
            if key is not None and not key.startswith("arn:"):
                key = self._regional(r, "kms", f"key/{key}")
            return key
        if t == "aws_sqs_queue_policy":
            url = self.text(r, "queue_url", what="the queue policy")
            if url is None or url.startswith("arn:"):
                return url
            # https://sqs.<region>.amazonaws.com/<account>/<name>
            parts = url.rstrip("/").split("/")
            host = parts[2] if len(parts) > 2 else ""
            region = host.split(".")[1] if host.count(".") >= 2 else r.env.region
            if len(parts) < 5:
                raise InputError(
                    f"{url!r} is not an SQS queue URL",
                    path=f"{r.address}.queue_url",
                    source=r.source,
                )
            return f"arn:{r.env.partition}:sqs:{region}:{parts[-2]}:{parts[-1]}"
        if t == "aws_sns_topic_policy":
            return self.text(r, "arn", what="the topic policy")
        if t == "aws_secretsmanager_secret_policy":
            return self.text(r, "secret_arn", what="the secret policy")
        if t == "aws_ecr_repository_policy":
            repo = self.text(r, "repository", what="the repository policy")
            return self._regional(r, "ecr", None if repo is None else f"repository/{repo}")
        if t in ("aws_opensearch_domain_policy", "aws_elasticsearch_domain_policy"):
            name = self.text(r, "domain_name", what="the domain policy")
            return self._regional(r, "es", None if name is None else f"domain/{name}")
        if t in ("aws_kinesis_resource_policy", "aws_dynamodb_resource_policy"):
            return self.text(r, "resource_arn", what="the policy")
        if t == "aws_backup_vault_policy":
            name = self.text(r, "backup_vault_name", what="the vault policy")
            return self._regional(r, "backup", None if name is None else f"backup-vault:{name}")
        if t == "aws_codeartifact_domain_permissions_policy":
            domain = self.text(r, "domain", what="the domain policy")
            return self._regional(r, "codeartifact", None if domain is None else f"domain/{domain}")
        if t == "aws_s3tables_table_bucket_policy":
            return self.text(r, "table_bucket_arn", what="the table bucket policy")
        if t == "aws_cloudwatch_event_bus_policy":
            if r.attr("event_bus_name") is None:
                bus: str | None = "default"
            else:
                bus = self.text(r, "event_bus_name", what="the event bus policy")
                bus = "default" if bus == "" else bus
            if bus is None or bus.startswith("arn:"):
                return bus
            return self._regional(r, "events", f"event-bus/{bus}")
        if t == "aws_lambda_permission":
            fn = self.text(r, "function_name", what="the permission")
            if fn is None or fn.startswith("arn:"):
                return fn
            return self._regional(r, "lambda", f"function:{fn}")
        raise AssertionError(f"no policy target for {t}")  # pragma: no cover

    def resource_policy(self, r: TfResource) -> None:
        """A resource that puts a policy on another resource (``aws_s3_bucket_policy``, ...)."""
        arn = self.policy_target(r)
        if arn is None:
            return
        key = _RESOURCE_POLICY_KEYS[r.type]
        doc = self.policy(
            r, key, PolicyType.RESOURCE, name=f"{r.type}", refuse=self.refuse_resource(r, arn)
        )
        if doc is not None:
            self.b.set_resource_policy(arn, r.env.account, doc, source=r.source, address=r.address)

    def aws_lambda_permission(self, r: TfResource) -> None:
        arn = self.policy_target(r)
        if arn is None:
            return
        refuse = self.refuse_resource(r, arn)
        # Every argument that shapes the statement must be known: one left out would widen it
        # (a condition dropped, a qualifier lost), so the function's policy is refused instead.
        shaping = (
            "action",
            "principal",
            "qualifier",
            "source_arn",
            "source_account",
            "principal_org_id",
            "event_source_token",
            "function_url_auth_type",
        )
        unknown = False
        for key in shaping:
            value = r.attr(key)
            if isinstance(value, Unknown):
                self.unknown_value(r, key, value, "the permission is not modeled", refuse)
                unknown = True
        action = self.text(r, "action", what="the permission")
        principal = self.text(r, "principal", what="the permission")
        if unknown or action is None or principal is None:
            return
        qualifier = self.text(r, "qualifier")
        resource = f"{arn}:{qualifier}" if qualifier else arn
        # AddPermission: a service name becomes a Service principal, an account or ARN an AWS
        # principal, "*" the anonymous principal.
        if principal == "*":
            who: Any = "*"
        elif principal.endswith((".amazonaws.com", ".amazonaws.com.cn")):
            who = {"Service": principal}
        else:
            who = {"AWS": principal}
        stmt: dict[str, Any] = {
            "Effect": "Allow",
            "Principal": who,
            "Action": action,
            "Resource": resource,
        }
        sid = self.text(r, "statement_id")
        if sid:
            stmt["Sid"] = sid
        cond: dict[str, dict[str, str]] = {}
        for key, op, ckey in (
            ("source_arn", "ArnLike", "AWS:SourceArn"),
            ("source_account", "StringEquals", "AWS:SourceAccount"),
            ("principal_org_id", "StringEquals", "aws:PrincipalOrgID"),
            ("event_source_token", "StringEquals", "lambda:EventSourceToken"),
            ("function_url_auth_type", "StringEquals", "lambda:FunctionUrlAuthType"),
        ):
            value = self.text(r, key)
            if value:
                cond.setdefault(op, {})[ckey] = value
        if cond:
            stmt["Condition"] = cond
        self.b.add_resource_statement(arn, r.env.account, stmt, source=r.source, address=r.address)

    # instances that may not exist

    def uncertain(self, r: TfResource, reason: str) -> None:
        """``r`` has an unknown ``count``/``for_each``: it may exist, once or more, or not at
        all. Its values were evaluated with ``count.index``/``each`` unknown; the principals
        or resource it would give a policy to, where they are known anyway, are refused."""
        why = f"count/for_each is unknown ({reason})"
        self.quiet = True
        try:
            principals: list[tuple[str, str]] = []
            arn: str | None = None
            if r.type in _PRINCIPAL_TARGETS:
                kind, key = _PRINCIPAL_TARGETS[r.type]
                target = self.principal_name(r, key)
                if target is not None:
                    principals.append((kind, target))
            elif r.type == "aws_iam_policy_attachment":
                principals = self._attachment_targets(r)
            elif r.type == "aws_iam_group_membership":
                principals = [("user", u) for u in self.texts(r, "users")]
            elif r.type in _RESOURCE_POLICY_KEYS or r.type == "aws_lambda_permission":
                arn = self.policy_target(r)
            elif r.attr(_TAGGED_POLICY_KEYS.get(r.type) or "-") is not None:
                arn = self._resource_arn(r)  # a resource that may exist with its policy
        finally:
            self.quiet = False
        for kind, target in principals:
            self.refuse_principal(r, kind, target)(why)
            self.b.warn(
                r.source,
                r.address,
                f"{why}; requests that need the policies of {kind} {target!r} are refused",
            )
        if arn is not None:
            self.refuse_resource(r, arn)(why)
            self.b.warn(
                r.source,
                r.address,
                f"{why}; requests that need the resource-based policy of {arn} are refused",
            )

    # organizations

    def aws_organizations_organization(self, r: TfResource) -> None:
        org_id, roots = r.attr("id"), r.attr("roots")
        root_id = roots[0]["id"] if isinstance(roots, list) and roots else None
        if not isinstance(org_id, str) or not isinstance(root_id, str):
            self.b.warn(r.source, r.address, "the organization's IDs are unknown; not modeled")
            return
        types = self.texts(r, "enabled_policy_types")
        self.b.account(r.env.account, r.env.partition)
        self.b.define_organization(
            org_id,
            root_id,
            r.env.account,
            scp="SERVICE_CONTROL_POLICY" in types,
            rcp="RESOURCE_CONTROL_POLICY" in types,
            source=r.source,
        )

    def aws_organizations_organizational_unit(self, r: TfResource) -> None:
        unit_id = self.text(r, "id", what="the OU")
        if unit_id is None:
            return
        parent = r.attr("parent_id")
        self.b.add_org_unit(
            unit_id, NodeKind.OU, self.text(r, "name"), parent, source=r.source, address=r.address
        )

    def aws_organizations_account(self, r: TfResource) -> None:
        acct = self.text(r, "id", what="the account")
        if acct is None:
            return
        if value_of(r.values, "id") is None:
            self.b.warn(
                r.source,
                r.address,
                f"the new account's ID is chosen by AWS; the placeholder {acct} stands in for it",
            )
        parent = r.attr("parent_id")
        self.b.add_org_unit(
            acct, NodeKind.ACCOUNT, self.text(r, "name"), parent, source=r.source, address=r.address
        )

    def aws_organizations_policy(self, r: TfResource) -> None:
        ptype_text = self.text(r, "type") or "SERVICE_CONTROL_POLICY"
        ptype = {
            "SERVICE_CONTROL_POLICY": PolicyType.SCP,
            "RESOURCE_CONTROL_POLICY": PolicyType.RCP,
        }.get(ptype_text)
        if ptype is None:
            return  # tag, backup and AI opt-out policies do not take part in authorization
        policy_id = self.text(r, "id", what="the policy")
        name = self.text(r, "name")
        doc = self.policy(r, "content", ptype, name=name)
        if policy_id is not None and doc is not None:
            self.b.add_org_policy(policy_id, doc, ptype, source=r.source, address=r.address)

    def aws_organizations_policy_attachment(self, r: TfResource) -> None:
        policy_id = self.text(r, "policy_id", what="the attachment")
        target = self.text(r, "target_id", what="the attachment")
        if policy_id is not None and target is not None:
            self.b.attach_org_policy(policy_id, target, source=r.source, address=r.address)


def build_world(
    resources: Sequence[TfResource],
    warnings: Warnings,
    *,
    label: str,
    notes: Iterable[str] = (),
) -> World:
    """Map evaluated Terraform resources onto a World; ``warnings`` collects what is left out."""
    builder = WorldBuilder(warnings, label=label)
    builder.notes.extend(notes)
    mapper = _Mapper(builder)
    for r in resources:
        if r.mode != "managed" or r.type in IGNORED_TYPES:
            continue
        if r.uncertain is not None:
            mapper.uncertain(r, r.uncertain)
            continue
        if r.type in _RESOURCE_POLICY_KEYS:
            mapper.resource_policy(r)
            continue
        handler = getattr(mapper, r.type, None) if r.type.startswith("aws_") else None
        if handler is not None:
            handler(r)
            continue
        for key in POLICY_ATTRIBUTES:
            if value_of(r.values, key) not in (None, ""):
                builder.warn(
                    r.source,
                    r.address,
                    f"{r.type} carries a policy ({key}) that iamsim does not model; it is ignored",
                )
                break
    links = terraform_runs_as(resources, warnings)
    world = builder.build()
    return dataclasses.replace(world, runs_as=(*world.runs_as, *links)) if links else world
