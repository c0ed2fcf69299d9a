"""The evaluation budget of one Terraform load.

This module owns the limits on evaluation (steps, sizes): exceeding one is a located input
error, never an unbounded computation.
"""

from __future__ import annotations

from contextvars import ContextVar

from iamsim import limits

# -- limits -------------------------------------------------------------------------------------------


class LimitError(Exception):
    """An input makes evaluation exceed one of :mod:`iamsim.limits` (reported as an InputError
    located where it happens: Terraform itself fails ``range()`` beyond 1,024 elements, and
    the other caps stand for a machine that would run out of time or memory)."""

    def __init__(self, what: str, limit: str) -> None:
        value = getattr(limits.current(), limit)
        super().__init__(
            f"{what} exceeds the limit {limit}={value:,} (raise it with --limit {limit}=N)"
        )


def check_limit(size: int, limit: str, what: str) -> None:
    """Refuse a result of ``size`` (elements or characters) above the limit ``limit``,
    checked before the result is built."""
    if size > getattr(limits.current(), limit):
        raise LimitError(f"{what} ({size:,})", limit)


class Budget:
    """The evaluation steps one load has left (``max_evaluation_steps``)."""

    def __init__(self) -> None:
        self.left = limits.current().max_evaluation_steps

    def spend(self, steps: int) -> None:
        self.left -= steps
        if self.left < 0:
            raise LimitError("evaluating the configuration", "max_evaluation_steps")


BUDGET: ContextVar[Budget | None] = ContextVar("iamsim_tf_budget", default=None)


def spend(steps: int) -> None:
    budget = BUDGET.get()
    if budget is not None:
        budget.spend(steps)
