"""Condition blocks: AND across clauses, tracing, the keys a block reads, absent keys."""

from __future__ import annotations

import pytest

from iamsim.conditions import (
    ConditionOutcome,
    absent_keys,
    compile_condition,
    compile_conditions,
    parse_operator,
)
from iamsim.errors import PolicyError
from iamsim.policy.model import ConditionClause, ConditionScalar
from iamsim.vocabulary.request import Context

# "If your policy statement has multiple condition operators, the condition operators are
# evaluated using a logical AND"; likewise several keys under one operator.
MULTI = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html"


def clause(operator: str, key: str, *values: ConditionScalar) -> ConditionClause:
    return ConditionClause(
        operator=parse_operator(operator),
        key=key,
        values=values,
        value_was_list=len(values) != 1,
        path=f"/Statement/0/Condition/{operator}/{key}",
    )


BLOCK = [
    clause("StringEquals", "aws:PrincipalTag/team", "red"),
    clause("StringEquals", "aws:RequestedRegion", "eu-west-1"),
    clause("BoolIfExists", "aws:MultiFactorAuthPresent", "true"),
    clause("StringLike", "s3:prefix", "home/${aws:username}/*"),
]


def test_and_across_operators_and_keys() -> None:
    block = compile_conditions(BLOCK, variables_enabled=True)
    good = {
        "aws:PrincipalTag/team": "red",
        "aws:RequestedRegion": "eu-west-1",
        "s3:prefix": "home/bob/x",
        "aws:username": "bob",
    }
    assert block.evaluate(Context(good))
    for key in ("aws:PrincipalTag/team", "aws:RequestedRegion", "s3:prefix", "aws:username"):
        partial = {k: v for k, v in good.items() if k != key}
        assert not block.evaluate(Context(partial)), key
    assert not block.evaluate(Context({**good, "aws:MultiFactorAuthPresent": "false"}))


def test_tracing_reports_every_clause_and_every_failing_key() -> None:
    block = compile_conditions(BLOCK, variables_enabled=True)
    outcomes: list[ConditionOutcome] = []
    assert not block.evaluate(Context({"aws:RequestedRegion": "us-east-1"}), outcomes)
    assert [o.key for o in outcomes] == [c.key for c in BLOCK]
    assert [o.result for o in outcomes] == [False, False, True, False]
    assert outcomes[0].key_absent and outcomes[0].request_values is None
    assert outcomes[0].note == "key absent"
    assert outcomes[1].request_values == ("us-east-1",)
    assert outcomes[2].note == "IfExists: key absent"
    assert outcomes[3].key_absent


def test_untraced_evaluation_agrees_with_traced() -> None:
    block = compile_conditions(BLOCK, variables_enabled=True)
    context = Context({"aws:PrincipalTag/team": "red", "aws:RequestedRegion": "eu-west-1"})
    assert block.evaluate(context) is block.evaluate(context, [])


def test_keys_variable_keys_and_absent_keys() -> None:
    block = compile_conditions(
        [*BLOCK, clause("StringNotEquals", "AWS:PrincipalTag/Team", "blue")],
        variables_enabled=True,
    )
    assert block.keys == (
        "aws:PrincipalTag/team",
        "aws:RequestedRegion",
        "aws:MultiFactorAuthPresent",
        "s3:prefix",
    )
    assert block.variable_keys == ("aws:username",)
    context = Context({"AWS:REQUESTEDREGION": "eu-west-1", "s3:prefix": "home/"})
    assert absent_keys(context, block) == [
        "aws:PrincipalTag/team",
        "aws:MultiFactorAuthPresent",
        "aws:username",
    ]
    assert not block.empty


def test_variables_disabled_reads_no_variable_keys() -> None:
    block = compile_conditions(BLOCK, variables_enabled=False)
    assert block.variable_keys == ()


def test_empty_block_holds() -> None:
    block = compile_conditions([], variables_enabled=True)
    assert block.empty
    assert block.keys == ()
    assert block.evaluate(Context())
    outcomes: list[ConditionOutcome] = []
    assert block.evaluate(Context(), outcomes)
    assert outcomes == []


def test_malformed_variable_is_a_located_policy_error() -> None:
    bad = clause("StringEquals", "s3:prefix", "home/${aws:username")
    with pytest.raises(PolicyError) as info:
        compile_condition(bad, variables_enabled=True)
    assert info.value.path == bad.path
    # Without variables (old Version) the same text is literal and compiles.
    compile_condition(bad, variables_enabled=False)


def test_outcome_keeps_policy_values_as_written() -> None:
    condition = compile_condition(
        clause("NumericLessThan", "s3:max-keys", 10, "abc"), variables_enabled=True
    )
    outcomes: list[ConditionOutcome] = []
    assert condition.evaluate(Context({"s3:max-keys": "5"}), outcomes)
    (outcome,) = outcomes
    assert outcome.policy_values == (10, "abc")
    assert outcome.operator == "NumericLessThan"
    assert "policy value 'abc' is not a number" in outcome.note


def test_compiled_condition_is_reusable_across_requests() -> None:
    condition = compile_condition(
        clause("StringLike", "s3:prefix", "home/${aws:username}/*"), variables_enabled=True
    )
    for user in ("alice", "bob", "carol") * 30:
        context = Context({"s3:prefix": f"home/{user}/f", "aws:username": user})
        assert condition.evaluate(context)
        assert not condition.evaluate(context.with_values({"aws:username": "mallory"}))
