"""``iamsim eval``: evaluate scenario documents (a request plus the policies that apply).

Exit status: 0 when every scenario evaluated and every ``expect`` held, 1 when an expectation
failed, 2 when any input was invalid.

The run ends with a summary line (scenarios, decisions by kind, expectations met and failed):
the last line of the text report, or on standard error with ``--json``. It is not a JSON Lines
record because consumers of ``eval --json`` read standard output as one record per scenario
(``json.loads`` of a single scenario's output, ``all(... eval-record ...)`` over the lines): a
trailing record of another kind would break them, a line on standard error breaks no one.
``--quiet`` leaves it out.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import click

from iamsim.checks.inputs import read_texts
from iamsim.checks.scenarios import Scenario, ScenarioError, load_scenarios
from iamsim.cli._common import limit_option
from iamsim.cli.progress import ProgressCallback, progress_bar
from iamsim.engine.decision import evaluate
from iamsim.errors import InputError
from iamsim.report.inert import echo, echo_json_text
from iamsim.report.json_report import scenario_to_json
from iamsim.report.schemas import schema_version, versioned
from iamsim.report.text import render_decision

EXIT_OK, EXIT_EXPECTATION, EXIT_INVALID = 0, 1, 2


@click.command("eval")
@click.argument("files", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per scenario (JSON Lines).")
@click.option("--brief", is_flag=True, help="Only the verdict and decisive statements.")
@click.option("--quiet", "-q", is_flag=True, help="No summary line and no progress bar.")
@limit_option()
def eval_command(files: tuple[str, ...], as_json: bool, brief: bool, quiet: bool) -> None:
    """Evaluate scenario FILES (JSON or YAML; standard input when none).

    Exit status: 0 when every scenario was evaluated and every "expect" held, 1 when an
    expectation failed, 2 when a file or a scenario is invalid (2 wins over 1).

    \b
    Examples:
      iamsim eval examples/scenarios/lambda-first-bucket.yaml
      iamsim eval --json scenarios/*.yaml
      cat scenario.json | iamsim eval
    """
    with progress_bar("evaluating scenarios", machine=as_json, quiet=quiet) as progress:
        status, tally = _eval_all(files, as_json, brief, progress)
    if not quiet:
        echo(tally.line(), err=as_json)
    sys.exit(status)


def _eval_all(
    files: tuple[str, ...], as_json: bool, brief: bool, progress: ProgressCallback
) -> tuple[int, Tally]:
    """Evaluate and print every scenario of ``files`` in order; the exit status and the tally.

    ``progress`` hears (scenarios done, scenarios read so far) after each scenario."""
    status = EXIT_OK
    tally = Tally()
    done = total = 0
    for source, text in read_texts(files, kind="scenario file"):
        if isinstance(text, InputError):
            _emit_error(as_json, None, text)
            tally.errors += 1
            status = EXIT_INVALID
            continue
        try:
            scenarios = load_scenarios(text, source)
        except InputError as exc:
            _emit_error(as_json, None, exc)
            tally.errors += 1
            status = EXIT_INVALID
            continue
        except RecursionError:
            _emit_error(
                as_json, None, InputError("the document is nested too deeply", source=source)
            )
            tally.errors += 1
            status = EXIT_INVALID
            continue
        total += len(scenarios)
        for item in scenarios:
            done += 1
            progress(done, total)
            if isinstance(item, ScenarioError):
                _emit_error(as_json, item.name, item.error)
                tally.errors += 1
                status = EXIT_INVALID
                continue
            if not _run(item, as_json, brief, tally) and status == EXIT_OK:
                status = EXIT_EXPECTATION
    return status, tally


@dataclass
class Tally:
    """What a run of ``eval`` did, for its closing summary line."""

    decisions: Counter[str] = field(default_factory=Counter)
    met: int = 0
    failed: int = 0
    errors: int = 0

    def add(self, decision: str, met: bool | None) -> None:
        self.decisions[decision] += 1
        if met is True:
            self.met += 1
        elif met is False:
            self.failed += 1

    def line(self) -> str:
        """E.g. ``12 scenarios: 7 Allow, 3 ExplicitDeny, 2 ImplicitDeny; expectations 11 met,
        1 failed`` (kinds in order of first appearance; ``; N invalid`` when some were)."""
        count = sum(self.decisions.values())
        text = f"{count} scenario{'' if count == 1 else 's'}"
        if self.decisions:
            text += ": " + ", ".join(f"{n} {kind}" for kind, n in self.decisions.items())
        text += f"; expectations {self.met} met, {self.failed} failed"
        if self.errors:
            text += f"; {self.errors} invalid"
        return text


def _run(scenario: Scenario, as_json: bool, brief: bool, tally: Tally) -> bool:
    if scenario.discover is not None:
        return _run_discover(scenario, as_json, tally)
    decision = evaluate(scenario.request, scenario.policies, explain=True)
    met = scenario.expectation_met(decision.value.value)
    tally.add(decision.value.value, met)
    if as_json:
        echo_json_text(json.dumps(scenario_to_json(scenario, decision), sort_keys=False))
    else:
        header = f"== {scenario.name}"
        if met is not None:
            header += f"  [expect {scenario.expect}: {'ok' if met else 'FAILED'}]"
        echo(header)
        echo(render_decision(decision, verbose=not brief))
        for note in scenario.notes:
            echo(f"  assumed: {note}")
        echo()
    return met is not False


def _run_discover(scenario: Scenario, as_json: bool, tally: Tally) -> bool:
    """A scenario in discover mode: the three-valued decision over its unknown keys."""
    from iamsim.analysis.symbolic import discover
    from iamsim.cli.discover_opts import render

    assert scenario.discover is not None
    all_unknown, statuses = scenario.discover
    found = discover(
        scenario.request, scenario.policies, statuses=statuses, all_unknown=all_unknown
    )
    met = scenario.expectation_met(found.decision)
    tally.add(found.decision, met)
    if as_json:
        record: dict[str, Any] = {
            "schema_version": schema_version("eval-record"),
            "name": scenario.name,
            **found.to_dict(),
        }
        if scenario.expect is not None:
            record["expect"] = scenario.expect
            record["expectation_met"] = met
        echo_json_text(json.dumps(record, sort_keys=False))
    else:
        header = f"== {scenario.name}"
        if met is not None:
            header += f"  [expect {scenario.expect}: {'ok' if met else 'FAILED'}]"
        echo(header)
        echo(render(found, scenario.request))
        echo()
    return met is not False


def _emit_error(as_json: bool, name: str | None, error: InputError) -> None:
    """One error: a JSON object on standard output with --json (the stream stays JSON Lines),
    else a line on standard error."""
    if as_json:
        echo_json_text(
            json.dumps(versioned("eval-error", {"name": name, "error": error.describe()}))
        )
    else:
        echo(f"error: {error.describe()}", err=True)
