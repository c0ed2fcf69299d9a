"""Escalation techniques, each on a small world: the path is found, and its near miss is not.

Cases live in escalation_data/techniques.yaml (one found case and at least one near miss per
technique of the catalogue); worlds are built with escalation_data/kit.py.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from iamsim.analysis.escalation import EscalationGraph, analyze_escalation
from iamsim.analysis.techniques import load_catalogue

DATA = Path(__file__).parent / "escalation_data"


def _kit() -> Any:
    name = "escalation_kit"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, DATA / "kit.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


kit = _kit()
CASES = yaml.safe_load((DATA / "techniques.yaml").read_text())["cases"]


def run_case(case: dict[str, Any], **kwargs: Any) -> Any:
    world = kit.build_world(case["world"])
    graph = EscalationGraph(world, oracle=kit.oracle(world), runs_as=kit.runs_as(case["world"]))
    start = case["start"]
    return analyze_escalation(world, start=start, graph=graph, **kwargs)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_technique_case(case: dict[str, Any]) -> None:
    report = run_case(case)
    (result,) = report.results
    if case["expect"] == "contained":
        assert result.status == "contained", [
            [s.edge.technique.id for s in p.steps] for p in result.paths
        ]
        return
    assert result.status == "escalates"
    via = case["via"]
    using = [p for p in result.paths if any(s.edge.technique.id == via for s in p.steps)]
    assert using, (
        f"no path uses {via}: {[[s.edge.technique.id for s in p.steps] for p in result.paths]}"
    )
    if "conditional" in case:
        assert any(p.conditional is case["conditional"] for p in using)
    for path in using:
        for step in path.steps:
            assert step.edge.steps, "every edge carries the requests the engine allowed"
            assert all(r.statements for r in step.edge.steps), "each request names its grants"
            assert step.edge.breaks(), "each edge says what would break it"


def test_every_technique_has_a_found_case_and_a_near_miss() -> None:
    catalogue = load_catalogue()
    found = {c["via"] for c in CASES if c["expect"] == "escalates"}
    # terraform_cases.yaml (test_escalation_terraform.py) gives each of its techniques a found
    # case and a near miss on Terraform code.
    terraform = yaml.safe_load((DATA / "terraform_cases.yaml").read_text())["cases"]
    on_terraform = {c["via"] for c in terraform}
    assert {t.id for t in catalogue.techniques} <= found | on_terraform
    # Near misses follow the found case of their technique in the file.
    near = 0
    for previous, case in itertools.pairwise(CASES):
        if case["expect"] == "contained" and previous["expect"] == "escalates":
            near += 1
    assert near >= len({t.id for t in catalogue.techniques} - on_terraform)


def test_mfa_given_in_the_context_opens_mfa_gated_statements() -> None:
    """The cheap MFA filter of the oracle stands aside when --context gives the key: the same
    role whose MFA-gated iam:* is a near miss escalates with aws:MultiFactorAuthPresent true.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent
    """
    (case,) = [c for c in CASES if c["name"].startswith("near miss - rewriting trust policies")]
    world = kit.build_world(case["world"])
    oracle = kit.oracle(world, context={"aws:MultiFactorAuthPresent": "true"})
    report = analyze_escalation(
        world, start=case["start"], graph=EscalationGraph(world, oracle=oracle)
    )
    (result,) = report.results
    assert result.status == "escalates"
