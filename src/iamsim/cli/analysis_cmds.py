"""The analysis sub-commands: ``iamsim permissions`` and ``iamsim who-can``.

Thin wrappers: load the inputs, call :mod:`iamsim.analysis`, print with
:mod:`iamsim.report.permissions`. Exit statuses as in :mod:`iamsim.cli._common` (2 for invalid
input, never a traceback).
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from iamsim.analysis.effective import EffectiveAnalyzer
from iamsim.analysis.synthesize import synthesize
from iamsim.analysis.who_can import WhoCan, expand_actions
from iamsim.cli._common import (
    context_option,
    echo_json,
    input_option,
    invalid_input_exits,
    json_option,
    load_world,
    parse_context,
)
from iamsim.report.permissions import (
    permissions_renderables,
    permissions_to_dict,
    who_can_renderables,
)


@click.command("permissions")
@click.argument("principal")
@input_option()
@json_option("Print the result as JSON (every granted action with its grants and removals).")
@click.option(
    "--policy",
    "as_policy",
    is_flag=True,
    help="Print one IAM policy document equivalent to the effective permissions.",
)
@click.option(
    "--compare-boundary",
    is_flag=True,
    help="Show side by side what the identity policies grant and what the boundary lets through.",
)
@click.option("--service", metavar="PREFIX", help="Only the actions of one service (e.g. s3).")
def permissions_command(
    principal: str,
    inputs: tuple[Path, ...],
    as_json: bool,
    as_policy: bool,
    compare_boundary: bool,
    service: str | None,
) -> None:
    """Everything PRINCIPAL can do: every action of the service reference it is granted, on
    which resources, under which conditions, and what the boundary, session policy, SCPs, RCPs
    and explicit denies removed.

    \b
    Examples:
      iamsim permissions alice -i gaad.json -i org.yaml
      iamsim permissions role/app -i gaad.json --service s3 --compare-boundary
      iamsim permissions alice -i gaad.json --policy > effective.json
    """
    with invalid_input_exits(as_json=as_json):
        world = load_world(inputs)
        analyzer = EffectiveAnalyzer(world)
        if service is not None and not analyzer.builder.catalog.service_exists(service):
            raise click.BadParameter(f"unknown service prefix {service!r}", param_hint="--service")
        result = analyzer.permissions(principal, service=service, compare_boundary=compare_boundary)
        made = synthesize(result) if (as_policy or as_json) else None
    if as_policy and made is not None:
        if as_json:
            echo_json({"policy": made.document, "approximations": made.approximations})
        else:
            click.echo(made.to_json())
            for note in made.approximations:
                click.echo(f"approximation: {note}", err=True)
        return
    if as_json:
        echo_json(permissions_to_dict(result, policy=made.document if made is not None else None))
        return
    console = Console(width=max(Console().width, 140))
    for renderable in permissions_renderables(result, compare_boundary=compare_boundary):
        console.print(renderable)


@click.command("who-can")
@click.argument("action")
@click.argument("resource")
@input_option()
@json_option("Print the result as JSON.")
@context_option()
@click.option(
    "--show-blocked",
    is_flag=True,
    help="Also list principals some policy grants but a guardrail or a Deny stops.",
)
def who_can_command(
    action: str,
    resource: str,
    inputs: tuple[Path, ...],
    as_json: bool,
    context: tuple[str, ...],
    show_blocked: bool,
) -> None:
    """Every principal that can perform ACTION on RESOURCE, across the loaded accounts.

    ACTION may be a comma-separated list and may use wildcards (s3:Get*), expanded with the
    service reference. RESOURCE is an ARN (or "*" for actions without resource-level
    permissions). Roles are answered as "any session of the role"; principals named by the
    resource's policy outside the loaded accounts are answered assuming their own policies
    allow, and say so.

    \b
    Examples:
      iamsim who-can s3:GetObject arn:aws:s3:::data-bucket/report.csv -i gaad.json -i res.yaml
      iamsim who-can 'iam:Attach*Policy,iam:Put*Policy' arn:aws:iam::111122223333:role/x -i gaad.json
    """
    with invalid_input_exits(as_json=as_json):
        world = load_world(inputs)
        analyzer = WhoCan(world)
        actions = expand_actions([action], analyzer.builder.catalog)
        result = analyzer.who_can(actions, resource, context=parse_context(context) or None)
    if as_json:
        echo_json(result.to_dict())
        return
    console = Console(width=max(Console().width, 140))
    for renderable in who_can_renderables(result):
        console.print(renderable)
    if show_blocked and result.blocked:
        console.print("Granted somewhere but stopped:")
        for item in result.blocked:
            by = item.blocked_by or item.decision
            console.print(f"  {item.principal} {item.action}: {by} — {item.reason}")
