"""The machinery every kind of escalation edge shares: the world's actors (principals whose
policies the inputs fully hold), per-account indexes, running a technique's steps through the
engine (with cheap necessary-condition filters first), the names an actor may choose, and
making an :class:`~iamsim.analysis.escalation.results.Edge` from allowed steps.

The edge kinds (:mod:`iamsim.analysis.escalation.edges`) are functions over a
:class:`StepRunner`; :class:`~iamsim.analysis.escalation.graph.EscalationGraph` adds the
cached edge lists on top.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence

from iamsim.analysis.admin import AdminChecker, world_actors
from iamsim.analysis.escalation.results import BECOME, CREATE, Edge, StepRecord
from iamsim.analysis.escalation.trust import TrustIndex
from iamsim.analysis.techniques import (
    Actor,
    Catalogue,
    Oracle,
    Step,
    StepGroup,
    Technique,
    load_catalogue,
    substitute,
)
from iamsim.engine import DecisionValue, decide
from iamsim.errors import RequestError
from iamsim.model import Group, Role, ServicePrincipal, User, World, resource_kind
from iamsim.vocabulary.arn import parse_entity_arn

DEFAULT_NAME = "iamsim-escalation"

_SEGMENT = re.compile(r"\$\{([A-Za-z]+)\}")


class StepRunner:
    """Runs technique steps for the actors of one world (results cached per actor).

    ``runs_as`` maps resources that run code as a role (a Lambda function, an EC2 instance, a
    CodeBuild project...) to that role's ARN, on top of the world's own links
    (:attr:`World.runs_as <iamsim.model.World.runs_as>`, those whose role runs the resource's
    code); an entry given here overrides the world's link for the same resource. A resource
    with no known link makes code-injection edges conditional on such a resource existing.
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
        self.runs_as, self.link_sources = _links(world, runs_as or {})
        # Links whose role the inputs do not hold (another account's, a role made elsewhere):
        # left out of the graph, and said so in the report's notes.
        self.unlinked = tuple(
            link
            for link in world.runs_as
            if link.runs_code
            and link.resource not in self.runs_as
            and _world_role(world, link.role) is None
        )
        # The links by resource kind (what the code-injection techniques name).
        self.links_by_kind: dict[str, list[tuple[str, str]]] = {}
        for resource, role_arn in self.runs_as.items():
            self.links_by_kind.setdefault(resource_kind(resource), []).append((resource, role_arn))
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
        self._service_trust: dict[str, list[Role]] = {}
        self._trust_index: TrustIndex | None = None
        self._names: dict[tuple[str, str], list[str]] = {}
        self._fixed: dict[tuple[str, str, str], tuple[list[StepRecord], str] | None] = {}
        self._may_cache: dict[tuple[str, tuple[int, ...]], bool] = {}

    def users(self, account: str) -> list[User]:
        return [u for u in self.world.users.values() if u.account == account]

    def roles(self, account: str) -> list[Role]:
        return [
            r for r in self.world.roles.values() if r.account == account and not r.service_linked
        ]

    def groups(self, account: str) -> list[Group]:
        return [g for g in self.world.groups.values() if g.account == account]

    def roles_trusting(self, service: str) -> list[Role]:
        """Roles whose trust policy lets ``service`` assume them (decided by the engine)."""
        found = self._service_trust.get(service)
        if found is None:
            found = []
            builder = self.oracle.builder
            principal = ServicePrincipal(service)
            for role in self.trusts().for_service(service):
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

    def trusts(self) -> TrustIndex:
        if self._trust_index is None:
            self._trust_index = TrustIndex(self.world)
        return self._trust_index

    def actor(self, key: str) -> Actor | None:
        return self.actors.get(key) or self._dynamic.get(key)

    def register(self, actor: Actor) -> None:
        """Make a changed or created actor a node of the graph (its edges on demand)."""
        if actor.key not in self.actors:
            self._dynamic.setdefault(actor.key, actor)

    def run(
        self, actor: Actor, groups: Iterable[StepGroup], values: Mapping[str, str | None]
    ) -> list[StepRecord] | None:
        """Every group allowed (one option each), or None."""
        records: list[StepRecord] = []
        for group in groups:
            record = None
            for option in group.options:
                record = self.step(actor, option, values)
                if record is not None:
                    break
            if record is None:
                return None
            records.append(record)
        return records

    def step(self, actor: Actor, step: Step, values: Mapping[str, str | None]) -> StepRecord | None:
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

    def may(self, actor: Actor, groups: Sequence[StepGroup]) -> bool:
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

    def base_values(self, actor: Actor, **extra: str | None) -> dict[str, str | None]:
        values: dict[str, str | None] = {
            "Partition": actor.partition,
            "Account": actor.account,
            "Region": self.oracle.region,
            "Actor": actor.arn,
        }
        values.update(extra)
        return values

    def names_for(self, actor: Actor, technique: Technique) -> list[str]:
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
                shape = template_regex(step.resource)
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

    def fixed_steps(
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
            for name in self.names_for(actor, technique):
                records = self.run(actor, groups, self.base_values(actor, New=name))
                if records is not None:
                    result = (records, name)
                    break
        self._fixed[key] = result
        return result

    def become_each(
        self, actor: Actor, technique: Technique, targets: Iterable[str]
    ) -> Iterator[Edge]:
        """An edge to every other principal of ``targets`` whose steps the engine allows."""
        for target in targets:
            if target == actor.arn or target not in self.actors:
                continue
            values = self.base_values(actor, Target=target)
            records = self.run(actor, technique.steps, values)
            if records is not None:
                yield self.edge(actor, technique, BECOME, self.actors[target], records, values)

    def edge(
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
        link: str = "",
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
            link=link,
        )


def _links(world: World, given: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Resource -> role ARN for every resource known to run code as a role of the world (the
    world's links, then ``given`` overriding them), and resource -> where the link was read.
    A link whose role the inputs do not hold is left out: nothing can be decided about it."""
    links: dict[str, str] = {}
    sources: dict[str, str] = {}
    for link in world.runs_as:
        if not link.runs_code:
            continue
        role = _world_role(world, link.role)
        if role is not None:
            links[link.resource] = role.arn
            sources[link.resource] = link.source
    for resource, role_arn in given.items():
        links[resource] = role_arn
        sources[resource] = "--runs-as"
    return dict(sorted(links.items())), sources


def _world_role(world: World, arn: str) -> Role | None:
    """The role an ARN names, also when written with another IAM path than the role's."""
    role = world.roles.get(arn)
    if role is not None:
        return role
    parsed = parse_entity_arn(arn)
    if parsed is None or parsed.service != "iam" or not parsed.resource.startswith("role/"):
        return None
    return world.role_by_name(parsed.account, parsed.resource.rsplit("/", 1)[-1])


def template_regex(template: str) -> re.Pattern[str]:
    """A regex reading a Resource pattern written like ``template``; ``${New}`` is captured."""
    out = []
    position = 0
    for match in _SEGMENT.finditer(template):
        out.append(re.escape(template[position : match.start()]))
        out.append("(?P<new>.+)" if match.group(1) == "New" else "[^:]*")
        position = match.end()
    out.append(re.escape(template[position:]))
    return re.compile("^" + "".join(out) + "$")


def is_kind(subject: Actor, kind: str | None) -> bool:
    """Whether ``subject`` is of a technique's target kind (``user`` or ``role``)."""
    if kind == "user":
        return subject.is_user
    if kind == "role":
        return not subject.is_user
    return False
