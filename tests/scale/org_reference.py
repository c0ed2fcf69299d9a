"""The single-process answers the per-account escalation and audit tasks are compared with:
the whole organization folder loaded as one World, analysed as `iamsim escalation` and
`iamsim audit boundaries` do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from iamsim.analysis.admin import admin_report
from iamsim.analysis.boundary_audit import audit_boundaries
from iamsim.analysis.escalation import EscalationGraph, analyze_escalation
from iamsim.analysis.techniques import Oracle
from iamsim.ingest import load_inputs
from iamsim.report.escalation import escalation_json


def single_escalation(
    org_dir: Path, to: str = "admin", max_paths: int | None = 5
) -> dict[str, Any]:
    world = load_inputs([org_dir])
    oracle = Oracle(world, region="us-east-1")
    graph = EscalationGraph(world, oracle=oracle)
    report = analyze_escalation(world, to=to, max_paths=max_paths, graph=graph)
    principals = [graph.actors[r.start] for r in report.results]
    verdicts = admin_report(world, oracle=oracle, catalogue=graph.catalogue, principals=principals)
    return escalation_json(report, verdicts)


def single_audit(org_dir: Path) -> dict[str, Any]:
    world = load_inputs([org_dir])
    graph = EscalationGraph(world, oracle=Oracle(world, region="us-east-1"))
    return audit_boundaries(world, graph=graph, max_paths=5).to_dict()
