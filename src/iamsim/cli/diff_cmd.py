"""``iamsim diff -i BEFORE... --against AFTER...``: what a change to the inputs grants or takes
away (:mod:`iamsim.analysis.world_diff`).

Exit status: 0 when nothing is gained, 1 when some access, trust, resource-policy grant,
boundary loosening or escalation path is gained (or a principal could not be decided), 2 on
invalid input.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from iamsim.cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    echo_json,
    input_option,
    invalid_input_exits,
    json_option,
    load_world,
)
from iamsim.cli.output_formats import emit_sarif, format_option, resolve_format
from iamsim.report.inert import echo


@click.command("diff")
@input_option()
@click.option(
    "--against",
    "against",
    multiple=True,
    required=True,
    type=click.Path(exists=True, dir_okay=True, path_type=Path),
    help="The inputs of the world after the change (repeatable, as --input).",
)
@click.option(
    "--no-escalation",
    is_flag=True,
    help="Skip the escalation-path comparison (the slowest part on large worlds).",
)
@json_option("Print the diff as JSON (docs/json.md, kind world-diff).")
@format_option("sarif")
def diff_command(
    inputs: tuple[Path, ...],
    against: tuple[Path, ...],
    no_escalation: bool,
    as_json: bool,
    fmt: str,
) -> None:
    """The access a change grants or removes: BEFORE (--input) against AFTER (--against).

    For every user and role (matched by ARN): the identity-based requests it gains or loses,
    with the conditions under which, each replayed through the engine; roles whose trust
    policy lets in new callers; resource policies that allow more; boundaries removed or
    widened; new escalation paths. The loading options (--var, --param, --account,
    --allow-read, --limit, ...) apply to both worlds.

    Exit status: 0 nothing gained, 1 something gained, 2 invalid input.

    \b
    Examples:
      iamsim diff -i main/infra --against branch/infra
      iamsim diff -i before.json --against after.json --format sarif > diff.sarif
    """
    from iamsim.analysis.world_diff import diff_worlds  # lazy: start-up time

    fmt = resolve_format(fmt, as_json)
    as_json = fmt == "json"
    with invalid_input_exits(as_json=as_json):
        before = load_world(inputs, as_json=as_json or fmt == "sarif")
        after = load_world(against, as_json=as_json or fmt == "sarif")
        result = diff_worlds(before, after, escalation=not no_escalation)
    if as_json:
        echo_json(result.to_dict(), "world-diff")
    elif fmt == "sarif":
        from iamsim.report.world_diff import diff_sarif

        emit_sarif(diff_sarif(result, {**before.sources, **after.sources}))
    else:
        from iamsim.report.world_diff import render_diff

        echo(render_diff(result))
    sys.exit(EXIT_FAILED if result.gains else EXIT_OK)
