"""The example of docs/expectations.md runs against the bundled example organization and
prints what the page shows."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from iamsim.checks.expectations import parse_expectations, run_expectations
from iamsim.ingest import load_inputs
from iamsim.report.expectations_text import render_run

ROOT = Path(__file__).resolve().parents[3]
PAGE = (ROOT / "docs" / "expectations.md").read_text()
ORGANIZATION = ROOT / "examples" / "organization"


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", PAGE, flags=re.DOTALL)


def test_documented_example_passes_and_prints_as_shown() -> None:
    source = ORGANIZATION / "iam-expectations.yaml"
    suite = parse_expectations(
        yaml.safe_load(_blocks("yaml")[0]), source=str(source), base_dir=ORGANIZATION
    )
    run = run_expectations(suite, load_inputs(suite.inputs))
    assert run.ok, [r.message for r in run.results if r.status != "passed"]
    shown = _blocks("text")[0].splitlines()
    assert shown[0] == "$ iamsim test examples/organization/iam-expectations.yaml"
    assert render_run(run).splitlines() == shown[1:]
