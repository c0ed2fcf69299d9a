"""Residual conditions: the contexts that allow, written back in the policy language.

Input: the allowing leaves of a :class:`~.space.Space` (a class index per dimension). Output:
a list of alternatives, each a ``Condition`` block (``{operator: {key: [values]}}``), whose
disjunction holds exactly in the allowing classes.

1. Leaves are merged into *cubes* (a set of classes per dimension) dimension by dimension:
   leaves equal everywhere but in one dimension become one cube; a dimension whose every class
   is in the cube is unconstrained and says nothing. Each cube is then grown, dimension by
   dimension, by every class that allows given the rest of the cube (so a key every class of
   which allows there is dropped), and cubes another cube contains are removed.
2. Each constrained (dimension, class set) is described by literals drawn from the clauses
   the policies wrote on that key -- each clause as written, its positive form without
   ``IfExists``, the negated operator of that form (for a set operator, the dual set
   operator: not every value matches iff some value does not) -- and ``Null``. A literal is usable when
   it holds on every class of the set; literals are chosen greedily by how many outside
   classes they exclude, until none is left. Every chosen literal excludes something (no
   redundant clause) and holds on the set (no contradictory clause). A set no conjunction
   describes is split into its classes.

Literal truth is computed with the engine's condition evaluator on each class's
representative, like every other outcome of the symbolic layer.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from iamsim.analysis.symbolic.space import NEGATION, Absent, Dimension, Space
from iamsim.conditions import CompiledCondition, compile_condition, parse_operator
from iamsim.policy.model import ConditionClause, ConditionScalar, SetOperator

Block = dict[str, dict[str, list[str]]]

_NEGATION = NEGATION


class _Literal:
    __slots__ = ("compiled", "key", "operator", "values")

    def __init__(self, operator: str, key: str, values: tuple[ConditionScalar, ...]) -> None:
        self.operator = operator
        self.key = key
        self.values = values
        clause = ConditionClause(parse_operator(operator), key, values, True, "")
        self.compiled: CompiledCondition = compile_condition(clause, variables_enabled=True)


def _literals(dim: Dimension) -> list[_Literal]:
    out: dict[tuple[str, str, tuple[str, ...]], _Literal] = {}

    def add(operator: str, key: str, values: tuple[ConditionScalar, ...]) -> None:
        ident = (operator.lower(), key.lower(), tuple(str(v) for v in values))
        if ident not in out:
            out[ident] = _Literal(operator, key, values)

    keys: dict[str, str] = {}
    for _, part in dim.parts:
        condition = part.clause
        if condition is None:
            continue
        clause = condition.clause
        keys.setdefault(clause.key.lower(), clause.key)
        operator = clause.operator
        add(operator.text, clause.key, clause.values)
        if operator.base == "Null":
            continue
        prefix = f"{operator.set_operator.value}:" if operator.set_operator else ""
        add(prefix + operator.base, clause.key, clause.values)
        negated = _NEGATION.get(operator.base)
        set_operator = operator.set_operator
        if negated is not None and set_operator is None:
            add(negated, clause.key, clause.values)
        elif negated is not None and set_operator is not None:
            # Not every item matches <=> some item does not (and dually), on a present key.
            dual = SetOperator.FOR_ANY_VALUE
            if set_operator is SetOperator.FOR_ANY_VALUE:
                dual = SetOperator.FOR_ALL_VALUES
            add(f"{dual.value}:{negated}", clause.key, clause.values)
        if operator.base == "Bool" and operator.set_operator is None:
            # Bool compares case-insensitively and a non-boolean never matches, so for a
            # present value its negation is StringNotEqualsIgnoreCase of the same texts.
            texts = tuple(str(v).lower() if isinstance(v, bool) else str(v) for v in clause.values)
            add("StringNotEqualsIgnoreCase", clause.key, texts)
    for key in keys.values():
        add("Null", key, ("true",))
        add("Null", key, ("false",))
    return list(out.values())


def _describe(
    space: Space, dim: Dimension, chosen: frozenset[int], literals: list[_Literal]
) -> list[list[_Literal]]:
    """Alternatives (conjunctions of literals) holding exactly on the classes ``chosen``."""
    truth: dict[int, list[bool]] = {}
    for index in range(len(dim.states)):
        request = space.request(dim.states[index])
        truth[index] = [lit.compiled.evaluate(request.context) for lit in literals]
    usable = [i for i in range(len(literals)) if all(truth[c][i] for c in chosen)]
    outside = set(range(len(dim.states))) - chosen
    picked: list[int] = []
    while outside:
        best = max(usable, key=lambda i: sum(1 for c in outside if not truth[c][i]), default=None)
        if best is None or all(truth[c][best] for c in outside):
            break
        picked.append(best)
        outside = {c for c in outside if truth[c][best]}
    if not outside:
        # Drop a literal the others already imply (greedy order can leave one behind).
        everything = set(range(len(dim.states))) - chosen
        for index in list(picked):
            rest = [i for i in picked if i != index]
            if all(any(not truth[c][i] for i in rest) for c in everything):
                picked = rest
        return [[literals[i] for i in picked]]
    if len(chosen) == 1:
        # No clause of the policies separates this class (a policy variable in a Resource
        # can): name the representative's values exactly.
        (only,) = chosen
        exact = _exact(dim, only)
        absent = [literals[i] for i in usable if literals[i].operator == "Null"]
        return [exact or absent]
    alternatives: list[list[_Literal]] = []
    for single in sorted(chosen):
        alternatives.extend(_describe(space, dim, frozenset({single}), literals))
    return alternatives


def _exact(dim: Dimension, index: int) -> list[_Literal]:
    """``StringEquals``/``ForAllValues:StringEquals`` of the class representative's values."""
    out: list[_Literal] = []
    for comp, value in dim.states[index].items():
        if not comp.startswith("ctx:") or isinstance(value, Absent):
            continue
        key = comp[4:]
        name = next(
            (p.clause.key for _, p in dim.parts if p.clause and p.clause.key.lower() == key),
            key,
        )
        if isinstance(value, list):
            out.append(_Literal("ForAllValues:StringEquals", name, tuple(map(str, value))))
            if value:
                for item in value:
                    out.append(_Literal("ForAnyValue:StringEquals", name, (str(item),)))
        else:
            out.append(_Literal("StringEquals", name, (str(value),)))
    return out


def _block(literals: Sequence[_Literal]) -> Block:
    block: Block = {}
    for lit in literals:
        values = [str(v).lower() if isinstance(v, bool) else str(v) for v in lit.values]
        by_key = block.setdefault(lit.operator, {})
        if lit.key in by_key:
            # Two literals of one negated operator on one key: their AND is one NOR list.
            merged = by_key[lit.key] + [v for v in values if v not in by_key[lit.key]]
            by_key[lit.key] = merged
        else:
            by_key[lit.key] = values
    return block


def _expand(
    cubes: set[tuple[frozenset[int], ...]], sizes: list[int], allowed: set[tuple[int, ...]]
) -> set[tuple[frozenset[int], ...]]:
    """Each cube grown, dimension by dimension, by every class that allows given the rest of
    the cube (a key every class of which allows is dropped), then cubes another contains
    removed. Growing only adds allowing leaves, so the union is unchanged."""

    def inside(cube: tuple[frozenset[int], ...]) -> bool:
        return all(leaf in allowed for leaf in itertools.product(*cube))

    grown: set[tuple[frozenset[int], ...]] = set()
    for cube in cubes:
        for d, size in enumerate(sizes):
            extra = [
                c
                for c in range(size)
                if c not in cube[d] and inside((*cube[:d], frozenset({c}), *cube[d + 1 :]))
            ]
            if extra:
                cube = (*cube[:d], cube[d] | frozenset(extra), *cube[d + 1 :])
        grown.add(cube)

    def contains(big: tuple[frozenset[int], ...], small: tuple[frozenset[int], ...]) -> bool:
        return all(s <= b for s, b in zip(small, big, strict=True))

    ordered = sorted(grown, key=lambda c: [sorted(s) for s in c])
    return {
        cube
        for i, cube in enumerate(ordered)
        if not any(j != i and contains(other, cube) for j, other in enumerate(ordered))
    }


def residual_conditions(space: Space, allowed: Sequence[tuple[int, ...]]) -> list[Block]:
    """The alternatives under which the request is allowed (see the module docstring)."""
    dims = space.dims
    cubes: set[tuple[frozenset[int], ...]] = {
        tuple(frozenset({i}) for i in leaf) for leaf in allowed
    }
    for _ in range(2):
        for d in range(len(dims)):
            merged: dict[tuple[frozenset[int], ...], frozenset[int]] = {}
            for cube in cubes:
                rest = cube[:d] + cube[d + 1 :]
                merged[rest] = merged.get(rest, frozenset()) | cube[d]
            cubes = {(*rest[:d], chosen, *rest[d:]) for rest, chosen in merged.items()}
    cubes = _expand(cubes, [len(dim.states) for dim in dims], set(allowed))
    literal_pools = [_literals(dim) for dim in dims]
    out: list[Block] = []
    seen: set[str] = set()
    for cube in sorted(cubes, key=lambda c: [sorted(s) for s in c]):
        per_dim: list[list[list[_Literal]]] = []
        for dim, chosen, pool in zip(dims, cube, literal_pools, strict=True):
            if len(chosen) == len(dim.states):
                continue
            per_dim.append(_describe(space, dim, chosen, pool))
        for combo in itertools.product(*per_dim):
            block = _block([lit for conj in combo for lit in conj])
            ident = repr(sorted((k, sorted(v.items())) for k, v in block.items()))
            if ident not in seen:
                seen.add(ident)
                out.append(block)
    return out
