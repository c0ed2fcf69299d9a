"""The resource limits every loader enforces on untrusted input, in one place.

Inputs come from merge requests in CI, so every size an input can make iamsim allocate or
every amount of work it can make iamsim do has a cap here. The defaults follow what Terraform
or AWS themselves impose (named beside each one), so no real input comes near them; a user who
needs more raises one for a run (``--limit NAME=VALUE`` on the command line, or
:func:`override` from Python). A breach is an :class:`~iamsim.errors.InputError` naming the file,
the location and the limit, never a hang or an exhausted machine.

The current limits live in a context variable, so a library user can raise one for one call
without touching the others, and threads or tasks keep their own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

_MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps on what one run may read, expand or build from its inputs."""

    # The largest input file read (bytes). The largest real authorization-details exports are
    # tens of MiB; CloudFormation caps a template at 1 MB, a policy is at most 10,240
    # characters.
    max_file_bytes: int = 256 * _MIB
    # Characters of one HCL text parsed (a .tf or .tfvars file, a template). python-hcl2's
    # parser takes tens of microseconds per token, so the densest 512 KiB (a list of 250,000
    # numbers) takes seconds; real configurations split into files far smaller than this.
    max_hcl_chars: int = 512 * 1024
    # Nodes a YAML document may expand to once aliases are followed (an alias bomb refers to
    # the same anchor again and again); the biggest real template is a few thousand nodes.
    max_yaml_nodes: int = 1_000_000
    # Nesting depth of any JSON/YAML/HCL document (a policy is about 6 levels deep).
    max_nesting: int = 100
    # Terraform's own cap on ``range()`` results.
    max_range_elements: int = 1024
    # Instances one ``count`` or ``for_each`` may create (Terraform has no fixed cap; AWS
    # quotas allow at most 5,000 roles and 5,000 users per account by default).
    max_instances: int = 10_000
    # Characters of one string a Terraform function may produce (``format`` widths,
    # ``join``, ``strrev``...); a managed policy document is at most 6,144 characters, an
    # inline one 10,240, a bucket policy 20 KB.
    max_string_chars: int = 4 * _MIB
    # Elements of one collection a Terraform function may produce.
    max_collection_elements: int = 100_000
    # Steps of evaluation one Terraform configuration may take: iterations of ``for``
    # expressions and template ``%{for}`` loops, and values copied for functions (nested loops
    # or values that refer to each other twice at every level multiply; a real configuration
    # takes thousands).
    max_evaluation_steps: int = 1_000_000
    # Bytes of memory RE2 may use for one regular expression from an input.
    max_regex_memory: int = 8 * _MIB
    # States one symbolic question may build (glob product states, candidate states of one
    # request dimension, context classes in discover mode); above it the question is refused
    # as too large rather than answered from part of the space.
    max_symbolic_states: int = 200_000

    def replace(self, **changes: int) -> Limits:
        """These limits with ``changes`` applied (unknown names or values below 1 refused)."""
        names = {f.name for f in dataclasses.fields(self)}
        for name, value in changes.items():
            if name not in names:
                known = ", ".join(sorted(names))
                raise ValueError(f"unknown limit {name!r} (known: {known})")
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"limit {name} must be a positive integer, not {value!r}")
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


DEFAULT_LIMITS = Limits()

_current: ContextVar[Limits] = ContextVar("iamsim_limits", default=DEFAULT_LIMITS)


def current() -> Limits:
    """The limits in force for this thread or task."""
    return _current.get()


@contextmanager
def override(limits: Limits | None = None, **changes: int) -> Iterator[Limits]:
    """Run a block with ``limits`` (default: the current ones) changed by ``changes``."""
    chosen = (limits or current()).replace(**changes)
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def set_limits(limits: Limits) -> None:
    """Make ``limits`` current for the rest of this thread or task (the CLI does this once)."""
    _current.set(limits)


def parse_limit_options(options: Mapping[str, str] | list[str]) -> dict[str, int]:
    """``NAME=VALUE`` strings (or a mapping) to limit changes; ValueError names a bad one."""
    items = options.items() if isinstance(options, Mapping) else _split(options)
    changes: dict[str, int] = {}
    for name, raw in items:
        key = name.strip().replace("-", "_")
        try:
            value = int(raw.strip().replace("_", ""))
        except ValueError:
            raise ValueError(f"limit {name}: {raw!r} is not a whole number") from None
        changes[key] = value
    DEFAULT_LIMITS.replace(**changes)  # validates names and values
    return changes


def _split(options: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for option in options:
        name, sep, value = option.partition("=")
        if not sep:
            raise ValueError(f"--limit {option!r}: expected NAME=VALUE")
        pairs.append((name, value))
    return pairs
