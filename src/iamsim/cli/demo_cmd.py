"""``iamsim demo``: load the bundled example organization and answer real questions about it.

The example (``iamsim/examples/organization``, shipped inside the package so the command works
from any directory and after a plain ``pip install``) is built from the AWS permission-boundary
use cases: two applications isolated in one account by name prefix, tags and boundaries, a
backup role in another account, a developer role and a junior admin whose rights boundaries
cut back, and an SCP at an OU. Its ``model/`` form (the exports and files iamsim reads) is
loaded here; ``terraform/`` describes the same thing as Terraform, and the tests check that
both give these answers.

Each question records the answer AWS gives, so the demo doubles as a smoke test: exit status 0
when every answer is the expected one, 1 otherwise (2 when the example cannot be loaded).
``--scenarios`` runs the older self-contained scenario files instead.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from iamsim.builder import RequestBuilder
from iamsim.checks.scenarios import Scenario, ScenarioError, load_scenarios
from iamsim.cli._common import invalid_input_exits, load_world
from iamsim.engine.decision import evaluate
from iamsim.engine.trace import Decision, DecisionValue, StatementRef
from iamsim.errors import IamsimError
from iamsim.model import World
from iamsim.report.inert import InertConsole, styled
from iamsim.vocabulary.request import ContextValue, Request
from iamsim.vocabulary.targets import resource_policy_kind

ALLOW = DecisionValue.ALLOW
EXPLICIT_DENY = DecisionValue.EXPLICIT_DENY
IMPLICIT_DENY = DecisionValue.IMPLICIT_DENY

WORKLOADS = "111122223333"
BACKUP = "444455556666"
FIRST_BOUNDARY = f"arn:aws:iam::{WORKLOADS}:policy/boundaries/first-app-boundary"
FIRST_DATA_KEY = f"arn:aws:kms:eu-west-1:{WORKLOADS}:key/6f3c2a1e-8b4d-4e7a-9c15-2d7e8f90a4b3"

#: The files of the example's model form, in ``examples/organization/model``.
MODEL_FILES = (
    f"gaad-{WORKLOADS}.json",
    f"gaad-{BACKUP}.json",
    "organization.yaml",
    "resources.yaml",
)

#: When the questions are asked (aws:CurrentTime), so answers never depend on the clock.
DEMO_TIME = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)

# Context AWS would supply that iamsim cannot derive from a region-less ARN: S3 and IAM
# requests still name a region (IAM's is us-east-1), and S3 clients use TLS.
_S3 = {"aws:RequestedRegion": "eu-west-1", "aws:SecureTransport": "true"}
_IAM = {"aws:RequestedRegion": "us-east-1"}


@dataclass(frozen=True)
class Question:
    """One question about the example, with the answer AWS gives."""

    who: str  # the caller, as the table shows it
    kind: str  # what the caller is, shown under its name
    principal: str  # the caller, as the request builder takes it
    action: str
    resource: str
    on: str  # the resource, as the table shows it
    expect: DecisionValue
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    note: str = ""  # shown under the resource: what else about the request matters

    @property
    def title(self) -> str:
        text = f"{self.who}: {self.action} on {self.on}"
        return f"{text} ({self.note})" if self.note else text


_LAMBDA = ("first-lambda-exec", "role", "role/first-lambda-exec")
_WORKER = ("second-worker", "role", "role/second-worker")
_BACKUP = ("backup", f"role in {BACKUP}", "role/backup")
_DEVELOPER = ("developer", "role", "role/developer")
_ZHANG = ("zhang", "user, junior admin", "zhang")

_BACKUP_OBJECT = "arn:aws:s3:::first-backups/db-2026-11-23.gz"
_NEW_ROLE = f"arn:aws:iam::{WORKLOADS}:role/first-reports"
_LAMBDA_ROLE = f"arn:aws:iam::{WORKLOADS}:role/service-role/first-lambda-exec"
_FAR_FUNCTION = f"arn:aws:lambda:ap-southeast-2:{WORKLOADS}:function:first-scratch"
_WITH_BOUNDARY = {**_IAM, "iam:PermissionsBoundary": FIRST_BOUNDARY}

# (caller, action, resource, resource as shown, expected answer, context, note)
_ROWS: tuple[tuple[Any, ...], ...] = (
    (_LAMBDA, "s3:PutObject", _BACKUP_OBJECT, "first-backups/db-2026-11-23.gz", ALLOW, _S3),
    (_LAMBDA, "s3:GetObject", "arn:aws:s3:::second-data/customers.csv",
     "second-data/customers.csv", IMPLICIT_DENY, _S3),
    (_WORKER, "s3:GetObject", "arn:aws:s3:::first-data/customers.csv",
     "first-data/customers.csv", IMPLICIT_DENY, _S3),
    (_BACKUP, "s3:PutObject", _BACKUP_OBJECT, "first-backups/db-2026-11-23.gz", ALLOW, _S3),
    (_BACKUP, "s3:DeleteObject", _BACKUP_OBJECT, "first-backups/db-2026-11-23.gz",
     IMPLICIT_DENY, _S3),
    (_DEVELOPER, "iam:CreateRole", _NEW_ROLE, "role first-reports", EXPLICIT_DENY, _IAM),
    (_DEVELOPER, "iam:GetRole", _LAMBDA_ROLE, "role first-lambda-exec", ALLOW, _IAM),
    (_ZHANG, "iam:CreateRole", _NEW_ROLE, "role first-reports", ALLOW, _WITH_BOUNDARY,
     "with boundary first-app-boundary"),
    (_ZHANG, "iam:CreateRole", _NEW_ROLE, "role first-reports", IMPLICIT_DENY, _IAM,
     "without a boundary"),
    (_ZHANG, "iam:DeleteRolePermissionsBoundary", _LAMBDA_ROLE, "role first-lambda-exec",
     EXPLICIT_DENY, _IAM),
    (_DEVELOPER, "lambda:CreateFunction", _FAR_FUNCTION, "function first-scratch",
     EXPLICIT_DENY, {}, "in ap-southeast-2"),
    (_DEVELOPER, "kms:Decrypt", FIRST_DATA_KEY, "KMS key first-data", IMPLICIT_DENY, {}),
)  # fmt: skip


def question(caller: tuple[str, str, str], *row: Any) -> Question:
    """A Question from a caller triple (who, kind, principal) and the rest of a row."""
    return Question(*caller, *row)


#: The demo's questions, in the order of the table.
QUESTIONS: tuple[Question, ...] = tuple(question(*row) for row in _ROWS)


@dataclass(frozen=True)
class Answer:
    """What iamsim decided for one question (``error`` when it could not be asked)."""

    question: Question
    decision: Decision | None
    why: str
    error: str | None = None

    @property
    def value(self) -> DecisionValue | None:
        return self.decision.value if self.decision else None

    @property
    def as_expected(self) -> bool:
        return self.value is self.question.expect


# -- the example ----------------------------------------------------------------------------


def examples_dir() -> Path:
    return Path(str(resources.files("iamsim") / "examples"))


def example_dir() -> Path:
    """The example organization: ``model/`` and ``terraform/``."""
    return examples_dir() / "organization"


def model_paths(directory: Path | None = None) -> list[Path]:
    """The files of the example's model form."""
    base = directory if directory is not None else example_dir() / "model"
    return [base / name for name in MODEL_FILES]


def load_example(paths: Sequence[Path] | None = None) -> World:
    return load_world(list(paths) if paths is not None else model_paths())


def ask(world: World, questions: Iterable[Question] | None = None) -> list[Answer]:
    """Ask every question of ``world`` (errors become failed answers, never exceptions)."""
    builder = RequestBuilder(world)
    answers = []
    for q in QUESTIONS if questions is None else questions:
        try:
            built = builder.build(
                q.principal, q.action, q.resource, context=dict(q.context), now=DEMO_TIME
            )
            decision = evaluate(built.request, built.policies)
        except IamsimError as exc:
            answers.append(Answer(q, None, "", error=str(exc)))
            continue
        answers.append(Answer(q, decision, why(decision, world)))
    return answers


# -- why ------------------------------------------------------------------------------------

_KINDS = {
    "identity": "identity",
    "boundary": "boundary",
    "session": "session policy",
    "scp": "SCP",
    "rcp": "RCP",
    "endpoint": "endpoint policy",
}


def _resource_policy_name(request: Request) -> str:
    """What the demo calls the resource-based policy of ``request`` (the kind is the engine's
    rule, :func:`iamsim.vocabulary.targets.resource_policy_kind`)."""
    kind = resource_policy_kind(request.action, request.resource)
    if kind == "trust":
        return "trust policy"
    if kind == "kms":
        return "key policy"
    return "bucket policy" if request.service == "s3" else "resource policy"


def _ref(ref: StatementRef, decision: Decision, world: World) -> str:
    request = decision.request
    if ref.policy_type == "resource":
        # The resource is in the question; its policy is named after it (or the input).
        return f"{_resource_policy_name(request)}: {ref.statement}"
    text = f"{_KINDS.get(ref.policy_type, ref.policy_type)} {ref.policy}: {ref.statement}"
    if ref.level is not None:
        account = request.caller.account if ref.policy_type == "scp" else request.resource_account
        org = world.organization
        where = org.level_label(account, ref.level) if org else None
        if where:
            text += f" (at {where})"
    return text


def why(decision: Decision, world: World) -> str:
    """Why, in a few words: the decisive statements (policy: Sid), else the engine's reason."""
    refs = decision.decisive
    if not refs:
        return decision.reason
    if decision.value is not ALLOW:
        return "\n".join(f"denied by {_ref(ref, decision, world)}" for ref in refs)
    lines = []
    for ref in refs:
        text = _ref(ref, decision, world)
        lines.append(f"within {text}" if ref.policy_type == "boundary" else text)
    if not decision.request.same_account:
        return "cross-account, both sides allow:\n" + "\n".join(lines)
    return "allowed by " + "\n".join(lines)


# -- output ---------------------------------------------------------------------------------

_COLOURS = {ALLOW: "green", EXPLICIT_DENY: "bold red", IMPLICIT_DENY: "red"}


def _console() -> InertConsole:
    # At most 120 columns; a terminal narrower than that gets its own width.
    probe = InertConsole()
    return InertConsole(width=min(probe.width, 120) if probe.is_terminal else 120)


def render(answers: Sequence[Answer], console: InertConsole) -> None:
    table = Table(
        title="iamsim demo: the example organization (permission boundaries)",
        show_lines=True,
        expand=False,
    )
    table.add_column("who", max_width=20)
    table.add_column("action on what", max_width=34)
    table.add_column("decision", no_wrap=True)
    table.add_column("why", max_width=52)
    for a in answers:
        q = a.question
        who = Text.assemble(styled(q.who, "bold"), "\n", styled(q.kind, "dim"))
        what = Text.assemble(styled(q.action), "\n", styled(q.on))
        if q.note:
            what.append("\n").append_text(styled(q.note, "dim"))
        if a.decision is None:
            verdict = Text("error", style="bold red")
            reason = a.error or ""
        else:
            verdict = Text(a.decision.value.value, style=_COLOURS[a.decision.value])
            reason = a.why
        if not a.as_expected:
            verdict.append(f"\n(expected {q.expect.value})", style="yellow")
        table.add_row(who, what, verdict, reason)
    console.print(table)


def _footer(answers: Sequence[Answer], console: InertConsole) -> None:
    met = sum(a.as_expected for a in answers)
    colour = "green" if met == len(answers) else "red"
    console.print(Text(f"{met} of {len(answers)} answers as expected.", style=colour))
    model = example_dir() / "model"
    console.print(
        f"The example lives in {example_dir()}: model/ (the exports, organization "
        "and resources loaded here) and terraform/ (the same as Terraform code).\n"
        "Ask your own, for instance (S3 ARNs name no region: give the one the request is sent "
        "to, or the region SCP denies it):\n"
        "  iamsim explain role/second-worker s3:GetObject arn:aws:s3:::first-data/customers.csv "
        f"-c aws:RequestedRegion=eu-west-1 -i {model}",
        soft_wrap=True,
    )


# -- the command ----------------------------------------------------------------------------


@click.command("demo")
@click.option(
    "--scenarios",
    is_flag=True,
    help="Run the older self-contained scenario files (examples/scenarios) instead.",
)
def demo_command(scenarios: bool) -> None:
    """Load the bundled example organization and answer real questions about it.

    The example is built from the AWS permission-boundary use cases: two applications in one
    account isolated by the first-/second- prefix, tags and boundaries; a backup role in
    another account granted access by a bucket policy; a developer role whose boundary denies
    iam:CreateRole; a junior admin who may create roles only with a boundary attached; an SCP
    that confines the workloads OU to two regions. For each question the table shows the
    decision and why: the decisive statements or guardrail.

    Exit status 0 when every answer is the one AWS gives (recorded with each question), 1
    otherwise, so the demo doubles as a smoke test.
    """
    if scenarios:
        _scenario_demo()
        return
    console = _console()
    with invalid_input_exits():
        world = load_example()
    answers = ask(world)
    render(answers, console)
    _footer(answers, console)
    sys.exit(0 if all(a.as_expected for a in answers) else 1)


# -- --scenarios ----------------------------------------------------------------------------


def _scenario_demo() -> None:
    console = _console()
    table = Table(title="iamsim demo --scenarios: permission-boundary scenarios", show_lines=True)
    table.add_column("question", style="bold", max_width=44)
    table.add_column("decision", no_wrap=True)
    table.add_column("why", max_width=60)
    failed = False
    for path in sorted((examples_dir() / "scenarios").glob("*.yaml")):
        for item in load_scenarios(path.read_text(encoding="utf-8"), str(path.name)):
            if isinstance(item, ScenarioError):
                console.print(Text("error ", style="red") + styled(item.error.describe()))
                failed = True
                continue
            failed |= not _scenario_row(table, item)
    console.print(table)
    sys.exit(1 if failed else 0)


def _scenario_row(table: Table, scenario: Scenario) -> bool:
    decision = evaluate(scenario.request, scenario.policies)
    colour = _COLOURS[decision.value]
    reason = decision.reason
    if decision.decisive:
        reason += "\n" + "\n".join(ref.describe() for ref in decision.decisive[:2])
    met = scenario.expectation_met(decision.value.value)
    verdict = Text(decision.value.value, style=colour)
    if met is False:
        verdict.append(f"\n(expected {scenario.expect})", style="yellow")
    table.add_row(styled(scenario.name), verdict, reason)
    return met is not False
