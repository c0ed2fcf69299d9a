"""The decision procedure: a finite abstraction of the request space, searched exactly.

A request is a point in a product of *components*: ``action``, ``resource``, ``principal``
(a caller with the context keys AWS derives from it) and one ``ctx:KEY`` per context key.
A statement applies when each of its *parts* holds -- the Action/NotAction element, the
Resource/NotResource element, the Principal/NotPrincipal element and each condition clause
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html) --
and each part reads a few components only: its own, plus the keys its policy variables name.
Components read together by some part are fused into one *dimension*.

Each dimension gets a finite list of candidate states (:mod:`.domains`); every part is
evaluated on every state **with the engine's own matchers** (``ActionPattern.matches``,
``ResourcePattern.matches``, ``CompiledPrincipal.match``, ``CompiledCondition.evaluate``), and
states with the same outcome on every part are merged: one representative per class. Whether
a statement applies at a point is then the AND, over dimensions, of its part outcomes at the
point's states, a bit in a mask; the question (does NEW allow where OLD does not, is an action
ever allowed, which contexts allow) is a Boolean function of the mask, searched depth first
with three-valued pruning (statements certainly / possibly applying).

Correctness (docs/semantics.md, "Symbolic layer"): the answer is exact when the candidates of
each dimension meet every class of its parts. The class structure is what the policies
mention, and :mod:`.domains` constructs members of every realizable class (glob products are
exact by construction); every witness and counterexample is a concrete request that callers
replay through the engine.
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from iamsim import limits
from iamsim.analysis.symbolic.automata import SymbolicLimitError
from iamsim.conditions import CompiledCondition, compile_condition, parse_operator
from iamsim.engine import Caller, Context, Request
from iamsim.engine.compiled import CompiledStatement
from iamsim.patterns import ActionPattern, parse_template
from iamsim.policy.model import ConditionClause
from iamsim.vocabulary.request import ContextValue

ACTION, RESOURCE, PRINCIPAL = "action", "resource", "principal"


class Absent:
    """The state of a context key that is not in the request."""

    _instance: Absent | None = None

    def __new__(cls) -> Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = Absent()

# A component's value: an action or resource string, a (caller, derived keys) pair, or a
# context value (ABSENT when the key is not in the request).
PrincipalValue = tuple[Caller, dict[str, ContextValue]]
Value = str | PrincipalValue | ContextValue | Absent


def ctx(key: str) -> str:
    """The component of a context key (names are case-insensitive)."""
    return "ctx:" + key.lower()


@dataclass(frozen=True, slots=True)
class Part:
    """One element or condition clause of a statement, with the components it reads."""

    components: frozenset[str]
    test: Callable[[Request], bool]
    clause: CompiledCondition | None = None  # for condition parts, the clause


_CACHE_LIMIT = 16384
_KEYED_CANDIDATES = 256  # dimensions with more candidates than this are not cached

_K = TypeVar("_K")
_V = TypeVar("_V")


class _ByIdentity(Generic[_K, _V]):
    """Values derived from compiled objects, cached by the object's identity (the key is kept
    alive with its entry, so an id is never reused while cached), bounded like the engine's
    caches: cleared when full."""

    def __init__(self, derive: Callable[[_K], _V]) -> None:
        self._derive = derive
        self._entries: dict[int, tuple[_K, _V]] = {}

    def __call__(self, key: _K) -> _V:
        entry = self._entries.get(id(key))
        if entry is not None and entry[0] is key:
            return entry[1]
        if len(self._entries) >= _CACHE_LIMIT:
            self._entries.clear()
        value = self._derive(key)
        self._entries[id(key)] = (key, value)
        return value


def statement_parts(statement: CompiledStatement) -> list[Part]:
    """The parts of a statement (cached per compiled statement)."""
    return _STATEMENT_PARTS(statement)


def _statement_parts(statement: CompiledStatement) -> list[Part]:
    """The parts of a statement, each a test on a concrete request using the engine's
    matchers (the conjunction is :meth:`CompiledStatement.match`'s)."""
    parts: list[Part] = []
    actions, not_actions = statement.actions, statement.not_actions
    if actions is not None:
        hits = _action_test(actions)
        parts.append(Part(frozenset({ACTION}), lambda r: hits(r.action.lower())))
    elif not_actions is not None:
        misses = _action_test(not_actions)
        parts.append(Part(frozenset({ACTION}), lambda r: not misses(r.action.lower())))
    source = statement.source
    texts = source.resources if source.resources is not None else source.not_resources
    patterns = statement.resources if statement.resources is not None else statement.not_resources
    if patterns is not None and texts is not None:
        keys: set[str] = set()
        for text in texts:
            if "${" in text:
                with contextlib.suppress(ValueError):
                    keys.update(ctx(k) for k in parse_template(text, enabled=True).variable_keys)
        positive = statement.resources is not None
        pats = patterns

        def resource_test(r: Request) -> bool:
            hit = any(p.matches(r.resource, r.context) for p in pats)
            return hit if positive else not hit

        parts.append(Part(frozenset({RESOURCE, *keys}), resource_test))
    principal, not_principal = statement.principal, statement.not_principal
    if principal is not None:
        parts.append(Part(frozenset({PRINCIPAL}), lambda r: principal.match(r.caller) is not None))
    elif not_principal is not None:
        parts.append(
            Part(frozenset({PRINCIPAL}), lambda r: not not_principal.covers_every_layer(r.caller))
        )
    for condition in statement.conditions.conditions:
        comps = {ctx(condition.key), *(ctx(k) for k in condition.variable_keys)}
        parts.append(Part(frozenset(comps), _condition_test(condition), condition))
    return parts


def _action_test(patterns: Sequence[ActionPattern]) -> Callable[[str], bool]:
    """``any(p.matches(action) for p in patterns)`` for a lower-case action, with the literal
    patterns in a set and the others looked up by service (the same answer, faster)."""
    literals: set[str] = set()
    by_service: dict[str | None, list[ActionPattern]] = {}
    for pattern in patterns:
        text = pattern.text
        if not pattern.matches_all and "*" not in text and "?" not in text:
            literals.add(text.lower())
        else:
            by_service.setdefault(pattern.service, []).append(pattern)
    anywhere = by_service.pop(None, [])

    def test(action: str) -> bool:
        if action in literals:
            return True
        service = action.partition(":")[0]
        return any(pattern.matches(action) for pattern in (*by_service.get(service, ()), *anywhere))

    return test


# A negated operator and the positive one it negates (for a present single value).
NEGATION = {
    "StringEquals": "StringNotEquals",
    "StringEqualsIgnoreCase": "StringNotEqualsIgnoreCase",
    "StringLike": "StringNotLike",
    "NumericEquals": "NumericNotEquals",
    "NumericLessThan": "NumericGreaterThanEquals",
    "NumericLessThanEquals": "NumericGreaterThan",
    "DateEquals": "DateNotEquals",
    "DateLessThan": "DateGreaterThanEquals",
    "DateLessThanEquals": "DateGreaterThan",
    "IpAddress": "NotIpAddress",
    "ArnEquals": "ArnNotEquals",
    "ArnLike": "ArnNotLike",
}
NEGATION.update({v: k for k, v in list(NEGATION.items())})
_NEGATED_BASES = frozenset(
    {
        "StringNotEquals",
        "StringNotEqualsIgnoreCase",
        "StringNotLike",
        "NumericNotEquals",
        "DateNotEquals",
        "NotIpAddress",
        "ArnNotEquals",
        "ArnNotLike",
    }
)


# Classes of condition-only dimensions, by parts, candidates and variable values.
_CLASSES: dict[
    tuple[object, ...], tuple[tuple[Part, ...], list[dict[str, Value]], list[tuple[bool, ...]]]
] = {}


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def positive_form(condition: CompiledCondition) -> CompiledCondition:
    """The clause with ``IfExists`` dropped and a negated operator made positive (cached)."""
    return _POSITIVE(condition)


def _positive_form(condition: CompiledCondition) -> CompiledCondition:
    clause = condition.clause
    base = clause.operator.base
    if base in _NEGATED_BASES:
        base = NEGATION[base]
    prefix = f"{clause.operator.set_operator.value}:" if clause.operator.set_operator else ""
    operator = parse_operator(prefix + base)
    rebuilt = ConditionClause(operator, clause.key, clause.values, True, clause.path)
    return compile_condition(rebuilt, variables_enabled=True)


def _condition_test(condition: CompiledCondition) -> Callable[[Request], bool]:
    return lambda r: condition.evaluate(r.context)


@dataclass(slots=True)
class Dimension:
    """Fused components with one representative state per class (``vectors``: the outcome
    of each of the dimension's parts, the class's identity)."""

    components: tuple[str, ...]
    parts: list[tuple[int, Part]]  # (statement index, part)
    states: list[dict[str, Value]] = field(default_factory=list)
    masks: list[int] = field(default_factory=list)
    vectors: list[tuple[bool, ...]] = field(default_factory=list)
    constrains: int = 0  # statements with a part here


class Space:
    """The abstraction of a question over ``statements``.

    ``base`` supplies every component not in ``free``; ``candidates`` the candidate values
    of each free component.
    """

    def __init__(
        self,
        statements: Sequence[CompiledStatement],
        base: Request,
        candidates: dict[str, list[Value]],
        names: dict[str, str] | None = None,
        *,
        refine: bool = False,
    ) -> None:
        # refine: classes also keep apart states that differ in key presence or in the
        # positive form of a clause, so that residual conditions hold class by class.
        self.refine = refine
        # Context key spellings to show (lower-case name -> as the policy wrote it).
        self.names = names or {}
        self.statements = list(statements)
        self.base = base
        # The base context without the free keys; requests add their values to it.
        kept: dict[str, ContextValue] = {}
        for key, item in base.context.as_dict().items():
            if ctx(key) not in candidates:
                kept[key] = list(item) if isinstance(item, list) else item
        self.base_ctx = Context(kept)
        free = set(candidates)
        self.never = 0  # statements a constant part rules out
        parts_by_statement = [statement_parts(s) for s in self.statements]
        self.parts = parts_by_statement
        # Parts reading only fixed components are decided once; a statement one of them rules
        # out never applies, and its other parts need no dimension.
        for index, parts in enumerate(parts_by_statement):
            for part in parts:
                if not any(c in free for c in part.components) and not part.test(base):
                    self.never |= 1 << index
                    break
        # Fuse the free components read together (union-find).
        parent: dict[str, str] = {c: c for c in free}

        def find(c: str) -> str:
            while parent[c] != c:
                parent[c] = parent[parent[c]]
                c = parent[c]
            return c

        for index, parts in enumerate(parts_by_statement):
            if self.never >> index & 1:
                continue
            for part in parts:
                comps = [c for c in part.components if c in free]
                for a, b in itertools.pairwise(comps):
                    parent[find(a)] = find(b)
        groups: dict[str, list[str]] = {}
        for comp in sorted(free):
            groups.setdefault(find(comp), []).append(comp)
        dims = {root: Dimension(tuple(comps), []) for root, comps in groups.items()}
        for index, parts in enumerate(parts_by_statement):
            if self.never >> index & 1:
                continue
            for part in parts:
                comps = [c for c in part.components if c in free]
                if not comps:
                    continue
                dim = dims[find(comps[0])]
                dim.parts.append((index, part))
                dim.constrains |= 1 << index
        self.all = ((1 << len(self.statements)) - 1) & ~self.never
        self.dims = [d for d in dims.values() if d.parts]
        for dim in self.dims:
            self._populate(dim, candidates)
            # A statement every state satisfies is not constrained here (it is decided as
            # soon as its other dimensions are); one no state satisfies never applies.
            every = self.all
            some = 0
            for mask in dim.masks:
                every &= mask
                some |= mask
            dim.constrains &= ~every
            self.never |= dim.constrains & ~some
        self.all &= ~self.never
        # Dimensions constraining more statements first: decisions come earlier.
        self.dims.sort(key=lambda d: -bin(d.constrains).count("1"))
        # Unread free components keep their first candidate in witnesses.
        self.defaults: dict[str, Value] = {
            c: candidates[c][0] for c in free if candidates[c] and c not in self._read()
        }

    def _read(self) -> set[str]:
        return {c for d in self.dims for c in d.components}

    def _populate(self, dim: Dimension, candidates: dict[str, list[Value]]) -> None:
        # A dimension's classes depend only on its parts, its candidates and the base values
        # its parts read (:meth:`_class_key`): they are reused across questions.
        light = all(p.clause is not None for _, p in dim.parts) and all(
            c.startswith("ctx:") for c in dim.components
        )
        cache_key = self._class_key(dim, candidates, light)
        if cache_key is not None:
            cached = _CLASSES.get(cache_key)
            if cached is not None and all(
                a is b for a, b in zip(cached[0], (p for _, p in dim.parts), strict=True)
            ):
                for state, vector in zip(cached[1], cached[2], strict=True):
                    mask = self.all
                    for (index, _), ok in zip(dim.parts, vector, strict=True):
                        if not ok:
                            mask &= ~(1 << index)
                    dim.states.append(state)
                    dim.vectors.append(vector)
                    dim.masks.append(mask)
                return
        self._populate_fresh(dim, candidates, light)
        if cache_key is not None:
            if len(_CLASSES) >= _CACHE_LIMIT:
                _CLASSES.clear()
            _CLASSES[cache_key] = (
                tuple(p for _, p in dim.parts),
                list(dim.states),
                list(dim.vectors),
            )

    def _class_key(
        self, dim: Dimension, candidates: dict[str, list[Value]], light: bool
    ) -> tuple[object, ...] | None:
        """What a dimension's classes depend on: its parts, its candidates, and the base
        values of every other component its parts read (the action, the resource, context
        keys named by variables). The classes are then reused across questions -- discover
        mode asks the same dimensions request after request. None (not cached) when a part
        reads the caller."""
        if not light and sum(len(candidates[c]) for c in dim.components) > _KEYED_CANDIDATES:
            return None  # a large action or resource list: keys would hold memory for little
        fixed: list[tuple[str, object]] = []
        free = set(dim.components)
        for _, part in dim.parts:
            for comp in part.components:
                if comp == PRINCIPAL:
                    return None
                if comp in free:
                    continue
                if comp == ACTION:
                    fixed.append((comp, self.base.action))
                elif comp == RESOURCE:
                    fixed.append((comp, self.base.resource))
                else:
                    fixed.append((comp, self.base_ctx.get_values(comp[4:])))
        return (
            self.refine,
            light,
            tuple(id(p) for _, p in dim.parts),
            dim.components,
            tuple(tuple(_hashable(v) for v in candidates[c]) for c in dim.components),
            tuple(sorted(set(fixed), key=repr)),
        )

    def _reduce(self, dim: Dimension, candidates: dict[str, list[Value]]) -> list[list[Value]]:
        """Per component, one value per class of the parts reading it (fused components).

        Two values of a component are interchangeable when every part reading it gives the
        same outcome with them, for every value of the other components that part reads;
        keeping one of each class keeps every class of the product (a part reads the values of
        its components only). Components are reduced in turn, each against the others'
        lists as reduced so far: a representative stands for its whole class, for every
        value of the rest.
        """
        lists = {c: list(candidates[c]) for c in dim.components}
        for comp in dim.components:
            reading = [p for _, p in dim.parts if comp in p.components]
            kept: dict[tuple[bool, ...], Value] = {}
            for value in lists[comp]:
                signature: list[bool] = []
                for part in reading:
                    others = sorted(c for c in part.components if c != comp and c in lists)
                    for combo in itertools.product(*(lists[c] for c in others)):
                        state: dict[str, Value] = dict(zip(others, combo, strict=True))
                        state[comp] = value
                        signature.append(part.test(self.request(state)))
                kept.setdefault(tuple(signature), value)
            lists[comp] = list(kept.values())
        return [lists[c] for c in dim.components]

    def _populate_fresh(
        self, dim: Dimension, candidates: dict[str, list[Value]], light: bool
    ) -> None:
        if len(dim.components) > 1:
            lists = self._reduce(dim, candidates)
        else:
            lists = [candidates[c] for c in dim.components]
        total = 1
        for values in lists:
            total *= max(1, len(values))
        bound = limits.current().max_symbolic_states
        if total > bound:
            raise SymbolicLimitError(
                f"{' x '.join(dim.components)}: {total} candidate states exceed the bound of "
                f"{bound} (max_symbolic_states); the question is too large to decide exactly"
            )
        seen: dict[tuple[bool, ...], int] = {}
        probes = [positive_form(p.clause) for _, p in dim.parts if p.clause] if self.refine else []
        # Condition parts read only their keys (and their variables' keys): a context of
        # those alone decides them, without copying the whole base context per state.
        extra: dict[str, ContextValue] = {}
        if light:
            for _, part in dim.parts:
                assert part.clause is not None
                for variable in part.clause.variable_keys:
                    if ctx(variable) not in dim.components and variable in self.base_ctx:
                        found = self.base_ctx.as_dict()[self.base_ctx.name_of(variable)]
                        extra[variable] = list(found) if isinstance(found, list) else found
        for combo in itertools.product(*lists):
            state = dict(zip(dim.components, combo, strict=True))
            if light:
                light_values: dict[str, ContextValue] = dict(extra)
                for comp, value in state.items():
                    if not isinstance(value, Absent):
                        assert not isinstance(value, tuple)
                        light_values[self.names.get(comp[4:], comp[4:])] = value
                request = Request(
                    caller=self.base.caller,
                    action=self.base.action,
                    resource=self.base.resource,
                    context=Context(light_values),
                )
            else:
                request = self.request(state)
            vector = tuple(part.test(request) for _, part in dim.parts)
            key = vector
            if probes:
                absent = tuple(isinstance(v, Absent) for v in combo)
                key = (*vector, *absent, *(p.evaluate(request.context) for p in probes))
            if key in seen:
                continue
            seen[key] = len(dim.states)
            mask = self.all
            for (index, _), ok in zip(dim.parts, vector, strict=True):
                if not ok:
                    mask &= ~(1 << index)
            dim.states.append(state)
            dim.vectors.append(vector)
            dim.masks.append(mask)

    # -- concrete requests -----------------------------------------------------------------

    def request(self, assignment: dict[str, Value]) -> Request:
        """The concrete request at ``assignment`` (other components from ``base``)."""
        base = self.base
        caller = base.caller
        action = base.action
        resource = base.resource
        values: dict[str, ContextValue] = {}
        for comp, value in assignment.items():
            if comp == ACTION:
                assert isinstance(value, str)
                action = value
            elif comp == RESOURCE:
                assert isinstance(value, str)
                resource = value
            elif comp == PRINCIPAL:
                assert isinstance(value, tuple)
                found, derived = value
                assert isinstance(found, Caller) and isinstance(derived, dict)
                caller = found
                values.update(derived)
            elif not isinstance(value, Absent):
                assert not isinstance(value, tuple)
                key = comp[4:]
                values[self.names.get(key, key)] = value
        return Request(
            caller=caller,
            action=action,
            resource=resource,
            resource_account=base.resource_account,
            context=self.base_ctx.with_values(values) if values else self.base_ctx,
        )

    def leaf_request(self, leaf: Sequence[int]) -> Request:
        assignment: dict[str, Value] = dict(self.defaults)
        for dim, index in zip(self.dims, leaf, strict=True):
            assignment.update(dim.states[index])
        return self.request(assignment)

    # -- search ----------------------------------------------------------------------------

    def search(
        self, goal: Callable[[int, int], bool | None], focus: int = 0
    ) -> Iterator[tuple[int, ...]]:
        """Leaves (a state index per dimension) where ``goal(certain, possible)`` holds.

        ``goal`` sees the statements certainly applying (every part decided true) and those
        possibly applying (no part decided false) and answers True (every completion
        satisfies), False (none does) or None (undecided). A True at an inner node yields
        one leaf completed with first states. ``focus``: only states where every statement
        of that mask may apply (a search for requests those statements apply to).
        """
        if focus & ~self.all:
            return
        # The focus statements' dimensions first: they decide soonest.
        order = sorted(
            range(len(self.dims)),
            key=lambda d: (
                not self.dims[d].constrains & focus,
                -self.dims[d].constrains.bit_count(),
            ),
        )
        dims = [self.dims[d] for d in order]
        # Statements all of whose dimensions are assigned after the first k dimensions.
        cover = [0] * (len(dims) + 1)
        unconstrained = self.all
        for dim in dims:
            unconstrained &= ~dim.constrains
        for k in range(len(dims) + 1):
            pending = 0
            for dim in dims[k:]:
                pending |= dim.constrains
            cover[k] = self.all & ~pending
        path: list[int] = []
        # What is below a node depends only on its depth and the statements still possible:
        # a (depth, possible) pair searched in vain once is never searched again.
        dead: set[tuple[int, int]] = set()

        def walk(depth: int, possible: int) -> Iterator[list[int]]:
            if (depth, possible) in dead:
                return
            verdict = goal(possible & cover[depth], possible)
            if verdict is False:
                return
            if verdict is True or depth == len(dims):
                yield path + [0] * (len(dims) - depth)
                return
            found = False
            tried: set[int] = set()
            for index, mask in enumerate(dims[depth].masks):
                if mask & focus != focus:
                    continue
                narrowed = possible & mask
                if narrowed in tried:
                    continue  # the same subtree as a state already tried here
                tried.add(narrowed)
                path.append(index)
                for leaf in walk(depth + 1, narrowed):
                    found = True
                    yield leaf
                path.pop()
            if not found:
                dead.add((depth, possible))

        for leaf in walk(0, self.all):
            ordered = [0] * len(self.dims)
            for position, d in enumerate(order):
                ordered[d] = leaf[position]
            yield tuple(ordered)

    def state_count(self) -> int:
        """How many leaves the space has: the product of its dimensions' state counts."""
        return math.prod(len(dim.states) for dim in self.dims)

    def leaves(self) -> Iterator[tuple[tuple[int, ...], int]]:
        """Every leaf with its applying-statement mask (the whole finite abstraction)."""
        for leaf in itertools.product(*(range(len(d.states)) for d in self.dims)):
            mask = self.all
            for dim, index in zip(self.dims, leaf, strict=True):
                mask &= dim.masks[index]
            yield leaf, mask


def allows(certain: int, possible: int, allow: int, deny: int) -> bool | None:
    """Three-valued "some Allow applies and no Deny does"."""
    if certain & allow and not possible & deny:
        return True
    if not possible & allow or certain & deny:
        return False
    return None


_STATEMENT_PARTS: _ByIdentity[CompiledStatement, list[Part]] = _ByIdentity(_statement_parts)
_POSITIVE: _ByIdentity[CompiledCondition, CompiledCondition] = _ByIdentity(_positive_form)
