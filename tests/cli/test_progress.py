"""``iamsim.cli.progress``: a bar on a terminal's standard error, silence everywhere else."""

from __future__ import annotations

import io
from pathlib import Path

from click.testing import CliRunner

from iamsim.analysis.escalation import analyze_escalation
from iamsim.analysis.who_can import WhoCan
from iamsim.checks.expectations import load_expectations, run_expectations
from iamsim.cli.main import cli
from iamsim.cli.progress import progress_bar, shows_progress
from iamsim.ingest import load_inputs

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "examples" / "organization" / "model"
EXPECTATIONS = ROOT / "examples" / "organization" / "iam-expectations.yaml"
SCENARIOS = ROOT / "src" / "iamsim" / "examples" / "scenarios"


class FakeTerminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_bar_is_drawn_on_a_terminal_with_an_inert_label() -> None:
    stream = FakeTerminal()
    with progress_bar("[red]evil\x1b[31m label", stream=stream) as advance:
        for done in range(1, 4):
            advance(done, 3)
    drawn = stream.getvalue()
    assert "3/3" in drawn
    # Markup stays literal and the escape byte of the label is shown, not sent.
    assert "[red]evil" in drawn
    assert "\x1b[31m label" not in drawn
    assert "\\x1b" in drawn or "\\u001b" in drawn or "\\e" in drawn


def test_no_bar_off_a_terminal_or_under_json_or_quiet() -> None:
    assert shows_progress(stream=FakeTerminal())
    assert not shows_progress(stream=io.StringIO())
    assert not shows_progress(machine=True, stream=FakeTerminal())
    assert not shows_progress(quiet=True, stream=FakeTerminal())
    for stream, machine, quiet in (
        (io.StringIO(), False, False),
        (FakeTerminal(), True, False),
        (FakeTerminal(), False, True),
    ):
        with progress_bar("work", machine=machine, quiet=quiet, stream=stream) as advance:
            advance(1, 2)
            advance(2, 2)
        assert stream.getvalue() == ""


def test_expectations_report_each_case_done() -> None:
    seen: list[tuple[int, int]] = []
    world = load_inputs([MODEL])
    run = run_expectations(
        load_expectations(EXPECTATIONS), world, progress=lambda d, t: seen.append((d, t))
    )
    total = len(run.results)
    assert total > 1
    assert seen == [(done, total) for done in range(1, total + 1)]


def test_commands_print_no_bar_when_standard_error_is_not_a_terminal() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["test", str(EXPECTATIONS), "-i", str(MODEL)])
    assert result.exit_code in (0, 1), result.output
    assert result.stderr == ""
    files = sorted(str(p) for p in SCENARIOS.glob("*.yaml"))
    result = runner.invoke(cli, ["eval", *files])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


WORLD = Path(__file__).parent / "data" / "world"


def test_who_can_reports_every_candidate_and_prints_no_bar_off_a_terminal() -> None:
    paths = sorted(WORLD.iterdir())
    world = load_inputs(paths)
    seen: list[tuple[int, int]] = []
    WhoCan(world).who_can(
        ["s3:GetObject"], "arn:aws:s3:::first-bucket/x", progress=lambda d, t: seen.append((d, t))
    )
    total = seen[-1][1]
    assert total > 0 and seen[-1] == (total, total)
    assert [d for d, _ in seen] == list(range(total + 1))
    args = [arg for path in paths for arg in ("-i", str(path))]
    result = CliRunner().invoke(
        cli, ["who-can", "s3:GetObject", "arn:aws:s3:::first-bucket/x", *args]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_escalation_reports_every_starting_principal() -> None:
    world = load_inputs(sorted(WORLD.iterdir()))
    seen: list[tuple[int, int]] = []
    report = analyze_escalation(world, progress=lambda d, t: seen.append((d, t)))
    total = len(report.results)
    assert total > 0
    assert seen == [(done, total) for done in range(1, total + 1)]
    args = [arg for path in sorted(WORLD.iterdir()) for arg in ("-i", str(path))]
    result = CliRunner().invoke(cli, ["escalation", *args])
    assert result.exit_code in (0, 1), result.output
    assert result.stderr == ""
