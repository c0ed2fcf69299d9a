"""Compiled policy sets for many requests over one world.

The request builder returns a fresh :class:`~iamsim.engine.policies.PolicySet` per question.
The engine compiles each policy once (its own cache in :mod:`iamsim.engine.compiled`), but a
:class:`~iamsim.engine.decision.CompiledPolicySet` also keeps per-service plans, so analyses
that ask many questions of one principal reuse the same compiled set: :class:`PolicySetCompiler`
keys them by the policies they hold (by identity; the world's policies are immutable).
"""

from __future__ import annotations

from iamsim.engine.decision import CompiledPolicySet
from iamsim.engine.policies import PolicySet
from iamsim.policy.model import Policy

_Key = tuple[object, ...]


def _ids(policies: tuple[Policy, ...] | None) -> tuple[int, ...] | None:
    return None if policies is None else tuple(id(p) for p in policies)


def _levels(levels: tuple[tuple[Policy, ...], ...] | None) -> tuple[tuple[int, ...], ...] | None:
    return None if levels is None else tuple(tuple(id(p) for p in level) for level in levels)


class PolicySetCompiler:
    """Compiles policy sets, returning the same compiled set for the same policies."""

    def __init__(self, limit: int = 65536) -> None:
        # key -> (the PolicySet, which keeps every id in the key valid; its compiled form)
        self._sets: dict[_Key, tuple[PolicySet, CompiledPolicySet]] = {}
        self._limit = limit

    def compile(self, policies: PolicySet) -> CompiledPolicySet:
        """The compiled form of ``policies`` (shared with every equal-by-identity set)."""
        key: _Key = (
            _ids(policies.identity),
            id(policies.boundary) if policies.boundary is not None else None,
            _ids(policies.session),
            id(policies.resource) if policies.resource is not None else None,
            _levels(policies.scp),
            _levels(policies.rcp),
            _ids(policies.endpoint),
        )
        found = self._sets.get(key)
        if found is None:
            if len(self._sets) >= self._limit:
                self._sets.clear()
            found = (policies, CompiledPolicySet(policies))
            self._sets[key] = found
        return found[1]
