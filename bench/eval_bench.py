"""Scenarios per second on the ``iamsim eval`` path, alone and side by side with the peer.

Two workloads, generated deterministically, where no two requests repeat (each scenario has its
own principal and its own resource):

- (R) *recurring*: every scenario carries its organization's policies (a three-level SCP chain
  with a Deny and a condition, a permissions boundary with a policy variable, the same identity
  policy), as a batch of real scenario files does;
- (U) *unique*: the same shapes, but every policy document of every scenario has its own text
  (a Sid and a resource naming the scenario), so nothing can be shared between scenarios.

Modes:

- default: in process, what ``iamsim eval --json`` does over one YAML file (read, evaluate with
  the full explanation, build the record) -- the figure recorded before the lean path;
- ``--peer``: writes both workloads as JSON and JSON Lines files, then times, in one run and
  interleaved, ``iamsim eval --jsonl FILE.jsonl`` (its default: worker processes, one per
  CPU, see iamsim.cli.eval_workers), the same with ``--workers 1`` (one process),
  ``iamsim eval --json FILE.json`` (one process) and the peer's public API
  (``node bench/peer_batch.mjs FILE.jsonl``, one process), and prints the ratios of
  CPU time (all processes of each run), of wall time, both of whole processes (start-up
  included for both; iamsim byte-compiled first, as an installed copy is), and the CPU
  ratios again with each tool's start-up (an empty batch, timed alike) taken out for both;
- ``--rss N``: writes N recurring scenarios as JSON Lines and reports the peak RSS of
  ``iamsim eval --jsonl --workers 1`` over them (constant memory; each worker is bounded
  alike).

Run: ``python bench/eval_bench.py [--scenarios 2000] [--no-policy-cache] [--json out.json]``,
``python bench/eval_bench.py --peer [--scenarios 20000] [--runs 3]``,
``python bench/eval_bench.py --rss 1000000``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from iamsim.checks import policy_cache
from iamsim.checks.scenarios import Scenario, load_scenarios
from iamsim.cli.eval_workers import worker_plan
from iamsim.engine.decision import evaluate
from iamsim.report.json_report import scenario_to_json

HERE = Path(__file__).resolve().parent
ONE_PROCESS = "iamsim eval --jsonl --workers 1"
ACCOUNT = "111122223333"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


ALLOW_ALL = _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
SCP_OU = _doc(
    {"Effect": "Allow", "Action": "*", "Resource": "*"},
    {
        "Sid": "RegionLock",
        "Effect": "Deny",
        "NotAction": ["iam:*", "sts:*"],
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}},
    },
)
SCP_ACCOUNT = _doc(
    {"Effect": "Allow", "Action": ["s3:*", "dynamodb:*"], "Resource": "*"},
    {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
)
BOUNDARY = _doc(
    {
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:PutObject"],
        "Resource": "arn:aws:s3:::data-*/*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/team}"}},
    }
)
IDENTITY = _doc(
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"},
    {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::data-*/locked/*"},
)
VARIANTS = ("recurring", "unique")


def _own(document: dict[str, Any], i: int) -> dict[str, Any]:
    """``document`` with text of its own for scenario ``i``: a Sid naming it on every
    statement, and on each Deny a second resource only scenario ``i`` could name (same
    decisions, distinct documents)."""
    statements = []
    for j, statement in enumerate(document["Statement"]):
        own = {"Sid": f"S{i}N{j}", **{k: v for k, v in statement.items() if k != "Sid"}}
        if own["Effect"] == "Deny" and "Resource" in own:
            resources = own["Resource"] if isinstance(own["Resource"], list) else [own["Resource"]]
            own["Resource"] = [*resources, f"arn:aws:s3:::never-{i}/*"]
        statements.append(own)
    return {"Version": document["Version"], "Statement": statements}


def scenario(i: int, variant: str = "recurring") -> dict[str, Any]:
    """Scenario ``i`` of a workload: its own principal and resource; a request from outside the
    allowed Regions (every third) is denied by the SCP, the others allowed; one in a hundred
    expects the wrong answer (its expectation fails, as some do in a real batch)."""
    docs = [IDENTITY, BOUNDARY, ALLOW_ALL, SCP_OU, SCP_ACCOUNT]
    if variant == "unique":
        docs = [_own(d, i) for d in docs]
    identity, boundary, root, ou, account = docs
    denied = i % 3 == 0
    expect = "ExplicitDeny" if denied else "Allow"
    if i % 100 == 1:
        expect = "ImplicitDeny"
    return {
        "name": f"scenario {i}",
        "principal": f"arn:aws:iam::{ACCOUNT}:user/user-{i}",
        "action": "s3:GetObject" if i % 2 else "s3:PutObject",
        "resource": f"arn:aws:s3:::data-{i % 7}/object-{i}",
        "resource_account": ACCOUNT,
        "context": {
            "aws:RequestedRegion": "us-east-1" if denied else "eu-west-1",
            "aws:PrincipalTag/team": f"team-{i % 5}",
        },
        "policies": {
            "identity": [identity],
            "boundary": boundary,
            "scp": [[root], [ou], [account]],
        },
        "expect": expect,
    }


def scenarios(count: int, variant: str = "recurring") -> Iterator[dict[str, Any]]:
    return (scenario(i, variant) for i in range(count))


def scenarios_text(count: int) -> str:
    """``count`` recurring scenarios as one YAML document."""
    return yaml.safe_dump(list(scenarios(count)), sort_keys=False)


def write_json(path: Path, count: int, variant: str) -> None:
    """One JSON document: the list of ``count`` scenarios."""
    path.write_text(json.dumps(list(scenarios(count, variant))), encoding="utf-8")


def write_jsonl(path: Path, count: int, variant: str) -> None:
    """JSON Lines, one scenario a line, written as generated (a million fit in no memory)."""
    with path.open("w", encoding="utf-8") as out:
        for item in scenarios(count, variant):
            out.write(json.dumps(item, separators=(",", ":")))
            out.write("\n")


def run(text: str) -> tuple[float, float, int]:
    """CPU seconds to load the scenarios, CPU seconds to evaluate and report them, the count
    (CPU time of this process: other load on the machine changes it little)."""
    started = time.process_time()
    loaded = load_scenarios(text, "bench.yaml")
    loaded_at = time.process_time()
    count = 0
    for item in loaded:
        assert isinstance(item, Scenario), item
        decision = evaluate(item.request, item.policies, explain=True)
        json.dumps(scenario_to_json(item, decision))
        count += 1
    return loaded_at - started, time.process_time() - loaded_at, count


def _timed(command: list[str], stdout: Any = subprocess.DEVNULL) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MiB) of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=stdout, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):  # 1: an expectation failed, by design
        raise SystemExit(f"{command[0]} failed: exit {os.waitstatus_to_exitcode(status)}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def _iamsim() -> str:
    return str(Path(sys.executable).parent / "iamsim")


def _workers(path: Path) -> int:
    """The worker processes ``iamsim eval`` uses by default for ``path``."""
    plan = worker_plan(None, machine=True)
    return plan.count if plan is not None and plan.applies(path.stat().st_size) else 1


def _decisions(path: Path) -> Counter[str]:
    with path.open("rb") as records:
        return Counter(json.loads(line)["decision"] for line in records if line.strip())


def _compiled_as_installed() -> None:
    """Byte-compile the iamsim package, as pip does when it installs the wheel: a checkout run
    under ``PYTHONDONTWRITEBYTECODE`` otherwise compiles every module it imports at every
    start (about 0.1 s CPU), which no installed copy pays."""
    import compileall

    import iamsim

    # force: compileall judges a .pyc by the source's modification time alone, while the
    # importer also compares the size; a file edited within the second it was compiled keeps
    # a .pyc that compileall calls fresh and every start compiles again.
    compileall.compile_dir(Path(iamsim.__file__).parent, quiet=1, force=True)


def peer_run(count: int, runs: int) -> dict[str, Any]:
    """Both workloads through iamsim and the peer, interleaved, ``runs`` times each; medians."""
    _compiled_as_installed()
    node = os.environ.get("NODE", "node")
    results: dict[str, Any] = {"scenarios": count, "runs": runs, "load": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # Start-up alone (an empty batch), to state the ratios with start-up excluded for
        # both tools as well as included for both: node's start-up and the peer's import on
        # one side, Python's, the imports and the CLI's on the other.
        empty = folder / "empty.jsonl"
        empty.write_bytes(b"")
        starts: dict[str, list[float]] = {"iamsim": [], "peer": []}
        for _ in range(max(runs, 3)):
            starts["iamsim"].append(
                _timed([_iamsim(), "eval", "--jsonl", "--quiet", str(empty)])[1]
            )
            starts["peer"].append(_timed([node, str(HERE / "peer_batch.mjs"), str(empty)])[1])
        start = {name: statistics.median(times) for name, times in starts.items()}
        results["start_up_cpu_seconds"] = {k: round(v, 3) for k, v in start.items()}
        for variant in VARIANTS:
            jsonl, whole = folder / f"{variant}.jsonl", folder / f"{variant}.json"
            write_jsonl(jsonl, count, variant)
            write_json(whole, count, variant)
            commands = {
                "iamsim eval --jsonl": [_iamsim(), "eval", "--jsonl", "--quiet", str(jsonl)],
                ONE_PROCESS: [
                    _iamsim(),
                    "eval",
                    "--jsonl",
                    "--workers",
                    "1",
                    "--quiet",
                    str(jsonl),
                ],
                "iamsim eval --json": [_iamsim(), "eval", "--json", "--quiet", str(whole)],
            }
            walls: dict[str, list[float]] = {name: [] for name in [*commands, "peer", "peer loop"]}
            cpus: dict[str, list[float]] = {name: [] for name in [*commands, "peer"]}
            for _ in range(runs):
                for name, command in commands.items():
                    wall, cpu, _ = _timed(command)
                    walls[name].append(wall)
                    cpus[name].append(cpu)
                out = folder / "peer.out"
                with (folder / "peer.json").open("w") as report:
                    wall, cpu, _ = _timed([node, str(HERE / "peer_batch.mjs"), str(jsonl)], report)
                walls["peer"].append(wall)
                cpus["peer"].append(cpu)
                walls["peer loop"].append(json.loads((folder / "peer.json").read_text())["seconds"])
            # Same answers: iamsim's decisions against the peer's, scenario by scenario counts.
            with (folder / "iamsim.out").open("w") as mine:
                subprocess.run(commands["iamsim eval --jsonl"], stdout=mine, check=False)
            subprocess.run(
                [node, str(HERE / "peer_batch.mjs"), str(jsonl), str(out)],
                stdout=subprocess.DEVNULL,
                check=True,
            )
            ours, theirs = _decisions(folder / "iamsim.out"), _decisions(out)
            theirs_named = Counter(
                {
                    (
                        "ExplicitDeny"
                        if k == "ExplicitlyDenied"
                        else "ImplicitDeny"
                        if k == "ImplicitlyDenied"
                        else "Allow"
                        if k == "Allowed"
                        else k
                    ): v
                    for k, v in theirs.items()
                }
            )
            medians = {name: statistics.median(times) for name, times in walls.items()}
            cpu = {name: statistics.median(times) for name, times in cpus.items()}
            per_second = {name: count / seconds for name, seconds in medians.items()}
            results[variant] = {
                "workers": _workers(jsonl),
                "median_seconds": {k: round(v, 3) for k, v in medians.items()},
                "per_second": {k: round(v, 1) for k, v in per_second.items()},
                # CPU seconds of the whole process (start-up included for both): what a loaded
                # machine changes least.
                "median_cpu_seconds": {k: round(v, 3) for k, v in cpu.items()},
                "cpu_per_second": {k: round(count / v, 1) for k, v in cpu.items()},
                "cpu_ratio_jsonl_vs_peer": round(cpu["peer"] / cpu["iamsim eval --jsonl"], 2),
                "cpu_ratio_json_vs_peer": round(cpu["peer"] / cpu["iamsim eval --json"], 2),
                "cpu_ratio_jsonl_one_process_vs_peer": round(cpu["peer"] / cpu[ONE_PROCESS], 2),
                # Wall time of the whole processes, start-up included for both: what a user
                # waits for (iamsim's default uses the machine's CPUs, the peer one).
                "wall_ratio_jsonl_vs_peer": round(
                    medians["peer"] / medians["iamsim eval --jsonl"], 2
                ),
                "wall_ratio_jsonl_one_process_vs_peer": round(
                    medians["peer"] / medians[ONE_PROCESS], 2
                ),
                "wall_ratio_json_vs_peer": round(
                    medians["peer"] / medians["iamsim eval --json"], 2
                ),
                # The same with each tool's own start-up taken out (the steady-state rate).
                "cpu_ratio_jsonl_vs_peer_without_start_up": round(
                    (cpu["peer"] - start["peer"]) / (cpu["iamsim eval --jsonl"] - start["iamsim"]),
                    2,
                ),
                "cpu_ratio_jsonl_one_process_vs_peer_without_start_up": round(
                    (cpu["peer"] - start["peer"]) / (cpu[ONE_PROCESS] - start["iamsim"]), 2
                ),
                "cpu_ratio_json_vs_peer_without_start_up": round(
                    (cpu["peer"] - start["peer"]) / (cpu["iamsim eval --json"] - start["iamsim"]),
                    2,
                ),
                "ratio_jsonl_vs_peer_loop": round(
                    medians["peer loop"] / medians["iamsim eval --jsonl"], 2
                ),
                "ratio_json_vs_peer_loop": round(
                    medians["peer loop"] / medians["iamsim eval --json"], 2
                ),
                "decisions_iamsim": dict(ours),
                "decisions_peer": dict(theirs),
                "same_decisions": ours == theirs_named,
            }
    return results


def rss_run(count: int) -> dict[str, Any]:
    """Peak RSS of ``iamsim eval --jsonl`` over ``count`` recurring scenarios (JSON Lines in,
    JSON Lines out to /dev/null)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "many.jsonl"
        write_jsonl(path, count, "recurring")
        size = path.stat().st_size
        # One process: the figure is what bounds each process (with workers, each one holds
        # at most this, the parent less).
        wall, cpu, peak = _timed(
            [_iamsim(), "eval", "--jsonl", "--workers", "1", "--quiet", str(path)]
        )
    return {
        "scenarios": count,
        "input_mib": round(size / 2**20, 1),
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "peak_rss_mib": peak,
        "per_second": round(count / wall, 1),
        "load": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenarios", type=int, default=2000)
    parser.add_argument("--json", dest="json_out", help="also write the results to this file")
    # Accepted for bench/run.py, which passes its arguments to every benchmark: this one runs
    # a fixed number of scenarios instead.
    parser.add_argument("--seconds", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--no-policy-cache", action="store_true", help="parse every copy")
    parser.add_argument("--peer", action="store_true", help="side by side with the peer")
    parser.add_argument("--runs", type=int, default=3, help="runs per tool with --peer")
    parser.add_argument("--rss", type=int, metavar="N", help="peak RSS over N JSON Lines")
    args = parser.parse_args()
    result: dict[str, Any]
    if args.peer:
        result = peer_run(args.scenarios, args.runs)
        print(json.dumps(result, indent=2))
    elif args.rss:
        result = rss_run(args.rss)
        print(json.dumps(result, indent=2))
    else:
        if args.no_policy_cache:
            policy_cache._LIMIT = 0  # every entry is dropped as soon as it is stored
        text = scenarios_text(args.scenarios)
        load_s, eval_s, count = run(text)
        total = load_s + eval_s
        result = {
            "python": platform.python_version(),
            "scenarios": count,
            "policy_cache": not args.no_policy_cache,
            "load_seconds": round(load_s, 3),
            "evaluate_seconds": round(eval_s, 3),
            "scenarios_per_second": round(count / total, 1),
        }
        print(
            f"{count} scenarios: load {load_s:.2f} s, evaluate+report {eval_s:.2f} s, "
            f"{count / total:,.0f} scenarios/s"
        )
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as out:
            json.dump(result, out, indent=2)


if __name__ == "__main__":
    main()
