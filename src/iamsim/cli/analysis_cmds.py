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
@context_option()
@click.option(
    "--details/--no-details",
    default=None,
    help="Per-service tables of actions, resources and conditions "
    "(default: when at most 25 services are granted).",
)
def permissions_command(
    principal: str,
    inputs: tuple[Path, ...],
    as_json: bool,
    as_policy: bool,
    compare_boundary: bool,
    service: str | None,
    context: tuple[str, ...],
    details: bool | None,
) -> None:
    """Everything PRINCIPAL can do: every action of the service reference it is granted, on
    which resources, under which conditions, and what the boundary, session policy, SCPs, RCPs
    and explicit denies removed. Conditions on keys given with --context are decided (an SCP
    on aws:RequestedRegion, say); the others are shown as the conditions of a grant.

    \b
    Examples:
      iamsim permissions alice -i gaad.json -i org.yaml
      iamsim permissions role/app -i gaad.json -i org.yaml -c aws:RequestedRegion=eu-west-1
      iamsim permissions role/app -i gaad.json --service s3 --compare-boundary
      iamsim permissions alice -i gaad.json --policy > effective.json
    """
    with invalid_input_exits(as_json=as_json):
        world = load_world(inputs)
        analyzer = EffectiveAnalyzer(world)
        if service is not None and not analyzer.builder.catalog.service_exists(service):
            raise click.BadParameter(f"unknown service prefix {service!r}", param_hint="--service")
        result = analyzer.permissions(
            principal,
            service=service,
            compare_boundary=compare_boundary,
            context=parse_context(context) or None,
        )
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
    for renderable in permissions_renderables(
        result, compare_boundary=compare_boundary, details=details
    ):
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


# -- escalation and boundary audit (iamsim escalation, iamsim audit boundaries) ---------------

from iamsim.cli._common import F  # noqa: E402 - this section's own import


def _runs_as(items: tuple[str, ...]) -> dict[str, str]:
    """``--runs-as RESOURCE=ROLE`` items (a Lambda function, instance, project... and the ARN
    of the role it runs as)."""
    from iamsim.errors import InputError

    out: dict[str, str] = {}
    for item in items:
        resource, sep, role = item.partition("=")
        if not sep or not resource.strip().startswith("arn:") or ":role/" not in role:
            raise InputError(f"--runs-as {item!r}: expected RESOURCE_ARN=ROLE_ARN")
        out[resource.strip()] = role.strip()
    return out


def _escalation_options(function: F) -> F:
    """Options shared by ``escalation`` and ``audit boundaries``."""
    for option in reversed(
        (
            input_option(),
            json_option("Print the result as JSON."),
            context_option(),
            click.option(
                "--region",
                default="us-east-1",
                show_default=True,
                help="Region of the requests (IAM and other global services use us-east-1).",
            ),
            click.option(
                "--runs-as",
                "runs_as",
                multiple=True,
                metavar="RESOURCE=ROLE",
                help=(
                    "A resource that runs code as a role (Lambda function, EC2 instance, CodeBuild "
                    "project, CloudFormation stack...), for code-injection techniques (repeatable)."
                ),
            ),
            click.option(
                "--max-paths",
                type=click.IntRange(min=0),
                default=5,
                show_default=True,
                help=(
                    "Paths per principal; the search stops once that many of the shortest are "
                    "found. 0: every path (one per final technique and principal reached; can "
                    "take minutes on large, densely connected accounts)."
                ),
            ),
            click.option(
                "--fail",
                is_flag=True,
                help="Exit with status 1 when a path (or a counterexample) is found.",
            ),
        )
    ):
        function = option(function)
    return function


@click.command("escalation")
@_escalation_options
@click.option(
    "--from",
    "start",
    metavar="PRINCIPAL",
    help="The starting principal (user or role, ARN or name); default: every user and role.",
)
@click.option(
    "--to",
    "to",
    default="admin",
    show_default=True,
    metavar="admin|ARN",
    help="The goal: an administrator, or a resource ARN any of whose actions counts.",
)
@click.option(
    "--action",
    "actions",
    multiple=True,
    metavar="ACTION",
    help="With --to ARN: the actions that count (repeatable; default: every non-List action).",
)
@click.option(
    "--technique",
    "techniques",
    multiple=True,
    metavar="ID",
    help="Only these techniques of the catalogue (repeatable; see --list-techniques).",
)
@click.option("--list-techniques", is_flag=True, help="Print the technique catalogue and exit.")
@click.option(
    "--show-contained", is_flag=True, help="Also list the principals with no path (text output)."
)
def escalation_command(
    inputs: tuple[Path, ...],
    as_json: bool,
    context: tuple[str, ...],
    region: str,
    runs_as: tuple[str, ...],
    max_paths: int,
    fail: bool,
    start: str | None,
    to: str,
    actions: tuple[str, ...],
    techniques: tuple[str, ...],
    list_techniques: bool,
    show_contained: bool,
) -> None:
    """Privilege escalation paths: who is an administrator, and every way from a principal
    (or from every user and role) to an administrator or to a resource.

    Each step is a technique of the catalogue (policy editing, boundary removal, new users and
    roles, credentials, trust changes, sts:AssumeRole, iam:PassRole to services that run code,
    code injection), decided by the engine against the actual policies, conditions and
    resources, with the statements that allow it and what would break it.

    \b
    Examples:
      iamsim escalation -i gaad.json -i org.yaml
      iamsim escalation -i gaad.json --from user/dev --json
      iamsim escalation -i gaad.json -i res.yaml --to arn:aws:s3:::payroll/* --action s3:GetObject
    """
    import sys

    from iamsim.analysis.admin import admin_report
    from iamsim.analysis.escalation import EscalationGraph, analyze_escalation
    from iamsim.analysis.techniques import Oracle, load_catalogue
    from iamsim.errors import InputError
    from iamsim.report.escalation import escalation_json, render_escalation, render_verdict

    with invalid_input_exits(as_json=as_json):
        catalogue = load_catalogue()
        if techniques:
            try:
                catalogue = catalogue.only(techniques)
            except KeyError as exc:
                raise InputError(f"--technique: unknown technique(s) {exc.args[0]}") from None
        if list_techniques:
            if as_json:
                echo_json({"techniques": [t.to_dict() for t in catalogue.techniques]})
            else:
                for t in catalogue.techniques:
                    click.echo(f"{t.id:48} {t.category:16} {t.name}")
            return
        world = load_world(inputs)
        oracle = Oracle(world, region=region, context=parse_context(context) or None)
        graph = EscalationGraph(
            world, oracle=oracle, catalogue=catalogue, runs_as=_runs_as(runs_as)
        )
        report = analyze_escalation(
            world,
            start=start,
            to=to,
            actions=actions or None,
            max_paths=max_paths or None,
            graph=graph,
        )
        principals = [graph.actors[r.start] for r in report.results]
        verdicts = admin_report(world, oracle=oracle, catalogue=catalogue, principals=principals)
    if as_json:
        echo_json(escalation_json(report, verdicts))
    else:
        text = render_escalation(report, verdicts, show_contained=show_contained)
        click.echo(text)
        if start is not None and verdicts:
            click.echo()
            click.echo("\n".join(render_verdict(verdicts[0])))
    if fail and any(r.status == "escalates" for r in report.results):
        sys.exit(1)


@click.group("audit")
def audit_command() -> None:
    """Audits over the loaded inputs (``audit boundaries``)."""


@audit_command.command("boundaries")
@_escalation_options
@click.option(
    "--prefix",
    "prefixes",
    multiple=True,
    metavar="PREFIX",
    help="An application's name prefix (first-): check isolation between applications.",
)
@click.option(
    "--tag",
    "tags",
    multiple=True,
    metavar="KEY",
    help="A tag key whose values name applications: check isolation between them.",
)
@click.option(
    "--principal",
    "principals",
    multiple=True,
    metavar="PRINCIPAL",
    help="Audit only these principals (repeatable; default: every subject).",
)
@click.option(
    "--hops",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Isolation: also through principals reachable in this many become steps (0: direct).",
)
def audit_boundaries_command(
    inputs: tuple[Path, ...],
    as_json: bool,
    context: tuple[str, ...],
    region: str,
    runs_as: tuple[str, ...],
    max_paths: int,
    fail: bool,
    prefixes: tuple[str, ...],
    tags: tuple[str, ...],
    principals: tuple[str, ...],
    hops: int,
) -> None:
    """Prove that permissions boundaries hold, or show the counterexample.

    For every user or role with a boundary, and every delegated administrator (a principal
    that creates users or roles or attaches policies under iam:PermissionsBoundary conditions):
    can anything it can do, including escalation paths, produce a principal or a permission
    outside its ceiling? With --prefix or --tag: can a principal of one application reach
    another application's resources?

    \b
    Examples:
      iamsim audit boundaries -i gaad.json -i org.yaml
      iamsim audit boundaries -i gaad.json -i res.yaml --prefix first- --prefix second-
      iamsim audit boundaries -i gaad.json --tag app --json
    """
    import sys

    from iamsim.analysis.boundary_audit import audit_boundaries
    from iamsim.analysis.escalation import EscalationGraph
    from iamsim.analysis.techniques import Oracle
    from iamsim.report.escalation import render_audit

    with invalid_input_exits(as_json=as_json):
        world = load_world(inputs)
        oracle = Oracle(world, region=region, context=parse_context(context) or None)
        graph = EscalationGraph(world, oracle=oracle, runs_as=_runs_as(runs_as))
        wanted = None
        if principals:
            wanted = [getattr(world.find_principal(p), "arn", p) for p in principals]
        report = audit_boundaries(
            world,
            graph=graph,
            prefixes=prefixes,
            tag_keys=tags,
            principals=wanted,
            max_paths=max_paths or None,
            hops=hops,
        )
    if as_json:
        echo_json(report.to_dict())
    else:
        click.echo(render_audit(report))
    if fail and (any(s.verdict == "escapes" for s in report.subjects) or report.findings):
        sys.exit(1)
