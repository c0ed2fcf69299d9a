"""Boundary audit: containment proven, checked, or the counterexample path; and application
isolation. Scenarios in escalation_data/boundary_audit.yaml."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from iamsim.analysis.boundary_audit import (
    audit_boundaries,
    audit_subject,
    audit_subjects,
    find_apps,
    resource_name,
)
from iamsim.analysis.escalation import EscalationGraph

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
SCENARIOS = yaml.safe_load((DATA / "boundary_audit.yaml").read_text())["scenarios"]


def _graph(spec: dict[str, Any]) -> EscalationGraph:
    world = kit.build_world(spec)
    return EscalationGraph(world, oracle=kit.oracle(world), runs_as=kit.runs_as(spec))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_scenario(scenario: dict[str, Any]) -> None:
    graph = _graph(scenario["world"])
    subject = kit.arn(*scenario["subject"].split("/", 1))
    found = {a.arn: (a, k) for a, k in audit_subjects(graph)}
    assert subject in found, f"{subject} is not a subject: {sorted(found)}"
    actor, kinds = found[subject]
    if "kinds" in scenario:
        assert list(kinds) == scenario["kinds"]
    audit = audit_subject(graph, actor, kinds, max_paths=10)
    assert audit.verdict == scenario["verdict"], [
        [s.edge.technique.id for s in p.steps] for p in audit.counterexamples
    ]
    if "approved" in scenario:
        assert list(audit.approved_boundaries) == scenario["approved"]
    if audit.verdict == "escapes":
        assert audit.counterexamples
        techniques = {s.edge.technique.id for p in audit.counterexamples for s in p.steps}
        assert scenario["via"] in techniques, techniques
        for path in audit.counterexamples:
            assert "outside the ceiling" in path.goal
    elif audit.verdict == "proven":
        assert not audit.by_check and audit.by_structure
    else:
        assert audit.by_check


def test_report_and_determinism() -> None:
    spec = SCENARIOS[1]["world"]
    first = audit_boundaries(kit.build_world(spec), graph=_graph(spec), max_paths=3).to_dict()
    second = audit_boundaries(kit.build_world(spec), graph=_graph(spec), max_paths=3).to_dict()
    assert first == second
    assert first["summary"]["escapes"] == 1


ISOLATION = {
    "users": [],
    "roles": [
        {
            "name": "first-api",
            "trust": [{"Service": "lambda.amazonaws.com"}],
            "allow": [
                {"Action": "s3:GetObject", "Resource": "arn:aws:s3:::first-*/*"},
                {"Action": "sts:AssumeRole", "Resource": "arn:aws:iam::111111111111:role/second-*"},
            ],
            "tags": {"app": "first"},
        },
        {
            "name": "second-worker",
            "trust": [{"AWS": "role/first-api"}],
            "allow": [{"Action": "dynamodb:GetItem", "Resource": "*"}],
            "tags": {"app": "second"},
        },
        {
            "name": "third-job",
            "trust": [{"Service": "glue.amazonaws.com"}],
            "allow": [{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::third-*/*"}],
            "tags": {"app": "third"},
        },
    ],
    "resources": [
        {"arn": "arn:aws:s3:::first-data", "tags": {"app": "first"}},
        {"arn": "arn:aws:s3:::third-data", "tags": {"app": "third"}},
        {
            "arn": "arn:aws:s3:::second-data",
            "tags": {"app": "second"},
            "policy": [
                {
                    "Principal": {"AWS": "arn:aws:iam::111111111111:role/third-job"},
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::second-data/*",
                }
            ],
        },
        {
            "arn": "arn:aws:dynamodb:us-east-1:111111111111:table/second-orders",
            "tags": {"app": "second"},
        },
    ],
}


@pytest.mark.parametrize(
    ("prefixes", "tags"), [(("first-", "second-", "third-"), ()), ((), ("app",))]
)
def test_application_isolation(prefixes: tuple[str, ...], tags: tuple[str, ...]) -> None:
    world = kit.build_world(ISOLATION)
    report = audit_boundaries(
        world, graph=_graph(ISOLATION), prefixes=prefixes, tag_keys=tags, max_paths=3
    )
    crossings = {
        (f.principal.rsplit("/", 1)[-1], f.resource.rsplit(":", 1)[-1]) for f in report.findings
    }
    # first-api becomes second-worker (trust names it), which reads second's table.
    assert ("first-api", "role/second-worker") in crossings
    assert ("first-api", "table/second-orders") in crossings
    # third-job reads second's bucket through the bucket policy.
    assert ("third-job", "second-data") in crossings
    # Nobody reaches first's or third's data from elsewhere.
    assert not any(r in ("first-data", "third-data") for _, r in crossings)
    via = [f for f in report.findings if f.resource.endswith("second-orders")]
    assert via and via[0].via and via[0].via[0].edge.technique.id == "sts-assume-role"
    assert "dynamodb:GetItem" in via[0].actions


def test_apps_and_names() -> None:
    world = kit.build_world(ISOLATION)
    apps = find_apps(world, ["first-"], ["app"])
    assert [a.name for a in apps] == ["first-", "app=first", "app=second", "app=third"]
    assert apps[0].resources == ("arn:aws:s3:::first-data",)
    assert resource_name("arn:aws:dynamodb:us-east-1:1:table/second-orders") == "second-orders"
    assert resource_name("arn:aws:lambda:us-east-1:1:function:first-fn") == "first-fn"
    assert resource_name("arn:aws:sqs:us-east-1:1:first-queue") == "first-queue"
    assert resource_name("arn:aws:iam::1:role/app/first-role") == "first-role"


# -- --hops: isolation through chains of role assumptions ---------------------------------------

HOPS = Path(__file__).parent / "data" / "hops"
HOPS_INPUTS = ["-i", str(HOPS / "gaad.json"), "-i", str(HOPS / "resources.yaml")]


def _isolation(hops: int) -> dict[str, Any]:
    import json

    from click.testing import CliRunner

    from iamsim.cli.main import cli

    args = ["audit", "boundaries", *HOPS_INPUTS, "--prefix", "first-", "--prefix", "second-"]
    result = CliRunner().invoke(cli, [*args, "--hops", str(hops), "--json"])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


@pytest.mark.parametrize("hops", [0, 1])
def test_a_two_hop_crossing_is_not_found_within_fewer_hops(hops: int) -> None:
    """first-api reaches second-data only as relay-b, two role assumptions away (relay-a,
    then relay-b; neither relay belongs to an application)."""
    document = _isolation(hops)
    assert document["isolation"]["findings"] == []
    # The report says how far it looked, so "no crossing" is not read as a proof.
    assert any("--hops" in note for note in document["notes"])


def test_a_two_hop_crossing_is_found_with_two_hops() -> None:
    document = _isolation(2)
    findings = document["isolation"]["findings"]
    assert len(findings) == 1, findings
    finding = findings[0]
    assert finding["principal"].endswith(":role/first-api")
    assert finding["resource"] == "arn:aws:s3:::second-data"
    assert finding["actions"] == ["s3:GetObject"]
    steps = finding["via"]
    assert [s["technique"] for s in steps] == ["sts-assume-role", "sts-assume-role"]
    assert [s["yields"] for s in steps] == ["becomes role/relay-a", "becomes role/relay-b"]
    assert "at most 2 become step(s)" in " ".join(document["notes"])
