"""Table-driven condition tests: every YAML case under ``cases/`` is one clause decided once.

Each case names the AWS page its expectation comes from (``source``). The coverage test
checks that every operator of the table has every kind of case the brief requires.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from iamsim.conditions import OPERATORS, ConditionOutcome, compile_condition, parse_operator
from iamsim.errors import PolicyError
from iamsim.policy.model import ConditionClause
from iamsim.vocabulary.request import Context

CASES_DIR = Path(__file__).parent / "cases"
AWS_DOCS = "https://docs.aws.amazon.com/"

# What every operator must demonstrate (``covers`` values). Null has no IfExists form and
# tests presence only, so it has its own list.
REQUIRED = {
    "match",
    "nomatch",
    "missing",
    "ifexists-absent",
    "ifexists-present",
    "anyvalue",
    "anyvalue-absent",
    "anyvalue-empty",
    "allvalues",
    "allvalues-absent",
    "allvalues-empty",
    "bad-request",
    "bad-policy",
}
REQUIRED_NULL = {
    "match",
    "nomatch",
    "missing",
    "ifexists-rejected",
    "anyvalue",
    "anyvalue-absent",
    "anyvalue-empty",
    "allvalues",
    "allvalues-absent",
    "allvalues-empty",
    "bad-request",
    "bad-policy",
}


def _load() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        for case in data["cases"]:
            case["_file"] = path.name
            cases.append(case)
    return cases


CASES = _load()


def _base_operator(text: str) -> str:
    name = text.split(":")[-1]
    if name.lower().endswith("ifexists"):
        name = name[: -len("IfExists")]
    return name


def _clause(case: dict[str, Any]) -> ConditionClause:
    values = case["values"]
    was_list = isinstance(values, list)
    return ConditionClause(
        operator=parse_operator(case["operator"]),
        key=case["key"],
        values=tuple(values) if was_list else (values,),
        value_was_list=was_list,
        path=f"/Statement/0/Condition/{case['operator']}/{case['key']}",
    )


def test_every_case_has_a_source_and_an_expectation() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    for case in CASES:
        assert str(case.get("source", "")).startswith(AWS_DOCS), case["id"]
        assert "expected" in case or case.get("error"), case["id"]


def test_every_operator_has_every_kind_of_case() -> None:
    seen: dict[str, set[str]] = {}
    for case in CASES:
        covers = case.get("covers")
        if not covers:
            continue
        kinds = covers if isinstance(covers, list) else [covers]
        seen.setdefault(_base_operator(case["operator"]).lower(), set()).update(kinds)
    missing = {}
    for folded, info in OPERATORS.items():
        required = REQUIRED_NULL if info.name == "Null" else REQUIRED
        lacking = required - seen.get(folded, set())
        if lacking:
            missing[info.name] = sorted(lacking)
    assert not missing


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    enabled = case.get("version", "2012-10-17") == "2012-10-17"
    if case.get("error") == "operator":
        with pytest.raises(ValueError):
            parse_operator(case["operator"])
        return
    clause = _clause(case)
    if case.get("error"):
        with pytest.raises(PolicyError):
            compile_condition(clause, variables_enabled=enabled)
        return
    condition = compile_condition(clause, variables_enabled=enabled)
    context = Context(case["context"])
    outcomes: list[ConditionOutcome] = []
    traced = condition.evaluate(context, outcomes)
    assert traced is case["expected"], outcomes
    # The untraced (short-circuiting) path must agree with the traced one.
    assert condition.evaluate(context) is case["expected"]
    (outcome,) = outcomes
    assert outcome.result is case["expected"]
    assert outcome.key == case["key"]
    assert outcome.operator == case["operator"]
    assert outcome.policy_values == clause.values
    assert outcome.key_absent is (context.get_values(case["key"]) is None)
    if "note" in case:
        assert case["note"] in outcome.note, outcome.note
