"""``iamsim diff`` of two organization folders as per-account tasks: the merged world-diff
equals the one-World diff of the two folders (each loaded whole), in this process and in
worker processes; unchanged accounts whose closure and tree are unchanged are skipped; an
account that cannot be read is left out and the others still answer."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from diff_orgs import (
    A0,
    A1,
    A2,
    A3,
    ADDED,
    CHANGES,
    make_after,
    make_base,
    single_diff,
    without_counts,
)

from iamsim.analysis.world_diff import diff_worlds
from iamsim.cli.main import cli
from iamsim.ingest import load_inputs
from iamsim.report.world_diff import diff_sarif
from iamsim.scale.diff_tasks import org_diff
from iamsim.scale.runner import ProcessRunner, SerialRunner

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(BENCH))
    try:
        import gen_org
    finally:
        sys.path.remove(str(BENCH))
    generated = gen_org.write(tmp_path_factory.mktemp("gen"), accounts=4, roles=6, seed=11)
    return make_base(Path(generated), tmp_path_factory.mktemp("base") / "org")


@pytest.fixture(scope="module")
def after_of(base: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    made: dict[str, Path] = {}

    def make(change: str) -> Path:
        if change not in made:
            made[change] = make_after(base, tmp_path_factory.mktemp(change) / "org", change)
        return made[change]

    return make


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_tasks_answer_as_the_one_world_diff(
    base: Path, after_of: Callable[[str], Path], change: str
) -> None:
    after = after_of(change)
    merged = org_diff(base, after, SerialRunner())
    assert merged.left_out == []
    assert without_counts(merged.to_dict()) == single_diff(base, after)


def test_an_unchanged_account_gains_a_path_through_a_changed_one(
    base: Path, after_of: Callable[[str], Path]
) -> None:
    """A2's role that trusts A0 becomes an administrator: A0's folder is byte-identical, yet
    its assume-anything role gains escalation paths -- A0 is answered because its closure
    holds A2; A1 and A3, whose closures do not, are skipped unread."""
    after = after_of("loosen-trusted-role")
    merged = org_diff(base, after, SerialRunner())
    starts = {p.start for p in merged.diff.paths}
    assert f"arn:aws:iam::{A0}:role/app000-role-0004" in starts
    assert (merged.accounts, merged.changed, merged.answered, merged.skipped) == (4, 1, 2, 2)
    assert merged.diff.gains


def test_nothing_changed_loads_no_account(base: Path, after_of: Callable[[str], Path]) -> None:
    merged = org_diff(base, after_of("unchanged"), SerialRunner())
    assert (merged.changed, merged.answered, merged.skipped) == (0, 0, 4)
    assert merged.to_dict()["result"] == "NO_NEW_ACCESS"


def test_a_changed_tree_answers_every_account(base: Path, after_of: Callable[[str], Path]) -> None:
    merged = org_diff(base, after_of("loosen-scp"), SerialRunner())
    assert (merged.changed, merged.answered, merged.skipped) == (0, 4, 0)
    assert merged.to_dict()["summary"]["principals_gaining"] > 0  # us-west-2 is now allowed


def test_without_escalation_only_changed_accounts_are_read(
    base: Path, after_of: Callable[[str], Path]
) -> None:
    after = after_of("open-trust")
    merged = org_diff(base, after, SerialRunner(), escalation=False)
    assert (merged.changed, merged.answered, merged.skipped) == (1, 1, 3)
    assert without_counts(merged.to_dict()) == single_diff(base, after, escalation=False)
    assert [d.subject for d in merged.diff.documents if d.kind == "trust"] == [
        f"arn:aws:iam::{A1}:role/app000-role-0000"
    ]


def test_worker_processes_give_the_same_diff(base: Path, after_of: Callable[[str], Path]) -> None:
    after = after_of("add-account")
    runner = ProcessRunner(2)
    try:
        merged = org_diff(base, after, runner)
    finally:
        runner.close()
    assert without_counts(merged.to_dict()) == single_diff(base, after)
    assert any(p.principal == f"arn:aws:iam::{ADDED}:role/ops" for p in merged.diff.principals)


def test_sarif_is_the_one_world_sarif(base: Path, after_of: Callable[[str], Path]) -> None:
    after = after_of("remove-boundary")
    merged = org_diff(base, after, SerialRunner())
    b_world, a_world = load_inputs([base]), load_inputs([after])
    single = diff_worlds(b_world, a_world)
    assert diff_sarif(merged.diff, merged.sources) == diff_sarif(
        single, {**b_world.sources, **a_world.sources}
    )


def test_an_unreadable_account_is_left_out_and_the_others_answer(
    base: Path, tmp_path: Path
) -> None:
    after = make_after(base, tmp_path / "org", "loosen-trusted-role")
    (after / "accounts" / A3 / "gaad.json").write_text("{not json")
    merged = org_diff(base, after, SerialRunner())
    assert [item.account for item in merged.left_out] == [A3]
    assert str(after / "accounts" / A3) in merged.left_out[0].path
    assert "AFTER" in merged.left_out[0].error
    assert any(p.start.startswith(f"arn:aws:iam::{A2}:") for p in merged.diff.paths)


def test_cli_merges_and_reports_left_out_accounts(base: Path, tmp_path: Path) -> None:
    after = make_after(base, tmp_path / "org", "open-trust")
    runner = CliRunner()
    result = runner.invoke(
        cli, ["diff", "-i", str(base), "--against", str(after), "--workers", "1", "--json"]
    )
    assert result.exit_code == 1, result.output  # GAINS
    document = json.loads(result.stdout)
    assert document["accounts"] == 4
    assert document["accounts_left_out"] == []
    single = single_diff(base, after)
    assert {k: v for k, v in without_counts(document).items() if k != "schema_version"} == single

    (after / "accounts" / A2 / "gaad.json").write_text("[]")
    result = runner.invoke(
        cli, ["diff", "-i", str(base), "--against", str(after), "--workers", "1"]
    )
    assert result.exit_code == 2, result.output
    assert f"account left out: {A2}" in result.output
    assert "trust of arn:aws:iam::200000001001:role/app000-role-0000: widened" in result.output


def test_a_changed_file_outside_the_accounts_answers_every_account(
    base: Path, tmp_path: Path
) -> None:
    """A Terraform module or SCP file beside accounts/ may be read by any account: a
    difference there is a changed tree, even when the loaded organization is the same."""
    after = make_after(base, tmp_path / "org", "unchanged")
    (after / "modules").mkdir()
    (after / "modules" / "main.tf").write_text("# shared module\n")
    merged = org_diff(base, after, SerialRunner(), escalation=False)
    assert (merged.changed, merged.answered, merged.skipped) == (0, 4, 0)
    assert merged.to_dict()["result"] == "NO_NEW_ACCESS"
