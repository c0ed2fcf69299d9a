"""A call of a Terraform built-in function: its frame, its errors, argument conversion."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lark import Token, Tree

from iamsim.ingest.iac.unknown import Unknown
from iamsim.ingest.terraform.context import Ctx
from iamsim.ingest.terraform.values import hcl_type_name, to_num, to_str

if TYPE_CHECKING:
    from iamsim.ingest.terraform.evaluator import Evaluator


def find_error(value: Any) -> Unknown | None:
    """The first Unknown inside ``value`` that is an evaluation error, or None."""
    if isinstance(value, Unknown):
        return value if value.error else None
    if isinstance(value, dict):
        items: Any = value.values()
    elif isinstance(value, list):
        items = value
    else:
        return None
    for item in items:
        found = find_error(item)
        if found is not None:
            return found
    return None


@dataclass
class Call:
    evaluator: Evaluator
    ctx: Ctx
    tree: Tree[Token]

    def path(self, text: str) -> Path:
        path = Path(text)
        return path if path.is_absolute() else self.evaluator.loader.root_dir / path


class FunctionError(Exception):
    """The function fails for these arguments, as it would in Terraform (an error value)."""


class Unsupported(Exception):
    """iamsim does not implement this use of the function (an unknown value, not an error)."""


def need(cond: bool, message: str) -> None:
    if not cond:
        raise FunctionError(message)


def encoded_size(value: Any, cap: int) -> int:
    """A lower bound of the characters ``value`` encodes to, counted only up to just past
    ``cap`` (values sharing parts can describe far more text than they hold)."""
    size, stack = 0, [value]
    while stack and size <= cap:
        item = stack.pop()
        if isinstance(item, str):
            size += len(item) + 2
        elif isinstance(item, dict):
            size += 2 + 2 * len(item) + sum(len(k) + 2 for k in item)
            stack.extend(item.values())
        elif isinstance(item, list):
            size += 2 + len(item)
            stack.extend(item)
        else:
            size += 4
    return size


def not_offline(what: str) -> Callable[..., Any]:
    def func(call: Call, *args: Any) -> Any:
        return call.evaluator.unknown(
            call.tree, call.ctx, f"{what} is only known when Terraform runs"
        )

    return func


def str_arg(value: Any) -> str:
    """A string argument: Terraform converts a bool or number to a string (lower(true))."""
    text = to_str(value)
    if isinstance(text, Unknown):
        raise FunctionError(f"a string is required, not {hcl_type_name(value)}")
    return str(text)


def num_arg(value: Any) -> Any:
    number = to_num(value)
    if isinstance(number, Unknown):
        raise FunctionError(number.reason)
    return number


def str_fn(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A function of string parameters only."""

    def func(call: Call, *args: Any) -> Any:
        return fn(*(str_arg(a) for a in args))

    return func
