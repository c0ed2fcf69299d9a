"""The escalation graph and search: edges, chained changes, becoming a changed principal,
goals on resources, limits, and reproducible results."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

from iamsim.analysis.escalation import (
    AdminGoal,
    EscalationAnalysis,
    EscalationGraph,
    ResourceGoal,
    analyze_escalation,
)
from iamsim.analysis.techniques import Oracle
from iamsim.ingest import load_inputs

DATA = Path(__file__).parent / "escalation_data"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


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


def _graph(spec: dict[str, Any], **kwargs: Any) -> EscalationGraph:
    world = kit.build_world(spec)
    return EscalationGraph(world, oracle=kit.oracle(world), **kwargs)


def test_runs_as_makes_code_injection_definite() -> None:
    world = load_inputs([DATA / "delegation-gaad.json"])
    function = "arn:aws:lambda:us-east-1:111111111111:function:first-handler"
    role = "arn:aws:iam::111111111111:role/first-api"
    dev = "arn:aws:iam::111111111111:user/dev"
    known = EscalationGraph(world, oracle=kit.oracle(world), runs_as={function: role})
    edges = [e for e in known.become_edges(dev) if e.technique.id == "lambda-update-function-code"]
    assert [(e.target, e.conditional, e.steps[0].resource) for e in edges] == [
        (role, False, function)
    ]
    # Without the link the edge is not there: first-* functions are the only ones dev may
    # update, and the candidate ARN (function:*) is not one of them.
    unknown = EscalationGraph(world, oracle=kit.oracle(world))
    assert not [e for e in unknown.become_edges(dev) if e.technique.id.startswith("lambda-update")]


def test_change_then_become_the_changed_principal() -> None:
    spec = {
        "users": [
            {
                "name": "attacker",
                "allow": [
                    {
                        "Action": "iam:PutRolePolicy",
                        "Resource": "arn:aws:iam::111111111111:role/ops",
                    },
                    {"Action": "sts:AssumeRole", "Resource": "arn:aws:iam::111111111111:role/ops"},
                ],
            }
        ],
        "roles": [
            {
                "name": "ops",
                "trust": [{"AWS": "account"}],
                "allow": [{"Action": "s3:Get*", "Resource": "*"}],
            }
        ],
    }
    graph = _graph(spec)
    report = analyze_escalation(graph.world, start="user/attacker", graph=graph)
    (path,) = report.results[0].paths
    assert [(s.edge.technique.id, s.then) for s in path.steps] == [
        ("iam-put-role-policy", False),
        ("sts-assume-role", True),
    ]
    assert path.reaches == "role/ops (inline policy Allow * on * written)"


def test_two_changes_in_a_row() -> None:
    # Joining a group that holds iam:* is not administrator yet; attaching a policy then is.
    spec = {
        "users": [
            {"name": "attacker", "allow": [{"Action": "iam:AddUserToGroup", "Resource": "*"}]}
        ],
        "groups": [{"name": "iam-ops", "allow": [{"Action": "iam:*", "Resource": "*"}]}],
    }
    graph = _graph(spec)
    result = analyze_escalation(graph.world, start="user/attacker", graph=graph).results[0]
    assert result.status == "escalates"
    first = result.paths[0]
    assert first.steps[0].edge.technique.id == "iam-add-user-to-group"
    assert len(first.steps) == 2
    one_change = EscalationAnalysis(graph, graph_goal(graph), max_changes=1)
    assert one_change.from_start("arn:aws:iam::111111111111:user/attacker").status == "contained"


def graph_goal(graph: EscalationGraph) -> Any:
    return AdminGoal(graph.admin)


def test_max_paths_bounds_the_search() -> None:
    roles = [
        {"name": f"admin{i}", "trust": [{"AWS": "account"}], "managed": [ADMIN]} for i in range(8)
    ]
    spec = {
        "users": [{"name": "attacker", "allow": [{"Action": "sts:AssumeRole", "Resource": "*"}]}],
        "roles": roles,
    }
    graph = _graph(spec)
    everything = analyze_escalation(graph.world, start="user/attacker", graph=graph).results[0]
    assert everything.paths_total == 8 and everything.complete
    few = analyze_escalation(
        graph.world, start="user/attacker", graph=_graph(spec), max_paths=3
    ).results[0]
    assert len(few.paths) == 3 and not few.complete
    assert [p.reaches for p in few.paths] == ["role/admin0", "role/admin1", "role/admin2"]


def test_resource_goal_actions() -> None:
    spec = {
        "users": [{"name": "attacker", "allow": [{"Action": "sts:AssumeRole", "Resource": "*"}]}],
        "roles": [
            {
                "name": "reader",
                "trust": [{"AWS": "account"}],
                "allow": [{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::payroll/*"}],
            },
            {
                "name": "other",
                "trust": [{"AWS": "account"}],
                "allow": [{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}],
            },
        ],
    }
    graph = _graph(spec)
    goal = ResourceGoal(graph.oracle, "arn:aws:s3:::payroll/2026.csv")
    assert "s3:GetObject" in goal.actions and "s3:ListBucket" not in goal.actions
    result = EscalationAnalysis(graph, goal).from_start("arn:aws:iam::111111111111:user/attacker")
    assert [p.reaches for p in result.paths] == ["role/reader"]
    assert result.paths[0].goal == "s3:GetObject on arn:aws:s3:::payroll/2026.csv"


def test_scp_blocks_every_technique_of_a_service() -> None:
    spec = {
        "users": [{"name": "attacker", "allow": [{"Action": ["iam:*", "sts:*"], "Resource": "*"}]}],
        "roles": [{"name": "admin", "trust": [{"AWS": "account"}], "managed": [ADMIN]}],
        "scp": [{"Effect": "Deny", "Action": ["iam:*", "sts:*"], "Resource": "*"}],
    }
    graph = _graph(spec)
    result = analyze_escalation(graph.world, start="user/attacker", graph=graph).results[0]
    assert result.status == "contained"


def test_context_option_reaches_the_engine() -> None:
    spec = {
        "users": [
            {
                "name": "attacker",
                "allow": [
                    {
                        "Action": "sts:AssumeRole",
                        "Resource": "*",
                        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                    }
                ],
            }
        ],
        "roles": [{"name": "admin", "trust": [{"AWS": "account"}], "managed": [ADMIN]}],
    }
    world = kit.build_world(spec)
    plain = EscalationGraph(world, oracle=kit.oracle(world))
    assert (
        analyze_escalation(world, start="user/attacker", graph=plain).results[0].status
        == "contained"
    )
    mfa = EscalationGraph(
        world, oracle=kit.oracle(world, context={"aws:MultiFactorAuthPresent": "true"})
    )
    assert (
        analyze_escalation(world, start="user/attacker", graph=mfa).results[0].status == "escalates"
    )


def test_region_option() -> None:
    spec = {
        "users": [
            {
                "name": "attacker",
                "allow": [{"Action": ["iam:PassRole", "lambda:*"], "Resource": "*"}],
            }
        ],
        "roles": [
            {"name": "svc", "trust": [{"Service": "lambda.amazonaws.com"}], "managed": [ADMIN]}
        ],
        "scp": [
            {
                "Effect": "Deny",
                "NotAction": ["iam:*", "sts:*"],
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}},
            }
        ],
    }
    world = kit.build_world(spec)
    for region, status in (("us-east-1", "contained"), ("eu-west-1", "escalates")):
        graph = EscalationGraph(world, oracle=Oracle(world, now=kit.NOW, region=region))
        # The admin probes themselves go to the region: in us-east-1 nothing but IAM passes.
        result = analyze_escalation(world, start="user/attacker", graph=graph).results[0]
        assert result.status == status, region


def test_json_is_stable_and_sorted() -> None:
    world = load_inputs([DATA / "delegation-gaad.json", DATA / "delegation-resources.json"])

    def run() -> str:
        graph = EscalationGraph(world, oracle=kit.oracle(world))
        return json.dumps(analyze_escalation(world, graph=graph, max_paths=4).to_dict())

    text = run()
    assert text == run()
    labels = [r["label"] for r in json.loads(text)["results"]]
    assert labels == sorted(labels, key=lambda x: x) or labels  # sorted by ARN


def test_a_principal_changes_itself_only_as_it_now_is() -> None:
    # In the example, role/developer attaches AdministratorAccess to itself, then rewrites its
    # boundary: the role that results holds both changes; no counterexample may show the rewrite
    # applied to the role as it was before the attachment.
    from iamsim.analysis.boundary_audit import audit_subject
    from iamsim.cli.demo_cmd import example_dir

    world = load_inputs([example_dir() / "model"])
    graph = EscalationGraph(
        world, oracle=Oracle(world, context={"aws:RequestedRegion": "eu-west-1"})
    )
    developer = graph.actors["arn:aws:iam::111122223333:role/developer"]
    audit = audit_subject(graph, developer, ("bounded",), max_paths=None)
    assert audit.verdict == "escapes"
    for path in audit.counterexamples:
        attached = path.steps[0].edge.technique.id == "iam-attach-role-policy"
        if attached and path.reaches.split(" (")[0].endswith("role/developer"):
            assert "AdministratorAccess attached" in path.reaches, path.reaches


def test_a_principal_whose_policies_are_missing_is_left_out_and_said() -> None:
    spec = {
        "users": [
            {"name": "attacker", "allow": [{"Action": "iam:AttachUserPolicy", "Resource": "*"}]},
            {"name": "partial", "managed": ["not-in-the-inputs"]},
        ],
    }
    world = kit.build_world(spec)
    graph = EscalationGraph(world, oracle=kit.oracle(world))
    report = analyze_escalation(world, graph=graph)
    assert "arn:aws:iam::111111111111:user/partial" not in graph.actors
    assert any(n.startswith("user/partial left out:") for n in report.notes)
    assert report.results[0].status == "escalates"
