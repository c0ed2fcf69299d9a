"""The compiled decision-only clauses equal the reference evaluator on random inputs.

``CompiledCondition.holds`` (one closure per clause, built at compile time: set lookups for
string equality, specialised globs, IP blocks as integer intervals, pre-parsed numbers and
dates) must decide every clause exactly as ``CompiledCondition.evaluate`` with a trace, which
stays the specification of the operators (the case tables in ``tests/conditions/cases`` check
that one against the AWS documentation). Random (operator, policy values, context) triples
cover every operator with and without ``IfExists`` and the set operators; IP text covers
the forms ``ipaddress`` rejects (leading zeros, short quads, non-ASCII digits, zone indexes).
Operator page:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_conditions_properties import KEYS, _clause, _contexts, _operators, _scalar

from iamsim.conditions import ConditionOutcome, coerce, compile_condition, compile_conditions
from iamsim.errors import PolicyError
from iamsim.policy.model import ConditionClause, ConditionScalar
from iamsim.vocabulary.request import Context

# Text that looks like an address: octets with leading zeros, too many digits, empty parts,
# IPv6 groups, embedded IPv4, zone indexes, non-ASCII digits.
_OCTET = st.one_of(
    st.integers(0, 300).map(str),
    st.text(alphabet="0123456789", min_size=0, max_size=4),
    st.sampled_from(["٣", "+1", " 1", "0x1", "1e2"]),
)
_QUAD = st.one_of(
    st.lists(_OCTET, min_size=3, max_size=5).map(".".join),
    # Nearly valid quads: octets in range, some zero-padded ("01", "007").
    st.lists(
        st.tuples(st.integers(0, 255), st.integers(0, 2)).map(lambda p: "0" * p[1] + str(p[0])),
        min_size=4,
        max_size=4,
    ).map(".".join),
)
_V6 = st.one_of(
    st.text(alphabet="0123456789abcdefABCDEF:", max_size=45),
    # Near-addresses: 1 to 10 groups of 0 to 5 hex digits, joined by ":" (so "::" appears).
    st.lists(st.text(alphabet="0fF19aA", max_size=5), min_size=1, max_size=10).map(":".join),
    st.integers(0, 2**128 - 1).map(lambda n: str(coerce.ipaddress.IPv6Address(n))),
    st.sampled_from(
        [
            "2001:db8::1",
            "2001:DB8::ffff",
            "::",
            "::1",
            "::ffff:203.0.113.5",
            "2001:db8::1%eth0",
            "2001:db8:::1",
            "2001:db8::g",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8:9",
            "fe80::1",
        ]
    ),
)
_IP_TEXT = st.one_of(
    _QUAD, _V6, st.integers(0, 2**32 - 1).map(lambda n: str(coerce.ipaddress.IPv4Address(n)))
)
_CIDR = st.one_of(
    st.tuples(_IP_TEXT, st.integers(0, 130)).map(lambda pair: f"{pair[0]}/{pair[1]}"),
    _IP_TEXT,
    st.sampled_from(["203.0.113.0/24", "2001:db8::/32", "0.0.0.0/0", "::/0", "10.0.0.0/255.0.0.0"]),
)


def _reference(
    condition_text: str, key: str, values: list[ConditionScalar], ctx: Context, variables: bool
) -> tuple[bool, bool] | None:
    try:
        condition = compile_condition(
            _clause(condition_text, key, values), variables_enabled=variables
        )
    except PolicyError:
        return None
    outcomes: list[ConditionOutcome] = []
    return condition.holds(ctx), condition.evaluate(ctx, outcomes)


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
@given(
    operator=_operators(),
    key=st.sampled_from(KEYS),
    values=st.lists(_scalar, max_size=4),
    context=_contexts,
    variables=st.booleans(),
)
def test_compiled_clause_equals_reference(
    operator: str,
    key: str,
    values: list[ConditionScalar],
    context: dict[str, object],
    variables: bool,
) -> None:
    ctx = Context(context)  # type: ignore[arg-type]
    pair = _reference(operator, key, values, ctx, variables)
    if pair is None:
        return  # malformed ${...}: the policy is rejected at compile time
    compiled, reference = pair
    assert compiled is reference


_IP_OPERATORS = st.sampled_from(
    [
        prefix + name + suffix
        for prefix in ("", "ForAnyValue:", "ForAllValues:")
        for name in ("IpAddress", "NotIpAddress")
        for suffix in ("", "IfExists")
    ]
)


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
@given(
    operator=_IP_OPERATORS,
    networks=st.lists(_CIDR, max_size=4),
    request=st.one_of(_IP_TEXT, st.lists(_IP_TEXT, max_size=3)),
)
def test_compiled_ip_clause_equals_reference(
    operator: str, networks: list[str], request: str | list[str]
) -> None:
    ctx = Context({"aws:SourceIp": request})  # type: ignore[dict-item]
    pair = _reference(operator, "aws:SourceIp", list(networks), ctx, True)
    assert pair is not None
    compiled, reference = pair
    assert compiled is reference


@settings(max_examples=2000)
@given(text=_IP_TEXT)
def test_ip_number_is_the_reference_parse(text: str) -> None:
    address = coerce.parse_ip_address(text)
    expected = None if address is None else (address.version, int(address))
    assert coerce.ip_number(text) == expected


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(
    clauses=st.lists(
        st.tuples(_operators(), st.sampled_from(KEYS), st.lists(_scalar, max_size=3)),
        min_size=1,
        max_size=4,
    ),
    context=_contexts,
)
def test_compiled_block_is_the_and_of_reference_clauses(
    clauses: list[tuple[str, str, list[ConditionScalar]]], context: dict[str, object]
) -> None:
    parsed: list[ConditionClause] = [_clause(op, key, values) for op, key, values in clauses]
    try:
        block = compile_conditions(parsed, variables_enabled=True)
    except PolicyError:
        return
    ctx = Context(context)  # type: ignore[arg-type]
    expected = all([condition.evaluate(ctx, []) for condition in block.conditions])
    assert block.holds(ctx) is expected
    assert block.evaluate(ctx) is expected
    assert block.evaluate(ctx, []) is expected


_BOOL_TEXT = st.sampled_from(["true", "false", "True", "FALSE", "tRuE", "", "yes", "1", "${x}"])


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(
    operator=st.sampled_from(
        [p + "Bool" + s for p in ("", "ForAnyValue:", "ForAllValues:") for s in ("", "IfExists")]
    ),
    values=st.lists(st.one_of(st.booleans(), _BOOL_TEXT), max_size=3),
    request=st.one_of(_BOOL_TEXT, st.booleans(), st.lists(_BOOL_TEXT, max_size=3)),
    present=st.booleans(),
)
def test_compiled_bool_clause_equals_reference(
    operator: str, values: list[ConditionScalar], request: object, present: bool
) -> None:
    ctx = Context({"aws:SecureTransport": request} if present else {})  # type: ignore[dict-item]
    pair = _reference(operator, "aws:SecureTransport", values, ctx, False)
    assert pair is not None
    compiled, reference = pair
    assert compiled is reference
