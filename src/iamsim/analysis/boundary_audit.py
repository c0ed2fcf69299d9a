"""Boundary audit: does a permissions boundary (or a delegated administrator's
``iam:PermissionsBoundary`` conditions) really hold? And does one application reach another's
resources?

Subjects. Every user or role with a permissions boundary, and every *delegated administrator*:
a principal whose identity policies may create users or roles, attach or write policies, or set
boundaries, and that compare ``iam:PermissionsBoundary`` in a condition.

Ceiling. For a bounded subject S, a request is inside the ceiling when the engine allows it to
S with S's boundary, SCPs and resource policies but an identity policy allowing everything
(``Allow * on *``): what the boundary lets through. For an unbounded delegated administrator
it is S's own permissions. A delegated administrator also has *approved boundaries*: the
managed policies its ``iam:PermissionsBoundary`` conditions name and that the engine lets it
set on a new user or role.

Method. The escalation search (:mod:`iamsim.analysis.escalation`) runs from S with the goal
"a principal that can do something outside the ceiling": every principal S can become, change
(attach, write, new policy versions, group membership, boundary removal or replacement) or
create, chained up to two changes, with each technique step decided by the engine. Each
principal Q found is contained

* *by structure* when it is S itself, or when its boundary is S's boundary (same document)
  under the same SCPs, or when its boundary is an approved boundary: the engine caps every
  identity-based grant of Q by that boundary, so nothing it is granted can exceed it;
* *by check* otherwise: the engine allows Q none of the requests that the ceiling denies,
  among the administrator probes and the requests instantiated from Q's own Allow statements
  (each action pattern expanded through the service reference, each resource pattern as
  written, ``*`` as the action's resource type).

For a delegated administrator, *containment* (every user or role it can create or change
carries an approved boundary, and it cannot remove or rewrite one) is also decided by the
symbolic layer over every request and context (:mod:`iamsim.analysis.boundary_proof`):
``proved``, or ``not contained`` with witness requests the engine allows.

The verdict is ``proven`` when every principal reached is contained by structure, ``checked``
when some needed the requests, ``escapes`` with the counterexample paths (each step with the
statements that allow it and what would break it) otherwise, and ``conditional`` when every
counterexample depends on a resource the model does not hold (a Lambda function running as a
role, an instance with an instance profile).

Limits. The proof is relative to the technique catalogue, to the candidates tried for choices
(boundary and policy ARNs named in the actor's conditions, the AWS managed
``AdministratorAccess``, policies the actor could create under a wildcard condition, names fitting
its Resource patterns) and, for containment by check, to the requests tried. Same-account
resource-based policies that name a principal directly grant outside any boundary by AWS
design; those grants are not part of the ceiling question.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from iamsim.analysis.boundary_proof import NOT_CONTAINED, PROVED, Containment, prove_containment
from iamsim.analysis.escalation import (
    EscalationAnalysis,
    EscalationGraph,
    EscalationPath,
    Goal,
    PathStep,
    default_actions,
)
from iamsim.analysis.techniques import Actor, Change, allow_all, principal_label, substitute
from iamsim.catalog import ServiceReference, service_reference
from iamsim.model import Role, User, World
from iamsim.patterns.glob import Glob
from iamsim.policy.model import Policy, PolicyType
from iamsim.vocabulary.arn import parse_entity_arn

# Actions a delegated administrator uses (any one makes a principal a candidate).
DELEGATION_ACTIONS = (
    "iam:CreateRole",
    "iam:CreateUser",
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:PutRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
)
# Requests instantiated per principal for containment by check (beyond the admin probes).
MAX_GRANT_REQUESTS = 64
ACTIONS_PER_PATTERN = 4


# -- records ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubjectAudit:
    """The audit of one subject."""

    principal: str
    label: str
    kinds: tuple[str, ...]  # "bounded", "delegated-admin"
    ceiling: str
    verdict: str  # "proven", "checked", "conditional", "escapes"
    approved_boundaries: tuple[str, ...] = ()
    examined: int = 0
    by_structure: tuple[str, ...] = ()
    by_check: tuple[str, ...] = ()
    counterexamples: tuple[EscalationPath, ...] = ()
    counterexamples_total: int = 0
    # Delegated administrators: containment decided over every request and context.
    containment: Containment | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "principal": self.principal,
            "label": self.label,
            "kinds": list(self.kinds),
            "ceiling": self.ceiling,
            "verdict": self.verdict,
        }
        if self.approved_boundaries:
            out["approved_boundaries"] = list(self.approved_boundaries)
        out["examined"] = self.examined
        out["contained_by_structure"] = list(self.by_structure)
        out["contained_by_check"] = list(self.by_check)
        out["counterexamples_total"] = self.counterexamples_total
        out["counterexamples"] = [p.to_dict() for p in self.counterexamples]
        if self.containment is not None:
            out["containment"] = self.containment.to_dict()
        return out


@dataclass(frozen=True, slots=True)
class App:
    """One application: a name prefix or a tag value, with its principals and resources."""

    name: str
    selector: str
    principals: tuple[str, ...]
    resources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "app": self.name,
            "selector": self.selector,
            "principals": list(self.principals),
            "resources": list(self.resources),
        }


@dataclass(frozen=True, slots=True)
class IsolationFinding:
    """A principal of ``app`` that reaches ``resource`` of ``other_app`` (directly or, with
    ``via``, after becoming other principals)."""

    app: str
    principal: str
    other_app: str
    resource: str
    actions: tuple[str, ...]
    via: tuple[PathStep, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "app": self.app,
            "principal": self.principal,
            "other_app": self.other_app,
            "resource": self.resource,
            "actions": list(self.actions),
        }
        if self.via:
            out["via"] = [s.to_dict() for s in self.via]
        return out


@dataclass(frozen=True)
class BoundaryAuditReport:
    subjects: tuple[SubjectAudit, ...]
    apps: tuple[App, ...] = ()
    findings: tuple[IsolationFinding, ...] = ()
    checks: int = 0
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        verdicts = [s.verdict for s in self.subjects]
        out: dict[str, Any] = {
            "summary": {
                "subjects": len(self.subjects),
                "proven": verdicts.count("proven"),
                "checked": verdicts.count("checked"),
                "conditional": verdicts.count("conditional"),
                "escapes": verdicts.count("escapes"),
                "containment_proved": sum(
                    1 for s in self.subjects if s.containment and s.containment.verdict == PROVED
                ),
                "not_contained": sum(
                    1
                    for s in self.subjects
                    if s.containment and s.containment.verdict == NOT_CONTAINED
                ),
            },
            "subjects": [s.to_dict() for s in self.subjects],
        }
        if self.apps:
            out["isolation"] = {
                "apps": [a.to_dict() for a in self.apps],
                "findings": [f.to_dict() for f in self.findings],
            }
        out["notes"] = list(self.notes)
        return out


# -- the ceiling goal ---------------------------------------------------------------------------


class CeilingGoal(Goal):
    """Met by a principal that can do something outside ``subject``'s ceiling."""

    def __init__(
        self, graph: EscalationGraph, subject: Actor, approved: Mapping[str, Policy]
    ) -> None:
        self.graph = graph
        self.oracle = graph.oracle
        self.subject = subject
        self.name = f"outside the ceiling of {subject.label}"
        own = self.oracle.policies_of(subject)
        self.boundary = own.boundary
        self.scp = own.scp
        self.approved = dict(approved)
        self.ceiling = (
            subject.changed(Change(key="ceiling", description="ceiling", identity=(allow_all(),)))
            if self.boundary is not None
            else subject
        )
        self.by_structure: dict[str, str] = {}
        self.by_check: dict[str, int] = {}
        self._found: dict[str, str | None] = {}

    @property
    def examined(self) -> int:
        """How many principals (or changed and created ones) were examined."""
        return len(self._found)

    def check(self, actor: Actor) -> str | None:
        if actor.key in self._found:
            return self._found[actor.key]
        result = None
        reason = self._structure(actor)
        if reason is not None:
            self.by_structure[actor.key] = f"{actor.label}: {reason}"
        else:
            requests = list(requests_for(self.graph, actor))
            for action, resource, trust in requests:
                if not self.oracle.check(actor, action, resource, trust=trust).allowed:
                    continue
                if self.oracle.check(self.ceiling, action, resource, trust=trust).allowed:
                    continue
                result = f"{action} on {resource}, outside the ceiling"
                break
            if result is None:
                self.by_check[actor.key] = len(requests)
        self._found[actor.key] = result
        return result

    def _structure(self, actor: Actor) -> str | None:
        if actor.key == self.subject.key:
            return "the subject itself"
        policies = self.oracle.policies_of(actor)
        boundary = policies.boundary
        if boundary is None:
            return None
        if (
            self.boundary is not None
            and boundary == self.boundary
            and actor.account == self.subject.account
            and policies.scp == self.scp
        ):
            return f"bounded by the same boundary {boundary.label!r}"
        for arn, approved in self.approved.items():
            if boundary == approved:
                return f"bounded by the approved boundary {arn}"
        return None


def requests_for(graph: EscalationGraph, actor: Actor) -> Iterator[tuple[str, str, str | None]]:
    """The administrator probes, then requests instantiated from the actor's Allow statements."""
    for probe, resource in graph.admin.probes(actor):
        yield probe.action, resource, probe.trust
    yield from _grant_requests(graph, actor)


def _grant_requests(graph: EscalationGraph, actor: Actor) -> Iterator[tuple[str, str, None]]:
    ref = service_reference()
    values = {"Partition": actor.partition, "Account": actor.account, "Region": graph.oracle.region}
    seen: set[tuple[str, str]] = set()
    for policy in graph.oracle.policies_of(actor).identity:
        for statement in policy.statements:
            if statement.effect.value != "Allow" or statement.actions is None:
                continue
            for pattern in statement.actions:
                actions = ref.expand_action_pattern(pattern)
                for action in _spread(actions, ACTIONS_PER_PATTERN):
                    for resource in _resources_for(ref, action, statement.resources, values):
                        if (action, resource) in seen:
                            continue
                        seen.add((action, resource))
                        yield action, resource, None
                        if len(seen) >= MAX_GRANT_REQUESTS:
                            return


def _spread(items: Sequence[str], count: int) -> list[str]:
    """Up to ``count`` items evenly spaced over sorted ``items`` (deterministic)."""
    ordered = sorted(items)
    if len(ordered) <= count:
        return ordered
    step = (len(ordered) - 1) / (count - 1)
    return list(dict.fromkeys(ordered[round(i * step)] for i in range(count)))


def _resources_for(
    ref: ServiceReference, action: str, patterns: Sequence[str] | None, values: Mapping[str, str]
) -> list[str]:
    out = []
    for pattern in patterns or ("*",):
        if "${" in pattern:
            continue
        if pattern == "*":
            out.append(_any_resource(ref, action, values))
        else:
            out.append(pattern)
    return out


def _any_resource(ref: ServiceReference, action: str, values: Mapping[str, str]) -> str:
    """An ARN naming any resource of the action's simplest resource type (``*`` else)."""
    formats = [f for t in ref.resource_types(action) for f in t.arn_formats]
    if not formats:
        return "*"
    best = min(formats, key=lambda f: (f.count("${"), f))
    filled = substitute(best, values)
    text = filled if filled is not None else best
    for name in ("Partition", "Account", "Region"):
        text = text.replace(f"${{{name}}}", values[name])
    import re

    return re.sub(r"\$\{[^}]*\}", "*", text)


# -- subjects ---------------------------------------------------------------------------------


def approved_boundaries(graph: EscalationGraph, actor: Actor) -> dict[str, Policy]:
    """Boundaries the actor's conditions name and the engine lets it set on a new principal."""
    oracle = graph.oracle
    arns: list[str] = []
    for value in oracle.condition_values(actor, "iam:PermissionsBoundary"):
        if "*" in value or "?" in value:
            glob = Glob(value, ignore_case=True)
            arns += [a for a in graph.world.managed_policies if glob.matches(a)]
        elif parse_entity_arn(value) is not None:
            arns.append(value)
    out: dict[str, Policy] = {}
    for arn in dict.fromkeys(arns):
        document = oracle.managed_document(arn)
        if document is None:
            continue
        for kind in ("role", "user"):
            action = "iam:CreateRole" if kind == "role" else "iam:CreateUser"
            if not oracle.may_allow(actor, action):
                continue
            resource = f"arn:{actor.partition}:iam::{actor.account}:{kind}/iamsim-escalation"
            context = {"iam:PermissionsBoundary": arn}
            if oracle.check(actor, action, resource, context).allowed:
                managed = graph.world.managed_policy(arn)
                out[arn] = (
                    managed.as_type(PolicyType.BOUNDARY)
                    if managed is not None
                    else _retype(document, PolicyType.BOUNDARY)
                )
                break
    return out


def _retype(policy: Policy, policy_type: PolicyType) -> Policy:
    return dataclasses.replace(policy, policy_type=policy_type)


def audit_subjects(graph: EscalationGraph) -> list[tuple[Actor, tuple[str, ...]]]:
    """Bounded principals and delegated administrators, by ARN, with their kinds."""
    oracle = graph.oracle
    out = []
    for key in sorted(graph.actors):
        actor = graph.actors[key]
        kinds = []
        if actor.principal.boundary_arn:
            kinds.append("bounded")
        if oracle.condition_values(actor, "iam:PermissionsBoundary") and any(
            oracle.may_allow(actor, a) for a in DELEGATION_ACTIONS
        ):
            kinds.append("delegated-admin")
        if kinds:
            out.append((actor, tuple(kinds)))
    return out


def audit_subject(
    graph: EscalationGraph,
    actor: Actor,
    kinds: tuple[str, ...],
    *,
    max_paths: int | None = None,
) -> SubjectAudit:
    approved = approved_boundaries(graph, actor) if "delegated-admin" in kinds else {}
    goal = CeilingGoal(graph, actor, approved)
    result = EscalationAnalysis(graph, goal).from_start(actor.key, max_paths=max_paths)
    if goal.boundary is not None:
        ceiling = f"permissions boundary {goal.boundary.label!r}"
    else:
        ceiling = "its own permissions (no boundary)"
    if approved:
        ceiling += "; new principals within an approved boundary"
    if result.paths_total and all(p.conditional for p in result.paths):
        verdict = "conditional"
    elif result.paths_total:
        verdict = "escapes"
    elif goal.by_check:
        verdict = "checked"
    else:
        verdict = "proven"
    checked = tuple(
        f"{graph.actor(k).label if graph.actor(k) else k}: {n} requests"  # type: ignore[union-attr]
        for k, n in sorted(goal.by_check.items())
    )
    return SubjectAudit(
        principal=actor.arn,
        label=actor.label,
        kinds=kinds,
        ceiling=ceiling,
        verdict=verdict,
        approved_boundaries=tuple(approved),
        examined=goal.examined,
        by_structure=tuple(v for _, v in sorted(goal.by_structure.items())),
        by_check=checked,
        counterexamples=result.paths,
        counterexamples_total=result.paths_total,
        containment=(
            prove_containment(graph.world, graph.oracle, actor)
            if "delegated-admin" in kinds
            else None
        ),
    )


# -- application isolation --------------------------------------------------------------------


def resource_name(arn: str) -> str:
    """The name an application prefix applies to: the bucket, table, function, queue, role..."""
    parsed = parse_entity_arn(arn)
    if parsed is None:
        return arn
    resource = parsed.resource
    if parsed.service == "s3":
        return resource.split("/", 1)[0]
    kind = parsed.resource_type
    if kind:
        resource = resource[len(kind) + 1 :]
    if parsed.service == "iam":
        return resource.rsplit("/", 1)[-1]
    return resource.split("/", 1)[0].split(":", 1)[0]


def find_apps(world: World, prefixes: Sequence[str], tag_keys: Sequence[str]) -> list[App]:
    """Applications by name prefix (principals and resources whose name starts with it) and by
    tag key (one application per value)."""
    principals: list[User | Role] = [*world.users.values()]
    principals += [r for r in world.roles.values() if not r.service_linked]
    apps = []
    for prefix in prefixes:
        members = sorted(p.arn for p in principals if p.name.startswith(prefix))
        owned = sorted(a for a in world.resources if resource_name(a).startswith(prefix))
        apps.append(App(prefix, f"name prefix {prefix!r}", tuple(members), tuple(owned)))
    for key in tag_keys:
        values: dict[str, tuple[list[str], list[str]]] = {}
        for p in principals:
            value = p.tags.get_folded(key)
            if value is not None:
                values.setdefault(value, ([], []))[0].append(p.arn)
        for arn, res in world.resources.items():
            value = res.tags.get_folded(key)
            if value is not None:
                values.setdefault(value, ([], []))[1].append(arn)
        for value, (members, owned) in sorted(values.items()):
            apps.append(
                App(
                    f"{key}={value}",
                    f"tag {key}={value}",
                    tuple(sorted(members)),
                    tuple(sorted(owned)),
                )
            )
    return apps


class _Access:
    """Which actions a principal may do on a resource (cached, engine-decided)."""

    def __init__(self, graph: EscalationGraph) -> None:
        self.graph = graph
        self.oracle = graph.oracle
        self._actions: dict[str, list[str]] = {}
        self._found: dict[tuple[str, str], tuple[str, ...]] = {}

    def targets(self, resource: str) -> list[str]:
        """The resource, and for a bucket any object in it."""
        parsed = parse_entity_arn(resource)
        if parsed is not None and parsed.service == "s3" and "/" not in parsed.resource:
            return [resource, f"{resource}/*"]
        return [resource]

    def actions(self, resource: str) -> list[str]:
        found = self._actions.get(resource)
        if found is None:
            found = default_actions(resource)
            self._actions[resource] = found
        return found

    def allowed(self, actor: Actor, resource: str) -> tuple[str, ...]:
        key = (actor.key, resource)
        found = self._found.get(key)
        if found is not None:
            return found
        out = []
        for target in self.targets(resource):
            for action in self.actions(target):
                if not self.oracle.may_allow_request(actor, action, target):
                    continue
                if self.oracle.check(actor, action, target).allowed:
                    out.append(action)
        found = tuple(dict.fromkeys(out))
        self._found[key] = found
        return found


def application_isolation(
    graph: EscalationGraph, apps: Sequence[App], *, hops: int = 1
) -> list[IsolationFinding]:
    """Every principal of one application that reaches a resource (or becomes a principal) of
    another, directly or by becoming other principals in at most ``hops`` become edges of the
    escalation graph (0: direct access only)."""
    access = _Access(graph)
    app_of: dict[str, str] = {}
    for app in apps:
        for arn in app.principals:
            app_of.setdefault(arn, app.name)
    findings: list[IsolationFinding] = []
    for app in apps:
        others = [(o.name, r) for o in apps if o.name != app.name for r in o.resources]
        for start in app.principals:
            if start not in graph.actors:
                continue
            seen_targets: set[str] = set()
            for key, via in _closure(graph, start, hops):
                actor = graph.actor(key)
                if actor is None:
                    continue
                other = app_of.get(key)
                crossing = other is not None and other != app.name
                if key != start and crossing and key not in seen_targets:
                    assert other is not None
                    seen_targets.add(key)
                    findings.append(IsolationFinding(app.name, start, other, key, ("become",), via))
                for other_app, resource in others:
                    if resource in seen_targets:
                        continue
                    actions = access.allowed(actor, resource)
                    if actions:
                        seen_targets.add(resource)
                        findings.append(
                            IsolationFinding(app.name, start, other_app, resource, actions, via)
                        )
    return findings


def _closure(
    graph: EscalationGraph, start: str, hops: int
) -> Iterator[tuple[str, tuple[PathStep, ...]]]:
    """Breadth-first over become edges from ``start``, at most ``hops`` deep: (node, steps)."""
    paths: dict[str, tuple[PathStep, ...]] = {start: ()}
    queue = deque([start])
    while queue:
        key = queue.popleft()
        yield key, paths[key]
        if len(paths[key]) >= hops:
            continue
        label = graph.actor(key).label if graph.actor(key) else key  # type: ignore[union-attr]
        for edge in graph.become_edges(key):
            if edge.target not in paths:
                paths[edge.target] = (*paths[key], PathStep(edge, label))
                queue.append(edge.target)


# -- entry point -------------------------------------------------------------------------------


def audit_boundaries(
    world: World,
    *,
    graph: EscalationGraph | None = None,
    prefixes: Sequence[str] = (),
    tag_keys: Sequence[str] = (),
    principals: Iterable[str] | None = None,
    max_paths: int | None = None,
    runs_as: Mapping[str, str] | None = None,
    hops: int = 1,
) -> BoundaryAuditReport:
    """Audit every bounded principal and delegated administrator (or only ``principals``,
    ARNs), and the isolation of the applications named by ``prefixes`` and ``tag_keys``
    (directly and through ``hops`` become edges)."""
    graph = graph or EscalationGraph(world, runs_as=runs_as)
    subjects = audit_subjects(graph)
    if principals is not None:
        wanted = set(principals)
        subjects = [(a, k) for a, k in subjects if a.arn in wanted]
    audits = tuple(audit_subject(graph, a, k, max_paths=max_paths) for a, k in subjects)
    apps = tuple(find_apps(world, prefixes, tag_keys)) if (prefixes or tag_keys) else ()
    findings = tuple(application_isolation(graph, apps, hops=hops)) if apps else ()
    notes = list(graph.skipped.values())
    if apps:
        # Say how far isolation looked: a longer chain of role assumptions is not searched.
        notes.append(
            f"isolation follows at most {hops} become step(s) from each application principal "
            "(--hops); longer chains are not searched"
            if hops
            else "isolation checks direct access only (--hops 0)"
        )
    if not subjects:
        notes.append(
            "no principal has a permissions boundary or delegates with iam:PermissionsBoundary"
        )
    if not graph.runs_as:
        notes.append(
            "no resource is known to run as a role: code-injection edges are conditional on "
            "such resources existing"
        )
    return BoundaryAuditReport(
        subjects=audits,
        apps=apps,
        findings=findings,
        checks=graph.oracle.checks,
        notes=tuple(notes),
    )


__all__ = [
    "App",
    "BoundaryAuditReport",
    "CeilingGoal",
    "IsolationFinding",
    "SubjectAudit",
    "application_isolation",
    "approved_boundaries",
    "audit_boundaries",
    "audit_subject",
    "audit_subjects",
    "find_apps",
    "principal_label",
    "resource_name",
]
