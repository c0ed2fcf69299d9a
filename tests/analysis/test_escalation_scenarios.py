"""The vulnerable Terraform scenario library (tests/escalation_scenarios/): for each folder,
``iamsim escalation --json`` (the CLI) finds the expected path unconditionally with the
expected techniques, reports nothing on a false-positive trap, and labels the listed
principals administrator or not as expect.yaml says.

The running and judging lives in bench/escalation_scenarios.py (which also prints the
library's percentages); each expect.yaml cites the AWS page of the API its path uses.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

BENCH = Path(__file__).resolve().parents[2] / "bench" / "escalation_scenarios.py"


def _bench() -> Any:
    name = "escalation_scenarios_bench"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BENCH)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


bench = _bench()
FOLDERS = sorted(p for p in bench.LIBRARY.iterdir() if (p / "expect.yaml").is_file())
KINDS = {
    "one-hop",
    "self-escalation",
    "multi-hop",
    "cross-account",
    "to-bucket",
    "trap",
    "admin-label",
}


@pytest.mark.parametrize("folder", FOLDERS, ids=[p.name for p in FOLDERS])
def test_scenario(folder: Path) -> None:
    outcome = bench.run(folder)
    assert outcome.verdict != "load-fail", outcome.problems
    if outcome.expect == "unconditional":
        assert outcome.verdict == "found", outcome.verdict
    else:
        assert outcome.verdict in ("none", "missed"), f"false positive: {outcome.verdict}"
        if outcome.expect == "conditional":
            assert outcome.verdict == "none", "expected a conditional path"
    assert not outcome.problems, outcome.problems
    assert not outcome.labels_wrong, outcome.labels_wrong


@pytest.mark.parametrize("folder", FOLDERS, ids=[p.name for p in FOLDERS])
def test_expectation_is_well_formed(folder: Path) -> None:
    expect = yaml.safe_load((folder / "expect.yaml").read_text())
    assert expect["kind"] in KINDS
    assert expect["expect"] in ("unconditional", "conditional", "none")
    assert expect["docs"] and all(
        u.startswith("https://docs.aws.amazon.com/") for u in expect["docs"]
    )
    if expect["expect"] == "unconditional":
        assert expect["techniques"], "say which technique the path uses"
    assert (folder / "main.tf").is_file()


def test_library_covers_every_kind() -> None:
    kinds = {yaml.safe_load((f / "expect.yaml").read_text())["kind"] for f in FOLDERS}
    assert kinds == KINDS
    labels = sum(
        len(e.get("admins", [])) + len(e.get("not_admins", []))
        for e in (yaml.safe_load((f / "expect.yaml").read_text()) for f in FOLDERS)
    )
    assert labels >= 39
