"""`iamsim diff --ray auto` of two organization folders: the per-account tasks on a local Ray
cluster merge into the one-World diff."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from diff_orgs import make_after, make_base, single_diff, without_counts
from ray_available import require_ray

require_ray()

from iamsim.cli.main import cli  # noqa: E402

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_ray_auto_diff_answers_as_the_one_world_diff(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import gen_org
    finally:
        sys.path.remove(str(BENCH))
    generated = gen_org.write(tmp_path_factory.mktemp("gen"), accounts=4, roles=6, seed=11)
    base = make_base(Path(generated), tmp_path_factory.mktemp("base") / "org")
    after = make_after(base, tmp_path_factory.mktemp("after") / "org", "loosen-trusted-role")
    result = CliRunner().invoke(
        cli, ["diff", "-i", str(base), "--against", str(after), "--ray", "auto", "--json"]
    )
    assert result.exit_code == 1, result.output  # GAINS
    document = json.loads(result.stdout)
    assert (document["accounts_answered"], document["accounts_skipped"]) == (2, 2)
    del document["schema_version"]
    assert without_counts(document) == single_diff(base, after)
