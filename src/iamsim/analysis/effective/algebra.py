"""The set algebra of effective permissions: layers of a principal's policy set, slots (what one
statement says about one action signature), resource scopes, terms (a scope under conditions),
and :func:`solve`, which subtracts every applicable Deny and intersects every guardrail that
must allow, in the engine's order, recording what each removed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from iamsim.analysis.actions_index import Coverage
from iamsim.analysis.arnsets import ArnSet, covers, intersects, resource_set
from iamsim.analysis.facts import conditions_hold
from iamsim.conditions.evaluate import CompiledCondition
from iamsim.engine.compiled import CompiledPolicy, CompiledStatement
from iamsim.engine.trace import StatementRef
from iamsim.vocabulary.request import Context


class Status(StrEnum):
    """What happened to an action the identity policies grant."""

    ALLOWED = "allowed"  # allowed on some resources with no condition
    CONDITIONAL = "conditional"  # allowed only under conditions
    CUT = "cut"  # granted, but a guardrail (boundary, session policy, SCP, RCP) lets none through
    DENIED = "denied"  # granted, but an explicit Deny removes all of it


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

    def sort_key(
        self,
    ) -> tuple[list[str], list[str], list[int], list[int], list[str]]:
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
    """The algebra for one signature (see :mod:`iamsim.analysis.effective`).

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
