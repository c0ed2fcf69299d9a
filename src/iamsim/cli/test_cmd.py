"""``iamsim test``: check files of expectations against the loaded inputs (IAM in CI).

The file format is documented in ``docs/expectations.md``; the library side is
:mod:`iamsim.checks.expectations`. Exit status: 0 when every case passed, 1 when an expectation did
not hold, 2 when an input or an expectations file is invalid or a case could not be evaluated
(an unknown principal or action, say) — 2 wins over 1.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from iamsim.checks.batch_gc import batch_collector
from iamsim.checks.expectations import (
    ExpectationFile,
    ExpectationRun,
    load_expectations,
    run_expectations,
)
from iamsim.cli._common import (
    EXIT_FAILED,
    EXIT_INVALID,
    EXIT_OK,
    echo_json,
    fail,
    input_notes,
    input_option,
    invalid_input_exits,
    load_world,
    now_option,
    parse_now,
)
from iamsim.cli.progress import ProgressCallback, progress_bar
from iamsim.model import World
from iamsim.report.expectations_text import render_run
from iamsim.report.inert import dumps, echo, inert
from iamsim.report.schemas import schema_version


@click.command("test")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@input_option(required=False)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "junit"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the report to FILE (a summary line still goes to standard output).",
)
@click.option("--quiet", "-q", is_flag=True, help="Text format: list only the cases that failed.")
@now_option()
def test_command(
    files: tuple[Path, ...],
    inputs: tuple[Path, ...],
    output_format: str,
    as_json: bool,
    output: Path | None,
    quiet: bool,
    now: str | None,
) -> None:
    """Check the expectations in FILES (YAML or JSON) against the inputs.

    Each expectation names principal(s), action(s) and resource(s), optionally a request
    context, and the decision expected (Allow, Deny, ExplicitDeny or ImplicitDeny); every
    combination is one case. The inputs are the --input paths plus those the file lists
    under "inputs" (relative to the file). See docs/expectations.md for the format.

    Exit status: 0 all passed, 1 an expectation failed, 2 invalid input or a case that could
    not be evaluated.

    \b
    Examples:
      iamsim test iam-expectations.yaml -i gaad.json -i org.yaml
      iamsim test expectations/*.yaml -i exports/ --format junit -o iam-junit.xml
      iamsim test guardrails.yaml --json --quiet
    """
    fmt = "json" if as_json else output_format
    machine = fmt == "json" and output is None
    with invalid_input_exits(as_json=machine):
        suites = [load_expectations(path) for path in files]
        moment = parse_now(now)
        with progress_bar("checking expectations", machine=fmt == "json", quiet=quiet) as bar:
            runs = _run_all(suites, inputs, moment, as_json=machine, progress=bar)
    if fmt == "json":
        from iamsim.report.json_report import test_run_to_json

        document: dict[str, object] = {
            "schema_version": schema_version("test-run"),
            "summary": _total(runs),
            "files": [test_run_to_json(run) for run in runs],
        }
        notes = input_notes()
        if notes:
            document["input_notes"] = notes
        if output is None:
            echo_json(document, "test-run")
        else:
            _write(output, dumps(document, indent=2) + "\n")
    elif fmt == "junit":
        from iamsim.report.junit import render_junit

        text = render_junit(runs)
        if output is None:
            echo(text, nl=False)
        else:
            _write(output, text)
    else:
        text = "\n\n".join(
            (f"== {run.source}\n" if len(runs) > 1 else "") + render_run(run, quiet=quiet)
            for run in runs
        )
        if output is None:
            echo(text)
        else:
            _write(output, inert(text, keep_newlines=True) + "\n")
    if output is not None:
        total = _total(runs)
        echo(
            f"{total['total']} cases: {total['passed']} passed, {total['failed']} failed, "
            f"{total['errors']} could not be evaluated; report written to {output}"
        )
    sys.exit(_status(runs))


def _run_all(
    suites: list[ExpectationFile],
    inputs: tuple[Path, ...],
    now: datetime | None,
    *,
    as_json: bool = False,
    progress: ProgressCallback | None = None,
) -> list[ExpectationRun]:
    worlds: dict[tuple[str, ...], World] = {}
    runs = []
    for suite in suites:
        paths = list(dict.fromkeys([*map(str, inputs), *map(str, suite.inputs)]))
        if not paths:
            fail(
                f"{suite.source}: no inputs: pass --input PATH or list them under 'inputs' in "
                "the file",
                as_json=as_json,
            )
        key = tuple(paths)
        if key not in worlds:
            worlds[key] = load_world(paths, as_json=as_json)
        # The loaded world is frozen out of the collector's view while the cases run.
        with batch_collector():
            runs.append(run_expectations(suite, worlds[key], now=now, progress=progress))
    return runs


def _total(runs: list[ExpectationRun]) -> dict[str, int]:
    total = {"total": 0, "passed": 0, "failed": 0, "errors": 0}
    for run in runs:
        for key, value in run.summary().items():
            total[key] += value
    return total


def _status(runs: list[ExpectationRun]) -> int:
    total = _total(runs)
    if total["errors"]:
        return EXIT_INVALID
    if total["failed"]:
        return EXIT_FAILED
    return EXIT_OK


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"{path}: cannot write: {exc.strerror or exc}")
