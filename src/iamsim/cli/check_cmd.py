"""``iamsim check`` and ``iamsim explain``: one question against the loaded inputs.

Both load the inputs, build the request with :class:`iamsim.builder.RequestBuilder` (which
collects the policies AWS would apply and the context keys it would supply) and evaluate it.
``check`` prints the decision in one line with its decisive statements; ``explain`` walks every
step of AWS's evaluation in plain language (:mod:`iamsim.report.explain`).

Exit status: 0 whenever the question was evaluated (Allow or Deny: the decision is the
output), 2 on invalid input (see :mod:`iamsim.cli._common`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from iamsim.builder import BuiltRequest, RequestBuilder
from iamsim.cli import discover_opts
from iamsim.cli._common import (
    context_option,
    echo_json,
    input_option,
    invalid_input_exits,
    json_option,
    load_world,
    now_option,
    parse_now,
    region_option,
)
from iamsim.cli.output_formats import DIAGRAM_FORMATS, emit_diagram, format_option, resolve_format
from iamsim.engine.decision import evaluate
from iamsim.engine.trace import Decision
from iamsim.model import World
from iamsim.report.inert import echo, inert_lines
from iamsim.report.json_report import decision_to_json
from iamsim.report.text import render_decision
from iamsim.vocabulary.context_keys import parse_context


@dataclass(frozen=True)
class _Answer:
    world: World
    built: BuiltRequest
    decision: Decision


def _ask(
    inputs: Sequence[Path],
    principal: str,
    action: str,
    resource: str,
    context: Sequence[str],
    now: str | None,
    region: str | None = None,
    *,
    as_json: bool = False,
) -> _Answer:
    values = parse_context(context)
    moment = parse_now(now)
    world = load_world(inputs, as_json=as_json)
    builder = RequestBuilder(world, region=region)
    built = builder.build(principal, action, resource, context=values, now=moment)
    return _Answer(world, built, evaluate(built.request, built.policies, explain=True))


_ARGUMENTS_HELP = """
\b
PRINCIPAL  an ARN (user, role, assumed-role session, federated user, root), a short name
           unique in the inputs (alice, user/alice, role/dev, role/path/dev), an account ID
           (its root user), a service principal (lambda.amazonaws.com), an identity
           provider for AssumeRoleWithWebIdentity/SAML (an oidc-provider or saml-provider
           ARN, accounts.google.com) or "anonymous".
ACTION     one action, service:Name (s3:GetObject); unknown actions are rejected with the
           closest real ones suggested.
RESOURCE   the resource ARN; "*" (the default) for actions without resource-level
           permissions.
"""


@click.command("check", epilog=_ARGUMENTS_HELP)
@click.argument("principal")
@click.argument("action")
@click.argument("resource", required=False, default="*")
@input_option()
@context_option()
@now_option()
@region_option()
@click.option("--explain", "full", is_flag=True, help="Print the full trace of every policy.")
@discover_opts.discover_options()
@json_option("Print the decision as JSON (with the full trace when --explain is given).")
def check_command(
    principal: str,
    action: str,
    resource: str,
    inputs: tuple[Path, ...],
    context: tuple[str, ...],
    now: str | None,
    region: str | None,
    full: bool,
    discover_all: bool,
    unknown_keys: tuple[str, ...],
    present_keys: tuple[str, ...],
    absent_keys: tuple[str, ...],
    as_json: bool,
) -> None:
    """Decide whether PRINCIPAL may perform ACTION on RESOURCE, as AWS would.

    Prints the decision (Allow, ExplicitDeny or ImplicitDeny) in one line with the reason
    and the decisive statements. Exit status 0 whenever the request was evaluated, whatever
    the decision; 2 on invalid input.

    \b
    Examples:
      iamsim check alice s3:GetObject arn:aws:s3:::reports/q1.csv -i gaad.json
      iamsim check role/dev iam:CreateRole arn:aws:iam::111122223333:role/x \\
          -i gaad.json -i org.yaml --explain
      iamsim check arn:aws:iam::111122223333:user/bob s3:ListBucket arn:aws:s3:::logs \\
          -i gaad.json -c aws:SourceIp=10.1.2.3 -c aws:MultiFactorAuthPresent=true --json
    """
    given = discover_opts.statuses(unknown_keys, present_keys, absent_keys)
    with invalid_input_exits(as_json=as_json):
        answer = _ask(inputs, principal, action, resource, context, now, region, as_json=as_json)
        if discover_opts.wanted(discover_all, given):
            found = discover_opts.run(
                answer.built.request, answer.built.policies, discover_all, given
            )
            if as_json:
                echo_json({"principal": principal, **found.to_dict()}, "discover")
            else:
                echo(discover_opts.render(found, answer.built.request))
            return
    decision, built = answer.decision, answer.built
    if as_json:
        record = decision_to_json(decision, principal=principal, assumptions=built.warnings)
        if not full:
            record.pop("statements", None)
        echo_json(record, "decision")
        return
    echo(render_decision(decision, verbose=full))
    for text in built.warnings:
        echo(f"  assumed: {text}")


@click.command("explain", epilog=_ARGUMENTS_HELP)
@click.argument("principal")
@click.argument("action")
@click.argument("resource", required=False, default="*")
@input_option()
@context_option()
@now_option()
@region_option()
@click.option(
    "--all-statements",
    is_flag=True,
    help="Show the JSON of every statement, not only those that applied or failed a condition.",
)
@discover_opts.discover_options()
@json_option("Print the explanation as JSON: the decision, its trace, and each step.")
@format_option(*DIAGRAM_FORMATS)
def explain_command(
    principal: str,
    action: str,
    resource: str,
    inputs: tuple[Path, ...],
    context: tuple[str, ...],
    now: str | None,
    region: str | None,
    all_statements: bool,
    discover_all: bool,
    unknown_keys: tuple[str, ...],
    present_keys: tuple[str, ...],
    absent_keys: tuple[str, ...],
    as_json: bool,
    fmt: str,
) -> None:
    """Explain, step by step, how AWS decides whether PRINCIPAL may perform ACTION on RESOURCE.

    Walks the evaluation in AWS's order — the explicit-deny sweep, the organization's RCPs
    and SCPs level by level, the resource-based policy and how it names the caller, the
    identity-based policies, the permissions boundary, the session policy — saying at each
    step what AWS checks, what it found and what that means, with the statements involved.
    Exit status 0 whenever the request was evaluated; 2 on invalid input.

    \b
    Examples:
      iamsim explain role/dev s3:PutObject arn:aws:s3:::first-backup/db.dump -i world/
      iamsim explain alice sts:AssumeRole arn:aws:iam::222222222222:role/deploy \\
          -i gaad-111.json -i gaad-222.json -i org.yaml
      iamsim explain alice s3:GetObject arn:aws:s3:::data/x -i gaad.json --json
      iamsim explain alice s3:GetObject arn:aws:s3:::data/x -i gaad.json --format dot
    """
    # Imported here, not with the module: ``check`` shares this module and never needs the
    # explanation nor the statements' file positions (start-up time).
    from iamsim.report.explain import explain_decision, explanation_to_dict, render_explanation
    from iamsim.report.statement_sources import decisive_locations

    given = discover_opts.statuses(unknown_keys, present_keys, absent_keys)
    found = None
    fmt = resolve_format(fmt, as_json)
    as_json = fmt == "json"
    with invalid_input_exits(as_json=as_json):
        answer = _ask(inputs, principal, action, resource, context, now, region, as_json=as_json)
        if discover_opts.wanted(discover_all, given):
            found = discover_opts.run(
                answer.built.request, answer.built.policies, discover_all, given
            )
            if found.witness:
                # Explain the request completed with an allowing context.
                witness = [
                    f"{k}={json.dumps(v) if isinstance(v, list) else v}"
                    for k, v in found.witness.items()
                ]
                answer = _ask(
                    inputs,
                    principal,
                    action,
                    resource,
                    (*context, *witness),
                    now,
                    region,
                    as_json=as_json,
                )
    request = answer.decision.request
    org = answer.world.organization
    explanation = explain_decision(
        answer.decision,
        answer.built.policies,
        assumptions=answer.built.warnings,
        scp_level_names=org.level_names(request.caller.account) if org else [],
        rcp_level_names=org.level_names(request.resource_account) if org else [],
    )
    if as_json:
        record = explanation_to_dict(explanation)
        if found is not None:
            record["discover"] = found.to_dict()
        echo_json(record, "explanation")
        return
    if fmt in DIAGRAM_FORMATS:
        from iamsim.report.diagrams import explain_diagram  # lazy: start-up time

        emit_diagram(fmt, lambda: explain_diagram(explanation_to_dict(explanation)))
        return
    if found is not None:
        echo(discover_opts.render(found, request))
        if found.witness:
            echo("\nThe request in the example context, step by step:\n")
    echo(render_explanation(explanation, all_statements=all_statements))
    written = decisive_locations(answer.decision.decisive, answer.built.policies)
    if written:
        lines = ["  where the decisive statements are written:"]
        lines += [f"    {ref.describe()}: {where}" for ref, where in written]
        echo(inert_lines(lines))
