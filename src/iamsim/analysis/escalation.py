"""Privilege escalation: a graph between principals whose edges are techniques, and the paths
from a starting principal to an administrator or to a target resource.

Edges come in three sorts, each the application of one catalogue technique
(:mod:`iamsim.analysis.techniques`) whose every step the engine allowed:

* **become** — the actor obtains another principal's credentials or runs code as it
  (``sts:AssumeRole``, access keys and passwords of users, rewriting a trust policy, passing a
  role to a service that runs code, injecting code into something already running as a role);
* **change** — the actor changes a principal's policies (attach or write a policy, a new
  default policy version, an older version, group membership, removing or replacing a
  boundary); the changed principal is an :class:`~iamsim.analysis.techniques.Actor` with that
  change applied, so what it can do afterwards is again decided by the engine;
* **create** — the actor creates a user or role, gives it a policy and uses it.

A path from a start A is: become edges to some X, then either reaching a principal that meets
the goal, or a change/create edge from X whose result meets the goal; a changed principal Y is
then used by becoming Y (from A, whose credentials the attacker still holds). Goals are
decided by the engine too (the administrator probes of :mod:`iamsim.analysis.admin`, or the
actions on a target resource).

Resources the model does not hold (a Lambda function that runs as a role, an EC2 instance with
an instance profile) are tried as ``*``-style candidate ARNs; an edge found that way says what
must exist for it to work (``conditions``). Names the actor chooses (a new function, a new
role) are tried as ``iamsim-escalation`` and as names fitting the actor's own ``Resource``
patterns.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from iamsim.analysis.admin import AdminChecker, describe_ref, world_actors
from iamsim.analysis.techniques import (
    ADMINISTRATOR_ACCESS,
    SYNTHETIC_POLICIES,
    Actor,
    Catalogue,
    Change,
    Oracle,
    Outcome,
    Step,
    StepGroup,
    Technique,
    administrator_access_arn,
    allow_all,
    fill_text,
    load_catalogue,
    principal_label,
    substitute,
)
from iamsim.engine import (
    Caller,
    CallerKind,
    CompiledPolicySet,
    DecisionValue,
    MatchClass,
    PolicySet,
    StatementRef,
    decide,
)
from iamsim.engine.principals import CompiledPrincipal
from iamsim.errors import RequestError
from iamsim.model import Group, ManagedPolicy, Role, ServicePrincipal, User, World
from iamsim.model.resources import resource_kind
from iamsim.patterns.glob import Glob
from iamsim.policy.model import Effect, Policy, PolicyType, PrincipalSpec
from iamsim.vocabulary.arn import parse_entity_arn

DEFAULT_NAME = "iamsim-escalation"

BECOME = "become"
CHANGE = "change"
CREATE = "create"


# -- records --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepRecord:
    """One request of a technique as the engine allowed it; ``statements`` are the decisive
    statements of the engine's decision (computed when first asked for)."""

    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = ()
    trust: str | None = None
    outcome: Outcome | None = field(default=None, compare=False, repr=False)

    @property
    def statements(self) -> tuple[StatementRef, ...]:
        return self.outcome.statements if self.outcome is not None else ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"action": self.action, "resource": self.resource}
        if self.context:
            out["context"] = dict(self.context)
        if self.trust:
            out["trust_policy"] = (
                "written by the actor" if self.trust == "attacker" else "trusts the account"
            )
        out["allowed_by"] = [s.to_dict() for s in self.statements]
        return out


@dataclass(frozen=True, slots=True)
class Edge:
    """One technique applied by ``source`` (an actor key).

    ``sort`` is become, change or create. ``target`` is the key of the principal the actor
    becomes (become), the principal whose policies change (change; the actor must then become
    it), or the new principal (create); ``result`` is the actor obtained, with its changes.
    ``conditions`` say what must exist outside the model for the edge to work.
    """

    technique: Technique
    source: str
    sort: str
    target: str
    result: Actor
    summary: str
    steps: tuple[StepRecord, ...]
    conditions: tuple[str, ...] = ()
    values: tuple[tuple[str, str], ...] = ()

    @property
    def conditional(self) -> bool:
        return bool(self.conditions)

    @property
    def order(self) -> tuple[str, ...]:
        return (self.target, self.technique.id, self.result.key)

    def breaks(self) -> tuple[str, ...]:
        """What would break this edge: the technique's advice, then each granting statement."""
        values = dict(self.values)
        out = [fill_text(b, values) for b in self.technique.breaks]
        granted: dict[StatementRef, list[str]] = {}
        for step in self.steps:
            for ref in step.statements:
                if ref.effect != "Allow" or ref.policy_type in ("scp", "rcp", "boundary"):
                    continue
                if ref.policy in SYNTHETIC_POLICIES:
                    continue  # written by the actor during the escalation
                actions = granted.setdefault(ref, [])
                if step.action not in actions:
                    actions.append(step.action)
        for ref, actions in granted.items():
            what = ", ".join(actions)
            if ref.policy_type == "trust":
                out.append(f"remove the actor from {describe_ref(ref)} (it allows {what})")
            else:
                out.append(f"narrow or remove {describe_ref(ref)} (it allows {what})")
        return tuple(dict.fromkeys(out))


@dataclass(frozen=True, slots=True)
class PathStep:
    """An edge as one step of a path (``then`` marks becoming the changed principal)."""

    edge: Edge
    actor: str  # label of the actor applying the technique
    then: bool = False

    def to_dict(self) -> dict[str, Any]:
        e = self.edge
        out: dict[str, Any] = {
            "technique": e.technique.id,
            "name": e.technique.name,
            "sort": e.sort,
            "actor": self.actor,
            "yields": e.summary,
            "steps": [s.to_dict() for s in e.steps],
        }
        if self.then:
            out["after_change"] = True
        if e.conditions:
            out["conditions"] = list(e.conditions)
        if e.technique.note:
            out["note"] = e.technique.note
        out["breaks"] = list(e.breaks())
        out["references"] = list(e.technique.references)
        return out


@dataclass(frozen=True, slots=True)
class EscalationPath:
    """A way from ``start`` to the goal: ``steps`` in order; ``reaches`` what meets it."""

    start: str
    steps: tuple[PathStep, ...]
    reaches: str
    goal: str

    @property
    def conditional(self) -> bool:
        return any(s.edge.conditional for s in self.steps)

    @property
    def sort_key(self) -> tuple[Any, ...]:
        return (
            self.conditional,
            len(self.steps),
            tuple((s.edge.technique.id, s.edge.target, s.edge.result.key) for s in self.steps),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "reaches": self.reaches,
            "goal": self.goal,
            "conditional": self.conditional,
            "length": len(self.steps),
            "steps": [s.to_dict() for s in self.steps],
        }


@dataclass(frozen=True, slots=True)
class StartResult:
    """The paths found from one starting principal.

    ``status``: ``goal`` (it already meets the goal), ``escalates`` (paths found) or
    ``contained`` (no path with the catalogue's techniques).
    """

    start: str
    label: str
    status: str
    paths: tuple[EscalationPath, ...] = ()
    paths_total: int = 0
    detail: str = ""
    complete: bool = True

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"principal": self.start, "label": self.label, "status": self.status}
        if self.detail:
            out["detail"] = self.detail
        out["paths_total"] = self.paths_total
        out["search_complete"] = self.complete
        out["paths"] = [p.to_dict() for p in self.paths]
        return out


# -- goals ----------------------------------------------------------------------------------


class Goal:
    """What a path must reach; ``check`` returns a description when ``actor`` meets it."""

    name = "goal"

    def check(self, actor: Actor) -> str | None:  # pragma: no cover - interface
        raise NotImplementedError


class AdminGoal(Goal):
    name = "admin"

    def __init__(self, checker: AdminChecker) -> None:
        self.checker = checker

    def check(self, actor: Actor) -> str | None:
        return "administrator" if self.checker.is_admin(actor) else None


class ResourceGoal(Goal):
    """Any of ``actions`` on ``resource`` (default: every action of the catalogue that acts on
    that kind of resource, except List and Tagging actions)."""

    def __init__(self, oracle: Oracle, resource: str, actions: Sequence[str] | None = None) -> None:
        self.oracle = oracle
        self.resource = resource
        self.name = resource
        self.actions = list(actions) if actions else default_actions(resource)
        self._found: dict[str, str | None] = {}

    def check(self, actor: Actor) -> str | None:
        if actor.key in self._found:
            return self._found[actor.key]
        allowed = []
        for action in self.actions:
            if not self.oracle.may_allow_request(actor, action, self.resource):
                continue
            if self.oracle.check(actor, action, self.resource).allowed:
                allowed.append(action)
        result = None
        if allowed:
            more = f" (and {len(allowed) - 1} more actions)" if len(allowed) > 1 else ""
            result = f"{allowed[0]} on {self.resource}{more}"
        self._found[actor.key] = result
        return result


def default_actions(resource: str) -> list[str]:
    """Actions of the catalogue that act on ``resource``'s type (List and Tagging excluded)."""
    from iamsim.catalog import service_reference

    ref = service_reference()
    parsed = parse_entity_arn(resource)
    if parsed is None:
        return []
    out = []
    for action in ref.actions_for_service(parsed.service):
        if ref.access_level(action) in ("List", "Tagging"):
            continue
        if ref.matching_resource_types(action, resource):
            out.append(action)
    return sorted(out)


# -- choices an actor makes -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Choice:
    """A managed policy the actor picks (to attach, or as a boundary); ``arn`` None means no
    boundary; ``create`` names a policy the actor must first create (iam:CreatePolicy)."""

    arn: str | None
    document: Policy | None
    label: str
    create: str | None = None


_SEGMENT = re.compile(r"\$\{([A-Za-z]+)\}")


class _Edges:
    """A lazily computed, memoized sequence of edges (iterate it any number of times)."""

    __slots__ = ("_done", "_items", "_source")

    def __init__(self, source: Iterator[Edge]) -> None:
        self._items: list[Edge] = []
        self._source = source
        self._done = False

    def __iter__(self) -> Iterator[Edge]:
        index = 0
        while True:
            if index < len(self._items):
                yield self._items[index]
                index += 1
                continue
            if self._done:
                return
            try:
                self._items.append(next(self._source))
            except StopIteration:
                self._done = True

    def all(self) -> list[Edge]:
        return list(self)


class EscalationGraph:
    """The escalation graph of one world (edges computed on demand and cached).

    ``runs_as`` maps resources that run code as a role (a Lambda function, an EC2 instance, a
    CodeBuild project...) to that role's ARN; the model has no such link yet, so without it
    code-injection edges are conditional on such a resource existing.
    """

    def __init__(
        self,
        world: World,
        *,
        oracle: Oracle | None = None,
        catalogue: Catalogue | None = None,
        runs_as: Mapping[str, str] | None = None,
    ) -> None:
        self.world = world
        self.oracle = oracle or Oracle(world)
        self.catalogue = catalogue or load_catalogue()
        self.admin = AdminChecker(self.oracle, self.catalogue)
        self.runs_as = dict(sorted((runs_as or {}).items()))
        self.actors: dict[str, Actor] = {}
        self.qualified = len(world.accounts) > 1
        # Principals whose policies the inputs do not fully hold (a managed policy missing):
        # left out of the graph, and said so, rather than answered from part of their policies.
        self.skipped: dict[str, str] = {}
        for actor in world_actors(world, include_service_linked=False):
            try:
                self.oracle.policies_of(actor)
            except RequestError as exc:
                self.skipped[actor.arn] = f"{actor.label} left out: {exc}"
                continue
            self.actors[actor.arn] = actor
        self._dynamic: dict[str, Actor] = {}
        self._become: dict[str, _Edges] = {}
        self._changes: dict[tuple[str, str, str], list[Edge]] = {}
        self._creates: dict[str, list[Edge]] = {}
        self._service_trust: dict[str, list[Role]] = {}
        self._trust_index: _TrustIndex | None = None
        self._names: dict[tuple[str, str], list[str]] = {}
        self._fixed: dict[tuple[str, str, str], tuple[list[StepRecord], str] | None] = {}
        self._may_cache: dict[tuple[str, tuple[int, ...]], bool] = {}
        self._changers: dict[str, bool] = {}

    # -- indexes ---------------------------------------------------------------------------

    def _users(self, account: str) -> list[User]:
        return [u for u in self.world.users.values() if u.account == account]

    def _roles(self, account: str) -> list[Role]:
        return [
            r for r in self.world.roles.values() if r.account == account and not r.service_linked
        ]

    def _groups(self, account: str) -> list[Group]:
        return [g for g in self.world.groups.values() if g.account == account]

    def _members(self, group: Group) -> list[User]:
        name = group.name.lower()
        return [
            u for u in self._users(group.account) if any(n.lower() == name for n in u.group_names)
        ]

    def roles_trusting(self, service: str) -> list[Role]:
        """Roles whose trust policy lets ``service`` assume them (decided by the engine)."""
        found = self._service_trust.get(service)
        if found is None:
            found = []
            builder = self.oracle.builder
            principal = ServicePrincipal(service)
            for role in self._trusts().for_service(service):
                built = builder.build(
                    principal,
                    "sts:AssumeRole",
                    role.arn,
                    context={"aws:SourceAccount": role.account},
                    now=self.oracle.now,
                )
                if decide(built.request, built.policies) is DecisionValue.ALLOW:
                    found.append(role)
            self._service_trust[service] = found
        return found

    def _trusts(self) -> _TrustIndex:
        if self._trust_index is None:
            self._trust_index = _TrustIndex(self.world)
        return self._trust_index

    # -- running steps -----------------------------------------------------------------------

    def _run(
        self, actor: Actor, groups: Iterable[StepGroup], values: Mapping[str, str | None]
    ) -> list[StepRecord] | None:
        """Every group allowed (one option each), or None."""
        records: list[StepRecord] = []
        for group in groups:
            record = None
            for option in group.options:
                record = self._step(actor, option, values)
                if record is not None:
                    break
            if record is None:
                return None
            records.append(record)
        return records

    def _step(
        self, actor: Actor, step: Step, values: Mapping[str, str | None]
    ) -> StepRecord | None:
        resource = substitute(step.resource, values)
        if resource is None:
            return None
        context = {}
        for key, template in step.context:
            value = substitute(template, values)
            if value is not None:
                context[key] = value
        if (
            step.trust is None
            and step.action.lower() != "sts:assumerole"
            and not self.oracle.may_allow_request(actor, step.action, resource)
        ):
            return None  # no statement of the actor can allow it: no need to ask the engine
        outcome = self.oracle.check(actor, step.action, resource, context, trust=step.trust)
        if not outcome.allowed:
            return None
        return StepRecord(
            step.action, resource, tuple(sorted(context.items())), step.trust, outcome
        )

    def _may(self, actor: Actor, groups: Sequence[StepGroup]) -> bool:
        """Necessary condition: every group has an option the actor's identity may allow."""
        key = (actor.key, tuple(id(g) for g in groups))
        found = self._may_cache.get(key)
        if found is None:
            found = self._may_uncached(actor, groups)
            self._may_cache[key] = found
        return found

    def _may_uncached(self, actor: Actor, groups: Sequence[StepGroup]) -> bool:
        return all(
            any(
                o.action.lower() == "sts:assumerole" or self.oracle.may_allow(actor, o.action)
                for o in g.options
            )
            for g in groups
        )

    def _base_values(self, actor: Actor, **extra: str | None) -> dict[str, str | None]:
        values: dict[str, str | None] = {
            "Partition": actor.partition,
            "Account": actor.account,
            "Region": self.oracle.region,
            "Actor": actor.arn,
        }
        values.update(extra)
        return values

    def _names_for(self, actor: Actor, technique: Technique) -> list[str]:
        """Candidate names for ``${New}``: the default, then names fitting the actor's own
        Resource patterns for the technique's actions."""
        key = (actor.key, technique.id)
        found = self._names.get(key)
        if found is not None:
            return found
        names = [DEFAULT_NAME]
        for group in technique.steps:
            for step in group.options:
                if "${New}" not in step.resource:
                    continue
                shape = _template_regex(step.resource)
                for pattern in self.oracle.resource_patterns(actor, step.action):
                    match = shape.match(pattern)
                    if match is None:
                        continue
                    name = match.group("new")
                    if name and name != "*" and "${" not in name:
                        names.append(re.sub(r"[*?]", "x", name))
        found = list(dict.fromkeys(names))
        self._names[key] = found
        return found

    def _fixed_steps(
        self, actor: Actor, technique: Technique, groups: Sequence[StepGroup], extra: str = ""
    ) -> tuple[list[StepRecord], str] | None:
        """The technique's steps that do not depend on the target, with the first candidate
        name that lets all of them through (cached per actor and technique)."""
        key = (actor.key, technique.id, extra)
        if key in self._fixed:
            return self._fixed[key]
        result: tuple[list[StepRecord], str] | None = None
        if not groups:
            result = ([], DEFAULT_NAME)
        else:
            for name in self._names_for(actor, technique):
                records = self._run(actor, groups, self._base_values(actor, New=name))
                if records is not None:
                    result = (records, name)
                    break
        self._fixed[key] = result
        return result

    # -- become edges ---------------------------------------------------------------------------

    def become_edges(self, key: str) -> _Edges:
        """Edges by which actor ``key`` becomes another principal, computed as they are
        iterated (technique by technique in catalogue order, targets by ARN) and cached, so a
        search that has found enough paths does not pay for the rest."""
        found = self._become.get(key)
        if found is None:
            actor = self.actor(key)
            found = _Edges(self._become_iter(actor) if actor is not None else iter(()))
            self._become[key] = found
        return found

    def _become_iter(self, actor: Actor) -> Iterator[Edge]:
        for technique in self.catalogue.techniques:
            handler = self._BECOME.get(technique.kind)
            if handler is not None:
                yield from handler(self, actor, technique)

    def actor(self, key: str) -> Actor | None:
        return self.actors.get(key) or self._dynamic.get(key)

    def register(self, actor: Actor) -> None:
        """Make a changed or created actor a node of the graph (its edges on demand)."""
        if actor.key not in self.actors:
            self._dynamic.setdefault(actor.key, actor)

    def _assume_role(self, actor: Actor, technique: Technique) -> Iterator[Edge]:
        may_identity = self.oracle.may_allow(actor, "sts:AssumeRole")
        targets = self._trusts().candidates(self.oracle.caller_of(actor), may_identity)
        yield from self._become_each(actor, technique, (role.arn for role in targets))

    def _update_trust(self, actor: Actor, technique: Technique) -> Iterator[Edge]:
        if not self._may(actor, technique.steps[:1]):
            return
        roles = self._roles(actor.account)
        yield from self._become_each(actor, technique, (role.arn for role in roles))

    def _user_credentials(self, actor: Actor, technique: Technique) -> Iterator[Edge]:
        if not self._may(actor, technique.steps):
            return
        users = self._users(actor.account)
        yield from self._become_each(actor, technique, (user.arn for user in users))

    def _become_each(
        self, actor: Actor, technique: Technique, targets: Iterable[str]
    ) -> Iterator[Edge]:
        """An edge to every other principal of ``targets`` whose steps the engine allows."""
        for target in targets:
            if target == actor.arn or target not in self.actors:
                continue
            values = self._base_values(actor, Target=target)
            records = self._run(actor, technique.steps, values)
            if records is not None:
                yield self._edge(actor, technique, BECOME, self.actors[target], records, values)

    def _pass_role(self, actor: Actor, technique: Technique) -> Iterator[Edge]:
        if not self._may(actor, technique.steps):
            return
        targeted = [g for g in technique.steps if _mentions_target(g)]
        fixed = self._fixed_steps(
            actor, technique, [g for g in technique.steps if not _mentions_target(g)]
        )
        if fixed is None:
            return
        fixed_records, name = fixed
        service = technique.service or ""
        for role in self.roles_trusting(service):
            if role.account != actor.account or role.arn == actor.arn:
                continue
            if role.arn not in self.actors:
                continue
            values = self._base_values(actor, Target=role.arn, Service=service, New=name)
            records = self._run(actor, targeted, values)
            if records is None:
                continue
            if technique.instance_profile and not role.instance_profile_arns:
                profile = self._instance_profile_steps(actor)
                if profile is None:
                    continue
                records = profile + records
            ordered = _ordered(technique, records + fixed_records)
            yield self._edge(actor, technique, BECOME, self.actors[role.arn], ordered, values)

    def _instance_profile_steps(self, actor: Actor) -> list[StepRecord] | None:
        """Creating an instance profile for a role that has none (both steps must pass)."""
        profile = f"arn:{actor.partition}:iam::{actor.account}:instance-profile/{DEFAULT_NAME}"
        out = []
        for action in ("iam:CreateInstanceProfile", "iam:AddRoleToInstanceProfile"):
            outcome = self.oracle.check(actor, action, profile)
            if not outcome.allowed:
                return None
            out.append(StepRecord(action, profile, (), None, outcome))
        return out

    def _run_as_existing(self, actor: Actor, technique: Technique) -> Iterator[Edge]:
        if not self._may(actor, technique.steps):
            return
        service = technique.service or ""
        trusting = {
            r.arn: r
            for r in self.roles_trusting(service)
            if r.account == actor.account
            and r.arn != actor.arn
            and (not technique.instance_profile or r.instance_profile_arns)
        }
        known: set[str] = set()
        for resource, role_arn in self.runs_as.items():
            if resource_kind(resource) != technique.resource_kind:
                continue
            role = self.world.roles.get(role_arn)
            if role is None or role.account != actor.account or role.arn == actor.arn:
                continue
            known.add(role_arn)
            values = self._base_values(actor, Target=role_arn, Resource=resource, Service=service)
            records = self._run(actor, technique.steps, values)
            if records is not None and role_arn in self.actors:
                yield self._edge(actor, technique, BECOME, self.actors[role_arn], records, values)
        candidate = substitute(technique.candidate or "", self._base_values(actor))
        if not candidate:
            return
        values = self._base_values(actor, Resource=candidate, Service=service)
        records = self._run(actor, technique.steps, values)
        if records is None:
            return
        what = (technique.resource_kind or "resource").replace("-", " ")
        what = f"an {what}" if what[:1] in "aeiou" else f"a {what}"
        for role_arn, role in sorted(trusting.items()):
            if role_arn in known or role_arn not in self.actors:
                continue
            label = principal_label(role, qualified=self.qualified)
            condition = f"{what} running as {label} must exist (none in the inputs)"
            yield self._edge(
                actor,
                technique,
                BECOME,
                self.actors[role_arn],
                records,
                {**values, "Target": role_arn},
                conditions=(condition,),
            )

    _BECOME: dict[str, Callable[[EscalationGraph, Actor, Technique], Iterator[Edge]]] = {
        "assume-role": _assume_role,
        "update-trust": _update_trust,
        "user-credentials": _user_credentials,
        "pass-role": _pass_role,
        "run-as-existing": _run_as_existing,
    }

    # -- change edges -----------------------------------------------------------------------------

    def can_change(self, key: str) -> bool:
        """Whether actor ``key`` may apply any change technique at all (a cheap filter)."""
        found = self._changers.get(key)
        if found is None:
            actor = self.actor(key)
            found = actor is not None and any(
                self._may(actor, t.steps)
                for t in self.catalogue.techniques
                if t.kind in self._CHANGE
            )
            self._changers[key] = found
        return found

    def change_edges(
        self, key: str, subject: str, skip: frozenset[str] | set[str] = frozenset()
    ) -> list[Edge]:
        """Edges by which actor ``key`` changes the policies of principal ``subject`` (the
        techniques in ``skip`` left out)."""
        actor = self.actor(key)
        target = self.actor(subject)
        if actor is None or target is None or target.account != actor.account:
            return []
        if subject != key and subject not in self.actors and not target.created:
            return []  # the actor itself, a principal of the world, or one it created
        if not self.can_change(key):
            return []
        edges: list[Edge] = []
        for technique in self.catalogue.techniques:
            handler = self._CHANGE.get(technique.kind)
            if handler is None or technique.id in skip:
                continue
            cache_key = (key, subject, technique.id)
            found = self._changes.get(cache_key)
            if found is None:
                applied = {c.key for c in target.changes}
                found = [
                    e
                    for e in handler(self, actor, technique, target)
                    if e.result.changes[-1].key not in applied  # the same change twice is moot
                ]
                self._changes[cache_key] = found
            edges.extend(found)
        edges.sort(key=lambda e: (not _maximal(e.result.changes[-1]), e.order))
        return edges

    def _attach_policy(self, actor: Actor, technique: Technique, subject: Actor) -> Iterator[Edge]:
        if not self._may(actor, technique.steps):
            return
        for target, via in self._targets(technique, subject):
            values = self._base_values(
                actor, Target=target, TargetBoundary=self._boundary_arn(subject, via)
            )
            for choice in self._policy_choices(actor):
                records = self._choice_steps(actor, choice)
                if records is None:
                    continue
                more = self._run(actor, technique.steps, {**values, "PolicyChoice": choice.arn})
                if more is None:
                    continue
                change = Change(
                    key=f"attach:{choice.arn}",
                    description=f"{choice.label} attached" + (f" to {via}" if via else ""),
                    add=(choice.document,) if choice.document else (),
                )
                yield self._edge(
                    actor,
                    technique,
                    CHANGE,
                    subject.changed(change),
                    records + more,
                    {**values, "PolicyChoice": choice.arn},
                    target_key=subject.key,
                )

    def _put_policy(self, actor: Actor, technique: Technique, subject: Actor) -> Iterator[Edge]:
        if not self._may(actor, technique.steps):
            return
        for target, via in self._targets(technique, subject):
            values = self._base_values(
                actor, Target=target, TargetBoundary=self._boundary_arn(subject, via)
            )
            records = self._run(actor, technique.steps, values)
            if records is None:
                continue
            change = Change(
                key="inline:allow-all",
                description="inline policy Allow * on * written" + (f" into {via}" if via else ""),
                add=(allow_all(),),
            )
            yield self._edge(
                actor, technique, CHANGE, subject.changed(change), records, values,
                target_key=subject.key,
            )  # fmt: skip

    def _add_to_group(self, actor: Actor, technique: Technique, subject: Actor) -> Iterator[Edge]:
        if not subject.is_user or not self._may(actor, technique.steps):
            return
        user = subject.principal
        assert isinstance(user, User)
        member_of = {n.lower() for n in user.group_names}
        for group in self._groups(actor.account):
            if group.name.lower() in member_of:
                continue
            values = self._base_values(actor, Target=group.arn)
            records = self._run(actor, technique.steps, values)
            if records is None:
                continue
            documents = self._group_documents(group)
            change = Change(
                key=f"group:{group.arn}",
                description=f"added to group {group.name}",
                add=documents,
            )
            yield self._edge(
                actor, technique, CHANGE, subject.changed(change), records, values,
                target_key=subject.key,
            )  # fmt: skip

    def _edit_policy_version(
        self, actor: Actor, technique: Technique, subject: Actor
    ) -> Iterator[Edge]:
        if not self._may(actor, technique.steps):
            return
        for policy, usage in self._policies_of(subject):
            if policy.is_aws_managed or policy.account != actor.account:
                continue
            values = self._base_values(actor, Target=policy.arn)
            records = self._run(actor, technique.steps, values)
            if records is None:
                continue
            if len(policy.versions) >= 5:  # IAM keeps five versions: one must go first
                outcome = self.oracle.check(actor, "iam:DeletePolicyVersion", policy.arn)
                if not outcome.allowed:
                    continue
                records = [StepRecord("iam:DeletePolicyVersion", policy.arn, (), None, outcome)]
                records += self._run(actor, technique.steps, values) or []
            if usage == "boundary":
                change = Change(
                    key=f"boundary-version:{policy.arn}",
                    description=f"boundary {policy.name} rewritten to Allow * on *",
                    replace_boundary=(
                        policy.as_type(PolicyType.BOUNDARY),
                        allow_all(PolicyType.BOUNDARY),
                    ),
                )
            else:
                change = Change(
                    key=f"version:{policy.arn}",
                    description=f"policy {policy.name} rewritten to Allow * on *",
                    replace=((policy.document, allow_all()),),
                )
            yield self._edge(
                actor, technique, CHANGE, subject.changed(change), records, values,
                target_key=subject.key,
            )  # fmt: skip

    def _set_default_version(
        self, actor: Actor, technique: Technique, subject: Actor
    ) -> Iterator[Edge]:
        if not self._may(actor, technique.steps):
            return
        for policy, usage in self._policies_of(subject):
            if policy.is_aws_managed or len(policy.versions) < 2:
                continue
            values = self._base_values(actor, Target=policy.arn)
            records = self._run(actor, technique.steps, values)
            if records is None:
                continue
            for version in policy.versions:
                if version.is_default:
                    continue
                if usage == "boundary":
                    change = Change(
                        key=f"boundary-default:{policy.arn}:{version.version_id}",
                        description=f"boundary {policy.name} set to version {version.version_id}",
                        replace_boundary=(
                            policy.as_type(PolicyType.BOUNDARY),
                            _retyped(version.document, PolicyType.BOUNDARY),
                        ),
                    )
                else:
                    change = Change(
                        key=f"default:{policy.arn}:{version.version_id}",
                        description=f"policy {policy.name} set to version {version.version_id}",
                        replace=((policy.document, version.document),),
                    )
                yield self._edge(
                    actor, technique, CHANGE, subject.changed(change), records,
                    {**values, "Version": version.version_id}, target_key=subject.key,
                )  # fmt: skip

    def _delete_boundary(
        self, actor: Actor, technique: Technique, subject: Actor
    ) -> Iterator[Edge]:
        if not _is_kind(subject, technique.target) or not self._may(actor, technique.steps):
            return
        boundary = subject.principal.boundary_arn
        if not boundary or any(c.sets_boundary or c.replace_boundary for c in subject.changes):
            return
        values = self._base_values(actor, Target=subject.arn, TargetBoundary=boundary)
        records = self._run(actor, technique.steps, values)
        if records is None:
            return
        change = Change(
            key="boundary:none",
            description="permissions boundary removed",
            sets_boundary=True,
            boundary=None,
        )
        yield self._edge(
            actor, technique, CHANGE, subject.changed(change), records, values,
            target_key=subject.key,
        )  # fmt: skip

    def _put_boundary(self, actor: Actor, technique: Technique, subject: Actor) -> Iterator[Edge]:
        if not _is_kind(subject, technique.target) or not self._may(actor, technique.steps):
            return
        current = subject.principal.boundary_arn
        if not current or any(c.sets_boundary or c.replace_boundary for c in subject.changes):
            return  # a boundary only ever restricts an unbounded principal
        for choice in self._boundary_choices(actor, with_none=False):
            if choice.arn == current:
                continue
            records = self._choice_steps(actor, choice)
            if records is None:
                continue
            values = self._base_values(actor, Target=subject.arn, BoundaryChoice=choice.arn)
            more = self._run(actor, technique.steps, values)
            if more is None:
                continue
            change = Change(
                key=f"boundary:{choice.arn}",
                description=f"boundary replaced by {choice.label}",
                sets_boundary=True,
                boundary=choice.document,
            )
            yield self._edge(
                actor, technique, CHANGE, subject.changed(change), records + more, values,
                target_key=subject.key,
            )  # fmt: skip

    _CHANGE: dict[str, Callable[[EscalationGraph, Actor, Technique, Actor], Iterator[Edge]]] = {
        "attach-policy": _attach_policy,
        "put-policy": _put_policy,
        "add-to-group": _add_to_group,
        "edit-policy-version": _edit_policy_version,
        "set-default-version": _set_default_version,
        "delete-boundary": _delete_boundary,
        "put-boundary": _put_boundary,
    }

    def _targets(self, technique: Technique, subject: Actor) -> list[tuple[str, str]]:
        """(ARN the technique acts on, "via" text) for a subject: the principal itself, or
        each of its groups for group techniques."""
        if technique.target == "group":
            if not subject.is_user:
                return []
            user = subject.principal
            assert isinstance(user, User)
            return [(g.arn, f"group {g.name}") for g in self.world.groups_of(user)]
        if _is_kind(subject, technique.target):
            return [(subject.arn, "")]
        return []

    @staticmethod
    def _boundary_arn(subject: Actor, via: str) -> str | None:
        return None if via else subject.principal.boundary_arn

    def _group_documents(self, group: Group) -> tuple[Policy, ...]:
        docs = list(group.inline_policies)
        for arn in group.managed_policy_arns:
            doc = self.oracle.managed_document(arn)
            if doc is not None:
                docs.append(doc)
        return tuple(docs)

    def _policies_of(self, subject: Actor) -> list[tuple[ManagedPolicy, str]]:
        """Managed policies the subject uses: (policy, "identity"|"boundary")."""
        principal = subject.principal
        out: list[tuple[ManagedPolicy, str]] = []
        arns = list(principal.managed_policy_arns)
        if isinstance(principal, User):
            for group in self.world.groups_of(principal):
                arns.extend(group.managed_policy_arns)
        for arn in dict.fromkeys(arns):
            policy = self.world.managed_policy(arn)
            if policy is not None:
                out.append((policy, "identity"))
        if principal.boundary_arn:
            policy = self.world.managed_policy(principal.boundary_arn)
            if policy is not None:
                out.append((policy, "boundary"))
        return out

    # -- choices --------------------------------------------------------------------------------

    def _policy_choices(self, actor: Actor) -> list[_Choice]:
        admin = administrator_access_arn(actor.partition)
        arns = [admin, *self._harvest(actor, "iam:PolicyARN")]
        out = [self._managed_choice(arn, PolicyType.IDENTITY) for arn in dict.fromkeys(arns)]
        out += self._created_choices(actor, "iam:PolicyARN", PolicyType.IDENTITY)
        return [c for c in out if c is not None]

    def _boundary_choices(self, actor: Actor, *, with_none: bool = True) -> list[_Choice]:
        admin = administrator_access_arn(actor.partition)
        out: list[_Choice | None] = []
        if with_none:
            out.append(_Choice(None, None, "no boundary"))
        arns = [admin, *self._harvest(actor, "iam:PermissionsBoundary")]
        out += [self._managed_choice(arn, PolicyType.BOUNDARY) for arn in dict.fromkeys(arns)]
        out += self._created_choices(actor, "iam:PermissionsBoundary", PolicyType.BOUNDARY)
        return [c for c in out if c is not None]

    def _harvest(self, actor: Actor, key: str) -> list[str]:
        """Managed policy ARNs the actor's conditions on ``key`` name or match."""
        out = []
        for value in self.oracle.condition_values(actor, key):
            if "*" in value or "?" in value:
                glob = Glob(value, ignore_case=True)
                out += [arn for arn in self.world.managed_policies if glob.matches(arn)]
            elif parse_entity_arn(value) is not None:
                out.append(value)
        return out

    def _managed_choice(self, arn: str, policy_type: PolicyType) -> _Choice | None:
        document = self.oracle.managed_document(arn)
        if document is None:
            return None
        name = arn.rsplit("/", 1)[-1]
        if policy_type is not PolicyType.IDENTITY:
            document = self._retype(arn, document, policy_type)
        return _Choice(arn, document, f"policy {name}")

    def _retype(self, arn: str, document: Policy, policy_type: PolicyType) -> Policy:
        managed = self.world.managed_policy(arn)
        if managed is not None:
            return managed.as_type(policy_type)
        return _retyped(document, policy_type)

    def _created_choices(self, actor: Actor, key: str, policy_type: PolicyType) -> list[_Choice]:
        """Policies the actor could create itself with a name its conditions accept."""
        out = []
        for value in self.oracle.condition_values(actor, key):
            arn = _instantiate_policy_arn(value, actor)
            if arn is None or arn in self.world.managed_policies:
                continue
            name = arn.rsplit("/", 1)[-1]
            out.append(_Choice(arn, allow_all(policy_type), f"new policy {name}", create=arn))
        return out

    def _choice_steps(self, actor: Actor, choice: _Choice) -> list[StepRecord] | None:
        if choice.create is None:
            return []
        outcome = self.oracle.check(actor, "iam:CreatePolicy", choice.create)
        if not outcome.allowed:
            return None
        return [StepRecord("iam:CreatePolicy", choice.create, (), None, outcome)]

    # -- create edges ---------------------------------------------------------------------------

    def create_edges(self, key: str) -> list[Edge]:
        """Edges by which actor ``key`` creates a new principal it can use."""
        found = self._creates.get(key)
        if found is not None:
            return found
        actor = self.actor(key)
        edges: list[Edge] = []
        if actor is not None:
            for technique in self.catalogue.of_kind("create-principal"):
                edges.extend(self._create_principal(actor, technique))
        edges.sort(key=lambda e: e.order)
        self._creates[key] = edges
        return edges

    def _create_principal(self, actor: Actor, technique: Technique) -> Iterator[Edge]:
        """One edge per boundary choice the engine lets through (no boundary first)."""
        if not self._may(actor, technique.steps):
            return
        create, grant, *access = technique.steps
        for name in self._names_for(actor, technique):
            edges = []
            for boundary in self._boundary_choices(actor):
                values = self._base_values(actor, New=name, BoundaryChoice=boundary.arn)
                created = self._choice_steps(actor, boundary)
                first = self._run(actor, [create], values) if created is not None else None
                rest = self._run(actor, access, values) if first is not None else None
                granted = self._grant(actor, grant, values) if rest is not None else None
                if created is None or first is None or rest is None or granted is None:
                    continue
                choice, grant_records = granted
                records = created + first + grant_records + rest
                edges.append(
                    self._new_principal_edge(
                        actor, technique, name, boundary, choice, records, values
                    )
                )
            if edges:
                yield from edges
                return

    def _grant(
        self, actor: Actor, group: StepGroup, values: Mapping[str, str | None]
    ) -> tuple[_Choice, list[StepRecord]] | None:
        """The first way to give a new principal a policy: inline Allow * on *, else the
        first attachable managed policy."""
        for option in group.options:
            if option.gives == "inline-policy":
                choices = [_Choice(None, allow_all(), "inline policy Allow * on *")]
            else:
                choices = self._policy_choices(actor)
            for choice in choices:
                extra = self._choice_steps(actor, choice)
                if extra is None:
                    continue
                record = self._step(actor, option, {**values, "PolicyChoice": choice.arn})
                if record is not None:
                    return choice, [*extra, record]
        return None

    def _new_principal_edge(
        self,
        actor: Actor,
        technique: Technique,
        name: str,
        boundary: _Choice,
        granted: _Choice,
        records: list[StepRecord],
        values: Mapping[str, str | None],
    ) -> Edge:
        kind = technique.target or "role"
        arn = f"arn:{actor.partition}:iam::{actor.account}:{kind}/{name}"
        # Existing managed policies are referenced by ARN (so later techniques see them, e.g.
        # a new version of the boundary); documents the actor writes are changes.
        attached = (granted.arn,) if granted.arn and not granted.create else ()
        bounded = boundary.arn if boundary.arn and not boundary.create else None
        principal: User | Role = (
            User(arn=arn, name=name, account=actor.account, managed_policy_arns=attached,
                 boundary_arn=bounded)
            if kind == "user"
            else Role(arn=arn, name=name, account=actor.account, managed_policy_arns=attached,
                      boundary_arn=bounded)
        )  # fmt: skip
        changes = []
        if not attached and granted.document is not None:
            changes.append(
                Change(key=f"granted:{granted.arn or 'inline'}", description="",
                       add=(granted.document,))
            )  # fmt: skip
        if boundary.create:
            changes.append(
                Change(key=f"boundary:{boundary.arn}", description="",
                       sets_boundary=True, boundary=boundary.document)
            )  # fmt: skip
        how = f"{granted.label}, " + (
            f"boundary {boundary.label}" if boundary.arn else "no boundary"
        )
        created = f"by {principal_label(actor.principal, qualified=actor.qualified)}: {how}"
        result = Actor(principal, tuple(changes), created=created, qualified=actor.qualified)
        return self._edge(
            actor,
            technique,
            CREATE,
            result,
            records,
            {**values, "Target": arn, "PolicyChoice": granted.arn},
            target_key=result.key,
        )

    # -- edges ----------------------------------------------------------------------------------

    def _edge(
        self,
        actor: Actor,
        technique: Technique,
        sort: str,
        result: Actor,
        records: list[StepRecord],
        values: Mapping[str, str | None],
        *,
        conditions: tuple[str, ...] = (),
        target_key: str | None = None,
    ) -> Edge:
        if sort == BECOME:
            summary = f"becomes {result.label}"
        elif sort == CREATE:
            summary = f"creates and uses {result.label}"
        else:
            summary = f"changes {result.label}"
        shown = {k: v for k, v in values.items() if v is not None}
        if "Target" in shown:
            shown.setdefault("TargetLabel", result.label)
        return Edge(
            technique=technique,
            source=actor.key,
            sort=sort,
            target=target_key or result.key,
            result=result,
            summary=summary,
            steps=tuple(records),
            conditions=conditions,
            values=tuple(sorted(shown.items())),
        )


def _dimension(change: Change) -> str:
    """What a change widens: the identity policies or the boundary."""
    return "boundary" if change.sets_boundary or change.replace_boundary else "identity"


def _maximal(change: Change) -> bool:
    """Whether a change gives everything in its dimension: an identity policy allowing every
    action (written, attached AdministratorAccess, or a policy rewritten to it), or a boundary
    removed or rewritten to allow everything. Any other change of the same principal in the
    same dimension allows less, so it cannot reach a goal the maximal one does not."""
    full = {id(allow_all()), id(allow_all(PolicyType.BOUNDARY))}
    if change.sets_boundary:
        return change.boundary is None or id(change.boundary) in full
    if change.replace_boundary is not None:
        return id(change.replace_boundary[1]) in full
    added = list(change.add) + [new for _, new in change.replace]
    return any(id(p) in full or p.name == ADMINISTRATOR_ACCESS for p in added)


def _retyped(document: Policy, policy_type: PolicyType) -> Policy:
    import dataclasses

    return (
        document
        if document.policy_type is policy_type
        else dataclasses.replace(document, policy_type=policy_type)
    )


def _is_kind(subject: Actor, kind: str | None) -> bool:
    if kind == "user":
        return subject.is_user
    if kind == "role":
        return not subject.is_user
    return False


def _mentions_target(group: StepGroup) -> bool:
    return any(
        "${Target" in o.resource or any("${Target" in v for _, v in o.context)
        for o in group.options
    )


def _ordered(technique: Technique, records: list[StepRecord]) -> list[StepRecord]:
    """Records in the technique's step order (instance-profile steps first)."""
    order = {a.lower(): i for i, a in enumerate(technique.actions)}
    return sorted(records, key=lambda r: order.get(r.action.lower(), -1))


def _template_regex(template: str) -> re.Pattern[str]:
    """A regex reading a Resource pattern written like ``template``; ``${New}`` is captured."""
    out = []
    position = 0
    for match in _SEGMENT.finditer(template):
        out.append(re.escape(template[position : match.start()]))
        out.append("(?P<new>.+)" if match.group(1) == "New" else "[^:]*")
        position = match.end()
    out.append(re.escape(template[position:]))
    return re.compile("^" + "".join(out) + "$")


def _instantiate_policy_arn(value: str, actor: Actor) -> str | None:
    """A concrete policy ARN matching a condition value with wildcards (``*`` → ``x``)."""
    if "*" not in value and "?" not in value:
        return None
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith("policy/"):
        return None
    partition = actor.partition if any(c in parts[1] for c in "*?") else parts[1]
    account = actor.account if any(c in parts[4] for c in "*?") else parts[4]
    if account != actor.account:
        return None
    resource = re.sub(r"[*?]", "x", parts[5])
    return f"arn:{partition}:iam::{account}:{resource}"


class _TrustIndex:
    """Which roles' trust policies could name a caller (a superset; the engine decides).

    Roles are grouped by the Principal elements of their trust policy's Allow statements; each
    distinct element is matched against a caller once, with the engine's own principal
    matching (:meth:`CompiledPrincipal.match`).
    """

    def __init__(self, world: World) -> None:
        self.anyone: list[Role] = []  # a NotPrincipal Allow: leave it to the engine
        self.by_spec: dict[PrincipalSpec, list[Role]] = {}
        self._compiled: dict[PrincipalSpec, CompiledPrincipal] = {}
        for role in world.roles.values():
            if role.service_linked or role.trust_policy is None:
                continue
            for statement in role.trust_policy.statements:
                if statement.effect is Effect.DENY:
                    continue
                if statement.not_principal is not None:
                    self.anyone.append(role)
                elif statement.principal is not None:
                    roles = self.by_spec.setdefault(statement.principal, [])
                    if role not in roles:
                        roles.append(role)

    def _matching(self, caller: Caller, account_ok: bool) -> list[Role]:
        found = {r.arn: r for r in self.anyone}
        for spec, roles in self.by_spec.items():
            compiled = self._compiled.get(spec)
            if compiled is None:
                compiled = self._compiled[spec] = CompiledPrincipal.compile(spec)
            match = compiled.match(caller)
            if match is None or (match is MatchClass.ACCOUNT and not account_ok):
                continue
            for role in roles:
                found[role.arn] = role
        return [found[k] for k in sorted(found)]

    def for_service(self, service: str) -> list[Role]:
        """Roles whose trust policy may let ``service`` assume them, by ARN."""
        return self._matching(Caller(kind=CallerKind.SERVICE, service=service), False)

    def candidates(self, caller: Caller, identity_may_allow: bool) -> list[Role]:
        """Roles whose trust policy names ``caller``, or its account when its identity
        policies may allow sts:AssumeRole, by ARN."""
        return self._matching(caller, identity_may_allow)


# -- searching paths --------------------------------------------------------------------------


# How many change or create edges one path may chain (each yields a new actor to explore).
MAX_CHANGES = 2


@dataclass(frozen=True, slots=True)
class _Link:
    """How a node was first reached: from ``previous`` by ``edge``, then ``then`` (becoming
    the changed principal)."""

    previous: str
    edge: Edge
    then: tuple[PathStep, ...] = ()


_Hit = tuple[str, Edge, tuple[PathStep, ...]]


class _Search:
    """One breadth-first search from a start (see :class:`EscalationAnalysis`)."""

    def __init__(self, analysis: EscalationAnalysis, start: str) -> None:
        self.analysis = analysis
        self.graph = analysis.graph
        self.goal = analysis.goal
        self.links: dict[str, _Link | None] = {start: None}
        self.changes: dict[str, int] = {start: 0}
        self.length: dict[str, int] = {start: 0}
        # One path per final step (technique, principal reached): the first (shortest) found.
        self.hits: dict[tuple[str, str], _Hit] = {}
        # Techniques already applied to each subject by some node: a later node applying the
        # same technique to the same subject would only give a longer path to the same state.
        self.applied: dict[str, set[str]] = {}
        self.changers: list[str] = []  # nodes expanded that may change principals
        self.seen: list[str] = []  # principals of the world reached, in order
        self.queue = deque([start])
        self.dominated: set[tuple[str, str]] = set()  # (subject, dimension) explored maximally

    def run(self, max_paths: int | None) -> bool:
        """Explore; False when stopped early with ``max_paths`` paths found."""
        graph = self.graph
        limit = self.analysis.max_changes
        while self.queue:
            key = self.queue.popleft()
            # Paths still to be found are at least as long as this node's plus one.
            if max_paths is not None and self._enough(max_paths, self.length[key] + 1):
                return False
            node = graph.actor(key)
            if key in graph.actors or (node is not None and node.created):
                self.seen.append(key)
                for changer in self.changers:
                    if _arn_of(changer) != _arn_of(key):
                        for edge in self._changes(changer, key):
                            self._result(changer, edge, self._then(key), key)
            for edge in graph.become_edges(key):
                if self.goal.check(edge.result) is not None:
                    self.hits.setdefault((edge.technique.id, edge.target), (key, edge, ()))
                    if max_paths is not None and self._enough(max_paths, self.length[key] + 1):
                        return False
                elif edge.target not in self.links:
                    self.links[edge.target] = _Link(key, edge)
                    self.changes[edge.target] = self.changes[key]
                    self.length[edge.target] = self.length[key] + 1
                    self.queue.append(edge.target)
            if self.changes[key] >= limit:
                continue
            if graph.can_change(key):
                self.changers.append(key)
                for edge in self._changes(key, key):
                    self._result(key, edge, (), key)
                for subject in self.seen:
                    # Another state of the changer itself is not a subject: its own changes
                    # persist, so it changes itself only as it now is (the edges above).
                    if _arn_of(subject) != _arn_of(key):
                        for edge in self._changes(key, subject):
                            self._result(key, edge, self._then(subject), subject)
            for edge in graph.create_edges(key):
                self._result(key, edge, (), key)
        return True

    def _changes(self, changer: str, subject: str) -> list[Edge]:
        done = self.applied.setdefault(subject, set())
        edges = self.graph.change_edges(changer, subject, done)
        done.update(e.technique.id for e in edges)
        return edges

    def _enough(self, max_paths: int, length: int) -> bool:
        """At least ``max_paths`` paths no longer than ``length`` are known."""
        if len(self.hits) < max_paths:
            return False
        definite = (h for h in self.hits.values() if not self._conditional(h))
        return sum(self._steps(h) <= length for h in definite) >= max_paths

    def _conditional(self, hit: _Hit) -> bool:
        """Whether a path ending with ``hit`` depends on resources outside the model."""
        previous, edge, then = hit
        if edge.conditional or any(s.edge.conditional for s in then):
            return True
        key: str | None = previous
        while key is not None:
            link = self.links.get(key)
            if link is None:
                return False
            if link.edge.conditional or any(s.edge.conditional for s in link.then):
                return True
            key = link.previous
        return False

    def _steps(self, hit: _Hit) -> int:
        previous, _, then = hit
        return self.length[previous] + 1 + len(then)

    def _then(self, subject: str) -> tuple[PathStep, ...]:
        """The steps to become ``subject`` once it is changed."""
        return tuple(
            PathStep(s.edge, s.actor, then=True)
            for s in self.analysis._path_to(self.links, subject)
        )

    def _result(self, key: str, edge: Edge, then: tuple[PathStep, ...], subject: str) -> None:
        """A change (or creation) by ``key`` of ``subject``: a path when its result meets the
        goal, else a new node while the path holds at most ``max_changes`` changes.

        Once a maximal change of a subject (see :func:`_maximal`) is explored without meeting
        the goal, weaker changes of that subject in the same dimension are not: they can only
        reach less (every goal is monotonic in what the principal is allowed)."""
        depth = max(self.changes[key], self.changes.get(subject, 0)) + 1
        if depth > self.analysis.max_changes:
            return
        result = edge.result
        dominance = None
        if edge.sort == CHANGE:
            change = result.changes[-1]
            dominance = (subject, _dimension(change))
            if dominance in self.dominated:
                return
        self.graph.register(result)
        if self.goal.check(result) is not None:
            self.hits.setdefault((edge.technique.id, result.key), (key, edge, then))
            return
        if dominance is not None and _maximal(result.changes[-1]):
            self.dominated.add(dominance)
        if result.key not in self.links:
            self.links[result.key] = _Link(key, edge, then)
            self.changes[result.key] = depth
            self.length[result.key] = self.length[key] + 1 + len(then)
            self.queue.append(result.key)


class EscalationAnalysis:
    """Paths from principals to a goal over an :class:`EscalationGraph`.

    From a start, nodes are explored breadth first: principals it can become, principals the
    nodes found can change (each change is a new node, explored in turn) or create, up to
    ``max_changes`` changes per path. A change on a principal is followed by becoming it (the
    steps to it from the start). A node meeting the goal is not expanded. Every edge that
    reaches the goal from a node that does not meet it gives one path (its prefix is the first
    way found to that node).
    """

    def __init__(
        self, graph: EscalationGraph, goal: Goal, *, max_changes: int = MAX_CHANGES
    ) -> None:
        self.graph = graph
        self.goal = goal
        self.max_changes = max_changes

    def starts(self) -> list[str]:
        return sorted(self.graph.actors)

    def from_start(self, start: str, *, max_paths: int | None = None) -> StartResult:
        """Paths from ``start``, shortest first. With ``max_paths`` the search stops once that
        many are found and the current path length is exhausted (``complete`` is then False
        and ``paths_total`` a lower bound); without it, every path is enumerated."""
        actor = self.graph.actor(start)
        if actor is None:
            raise KeyError(start)
        already = self.goal.check(actor)
        if already is not None:
            return StartResult(start, actor.label, "goal", detail=already)
        search = _Search(self, start)
        complete = search.run(max_paths)
        paths = [
            EscalationPath(
                start,
                (
                    *self._path_to(search.links, previous),
                    PathStep(edge, self._label(previous)),
                    *then,
                ),
                edge.result.label,
                self.goal.check(edge.result) or "",
            )
            for previous, edge, then in search.hits.values()
        ]
        ranked = sorted(paths, key=lambda p: p.sort_key)
        total = len(ranked)
        if max_paths is not None:
            ranked = ranked[:max_paths]
        status = "escalates" if total else "contained"
        return StartResult(start, actor.label, status, tuple(ranked), total, complete=complete)

    def _label(self, key: str) -> str:
        actor = self.graph.actor(key)
        return actor.label if actor is not None else key

    def _path_to(self, links: Mapping[str, _Link | None], key: str) -> list[PathStep]:
        steps: list[PathStep] = []
        current = key
        while True:
            link = links.get(current)
            if link is None:
                break
            steps[:0] = [PathStep(link.edge, self._label(link.previous)), *link.then]
            current = link.previous
        return steps


@dataclass(frozen=True)
class EscalationReport:
    """The answer of ``iamsim escalation``: the goal, every start's paths, the admins."""

    goal: str
    results: tuple[StartResult, ...]
    admins: tuple[str, ...] = ()
    techniques: int = 0
    checks: int = 0
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        escalating = [r for r in self.results if r.status == "escalates"]
        return {
            "goal": self.goal,
            "techniques": self.techniques,
            "administrators": list(self.admins),
            "summary": {
                "principals": len(self.results),
                "already_at_goal": sum(r.status == "goal" for r in self.results),
                "escalate": len(escalating),
                "contained": sum(r.status == "contained" for r in self.results),
            },
            "results": [r.to_dict() for r in self.results],
            "notes": list(self.notes),
        }


def analyze_escalation(
    world: World,
    *,
    start: str | None = None,
    to: str = "admin",
    actions: Sequence[str] | None = None,
    max_paths: int | None = None,
    oracle: Oracle | None = None,
    catalogue: Catalogue | None = None,
    runs_as: Mapping[str, str] | None = None,
    graph: EscalationGraph | None = None,
) -> EscalationReport:
    """Paths from ``start`` (a principal as ``World.find_principal`` reads it; all users and
    roles when None) to an administrator (``to="admin"``) or to the resource ARN ``to``."""
    graph = graph or EscalationGraph(world, oracle=oracle, catalogue=catalogue, runs_as=runs_as)
    goal: Goal = (
        AdminGoal(graph.admin) if to == "admin" else ResourceGoal(graph.oracle, to, actions)
    )
    analysis = EscalationAnalysis(graph, goal)
    if start is not None:
        principal = world.find_principal(start)
        key = getattr(principal, "arn", None)
        if key not in graph.actors:
            if key in graph.skipped:
                raise RequestError(graph.skipped[key])
            raise RequestError(
                f"{start!r} is not a user or role of the inputs that escalation can start from"
            )
        keys = [key]
    else:
        keys = analysis.starts()
    results = tuple(analysis.from_start(k, max_paths=max_paths) for k in keys)
    admins = tuple(k for k in sorted(graph.actors) if graph.admin.is_admin(graph.actors[k]))
    notes = list(graph.skipped.values())
    if not graph.runs_as:
        notes.append(
            "no resource is known to run as a role (Lambda functions, instances, projects, "
            "stacks): code-injection edges are conditional on such resources existing"
        )
    if isinstance(goal, ResourceGoal) and not goal.actions:
        notes.append(f"no catalogue action acts on {to}; pass --action")
    return EscalationReport(
        goal="administrator" if to == "admin" else to,
        results=results,
        admins=admins,
        techniques=len(graph.catalogue.techniques),
        checks=graph.oracle.checks,
        notes=tuple(notes),
    )


# Re-exported for callers that evaluate goals on their own policy sets.
__all__ = [
    "AdminGoal",
    "CompiledPolicySet",
    "Edge",
    "EscalationAnalysis",
    "EscalationGraph",
    "EscalationPath",
    "EscalationReport",
    "Goal",
    "PathStep",
    "PolicySet",
    "ResourceGoal",
    "StartResult",
    "StepRecord",
    "analyze_escalation",
    "default_actions",
]


def _arn_of(key: str) -> str:
    """The principal ARN an actor key names (keys of changed actors append their changes)."""
    return key.partition("|")[0]
