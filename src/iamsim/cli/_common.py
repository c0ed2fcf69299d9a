"""Helpers shared by the ``check``, ``explain``, ``test`` and ``validate`` commands.

Exit statuses are the same for every command:

* ``0`` — the command ran and (for ``test``/``validate``) nothing failed. For ``check`` and
  ``explain`` the decision is the output, so an ExplicitDeny still exits 0.
* ``1`` — ``test``: an expectation did not hold; ``validate``: a finding at or above
  ``--fail-on`` (errors by default).
* ``2`` — invalid input: an unreadable or unrecognised file, an unknown principal or action, a
  malformed ``--context``. The message names the file and the JSON path when known; there is
  never a traceback.

``--context KEY=VALUE`` (repeatable) reads as follows:

* ``KEY`` is a condition key such as ``aws:SourceIp`` (case-insensitive, it needs a ``:``);
* repeating a key makes a list: ``--context aws:TagKeys=team --context aws:TagKeys=env``;
* for keys the service reference defines as multivalued (``aws:TagKeys``,
  ``aws:PrincipalOrgPaths``, ``ArrayOf*`` keys) commas separate values: ``aws:TagKeys=team,env``;
  ``aws:TagKeys=`` is the key present with no values;
* a value written as a JSON array is a list whatever the key: ``s3:x=["a,b","c"]``;
* anything else is one string, commas included.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from iamsim.engine.request import ContextScalar, ContextValue
from iamsim.errors import IamsimError, InputError
from iamsim.model import World

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2

F = TypeVar("F", bound=Callable[..., Any])


# -- options ------------------------------------------------------------------------------


def input_option(*, required: bool = True) -> Callable[[F], F]:
    """``--input/-i PATH`` (repeatable): the files and directories describing the world."""
    return click.option(
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
        click.echo(json.dumps({"error": message}, indent=2))
    else:
        click.echo(f"error: {message}", err=True)
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
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        fail(f"{where}{exc.strerror or exc}", as_json=as_json)


# -- inputs -------------------------------------------------------------------------------


def load_world(paths: Sequence[Path | str]) -> World:
    """Load and merge every input (raises InputError, located, on a bad one)."""
    from iamsim.ingest import load_inputs  # loaders pull in parsers the other commands skip

    if not paths:
        raise InputError("no inputs given: pass --input PATH (repeatable)")
    return load_inputs(paths)


# -- --context and --now -------------------------------------------------------------------


def _is_multivalued(key: str) -> bool:
    try:
        from iamsim.catalog import service_reference

        return bool(service_reference().is_multivalued_key(key))
    except Exception:  # pragma: no cover - the catalog ships with the package
        return False


def parse_context_value(key: str, text: str) -> ContextValue:
    """One ``--context`` value: a JSON array, a comma list for multivalued keys, else text."""
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            decoded = json.loads(stripped)
        except json.JSONDecodeError:
            decoded = None
        if isinstance(decoded, list):
            values = [v for v in decoded if isinstance(v, str | int | float | bool)]
            if len(values) != len(decoded):
                raise InputError(f"--context {key}: a list holds strings, numbers or booleans")
            return values
    if _is_multivalued(key):
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


def parse_context(items: Iterable[str]) -> dict[str, ContextValue]:
    """``KEY=VALUE`` items to a context mapping (see the module docstring for lists)."""
    out: dict[str, ContextValue] = {}
    names: dict[str, str] = {}  # lower-cased key -> the spelling first used
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(f"--context {item!r}: expected KEY=VALUE, e.g. aws:SourceIp=10.0.0.1")
        if ":" not in key:
            raise InputError(
                f"--context {item!r}: {key!r} is not a condition key (expected prefix:name, "
                "e.g. aws:SourceIp or s3:prefix)"
            )
        parsed = parse_context_value(key, value)
        folded = key.lower()
        if folded in names:
            previous = out[names[folded]]
            merged: list[ContextScalar] = (
                list(previous) if isinstance(previous, list | tuple) else [previous]
            )
            merged.extend(parsed if isinstance(parsed, list | tuple) else [parsed])
            out[names[folded]] = merged
        else:
            names[folded] = key
            out[key] = parsed
    return out


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


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))
