"""Helpers shared by the ``check``, ``explain``, ``test`` and ``validate`` commands.

Exit statuses are the same for every command:

* ``0`` — the command ran and (for ``test``/``validate``) nothing failed. For ``check`` and
  ``explain`` the decision is the output, so an ExplicitDeny still exits 0.
* ``1`` — ``test``: an expectation did not hold; ``validate``: a finding at or above
  ``--fail-on`` (errors by default).
* ``2`` — invalid input: an unreadable or unrecognised file, an unknown principal or action, a
  malformed ``--context``. The message names the file and the JSON path when known; there is
  never a traceback.
* ``141`` — the output was closed before the command finished (``iamsim ... | head``): the
  run ends quietly, and its verdict is unknown (see :mod:`iamsim.cli.main`).

Everything printed passes through :mod:`iamsim.report.inert`: text that comes from an input
(names, Sids, condition values, error messages quoting them) is printed literally, never as
console markup, with control, bidi and invisible characters escaped (``\\x1b``, ``\\u202e``).

``--context KEY=VALUE`` (repeatable) is read by
:func:`iamsim.vocabulary.context_keys.parse_context`, which documents the rules; they end in
the same check as the ``context`` of scenario and expectations files.

:func:`load_world` never drops the loaders' notes (what an input could not resolve): text
output prints them as ``note: ...`` lines on standard error, JSON output carries them under
``input_notes``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from iamsim.errors import IamsimError, InputError
from iamsim.report.inert import echo, echo_json_text
from iamsim.report.schemas import versioned

if TYPE_CHECKING:
    from iamsim.ingest.iac.options import IacOptions
    from iamsim.model import World

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2

F = TypeVar("F", bound=Callable[..., Any])


# -- options ------------------------------------------------------------------------------


def input_option(*, required: bool = True) -> Callable[[F], F]:
    """``--input/-i PATH`` (repeatable): the files and directories describing the world, with
    the options bounding what reading them may do (:func:`read_options`)."""
    option = click.option(
        "--input",
        "-i",
        "inputs",
        multiple=True,
        required=required,
        type=click.Path(exists=True, dir_okay=True, path_type=Path),
        help=(
            "A file or directory describing accounts, the organization or resources "
            "(get-account-authorization-details JSON, organization tree, resources file, ...). "
            "Repeat for several; the format is detected from the content."
        ),
    )

    def decorate(func: F) -> F:
        return option(read_options()(func))

    return decorate


_ALLOW_READ_KEY = "iamsim.allow_read"


def _remember_allow_read(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
    ctx.meta[_ALLOW_READ_KEY] = tuple(value or ())
    return value


def _apply_limits(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
    if value:
        from iamsim import limits

        try:
            changes = limits.parse_limit_options(list(value))
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
        # For this command only (the limits are restored when it ends).
        ctx.with_resource(limits.override(limits.current().replace(**changes)))
    return value


def read_options() -> Callable[[F], F]:
    """``--allow-read PATH`` and ``--limit NAME=VALUE`` (both repeatable), consumed here:
    :func:`load_world` reads inside each input's folder and the allowed paths only, and the
    limits hold while the command runs (a bad one is a usage error, exit status 2). With
    them come the values for infrastructure code (:func:`iac_value_options`)."""
    allow = click.option(
        "--allow-read",
        "allow_read",
        multiple=True,
        type=click.Path(exists=True, dir_okay=True, path_type=Path),
        expose_value=False,
        callback=_remember_allow_read,
        metavar="PATH",
        help=(
            "Let the inputs read files under PATH too (repeatable). By default a file an input "
            "refers to (Terraform file(), module sources, organization policy files) must be "
            "inside the input's own folder."
        ),
    )

    def decorate(func: F) -> F:
        return allow(limit_option()(iac_value_options()(func)))

    return decorate


_IAC_KEY = "iamsim.iac"


def _remember(name: str, parse: Callable[[str, str], Any] | None = None) -> Any:
    """A callback keeping an option's values in the command's ``ctx.meta`` (parsed by
    ``parse(value, option)``; its InputError is a usage error, exit status 2)."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        values = value if isinstance(value, tuple) else () if value is None else (value,)
        option = param.opts[0] if param.opts else name
        try:
            parsed = [parse(v, option) if parse else v for v in values]
        except InputError as exc:
            raise click.BadParameter(exc.reason, param=param) from None
        ctx.meta.setdefault(_IAC_KEY, {})[name] = parsed
        return value

    return callback


def _assignment(text: str, option: str) -> tuple[str, str]:
    """``NAME=VALUE`` (the value may hold ``=`` and stays a string)."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise InputError(f"{text!r}: expected NAME=VALUE")
    return name.strip(), value


def _account_id(text: str, option: str) -> str:
    from iamsim.vocabulary.arn import is_account_id

    if not is_account_id(text):
        raise InputError(f"{text!r}: expected a 12-digit account ID")
    return text


def _alias_account(text: str, option: str) -> tuple[str, str]:
    alias, account = _assignment(text, option)
    return alias, _account_id(account, option)


def iac_value_options() -> Callable[[F], F]:
    """``--var``, ``--var-file``, ``--account``, ``--default-account`` (Terraform) and
    ``--param``, ``--param-file`` (CloudFormation), consumed here: :func:`load_world` gives
    them to every Terraform configuration and CloudFormation template among the inputs
    (:class:`~iamsim.ingest.iac.options.IacOptions`). A malformed ``NAME=VALUE`` is a usage
    error (exit status 2); a bad file is invalid input (exit status 2, located)."""
    path_type = click.Path(exists=True, dir_okay=False, path_type=Path)
    options = [
        click.option(
            "--var",
            multiple=True,
            metavar="NAME=VALUE",
            expose_value=False,
            callback=_remember("var", _assignment),
            help="A Terraform root-module variable (repeatable; the value is a string).",
        ),
        click.option(
            "--var-file",
            multiple=True,
            type=path_type,
            metavar="FILE",
            expose_value=False,
            callback=_remember("var_file"),
            help="A Terraform variables file, HCL (.tfvars) or JSON (.tfvars.json) (repeatable; "
            "later files win, --var over all).",
        ),
        click.option(
            "--account",
            multiple=True,
            metavar="ALIAS=ID",
            expose_value=False,
            callback=_remember("account", _alias_account),
            help="The account of the resources a Terraform provider alias (aws.ALIAS) or "
            "module (module.PATH) creates, when its provider block names none (repeatable).",
        ),
        click.option(
            "--default-account",
            metavar="ID",
            expose_value=False,
            callback=_remember("default_account", _account_id),
            help="The account of Terraform and CloudFormation resources whose configuration "
            "names none (instead of a placeholder).",
        ),
        click.option(
            "--default-region",
            metavar="REGION",
            expose_value=False,
            callback=_remember("default_region"),
            help="The region of Terraform configurations and CloudFormation stacks that name "
            "none (instead of a placeholder region).",
        ),
        click.option(
            "--param",
            multiple=True,
            metavar="NAME=VALUE",
            expose_value=False,
            callback=_remember("param", _assignment),
            help="A CloudFormation template parameter (repeatable).",
        ),
        click.option(
            "--param-file",
            multiple=True,
            type=path_type,
            metavar="FILE",
            expose_value=False,
            callback=_remember("param_file"),
            help="CloudFormation parameters: a JSON object of names to values, or the AWS CLI's "
            '[{"ParameterKey": ..., "ParameterValue": ...}] list (repeatable; --param wins).',
        ),
    ]

    def decorate(func: F) -> F:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def iac_options() -> IacOptions:
    """The running command's values for infrastructure code (see :func:`iac_value_options`);
    parameter files are read here, so a bad one is a located InputError."""
    from iamsim.ingest.iac.options import IacOptions, read_parameter_file  # lazy: start-up

    ctx = click.get_current_context(silent=True)
    given: dict[str, list[Any]] = ctx.meta.get(_IAC_KEY, {}) if ctx is not None else {}
    parameters: dict[str, Any] = {}
    for path in given.get("param_file", ()):
        parameters.update(read_parameter_file(path))
    parameters.update(dict(given.get("param", ())))
    defaults = given.get("default_account") or [None]
    regions = given.get("default_region") or [None]
    return IacOptions(
        variables=dict(given.get("var", ())),
        var_files=tuple(given.get("var_file", ())),
        parameters=parameters,
        default_account=defaults[-1],
        accounts=dict(given.get("account", ())),
        default_region=regions[-1],
    )


def _iac_given() -> bool:
    """Whether the running command was given any infrastructure-code value (``--var``,
    ``--param``, ``--default-account``, ...)."""
    ctx = click.get_current_context(silent=True)
    given: dict[str, list[Any]] = ctx.meta.get(_IAC_KEY, {}) if ctx is not None else {}
    return any(given.values())


def limit_option() -> Callable[[F], F]:
    """``--limit NAME=VALUE`` (repeatable) alone, for commands that read files but load no
    inputs (``eval``)."""
    return click.option(
        "--limit",
        "limit",
        multiple=True,
        expose_value=False,
        callback=_apply_limits,
        metavar="NAME=VALUE",
        help="Raise or lower a cap on untrusted input (repeatable), e.g. max_file_bytes=1000000.",
    )


def allowed_reads() -> tuple[Path, ...]:
    """The running command's ``--allow-read`` paths."""
    ctx = click.get_current_context(silent=True)
    return tuple(ctx.meta.get(_ALLOW_READ_KEY, ())) if ctx is not None else ()


def context_option() -> Callable[[F], F]:
    return click.option(
        "--context",
        "-c",
        "context",
        multiple=True,
        metavar="KEY=VALUE",
        help=(
            "A request context value, overriding what iamsim derives (repeatable). Repeat a key "
            "or use commas (multivalued keys only) for lists; a JSON array value is a list."
        ),
    )


def now_option() -> Callable[[F], F]:
    return click.option(
        "--now",
        metavar="ISO-8601",
        help="The time of the request (aws:CurrentTime, aws:EpochTime); default: now.",
    )


def region_option() -> Callable[[F], F]:
    return click.option(
        "--region",
        metavar="REGION",
        default=None,
        help="The Region the request is sent to (aws:RequestedRegion) when the resource ARN "
        "names none; IAM requests always use us-east-1.",
    )


def json_option(help_text: str = "Print JSON instead of text.") -> Callable[[F], F]:
    return click.option("--json", "as_json", is_flag=True, help=help_text)


# -- errors -------------------------------------------------------------------------------


def fail(message: str, *, as_json: bool = False) -> NoReturn:
    """Report invalid input and exit 2 (JSON on stdout with ``--json``, else text on stderr)."""
    if as_json:
        echo_json_text(json.dumps(versioned("error", {"error": message}), indent=2))
    else:
        echo(f"error: {message}", err=True)
    sys.exit(EXIT_INVALID)


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, InputError):
        return exc.describe()
    return str(exc) or type(exc).__name__


@contextmanager
def invalid_input_exits(*, as_json: bool = False) -> Iterator[None]:
    """Turn iamsim's own errors (and unreadable files) into a message and exit status 2."""
    try:
        yield
    except IamsimError as exc:
        fail(describe_error(exc), as_json=as_json)
    except BrokenPipeError:
        raise  # the reader went away: not an input error (see iamsim.cli.main)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        fail(f"{where}{exc.strerror or exc}", as_json=as_json)


# -- inputs -------------------------------------------------------------------------------


_NOTES_KEY = "iamsim.input_notes"


def load_world(paths: Sequence[Path | str], *, as_json: bool = False, quiet: bool = False) -> World:
    """Load and merge every input (raises InputError, located, on a bad one), with a
    progress bar on a terminal's standard error (none with ``as_json`` or ``quiet``).

    The loaders' ``world.notes`` (what the inputs could not resolve: a Terraform policy whose
    value is unknown, a boundary that could not be resolved, ...) are never dropped: they are
    printed as ``note: ...`` lines on standard error (unless ``quiet``), or with ``as_json``
    kept for :func:`echo_json`, which adds them to the JSON document under ``input_notes``.
    """
    from iamsim.cli.progress import progress_bar
    from iamsim.ingest import load_inputs  # loaders pull in parsers the other commands skip

    if not paths:
        raise InputError("no inputs given: pass --input PATH (repeatable)")
    # No infrastructure-code option given: no options at all, which the loaders read as empty
    # ones, so a GAAD export never imports the Terraform/CloudFormation options module.
    options = iac_options() if _iac_given() else None
    with progress_bar("loading inputs", machine=as_json, quiet=quiet) as progress:
        world = load_inputs(paths, allow_read=allowed_reads(), options=options, progress=progress)
    report_input_notes(world.notes, as_json=as_json, quiet=quiet)
    return world


def report_input_notes(notes: Iterable[str], *, as_json: bool = False, quiet: bool = False) -> None:
    """Record the inputs' notes for this command (each once) and, for text output, print
    them on standard error (unless ``quiet``)."""
    ctx = click.get_current_context(silent=True)
    seen: list[str] = ctx.meta.setdefault(_NOTES_KEY, []) if ctx is not None else []
    for note in notes:
        if note in seen:
            continue
        seen.append(note)
        if not as_json and not quiet:
            echo(f"note: {note}", err=True)


def input_notes() -> list[str]:
    """The notes of every input loaded by the running command (see :func:`load_world`)."""
    ctx = click.get_current_context(silent=True)
    return list(ctx.meta.get(_NOTES_KEY, ())) if ctx is not None else []


# -- --now ---------------------------------------------------------------------------------


def parse_now(text: str | None) -> datetime | None:
    """``--now``: an ISO 8601 date-time (``Z`` allowed); naive times are UTC."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"--now {text!r}: expected an ISO 8601 date-time such as 2025-01-31T12:00:00Z"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def echo_json(value: dict[str, Any], kind: str) -> None:
    """Print the document ``value`` of ``kind`` (see :mod:`iamsim.report.schemas`) as JSON,
    with its ``schema_version`` and the inputs' notes under ``input_notes``."""
    value = versioned(kind, value)
    notes = input_notes()
    if notes and "input_notes" not in value:
        value = {**value, "input_notes": notes}
    echo_json_text(json.dumps(value, indent=2, ensure_ascii=False))
