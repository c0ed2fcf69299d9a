"""``iamsim validate``: grammar, service-reference and quota checks of policies and inputs.

The checks live in :mod:`iamsim.checks.validation`. Exit status: 0 when no finding reaches
``--fail-on`` (errors by default), 1 when one does, 2 when a path is not a policy, a scenario
file or a recognised input, or when the paths hold no policy at all (nothing was checked).
A folder of policy documents stands for its JSON and YAML files, each checked as if named.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from iamsim.checks.validation import SEVERITIES, validate_paths
from iamsim.cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    allowed_reads,
    echo_json,
    fail,
    iac_options,
    invalid_input_exits,
    json_option,
    read_options,
)
from iamsim.cli.output_formats import emit_sarif, format_option, resolve_format
from iamsim.policy.model import PolicyType
from iamsim.policy.quotas import QuotaKind
from iamsim.report.inert import echo


@click.command("validate")
@click.argument(
    "paths",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=True, path_type=Path),
    metavar="POLICY_OR_INPUT...",
)
@click.option(
    "--type",
    "policy_type",
    type=click.Choice([t.value for t in PolicyType]),
    help=(
        "The type of the policy documents given (default: inferred — Principal makes it a "
        "resource or, with only sts:AssumeRole* actions, a trust policy; else identity)."
    ),
)
@click.option(
    "--quota",
    type=click.Choice([q.value for q in QuotaKind]),
    help=(
        "The size quota to check policy documents against (default: the type's own; identity "
        "documents: error above the largest identity quota, warning above the managed one)."
    ),
)
@click.option(
    "--fail-on",
    type=click.Choice(list(SEVERITIES)),
    default="error",
    show_default=True,
    help="Exit 1 when a finding of this severity or worse is found.",
)
@json_option("Print the findings as JSON.")
@format_option("sarif")
@read_options()
def validate_command(
    paths: tuple[Path, ...],
    policy_type: str | None,
    quota: str | None,
    fail_on: str,
    as_json: bool,
    fmt: str,
) -> None:
    """Check policy documents, scenario files and inputs for mistakes before AWS sees them.

    Each POLICY_OR_INPUT is a policy document (JSON), an "iamsim eval" scenario file, or an
    input such as a get-account-authorization-details export, an organization file or a
    resources file (every policy in it is checked with its known type).

    \b
    Findings, each with severity, code, file and JSON path:
      - grammar errors for the policy type (Principal in an identity policy, missing
        Resource, invalid ARNs, ...) and lint warnings;
      - unknown services and actions, with the closest real ones;
      - actions whose resource types none of the statement's resources can be;
      - condition keys unknown, or never supplied for the statement's actions;
      - size quotas of the policy type (and of a user's, group's or role's inline policies);
      - more than one permissions boundary for a principal; boundaries, managed policies
        and groups that are referenced but missing.

    A folder is read as one input when a format reads it whole (a Terraform configuration)
    or all its JSON and YAML files are inputs; otherwise each of those files is checked as if
    named (a folder of policy documents).

    Exit status: 0 no finding at --fail-on or worse, 1 otherwise, 2 invalid input or
    no policy at all in the paths.

    \b
    Examples:
      iamsim validate policy.json
      iamsim validate --type scp scps/*.json
      iamsim validate bucket-policy.json --type resource --json
      iamsim validate gaad.json org.yaml resources.yaml --fail-on warning
      iamsim validate policies/*.json --format sarif > iamsim.sarif
      iamsim validate policies/
    """
    fmt = resolve_format(fmt, as_json)
    as_json = fmt == "json"
    with invalid_input_exits(as_json=as_json):
        report = validate_paths(
            paths,
            policy_type=policy_type,
            quota_kind=quota,
            allow_read=allowed_reads(),
            options=iac_options(),
        )
    if report.checked_nothing:
        # An "ok" here would say the policies are fine when there were none to look at.
        read_as = "; ".join(f"{t.file}: {t.description}" for t in report.targets)
        fail(
            f"the inputs hold no policy, so nothing was checked ({read_as}); give policy "
            "documents or inputs that define policies",
            as_json=as_json,
        )
    if as_json:
        from iamsim.report.json_report import validation_to_json

        echo_json(validation_to_json(report), "validation")
    elif fmt == "sarif":
        from iamsim.report.sarif import validation_sarif  # lazy: start-up time

        emit_sarif(validation_sarif(report))
    else:
        from iamsim.report.validation_text import render_validation

        echo(render_validation(report))
    threshold = next(s for s in SEVERITIES if s == fail_on)
    sys.exit(EXIT_FAILED if report.fails(threshold) else EXIT_OK)
