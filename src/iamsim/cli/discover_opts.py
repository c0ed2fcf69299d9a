"""Discover mode for ``check`` and ``explain``: ``--discover``, ``--unknown KEY``,
``--present KEY`` (and ``--absent KEY``), decided by :func:`iamsim.analysis.symbolic.discover`.

The request is built as usual (keys iamsim derives from the principal and request, and keys
given with ``--context``, stay known); ``--discover`` makes every other key the policies read
unknown (absent or any value); ``--unknown``/``--present``/``--absent`` set the status of one
key, and imply discover mode for that key only unless ``--discover`` is also given.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

# The symbolic layer is imported where discover mode runs, not with these options: every
# `iamsim check` defines them, few use them, and importing it costs start-up time.
if TYPE_CHECKING:
    from iamsim.analysis.symbolic import DiscoverResult

from iamsim.engine import CompiledPolicySet, PolicySet, Request

F = TypeVar("F", bound=Callable[..., Any])


def discover_options() -> Callable[[F], F]:
    def wrap(function: F) -> F:
        for decorator in reversed(
            (
                click.option(
                    "--discover",
                    "discover_all",
                    is_flag=True,
                    help="Decide for every value of the context keys neither given nor "
                    "derived: Allow, Conditional (with the residual conditions and a "
                    "witness context), ExplicitDeny or ImplicitDeny.",
                ),
                click.option(
                    "--unknown",
                    "unknown_keys",
                    multiple=True,
                    metavar="KEY",
                    help="This key may be absent or hold any value (repeatable).",
                ),
                click.option(
                    "--present",
                    "present_keys",
                    multiple=True,
                    metavar="KEY",
                    help="This key is present with an unknown value (repeatable).",
                ),
                click.option(
                    "--absent",
                    "absent_keys",
                    multiple=True,
                    metavar="KEY",
                    help="This key is known to be absent (repeatable; with --discover).",
                ),
            )
        ):
            function = decorator(function)
        return function

    return wrap


def statuses(
    unknown: tuple[str, ...], present: tuple[str, ...], absent: tuple[str, ...]
) -> dict[str, str]:
    out: dict[str, str] = {}
    for keys, status in ((unknown, "unknown"), (present, "present"), (absent, "absent")):
        for key in keys:
            out[key] = status
    return out


def wanted(discover_all: bool, given: dict[str, str]) -> bool:
    return discover_all or bool(given)


def run(
    request: Request,
    policies: PolicySet | CompiledPolicySet,
    discover_all: bool,
    given: dict[str, str],
) -> DiscoverResult:
    from iamsim.analysis.symbolic import discover

    return discover(request, policies, statuses=given, all_unknown=discover_all)


def render(result: DiscoverResult, request: Request) -> str:
    from iamsim.analysis.symbolic import CONDITIONAL

    lines = [f"{result.decision}: {request.caller.display} {request.action} on {request.resource}"]
    if result.unknown_keys:
        lines.append(f"  unknown keys: {', '.join(result.unknown_keys)}")
    else:
        lines.append("  no unknown key is read by the policies that apply")
    if result.decision == CONDITIONAL:
        lines.append("  allowed when (any of):")
        for block in result.residual:
            lines.append("    " + json.dumps(block, sort_keys=True))
    if result.witness is not None and result.unknown_keys:
        lines.append("  for example: " + json.dumps(result.witness, sort_keys=True))
    return "\n".join(lines)
