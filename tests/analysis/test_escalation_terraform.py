"""Compute escalation techniques on Terraform code: the runs-as link is read from the
configuration, so the path is found unconditionally; a boundary, an SCP or a condition that
stops one step makes it disappear.

Cases live in escalation_data/terraform_cases.yaml (one per technique; the near miss is made
from the same case by the test).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from iamsim.analysis.escalation import EscalationGraph, analyze_escalation
from iamsim.analysis.techniques import Oracle, load_catalogue
from iamsim.ingest.terraform.loader import load_terraform_dir
from iamsim.model import World, merge_worlds


def _kit() -> Any:
    name = "escalation_kit"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, Path(__file__).parent / "escalation_data" / "kit.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


kit = _kit()
DATA = yaml.safe_load(
    (Path(__file__).parent / "escalation_data" / "terraform_cases.yaml").read_text()
)
CASES: list[dict[str, Any]] = DATA["cases"]
ACCOUNT = "111111111111"
NEVER = {"StringEquals": {"aws:ResourceTag/iamsim-test": "never"}}


def _statements(case: dict[str, Any], blocked: bool) -> list[dict[str, Any]]:
    actions = sorted(set(load_catalogue().technique(case["via"]).actions))
    if not blocked or case["block"]["how"] != "condition":
        return [{"Effect": "Allow", "Action": actions, "Resource": "*"}]
    action = case["block"]["action"]
    condition = (
        {"StringEquals": {"iam:PassedToService": "s3.amazonaws.com"}}
        if action == "iam:PassRole"
        else NEVER
    )
    rest = [a for a in actions if a != action]
    return [
        *([{"Effect": "Allow", "Action": rest, "Resource": "*"}] if rest else []),
        {"Effect": "Allow", "Action": action, "Resource": "*", "Condition": condition},
    ]


def _config(case: dict[str, Any], blocked: bool) -> str:
    how = case["block"]["how"] if blocked else None
    stopped = [case["block"]["action"], *([case["also_block"]] if "also_block" in case else [])]
    policy = json.dumps({"Version": "2012-10-17", "Statement": _statements(case, blocked)})
    parts = [DATA["prelude"], case.get("tf", "")]
    boundary = ""
    if how == "boundary":
        doc = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "NotAction": stopped, "Resource": "*"}],
        }
        parts.append(
            'resource "aws_iam_policy" "boundary" {\n  name = "boundary"\n'
            f"  policy = <<EOT\n{json.dumps(doc)}\nEOT\n}}\n"
        )
        boundary = "  permissions_boundary = aws_iam_policy.boundary.arn\n"
    parts.append(f'resource "aws_iam_user" "attacker" {{\n  name = "attacker"\n{boundary}}}\n')
    parts.append(
        'resource "aws_iam_user_policy" "attacker" {\n  name = "attacker"\n'
        f"  user = aws_iam_user.attacker.name\n  policy = <<EOT\n{policy}\nEOT\n}}\n"
    )
    return "\n".join(parts)


def _world(tmp_path: Path, case: dict[str, Any], blocked: bool) -> World:
    (tmp_path / "main.tf").write_text(_config(case, blocked))
    world = load_terraform_dir(tmp_path, account=ACCOUNT)
    if blocked and case["block"]["how"] == "scp":
        stopped = [case["block"]["action"], *([case["also_block"]] if "also_block" in case else [])]
        org = kit.build_world({"scp": [{"Effect": "Deny", "Action": stopped, "Resource": "*"}]})
        world = merge_worlds([world, org])
    return world


def _paths(world: World) -> list[Any]:
    graph = EscalationGraph(world, oracle=Oracle(world, region="us-east-1", now=kit.NOW))
    report = analyze_escalation(world, start="user/attacker", graph=graph)
    (result,) = report.results
    return list(result.paths)


@pytest.mark.parametrize("case", CASES, ids=[c["via"] for c in CASES])
def test_found_unconditionally(tmp_path: Path, case: dict[str, Any]) -> None:
    world = _world(tmp_path, case, blocked=False)
    if "tf" in case:
        assert world.runs_as, world.notes
    using = [p for p in _paths(world) if any(s.edge.technique.id == case["via"] for s in p.steps)]
    assert using, f"no path uses {case['via']}"
    assert any(not p.conditional for p in using), "the runs-as link makes the path certain"


@pytest.mark.parametrize("case", CASES, ids=[c["via"] for c in CASES])
def test_near_miss(tmp_path: Path, case: dict[str, Any]) -> None:
    world = _world(tmp_path, case, blocked=True)
    paths = _paths(world)
    assert not paths, [[s.edge.technique.id for s in p.steps] for p in paths]


def test_every_compute_technique_has_a_terraform_case() -> None:
    compute = {
        t.id
        for t in load_catalogue().techniques
        if t.kind in ("pass-role", "run-as-existing")
        # running ECS tasks are not Terraform resources (the task definition is)
        and t.resource_kind != "ecs-task"
    }
    assert compute <= {c["via"] for c in CASES}
