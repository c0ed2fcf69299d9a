"""Progress of the analysis commands: loading and the analyses draw bars on a terminal's
standard error; off a terminal, under --json and under --quiet nothing is drawn, and --quiet
also silences the notes on standard error."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from iamsim.analysis.effective import EffectiveAnalyzer
from iamsim.cli import progress as progress_module
from iamsim.cli.main import cli
from iamsim.ingest import load_inputs

WORLD = Path(__file__).parent / "data" / "world"
DATA = Path(__file__).parents[1] / "analysis" / "data"
ORG_INPUTS = ["-i", str(DATA / "gaad.yaml"), "-i", str(DATA / "org.yaml")]
WORLD_INPUTS = [arg for path in sorted(WORLD.iterdir()) for arg in ("-i", str(path))]

COMMANDS = [
    ["who-can", "s3:GetObject", "arn:aws:s3:::first-bucket/x", *WORLD_INPUTS],
    ["escalation", *WORLD_INPUTS],
    ["permissions", "admin", *ORG_INPUTS],
    ["audit", "boundaries", *ORG_INPUTS],
]


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard error counts as a terminal (CliRunner's is a buffer)."""

    def shows(*, machine: bool = False, quiet: bool = False, stream: object = None) -> bool:
        return not (machine or quiet)

    monkeypatch.setattr(progress_module, "shows_progress", shows)


def test_loading_reports_each_input() -> None:
    seen: list[tuple[int, int]] = []
    paths = sorted(WORLD.iterdir())
    load_inputs(paths, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(done, len(paths)) for done in range(len(paths) + 1)]


def test_permissions_report_every_action_group() -> None:
    world = load_inputs([DATA / "gaad.yaml", DATA / "org.yaml"])
    seen: list[tuple[int, int]] = []
    result = EffectiveAnalyzer(world).permissions(
        "admin", progress=lambda d, t: seen.append((d, t))
    )
    total = seen[-1][1]
    assert len(result) > 0 and total > 0
    assert seen == [(done, total) for done in range(total + 1)]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
def test_no_bar_when_standard_error_is_not_a_terminal(args: list[str]) -> None:
    result = CliRunner().invoke(cli, [*args, "--quiet"])
    assert result.exit_code in (0, 1), result.output
    assert result.stderr == ""
    plain = CliRunner().invoke(cli, args)
    assert plain.exit_code == result.exit_code
    assert "━" not in plain.stderr and "loading inputs" not in plain.stderr
    assert plain.stdout == result.stdout  # --quiet changes nothing on standard output


@pytest.mark.usefixtures("terminal")
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
def test_bars_on_a_terminal_and_none_with_quiet_or_json(args: list[str]) -> None:
    shown = CliRunner().invoke(cli, args)
    assert shown.exit_code in (0, 1), shown.output
    assert "loading inputs" in shown.stderr
    for flags in (["--quiet"], ["-q"], ["--json"]):
        silent = CliRunner().invoke(cli, [*args, *flags])
        assert silent.exit_code == shown.exit_code, silent.output
        assert silent.stderr == "", flags


@pytest.mark.usefixtures("terminal")
def test_permissions_and_who_can_draw_their_own_bar() -> None:
    shown = CliRunner().invoke(cli, ["permissions", "admin", *ORG_INPUTS])
    assert "permissions: action groups" in shown.stderr
    shown = CliRunner().invoke(cli, COMMANDS[0])
    assert "who-can: principals" in shown.stderr


def test_quiet_silences_input_notes(tmp_path: Path) -> None:
    # A Terraform configuration without a known account: the loader notes the placeholder.
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_user" "dev" {\n  name = "dev"\n}\n', encoding="utf-8"
    )
    args = ["permissions", "dev", "-i", str(tmp_path)]
    noisy = CliRunner().invoke(cli, args)
    assert noisy.exit_code == 0, noisy.output
    assert "note:" in noisy.stderr
    quiet = CliRunner().invoke(cli, [*args, "--quiet"])
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stderr == ""
    assert quiet.stdout == noisy.stdout


def test_progress_module_draws_nothing_off_a_terminal() -> None:
    stream = io.StringIO()
    with progress_module.progress_bar("loading inputs", stream=stream) as advance:
        advance(1, 1)
    assert stream.getvalue() == ""
