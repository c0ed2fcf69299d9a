"""Benchmark of ``iamsim diff`` on the example organization (docs/benchmarks.md, "World diff").

Two comparisons, each timed end to end as the command runs it (loading both worlds, the diff
with escalation paths, the JSON document):

* ``variant``: the example organization's Terraform against a variant of it whose application
  boundary allows every S3 action (``s3:*`` instead of the four object and list actions) -- a
  pull request widening a boundary;
* ``forms``: the organization's export form (``model/``) against its Terraform form.

Run: ``.venv/bin/python bench/diff_bench.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from iamsim.analysis.world_diff import diff_worlds
from iamsim.ingest import load_inputs

ROOT = Path(__file__).resolve().parents[1] / "src/iamsim/examples/organization"
NARROW = '["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"]'


def _variant(folder: Path) -> Path:
    target = folder / "terraform"
    shutil.copytree(ROOT / "terraform", target)
    boundaries = target / "workloads/boundaries.tf"
    text = boundaries.read_text()
    assert NARROW in text, "the example's boundary changed: update the benchmark"
    boundaries.write_text(text.replace(NARROW, '["s3:*"]', 1))
    return target


def _time(label: str, before: list[Path], after: list[Path]) -> None:
    start = time.perf_counter()
    diff = diff_worlds(load_inputs(before), load_inputs(after))
    document = json.dumps(diff.to_dict())
    elapsed = time.perf_counter() - start
    summary = diff.to_dict()["summary"]
    print(f"{label}: {elapsed:.2f} s, gains={diff.gains}, {summary}, {len(document)} bytes")


def main() -> None:
    print(f"load average: {os.getloadavg()}")
    tf = [ROOT / "terraform/organization", ROOT / "terraform/workloads", ROOT / "terraform/backup"]
    with tempfile.TemporaryDirectory() as tmp:
        variant = _variant(Path(tmp))
        changed = [variant / "organization", variant / "workloads", variant / "backup"]
        _time("variant", tf, changed)
    model = [
        ROOT / "model/gaad-111122223333.json",
        ROOT / "model/gaad-444455556666.json",
        ROOT / "model/organization.yaml",
        ROOT / "model/resources.yaml",
    ]
    _time("forms", model, tf)
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
