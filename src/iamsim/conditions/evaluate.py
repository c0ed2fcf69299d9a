"""Compiling and evaluating ``Condition`` blocks against a request context.

This module owns the runtime meaning of every condition operator: how the values of one
(operator, key) clause combine, what a missing or multi-valued key means, how ``IfExists``,
``ForAnyValue``/``ForAllValues`` and ``Null`` behave, and how a value that cannot be coerced
or a policy variable that cannot be resolved is treated. Value formats live in
:mod:`iamsim.conditions.coerce`; wildcard matching in :mod:`iamsim.patterns`.

Sources (the "condition pages" below):

* [OPS] https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
* [MULTI] https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
  (formerly reference_policies_multi-value-conditions.html)
* [SVM] https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
* [VARS] https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
* [AA] https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
* [SHEET] the AWS IAM semantics fact sheet, section 4

The rules, in evaluation order:

1. Clauses combine with AND: "If your policy statement has multiple condition operators ...
   evaluated using a logical AND"; several keys under one operator likewise [MULTI].
2. Values of one key combine with OR for positive operators and NOR for negated ones: "If a
   single negated matching condition operator includes multiple values for a context key,
   those values are evaluated using a logical NOR" [MULTI].
3. Missing key: "the values do not match and the condition is false. If the policy condition
   requires that the key is not matched, such as StringNotLike or ArnNotLike, and the right key
   is not present, the condition is true" [OPS, Important box]. ``...IfExists``: "If the key is
   not present, evaluate the condition element as true" [OPS #Conditions_IfExists].
4. ``Null``: ``true`` means "the key doesn't exist", ``false`` means "the key exists and its
   value is not null" [OPS #Conditions_Null]; a key given only empty values (``""``, ``[]``)
   counts as null, as the multi-valued examples page says of ``Null`` ``false``: it keeps
   "context keys with empty values" from evaluating to true. With set operators (undocumented at runtime):
   ``ForAllValues:Null`` is always true and ``ForAnyValue:Null`` always false [SHEET 4.4, AA].
5. ``ForAllValues``: true when every request value satisfies the operator; "It also returns
   true if there are no context keys in the request" [SVM]; an empty value set, or an empty
   string ("resolves to a null dataset, such as an empty string" [OPS]), is also true. ``ForAnyValue``: true when at least one request value satisfies it; false for
   an absent key or an empty set [SVM]. A negated operator inside a set operator is applied to
   each request value (that value must match none of the policy values) [SVM worked example
   ``ForAllValues:StringNotLike``]. ``IfExists`` does not change a set operator's result for
   an absent key (``ForAnyValue:StringEqualsIfExists`` is still false): the docs are silent,
   but AWS was observed to behave so
   (https://repost.aws/questions/QU9HFmDzP0QGuU-fd7rS6B7w : an Allow with
   ``ForAnyValue:StringEqualsIfExists`` on ``aws:TagKeys`` did not apply to ``ListQueues``,
   which has no tag keys), and cloud-copilot documents the same ("Any operator starting with
   ForAnyValue will ignore IfExists", iam.cloudcopilot.io/resources/operators).
6. Plain operator on a multi-valued key: the docs say only "Multivalued context keys require a
   condition set operator" [SVM] and give no runtime result. We follow [SHEET 4.4]'s default,
   itself from the cloud-copilot engine and an AWS re:Inforce 2025 session: the condition is
   **false**, for negated operators too. A key is multi-valued when the request context gave it
   as a list (:meth:`Context.is_multi`), even a list of one value. A set operator on a
   single-valued key treats the value as a one-element set [SHEET 4.4] ("can lead to overly
   permissive policies" [SVM] implies it is evaluated, not rejected).
7. Policy variables are substituted only for operators whose table entry ``accepts_variables``
   (String, ARN and -- following [OPS] over [VARS], see ``operators.py`` -- Bool), and only in
   ``Version 2012-10-17`` policies; elsewhere ``${`` is literal text. A policy value whose
   variable cannot be resolved does not match: positive operators are false for it, negated
   operators count it as "not equal" [VARS, SHEET 3.6].
8. A value that cannot be coerced to the operator's type (``"abc"`` for a Numeric operator, a
   malformed CIDR, ...) makes that one comparison a non-match and is reported in the outcome
   note. Like an unresolvable variable, the non-match is decided before negation, so a negated
   operator counts it as "not equal" and, for a present single-valued key, a negated operator
   is always exactly the negation of its positive form. AWS documents no runtime behaviour for
   malformed values (AA reports type mismatches as warnings [SHEET 4.3]).
9. An empty policy value list (``"k": []``) never satisfies a comparison, positive or negated:
   plain operators are then false (the statement is ineffective), ``IfExists`` forms are true
   only for an absent key, ``ForAllValues`` only for an absent or empty key, ``ForAnyValue``
   never (with or without ``IfExists``) [SHEET 4.4, AA].

Condition key names are case-insensitive; :class:`~iamsim.vocabulary.request.Context` folds them.
"""

from __future__ import annotations

import operator
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar

from iamsim.conditions import coerce
from iamsim.errors import PolicyError
from iamsim.patterns.arn import ArnConditionPattern, compile_arn_condition
from iamsim.patterns.glob import Glob
from iamsim.patterns.variables import Template, parse_template
from iamsim.policy.model import ConditionClause, ConditionScalar, SetOperator
from iamsim.policy.operators import OperatorFamily, OperatorInfo, operator_info
from iamsim.vocabulary.request import Context

ValueTest = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class ConditionOutcome:
    """How one (operator, key) clause was decided for one request, for explanations.

    ``request_values`` is None when the key was absent from the request context. ``note``
    says why the result is what it is when that is not a plain comparison ("key absent",
    "value 'abc' is not a number", "unresolvable policy variable ${aws:username}", ...);
    several notes are joined with ``"; "``.
    """

    operator: str
    key: str
    policy_values: tuple[ConditionScalar, ...]
    request_values: tuple[str, ...] | None
    result: bool
    note: str = ""

    @property
    def key_absent(self) -> bool:
        return self.request_values is None


def _note(notes: list[str] | None, text: str) -> None:
    if notes is not None and text not in notes:
        notes.append(text)


def _unresolved_note(keys: Iterable[str], context: Context) -> str:
    # A variable fails when its key is absent (without a default) or multi-valued; name those.
    failing = [k for k in keys if k not in context or context.is_multi(k)]
    shown = failing or list(keys)
    return "unresolvable policy variable " + ", ".join(f"${{{k}}}" for k in shown)


# --------------------------------------------------------------------------------------------
# Policy-side compilation, one class per operator family. ``bind`` resolves what depends on the
# request (policy variables) once per evaluation and returns a test "does this request value
# match at least one policy value"; negation and set logic are applied by the caller.


class _PolicySide(ABC):
    __slots__ = ("bad_policy_notes",)

    def __init__(self) -> None:
        # Notes for policy values that can never match (reported whenever values are compared).
        self.bad_policy_notes: list[str] = []

    @abstractmethod
    def bind(self, context: Context, notes: list[str] | None) -> ValueTest: ...

    def static_test(self) -> ValueTest | None:
        """The value test when it reads nothing of the request (no policy variable), built
        once at compile time and equal to ``bind(context, None)`` for every context; None
        when it depends on the request."""
        return None

    def _report(self, notes: list[str] | None) -> None:
        for text in self.bad_policy_notes:
            _note(notes, text)


def _no_context() -> Context:
    """An empty context, for compiling templates without variables (they never read it)."""

    return Context()


def _template(text: str, enabled: bool, clause: ConditionClause) -> Template:

    try:
        return parse_template(text, enabled=enabled)
    except ValueError as exc:
        # AWS rejects such a policy ([AA] "invalid policy variable"); it has no runtime meaning.
        raise PolicyError(str(exc), path=clause.path) from exc


class _StringSide(_PolicySide):
    """StringEquals / StringEqualsIgnoreCase / StringLike and their negations."""

    __slots__ = ("_fold", "_globs", "_like", "_literals", "_templates")

    def __init__(self, clause: ConditionClause, *, like: bool, fold: bool, variables: bool) -> None:
        super().__init__()
        self._like = like
        self._fold = fold
        literals: set[str] = set()
        globs: list[Glob] = []
        templates: list[Template] = []
        for raw in clause.values:
            template = _template(coerce.scalar_text(raw), variables, clause)
            if template.has_variables:
                templates.append(template)
                continue
            literal = template.literal
            assert literal is not None  # a template without variables always has its text
            if like:
                glob = template.glob(_no_context())
                assert glob is not None
                if glob.is_literal:
                    literals.add(literal)  # set membership beats a scan for plain values
                else:
                    globs.append(glob)
            else:
                literals.add(literal.casefold() if fold else literal)
        self._literals = frozenset(literals)
        self._globs = tuple(globs)
        self._templates = tuple(templates)

    def bind(self, context: Context, notes: list[str] | None) -> ValueTest:
        literals = self._literals
        globs = self._globs
        if self._templates:
            extra_literals: set[str] = set()
            extra_globs: list[Glob] = []
            for template in self._templates:
                if self._like:
                    glob = template.glob(context)
                    if glob is None:
                        _note(notes, _unresolved_note(template.variable_keys, context))
                    elif glob.is_literal:
                        extra_literals.add(glob.pattern)
                    else:
                        extra_globs.append(glob)
                else:
                    text = template.text_value(context)
                    if text is None:
                        _note(notes, _unresolved_note(template.variable_keys, context))
                    else:
                        extra_literals.add(text.casefold() if self._fold else text)
            literals = literals | extra_literals
            globs = globs + tuple(extra_globs)
        if self._fold:
            return lambda value: value.casefold() in literals
        if not globs:
            return literals.__contains__
        return lambda value: value in literals or any(g.matches(value) for g in globs)

    def static_members(self) -> frozenset[str] | None:
        """The policy values when the test is exactly ``value in values`` (StringEquals and
        its negation without variables, or StringLike without wildcards), else None."""
        if self._templates or self._fold or self._globs:
            return None
        return self._literals

    def static_test(self) -> ValueTest | None:
        if self._templates:
            return None
        literals = self._literals
        if self._fold:
            return lambda value: value.casefold() in literals
        tests = tuple(glob.test for glob in self._globs)
        if not tests:
            return literals.__contains__  # StringEquals: one set lookup
        if not literals and len(tests) == 1:
            return tests[0]  # one StringLike pattern: its specialised matcher
        if len(tests) == 1:
            only = tests[0]
            return lambda value: value in literals or only(value)
        return lambda value: value in literals or any(test(value) for test in tests)


class _BoolSide(_PolicySide):
    __slots__ = ("_static", "_templates")

    def __init__(self, clause: ConditionClause, *, variables: bool) -> None:
        super().__init__()
        static: set[bool] = set()
        templates: list[Template] = []
        for raw in clause.values:
            if isinstance(raw, str) and variables:
                template = _template(raw, True, clause)
                if template.has_variables:
                    templates.append(template)
                    continue
                raw = template.literal if template.literal is not None else raw
            parsed = coerce.bool_from_policy(raw)
            if parsed is None:
                self.bad_policy_notes.append(f"policy value {raw!r} is not a boolean")
            else:
                static.add(parsed)
        self._static = frozenset(static)
        self._templates = tuple(templates)

    def bind(self, context: Context, notes: list[str] | None) -> ValueTest:
        self._report(notes)
        wanted = set(self._static)
        for template in self._templates:
            text = template.text_value(context)
            if text is None:
                _note(notes, _unresolved_note(template.variable_keys, context))
                continue
            parsed = coerce.parse_bool(text)
            if parsed is None:
                _note(notes, f"policy value {text!r} (after substitution) is not a boolean")
            else:
                wanted.add(parsed)

        def test(value: str) -> bool:
            parsed = coerce.parse_bool(value)
            if parsed is None:
                _note(notes, f"value {value!r} is not a boolean")
                return False
            return parsed in wanted

        return test

    def static_members(self) -> frozenset[str] | None:
        """The lower-cased values a request value must be one of (``value.lower() in``),
        without variables, else None."""
        if self._templates:
            return None
        # parse_bool reads "true"/"false" in any case; anything else never matches.
        return frozenset("true" if flag else "false" for flag in self._static)

    def static_test(self) -> ValueTest | None:
        accepted = self.static_members()
        if accepted is None:
            return None
        return lambda value: value.lower() in accepted


_Ordered = TypeVar("_Ordered", Decimal, Fraction)


def _comparison(operator_name: str) -> str:
    """The comparison a Numeric/Date operator makes: request value <op> policy value."""
    for suffix, kind in (
        ("GreaterThanEquals", "ge"),
        ("LessThanEquals", "le"),
        ("GreaterThan", "gt"),
        ("LessThan", "lt"),
    ):
        if operator_name.endswith(suffix):
            return kind
    return "eq"  # Equals, and NotEquals whose positive form is Equals


# request value <op> bound, where the bound is the loosest policy value (see _ordered_test).
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


def _ordered_test(
    kind: str,
    policy: list[_Ordered],
    parse: Callable[[str], _Ordered | None],
    what: str,
    notes: list[str] | None,
) -> ValueTest:
    """OR over policy values, precomputed: ``v < p1 or v < p2`` is ``v < max(p1, p2)``."""
    if not policy:
        return lambda value: False
    members = frozenset(policy) if kind == "eq" else frozenset()
    bound = max(policy) if kind in ("lt", "le") else min(policy)
    compare = _COMPARE.get(kind)

    def test(value: str) -> bool:
        parsed = parse(value)
        if parsed is None:
            _note(notes, f"value {value!r} is not {what}")
            return False
        if compare is None:
            return parsed in members
        return compare(parsed, bound)

    return test


class _NumericSide(_PolicySide):
    __slots__ = ("_kind", "_values")

    def __init__(self, clause: ConditionClause, kind: str) -> None:
        super().__init__()
        self._kind = kind
        self._values: list[Decimal] = []
        for raw in clause.values:
            number = coerce.number_from_policy(raw)
            if number is None:
                self.bad_policy_notes.append(f"policy value {raw!r} is not a number")
            else:
                self._values.append(number)

    def bind(self, context: Context, notes: list[str] | None) -> ValueTest:
        self._report(notes)
        return _ordered_test(self._kind, self._values, coerce.parse_number, "a number", notes)

    def static_test(self) -> ValueTest | None:
        return _ordered_test(self._kind, self._values, coerce.parse_number, "a number", None)


class _DateSide(_PolicySide):
    __slots__ = ("_kind", "_values")

    def __init__(self, clause: ConditionClause, kind: str) -> None:
        super().__init__()
        self._kind = kind
        self._values: list[Fraction] = []
        for raw in clause.values:
            moment = coerce.date_from_policy(raw)
            if moment is None:
                self.bad_policy_notes.append(f"policy value {raw!r} is not a date")
            else:
                self._values.append(moment)

    def bind(self, context: Context, notes: list[str] | None) -> ValueTest:
        self._report(notes)
        return _ordered_test(self._kind, self._values, coerce.parse_date, "a date", notes)

    def static_test(self) -> ValueTest | None:
        return _ordered_test(self._kind, self._values, coerce.parse_date, "a date", None)


class _IpSide(_PolicySide):
    __slots__ = ("_networks",)

    def __init__(self, clause: ConditionClause) -> None:
        super().__init__()
        networks: list[coerce.IpNetwork] = []
        for raw in clause.values:
            network = coerce.parse_ip_network(raw) if isinstance(raw, str) else None
            if network is None:
                self.bad_policy_notes.append(f"policy value {raw!r} is not an IP address or CIDR")
            else:
                networks.append(network)
        self._networks = tuple(networks)

    def bind(self, context: Context, notes: list[str] | None) -> ValueTest:
        self._report(notes)
        networks = self._networks

        def test(value: str) -> bool:
            address = coerce.parse_ip_address(value)
            if address is None:
                _note(notes, f"value {value!r} is not an IP address")
                return False
            return any(coerce.ip_in_network(address, n) for n in networks)

        return test

    def static_test(self) -> ValueTest | None:
        # Blocks as integer intervals per family; the request address parsed to an integer
        # once (cached by text). Same answer as ip_in_network: families never mix.
        intervals = [coerce.ip_interval(n) for n in self._networks]
        v4 = tuple((first, last) for version, first, last in intervals if version == 4)
        v6 = tuple((first, last) for version, first, last in intervals if version == 6)
        number_of = coerce.ip_number

        def test(value: str) -> bool:
            parsed = number_of(value)
            if parsed is None:
                return False
            version, number = parsed
            # A plain loop: any() over a generator costs a frame per call on the hot path.
            for first, last in v4 if version == 4 else v6:  # noqa: SIM110
                if first <= number <= last:
                    return True
            return False

        return test


class _BinarySide(_PolicySide):
    """BinaryEquals. The request value is given base64-encoded too (a context holds text)."""

    __slots__ = ("_values",)

    def __init__(self, clause: ConditionClause) -> None:
        super().__init__()
        values: set[bytes] = set()
        for raw in clause.values:
            data = coerce.parse_base64(raw) if isinstance(raw, str) else None
            if data is None:
                self.bad_policy_notes.append(f"policy value {raw!r} is not base64")
            else:
                values.add(data)
        self._values = frozenset(values)

    def bind(self, context: Context, notes: list[str] | None) -> ValueTest:
        self._report(notes)
        values = self._values

        def test(value: str) -> bool:
            data = coerce.parse_base64(value)
            if data is None:
                _note(notes, f"value {value!r} is not base64")
                return False
            return data in values

        return test

    def static_test(self) -> ValueTest | None:
        return self.bind(_no_context(), None)  # reads no context


class _ArnSide(_PolicySide):
    """ArnEquals/ArnLike (identical per [OPS]) and their negations, per-component globs."""

    __slots__ = ("_patterns",)

    def __init__(self, clause: ConditionClause, *, variables: bool) -> None:

        super().__init__()
        patterns: list[tuple[ArnConditionPattern, tuple[str, ...]]] = []
        for raw in clause.values:
            text = coerce.scalar_text(raw)
            # Parsed here too for its variable names (reported when unresolvable).
            keys = _template(text, variables, clause).variable_keys
            try:
                pattern = compile_arn_condition(text, variables_enabled=variables)
            except ValueError as exc:
                raise PolicyError(str(exc), path=clause.path) from exc
            if not keys and text.count(":") < 5:
                # Kept (it simply never matches) but reported, like other uncoercible values.
                self.bad_policy_notes.append(f"policy value {raw!r} is not an ARN")
            patterns.append((pattern, keys))
        self._patterns = tuple(patterns)

    def bind(self, context: Context, notes: list[str] | None) -> ValueTest:
        self._report(notes)
        patterns = self._patterns

        def test(value: str) -> bool:
            if value.count(":") < 5:
                # "Each of the six colon-delimited components of the ARN is checked" [OPS].
                _note(notes, f"value {value!r} is not an ARN")
                return False
            for pattern, keys in patterns:
                matched = pattern.matches(value, context)
                if matched is None:
                    _note(notes, _unresolved_note(keys, context))
                elif matched:
                    return True
            return False

        return test

    def static_test(self) -> ValueTest | None:
        if any(pattern.has_variables for pattern, _ in self._patterns):
            return None
        return self.bind(_no_context(), None)  # patterns without variables read no context


def _policy_side(
    clause: ConditionClause, info: OperatorInfo, variables_enabled: bool
) -> _PolicySide:
    variables = variables_enabled and info.accepts_variables
    family = info.family
    name = info.name
    if family is OperatorFamily.STRING:
        return _StringSide(
            clause,
            like=name.endswith("Like"),
            fold=name.endswith("IgnoreCase"),
            variables=variables,
        )
    if family is OperatorFamily.NUMERIC:
        return _NumericSide(clause, _comparison(name))
    if family is OperatorFamily.DATE:
        return _DateSide(clause, _comparison(name))
    if family is OperatorFamily.BOOL:
        return _BoolSide(clause, variables=variables)
    if family is OperatorFamily.BINARY:
        return _BinarySide(clause)
    if family is OperatorFamily.IP:
        return _IpSide(clause)
    if family is OperatorFamily.ARN:
        return _ArnSide(clause, variables=variables)
    raise AssertionError(f"no policy side for {family}")  # Null is handled by the clause


# --------------------------------------------------------------------------------------------
# Clauses and blocks.


class CompiledCondition:
    """One (operator, key) clause, compiled once and evaluated per request."""

    __slots__ = (
        "_null_bad",
        "_null_wanted",
        "_side",
        "clause",
        "holds",
        "if_exists",
        "info",
        "key",
        "negated",
        "set_operator",
        "variable_keys",
    )

    def __init__(self, clause: ConditionClause, *, variables_enabled: bool) -> None:
        self.clause = clause
        self.key = clause.key
        self.info = operator_info(clause.operator)
        self.negated = self.info.negated
        self.set_operator = clause.operator.set_operator
        self.if_exists = clause.operator.if_exists
        self._side: _PolicySide | None = None
        self._null_wanted: frozenset[bool] = frozenset()
        self._null_bad: tuple[str, ...] = ()
        if self.info.family is OperatorFamily.NULL:
            wanted: set[bool] = set()
            bad: list[str] = []
            for raw in clause.values:
                parsed = coerce.bool_from_policy(raw)
                if parsed is None:
                    bad.append(f"policy value {raw!r} is not true or false")
                else:
                    wanted.add(parsed)
            self._null_wanted = frozenset(wanted)
            self._null_bad = tuple(bad)
            self.variable_keys: tuple[str, ...] = ()
        else:
            self._side = _policy_side(clause, self.info, variables_enabled)
            self.variable_keys = _variable_keys(clause, self.info, variables_enabled)
        # The decision-only form: one closure specialised for this clause's shape, equal to
        # ``evaluate(context)`` (the traced evaluation above stays the reference).
        self.holds: ContextTest = _compile_holds(self)

    def evaluate(self, context: Context, outcomes: list[ConditionOutcome] | None = None) -> bool:
        """True when the clause holds; appends a :class:`ConditionOutcome` when tracing."""
        values = context.get_values(self.key)
        if outcomes is None:
            return self._decide(context, values, None)
        notes: list[str] = []
        result = self._decide(context, values, notes)
        outcomes.append(
            ConditionOutcome(
                operator=self.clause.operator.text,
                key=self.key,
                policy_values=self.clause.values,
                request_values=values,
                result=result,
                note="; ".join(notes),
            )
        )
        return result

    def _decide(
        self, context: Context, values: tuple[str, ...] | None, notes: list[str] | None
    ) -> bool:
        if self._side is None:
            return self._decide_null(values, notes)
        set_op = self.set_operator
        if values is None:
            # With a set operator, IfExists changes nothing: it applies per request value,
            # inside the set loop, where every value exists (see rule 5 above).
            if set_op is SetOperator.FOR_ALL_VALUES:
                _note(notes, "key absent (ForAllValues is true for an absent key)")
                return True
            if set_op is SetOperator.FOR_ANY_VALUE:
                _note(notes, "key absent (ForAnyValue is false for an absent key)")
                return False
            if self.if_exists:
                _note(notes, "IfExists: key absent")
                return True
            if not self.clause.values:
                _note(notes, "key absent; no policy values, so the condition never matches")
                return False
            _note(notes, "key absent")
            return self.negated
        if set_op is None:
            if context.is_multi(self.key):
                _note(notes, "plain operator on multi-valued key (no ForAnyValue/ForAllValues)")
                return False
            return self._value_test(context, notes)(values[0])
        if not context.is_multi(self.key):
            _note(notes, "set operator on a single-valued key (treated as a one-value set)")
        if _null_dataset(values):
            if set_op is SetOperator.FOR_ALL_VALUES:
                _note(notes, "key has no values (ForAllValues is true for an empty set)")
                return True
            _note(notes, "key has no values (ForAnyValue is false for an empty set)")
            return False
        test = self._value_test(context, notes)
        # When tracing, test every request value so that each bad one is reported.
        results = (test(v) for v in values) if notes is None else iter([test(v) for v in values])
        if set_op is SetOperator.FOR_ALL_VALUES:
            return all(results)
        return any(results)

    def _value_test(self, context: Context, notes: list[str] | None) -> ValueTest:
        """Does one request value satisfy the operator (OR / NOR over the policy values)?"""
        if not self.clause.values:
            _note(notes, "no policy values, so no request value can match")
            return lambda value: False
        assert self._side is not None
        match = self._side.bind(context, notes)
        if self.negated:
            return lambda value: not match(value)
        return match

    def _decide_null(self, values: tuple[str, ...] | None, notes: list[str] | None) -> bool:
        if self.set_operator is SetOperator.FOR_ALL_VALUES:
            _note(notes, "ForAllValues:Null is always true")
            return True
        if self.set_operator is SetOperator.FOR_ANY_VALUE:
            _note(notes, "ForAnyValue:Null is always false")
            return False
        for text in self._null_bad:
            _note(notes, text)
        absent = values is None
        null = absent or _null_dataset(values)
        _note(
            notes, "key absent" if absent else "key has an empty value" if null else "key present"
        )
        return null in self._null_wanted

    def __repr__(self) -> str:
        return f"CompiledCondition({self.clause.operator.text!r}, {self.key!r})"


ContextTest = Callable[[Context], bool]


def _always(result: bool) -> ContextTest:
    return (lambda context: True) if result else (lambda context: False)


def _never_matches(value: str) -> bool:
    return False


def _compile_holds(condition: CompiledCondition) -> ContextTest:
    """``condition.evaluate`` without a trace, decided at compile time as far as it can be.

    Follows :meth:`CompiledCondition._decide` branch for branch (notes dropped): the result
    for an absent key, the multi-valued rule, the empty-set rule of set operators and the
    value test (OR / NOR over the policy values) are fixed now; only the lookup of the key
    and, when a policy variable is involved, the binding of the policy values happen per
    request. ``tests/conditions/test_compiled_holds.py`` checks it against ``evaluate``.

    The closures read the context's folded-key tables directly (``Context._values`` and
    ``Context._multi``, keyed by the lower-cased key name) with the key lower-cased here,
    once: ``get_values``/``is_multi`` would cost two calls and two ``lower()`` per clause on
    the hottest path of ``decide()``.
    """
    key = condition.key
    folded = key.lower()
    set_op = condition.set_operator
    for_all = set_op is SetOperator.FOR_ALL_VALUES
    if condition._side is None:  # Null
        if set_op is not None:
            return _always(for_all)
        wanted = condition._null_wanted

        def null(context: Context) -> bool:
            values = context._values.get(folded)
            return (values is None or _null_dataset(values)) in wanted

        return null
    policy_values = condition.clause.values
    if set_op is not None:
        absent = for_all
    elif condition.if_exists:
        absent = True
    elif not policy_values:
        absent = False
    else:
        absent = condition.negated
    test: ValueTest | None
    negate = False
    if not policy_values:
        test = _never_matches
    else:
        test = condition._side.static_test()
        negate = test is not None and condition.negated
    bind = condition._value_test  # per request, when the policy values read the context
    if set_op is None:
        side = condition._side
        members = (
            side.static_members()
            if policy_values and isinstance(side, _StringSide | _BoolSide)
            else None
        )
        if members is not None:
            # One set lookup written into the closure (no call to a value test); a Bool
            # value is read in any case, as parse_bool reads it.
            if isinstance(side, _BoolSide):
                if negate:  # pragma: no cover - no negated Bool operator exists
                    raise AssertionError("Bool has no negated form")

                def plain_bool(context: Context) -> bool:
                    values = context._values.get(folded)
                    if values is None:
                        return absent
                    if folded in context._multi:
                        return False
                    return values[0].lower() in members

                return plain_bool
            if negate:

                def plain_not_in(context: Context) -> bool:
                    values = context._values.get(folded)
                    if values is None:
                        return absent
                    if folded in context._multi:
                        return False
                    return values[0] not in members

                return plain_not_in

            def plain_in(context: Context) -> bool:
                values = context._values.get(folded)
                if values is None:
                    return absent
                if folded in context._multi:
                    return False
                return values[0] in members

            return plain_in
        if test is not None:
            single = test
            if negate:

                def plain_not(context: Context) -> bool:
                    values = context._values.get(folded)
                    if values is None:
                        return absent
                    if folded in context._multi:
                        return False
                    return not single(values[0])

                return plain_not

            def plain(context: Context) -> bool:
                values = context._values.get(folded)
                if values is None:
                    return absent
                if folded in context._multi:
                    return False
                return single(values[0])

            return plain

        def plain_bound(context: Context) -> bool:
            values = context._values.get(folded)
            if values is None:
                return absent
            if folded in context._multi:
                return False
            return bind(context, None)(values[0])

        return plain_bound
    fixed: ValueTest | None = test
    if fixed is not None and negate:
        positive = fixed
        fixed = lambda value: not positive(value)  # noqa: E731

    def over_set(context: Context) -> bool:
        values = context._values.get(folded)
        if values is None:
            return absent
        if _null_dataset(values):
            return for_all
        each = fixed if fixed is not None else bind(context, None)
        if for_all:
            return all(each(value) for value in values)
        return any(each(value) for value in values)

    return over_set


def _null_dataset(values: tuple[str, ...] | None) -> bool:
    """A key given no values, or only empty strings: "a null dataset, such as an empty
    string" [OPS, ForAllValues], which ``Null`` ``false`` rejects ("prevent ... context keys
    with empty values from evaluating to true" [SVM examples])."""
    return not values or all(value == "" for value in values)


def _variable_keys(
    clause: ConditionClause, info: OperatorInfo, variables_enabled: bool
) -> tuple[str, ...]:
    if not (variables_enabled and info.accepts_variables):
        return ()
    keys: dict[str, str] = {}
    for raw in clause.values:
        if isinstance(raw, str) and "${" in raw:
            for key in _template(raw, True, clause).variable_keys:
                keys.setdefault(key.lower(), key)
    return tuple(keys.values())


def compile_condition(clause: ConditionClause, *, variables_enabled: bool) -> CompiledCondition:
    """Compile one clause. Raises :class:`PolicyError` for malformed policy-variable syntax."""
    return CompiledCondition(clause, variables_enabled=variables_enabled)


@dataclass(frozen=True, slots=True)
class CompiledConditionBlock:
    """A statement's whole ``Condition`` block: the AND of its clauses [MULTI]."""

    conditions: tuple[CompiledCondition, ...]
    keys: tuple[str, ...]  # condition keys the block tests, first spelling, in order
    variable_keys: tuple[str, ...]  # keys read through policy variables in its values

    @property
    def holds(self) -> ContextTest:
        """``evaluate(context)`` as one compiled closure (AND of the clauses' closures)."""
        tests = tuple(condition.holds for condition in self.conditions)
        if len(tests) == 1:
            return tests[0]
        if len(tests) == 2:
            first, second = tests
            return lambda context: first(context) and second(context)

        def every(context: Context) -> bool:
            for test in tests:  # noqa: SIM110 - a loop, not all() over a generator
                if not test(context):
                    return False
            return True

        return every

    @property
    def empty(self) -> bool:
        return not self.conditions

    def evaluate(self, context: Context, outcomes: list[ConditionOutcome] | None = None) -> bool:
        """True when every clause holds.

        Without ``outcomes`` evaluation stops at the first false clause; with it, every clause
        is evaluated so the trace names every failing key.
        """
        if outcomes is None:
            # A plain loop: all() over a generator costs a frame per clause on the hot path.
            for condition in self.conditions:  # noqa: SIM110
                if not condition.holds(context):
                    return False
            return True
        result = True
        for condition in self.conditions:
            if not condition.evaluate(context, outcomes):
                result = False
        return result


def compile_conditions(
    clauses: Iterable[ConditionClause], *, variables_enabled: bool
) -> CompiledConditionBlock:
    conditions = tuple(compile_condition(c, variables_enabled=variables_enabled) for c in clauses)
    keys: dict[str, str] = {}
    variable_keys: dict[str, str] = {}
    for condition in conditions:
        keys.setdefault(condition.key.lower(), condition.key)
        for key in condition.variable_keys:
            variable_keys.setdefault(key.lower(), key)
    return CompiledConditionBlock(
        conditions=conditions,
        keys=tuple(keys.values()),
        variable_keys=tuple(variable_keys.values()),
    )


def absent_keys(context: Context, block: CompiledConditionBlock) -> list[str]:
    """Keys the block reads (condition keys, then variable keys) that the context lacks.

    The engine reports these as "context keys the decision depended on but were absent".
    """
    seen: set[str] = set()
    out: list[str] = []
    for key in (*block.keys, *block.variable_keys):
        folded = key.lower()
        if folded not in seen and key not in context:
            seen.add(folded)
            out.append(key)
    return out
