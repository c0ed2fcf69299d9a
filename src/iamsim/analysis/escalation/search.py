"""The path search: breadth first from a start over an escalation graph, chaining become,
change and create edges (at most ``max_changes`` changes per path) until the goal is met, and
the run over every start that makes an :class:`~iamsim.analysis.escalation.results.EscalationReport`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from iamsim.analysis.escalation.goals import AdminGoal, Goal, ResourceGoal
from iamsim.analysis.escalation.graph import EscalationGraph, dimension, maximal
from iamsim.analysis.escalation.results import (
    CHANGE,
    Edge,
    EscalationPath,
    EscalationReport,
    PathStep,
    StartResult,
)
from iamsim.analysis.techniques import Catalogue, Oracle
from iamsim.errors import RequestError
from iamsim.model import World

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


class OutsideWorld(Exception):
    """The search was about to expand a principal of an account whose edges the graph does
    not hold (``EscalationAnalysis(within=...)``): the answer needs that account loaded."""

    def __init__(self, account: str, key: str) -> None:
        super().__init__(f"{key} is in account {account}, outside the searched accounts")
        self.account = account
        self.key = key


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
            within = self.analysis.within
            if within is not None and node is not None and node.account not in within:
                # Everything so far is what the search of the whole organization does; its
                # next step would need this account's principals and policies.
                raise OutsideWorld(node.account, key)
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
            dominance = (subject, dimension(change))
            if dominance in self.dominated:
                return
        self.graph.register(result)
        if self.goal.check(result) is not None:
            self.hits.setdefault((edge.technique.id, result.key), (key, edge, then))
            return
        if dominance is not None and maximal(result.changes[-1]):
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

    ``within``: the accounts whose principals the graph holds with all their edges (None:
    every account of the world). A graph may also hold principals of other accounts only as
    targets (roles whose trust policies let principals of ``within`` in); a search about to
    expand one raises :class:`OutsideWorld` instead of answering from part of the world.
    """

    def __init__(
        self,
        graph: EscalationGraph,
        goal: Goal,
        *,
        max_changes: int = MAX_CHANGES,
        within: Collection[str] | None = None,
    ) -> None:
        self.graph = graph
        self.goal = goal
        self.max_changes = max_changes
        self.within = frozenset(within) if within is not None else None

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
    progress: Callable[[int, int], None] | None = None,
) -> EscalationReport:
    """Paths from ``start`` (a principal as ``World.find_principal`` reads it; all users and
    roles when None) to an administrator (``to="admin"``) or to the resource ARN ``to``.

    ``progress`` hears ``(starting principals searched, starting principals in all)``."""
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
    found = []
    for done, key in enumerate(keys, 1):
        found.append(analysis.from_start(key, max_paths=max_paths))
        if progress is not None:
            progress(done, len(keys))
    results = tuple(found)
    admins = tuple(k for k in sorted(graph.actors) if graph.admin.is_admin(graph.actors[k]))
    notes = list(graph.skipped.values())
    if not graph.runs_as:
        notes.append(
            "no resource is known to run as a role (Lambda functions, instances, projects, "
            "stacks): code-injection edges are conditional on such resources existing"
        )
    for link in graph.unlinked:
        notes.append(
            f"{link.compute} {link.resource} runs as {link.role} ({link.source}), which is not "
            "in the inputs: paths through it are not searched (load the inputs that define "
            "the role, or pass --runs-as)"
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


def _arn_of(key: str) -> str:
    """The principal ARN an actor key names (keys of changed actors append their changes)."""
    return key.partition("|")[0]
