"""Escalation on the vulnerable Terraform scenario library (tests/escalation_scenarios/).

Each folder holds a Terraform configuration written the way public vulnerable-by-design
libraries write them, and an ``expect.yaml``: the starting principal, the goal (``admin`` or
a resource ARN and an action), what must be found (``unconditional``: a certain path using
the listed techniques; ``conditional``: only paths that rest on something outside the
inputs; ``none``: no path at all) and the principals labelled administrator / not.

This module owns running ``iamsim escalation --json`` (the CLI, in process) on one folder and
judging the answer; ``tests/analysis/test_escalation_scenarios.py`` asserts each folder, and
running it as a script prints the library's percentages (docs/benchmarks.md):

    python bench/escalation_scenarios.py [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from iamsim.cli.main import cli

LIBRARY = Path(__file__).resolve().parent.parent / "tests" / "escalation_scenarios"


@dataclass
class Outcome:
    """What the CLI said about one scenario, judged against its expect.yaml."""

    name: str
    kind: str
    expect: str
    #: ``found`` (a path, certain when expected certain), ``conditional`` (only uncertain
    #: paths where a certain one was expected), ``missed``, ``none`` (correctly nothing),
    #: ``false-positive`` (a path where none / only uncertain ones were expected),
    #: ``load-fail`` (exit status other than 0).
    verdict: str
    problems: list[str] = field(default_factory=list)
    labels_checked: int = 0
    labels_wrong: list[str] = field(default_factory=list)
    #: expect.yaml's ``gap``: why iamsim answers less certainly than AWS would decide
    gap: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.verdict in ("found", "none") and not self.problems and not self.labels_wrong


def _matches(label: str, arn: str, short: str) -> bool:
    """An expect.yaml label (a full ARN, or ``user/x`` as iamsim labels a principal of the
    only account) names this principal."""
    return label == arn if label.startswith("arn:") else label == short


def run(folder: Path) -> Outcome:
    """Run ``iamsim escalation`` on one scenario folder and judge the answer."""
    expect: dict[str, Any] = yaml.safe_load((folder / "expect.yaml").read_text())
    args = ["escalation", "-i", str(folder), "--from", expect["start"], "--json", "--quiet"]
    args += ["--max-paths", "0"]
    goal = expect["goal"]
    if goal != "admin":
        args += ["--to", goal["resource"], "--action", goal["action"]]
    args += expect.get("args", [])
    outcome = Outcome(folder.name, expect["kind"], expect["expect"], "load-fail")
    outcome.gap = expect.get("gap", "")
    started = time.perf_counter()
    result = CliRunner().invoke(cli, args)
    outcome.seconds = round(time.perf_counter() - started, 3)
    if result.exit_code != 0:
        outcome.problems.append(f"exit {result.exit_code}: {result.output.strip()[-400:]}")
        return outcome
    report = json.loads(result.output)
    (res,) = report["results"]
    paths = res["paths"]
    certain = [p for p in paths if not p["conditional"]]
    wanted = set(expect.get("techniques", []))
    using = [p for p in certain if wanted <= {s["technique"] for s in p["steps"]}]
    if expect["expect"] == "unconditional":
        if using:
            outcome.verdict = "found"
        elif certain:
            outcome.verdict = "found"
            outcome.problems.append(
                f"certain paths use {[[s['technique'] for s in p['steps']] for p in certain]}, "
                f"not {sorted(wanted)}"
            )
        else:
            outcome.verdict = "conditional" if paths else "missed"
    elif expect["expect"] == "conditional":
        outcome.verdict = "false-positive" if certain else ("none" if paths else "missed")
    else:
        outcome.verdict = "false-positive" if paths else "none"
    admins = {a if isinstance(a, str) else a.get("principal", "") for a in report["administrators"]}
    verdicts = {v["principal"]: v for v in report.get("admin_verdicts", [])}
    for label, want in [(a, True) for a in expect.get("admins", [])] + [
        (a, False) for a in expect.get("not_admins", [])
    ]:
        outcome.labels_checked += 1
        hits = [v for arn, v in verdicts.items() if _matches(label, arn, v["label"])]
        got = any(_matches(label, a, a.split(":", 5)[-1]) for a in admins) or any(
            v["admin"] for v in hits
        )
        if got != want:
            outcome.labels_wrong.append(f"{label}: expected {'admin' if want else 'not admin'}")
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write every outcome to this file")
    ns = parser.parse_args(argv)
    folders = sorted(p for p in LIBRARY.iterdir() if (p / "expect.yaml").is_file())
    outcomes = []
    for folder in folders:
        o = run(folder)
        outcomes.append(o)
        mark = "ok " if o.ok else "BAD"
        print(
            f"{mark} {o.name:45} {o.verdict:15} {o.seconds:6.2f}s {'; '.join(o.problems + o.labels_wrong)[:300]}"
        )
    # A scenario with a ``gap`` holds a path AWS allows that iamsim reports conditionally.
    expected_paths = [o for o in outcomes if o.expect == "unconditional" or o.gap]
    clean = [o for o in outcomes if o.expect != "unconditional" and not o.gap]
    found = sum(o.verdict == "found" and not o.problems for o in expected_paths)
    cond = sum(
        o.verdict == "conditional" or (bool(o.gap) and o.verdict == "none") for o in expected_paths
    )
    missed = sum(o.verdict == "missed" for o in expected_paths)
    fp = sum(o.verdict == "false-positive" for o in clean)
    load_fail = sum(o.verdict == "load-fail" for o in outcomes)
    gaps = [o.name for o in outcomes if o.gap]
    labels = sum(o.labels_checked for o in outcomes)
    wrong = sum(len(o.labels_wrong) for o in outcomes)
    n = len(expected_paths) or 1

    def pct(k: int, of: int) -> str:
        return f"{k}/{of} ({100 * k / (of or 1):.0f}%)"

    print()
    print(
        f"scenarios: {len(outcomes)} ({len(expected_paths)} with a certain path, {len(clean)} traps/conditional)"
    )
    print(f"paths found unconditionally: {pct(found, n)}")
    print(f"found only conditionally:    {pct(cond, n)}")
    print(f"missed:                      {pct(missed, n)}")
    print(f"false positives (traps):     {pct(fp, len(clean))}")
    print(f"failed to load:              {pct(load_fail, len(outcomes))}")
    print(f"admin labels wrong:          {wrong}/{labels}")
    print(f"known gaps (conditional where AWS allows): {len(gaps)} {', '.join(gaps)}")
    print(f"total time:                  {sum(o.seconds for o in outcomes):.1f}s")
    if ns.json:
        ns.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=2))
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
