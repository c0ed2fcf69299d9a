"""`iamsim escalation --ray auto` over an organization folder: the per-account tasks on a
local Ray cluster give the answer of the whole organization loaded in one process."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from org_reference import single_escalation
from ray_available import require_ray

require_ray()

from iamsim.cli.main import cli  # noqa: E402


def test_ray_auto_escalation_answers_as_the_single_process(org_dir: Path) -> None:
    result = CliRunner().invoke(
        cli, ["escalation", "-i", str(org_dir), "--ray", "auto", "--json", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "schema_version": json.loads(result.stdout)["schema_version"],
        **single_escalation(org_dir),
    }
