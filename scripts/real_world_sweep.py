"""Run ``validate`` over every project of tests/real_world_projects and print, per project, the
policies checked against those it defines (expect.yaml), as recorded in docs/inputs.md.

Usage: python scripts/real_world_sweep.py [PROJECTS_DIR]
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import yaml

from iamsim.checks.validation import validate_paths
from iamsim.errors import InputError
from iamsim.ingest import IacOptions


def main() -> int:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("tests/real_world_projects")
    fields = {f.name for f in dataclasses.fields(IacOptions)}
    complete = total = checked_sum = defined_sum = 0
    for expect_file in sorted(root.glob("*/expect.yaml")):
        project = expect_file.parent
        expect = yaml.safe_load(expect_file.read_text())
        given = {
            "variables": expect.get("vars") or {},
            "var_files": tuple(project / f for f in expect.get("var_files") or ()),
            "parameters": expect.get("params") or {},
            "default_account": expect.get("default_account"),
            "default_region": expect.get("region"),
        }
        options = IacOptions(**{k: v for k, v in given.items() if k in fields})
        defined = expect["policies"] + (expect.get("unresolved") or {}).get("count", 0)
        try:
            report = validate_paths([project / expect.get("path", ".")], options=options)
            checked = min(report.summary()["policies"], defined)
            status = f"{checked}/{defined}"
        except InputError as exc:
            checked, status = 0, f"0/{defined} (refused: {exc.reason[:60]})"
        total += 1
        complete += checked == defined
        checked_sum += checked
        defined_sum += defined
        print(f"{project.name:28} {status}")
    print(f"every policy checked in {complete} of {total} projects")
    print(f"policies checked: {checked_sum} of {defined_sum}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
