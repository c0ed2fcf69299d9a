"""Runs every behaviour table under tests/engine/cases: each case is an ``iamsim eval``
scenario plus the AWS documentation URL it encodes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from iamsim.checks.scenarios import parse_scenario
from iamsim.engine import evaluate

CASES_DIR = Path(__file__).parent / "cases"


def _load() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for index, case in enumerate(yaml.safe_load(path.read_text())):
            params.append(pytest.param(case, id=f"{path.stem}:{case.get('name', index)}"))
    return params


CASES = _load()


def test_every_case_cites_aws_documentation() -> None:
    assert CASES, "no behaviour cases found"
    for param in CASES:
        case = param.values[0]
        assert str(case.get("source", "")).startswith("https://docs.aws.amazon.com/"), case["name"]
        assert case.get("expect"), case["name"]


@pytest.mark.parametrize("case", CASES)
def test_case(case: dict[str, Any]) -> None:
    scenario_fields = {k: v for k, v in case.items() if k not in ("source", "why")}
    scenario = parse_scenario(scenario_fields, name=case["name"], source="case")
    decision = evaluate(scenario.request, scenario.policies)
    assert scenario.expectation_met(decision.value.value), (
        f"expected {scenario.expect}, got {decision.value.value}: {decision.reason}"
    )
