"""Behaviour tables from the AWS documentation (tests/patterns/cases/*.yaml)."""

from __future__ import annotations

from typing import Any

import pytest
from pattern_cases import case_id, context_of, load, variables_enabled

from iamsim.patterns import (
    Glob,
    action_problem,
    arn_problem,
    compile_action,
    compile_arn_condition,
    compile_resource,
    parse_template,
)

RESOURCE_CASES = load("resource_matching.yaml")
VARIABLE_CASES = load("variables.yaml")
VARIABLE_ERRORS = load("variables.yaml", "errors")
ARN_CONDITION_CASES = load("arn_conditions.yaml")
ACTION_CASES = load("actions.yaml")
ACTION_PROBLEMS = load("actions.yaml", "problems")
ARN_PROBLEMS = load("arn_problems.yaml")


@pytest.mark.parametrize("case", RESOURCE_CASES, ids=case_id)
def test_resource_matching(case: dict[str, Any]) -> None:
    pattern = compile_resource(case["pattern"], variables_enabled=variables_enabled(case))
    assert pattern.matches(case["resource"], context_of(case)) is case["expected"]


@pytest.mark.parametrize("case", VARIABLE_CASES, ids=case_id)
def test_variables(case: dict[str, Any]) -> None:
    template = parse_template(case["template"], enabled=variables_enabled(case))
    context = context_of(case)
    assert template.text == case["template"]
    assert template.text_value(context) == case["text_value"]
    if "keys" in case:
        assert list(template.variable_keys) == case["keys"]
        assert template.has_variables is bool(case["keys"])
    if "literal" in case:
        assert template.literal == case["literal"]
    if case["text_value"] is None:
        assert template.tokens(context) is None
        assert template.glob(context) is None
    for value, expected in case.get("glob_cases", []):
        glob = template.glob(context)
        assert glob is not None
        assert glob.matches(value) is expected, value


@pytest.mark.parametrize("case", VARIABLE_ERRORS, ids=case_id)
def test_variable_errors(case: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=case["match"]):
        parse_template(case["template"], enabled=True)


@pytest.mark.parametrize("case", ARN_CONDITION_CASES, ids=case_id)
def test_arn_conditions(case: dict[str, Any]) -> None:
    pattern = compile_arn_condition(case["pattern"], variables_enabled=True)
    context = context_of(case)
    assert pattern.matches(case["value"], context) is case["expected"]
    if "string_like" in case:
        # The same policy value under StringLike: one glob over the whole string.
        glob = parse_template(case["pattern"], enabled=True).glob(context)
        assert glob is not None
        assert glob.matches(case["value"]) is case["string_like"]


@pytest.mark.parametrize("case", ACTION_CASES, ids=case_id)
def test_actions(case: dict[str, Any]) -> None:
    assert compile_action(case["pattern"]).matches(case["action"]) is case["expected"]


@pytest.mark.parametrize("case", ACTION_PROBLEMS, ids=case_id)
def test_action_problems(case: dict[str, Any]) -> None:
    problem = action_problem(case["value"])
    if case["match"] is None:
        assert problem is None
    else:
        assert problem is not None and case["match"] in problem


@pytest.mark.parametrize("case", ARN_PROBLEMS, ids=case_id)
def test_arn_problems(case: dict[str, Any]) -> None:
    problem = arn_problem(case["value"])
    if case["match"] is None:
        assert problem is None
    else:
        assert problem is not None and case["match"] in problem


def test_every_table_case_cites_a_source() -> None:
    # load() asserts it; this keeps the guarantee visible when a table is added.
    tables = (RESOURCE_CASES, VARIABLE_CASES, ARN_CONDITION_CASES, ACTION_CASES, ARN_PROBLEMS)
    assert all(case["source"] for table in tables for case in table)
    assert isinstance(Glob("x"), Glob)
