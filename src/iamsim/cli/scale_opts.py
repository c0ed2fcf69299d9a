"""Organization-wide runs on the command line: ``--workers N``, ``--ray auto|ADDRESS`` and
``--jsonl``, and who-can over an organization folder (``-i ORG_DIR``, see docs/scale.md).

An organization folder given alone as the input is answered by per-account tasks
(:mod:`iamsim.scale.tasks`) on the runner the options choose (:func:`iamsim.scale.runner.
runner_for`): worker processes on this machine by default, one per core. Accounts whose
folder could not be read are listed in the report (text and JSON) and make the exit status 2
(invalid input), after the answer for every other account is printed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from iamsim.cli._common import EXIT_INVALID, F, allowed_reads, echo_json, report_input_notes
from iamsim.cli.progress import progress_bar
from iamsim.errors import InputError
from iamsim.report.inert import InertConsole, echo, echo_json_text, styled
from iamsim.vocabulary.request import ContextValue

if TYPE_CHECKING:
    from iamsim.model import World
    from iamsim.scale.org_tasks import OrgQuestion, OrgReport
    from iamsim.scale.tasks import LeftOut

__all__ = [
    "org_folder_input",
    "org_question",
    "principal_world",
    "print_org_report",
    "report_left_out",
    "run_org_report",
    "run_org_who_can",
    "scale_options",
]


def scale_options(*, jsonl: bool = False) -> Callable[[F], F]:
    """``--workers N`` and ``--ray auto|ADDRESS`` (and ``--jsonl`` when asked for)."""
    workers = click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=None,
        metavar="N",
        help="With an organization folder: worker processes answering accounts "
        "(default: this machine's cores; 1 answers in this process).",
    )
    ray = click.option(
        "--ray",
        default=None,
        metavar="auto|ADDRESS",
        help="With an organization folder: run the per-account tasks on Ray ('auto' starts "
        "a local cluster, ADDRESS joins one; needs pip install 'iamsim[ray]').",
    )
    stream = click.option(
        "--jsonl",
        is_flag=True,
        help="With an organization folder: print JSON Lines as accounts finish "
        "(principal, left_out and a final summary record).",
    )

    def decorate(func: F) -> F:
        func = workers(ray(func))
        return stream(func) if jsonl else func

    return decorate


def org_folder_input(
    inputs: tuple[Path, ...], *, workers: int | None, ray: str | None, jsonl: bool = False
) -> Path | None:
    """The organization folder when it is the only input; an InputError when the scale
    options are given without one."""
    from iamsim.ingest.org_folder import is_org_folder

    if len(inputs) == 1 and is_org_folder(inputs[0]):
        return inputs[0]
    if workers is not None or ray is not None or jsonl:
        raise InputError(
            "--workers, --ray and --jsonl need one organization folder as the input "
            "(-i ORG_DIR with the organization file and accounts/<ACCOUNT_ID>/)"
        )
    return None


def run_org_who_can(
    org_dir: Path,
    actions: list[str],
    resource: str,
    *,
    context: Mapping[str, ContextValue] | None,
    region: str | None,
    workers: int | None,
    ray: str | None,
    fmt: str,
    jsonl: bool,
    show_blocked: bool,
) -> None:
    """Answer who-can over the folder and print it (exit 2 when accounts were left out)."""
    from iamsim.report.permissions import who_can_renderables
    from iamsim.scale.runner import runner_for
    from iamsim.scale.tasks import AccountAnswer, org_who_can

    as_json = fmt == "json"

    def stream(answer: AccountAnswer) -> None:
        if answer.result is not None:
            for entry in answer.result.principals:
                _line({"type": "principal", "account": answer.account, **entry.to_dict()})
        if answer.left_out is not None:
            _line({"type": "left_out", **answer.left_out.to_dict()})

    runner = runner_for(workers, ray)
    try:
        with progress_bar("who-can: accounts", machine=as_json or jsonl) as progress:
            answer = org_who_can(
                org_dir,
                actions,
                resource,
                runner,
                context=context,
                region=region,
                allow_read=tuple(str(p) for p in allowed_reads()),
                progress=progress,
                on_answer=stream if jsonl else None,
                on_notes=lambda notes: report_input_notes(notes, as_json=as_json or jsonl),
            )
    finally:
        runner.close()
    left_out = answer.left_out
    if jsonl:
        summary = answer.to_dict()
        del summary["principals"], summary["blocked"]
        _line({"type": "summary", **summary})
    elif as_json:
        echo_json(answer.to_dict(), "who-can")
    else:
        console = InertConsole()
        for renderable in who_can_renderables(answer.result):
            console.print(renderable)
        if show_blocked and answer.result.blocked:
            console.print("Granted somewhere but stopped:")
            for item in answer.result.blocked:
                by = item.blocked_by or item.decision
                console.print(styled(f"  {item.principal} {item.action}: {by} — {item.reason}"))
        for gone in left_out:
            echo(f"account left out: {gone.account} ({gone.path}): {gone.error}")
    if left_out:
        if not as_json and not jsonl:
            echo(f"error: {len(left_out)} account(s) left out of the answer", err=True)
        sys.exit(EXIT_INVALID)


def principal_world(org_dir: Path, principal: str, *, as_json: bool, quiet: bool) -> World | None:
    """For ``permissions PRINCIPAL`` over an organization folder: the organization tree and
    the principal's own account only, when PRINCIPAL is an ARN naming an account of the
    folder (effective permissions cover the principal's identity side, its account's
    guardrails and the organization's SCPs/RCPs, never other accounts' resource policies).
    None for a short name, which only the whole organization can resolve."""
    from iamsim.ingest.org_folder import OrgFolder
    from iamsim.model import merge_worlds
    from iamsim.model.managed import resolve_managed_policies
    from iamsim.vocabulary.arn import parse_entity_arn

    parsed = parse_entity_arn(principal.strip())
    if parsed is None or not parsed.account:
        return None
    folder = OrgFolder(org_dir, allow_read=allowed_reads())
    if parsed.account not in folder.accounts:
        return None
    world = resolve_managed_policies(
        merge_worlds([folder.tree, folder.account_world(parsed.account)])
    )
    report_input_notes(world.notes, as_json=as_json, quiet=quiet)
    return world


def org_question(
    region: str,
    context: Mapping[str, ContextValue] | None,
    runs_as: tuple[str, ...],
    techniques: tuple[str, ...],
    to: str,
    actions: list[str] | None,
    max_paths: int | None,
) -> OrgQuestion:
    """The options of escalation / audit boundaries as the base of their per-account tasks."""
    from iamsim import limits as limits_module
    from iamsim.scale.org_tasks import OrgQuestion

    links = []
    for item in runs_as:  # checked against the world in each task (roles it holds)
        resource, sep, role = (part.strip() for part in item.partition("="))
        if not sep or not resource or not role or any(c in item for c in "*?"):
            raise InputError(f"--runs-as {item!r}: expected RESOURCE_ARN=ROLE_ARN")
        links.append((resource, role))
    return OrgQuestion(
        org_dir="",
        account="",
        load=(),
        region=region,
        context=tuple(sorted(context.items())) if context else None,
        runs_as=tuple(links),
        techniques=techniques,
        to=to,
        actions=tuple(actions) if actions is not None else None,
        max_paths=max_paths,
        allow_read=tuple(str(p) for p in allowed_reads()),
        limits=limits_module.current(),
    )


def run_org_report(
    what: str,
    org_dir: Path,
    base: OrgQuestion,
    *,
    workers: int | None,
    ray: str | None,
    machine: bool,
    show_contained: bool = False,
) -> OrgReport:
    """Escalation (``what="escalation"``) or the boundary audit over the folder, one task
    per account on the runner the options choose, with a progress bar per finished account."""
    from iamsim.scale.org_tasks import org_audit_boundaries, org_escalation
    from iamsim.scale.runner import runner_for

    runner = runner_for(workers, ray)
    try:
        with progress_bar(f"{what}: accounts", machine=machine) as progress:
            if what == "escalation":
                return org_escalation(
                    org_dir, runner, base, progress=progress, show_contained=show_contained
                )
            return org_audit_boundaries(org_dir, runner, base, progress=progress)
    finally:
        runner.close()


def print_org_report(org: OrgReport, kind: str, fmt: str, *, fail: bool) -> None:
    """Print a merged escalation or audit in ``fmt`` (text, json, a diagram or SARIF), then
    the accounts left out (exit 2), else exit 1 with ``fail`` when something was found."""
    from iamsim.cli.output_formats import DIAGRAM_FORMATS, emit_diagram, emit_sarif

    if fmt == "json":
        echo_json(org.document, kind)
    elif fmt in DIAGRAM_FORMATS:
        from iamsim.report.diagrams import escalation_diagram

        emit_diagram(fmt, lambda: escalation_diagram(org.document))
    elif fmt == "sarif":
        from iamsim.report.sarif import audit_sarif, escalation_sarif

        make = escalation_sarif if kind == "escalation" else audit_sarif
        emit_sarif(make(org.document, {}))
    else:
        echo(org.text)
    report_left_out(org.left_out, machine=fmt != "text")
    if fail and org.found:
        sys.exit(1)


def report_left_out(left_out: list[LeftOut], *, machine: bool) -> None:
    """Say which accounts the answer printed lacks (on standard error after a JSON answer)
    and exit 2 when there are any."""
    for gone in left_out:
        echo(f"account left out: {gone.account} ({gone.path}): {gone.error}", err=machine)
    if left_out:
        echo(f"error: {len(left_out)} account(s) left out of the answer", err=True)
        sys.exit(EXIT_INVALID)


def _line(record: dict[str, Any]) -> None:
    echo_json_text(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
