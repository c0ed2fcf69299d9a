"""Coverage of a validation run: the policies an input defines that could not be checked.

An infrastructure-as-code loader leaves out a policy whose value it cannot compute (a variable
or parameter without a value, an import from another stack) and records it, per principal or
resource, in ``World.unresolved``. This module owns turning those records into
``unresolved-policy`` findings, and :func:`option_hints`, the ``--var NAME`` / ``--param NAME``
options that would resolve them, so that ``validate`` says "checked 41 of 43 policies" rather
than "ok" about policies it never saw.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from iamsim.checks.validation.results import ValidationFinding
from iamsim.model import World

# The loaders name the option that gives a missing value in their reason, in these exact words
# ("pass it with --var env=VALUE", "pass it with --param Env=VALUE"): see
# ingest/terraform/modules.py and ingest/cloudformation/intrinsics.py.
_OPTION = re.compile(r"pass it with (--var|--param) ([^\s=()]{1,200})=VALUE")


def unresolved_findings(world: World, file: str) -> list[ValidationFinding]:
    """One warning per policy ``world`` could not load: what it belongs to and why."""
    out: list[ValidationFinding] = []
    for arn, reasons in world.unresolved.items():
        for reason in dict.fromkeys(reasons):
            out.append(
                ValidationFinding(
                    "warning",
                    "unresolved-policy",
                    f"a policy of {arn} is not checked: {reason}",
                    world.sources.get(arn, "") or file,
                    "",
                    arn,
                )
            )
    return out


def count_unresolved(world: World) -> int:
    """How many policies of ``world`` are left out (one per distinct reason and owner)."""
    return sum(len(dict.fromkeys(reasons)) for reasons in world.unresolved.values())


def option_hints(messages: Iterable[str]) -> list[str]:
    """The distinct ``--var NAME=...`` / ``--param NAME=...`` options named in ``messages``,
    in first-seen order."""
    hints: dict[str, None] = {}
    for message in messages:
        for option, name in _OPTION.findall(message):
            hints[f"{option} {name}=..."] = None
    return list(hints)
