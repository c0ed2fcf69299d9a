"""Property tests: evaluation never raises, and negation is exact for present single values.

Sources for the properties:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
(negated operators are the NOR of the values, i.e. the negation of the positive OR) and
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
(ForAllValues / ForAnyValue).
"""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from iamsim.conditions import OPERATORS, ConditionOutcome, compile_condition, parse_operator
from iamsim.errors import PolicyError
from iamsim.policy.model import ConditionClause, ConditionScalar
from iamsim.vocabulary.request import Context, ContextScalar

KEYS = ["aws:SourceIp", "aws:CurrentTime", "s3:prefix", "aws:TagKeys", "aws:username", "k:n"]

# Text drawn from the characters every value format cares about, plus a few real values.
_CHARS = "abAB019.:/-+*?$_{}TZ ,'%=ß"
_text = st.one_of(
    st.text(alphabet=_CHARS, max_size=24),
    st.sampled_from(
        [
            "",
            "203.0.113.0/24",
            "203.0.113.9",
            "2001:db8::/32",
            "2020-01-01T00:00:00Z",
            "1577836800",
            "10",
            "-1.5",
            "true",
            "False",
            "QmluYXJ5",
            "arn:aws:s3:::bucket/*",
            "arn:aws:iam::123456789012:role/x",
            "home/${aws:username}/*",
            "${aws:username, 'x'}",
            "a${*}b",
            "${",
        ]
    ),
)
_scalar: st.SearchStrategy[ConditionScalar] = st.one_of(
    _text,
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)
_context_value = st.one_of(
    _text, st.integers(-(10**6), 10**6), st.booleans(), st.lists(_text, max_size=3)
)
_contexts = st.dictionaries(st.sampled_from(KEYS), _context_value, max_size=len(KEYS))


@st.composite
def _operators(draw: st.DrawFn) -> str:
    info = draw(st.sampled_from(sorted(OPERATORS.values(), key=lambda i: i.name)))
    name = info.name
    if info.name != "Null" and draw(st.booleans()):
        name += "IfExists"
    prefix = draw(st.sampled_from(["", "ForAnyValue:", "ForAllValues:"]))
    return prefix + name


def _clause(operator: str, key: str, values: list[ConditionScalar]) -> ConditionClause:
    return ConditionClause(parse_operator(operator), key, tuple(values), True, "/p")


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(
    operator=_operators(),
    key=st.sampled_from(KEYS),
    values=st.lists(_scalar, max_size=4),
    context=_contexts,
    variables=st.booleans(),
)
def test_evaluation_never_raises(
    operator: str,
    key: str,
    values: list[ConditionScalar],
    context: dict[str, object],
    variables: bool,
) -> None:
    try:
        condition = compile_condition(_clause(operator, key, values), variables_enabled=variables)
    except PolicyError:
        return  # malformed ${...}: AWS rejects the policy; compile reports where
    ctx = Context(context)  # type: ignore[arg-type]
    outcomes: list[ConditionOutcome] = []
    traced = condition.evaluate(ctx, outcomes)
    assert isinstance(traced, bool)
    assert condition.evaluate(ctx) is traced
    assert len(outcomes) == 1 and outcomes[0].result is traced


# Each negated operator and the positive operator it negates.
PAIRS = [
    ("StringNotEquals", "StringEquals"),
    ("StringNotEqualsIgnoreCase", "StringEqualsIgnoreCase"),
    ("StringNotLike", "StringLike"),
    ("NumericNotEquals", "NumericEquals"),
    ("DateNotEquals", "DateEquals"),
    ("NotIpAddress", "IpAddress"),
    ("ArnNotEquals", "ArnEquals"),
    ("ArnNotLike", "ArnLike"),
]


def test_pairs_cover_every_negated_operator() -> None:
    negated = {info.name for info in OPERATORS.values() if info.negated}
    assert negated == {neg for neg, _ in PAIRS}


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(
    pair=st.sampled_from(PAIRS),
    if_exists=st.booleans(),
    key=st.sampled_from(KEYS),
    values=st.lists(_scalar, min_size=1, max_size=4),
    value=st.one_of(_text, st.integers(), st.booleans()),
    context=_contexts,
    variables=st.booleans(),
)
def test_negated_is_not_positive_for_a_present_single_value(
    pair: tuple[str, str],
    if_exists: bool,
    key: str,
    values: list[ConditionScalar],
    value: str | int | bool,
    context: dict[str, object],
    variables: bool,
) -> None:
    suffix = "IfExists" if if_exists else ""
    negated, positive = (name + suffix for name in pair)
    try:
        neg = compile_condition(_clause(negated, key, values), variables_enabled=variables)
        pos = compile_condition(_clause(positive, key, values), variables_enabled=variables)
    except PolicyError:
        assume(False)
        return
    ctx = Context({**context, key: value})  # type: ignore[dict-item]
    assert neg.evaluate(ctx) is (not pos.evaluate(ctx))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    pair=st.sampled_from(PAIRS),
    values=st.lists(_scalar, min_size=1, max_size=3),
    request=st.lists(_text, min_size=1, max_size=4),
    variables=st.booleans(),
)
def test_forallvalues_negated_is_not_foranyvalue_positive(
    pair: tuple[str, str],
    values: list[ConditionScalar],
    request: list[str],
    variables: bool,
) -> None:
    """Every value matches none of the policy values == not (some value matches one)."""
    negated, positive = pair
    key = "aws:TagKeys"
    try:
        all_neg = compile_condition(
            _clause(f"ForAllValues:{negated}", key, values), variables_enabled=variables
        )
        any_pos = compile_condition(
            _clause(f"ForAnyValue:{positive}", key, values), variables_enabled=variables
        )
    except PolicyError:
        assume(False)
        return
    tags: list[ContextScalar] = list(request)
    ctx = Context({key: tags})
    assert all_neg.evaluate(ctx) is (not any_pos.evaluate(ctx))
