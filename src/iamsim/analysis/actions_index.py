"""The catalogue of actions as sets: which actions a statement's Action/NotAction covers.

An :class:`ActionIndex` numbers every action of the service reference (or of a few services)
and keeps, per action, its service, access level and the ARN formats of its resource types
(grouped: actions with the same formats share one *resource key*, key 0 meaning "no
resource-level permissions", i.e. the request resource is ``"*"``).

:meth:`ActionIndex.coverage` turns a compiled statement's ``Action``/``NotAction`` patterns into
the set of catalogue actions it covers, by expanding each pattern with the catalog
(:meth:`~iamsim.catalog.service_reference.ServiceReference.expand_action_pattern`, the same
case-insensitive glob the engine matches with). Results are memoized per pattern list, so every
statement that says ``s3:Get*`` costs one expansion per index.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from iamsim.analysis.arnsets import ArnSet, format_set
from iamsim.catalog import ServiceReference, service_reference
from iamsim.engine.compiled import CompiledStatement
from iamsim.patterns.action import ActionPattern


@dataclass(frozen=True, slots=True)
class Coverage:
    """A set of action ids: ``ids`` when ``negated`` is False, else every action but ``ids``."""

    ids: frozenset[int]
    negated: bool = False

    @property
    def everything(self) -> bool:
        return self.negated and not self.ids

    def __contains__(self, action_id: object) -> bool:
        return (action_id in self.ids) != self.negated

    def intersect(self, ids: frozenset[int]) -> Coverage:
        if self.negated:
            return Coverage(ids - self.ids)
        return Coverage(self.ids & ids)


EVERYTHING = Coverage(frozenset(), negated=True)
NOTHING = Coverage(frozenset())


class ActionIndex:
    """Every action of the catalogue (or of ``services``), numbered in sorted order."""

    def __init__(
        self, catalog: ServiceReference | None = None, services: Iterable[str] | None = None
    ) -> None:
        if catalog is None:
            catalog = service_reference()
        self.catalog = catalog
        wanted = None if services is None else sorted({s.lower() for s in services})
        if wanted is None:
            infos = catalog.all_action_infos()
        else:
            infos = []
            for prefix in wanted:
                for name in catalog.actions_for_service(prefix):
                    info = catalog.action_info(name)
                    if info is not None:
                        infos.append(info)
            infos.sort(key=lambda i: i.action)
        self.services_filter = None if wanted is None else frozenset(wanted)
        self.actions: list[str] = [info.action for info in infos]
        self.ids: dict[str, int] = {a.lower(): i for i, a in enumerate(self.actions)}
        self.service_of: list[str] = [info.service for info in infos]
        self.access_level: list[str] = [info.access_level for info in infos]
        # resource key per action: 0 = no resource types (request resource "*")
        self.resource_key: list[int] = []
        self.resource_types: list[tuple[str, ...]] = []
        keys: dict[tuple[str, ...], int] = {(): 0}
        self._formats: list[tuple[ArnSet, ...]] = [()]
        self.format_texts: list[tuple[str, ...]] = [()]
        for info in infos:
            formats = tuple(dict.fromkeys(f for rt in info.resource_types for f in rt.arn_formats))
            self.resource_types.append(tuple(rt.name for rt in info.resource_types))
            key = keys.get(formats)
            if key is None:
                key = len(self._formats)
                keys[formats] = key
                self._formats.append(tuple(format_set(f) for f in formats))
                self.format_texts.append(formats)
            self.resource_key.append(key)
        self._by_service: dict[str, list[int]] = {}
        for i, service in enumerate(self.service_of):
            self._by_service.setdefault(service, []).append(i)
        self._coverage: dict[tuple[tuple[str, ...], bool], Coverage] = {}
        # id(statement) -> (the statement, its coverage); holding it keeps the id unique.
        self._by_statement: dict[int, tuple[CompiledStatement, Coverage]] = {}
        # (resource set, resource key) -> whether the set can match an ARN of those formats
        self.relevance: dict[tuple[ArnSet, int], bool] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.actions)

    def formats(self, resource_key: int) -> tuple[ArnSet, ...]:
        return self._formats[resource_key]

    def service_ids(self, services: Iterable[str]) -> frozenset[int]:
        out: set[int] = set()
        for service in services:
            out.update(self._by_service.get(service.lower(), ()))
        return frozenset(out)

    def id_of(self, action: str) -> int | None:
        return self.ids.get(action.lower())

    def expand(self, pattern: str) -> list[str]:
        """Canonical actions of this index matched by an action glob, sorted."""
        out = []
        for action in self.catalog.expand_action_pattern(pattern):
            if action.lower() in self.ids:
                out.append(action)
        return out

    def _pattern_ids(self, patterns: Sequence[ActionPattern]) -> Coverage:
        if any(p.matches_all for p in patterns):
            return EVERYTHING
        ids: set[int] = set()
        for pattern in patterns:
            if (
                self.services_filter is not None
                and pattern.service is not None
                and pattern.service not in self.services_filter
            ):
                continue
            for action in self.catalog.expand_action_pattern(pattern.text):
                found = self.ids.get(action.lower())
                if found is not None:
                    ids.add(found)
        return Coverage(frozenset(ids))

    def coverage(self, statement: CompiledStatement) -> Coverage:
        """The actions of this index the statement's Action (or NotAction) element covers."""
        # By statement first: the key below joins every pattern's text, and an AWS managed
        # policy's statement can list hundreds.
        held = self._by_statement.get(id(statement))
        if held is not None and held[0] is statement:
            return held[1]
        found = self._pattern_coverage(statement)
        with self._lock:
            if len(self._by_statement) > 100_000:
                self._by_statement.clear()
            self._by_statement[id(statement)] = (statement, found)
        return found

    def _pattern_coverage(self, statement: CompiledStatement) -> Coverage:
        negated = statement.actions is None
        patterns = statement.actions if statement.actions is not None else statement.not_actions
        patterns = patterns or ()
        key = (tuple(p.text for p in patterns), negated)
        found = self._coverage.get(key)
        if found is None:
            listed = self._pattern_ids(patterns)
            if negated:
                found = NOTHING if listed.everything else Coverage(listed.ids, negated=True)
            else:
                found = listed
            with self._lock:
                self._coverage[key] = found
        return found


@lru_cache(maxsize=1)
def default_index() -> ActionIndex:
    """The shared index over the whole catalogue."""
    return ActionIndex()


@lru_cache(maxsize=64)
def _service_index(service: str) -> ActionIndex:
    return ActionIndex(services=[service])


def index_for(service: str | None = None) -> ActionIndex:
    """The whole-catalogue index, or the (shared) index of one service."""
    if service is None:
        return default_index()
    return _service_index(service.lower())
