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
) -> dict[int, int]:
    """For each action id, a label of its signature: two actions of ``action_ids`` get the
    same label exactly when the same statements of ``policies`` cover them by their
    Action/NotAction (statements covering every action are in every signature).

    A partition refinement, not a tuple of statement positions per action: each statement
    splits the classes by membership of its coverage, and membership of an action set and of
    its complement split alike, so a NotAction statement walks its excluded actions. The
    work is the statements' coverage sizes, not statements times actions (``who-can '*'
    '*'`` asks about every action of the catalogue for each principal)."""
    label: dict[int, int] = {}  # action id -> its class; absent: class 0 (no split yet)
    fresh = 1
    for policy in policies:
        for statement in policy.statements:
            coverage = index.coverage(statement)
            if coverage.everything:
                continue
            moved: dict[int, int] = {}  # old class -> its part inside this coverage
            for action_id in coverage.ids:
                old = label.get(action_id, 0)
                new = moved.get(old)
                if new is None:
                    new = moved[old] = fresh
                    fresh += 1
                label[action_id] = new
    return {a: label.get(a, 0) for a in action_ids}
