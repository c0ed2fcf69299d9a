"""Errors raised by iamsim. Every input error names where it came from (file, JSON pointer)."""

from __future__ import annotations


class IamsimError(Exception):
    """Base class of every error iamsim raises on purpose."""


class InputError(IamsimError):
    """Malformed or unsupported input, located by source name and JSON pointer.

    ``source`` is a file name (or a label such as ``scenario 'x'``), ``path`` a JSON pointer
    such as ``/Statement/2/Condition``; either may be empty when unknown.
    """

    def __init__(self, reason: str, *, path: str = "", source: str = "") -> None:
        self.reason = reason
        self.path = path
        self.source = source
        super().__init__(self.describe())

    def describe(self) -> str:
        where = ""
        if self.source:
            where = self.source
        if self.path:
            where = f"{where} at {self.path}" if where else f"at {self.path}"
        return f"{where}: {self.reason}" if where else self.reason

    def located(self, *, source: str | None = None, prefix: str = "") -> InputError:
        """The same error re-anchored inside a larger document or file."""
        return type(self)(
            self.reason,
            path=f"{prefix}{self.path}",
            source=source if source is not None else self.source,
        )


class PolicyError(InputError):
    """A policy document violates the policy grammar or a rule of its policy type."""


class RequestError(InputError):
    """A request (principal, action, resource, context) cannot be evaluated as given."""
