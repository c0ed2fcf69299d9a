"""Who is effectively an administrator, and what stops the others.

Definition. A principal (or an actor an escalation produced) is an *administrator* when the
engine allows every administrator probe of the technique catalogue
(``admin_probes`` in ``iamsim/data/escalation_techniques.yaml``) for its own account: the IAM
actions that give control over every other principal (create users and roles, attach and write
policies, new policy versions, remove boundaries, rewrite trust policies, create access keys,
pass and assume any role) and a sample of other services (S3, EC2, Lambda, KMS, Secrets
Manager, DynamoDB, RDS). Each probe names "any resource of the type" (``role/*``, ``s3:::*/*``),
so only statements covering every such resource allow it; requests are made as the escalation
oracle makes them (region, TLS, temporary credentials for role sessions). Identity policies,
explicit denies anywhere, the permissions boundary, SCPs and RCPs all take part, because the
engine decides each probe.

Probes that the organization denies the principal whatever its own policies say do not count:
a probe counts only when the principal would be allowed it with ``Allow *`` on ``*`` as its
only identity policy and no boundary (its *organization ceiling*: SCPs, RCPs). A region-locking
SCP, an SCP denying ``iam:CreateUser`` to all, or one requiring a request key the probe cannot
carry would otherwise leave no administrator in the account; the verdict says how many probes
were set aside. A principal whose ceiling allows no probe at all is not an administrator.

So ``Allow *:*`` with a boundary capping IAM is not an administrator; ``iam:*`` alone is not
one either (it fails the other services' probes) though it usually *escalates* to one. A
Deny on a subset of resources that no probe names (say ``role/breakglass-*``) does not stop a
principal from counting as administrator: the definition is about control of the account, and
the probe list is data, so a stricter reading is one line away.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from iamsim.analysis.techniques import (
    Actor,
    Catalogue,
    Change,
    Oracle,
    Probe,
    allow_all,
    load_catalogue,
    substitute,
)
from iamsim.engine import Decision, DecisionValue, StatementRef
from iamsim.model import Role, User, World


@dataclass(frozen=True, slots=True)
class ProbeFailure:
    """One probe the engine did not allow, and what stopped it."""

    action: str
    resource: str
    decision: str
    blocker: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "resource": self.resource,
            "decision": self.decision,
            "blocked_by": self.blocker,
        }


@dataclass(frozen=True, slots=True)
class AdminVerdict:
    """Whether one principal is an administrator; when not, the probes that failed and the
    distinct reasons (``blockers``, most frequent first)."""

    arn: str
    label: str
    kind: str
    account: str
    admin: bool
    probes: int
    boundary: str | None = None
    # Probes the organization denies this principal whatever its policies (not counted).
    beyond_organization: int = 0
    service_linked: bool = False
    failures: tuple[ProbeFailure, ...] = ()
    blockers: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "principal": self.arn,
            "label": self.label,
            "kind": self.kind,
            "account": self.account,
            "admin": self.admin,
            "probes": self.probes,
        }
        if self.beyond_organization:
            out["probes_beyond_organization"] = self.beyond_organization
        if self.boundary:
            out["boundary"] = self.boundary
        if self.service_linked:
            out["service_linked"] = True
        if not self.admin:
            out["blocked_by"] = list(self.blockers)
            out["failed_probes"] = [f.to_dict() for f in self.failures]
        return out


def describe_ref(ref: StatementRef) -> str:
    """How a report names a statement: ``identity policy 'X' statement S``."""
    kinds = {
        "identity": "identity policy",
        "boundary": "permissions boundary",
        "session": "session policy",
        "resource": "resource policy",
        "trust": "trust policy",
        "scp": "SCP",
        "rcp": "RCP",
        "endpoint": "VPC endpoint policy",
    }
    kind = kinds.get(ref.policy_type, ref.policy_type)
    if ref.level is not None:
        kind += f" (level {ref.level})"
    return f"{kind} {ref.policy!r} statement {ref.statement}"


class AdminChecker:
    """Runs the administrator probes for actors through an :class:`Oracle` (cached)."""

    def __init__(self, oracle: Oracle, catalogue: Catalogue | None = None) -> None:
        self.oracle = oracle
        self.catalogue = catalogue or load_catalogue()
        self._admin: dict[str, bool] = {}
        self._ceilings: dict[str, Actor] = {}
        # Probes that most often fail go first, so non-administrators are found in few checks.
        self._order: list[int] = list(range(len(self.catalogue.admin_probes)))
        self._fails: Counter[int] = Counter()

    def probes(self, actor: Actor) -> list[tuple[Probe, str]]:
        values = {
            "Partition": actor.partition,
            "Account": actor.account,
            "Region": self.oracle.region,
        }
        out = []
        for probe in self.catalogue.admin_probes:
            resource = substitute(probe.resource, values)
            if resource is not None:
                out.append((probe, resource))
        return out

    def ceiling(self, actor: Actor) -> Actor:
        """The actor's principal with ``Allow *`` on ``*`` and no boundary: what the
        organization (SCPs, RCPs) lets it do at most."""
        found = self._ceilings.get(actor.arn)
        if found is None:
            unlimited = Change(
                key="organization-ceiling",
                description="Allow * on *, no boundary",
                identity=(allow_all(),),
                sets_boundary=True,
                boundary=None,
            )
            found = Actor(actor.principal, (unlimited,), qualified=actor.qualified)
            self._ceilings[actor.arn] = found
        return found

    def beyond_organization(self, actor: Actor, probe: Probe, resource: str) -> bool:
        """Whether the organization denies ``probe`` to the principal whatever its policies."""
        ceiling = self.ceiling(actor)
        return not self.oracle.check(ceiling, probe.action, resource, trust=probe.trust).allowed

    def is_admin(self, actor: Actor) -> bool:
        found = self._admin.get(actor.key)
        if found is not None:
            return found
        probes = self.probes(actor)
        result = True
        counted = 0
        for index in self._order:
            if index >= len(probes):
                continue
            probe, resource = probes[index]
            if self.oracle.check(actor, probe.action, resource, trust=probe.trust).allowed:
                counted += 1
                continue
            if self.beyond_organization(actor, probe, resource):
                continue
            self._fails[index] += 1
            if self._fails[index] in (1, 8, 64, 512):
                self._order.sort(key=lambda i: (-self._fails[i], i))
            result = False
            break
        result = result and counted > 0
        self._admin[actor.key] = result
        return result

    def verdict(self, actor: Actor) -> AdminVerdict:
        """Every probe, with the reason of each failure."""
        failures = []
        beyond = 0
        counted = 0
        for probe, resource in self.probes(actor):
            outcome = self.oracle.check(
                actor, probe.action, resource, trust=probe.trust, explain=True
            )
            if outcome.allowed:
                counted += 1
                continue
            if self.beyond_organization(actor, probe, resource):
                beyond += 1
                continue
            decision = outcome.decision
            blocker = self.blocker(actor, decision) if decision else (outcome.error or "error")
            value = decision.value.value if decision else "error"
            failures.append(ProbeFailure(probe.action, resource, value, blocker))
        admin = not failures and counted > 0
        self._admin[actor.key] = admin
        counts = Counter(f.blocker for f in failures)
        if not counted and not failures:
            counts["the organization's policies allow none of the probes"] = beyond
        blockers = tuple(sorted(counts, key=lambda b: (-counts[b], b)))
        principal = actor.principal
        policies = self.oracle.policies_of(actor)
        return AdminVerdict(
            arn=actor.arn,
            label=actor.label,
            kind="user" if isinstance(principal, User) else "role",
            account=actor.account,
            admin=admin,
            probes=len(self.probes(actor)),
            boundary=policies.boundary.label if policies.boundary else None,
            beyond_organization=beyond,
            service_linked=isinstance(principal, Role) and principal.service_linked,
            failures=tuple(failures),
            blockers=blockers,
        )

    def blocker(self, actor: Actor, decision: Decision) -> str:
        """What stopped a probe: the deny statement, the guardrail, or the missing Allow."""
        if decision.value is DecisionValue.EXPLICIT_DENY:
            refs = ", ".join(describe_ref(r) for r in decision.decisive)
            return f"explicit Deny: {refs}" if refs else "explicit Deny"
        guard = decision.blocked_by
        if guard == "permissions boundary":
            boundary = self.oracle.policies_of(actor).boundary
            name = f" {boundary.label!r}" if boundary is not None else ""
            return f"permissions boundary{name} does not allow it"
        if guard and guard.startswith(("SCP", "RCP")):
            return f"{guard}{self._org_node(actor, guard)}: no statement allows it"
        if guard:
            return f"{guard} does not allow it"
        if "identity-based" in decision.reason:
            return "no identity policy allows it"
        return decision.reason

    def _org_node(self, actor: Actor, guard: str) -> str:
        org = self.oracle.world.organization
        if org is None or not org.contains(actor.account) or not guard.startswith("SCP"):
            return ""
        try:
            level = int(guard.rsplit(" ", 1)[-1])
            node = org.path_to(actor.account)[level]
        except (ValueError, IndexError, KeyError):
            return ""
        return f" ({node.id}{' ' + node.name if node.name else ''})"


def world_actors(world: World, *, include_service_linked: bool = True) -> list[Actor]:
    """Every user and role of the world as an actor, in ARN order."""
    qualified = len(world.accounts) > 1
    actors: list[Actor] = [Actor(u, qualified=qualified) for u in world.users.values()]
    for role in world.roles.values():
        if include_service_linked or not role.service_linked:
            actors.append(Actor(role, qualified=qualified))
    return sorted(actors, key=lambda a: a.arn)


def admin_report(
    world: World,
    *,
    oracle: Oracle | None = None,
    catalogue: Catalogue | None = None,
    principals: Iterable[Actor] | None = None,
) -> list[AdminVerdict]:
    """The administrator verdict of every user and role (or of ``principals``), by ARN."""
    checker = AdminChecker(oracle or Oracle(world), catalogue)
    actors = list(principals) if principals is not None else world_actors(world)
    return [checker.verdict(a) for a in sorted(actors, key=lambda a: a.key)]
