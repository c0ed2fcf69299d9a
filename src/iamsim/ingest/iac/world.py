"""The world builder shared by every infrastructure-as-code loader.

This module owns :class:`WorldBuilder`: it accumulates principals, policies, attachments,
resources and an organization from Terraform or CloudFormation and turns them into a
:class:`~iamsim.model.World`, reporting what it cannot place. Unresolvable values are never
guessed: whatever depends on an :class:`~iamsim.ingest.iac.unknown.Unknown` is left out with a
warning naming the file and the address, and when what is left out is policy of a principal or
resource that is known, that principal or resource is marked unresolved
(``World.unresolved``), so requests that need it are refused rather than answered from the
rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from iamsim.errors import InputError
from iamsim.ingest.iac.placeholders import DEFAULT_PARTITION
from iamsim.ingest.iac.unknown import Unknown, Warnings
from iamsim.model import (
    Account,
    ManagedPolicy,
    NodeKind,
    Organization,
    OrgNode,
    PolicyVersion,
    Resource,
    Role,
    Tags,
    User,
    World,
)
from iamsim.model import Group as GroupModel
from iamsim.model.names import name_problem, path_problem
from iamsim.policy.builtin import (
    full_aws_access_scp,
    rcp_full_aws_access,
)
from iamsim.policy.model import Policy, PolicyType
from iamsim.policy.parser import parse_policy
from iamsim.vocabulary.arn import is_account_id, parse_entity_arn

# -- the world builder --------------------------------------------------------------------------


@dataclass
class _Entity:
    kind: str  # user | group | role
    account: str
    name: str
    path: str
    partition: str
    source: str
    address: str
    trust: Policy | None = None
    inline: dict[str, Policy] = field(default_factory=dict)
    managed: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    boundary: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    instance_profiles: list[str] = field(default_factory=list)
    # The unique ID (AIDA.../AROA...): the real one from a state, or the placeholder a policy of
    # the input refers to, so that aws:userid of the principal (and its sessions) matches it.
    id: str | None = None

    @property
    def arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account}:{self.kind}{self.path}{self.name}"


@dataclass
class _Res:
    arn: str
    account: str | None
    tags: dict[str, str] = field(default_factory=dict)
    policy: Policy | None = None
    policy_from: str = ""
    source: str = ""
    statements: list[tuple[dict[str, Any], str, str]] = field(default_factory=list)


@dataclass
class _OrgUnit:
    id: str
    kind: NodeKind
    name: str | None
    parent: Any  # the parent's id, or Unknown
    source: str
    address: str


@dataclass(frozen=True)
class _Op:
    """A deferred edit of a principal, applied once every principal is known."""

    op: str  # inline | attach | member | profile | unresolved
    kind: str
    account: str
    target: str
    payload: Any
    source: str
    address: str
    extra: str = ""


class WorldBuilder:
    """Collects what an infrastructure-as-code input defines and builds a World from it.

    Principals are keyed by (account, kind, lower-cased name), as IAM names are unique
    case-insensitively. Edits that name a principal (inline policies, attachments, group
    membership) are deferred, so resources may come in any order; an edit whose target is not
    defined in the input is reported rather than applied to an invented entity.
    """

    def __init__(self, warnings: Warnings, *, label: str) -> None:
        self.warnings = warnings
        self.label = label
        self.entities: dict[tuple[str, str, str], _Entity] = {}
        self.managed: dict[str, tuple[ManagedPolicy, str]] = {}
        self.resources: dict[str, _Res] = {}
        self.ops: list[_Op] = []
        self.accounts: dict[str, str] = {}
        self.notes: list[str] = []
        self.unresolved_arns: dict[str, list[str]] = {}
        # managed policy ARN -> why its document is unknown (see managed_unresolved)
        self.unresolved_managed: dict[str, list[str]] = {}
        # organization
        self.org: tuple[str, str, str, bool, bool, str] | None = (
            None  # id, root, mgmt, scp, rcp, src
        )
        self.org_units: dict[str, _OrgUnit] = {}
        self.org_policies: dict[
            str, tuple[Policy, str, str, str]
        ] = {}  # id -> policy,type,src,addr
        self.org_attachments: list[tuple[str, str, str, str]] = []  # policy, target, src, addr

    # -- helpers

    def warn(self, source: str, address: str, message: str) -> None:
        self.warnings.add(source, address, message)

    def account(self, account: str, partition: str) -> None:
        self.accounts.setdefault(account, partition)

    # -- principals

    def add_principal(
        self,
        kind: str,
        *,
        account: str,
        partition: str,
        name: str,
        path: str,
        source: str,
        address: str,
        generated: bool = False,
    ) -> _Entity:
        """A user, group or role; a name or path AWS would refuse is an InputError (a name
        the input did not write, ``generated``, is iamsim's stand-in and not checked)."""
        key = (account, kind, name.lower())
        if key in self.entities:
            first = self.entities[key]
            raise InputError(
                f"{kind} {name!r} of account {account} is defined twice "
                f"({first.address} at {first.source} and {address})",
                source=source,
            )
        self.check_name(kind, name, path, source=source, address=address, generated=generated)
        self.account(account, partition)
        entity = _Entity(kind, account, name, path, partition, source, address)
        self.entities[key] = entity
        return entity

    @staticmethod
    def check_name(
        kind: str, name: str, path: str, *, source: str, address: str, generated: bool = False
    ) -> None:
        """Refuse a name or path AWS would refuse (see :mod:`iamsim.model.names`)."""
        problem = None if generated else name_problem(kind, name)
        where = f"{address}.name"
        if problem is None:
            problem, where = path_problem(kind, path), f"{address}.path"
        if problem is not None:
            raise InputError(problem, path=where, source=source)

    def find(self, kind: str, account: str, name: str) -> _Entity | None:
        return self.entities.get((account, kind, name.lower()))

    def defer(self, op: _Op) -> None:
        self.ops.append(op)

    def add_inline(
        self, kind: str, account: str, target: str, policy: Policy, *, source: str, address: str
    ) -> None:
        self.defer(_Op("inline", kind, account, target, policy, source, address))

    def attach(
        self, kind: str, account: str, target: str, arn: str, *, source: str, address: str
    ) -> None:
        self.defer(_Op("attach", kind, account, target, arn, source, address))

    def add_membership(
        self, account: str, user: str, group: str, *, source: str, address: str
    ) -> None:
        self.defer(_Op("member", "user", account, user, group, source, address))

    def add_instance_profile(
        self, account: str, role: str, arn: str, *, source: str, address: str
    ) -> None:
        self.defer(_Op("profile", "role", account, role, arn, source, address))

    def unresolved(
        self, kind: str, account: str, target: str, reason: str, *, source: str, address: str
    ) -> None:
        """Part of the policies of principal ``target`` is unknown (an inline policy, a
        boundary, an attachment whose value the input leaves open): requests of it are refused
        instead of answered from the rest (see ``World.unresolved``)."""
        self.defer(
            _Op("unresolved", kind, account, target, f"{address}: {reason}", source, address)
        )

    def resource_unresolved(
        self,
        arn: str,
        reason: str,
        *,
        address: str,
        account: str | None = None,
        source: str = "",
    ) -> None:
        """The resource-based policy of ``arn`` is unknown (its requests are refused).

        The resource is recorded too (owned by the account in its ARN, else ``account``), so
        that the request builder finds it, and refuses, even when no other part of the input
        defines it (a bucket policy for a bucket created elsewhere)."""
        self.resource(arn, account, source=source or self.label)
        self.unresolved_arns.setdefault(arn, []).append(f"{address}: {reason}")

    def managed_unresolved(self, arn: str, reason: str, *, address: str) -> None:
        """The document of customer managed policy ``arn`` is unknown: every principal or group
        it is attached to (or that has it as permissions boundary) in this input is refused."""
        self.unresolved_managed.setdefault(arn, []).append(f"{address}: {reason}")

    # -- managed policies and resources

    def add_managed_policy(
        self,
        arn: str,
        name: str,
        path: str,
        document: Policy,
        *,
        source: str,
        address: str,
        generated: bool = False,
    ) -> None:
        self.check_name("policy", name, path, source=source, address=address, generated=generated)
        if arn in self.managed:
            raise InputError(
                f"managed policy {arn} is defined twice ({self.managed[arn][1]} and {address})",
                source=source,
            )
        parsed = parse_entity_arn(arn)
        if parsed is not None:
            self.account(parsed.account, parsed.partition)
        version = PolicyVersion(version_id="v1", document=document, is_default=True)
        self.managed[arn] = (
            # Updating a policy in Terraform or CloudFormation adds a version and keeps the
            # old ones (up to five in all): the code shows only the current one.
            ManagedPolicy(arn=arn, name=name, versions=(version,), path=path, versions_known=False),
            address,
        )

    def resource(self, arn: str, account: str | None, *, source: str) -> _Res:
        """The resource ``arn``; its owner is the account in the ARN when there is one (a
        policy may be put on another account's resource by ARN), else ``account``."""
        parsed = parse_entity_arn(arn)
        if parsed is not None and is_account_id(parsed.account):
            account = parsed.account
        found = self.resources.get(arn)
        if found is None:
            found = _Res(arn, account, source=source)
            self.resources[arn] = found
        elif found.account is None:
            found.account = account
        return found

    def set_resource_policy(
        self, arn: str, account: str | None, policy: Policy, *, source: str, address: str
    ) -> None:
        res = self.resource(arn, account, source=source)
        if res.policy is not None:
            self.warn(
                source,
                address,
                f"{arn} already has a policy from {res.policy_from}; this one replaces it "
                "(as the later write would in AWS)",
            )
        res.policy, res.policy_from = policy, address

    def add_resource_statement(
        self, arn: str, account: str | None, statement: dict[str, Any], *, source: str, address: str
    ) -> None:
        """One statement of a policy that AWS assembles from several resources (Lambda
        permissions); they are joined into one document at build time."""
        self.resource(arn, account, source=source).statements.append((statement, source, address))

    # -- organization

    def define_organization(
        self, org_id: str, root_id: str, management: str, *, scp: bool, rcp: bool, source: str
    ) -> None:
        if self.org is not None:
            raise InputError("a second organization is defined", source=source)
        self.org = (org_id, root_id, management, scp, rcp, source)

    def add_org_unit(
        self,
        unit_id: str,
        kind: NodeKind,
        name: str | None,
        parent: Any,
        *,
        source: str,
        address: str,
    ) -> None:
        self.org_units[unit_id] = _OrgUnit(unit_id, kind, name, parent, source, address)

    def add_org_policy(
        self, policy_id: str, policy: Policy, ptype: PolicyType, *, source: str, address: str
    ) -> None:
        self.org_policies[policy_id] = (policy, ptype.value, source, address)

    def attach_org_policy(self, policy_id: str, target: str, *, source: str, address: str) -> None:
        self.org_attachments.append((policy_id, target, source, address))

    # -- build

    def _apply_ops(self) -> None:
        for op in self.ops:
            entity = self.find(op.kind, op.account, op.target)
            if entity is None:
                what = {
                    "inline": "its inline policy",
                    "attach": f"the attachment of {op.payload}",
                    "member": f"its membership of group {op.payload!r}",
                    "profile": f"instance profile {op.payload}",
                    "unresolved": "the unknown part of its policies",
                }[op.op]
                self.warn(
                    op.source,
                    op.address,
                    f"{op.kind} {op.target!r} (account {op.account}) is not defined in "
                    f"{self.label}; {what} is not modeled",
                )
                continue
            if op.op == "inline":
                policy: Policy = op.payload
                pname = policy.name or ""
                if pname in entity.inline:
                    self.warn(
                        op.source,
                        op.address,
                        f"{op.kind} {op.target!r} has two inline policies named {pname!r}; "
                        "the later one is kept",
                    )
                entity.inline[pname] = policy
            elif op.op == "attach":
                if op.payload not in entity.managed:
                    entity.managed.append(op.payload)
            elif op.op == "unresolved":
                self.unresolved_arns.setdefault(entity.arn, []).append(str(op.payload))
            elif op.op == "profile":
                if op.payload not in entity.instance_profiles:
                    entity.instance_profiles.append(op.payload)
            elif op.op == "member":
                group = str(op.payload)
                if self.find("group", op.account, group) is None:
                    self.warn(
                        op.source,
                        op.address,
                        f"group {group!r} is not defined in {self.label}; the membership is "
                        "recorded, its policies come from other inputs if any",
                    )
                if group not in entity.groups:
                    entity.groups.append(group)

    def _check_managed_refs(self) -> None:
        # AWS managed policies (and customer managed ones defined in other inputs) are
        # resolved after all inputs are merged (iamsim.ingest.resolve_managed_policies); here
        # we only reject ARNs that cannot name a managed policy at all.
        for entity in self.entities.values():
            for arn in [*entity.managed, *([entity.boundary] if entity.boundary else [])]:
                parsed = parse_entity_arn(arn)
                if (
                    parsed is None
                    or parsed.service != "iam"
                    or not parsed.resource.startswith("policy/")
                ):
                    raise InputError(
                        f"{arn!r} is not a managed policy ARN",
                        path=entity.address,
                        source=entity.source,
                    )

    def _organization(self) -> Organization | None:
        if self.org is None:
            for policy_id, target, source, address in self.org_attachments:
                self.warn(
                    source,
                    address,
                    f"policy {policy_id} is attached to {target}, but the organization is not "
                    f"defined in {self.label}; load the organization description to model it",
                )
            return None
        org_id, root_id, management, scp, rcp, _src = self.org
        children: dict[str, list[str]] = {root_id: []}
        units = dict(self.org_units)
        if management not in units:
            units[management] = _OrgUnit(management, NodeKind.ACCOUNT, None, root_id, "", "")
        for unit in units.values():
            parent = unit.parent
            if isinstance(parent, Unknown) or parent is None:
                self.warn(
                    unit.source,
                    unit.address,
                    f"the parent of {unit.id} is unknown ({parent}); placed under the root",
                )
                parent = root_id
            if parent not in children and parent not in units:
                self.warn(
                    unit.source,
                    unit.address,
                    f"parent {parent} of {unit.id} is not defined in {self.label}; placed "
                    "under the root",
                )
                parent = root_id
            children.setdefault(str(parent), []).append(unit.id)
        scps: dict[str, list[Policy]] = {}
        rcps: dict[str, list[Policy]] = {}
        known = {root_id, *units}
        for policy_id, target, source, address in self.org_attachments:
            entry = self.org_policies.get(policy_id)
            if entry is None:
                if policy_id in ("p-FullAWSAccess", "p-RCPFullAWSAccess"):
                    continue  # attached everywhere already (below)
                self.warn(
                    source, address, f"policy {policy_id} is not defined in {self.label}; skipped"
                )
                continue
            if target not in known:
                self.warn(
                    source,
                    address,
                    f"target {target} is not a root, OU or account defined in {self.label}; "
                    "the attachment is not modeled",
                )
                continue
            policy, ptype = entry[0], entry[1]
            (scps if ptype == PolicyType.SCP.value else rcps).setdefault(target, []).append(policy)

        def node(node_id: str, kind: NodeKind, name: str | None) -> OrgNode:
            # FullAWSAccess / RCPFullAWSAccess are attached to every node by AWS when the
            # policy type is enabled; Terraform code rarely mentions them.
            kids = tuple(
                node(c, units[c].kind, units[c].name)
                for c in sorted(children.get(node_id, []), key=lambda c: (units[c].kind, c))
            )
            return OrgNode(
                id=node_id,
                kind=kind,
                name=name,
                children=kids,
                scps=((full_aws_access_scp(),) if scp else ()) + tuple(scps.get(node_id, [])),
                rcps=((rcp_full_aws_access(),) if rcp else ()) + tuple(rcps.get(node_id, [])),
            )

        root = node(root_id, NodeKind.ROOT, "Root")
        for unit in units.values():
            if unit.kind is NodeKind.ACCOUNT:
                self.account(unit.id, self.accounts.get(management, DEFAULT_PARTITION))
        return Organization(
            id=org_id, management_account=management, root=root, scp_enabled=scp, rcp_enabled=rcp
        )

    def _finish_resources(self) -> dict[str, Resource]:
        out: dict[str, Resource] = {}
        for arn, res in self.resources.items():
            policy = res.policy
            if res.statements:
                if policy is not None:
                    self.warn(
                        res.source,
                        arn,
                        "has both a policy and permission statements; "
                        "the statements are added to the policy",
                    )
                doc = {"Version": "2012-10-17", "Statement": [s for s, _, _ in res.statements]}
                try:
                    extra = parse_policy(doc, PolicyType.RESOURCE, name="permissions", source=arn)
                except InputError as exc:
                    _, src, addr = res.statements[0]
                    raise InputError(exc.reason, path=f"{addr}{exc.path}", source=src) from None
                if policy is not None:
                    stmts = tuple(policy.statements) + tuple(extra.statements)
                    policy = Policy(
                        policy_type=policy.policy_type,
                        statements=stmts,
                        version=policy.version,
                        id=policy.id,
                        name=policy.name,
                        source=policy.source,
                    )
                else:
                    policy = extra
            parsed = parse_entity_arn(arn)
            if res.account:
                self.account(res.account, parsed.partition if parsed else DEFAULT_PARTITION)
            out[arn] = Resource(arn=arn, account=res.account, tags=Tags(res.tags), policy=policy)
        return out

    def _unresolved_managed_users(self) -> None:
        for entity in self.entities.values():
            for arn in [*entity.managed, *([entity.boundary] if entity.boundary else [])]:
                for reason in self.unresolved_managed.get(arn, ()):
                    found = self.unresolved_arns.setdefault(entity.arn, [])
                    if reason not in found:
                        found.append(reason)

    def build(self) -> World:
        self._apply_ops()
        self._unresolved_managed_users()
        self._check_managed_refs()
        managed = {arn: pol for arn, (pol, _) in self.managed.items()}
        organization = self._organization()
        resources = self._finish_resources()
        users, groups, roles = [], [], []
        sources: dict[str, str] = {}
        for e in self.entities.values():
            sources[e.arn] = f"{e.source} ({e.address})" if e.address else e.source
            inline = tuple(e.inline.values())
            if e.kind == "user":
                users.append(
                    User(
                        arn=e.arn,
                        name=e.name,
                        account=e.account,
                        path=e.path,
                        id=e.id,
                        inline_policies=inline,
                        managed_policy_arns=tuple(e.managed),
                        group_names=tuple(e.groups),
                        boundary_arn=e.boundary,
                        tags=Tags(e.tags),
                    )
                )
            elif e.kind == "group":
                groups.append(
                    GroupModel(
                        arn=e.arn,
                        name=e.name,
                        account=e.account,
                        path=e.path,
                        id=e.id,
                        inline_policies=inline,
                        managed_policy_arns=tuple(e.managed),
                    )
                )
            else:
                roles.append(
                    Role(
                        arn=e.arn,
                        name=e.name,
                        account=e.account,
                        path=e.path,
                        id=e.id,
                        trust_policy=e.trust,
                        inline_policies=inline,
                        managed_policy_arns=tuple(e.managed),
                        boundary_arn=e.boundary,
                        tags=Tags(e.tags),
                        instance_profile_arns=tuple(e.instance_profiles),
                    )
                )
        for arn, (_, address) in self.managed.items():
            sources[arn] = f"{self.label} ({address})"
        for arn, res in self.resources.items():
            sources.setdefault(arn, res.source)
        accounts = [Account(id=a, partition=p) for a, p in self.accounts.items() if a != "aws"]
        if organization is not None:
            sources["organization"] = self.org[5] if self.org else self.label
        for a in self.accounts:
            sources.setdefault(a, self.label)
        notes = [*self.notes, *(str(w) for w in self.warnings)]
        return World.of(
            accounts=accounts,
            organization=organization,
            managed_policies=managed.values(),
            users=users,
            groups=groups,
            roles=roles,
            resources=resources.values(),
            sources=sources,
            notes=tuple(dict.fromkeys(notes)),
            unresolved=self.unresolved_arns,
        )
