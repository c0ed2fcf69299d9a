"""The escalation graph of one world: its nodes are actors (principals of the world, and
principals changed or created along a path), its edges techniques the engine allowed. Edges are
computed on demand per actor, by the edge kinds of :mod:`iamsim.analysis.escalation.edges`,
and cached; the path search (:mod:`iamsim.analysis.escalation.search`) walks them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from iamsim.analysis.escalation.edges import BECOME_EDGES, CHANGE_EDGES, CREATE_EDGES
from iamsim.analysis.escalation.results import Edge
from iamsim.analysis.escalation.runner import StepRunner
from iamsim.analysis.techniques import (
    ADMINISTRATOR_ACCESS,
    Actor,
    Catalogue,
    Change,
    Oracle,
    allow_all,
)
from iamsim.model import World
from iamsim.policy.model import PolicyType


class EscalationGraph(StepRunner):
    """The escalation graph of one world (edges computed on demand and cached); the
    arguments are :class:`StepRunner`'s."""

    def __init__(
        self,
        world: World,
        *,
        oracle: Oracle | None = None,
        catalogue: Catalogue | None = None,
        runs_as: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(world, oracle=oracle, catalogue=catalogue, runs_as=runs_as)
        self._become: dict[str, Edges] = {}
        self._changes: dict[tuple[str, str, str], list[Edge]] = {}
        self._creates: dict[str, list[Edge]] = {}
        self._changers: dict[str, bool] = {}

    def become_edges(self, key: str) -> Edges:
        """Edges by which actor ``key`` becomes another principal, computed as they are
        iterated (technique by technique in catalogue order, targets by ARN) and cached, so a
        search that has found enough paths does not pay for the rest."""
        found = self._become.get(key)
        if found is None:
            actor = self.actor(key)
            found = Edges(self._become_iter(actor) if actor is not None else iter(()))
            self._become[key] = found
        return found

    def _become_iter(self, actor: Actor) -> Iterator[Edge]:
        for technique in self.catalogue.techniques:
            handler = BECOME_EDGES.get(technique.kind)
            if handler is not None:
                yield from handler(self, actor, technique)

    def can_change(self, key: str) -> bool:
        """Whether actor ``key`` may apply any change technique at all (a cheap filter)."""
        found = self._changers.get(key)
        if found is None:
            actor = self.actor(key)
            found = actor is not None and any(
                self.may(actor, t.steps)
                for t in self.catalogue.techniques
                if t.kind in CHANGE_EDGES
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
            handler = CHANGE_EDGES.get(technique.kind)
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
        edges.sort(key=lambda e: (not maximal(e.result.changes[-1]), e.order))
        return edges

    def create_edges(self, key: str) -> list[Edge]:
        """Edges by which actor ``key`` creates a new principal it can use."""
        found = self._creates.get(key)
        if found is not None:
            return found
        actor = self.actor(key)
        edges: list[Edge] = []
        if actor is not None:
            for technique in self.catalogue.techniques:
                handler = CREATE_EDGES.get(technique.kind)
                if handler is not None:
                    edges.extend(handler(self, actor, technique))
        edges.sort(key=lambda e: e.order)
        self._creates[key] = edges
        return edges


def dimension(change: Change) -> str:
    """What a change widens: the identity policies or the boundary."""
    return "boundary" if change.sets_boundary or change.replace_boundary else "identity"


def maximal(change: Change) -> bool:
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


class Edges:
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
