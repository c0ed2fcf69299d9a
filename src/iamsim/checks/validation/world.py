"""Validation of a loaded world: every customer policy with its known type, and the checks
across policies and inputs.

Across policies: ``multiple-boundaries`` (error: a principal has at most one permissions
boundary), ``policy-too-large`` for the per-entity sums of inline policies,
``boundary-not-found``, ``managed-policy-not-found`` and ``group-not-found`` (warnings: the
request builder would refuse questions that need them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from iamsim.checks.validation.catalog_checks import catalog_findings
from iamsim.checks.validation.results import ValidationFinding, locate, sorted_findings
from iamsim.errors import InputError
from iamsim.model import Group, Role, User, World
from iamsim.model.managed import aws_managed_policy
from iamsim.policy import check_policy
from iamsim.policy.model import Policy, PolicyType
from iamsim.policy.quotas import QUOTAS, QuotaKind, policy_size
from iamsim.policy.render import policy_to_dict

# The organization's built-in policies: AWS's, not the customer's, so not validated.
BUILTIN_ORG_POLICIES = frozenset({"FullAWSAccess", "RCPFullAWSAccess"})


def policy_findings(
    policy: Policy,
    *,
    file: str,
    quota_kind: QuotaKind | None = None,
    catalog: Any = None,
) -> list[ValidationFinding]:
    """Lint, quota and catalog findings of a parsed policy of a loaded input."""
    # As written when the policy leaves statements out (an inert lower-case "allow"), so that
    # validate reports what AWS stores, not an empty Statement.
    document = dict(policy.written) if policy.written is not None else policy_to_dict(policy)
    findings = check_policy(document, policy.policy_type, quota_kind=quota_kind)
    findings += catalog_findings(policy, catalog=catalog)
    return locate(findings, file=file, policy=policy.label, policy_type=policy.policy_type)


def validate_world(world: World, *, catalog: Any = None) -> list[ValidationFinding]:
    """Every customer policy of ``world`` with its known type, plus the cross-policy checks.

    AWS managed policies (and the organization's FullAWSAccess/RCPFullAWSAccess) are not
    checked: they are AWS's, and their actions may be newer than the service reference.
    """
    out: list[ValidationFinding] = []
    sources = world.sources

    def where(arn: str, policy: Policy | None = None) -> str:
        return (policy.source if policy is not None and policy.source else None) or sources.get(
            arn, ""
        )

    principals: list[User | Role] = [*world.users.values(), *world.roles.values()]
    boundaries = {e.boundary_arn for e in principals}
    for arn, managed in world.managed_policies.items():
        if managed.is_aws_managed:
            continue
        doc = managed.document
        if arn in boundaries:
            doc = managed.as_type(PolicyType.BOUNDARY)
        out += policy_findings(
            doc, file=where(arn, managed.document), quota_kind=QuotaKind.MANAGED, catalog=catalog
        )
    inline_quota: list[tuple[Mapping[str, User | Group | Role], QuotaKind]] = [
        (world.users, QuotaKind.USER_INLINE),
        (world.groups, QuotaKind.GROUP_INLINE),
        (world.roles, QuotaKind.ROLE_INLINE),
    ]
    for table, kind in inline_quota:
        for arn, entity in table.items():
            inline = entity.inline_policies
            for policy in inline:
                out += policy_findings(policy, file=where(arn, policy), catalog=catalog)
            if inline:
                quota = QUOTAS[kind]
                size = sum(policy_size(policy_to_dict(p), quota.counting) for p in inline)
                if size > quota.limit:
                    out.append(
                        ValidationFinding(
                            "error",
                            "policy-too-large",
                            f"the inline policies of {arn} total {size} characters, not counting "
                            f"whitespace; the {kind.value} quota is {quota.limit} "
                            f"({quota.source})",
                            where(arn),
                            "",
                            None,
                            PolicyType.IDENTITY.value,
                        )
                    )
    for arn, role in world.roles.items():
        if role.trust_policy is not None:
            out += policy_findings(
                role.trust_policy, file=where(arn, role.trust_policy), catalog=catalog
            )
    for arn, resource in world.resources.items():
        if resource.policy is not None:
            out += policy_findings(
                resource.policy, file=where(arn, resource.policy), catalog=catalog
            )
    for arn, session in world.sessions.items():
        for policy in session.session_policies or ():
            out += policy_findings(policy, file=where(arn, policy), catalog=catalog)
    org = world.organization
    if org is not None:
        org_file = sources.get("organization", "")
        for node in org.nodes():
            for policy in (*node.scps, *node.rcps):
                if policy.name in BUILTIN_ORG_POLICIES:
                    continue
                out += policy_findings(policy, file=policy.source or org_file, catalog=catalog)
    out += _reference_findings(world)
    return sorted_findings(out)


def _reference_findings(world: World) -> list[ValidationFinding]:
    """Boundaries, managed policies and groups a principal names but the inputs lack."""

    out: list[ValidationFinding] = []
    known: dict[str, bool] = {}

    def exists(arn: str) -> bool:
        if arn not in known:
            try:
                known[arn] = arn in world.managed_policies or aws_managed_policy(arn) is not None
            except InputError:
                known[arn] = False
        return known[arn]

    def add(code: str, message: str, arn: str) -> None:
        out.append(
            ValidationFinding("warning", code, message, world.sources.get(arn, ""), "", None, None)
        )

    tables: tuple[Mapping[str, User | Group | Role], ...] = (
        world.users,
        world.groups,
        world.roles,
    )
    for table in tables:
        for arn, entity in table.items():
            boundary = getattr(entity, "boundary_arn", None)
            if boundary and not exists(boundary):
                add(
                    "boundary-not-found",
                    f"{arn} has the permissions boundary {boundary}, which is not in the inputs "
                    "(nor an AWS managed policy): questions about it cannot be answered",
                    arn,
                )
            for policy_arn in entity.managed_policy_arns:
                if not exists(policy_arn):
                    add(
                        "managed-policy-not-found",
                        f"{arn} has the managed policy {policy_arn} attached, which is not in the "
                        "inputs (nor an AWS managed policy)",
                        arn,
                    )
    for arn, user in world.users.items():
        for name in user.group_names:
            if world.group(user.account, name) is None:
                add(
                    "group-not-found",
                    f"{arn} is a member of the group {name!r}, which is not in the inputs",
                    arn,
                )
    return out


def boundary_conflicts(worlds: Sequence[tuple[str, World]]) -> list[ValidationFinding]:
    """A user or role given different permissions boundaries by different inputs."""
    seen: dict[str, tuple[str, str]] = {}
    out: list[ValidationFinding] = []
    for file, world in worlds:
        entities: list[tuple[str, User | Role]] = [*world.users.items(), *world.roles.items()]
        for arn, entity in entities:
            if not entity.boundary_arn:
                continue
            first = seen.get(arn)
            if first is None:
                seen[arn] = (entity.boundary_arn, file)
            elif first[0] != entity.boundary_arn:
                out.append(
                    ValidationFinding(
                        "error",
                        "multiple-boundaries",
                        f"{arn} has the permissions boundary {first[0]} in {first[1]} and "
                        f"{entity.boundary_arn} here; a principal has at most one boundary",
                        file,
                        "",
                        arn,
                    )
                )
    return out


def count_policies(world: World) -> int:
    count = sum(1 for p in world.managed_policies.values() if not p.is_aws_managed)
    for table in (world.users, world.groups, world.roles):
        count += sum(len(e.inline_policies) for e in table.values())
    count += sum(1 for r in world.roles.values() if r.trust_policy is not None)
    count += sum(1 for r in world.resources.values() if r.policy is not None)
    count += sum(len(s.session_policies or ()) for s in world.sessions.values())
    if world.organization is not None:
        # One policy attached to several roots, OUs or accounts is one policy.
        org_policies = {
            (p.policy_type, p.name, p.source)
            for node in world.organization.nodes()
            for p in (*node.scps, *node.rcps)
            if p.name not in BUILTIN_ORG_POLICIES
        }
        count += len(org_policies)
    return count


def describe_world(world: World) -> str:
    parts = []
    for label, table in (
        ("users", world.users),
        ("groups", world.groups),
        ("roles", world.roles),
        ("resources", world.resources),
    ):
        if table:
            parts.append(f"{len(table)} {label if len(table) != 1 else label[:-1]}")
    customer = sum(1 for p in world.managed_policies.values() if not p.is_aws_managed)
    if customer:
        parts.append(f"{customer} customer managed polic{'ies' if customer != 1 else 'y'}")
    if world.organization is not None:
        parts.append(f"organization {world.organization.id}")
    return ", ".join(parts) or "no policies"
