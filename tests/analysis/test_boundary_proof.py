"""Containment proofs for delegated administrators: the verdicts of
escalation_data/containment.yaml, each witness replayed through the engine, and the report."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from iamsim.analysis.boundary_audit import audit_boundaries
from iamsim.analysis.boundary_proof import (
    BOUNDARY_KEY,
    NOT_CONTAINED,
    PROVED,
    prove_containment,
    questions_for,
    worst_case,
)
from iamsim.analysis.escalation import EscalationGraph
from iamsim.engine import CompiledPolicySet, DecisionValue, decide
from iamsim.patterns.glob import Glob

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
CASES = yaml.safe_load((DATA / "containment.yaml").read_text())["cases"]


def _graph(spec: dict[str, Any]) -> EscalationGraph:
    world = kit.build_world(spec)
    return EscalationGraph(world, oracle=kit.oracle(world))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_containment(case: dict[str, Any]) -> None:
    assert case["doc"].startswith("https://docs.aws.amazon.com/")
    graph = _graph(case["world"])
    actor = graph.actor(kit.arn(*case["subject"].split("/", 1)))
    assert actor is not None
    result = prove_containment(graph.world, graph.oracle, actor)
    assert result.verdict == case["containment"], [w.to_dict() for w in result.witnesses]
    if result.verdict == PROVED:
        assert not result.witnesses
        return
    assert result.verdict == NOT_CONTAINED and result.witnesses
    assert case["question"] in {w.question for w in result.witnesses}
    questions = {
        (q.name, a): q
        for q in questions_for(graph.world, actor, result.approved)
        for a in q.actions
    }
    for witness in result.witnesses:
        request = witness.full
        assert request is not None
        asker = actor if witness.via is None else worst_case(graph.oracle, actor, witness.via)
        assert asker is not None
        # The engine allows the witness against the asker's real policies (the
        # administrator's, or the worst case's under an approved boundary)...
        assert decide(request, CompiledPolicySet(graph.oracle.policies_of(asker))) is (
            DecisionValue.ALLOW
        )
        assert witness.decision == "Allow"
        assert request.caller == graph.oracle.caller_of(actor)
        # ...and it is a request the question asks about.
        question = questions[(witness.question, request.action)]
        if question.free:
            assert any(Glob(p).matches(request.resource) for p in question.resources)
        else:
            assert request.resource in question.resources
        named = request.context.get_values(BOUNDARY_KEY)
        if question.exclude_approved and named:
            assert named[0].lower() not in {a.lower() for a in result.approved}
            assert named[0].startswith("arn:")
    if case.get("boundary_absent"):
        assert any(
            w.full is not None and w.full.context.get_values(BOUNDARY_KEY) is None
            for w in result.witnesses
        )
    assert bool(case.get("via")) == any(w.via for w in result.witnesses)
    if "note" in case:
        assert any(case["note"] in (w.note or "") for w in result.witnesses)


def test_audit_report_carries_containment() -> None:
    spec = CASES[0]["world"]
    report = audit_boundaries(kit.build_world(spec), graph=_graph(spec), max_paths=3).to_dict()
    zhang = next(s for s in report["subjects"] if s["principal"].endswith("user/zhang"))
    assert zhang["containment"]["verdict"] == "proved"
    assert zhang["containment"]["approved_boundaries"] == [
        "arn:aws:iam::111111111111:policy/XCompanyBoundaries"
    ]
    assert report["summary"]["containment_proved"] == 1
    assert report["summary"]["not_contained"] == 0
    spec = CASES[1]["world"]
    report = audit_boundaries(kit.build_world(spec), graph=_graph(spec), max_paths=3).to_dict()
    assert report["summary"]["not_contained"] == 1
    witness = report["subjects"][0]["containment"]["witnesses"][0]
    assert witness["decision"] == "Allow"
    assert set(witness["request"]) == {"principal", "action", "resource", "context"}


def test_wildcard_only_condition_approves_nothing() -> None:
    spec = {
        "users": [
            {
                "name": "ops",
                "allow": [
                    {
                        "Action": "iam:CreateRole",
                        "Resource": "*",
                        "Condition": {"StringLike": {BOUNDARY_KEY: "*"}},
                    }
                ],
            }
        ],
        "policies": {"anything": [{"Action": "*", "Resource": "*"}]},
    }
    graph = _graph(spec)
    actor = graph.actor(kit.arn("user", "ops"))
    assert actor is not None
    result = prove_containment(graph.world, graph.oracle, actor)
    assert result.approved == ()
    assert result.verdict == NOT_CONTAINED


# -- the command ---------------------------------------------------------------------------------

GAAD = str(DATA / "delegation-gaad.json")
EXAMPLE = Path(__file__).parents[2] / "src/iamsim/examples/organization/model"


def _cli(args: list[str]) -> tuple[int, str]:
    from click.testing import CliRunner

    from iamsim.cli.main import cli

    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.output


def test_command_text_json_sarif_and_fail() -> None:
    code, out = _cli(["audit", "boundaries", "-i", GAAD, "--principal", "user/dev"])
    assert code == 0, out
    assert "Delegated administration: 0 containment proved, 1 not contained" in out
    assert "containment: NOT CONTAINED" in out
    assert "witness (create-without-approved-boundary): any principal bounded by" in out
    code, out = _cli(["audit", "boundaries", "-i", GAAD, "--principal", "user/dev", "--json"])
    document = json.loads(out)
    containment = document["subjects"][0]["containment"]
    assert containment["verdict"] == "not contained"
    assert all(w["decision"] == "Allow" for w in containment["witnesses"])
    code, out = _cli(
        ["audit", "boundaries", "-i", GAAD, "--principal", "user/dev", "--format", "sarif"]
    )
    rules = {r["ruleId"] for r in json.loads(out)["runs"][0]["results"]}
    assert "boundary-not-contained" in rules
    code, _ = _cli(["audit", "boundaries", "-i", GAAD, "--principal", "user/dev", "--fail"])
    assert code == 1


def test_example_organization_delegated_admin_is_proved() -> None:
    code, out = _cli(
        ["audit", "boundaries", "-i", str(EXAMPLE), "--principal", "user/admins/zhang", "--json"]
    )
    assert code == 0, out
    (zhang,) = json.loads(out)["subjects"]
    assert zhang["containment"]["verdict"] == "proved"
    assert zhang["containment"]["witnesses"] == []
