"""The analysis sub-commands: ``iamsim permissions``, ``iamsim who-can``, ``iamsim escalation``
and ``iamsim audit boundaries``.

Thin wrappers: load the inputs, call :mod:`iamsim.analysis`, print with
:mod:`iamsim.report.permissions`. Exit statuses as in :mod:`iamsim.cli._common` (2 for invalid
input, never a traceback).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from iamsim.analysis.effective import EffectiveAnalyzer
from iamsim.analysis.synthesize import synthesize
from iamsim.analysis.who_can import WhoCan, expand_actions
from iamsim.builder import RequestBuilder
from iamsim.cli._common import (
    F,
    context_option,
    echo_json,
    input_notes,
    input_option,
    invalid_input_exits,
    json_option,
    load_world,
    region_option,
)
from iamsim.cli.output_formats import (
    DIAGRAM_FORMATS,
    emit_diagram,
    emit_sarif,
    format_option,
    resolve_format,
    table_width,
)
from iamsim.cli.progress import progress_bar
from iamsim.cli.scale_opts import (
    org_folder_input,
    principal_world,
    run_org_who_can,
    scale_options,
)
from iamsim.errors import IamsimError, InputError
from iamsim.ingest.org_folder import is_org_folder
from iamsim.model import World
from iamsim.report.inert import InertConsole, echo, echo_json_text, inert_lines, styled
from iamsim.report.permissions import (
    permissions_renderables,
    permissions_to_dict,
    who_can_renderables,
)
from iamsim.vocabulary.context_keys import parse_context

if TYPE_CHECKING:
    from iamsim.analysis.boundary_audit import BoundaryAuditReport


def quiet_option() -> Callable[[F], F]:
    """``--quiet``/``-q``: no progress bar and no notes on standard error."""
    return click.option(
        "--quiet",
        "-q",
        is_flag=True,
        help="No progress bar and no notes on standard error (the output is unchanged).",
    )


def _permissions_principal(text: str) -> None:
    """Refuse, before loading anything, the callers effective permissions do not describe."""
    from iamsim.engine.principals import parse_caller
    from iamsim.vocabulary.request import CallerKind

    try:
        kind = parse_caller(text.strip()).kind
    except IamsimError:
        return  # a short name, or an ARN the world resolves: the analyzer decides
    what = {
        CallerKind.ANONYMOUS: f"{text} is the anonymous (unsigned) caller",
        CallerKind.SERVICE: f"{text} is a service principal",
        CallerKind.WEB_IDENTITY: f"{text} is an identity provider (web identity or SAML)",
    }.get(kind)
    if what is not None:
        raise InputError(
            "effective permissions describe IAM users, roles, sessions and root users; "
            f"{what} (use who-can instead)"
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
@quiet_option()
def permissions_command(
    principal: str,
    inputs: tuple[Path, ...],
    as_json: bool,
    as_policy: bool,
    compare_boundary: bool,
    service: str | None,
    context: tuple[str, ...],
    details: bool | None,
    quiet: bool,
) -> None:
    """Everything PRINCIPAL can do: every action of the service reference it is granted, on
    which resources, under which conditions, and what the boundary, session policy, SCPs, RCPs
    and explicit denies removed. Conditions on keys given with --context are decided (an SCP
    on aws:RequestedRegion, say); the others are shown as the conditions of a grant.

    Exit status: 0 when the permissions were computed, 2 on invalid input (an unknown
    principal or service, a malformed --context, an unreadable input).

    \b
    Examples:
      iamsim permissions alice -i gaad.json -i org.yaml
      iamsim permissions role/app -i gaad.json -i org.yaml -c aws:RequestedRegion=eu-west-1
      iamsim permissions role/app -i gaad.json --service s3 --compare-boundary
      iamsim permissions alice -i gaad.json --policy > effective.json
    """
    with invalid_input_exits(as_json=as_json):
        values = parse_context(context) or None
        _permissions_principal(principal)
        world = None
        if len(inputs) == 1 and is_org_folder(inputs[0]):
            # One principal of an organization folder: only its account is read (docs/scale.md).
            world = principal_world(inputs[0], principal, as_json=as_json, quiet=quiet)
        if world is None:
            world = load_world(inputs, as_json=as_json, quiet=quiet)
        analyzer = EffectiveAnalyzer(world)
        machine = as_json or as_policy
        with progress_bar("permissions: action groups", machine=machine, quiet=quiet) as bar:
            bar(0, 1)  # shown while the catalogue loads (once per process)
            if service is not None and not analyzer.builder.catalog.service_exists(service):
                raise InputError(f"--service: unknown service prefix {service!r}")
            result = analyzer.permissions(
                principal,
                service=service,
                compare_boundary=compare_boundary,
                context=values,
                progress=bar,
            )
        made = synthesize(result) if (as_policy or as_json) else None
    if as_policy and made is not None:
        if as_json:
            echo_json(
                {"policy": made.document, "approximations": made.approximations},
                "effective-policy",
            )
        else:
            echo_json_text(made.to_json())
            if not quiet:
                for note in made.approximations:
                    echo(f"approximation: {note}", err=True)
        return
    if as_json:
        echo_json(
            permissions_to_dict(result, policy=made.document if made is not None else None),
            "permissions",
        )
        return
    console = InertConsole(width=table_width())
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
@region_option()
@click.option(
    "--show-blocked",
    is_flag=True,
    help="Also list principals some policy grants but a guardrail or a Deny stops.",
)
@format_option(*DIAGRAM_FORMATS)
@quiet_option()
@scale_options(jsonl=True)
def who_can_command(
    action: str,
    resource: str,
    inputs: tuple[Path, ...],
    as_json: bool,
    context: tuple[str, ...],
    region: str | None,
    show_blocked: bool,
    fmt: str,
    quiet: bool,
    workers: int | None,
    ray: str | None,
    jsonl: bool,
) -> None:
    """Every principal that can perform ACTION on RESOURCE, across the loaded accounts.

    ACTION may be a comma-separated list and may use wildcards (s3:Get*), expanded with the
    service reference. RESOURCE is an ARN (or "*" for actions without resource-level
    permissions). Roles are answered as "any session of the role"; principals named by the
    resource's policy outside the loaded accounts are answered assuming their own policies
    allow, and say so.

    An organization folder as the only input (-i ORG_DIR: the organization file and
    accounts/<ACCOUNT_ID>/ folders) is answered account by account in --workers processes
    (or on --ray); accounts whose folder cannot be read are listed as left out.

    Exit status: 0 when the question was answered (even with nobody able to), 2 on invalid
    input (an unknown action, a malformed --context, an unreadable input, an account of an
    organization folder left out).

    \b
    Examples:
      iamsim who-can s3:GetObject arn:aws:s3:::data-bucket/report.csv -i gaad.json -i res.yaml
      iamsim who-can 'iam:Attach*Policy,iam:Put*Policy' arn:aws:iam::111122223333:role/x -i gaad.json
    """
    fmt = resolve_format(fmt, as_json)
    as_json = fmt == "json"
    with invalid_input_exits(as_json=as_json):
        if not any(part.strip() for part in action.split(",")):
            raise InputError(
                f"ACTION {action!r} names no action (expected s3:GetObject, s3:Get*, ...)"
            )
        values = parse_context(context) or None
        org_dir = org_folder_input(inputs, workers=workers, ray=ray, jsonl=jsonl)
        if org_dir is not None:
            from iamsim.catalog import service_reference

            run_org_who_can(
                org_dir,
                expand_actions([action], service_reference()),
                resource,
                context=values,
                region=region,
                workers=workers,
                ray=ray,
                fmt=fmt,
                jsonl=jsonl,
                show_blocked=show_blocked,
            )
            return
        world = load_world(inputs, as_json=as_json, quiet=quiet)
        analyzer = WhoCan(world, builder=RequestBuilder(world, region=region))
        actions = expand_actions([action], analyzer.builder.catalog)
        if not actions:  # pragma: no cover - expand_actions raises for what it cannot match
            raise InputError(f"ACTION {action!r} names no action")
        with progress_bar("who-can: principals", machine=as_json, quiet=quiet) as progress:
            result = analyzer.who_can(actions, resource, context=values, progress=progress)
    if as_json:
        # Streamed: the document of who-can '*' '*' is over a hundred megabytes.
        from iamsim.report.who_can_json import echo_who_can_json  # lazy: start-up time

        echo_who_can_json(result, input_notes(), lambda text: click.echo(text, nl=False))
        return
    if fmt in DIAGRAM_FORMATS:
        from iamsim.report.diagrams import who_can_diagram  # lazy: start-up time

        emit_diagram(fmt, lambda: who_can_diagram(result.to_dict()))
        return
    console = InertConsole(width=table_width())
    for renderable in who_can_renderables(result):
        console.print(renderable)
    if show_blocked and result.blocked:
        console.print("Granted somewhere but stopped:")
        for item in result.blocked:
            by = item.blocked_by or item.decision
            console.print(styled(f"  {item.principal} {item.action}: {by} — {item.reason}"))


# -- escalation and boundary audit (iamsim escalation, iamsim audit boundaries) ---------------


_RUNS_AS_USAGE = "expected RESOURCE_ARN=ROLE_ARN"


def _runs_as(items: tuple[str, ...], world: World) -> dict[str, str]:
    """``--runs-as RESOURCE_ARN=ROLE_ARN`` items: a resource that runs code (a Lambda
    function, instance, project...) and the ARN of a role of the inputs it runs as."""
    from iamsim.analysis.techniques import load_catalogue
    from iamsim.model import resource_kind
    from iamsim.vocabulary.arn import parse_arn
    from iamsim.vocabulary.request import identity_key

    kinds = sorted({t.resource_kind for t in load_catalogue().techniques if t.resource_kind})
    out: dict[str, str] = {}
    for item in items:
        resource, sep, role = (part.strip() for part in item.partition("="))
        if not sep or not resource or not role:
            raise InputError(f"--runs-as {item!r}: {_RUNS_AS_USAGE}")
        if any(c in item for c in "*?"):
            raise InputError(
                f"--runs-as {item!r}: {_RUNS_AS_USAGE} without wildcards (one resource, one role)"
            )
        if parse_arn(resource) is None:
            raise InputError(f"--runs-as {item!r}: {_RUNS_AS_USAGE}; {resource!r} is not an ARN")
        kind = resource_kind(resource)
        if kind not in kinds:
            raise InputError(
                f"--runs-as {item!r}: {resource} is not a resource the code-injection techniques "
                f"know ({kind or 'unknown kind'}; expected one of: {', '.join(kinds)})"
            )
        parsed = parse_arn(role)
        if parsed is None or parsed.service != "iam" or not parsed.resource.startswith("role/"):
            raise InputError(
                f"--runs-as {item!r}: {_RUNS_AS_USAGE}; {role!r} is not a role ARN "
                "(arn:aws:iam::ACCOUNT:role/NAME)"
            )
        found = world.roles.get(role)
        if found is None:  # the same role written without (or with another) IAM path
            key = identity_key(role)
            same = [r for arn, r in world.roles.items() if key and identity_key(arn) == key]
            found = same[0] if len(same) == 1 else None
        if found is None:
            raise InputError(f"--runs-as {item!r}: role {role} is not in the inputs")
        out[resource] = found.arn
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
                metavar="RESOURCE_ARN=ROLE_ARN",
                help=(
                    "A resource that runs code as a role (Lambda function, EC2 instance, CodeBuild "
                    "project, CloudFormation stack...) and the ARN of that role, which must be in "
                    "the inputs; for code-injection techniques (repeatable). Adds to the links "
                    "the inputs give (Terraform, CloudFormation, runs_as in a resources file) "
                    "and overrides the inputs' link of the same resource."
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
            quiet_option(),
        )
    ):
        function = option(function)
    return function


def _goal(to: str, actions: tuple[str, ...]) -> list[str] | None:
    """Check ``--to`` (``admin`` or a resource ARN) and ``--action`` (catalogue actions that act
    on that resource); the canonical actions, or None for the default."""
    from iamsim.catalog import service_reference
    from iamsim.vocabulary.arn import parse_arn

    if to == "admin":
        if actions:
            raise InputError("--action applies only with --to RESOURCE_ARN, not --to admin")
        return None
    if parse_arn(to) is None:
        raise InputError(f"--to {to!r}: expected admin or a resource ARN (arn:aws:s3:::bucket/*)")
    catalog = service_reference()
    out: list[str] = []
    for action in actions:
        text = action.strip()
        if "*" in text or "?" in text:
            raise InputError(f"--action {action!r}: name one action (repeat --action for several)")
        canonical = catalog.canonical_action(text) if ":" in text else None
        if canonical is None:
            hints = catalog.suggest_actions(text)
            hint = f"; did you mean: {', '.join(hints)}" if hints else ""
            raise InputError(f"--action: unknown action {action!r}{hint}")
        if catalog.supports_resource_level_permissions(
            canonical
        ) and not catalog.matching_resource_types(canonical, to):
            raise InputError(f"--action {canonical} does not act on {to}")
        out.append(canonical)
    return list(dict.fromkeys(out)) or None


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
@format_option(*DIAGRAM_FORMATS, "sarif")
@scale_options()
def escalation_command(
    inputs: tuple[Path, ...],
    as_json: bool,
    context: tuple[str, ...],
    region: str,
    runs_as: tuple[str, ...],
    max_paths: int,
    fail: bool,
    quiet: bool,
    start: str | None,
    to: str,
    actions: tuple[str, ...],
    techniques: tuple[str, ...],
    list_techniques: bool,
    show_contained: bool,
    fmt: str,
    workers: int | None,
    ray: str | None,
) -> None:
    """Privilege escalation paths: who is an administrator, and every way from a principal
    (or from every user and role) to an administrator or to a resource.

    Each step is a technique of the catalogue (policy editing, boundary removal, new users and
    roles, credentials, trust changes, sts:AssumeRole, iam:PassRole to services that run code,
    code injection), decided by the engine against the actual policies, conditions and
    resources, with the statements that allow it and what would break it.

    Exit status: 0 when the analysis ran, whatever it found; 1 with --fail when a path was
    found; 2 on invalid input (a bad --to, --action, --runs-as or --context, an unknown
    principal, an unreadable input).

    \b
    Examples:
      iamsim escalation -i gaad.json -i org.yaml
      iamsim escalation -i gaad.json --from user/dev --json
      iamsim escalation -i gaad.json -i res.yaml --to arn:aws:s3:::payroll/* --action s3:GetObject
      iamsim escalation -i gaad.json --format mermaid > paths.mmd
    """
    import sys

    from iamsim.analysis.admin import admin_report
    from iamsim.analysis.escalation import EscalationGraph, analyze_escalation
    from iamsim.analysis.techniques import Oracle, load_catalogue
    from iamsim.report.escalation import escalation_json, render_escalation, render_verdict

    fmt = resolve_format(fmt, as_json)
    as_json = fmt == "json"
    with invalid_input_exits(as_json=as_json):
        catalogue = load_catalogue()
        if techniques:
            try:
                catalogue = catalogue.only(techniques)
            except KeyError as exc:
                raise InputError(f"--technique: unknown technique(s) {exc.args[0]}") from None
        if list_techniques:
            if as_json:
                echo_json({"techniques": [t.to_dict() for t in catalogue.techniques]}, "techniques")
            else:
                for t in catalogue.techniques:
                    echo(f"{t.id:48} {t.category:16} {t.name}")
            return
        values = parse_context(context) or None
        goal_actions = _goal(to, actions)
        org_dir = org_folder_input(inputs, workers=workers, ray=ray)
        org = None
        if org_dir is not None and start is None:
            # Over an organization folder: per-account tasks (docs/scale.md).
            from iamsim.cli.scale_opts import org_question, run_org_report

            base = org_question(
                region, values, runs_as, techniques, to, goal_actions, max_paths or None
            )
            org = run_org_report(
                "escalation",
                org_dir,
                base,
                workers=workers,
                ray=ray,
                machine=as_json or quiet,
                show_contained=show_contained,
            )
        else:
            world = load_world(inputs, as_json=as_json, quiet=quiet)
            oracle = Oracle(world, region=region, context=values)
            graph = EscalationGraph(
                world, oracle=oracle, catalogue=catalogue, runs_as=_runs_as(runs_as, world)
            )
            with progress_bar(
                "escalation: starting principals", machine=as_json, quiet=quiet
            ) as progress:
                report = analyze_escalation(
                    world,
                    start=start,
                    to=to,
                    actions=goal_actions,
                    max_paths=max_paths or None,
                    graph=graph,
                    progress=progress,
                )
            principals = [graph.actors[r.start] for r in report.results]
            verdicts = admin_report(
                world, oracle=oracle, catalogue=catalogue, principals=principals
            )
            sources = world.sources
    if org is not None:
        from iamsim.cli.scale_opts import print_org_report

        print_org_report(org, "escalation", fmt, fail=fail)
        return
    if as_json:
        echo_json(escalation_json(report, verdicts), "escalation")
    elif fmt in DIAGRAM_FORMATS:
        from iamsim.report.diagrams import escalation_diagram  # lazy: start-up time

        emit_diagram(fmt, lambda: escalation_diagram(escalation_json(report, verdicts)))
    elif fmt == "sarif":
        from iamsim.report.sarif import escalation_sarif  # lazy: start-up time

        emit_sarif(escalation_sarif(escalation_json(report, verdicts), sources))
    else:
        text = render_escalation(report, verdicts, show_contained=show_contained)
        echo(text)
        if start is not None and verdicts:
            echo()
            echo(inert_lines(render_verdict(verdicts[0])))
    if fail and any(r.status == "escalates" for r in report.results):
        sys.exit(1)


@click.group("audit")
def audit_command() -> None:
    """Audits over the loaded inputs (audit boundaries).

    Exit status: see the sub-command's --help.
    """


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
    help=(
        "Isolation (--prefix/--tag): also through principals reachable in this many become "
        "steps (0: direct). Boundary containment uses the escalation search's own depth."
    ),
)
@format_option("sarif")
@scale_options()
def audit_boundaries_command(
    inputs: tuple[Path, ...],
    as_json: bool,
    context: tuple[str, ...],
    region: str,
    runs_as: tuple[str, ...],
    max_paths: int,
    fail: bool,
    quiet: bool,
    prefixes: tuple[str, ...],
    tags: tuple[str, ...],
    principals: tuple[str, ...],
    hops: int,
    fmt: str,
    workers: int | None,
    ray: str | None,
) -> None:
    """Prove that permissions boundaries hold, or show the counterexample.

    For every user or role with a boundary, and every delegated administrator (a principal
    that creates users or roles or attaches policies under iam:PermissionsBoundary conditions):
    can anything it can do, including escalation paths, produce a principal or a permission
    outside its ceiling? With --prefix or --tag: can a principal of one application reach
    another application's resources? For a delegated administrator, containment (every user
    or role it can create or change carries an approved boundary; it cannot remove or rewrite
    one) is decided over every request and context: proved, or not contained with a witness.

    Exit status: 0 when the audit ran, whatever it found; 1 with --fail when a subject
    escapes its ceiling or is not contained, or an application reaches another's resources;
    2 on invalid input.

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

    fmt = resolve_format(fmt, as_json)
    as_json = fmt == "json"
    with invalid_input_exits(as_json=as_json):
        for prefix in prefixes:
            if not prefix.strip():
                raise InputError("--prefix: an empty prefix would match every name")
        for tag in tags:
            if not tag.strip():
                raise InputError("--tag: the tag key is empty")
        values = parse_context(context) or None
        org_dir = org_folder_input(inputs, workers=workers, ray=ray)
        wanted = None
        org = None
        if org_dir is not None and not (prefixes or tags or principals):
            # Over an organization folder: per-account tasks (docs/scale.md); isolation
            # (--prefix/--tag) and --principal stay on the one-World path.
            from iamsim.cli.scale_opts import org_question, run_org_report

            base = org_question(region, values, runs_as, (), "admin", None, max_paths or None)
            org = run_org_report(
                "audit", org_dir, base, workers=workers, ray=ray, machine=as_json or quiet
            )
        else:
            world = load_world(inputs, as_json=as_json, quiet=quiet)
            oracle = Oracle(world, region=region, context=values)
            graph = EscalationGraph(world, oracle=oracle, runs_as=_runs_as(runs_as, world))
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
            sources = world.sources
    if org is not None:
        from iamsim.cli.scale_opts import print_org_report

        print_org_report(org, "boundary-audit", fmt, fail=fail)
        return
    warnings = _audit_warnings(report, prefixes, tags, wanted)
    if as_json:
        document = report.to_dict()
        if warnings:
            document["warnings"] = warnings
        echo_json(document, "boundary-audit")
    elif fmt == "sarif":
        from iamsim.report.sarif import audit_sarif  # lazy: start-up time

        for text in warnings:
            echo(f"warning: {text}", err=True)
        emit_sarif(audit_sarif(report.to_dict(), sources))
    else:
        for text in warnings:
            echo(f"warning: {text}", err=True)
        echo(render_audit(report))
    escapes = any(
        s.verdict == "escapes" or (s.containment and s.containment.verdict == "not contained")
        for s in report.subjects
    )
    if fail and (escapes or report.findings):
        sys.exit(1)


def _audit_warnings(
    report: BoundaryAuditReport,
    prefixes: tuple[str, ...],
    tags: tuple[str, ...],
    wanted: list[str] | None,
) -> list[str]:
    """What the options asked for that the inputs do not have, so that an empty report is
    never mistaken for a clean one."""
    out: list[str] = []
    by_name = {app.name: app for app in report.apps}
    for prefix in dict.fromkeys(prefixes):
        app = by_name.get(prefix)
        if app is None or not (app.principals or app.resources):
            out.append(f"--prefix {prefix!r} matches no principal and no resource of the inputs")
    for key in dict.fromkeys(tags):
        folded = key.lower()
        if not any(app.name.lower().startswith(f"{folded}=") for app in report.apps):
            out.append(f"--tag {key!r}: no principal or resource of the inputs has this tag")
    if prefixes or tags:
        populated = [app for app in report.apps if app.principals or app.resources]
        if len(populated) < 2:
            found = ", ".join(app.name for app in populated) or "none"
            out.append(
                "isolation needs at least two applications (two --prefix, or a --tag with two "
                f"values); found {len(populated)} ({found}), so no isolation was checked"
            )
    if wanted is not None:
        audited = {subject.principal for subject in report.subjects}
        for arn in dict.fromkeys(wanted):
            if arn not in audited:
                out.append(
                    f"--principal {arn}: not audited (it has no permissions boundary and "
                    "delegates no administration under iam:PermissionsBoundary)"
                )
    return out
