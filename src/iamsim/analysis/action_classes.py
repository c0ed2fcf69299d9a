"""Which actions the request builder and the engine treat alike, so that an analysis asking
many actions (``who-can '*' '*'``) decides each class of alike actions once.

Two actions of one question are *alike* for a principal when

1. the builder builds the same request for both but for the action name: same service (the
   credential keys, ``aws:RequestedRegion`` of global services, service tag keys, whether RCPs
   apply), same resource-level support (the request resource), and neither is an action the
   builder singles out (trust actions, RCP-exempt actions); and
2. the engine decides both the same way: every statement of the principal's policy set covers
   both or neither (their *signature*), and neither is an action the engine singles out
   (credential restrictions, actions that need no permission, owner-only operations, the
   bucket owner's policy access, key policies, role assumption by a root user).

:func:`class_key` gives (1) plus the engine's per-action rules of (2) as a key; the
statement signature is per policy set (:func:`signatures`). Actions the builder or the engine
names one by one are their own class (the key holds the action itself): the module sets of
those rules are read, not copied, so a rule added there is picked up here. STS actions are
always their own class (several rules single them out by name).

Coverage comes from :class:`~iamsim.analysis.actions_index.ActionIndex` (the catalogue's
expansion of each statement's Action/NotAction, the engine's case-insensitive glob).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from types import ModuleType

from iamsim.analysis.actions_index import ActionIndex
from iamsim.engine.compiled import CompiledPolicy
from iamsim.engine.decision import GATEWAY_ENDPOINT_SERVICES

# Services whose every action is its own class.
_SINGLE_SERVICES = frozenset({"sts"})
# Services the engine's own rules name (credential restrictions of IAM and STS, key policies,
# owner-only operations of SQS, KMS and S3, gateway endpoints): their actions are never
# decided alike with another service's.
_ENGINE_SERVICES = frozenset({"iam", "sts", "kms", "s3", "sqs"}) | GATEWAY_ENDPOINT_SERVICES

ClassKey = tuple[str, bool, str | None]


@lru_cache(maxsize=1)
def singled_out() -> frozenset[str]:
    """Every action (lower case) a rule of the builder or the engine names one by one."""
    from iamsim.builder import builder
    from iamsim.engine import decision, service_rules
    from iamsim.vocabulary import targets

    found: set[str] = set()
    modules: tuple[ModuleType, ...] = (builder, decision, service_rules, targets)
    for module in modules:
        for value in vars(module).values():
            if (
                isinstance(value, (frozenset, set))
                and value
                and all(isinstance(item, str) and ":" in item for item in value)
            ):
                found.update(item.lower() for item in value)
    return frozenset(found)


def class_key(action: str, resource_level: bool) -> ClassKey:
    """What, besides the statements covering it, the builder and engine look at in
    ``action``: (service, resource-level support, the action itself when singled out)."""
    lower = action.lower()
    service = lower.partition(":")[0]
    alone = lower if service in _SINGLE_SERVICES or lower in singled_out() else None
    return (service, resource_level, alone)


def engine_service(action: str, *, rcp: bool) -> str | None:
    """The service of ``action`` when the engine's decision can depend on it beyond the
    request the builder built: a service its rules name, or any service when RCPs are in the
    policy set (they apply only to the services RCPs support). None otherwise: two requests
    equal but for actions of such services, covered by the same statements, are decided
    alike."""
    service = action.partition(":")[0].lower()
    return service if rcp or service in _ENGINE_SERVICES else None


def signatures(
    policies: Iterable[CompiledPolicy], action_ids: Sequence[int], index: ActionIndex
) -> dict[int, tuple[int, ...]]:
    """For each action id, the positions (in ``policies``' statement order) of the statements
    whose Action/NotAction covers it; statements covering every action are left out (they are
    in every signature)."""
    listed: dict[int, list[int]] = {a: [] for a in action_ids}
    position = 0
    for policy in policies:
        for statement in policy.statements:
            coverage = index.coverage(statement)
            if not coverage.everything:
                if coverage.negated:
                    excluded = coverage.ids
                    for action_id, members in listed.items():
                        if action_id not in excluded:
                            members.append(position)
                else:
                    ids = coverage.ids
                    if len(ids) < len(listed):
                        for action_id in ids:
                            found = listed.get(action_id)
                            if found is not None:
                                found.append(position)
                    else:
                        for action_id, members in listed.items():
                            if action_id in ids:
                                members.append(position)
            position += 1
    return {a: tuple(members) for a, members in listed.items()}
