"""What an escalation path must reach: an administrator (every administrator probe of the
catalogue allowed, :mod:`iamsim.analysis.admin`) or a target resource (any of a set of actions
on it allowed). Both are decided by the engine for the actor as it is after its changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from iamsim.analysis.admin import AdminChecker
from iamsim.analysis.techniques import Actor, Oracle
from iamsim.catalog import service_reference
from iamsim.vocabulary.arn import parse_entity_arn


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
