"""Effective permissions of one principal: every catalogue action it can perform, on which
resources, under which conditions, and what each guardrail removed.

Computed with set algebra over the compiled statements of the principal's policy set (as the
request builder collects it), never with one simulation per action:

1. **Actions.** Each statement's Action/NotAction becomes a set of catalogue actions
   (:class:`~iamsim.analysis.actions_index.ActionIndex`). Actions covered by the same statements
   share one *signature*; everything below is computed once per signature and per set of
   resource patterns that can apply to the action's resource types.
2. **Resources.** A statement's Resource/NotResource entries become
   :class:`~iamsim.analysis.arnsets.ArnSet` values; an entry applies to an action only if it can
   match an ARN of one of the action's resource types (for an action without resource-level
   permissions, only ``"*"`` can, exactly as the engine matches the request resource ``"*"``).
3. **Conditions.** Clauses over keys the principal fixes (its ARN, tags, account,
   organization, and the own-account resource keys) are evaluated once with the engine's
   condition code (:mod:`iamsim.analysis.facts`): a false one drops the statement, true ones
   disappear; the rest are the conditions shown.
4. **Algebra**, in the engine's order. The identity-policy Allow statements give the grant, a
   union of *terms* (a resource scope, conditions). Every applicable Deny (identity, boundary,
   session, SCPs, RCPs) is subtracted: an unconditional Deny that covers a term removes it
   ("denied by" that statement), one that overlaps it carves its resources out, a conditional
   one leaves the term "unless" its conditions hold. Then each guardrail that must allow
   (RCP levels, SCP levels, the permissions boundary, the session policy) is intersected: a
   term no Allow of that guardrail reaches is "cut by" it; a term partly reached is narrowed
   (and the rest recorded as cut); a conditional Allow adds its conditions.

The result can be evaluated at a concrete (action, resource, context) with
:meth:`EffectivePermissions.decision_at`, which uses only the result's terms and records plus
the engine's own pattern and condition matchers: the tests compare it with the engine's
decision on requests the builder builds.

Scope: resources of the principal's own account, without resource-based policies (a resource
policy can add grants, which ``who-can`` answers per resource). ``sts:AssumeRole*`` also need the
target role's trust policy.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from iamsim.analysis.actions_index import ActionIndex, Coverage, index_for
from iamsim.analysis.arnsets import ArnSet, covers, intersects, resource_set
from iamsim.analysis.facts import Facts, clauses_to_dict, conditions_hold, principal_facts
from iamsim.conditions.evaluate import CompiledCondition
from iamsim.engine.compiled import CompiledPolicy, CompiledStatement
from iamsim.engine.decision import CompiledPolicySet, compile_policy_set
from iamsim.engine.trace import StatementRef
from iamsim.errors import RequestError
from iamsim.model import Principal, World
from iamsim.vocabulary.request import Caller, CallerKind, Context, ContextValue

# Caller kinds whose permissions this analysis describes.
_SUPPORTED = frozenset(
    {CallerKind.USER, CallerKind.ROLE_SESSION, CallerKind.FEDERATED_USER, CallerKind.ROOT}
)
_BOUNDED = frozenset({CallerKind.USER, CallerKind.ROLE_SESSION, CallerKind.FEDERATED_USER})

# An action every principal may call; used to ask the builder for the principal's policies.
_PROBE_ACTION = "sts:GetCallerIdentity"


class Status(StrEnum):
    """What happened to an action the identity policies grant."""

    ALLOWED = "allowed"  # allowed on some resources with no condition
    CONDITIONAL = "conditional"  # allowed only under conditions
    CUT = "cut"  # granted, but a guardrail (boundary, session policy, SCP, RCP) lets none through
    DENIED = "denied"  # granted, but an explicit Deny removes all of it


class Verdict(StrEnum):
    """The result's answer at one concrete request (see :meth:`decision_at`)."""

    ALLOWED = "allowed"
    DENIED = "denied"  # an explicit Deny applies
    CUT = "cut"  # a guardrail's implicit deny
    NOT_GRANTED = "not-granted"  # no identity policy grants it


# ---------------------------------------------------------------------------- building blocks


@dataclass(frozen=True, slots=True)
class Layer:
    """One policy type (or one organization level) of the principal's policy set."""

    kind: str  # identity, boundary, session, scp, rcp
    level: int | None = None
    policies: tuple[CompiledPolicy, ...] = ()

    @property
    def guard(self) -> str | None:
        """The guardrail's name as the engine reports it in ``Decision.blocked_by``."""
        if self.kind in ("scp", "rcp"):
            return f"{self.kind.upper()} at level {self.level}"
        return {"boundary": "permissions boundary", "session": "session policy"}.get(self.kind)

    @property
    def label(self) -> str:
        if self.kind in ("scp", "rcp"):
            names = ", ".join(p.policy.label for p in self.policies) or "no policy"
            where = "root" if self.level == 0 else f"level {self.level}"
            return f"{self.kind.upper()}s at {where} ({names})"
        if self.kind == "boundary" and self.policies:
            return f"permissions boundary {self.policies[0].policy.label}"
        if self.kind == "session":
            return "session policy" if self.policies else "session policy (none passed)"
        return "identity policies"


class Slot:
    """One statement as this principal sees it: its action set, resource sets and the
    condition clauses left once the principal's own keys are evaluated."""

    __slots__ = (
        "clauses",
        "coverage",
        "deny",
        "index",
        "layer",
        "not_resources",
        "resources",
        "statement",
    )

    def __init__(
        self,
        index: int,
        layer: Layer,
        statement: CompiledStatement,
        coverage: Coverage,
        resources: tuple[ArnSet, ...] | None,
        not_resources: tuple[ArnSet, ...] | None,
        clauses: tuple[CompiledCondition, ...],
    ) -> None:
        self.index = index
        self.layer = layer
        self.statement = statement
        self.deny = statement.is_deny
        self.coverage = coverage
        self.resources = resources
        self.not_resources = not_resources
        self.clauses = clauses

    @property
    def ref(self) -> StatementRef:
        return self.statement.ref

    @property
    def conditional(self) -> bool:
        return bool(self.clauses)

    def holds(self, context: Context) -> bool:
        return conditions_hold(self.clauses, context)

    def contains(self, resource: str, context: Context) -> bool:
        """Whether the statement's Resource/NotResource covers the concrete resource."""
        if self.resources is not None:
            return any(s.contains(resource, context) for s in self.resources)
        return not any(s.contains(resource, context) for s in self.not_resources or ())

    def sets(self) -> tuple[ArnSet, ...]:
        return self.resources if self.resources is not None else self.not_resources or ()

    def __repr__(self) -> str:
        return f"Slot({self.index}, {self.ref.describe()})"


def _sort_sets(sets: Iterable[ArnSet]) -> tuple[ArnSet, ...]:
    return tuple(sorted(dict.fromkeys(sets), key=lambda s: s.text))


@dataclass(frozen=True, slots=True)
class Scope:
    """Resources in every ``include`` set (everything when empty) and in no ``exclude`` set."""

    include: tuple[ArnSet, ...] = ()
    exclude: tuple[ArnSet, ...] = ()

    @staticmethod
    def make(include: Iterable[ArnSet], exclude: Iterable[ArnSet] = ()) -> Scope | None:
        """A simplified scope, or None when it is provably empty."""
        inc = [s for s in dict.fromkeys(include) if not s.is_all]
        if any(s.is_never for s in inc):
            return None
        # Keep the narrowest of nested sets.
        inc = [s for s in inc if not any(o is not s and o != s and covers(s, o) for o in inc)]
        for i, a in enumerate(inc):
            for b in inc[i + 1 :]:
                if not intersects(a, b):
                    return None
        exc: list[ArnSet] = []
        for e in dict.fromkeys(exclude):
            if e.is_never or not all(intersects(e, i) for i in inc):
                continue
            if (not inc and e.is_all) or any(covers(e, i) for i in inc):
                return None
            exc.append(e)
        exc = [e for e in exc if not any(o != e and covers(o, e) for o in exc)]
        return Scope(_sort_sets(inc), _sort_sets(exc))

    def contains(self, resource: str, context: Context) -> bool:
        return all(s.contains(resource, context) for s in self.include) and not any(
            s.contains(resource, context) for s in self.exclude
        )

    def meets(self, s: ArnSet) -> bool:
        """Whether ``s`` may share a resource with this scope."""
        return all(intersects(s, i) for i in self.include) and not any(
            covers(e, s) for e in self.exclude
        )

    def within(self, s: ArnSet) -> bool:
        """Whether this scope is (provably) inside ``s``."""
        if not self.include:
            return s.is_all
        return any(covers(s, i) for i in self.include)

    def inside(self, other: Scope) -> bool:
        """Whether this scope is (provably) inside ``other``."""
        if not all(self.within(i) for i in other.include):
            return False
        return not any(self.meets(e) for e in other.exclude)

    @property
    def texts(self) -> list[str]:
        return [s.text for s in self.include] or ["*"]


@dataclass(frozen=True, slots=True)
class Term:
    """A piece of what is granted: a resource scope, the statements whose conditions must
    hold, conditional Denies that take it away when theirs hold, and the resources
    unconditional Denies carved out (``denied``, with the statements in ``denied_by``)."""

    scope: Scope
    conditions: tuple[Slot, ...] = ()
    unless: tuple[Slot, ...] = ()
    denied: tuple[ArnSet, ...] = ()
    denied_by: tuple[Slot, ...] = ()

    @property
    def unconditional(self) -> bool:
        return not self.conditions and not self.unless

    def meets(self, s: ArnSet) -> bool:
        return self.scope.meets(s) and not any(covers(d, s) for d in self.denied)

    def in_resources(self, resource: str, context: Context) -> bool:
        return self.scope.contains(resource, context) and not any(
            d.contains(resource, context) for d in self.denied
        )

    def holds(self, resource: str, context: Context) -> bool:
        if not all(s.holds(context) for s in self.conditions):
            return False
        return not any(s.holds(context) and s.contains(resource, context) for s in self.unless)

    def narrowed(self, scope: Scope) -> Term:
        denied = tuple(d for d in self.denied if scope.meets(d))
        return Term(scope, self.conditions, self.unless, denied, self.denied_by)

    def with_conditions(self, slot: Slot) -> Term:
        if not slot.conditional or slot in self.conditions:
            return self
        conditions = tuple(sorted((*self.conditions, slot), key=lambda s: s.index))
        return Term(self.scope, conditions, self.unless, self.denied, self.denied_by)

    def with_unless(self, slot: Slot) -> Term:
        unless = tuple(sorted((*self.unless, slot), key=lambda s: s.index))
        return Term(self.scope, self.conditions, unless, self.denied, self.denied_by)

    def with_denied(self, sets: Sequence[ArnSet], slot: Slot) -> Term:
        denied = tuple(d for d in sets if not any(covers(e, d) for e in self.denied))
        if not denied:
            return self
        by = tuple(sorted({*self.denied_by, slot}, key=lambda s: s.index))
        return Term(
            self.scope, self.conditions, self.unless, _sort_sets((*self.denied, *denied)), by
        )

    def sort_key(self) -> tuple[Any, ...]:
        return (
            [s.text for s in self.scope.include],
            [s.text for s in self.scope.exclude],
            [s.index for s in self.conditions],
            [s.index for s in self.unless],
            [s.text for s in self.denied],
        )

    def clauses(self) -> tuple[CompiledCondition, ...]:
        return tuple(c for slot in self.conditions for c in slot.clauses)


@dataclass(frozen=True, slots=True)
class Removal:
    """What a Deny or a guardrail took away from a grant term.

    ``kind`` is ``deny`` (an unconditional Deny; ``full`` when it covers the whole term),
    ``deny-if`` (a conditional Deny overlapping the term) or ``cut`` (the guardrail ``layer``
    must allow and allows none of the term, or only ``allowed``).
    """

    kind: str
    layer: Layer
    term: Term
    full: bool
    slot: Slot | None = None
    allowed: tuple[tuple[Scope, Slot], ...] = ()

    @property
    def by(self) -> str:
        if self.slot is not None:
            return self.slot.ref.describe()
        return self.layer.guard or self.layer.kind


def _slot_scopes(slot: Slot, relevant: Callable[[ArnSet], bool]) -> list[Scope] | None:
    """The slot's resources restricted to the sets that can apply (None: it cannot apply)."""
    if slot.resources is not None:
        sets = [s for s in slot.resources if relevant(s)]
        if not sets:
            return None
        scopes = [Scope.make((s,)) for s in sets]
        return [s for s in scopes if s is not None] or None
    excluded = [s for s in slot.not_resources or () if relevant(s)]
    if any(s.is_all for s in excluded):
        return None
    scope = Scope.make((), excluded)
    return [scope] if scope is not None else None


def _dedupe(terms: Iterable[Term]) -> list[Term]:
    unique = list(dict.fromkeys(terms))
    kept: list[Term] = []
    for t in unique:
        dominated = False
        for u in unique:
            if u is t or u == t:
                continue
            if (
                set(u.conditions) <= set(t.conditions)
                and set(u.unless) <= set(t.unless)
                and set(u.denied) <= set(t.denied)
                and t.scope.inside(u.scope)
                and not (
                    set(t.conditions) <= set(u.conditions)
                    and set(t.unless) <= set(u.unless)
                    and set(t.denied) <= set(u.denied)
                    and u.scope.inside(t.scope)
                    and t.sort_key() < u.sort_key()
                )
            ):
                dominated = True
                break
        if not dominated:
            kept.append(t)
    return sorted(kept, key=Term.sort_key)


@dataclass(slots=True)
class Case:
    """The result for every action of one signature: the grant before and after guardrails."""

    granted: tuple[Term, ...]
    terms: tuple[Term, ...]
    removals: tuple[Removal, ...]
    status: Status | None
    within_boundary: tuple[Term, ...] | None = None

    @property
    def cut_by(self) -> list[str]:
        return list(dict.fromkeys(r.by for r in self.removals if r.kind == "cut"))

    @property
    def denied_by(self) -> list[StatementRef]:
        refs = [r.slot.ref for r in self.removals if r.kind == "deny" and r.full and r.slot]
        return list(dict.fromkeys(refs))


def _apply_deny(term: Term, slot: Slot, scopes: list[Scope]) -> tuple[list[Term], Removal | None]:
    layer = slot.layer
    if slot.resources is not None:
        sets = [s.include[0] if s.include else _ALL_SET for s in scopes]
        hits = [s for s in sets if term.meets(s)]
        if not hits:
            return [term], None
        if slot.conditional:
            return [term.with_unless(slot)], Removal("deny-if", layer, term, False, slot)
        if any(term.scope.within(s) for s in hits):
            return [], Removal("deny", layer, term, True, slot)
        return [term.with_denied(hits, slot)], Removal("deny", layer, term, False, slot)
    # NotResource: the Deny covers everything outside its sets.
    outside = scopes[0].exclude
    if any(term.scope.within(s) for s in outside):
        return [term], None
    if slot.conditional:
        return [term.with_unless(slot)], Removal("deny-if", layer, term, False, slot)
    pieces = []
    for s in outside:
        scope = Scope.make((*term.scope.include, s), term.scope.exclude)
        if scope is not None and term.meets(s):
            pieces.append(term.narrowed(scope))
    if not pieces:
        return [], Removal("deny", layer, term, True, slot)
    return pieces, Removal("deny", layer, term, False, slot)


def _apply_ceiling(
    term: Term, layer: Layer, allows: list[tuple[Scope, Slot]]
) -> tuple[list[Term], Removal | None]:
    pieces: list[Term] = []
    reached: list[tuple[Scope, Slot]] = []
    for scope, slot in allows:
        if term.scope.inside(scope):
            if not slot.conditional:
                return [term], None
            pieces.append(term.with_conditions(slot))
            reached.append((scope, slot))
            continue
        narrowed = Scope.make(
            (*term.scope.include, *scope.include), (*term.scope.exclude, *scope.exclude)
        )
        if narrowed is None or any(narrowed.within(d) for d in term.denied):
            continue
        pieces.append(term.narrowed(narrowed).with_conditions(slot))
        reached.append((scope, slot))
    if not pieces:
        return [], Removal("cut", layer, term, True)
    return pieces, Removal("cut", layer, term, False, allowed=tuple(reached))


_ALL_SET = resource_set("*", variables_enabled=False)


def solve(
    slots: Sequence[Slot],
    ceilings: Sequence[Layer],
    relevant: Callable[[ArnSet], bool],
    *,
    root: bool = False,
    boundary_view: bool = False,
) -> Case:
    """The algebra for one signature (see the module docstring).

    ``slots`` are the statements covering the actions (any layer), ``ceilings`` the guardrail
    layers that must allow, in the engine's order, ``relevant`` says whether a resource set can
    apply to the actions' resource types. ``boundary_view`` also computes the identity grant
    intersected with the permissions boundary alone.
    """
    scopes = {slot.index: _slot_scopes(slot, relevant) for slot in slots}
    terms: list[Term] = []
    if root:
        terms.append(Term(Scope()))
    for slot in slots:
        found = scopes[slot.index]
        if slot.layer.kind != "identity" or slot.deny or found is None:
            continue
        terms.extend(Term(scope).with_conditions(slot) for scope in found)
    granted = tuple(_dedupe(terms))
    if not granted:
        return Case((), (), (), None)
    removals: list[Removal] = []
    current = list(granted)
    denies = [s for s in slots if s.deny and scopes[s.index] is not None]
    denies.sort(key=lambda s: (s.conditional, s.index))
    for slot in denies:
        found = scopes[slot.index]
        assert found is not None
        following: list[Term] = []
        for term in current:
            pieces, removal = _apply_deny(term, slot, found)
            following.extend(pieces)
            if removal is not None:
                removals.append(removal)
        current = _dedupe(following)
    by_layer: dict[Layer, list[tuple[Scope, Slot]]] = {layer: [] for layer in ceilings}
    for slot in slots:
        if slot.deny or slot.layer not in by_layer:
            continue
        for scope in scopes[slot.index] or ():
            by_layer[slot.layer].append((scope, slot))
    for layer in ceilings:
        following = []
        for term in current:
            pieces, removal = _apply_ceiling(term, layer, by_layer[layer])
            following.extend(pieces)
            if removal is not None:
                removals.append(removal)
        current = _dedupe(following)
    within: tuple[Term, ...] | None = None
    if boundary_view:
        bounded = list(granted)
        for layer in ceilings:
            if layer.kind != "boundary":
                continue
            following = []
            for term in bounded:
                following.extend(_apply_ceiling(term, layer, by_layer[layer])[0])
            bounded = _dedupe(following)
        within = tuple(bounded)
    if current:
        status = Status.ALLOWED if any(t.unconditional for t in current) else Status.CONDITIONAL
    elif any(r.kind == "deny" and r.full for r in removals):
        status = Status.DENIED
    else:
        status = Status.CUT
    return Case(granted, tuple(current), tuple(removals), status, within)


# ---------------------------------------------------------------------------- the result


@dataclass(frozen=True, slots=True)
class ActionPermission:
    """One action the identity policies grant, with what became of it."""

    action: str
    service: str
    access_level: str
    case: Case

    @property
    def status(self) -> Status:
        assert self.case.status is not None
        return self.case.status


@dataclass
class EffectivePermissions:
    """The effective permissions of one principal (see the module docstring)."""

    principal: str
    caller: Caller
    account: str | None
    layers: tuple[Layer, ...]
    index: ActionIndex
    notes: tuple[str, ...]
    _cases: dict[int, Case] = field(repr=False)
    _facts: Facts = field(repr=False)
    slots: tuple[Slot, ...] = field(default=(), repr=False)

    @property
    def facts(self) -> Facts:
        """The context keys the principal fixes (see :mod:`iamsim.analysis.facts`)."""
        return self._facts

    def __iter__(self) -> Iterator[ActionPermission]:
        """Every action the identity policies grant, sorted by action name."""
        index = self.index
        for action_id in sorted(self._cases, key=lambda i: index.actions[i]):
            case = self._cases[action_id]
            yield ActionPermission(
                index.actions[action_id],
                index.service_of[action_id],
                index.access_level[action_id],
                case,
            )

    def __len__(self) -> int:
        return len(self._cases)

    def get(self, action: str) -> ActionPermission | None:
        action_id = self.index.id_of(action)
        if action_id is None or action_id not in self._cases:
            return None
        return ActionPermission(
            self.index.actions[action_id],
            self.index.service_of[action_id],
            self.index.access_level[action_id],
            self._cases[action_id],
        )

    def status(self, action: str) -> Status | None:
        found = self.get(action)
        return found.status if found is not None else None

    def allowed_actions(self, *, conditional: bool = True) -> list[str]:
        wanted = {Status.ALLOWED, Status.CONDITIONAL} if conditional else {Status.ALLOWED}
        return [p.action for p in self if p.status in wanted]

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Status}
        for permission in self:
            out[permission.status.value] += 1
        return out

    def decision_at(
        self, action: str, resource: str, context: Context
    ) -> tuple[Verdict, str | None]:
        """What this result says about one concrete request: (verdict, by whom).

        Uses only the result (its terms and removal records) and the engine's pattern and
        condition matchers, so comparing it with the engine checks the algebra.
        """
        found = self.get(action)
        if found is None:
            return Verdict.NOT_GRANTED, None
        case = found.case
        for removal in case.removals:
            if removal.kind in ("deny", "deny-if") and removal.slot is not None:
                slot = removal.slot
                if (
                    removal.term.in_resources(resource, context)
                    and slot.contains(resource, context)
                    and slot.holds(context)
                ):
                    return Verdict.DENIED, slot.ref.describe()
        for term in case.terms:
            if term.in_resources(resource, context) and term.holds(resource, context):
                return Verdict.ALLOWED, None
        for removal in case.removals:
            if removal.kind != "cut":
                continue
            term = removal.term
            if not (term.in_resources(resource, context) and term.holds(resource, context)):
                continue
            if any(
                scope.contains(resource, context) and slot.holds(context)
                for scope, slot in removal.allowed
            ):
                continue
            return Verdict.CUT, removal.layer.guard
        return Verdict.NOT_GRANTED, None


# ---------------------------------------------------------------------------- the analyzer


class EffectiveAnalyzer:
    """Computes effective permissions for principals of one world, sharing every cache
    (compiled policies, resource sets, action expansions) between principals."""

    def __init__(
        self,
        world: World,
        *,
        builder: Any = None,
        index: ActionIndex | None = None,
    ) -> None:
        if builder is None:
            from iamsim.builder import RequestBuilder

            builder = RequestBuilder(world)
        self.world = world
        self.builder = builder
        self._index = index
        self._sets: dict[tuple[str, bool], ArnSet] = {}
        self._rcp_services: frozenset[str] | None = None
        self._rcp_memo: dict[tuple[str | None, bool, str], bool] = {}

    def index(self, service: str | None = None) -> ActionIndex:
        if service is not None:
            return index_for(service)
        if self._index is None:
            self._index = index_for(None)
        return self._index

    # -- principal ----------------------------------------------------------------------------

    def policy_set(
        self, principal: str | Principal, context: Mapping[str, ContextValue] | None = None
    ) -> tuple[Any, CompiledPolicySet]:
        """(the builder's answer for a probe request, the compiled policy set)."""
        built = self.builder.build(principal, _PROBE_ACTION, "*", context=context)
        return built, compile_policy_set(built.policies)

    def layers(self, caller: Caller, compiled: CompiledPolicySet) -> list[Layer]:
        """Every layer of the policy set that applies to ``caller``, in the engine's order."""
        kind = caller.kind
        layers = [Layer("identity", None, compiled.identity)]
        for i, level in enumerate(compiled.rcp or ()):
            layers.append(Layer("rcp", i, level))
        for i, level in enumerate(compiled.scp or ()):
            layers.append(Layer("scp", i, level))
        if compiled.boundary is not None and kind in _BOUNDED:
            layers.append(Layer("boundary", None, (compiled.boundary,)))
        if caller.is_session and (
            compiled.session is not None or kind is CallerKind.FEDERATED_USER
        ):
            layers.append(Layer("session", None, compiled.session or ()))
        return layers

    def _set(self, pattern: Any, enabled: bool, facts: Facts) -> ArnSet:
        if pattern.has_variables:
            return resource_set(
                pattern.text, variables_enabled=enabled, facts=facts, engine=pattern
            )
        key = (pattern.text, enabled)
        found = self._sets.get(key)
        if found is None:
            found = resource_set(pattern.text, variables_enabled=enabled, engine=pattern)
            self._sets[key] = found
        return found

    def slots(
        self, caller: Caller, layers: Sequence[Layer], facts: Facts, index: ActionIndex
    ) -> list[Slot]:
        """Every statement that can apply to this principal, as slots (statement order)."""
        out: list[Slot] = []
        rcp_ids: frozenset[int] | None = None
        for layer in layers:
            for policy in layer.policies:
                enabled = policy.policy.variables_enabled
                for statement in policy.statements:
                    if (
                        statement.principal is not None
                        and statement.principal.match(caller) is None
                    ):
                        continue
                    clauses = facts.residual(statement.conditions)
                    if clauses is None:
                        continue
                    coverage = index.coverage(statement)
                    if layer.kind == "rcp":
                        if rcp_ids is None:
                            rcp_ids = index.service_ids(self.rcp_services())
                        coverage = coverage.intersect(rcp_ids)
                    resources = (
                        tuple(self._set(p, enabled, facts) for p in statement.resources)
                        if statement.resources is not None
                        else None
                    )
                    not_resources = (
                        tuple(self._set(p, enabled, facts) for p in statement.not_resources)
                        if statement.not_resources is not None
                        else None
                    )
                    out.append(
                        Slot(
                            len(out), layer, statement, coverage, resources, not_resources, clauses
                        )
                    )
        return out

    def rcp_services(self) -> frozenset[str]:
        if self._rcp_services is None:
            catalog = self.builder.catalog
            self._rcp_services = frozenset(s.lower() for s in catalog.rcp_supported_services())
        return self._rcp_services

    def _relevant(self, rkey: int, index: ActionIndex) -> Callable[[ArnSet], bool]:
        if rkey == 0:
            return _is_all
        formats = index.formats(rkey)
        memo = index.relevance

        def relevant(s: ArnSet) -> bool:
            if s.is_all:
                return True
            key = (s, rkey)
            found = memo.get(key)
            if found is None:
                found = any(intersects(s, f) for f in formats)
                memo[key] = found
            return found

        return relevant

    # -- the analysis -------------------------------------------------------------------------

    def permissions(
        self,
        principal: str | Principal,
        *,
        service: str | None = None,
        compare_boundary: bool = False,
        context: Mapping[str, ContextValue] | None = None,
    ) -> EffectivePermissions:
        """The effective permissions of ``principal`` over the catalogue (or one service).

        ``context`` fixes keys for every request (``aws:RequestedRegion``, ``aws:SourceIp``):
        conditions on them are decided instead of being reported as conditions."""
        # The work allocates many small, short-lived containers next to a large world; the
        # cyclic collector's full scans of that world would cost more than the analysis.
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._permissions(principal, service, compare_boundary, context or {})
        finally:
            if enabled:
                gc.enable()

    def _permissions(
        self,
        principal: str | Principal,
        service: str | None,
        compare_boundary: bool,
        context: Mapping[str, ContextValue],
    ) -> EffectivePermissions:
        built, compiled = self.policy_set(principal, context)
        caller: Caller = built.request.caller
        if caller.kind not in _SUPPORTED:
            kind = caller.kind.value.replace("-", " ")
            article = "an" if kind[:1] in "aeiou" else "a"
            raise RequestError(
                f"effective permissions describe IAM users, roles, sessions and root users; "
                f"{caller.display} is {article} {kind} caller (use who-can instead)"
            )
        index = self.index(service)
        facts = principal_facts(built.request.context, given=context)
        layers = self.layers(caller, compiled)
        slots = self.slots(caller, layers, facts, index)
        ceilings = [layer for layer in layers if layer.kind != "identity"]
        rcp_layers = [layer for layer in ceilings if layer.kind == "rcp"]
        no_rcp = [layer for layer in ceilings if layer.kind != "rcp"]
        rcp_action_ids = self._rcp_action_ids(principal, caller, rcp_layers, slots, index)

        # Signatures: the statements (beyond those covering every action) covering each
        # granted action. Only actions some identity Allow covers are looked at.
        count = len(index)
        everywhere = [s for s in slots if s.coverage.everything]
        identity_everywhere = any(s.layer.kind == "identity" and not s.deny for s in everywhere)
        root = caller.kind is CallerKind.ROOT
        if root or identity_everywhere:
            granted: Iterable[int] = range(count)
        else:
            found: set[int] = set()
            for slot in slots:
                if slot.layer.kind != "identity" or slot.deny:
                    continue
                coverage = slot.coverage
                if coverage.negated:
                    found.update(i for i in range(count) if i not in coverage.ids)
                else:
                    found.update(coverage.ids)
            granted = sorted(found)
        specific: dict[int, list[int]] = {action_id: [] for action_id in granted}
        for slot in slots:
            coverage = slot.coverage
            if coverage.everything:
                continue
            if coverage.negated:
                excluded = coverage.ids
                for action_id, listed in specific.items():
                    if action_id not in excluded:
                        listed.append(slot.index)
            else:
                for action_id in coverage.ids:
                    members = specific.get(action_id)
                    if members is not None:
                        members.append(slot.index)
        resource_key = index.resource_key
        groups: dict[tuple[tuple[int, ...], int, bool], list[int]] = {}
        for action_id, listed in specific.items():
            key = (tuple(listed), resource_key[action_id], action_id in rcp_action_ids)
            groups.setdefault(key, []).append(action_id)

        cases: dict[int, Case] = {}
        solved: dict[tuple[Any, ...], Case] = {}
        for (signature, rkey, rcp_applies), action_ids in groups.items():
            case_slots = sorted(
                [*everywhere, *(slots[i] for i in signature)], key=lambda s: s.index
            )
            if not rcp_applies:
                case_slots = [s for s in case_slots if s.layer.kind != "rcp"]
            relevant = self._relevant(rkey, index)
            bits = tuple(relevant(s) for slot in case_slots for s in slot.sets())
            memo_key = (signature, rcp_applies, bits)
            case = solved.get(memo_key)
            if case is None:
                case = solve(
                    case_slots,
                    ceilings if rcp_applies else no_rcp,
                    relevant,
                    root=root,
                    boundary_view=compare_boundary,
                )
                solved[memo_key] = case
            if case.status is None:
                continue
            for action_id in action_ids:
                cases[action_id] = case

        notes = list(built.warnings)
        if any(layer.kind == "session" and not layer.policies for layer in layers):
            notes.append("a federated-user session without a session policy has no permissions")
        return EffectivePermissions(
            principal=_principal_name(built.principal, caller),
            caller=caller,
            account=caller.account,
            layers=tuple(layers),
            index=index,
            notes=tuple(dict.fromkeys(notes)),
            _cases=cases,
            _facts=facts,
            slots=tuple(slots),
        )

    def _rcp_action_ids(
        self,
        principal: str | Principal,
        caller: Caller,
        rcp_layers: Sequence[Layer],
        slots: Sequence[Slot],
        index: ActionIndex,
    ) -> frozenset[int]:
        """The actions the RCP layers stand in front of, for resources of the caller's account.

        Whether RCPs apply is the builder's call (services RCPs support, exempt actions), asked
        per action; only the actions some RCP statement could change are asked: where every
        level allows everything unconditionally, the other actions decide the same either way.
        """
        if not rcp_layers:
            return frozenset()
        supported = index.service_ids(self.rcp_services())
        full = {
            s.layer
            for s in slots
            if s.layer.kind == "rcp"
            and not s.deny
            and not s.conditional
            and index.coverage(s.statement).everything
            and s.resources is not None
            and any(r.is_all for r in s.resources)
        }
        if all(layer in full for layer in rcp_layers):
            sensitive: set[int] = set()
            for slot in slots:
                if slot.layer.kind == "rcp" and slot.deny:
                    sensitive.update(i for i in supported if i in slot.coverage)
            candidates: Iterable[int] = sensitive
        else:
            candidates = supported
        out = []
        for action_id in candidates:
            action = index.actions[action_id]
            key = (caller.account, caller.service_linked, action)
            found = self._rcp_memo.get(key)
            if found is None:
                try:
                    found = self.builder.build(principal, action, "*").policies.rcp is not None
                except RequestError:
                    found = True
                self._rcp_memo[key] = found
            if found:
                out.append(action_id)
        return frozenset(out)


def _is_all(s: ArnSet) -> bool:
    return s.is_all


def _principal_name(principal: Any, caller: Caller) -> str:
    arn = getattr(principal, "arn", None)
    if isinstance(arn, str):
        return arn
    if caller.role_arn:
        return caller.role_arn
    return caller.display


def effective_permissions(
    world: World,
    principal: str | Principal,
    *,
    service: str | None = None,
    compare_boundary: bool = False,
    analyzer: EffectiveAnalyzer | None = None,
) -> EffectivePermissions:
    """The effective permissions of one principal (see :class:`EffectiveAnalyzer`)."""
    analyzer = analyzer or EffectiveAnalyzer(world)
    return analyzer.permissions(principal, service=service, compare_boundary=compare_boundary)


def term_to_dict(term: Term) -> dict[str, Any]:
    """A term as plain JSON values."""
    out: dict[str, Any] = {"resources": term.scope.texts}
    excluded = [s.text for s in term.scope.exclude] + [s.text for s in term.denied]
    if excluded:
        out["except"] = excluded
    clauses = term.clauses()
    if clauses:
        out["conditions"] = clauses_to_dict(clauses)
        out["conditions_from"] = [s.ref.to_dict() for s in term.conditions]
    if term.unless:
        out["unless_denied_by"] = [
            {"statement": s.ref.to_dict(), "conditions": clauses_to_dict(s.clauses)}
            for s in term.unless
        ]
    return out
