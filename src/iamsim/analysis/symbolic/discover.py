"""Discover mode: one request whose context is partly unknown, decided for every context.

The caller, action and resource are known (and so is every key iamsim derives from them or
the scenario gives); each *unknown* key may be absent or hold any value, a *present* key holds
an unknown value, an *absent* key is known to be missing. The answer is three-valued:

* ``Allow`` -- every context allows;
* ``Conditional`` -- some context allows (``residual`` says which, ``witness`` is one);
* ``ExplicitDeny`` -- no context allows and every context is explicitly denied;
* ``ImplicitDeny`` -- no context allows (some context is only implicitly denied).

The unknown keys are the free components of a :class:`~.space.Space` over the statements the
engine would consider for the request's service; the engine decides one request per distinct
set of applying statements (the decision depends on the context only through which statements
apply), so the answer is the engine's own, for every context class.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from iamsim import limits
from iamsim.analysis.symbolic.automata import SymbolicLimitError
from iamsim.analysis.symbolic.questions import key_states, with_variable_values
from iamsim.analysis.symbolic.residual import Block, residual_conditions
from iamsim.analysis.symbolic.space import ABSENT, Space, Value, ctx
from iamsim.engine import CompiledPolicySet, DecisionValue, PolicySet, Request, compile_policy_set
from iamsim.engine import decide as engine_decide
from iamsim.errors import InputError
from iamsim.patterns import parse_template

UNKNOWN, PRESENT, KNOWN_ABSENT = "unknown", "present", "absent"
STATUSES = (UNKNOWN, PRESENT, KNOWN_ABSENT)
CONDITIONAL = "Conditional"


@dataclass(frozen=True)
class DiscoverResult:
    """The three-valued decision, the unknown keys it ranged over, and when it is
    ``Conditional`` (or ``Allow`` with unknown keys), one allowing context and the residual
    conditions (alternatives, each a ``Condition`` block; computed when first read)."""

    decision: str
    unknown_keys: tuple[str, ...]
    witness: dict[str, object] | None = None
    contexts: int = 0  # context classes examined
    decisions: dict[str, int] = field(default_factory=dict)  # per class decision counts
    _residual: Callable[[], tuple[Block, ...]] | None = field(default=None, repr=False)

    @cached_property
    def residual(self) -> tuple[Block, ...]:
        return self._residual() if self._residual is not None else ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"decision": self.decision, "unknown_keys": list(self.unknown_keys)}
        if self.decision == CONDITIONAL:
            out["residual"] = [dict(block) for block in self.residual]
        if self.witness is not None:
            out["witness"] = self.witness
        out["context_classes"] = self.contexts
        return out


def _statement_keys(space_statements: list[Any]) -> dict[str, str]:
    """Keys the statements read (condition keys and policy-variable keys), lower -> spelling."""
    keys: dict[str, str] = {}
    for statement in space_statements:
        source = statement.source
        for clause in source.conditions:
            keys.setdefault(clause.key.lower(), clause.key)
            for value in clause.values:
                _variables(str(value), keys)
        for text in (*(source.resources or ()), *(source.not_resources or ())):
            _variables(text, keys)
    return keys


def _variables(text: str, keys: dict[str, str]) -> None:
    if "${" not in text:
        return
    try:
        for key in parse_template(text, enabled=True).variable_keys:
            keys.setdefault(key.lower(), key)
    except ValueError:
        pass


def discover(
    request: Request,
    policies: PolicySet | CompiledPolicySet,
    *,
    statuses: Mapping[str, str] | None = None,
    all_unknown: bool = True,
) -> DiscoverResult:
    """Decide ``request`` for every completion of its context.

    ``all_unknown``: every key the statements read and the context lacks is unknown.
    ``statuses`` gives some keys a status (``unknown``, ``present``, ``absent``) explicitly,
    overriding what the context holds.
    """
    compiled = compile_policy_set(policies)
    statements = [s for _, s in compiled.plan(request.service)]
    given = {k.lower() for k in request.context}
    read = _statement_keys(statements)
    wanted: dict[str, str] = {}
    for key, status in (statuses or {}).items():
        if status not in STATUSES:
            raise InputError(f"discover: key {key!r} has status {status!r}; one of {STATUSES}")
        wanted[key.lower()] = status
        read.setdefault(key.lower(), key)
    unknown: dict[str, str] = {}
    for lower in read:
        chosen = wanted.get(lower)
        if chosen is None and all_unknown and lower not in given:
            chosen = UNKNOWN
        if chosen is not None:
            unknown[lower] = chosen
    clauses: dict[str, list[Any]] = {}
    for statement in statements:
        for clause in statement.source.conditions:
            clauses.setdefault(clause.key.lower(), []).append(clause)
    candidates: dict[str, list[Value]] = {}
    for lower, status in unknown.items():
        states = key_states(read[lower], clauses.get(lower, []))
        if status == PRESENT:
            states = [s for s in states if s is not ABSENT]
        elif status == KNOWN_ABSENT:
            states = [ABSENT]
        candidates[ctx(lower)] = states
    with_variable_values(candidates, clauses)
    space = Space(statements, request, candidates, dict(read), refine=True)
    total = space.state_count()
    bound = limits.current().max_symbolic_states
    if total > bound:
        raise SymbolicLimitError(
            f"discover: {total} context classes exceed the bound of {bound} "
            "(max_symbolic_states); give some of the unknown keys (--context) or fewer"
        )
    # Leaves grouped by the statements that apply there: the engine decides once per group.
    # The groups are folded dimension by dimension (one leaf and a count per mask), so the
    # work grows with the distinct masks, not with the product of the dimensions; the
    # leaves themselves are listed only for the residual, when it is read.
    groups = _groups(space)
    count = max(1, sum(n for _, n in groups.values()))
    decided: dict[int, DecisionValue] = {}

    def decision_of(mask: int) -> DecisionValue:
        found = decided.get(mask)
        if found is None:
            found = engine_decide(space.leaf_request(groups[mask][0]), compiled)
            decided[mask] = found
        return found

    # Decide groups until the three-valued answer is known (the rest only matter for the
    # residual, computed when it is read).
    seen: set[DecisionValue] = set()
    witness_leaf: tuple[int, ...] | None = None
    # Likeliest Allow first (fewest Denies, most Allows applying), then likeliest Deny, and
    # so on from both ends: a Conditional answer is usually known after two decisions.
    deny = sum(1 << i for i, s in enumerate(space.statements) if s.is_deny)
    ranked = sorted(groups, key=lambda m: ((m & deny).bit_count(), -(m & ~deny).bit_count()))
    order = [ranked[i // 2] if i % 2 == 0 else ranked[-1 - i // 2] for i in range(len(ranked))]
    for mask in order:
        decision = decision_of(mask)
        seen.add(decision)
        if decision is DecisionValue.ALLOW and witness_leaf is None:
            witness_leaf = groups[mask][0]
        if DecisionValue.ALLOW in seen and len(seen) > 1:
            break
    names = tuple(read[k] for k in sorted(unknown) if space_reads(space, k))
    if seen == {DecisionValue.ALLOW}:
        value = DecisionValue.ALLOW.value
    elif DecisionValue.ALLOW in seen:
        value = CONDITIONAL
    elif seen == {DecisionValue.EXPLICIT_DENY}:
        value = DecisionValue.EXPLICIT_DENY.value
    else:
        value = DecisionValue.IMPLICIT_DENY.value
    witness = None if witness_leaf is None else _witness_context(space, witness_leaf)
    residual: Callable[[], tuple[Block, ...]] | None = None
    if value == CONDITIONAL:

        def residual() -> tuple[Block, ...]:
            allowing = {m for m in groups if decision_of(m) is DecisionValue.ALLOW}
            allowed = [leaf for leaf, mask in space.leaves() if mask in allowing]
            return tuple(residual_conditions(space, allowed))

    counts = {"groups_decided": len(decided)}
    return DiscoverResult(value, names, witness, count, counts, residual)


def _groups(space: Space) -> dict[int, tuple[tuple[int, ...], int]]:
    """Per mask of applying statements, its first leaf (in :meth:`Space.leaves` order) and
    how many leaves have it."""
    found: dict[int, tuple[tuple[int, ...], int]] = {space.all: ((), 1)}
    for dim in space.dims:
        step: dict[int, tuple[tuple[int, ...], int]] = {}
        for mask, (leaf, number) in found.items():
            for index, narrowing in enumerate(dim.masks):
                narrowed = mask & narrowing
                known = step.get(narrowed)
                if known is None:
                    step[narrowed] = ((*leaf, index), number)
                else:
                    step[narrowed] = (known[0], known[1] + number)
        found = step
    return found


def space_reads(space: Space, lower: str) -> bool:
    return any(ctx(lower) in dim.components for dim in space.dims)


def _witness_context(space: Space, leaf: tuple[int, ...]) -> dict[str, object]:
    """The unknown keys' values in an allowing context (absent keys omitted)."""
    out: dict[str, object] = {}
    for dim, index in zip(space.dims, leaf, strict=True):
        for comp, value in dim.states[index].items():
            if comp.startswith("ctx:") and value is not ABSENT:
                out[space.names.get(comp[4:], comp[4:])] = value
    return out
