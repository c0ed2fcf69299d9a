"""Benchmarks of administrator detection, escalation paths and the boundary audit on the
generated account of ``bench/gen_account.py`` (1,000 roles, 2,000 managed policies, 200
resource policies, an organization with a region SCP).

Run: ``python bench/escalation_bench.py [--seed 7] [--json out.json] [--exhaustive 2]
[--runs-as 1000]``.
Every number is wall time on one core, in one process, in this order:

1. loading the generated inputs;
2. administrator detection for every role (the probes of the catalogue, first failure ends a
   principal), then the full verdict of every role (every probe, with what blocks it);
3. escalation to administrator from every role (five paths per start, the CLI default), on a
   fresh graph, so it pays for building the edges it needs; then the same on the account
   with ``--runs-as`` compute resources linked to the roles that trust their service (a
   resources file with ``runs_as``), so code-injection edges are certain;
4. escalation from single starts on fresh graphs (what ``--from`` costs cold);
5. every path (no limit) from the first ``--exhaustive`` escalating roles and two contained
   ones, on the warm graph of step 3;
6. the boundary audit of every bounded role, and application isolation for three prefixes
   (direct access and one become step, the CLI default);
7. ``iamsim escalation --json`` end to end in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from gen_account import write

from iamsim.analysis.admin import AdminChecker
from iamsim.analysis.boundary_audit import (
    application_isolation,
    audit_subject,
    audit_subjects,
    find_apps,
)
from iamsim.analysis.escalation import AdminGoal, EscalationAnalysis, EscalationGraph
from iamsim.analysis.techniques import Oracle
from iamsim.ingest import load_inputs


def _timed(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - start
    print(f"  ... {seconds:.2f} s", file=sys.stderr, flush=True)
    return value, seconds


def _graph(world: Any) -> EscalationGraph:
    return EscalationGraph(world, oracle=Oracle(world))


def main() -> None:
    parser = argparse.ArgumentParser(description="escalation benchmarks")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--exhaustive", type=int, default=2)
    parser.add_argument("--json", dest="json_out")
    parser.add_argument("--runs-as", type=int, default=1000, help="runs-as links for step 3b")
    args = parser.parse_args()
    results: dict[str, Any] = {"python": platform.python_version(), "seed": args.seed}

    with tempfile.TemporaryDirectory() as tmp:
        paths = write(tmp, args.seed)
        world, seconds = _timed(lambda: load_inputs(paths))
        results["load_inputs_s"] = round(seconds, 3)
        results["roles"] = len(world.roles)
        results["managed_policies"] = len(world.managed_policies)
        results["resource_policies"] = sum(1 for r in world.resources.values() if r.policy)

        # 2. administrators
        graph = _graph(world)
        keys = sorted(graph.actors)
        admins, seconds = _timed(lambda: [k for k in keys if graph.admin.is_admin(graph.actors[k])])
        results["admin_detection_s"] = round(seconds, 3)
        results["administrators"] = len(admins)
        results["admin_detection_decisions"] = graph.oracle.checks
        checker = AdminChecker(Oracle(world))
        verdicts, seconds = _timed(lambda: [checker.verdict(graph.actors[k]) for k in keys])
        results["admin_verdicts_s"] = round(seconds, 3)
        blockers = Counter(v.blockers[0].split(":")[0] for v in verdicts if v.blockers)
        results["first_blockers"] = dict(blockers.most_common(5))

        # 3. every start, five paths each (fresh graph)
        graph = _graph(world)
        analysis = EscalationAnalysis(graph, AdminGoal(graph.admin))
        per_start: list[float] = []

        def every_start() -> list[Any]:
            out = []
            for key in keys:
                start = time.perf_counter()
                out.append(analysis.from_start(key, max_paths=5))
                per_start.append(time.perf_counter() - start)
            return out

        cpu = time.process_time()
        starts, seconds = _timed(every_start)
        results["all_starts_s"] = round(seconds, 3)
        # CPU time too: on a shared machine it stays near the wall time of a quiet one.
        results["all_starts_cpu_s"] = round(time.process_time() - cpu, 3)
        results["all_starts_decisions"] = graph.oracle.checks
        results["all_starts_status"] = dict(Counter(r.status for r in starts))
        results["all_starts_paths_found"] = sum(r.paths_total for r in starts)
        ordered = sorted(per_start)
        results["per_start_median_s"] = round(statistics.median(ordered), 4)
        results["per_start_p95_s"] = round(ordered[int(len(ordered) * 0.95)], 4)
        results["per_start_max_s"] = round(ordered[-1], 3)

        # 3b. the same with runs-as links (another account of the same seed, plus links)
        with tempfile.TemporaryDirectory() as linked_dir:
            linked_paths = write(linked_dir, args.seed, runs_as=args.runs_as)
            linked = load_inputs(linked_paths)
        results["runs_as_links"] = len(linked.runs_as)
        linked_graph = _graph(linked)
        linked_analysis = EscalationAnalysis(linked_graph, AdminGoal(linked_graph.admin))
        cpu = time.process_time()
        linked_starts, seconds = _timed(
            lambda: [linked_analysis.from_start(k, max_paths=5) for k in keys]
        )
        results["all_starts_runs_as_s"] = round(seconds, 3)
        results["all_starts_runs_as_cpu_s"] = round(time.process_time() - cpu, 3)
        results["all_starts_runs_as_decisions"] = linked_graph.oracle.checks
        results["all_starts_runs_as_status"] = dict(Counter(r.status for r in linked_starts))
        results["all_starts_runs_as_paths_found"] = sum(r.paths_total for r in linked_starts)

        # 4. single starts, cold
        escalating = [r.start for r in starts if r.status == "escalates"]
        contained = [r.start for r in starts if r.status == "contained"]
        singles = []
        for key in escalating[:3] + contained[:2]:
            fresh = _graph(world)
            fresh_analysis = EscalationAnalysis(fresh, AdminGoal(fresh.admin))
            result, seconds = _timed(lambda k=key, a=fresh_analysis: a.from_start(k, max_paths=5))
            singles.append(
                {
                    "start": key.rsplit("/", 1)[-1],
                    "status": result.status,
                    "seconds": round(seconds, 3),
                    "decisions": fresh.oracle.checks,
                }
            )
        results["single_start_cold"] = singles

        # 5. every path (no --max-paths) from a few starts, on the warm graph of step 3
        exhaustive = []
        for key in escalating[: args.exhaustive] + contained[:2]:
            before = graph.oracle.checks
            result, seconds = _timed(lambda k=key: analysis.from_start(k, max_paths=None))
            exhaustive.append(
                {
                    "start": key.rsplit("/", 1)[-1],
                    "status": result.status,
                    "paths": result.paths_total,
                    "seconds": round(seconds, 3),
                    "decisions": graph.oracle.checks - before,
                }
            )
        results["exhaustive"] = exhaustive

        # 6. boundary audit and isolation (fresh graph)
        graph = _graph(world)
        subjects = audit_subjects(graph)
        audits, seconds = _timed(
            lambda: [audit_subject(graph, a, k, max_paths=5) for a, k in subjects]
        )
        results["audit_subjects"] = len(subjects)
        results["audit_s"] = round(seconds, 3)
        results["audit_verdicts"] = dict(Counter(a.verdict for a in audits))
        results["audit_examined"] = sum(a.examined for a in audits)
        apps = find_apps(world, ["app000-", "app001-", "app002-"], [])
        findings, seconds = _timed(lambda: application_isolation(graph, apps, hops=1))
        results["isolation_apps"] = {a.name: len(a.principals) for a in apps}
        results["isolation_s"] = round(seconds, 3)
        results["isolation_findings"] = len(findings)
        results["audit_and_isolation_decisions"] = graph.oracle.checks

        # 7. the CLI, end to end
        cli = Path(sys.executable).with_name("iamsim")
        command = [
            str(cli),
            "escalation",
            "--json",
            *(arg for p in paths for arg in ("-i", str(p))),
        ]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False)
        results["cli_escalation_s"] = round(time.perf_counter() - start, 3)
        results["cli_exit"] = done.returncode
        results["cli_json_bytes"] = len(done.stdout)

    for key, value in results.items():
        print(f"{key}: {value}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
