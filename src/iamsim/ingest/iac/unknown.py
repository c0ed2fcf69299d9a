"""Values that cannot be computed offline, and the warnings about what was left out.

This module owns :class:`Unknown` (a value with the reason it is unknown), :func:`find_unknown`,
and the :class:`IngestWarning` list every IaC loader reports through.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# -- unknown values and warnings -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value the loader cannot compute offline. ``reason`` is shown to the user.

    ``error`` marks the result of an expression that fails (a ``regex`` without a match, a
    missing attribute or key, a conversion Terraform rejects), as opposed to a value that is
    only known when Terraform runs (a variable without a value, an attribute known after
    apply): ``can()`` is false and ``try()`` moves on for an error, not for an unknown.
    """

    reason: str
    error: bool = False

    def __str__(self) -> str:
        return f"(unknown: {self.reason})"


def find_unknown(value: Any) -> Unknown | None:
    """The first Unknown inside ``value`` (lists and mappings included), or None."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Mapping):
        for item in value.values():
            found = find_unknown(item)
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for item in value:
            found = find_unknown(item)
            if found is not None:
                return found
    return None


@dataclass(frozen=True, slots=True)
class IngestWarning:
    """Something the loader could not model, located by file and resource address."""

    source: str
    address: str
    message: str

    def __str__(self) -> str:
        where = ": ".join(part for part in (self.source, self.address) if part)
        return f"{where}: {self.message}" if where else self.message


class Warnings:
    """An ordered, de-duplicated collection of :class:`IngestWarning`."""

    def __init__(self) -> None:
        self.items: list[IngestWarning] = []
        self._seen: set[IngestWarning] = set()

    def add(self, source: str, address: str, message: str) -> None:
        item = IngestWarning(source, address, message)
        if item not in self._seen:
            self._seen.add(item)
            self.items.append(item)

    def __iter__(self) -> Any:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)
