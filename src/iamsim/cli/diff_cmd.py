"""``iamsim diff -i BEFORE... --against AFTER...``: what a change to the inputs grants or takes
away (:mod:`iamsim.analysis.world_diff`). Two organization folders are compared account by
account (:mod:`iamsim.scale.diff_tasks`, on the runner ``--workers`` / ``--ray`` choose).

Exit status: 0 when nothing is gained, 1 when some access, trust, resource-policy grant,
boundary loosening or escalation path is gained (or a principal could not be decided), 2 on
invalid input (also after the output, when accounts of organization folders were left out).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from iamsim.cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    allowed_reads,
    echo_json,
    input_option,
    invalid_input_exits,
    json_option,
    load_world,
    report_input_notes,
)
from iamsim.cli.output_formats import emit_sarif, format_option, resolve_format
from iamsim.cli.progress import progress_bar
from iamsim.cli.scale_opts import org_folder_input, report_left_out, scale_options
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
@scale_options()
def diff_command(
    inputs: tuple[Path, ...],
    against: tuple[Path, ...],
    no_escalation: bool,
    as_json: bool,
    fmt: str,
    workers: int | None,
    ray: str | None,
) -> None:
    """The access a change grants or removes: BEFORE (--input) against AFTER (--against).

    For every user and role (matched by ARN): the identity-based requests it gains or loses,
    with the conditions under which, each replayed through the engine; roles whose trust
    policy lets in new callers; resource policies that allow more; boundaries removed or
    widened; new escalation paths. The loading options (--var, --param, --account,
    --allow-read, --limit, ...) apply to both worlds.

    Two organization folders (-i ORG_A --against ORG_B) are compared account by account
    (matched by ID), on worker processes (--workers N) or Ray (--ray): accounts whose
    folder, reachable accounts and organization tree are unchanged are skipped without
    loading; an account that cannot be read is listed as left out (exit status 2).

    Exit status: 0 nothing gained, 1 something gained, 2 invalid input.

    \b
    Examples:
      iamsim diff -i main/infra --against branch/infra
      iamsim diff -i before.json --against after.json --format sarif > diff.sarif
      iamsim diff -i org-main --against org-branch --workers 4 --json
    """
    from iamsim.analysis.world_diff import diff_worlds  # lazy: start-up time

    fmt = resolve_format(fmt, as_json)
    as_json = fmt == "json"
    with invalid_input_exits(as_json=as_json):
        org_before = org_folder_input(inputs, workers=workers, ray=ray)
        org_after = org_folder_input(against, workers=workers, ray=ray)
    if org_before is not None and org_after is not None:
        _org_diff(org_before, org_after, no_escalation, fmt, workers=workers, ray=ray)
        return
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


def _org_diff(
    before: Path,
    after: Path,
    no_escalation: bool,
    fmt: str,
    *,
    workers: int | None,
    ray: str | None,
) -> None:
    """Two organization folders: per-account tasks (iamsim.scale.diff_tasks), merged into
    the one-World output; the accounts left out after it (exit 2)."""
    from iamsim import limits as limits_module
    from iamsim.scale.diff_tasks import org_diff
    from iamsim.scale.runner import runner_for

    as_json = fmt == "json"
    machine = fmt != "text"
    with invalid_input_exits(as_json=as_json):
        runner = runner_for(workers, ray)
        try:
            with progress_bar("diff: accounts", machine=machine) as progress:
                org = org_diff(
                    before,
                    after,
                    runner,
                    escalation=not no_escalation,
                    allow_read=tuple(str(p) for p in allowed_reads()),
                    limits=limits_module.current(),
                    progress=progress,
                )
        finally:
            runner.close()
        report_input_notes(org.input_notes, as_json=machine)
    if as_json:
        echo_json(org.to_dict(), "world-diff")
    elif fmt == "sarif":
        from iamsim.report.world_diff import diff_sarif

        emit_sarif(diff_sarif(org.diff, org.sources))
    else:
        from iamsim.report.world_diff import render_diff

        echo(render_diff(org.diff))
        echo("")
        echo(org.counts_line())
    report_left_out(org.left_out, machine=machine)
    sys.exit(EXIT_FAILED if org.diff.gains else EXIT_OK)
