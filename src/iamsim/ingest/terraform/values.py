"""Terraform values: conversions, comparison, arithmetic and type constraints.

This module owns how evaluated values behave: :class:`Lazy` values (resources, modules,
namespaces such as ``var``) computed on access, Terraform's automatic conversions between
strings, numbers and bools, equality, arithmetic, and variable type constraints.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

from lark import Token, Tree

from iamsim.ingest.iac.policy_document import tf_string
from iamsim.ingest.iac.unknown import Unknown, find_unknown
from iamsim.ingest.terraform.budget import spend
from iamsim.ingest.terraform.syntax import children, label_text, name_of

# -- values ------------------------------------------------------------------------------------------


class Lazy:
    """A value whose attributes are computed on access (a resource, a module, ``var``...)."""

    def get(self, name: str) -> HclValue:  # pragma: no cover - overridden
        raise NotImplementedError

    def materialize(self) -> HclValue:
        return Unknown(f"{self} cannot be used as a whole value here")


#: A Terraform value as the evaluator holds it: a primitive, a list (tuples and sets too), an
#: object, an :class:`Unknown` (not computable offline, or an error), or a :class:`Lazy` value
#: whose attributes are computed on access.
HclValue: TypeAlias = (
    str | int | float | bool | list["HclValue"] | dict[str, "HclValue"] | Unknown | Lazy | None
)


def hcl_type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def to_str(value: HclValue) -> str | Unknown:
    """Terraform's conversion of a primitive to a string (for templates and string functions)."""
    if isinstance(value, Unknown | str):
        return value
    text = tf_string(value)
    if text is not None:
        return text
    if value is None:
        return Unknown("a null value cannot be used in a string", error=True)
    return Unknown(f"a {hcl_type_name(value)} cannot be used as a string", error=True)


_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def to_num(value: HclValue) -> int | float | Unknown:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, bool):
        return Unknown("a bool is not a number", error=True)
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not _NUMBER.fullmatch(text):
            return Unknown(f"{value!r} is not a number", error=True)
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        number = float(text)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return Unknown(f"a {hcl_type_name(value)} is not a number", error=True)


def to_bool(value: HclValue) -> bool | Unknown:
    """Terraform's conversion to a bool: a bool, or the strings "true" and "false"."""
    if isinstance(value, Unknown | bool):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    return Unknown(f"a bool is required, not {hcl_type_name(value)} {value!r}", error=True)


def plain(value: HclValue) -> HclValue:
    """Resolve lazy objects inside a value (for jsonencode, for-each and the mapping)."""
    if isinstance(value, Lazy):
        return plain(value.materialize())
    if isinstance(value, dict):
        spend(len(value))
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        spend(len(value))
        return [plain(v) for v in value]
    return value


def arith(op: str, a: int | float, b: int | float) -> int | float | bool:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return a / b
    if op == "%":
        return math.fmod(a, b)
    if op == "<":
        return a < b
    if op == ">":
        return a > b
    if op == "<=":
        return a <= b
    return a >= b


def tf_equal(a: HclValue, b: HclValue) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and bool(a == b)


# -- type constraints ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeConstraint:
    """A variable's type constraint: ``any``, ``string``, ``number``, ``bool``, ``list``,
    ``set``, ``map`` (``elem``), ``object`` (``attrs``: name, type, optional, default) or
    ``tuple`` (``items``)."""

    kind: str
    elem: TypeConstraint | None = None
    attrs: tuple[tuple[str, TypeConstraint | None, bool, HclValue], ...] = ()
    items: tuple[TypeConstraint | None, ...] = ()


def _unwrap(tree: Tree[Token] | Token) -> Tree[Token] | Token:
    while isinstance(tree, Tree) and tree.data == "expr_term" and len(children(tree)) == 1:
        tree = children(tree)[0]
    return tree


def parse_type(
    tree: Tree[Token] | Token, evaluate: Callable[[Tree[Token]], HclValue]
) -> TypeConstraint | None:
    """The type constraint written in ``tree`` (a ``type = ...`` expression); None for one
    this loader does not read, whose values are then taken as given. ``evaluate`` computes
    the defaults of ``optional(type, default)`` attributes."""
    node = _unwrap(tree)
    if not isinstance(node, Tree):
        return None
    if node.data == "identifier":
        name = name_of(node)
        return TypeConstraint(name) if name in ("any", "string", "number", "bool") else None
    if node.data != "function_call":
        return None
    names = [k for k in children(node) if k.data == "identifier"]
    args = next((children(k) for k in children(node) if k.data == "arguments"), [])
    if len(names) != 1 or len(args) != 1:
        return None
    name = name_of(names[0])
    if name in ("list", "set", "map"):
        elem = parse_type(args[0], evaluate)
        return TypeConstraint(name, elem=elem)
    inner = _unwrap(args[0])
    if name == "tuple" and isinstance(inner, Tree) and inner.data == "tuple":
        return TypeConstraint(
            "tuple", items=tuple(parse_type(k, evaluate) for k in children(inner))
        )
    if name != "object" or not isinstance(inner, Tree) or inner.data != "object":
        return None
    attrs: list[tuple[str, TypeConstraint | None, bool, HclValue]] = []
    for member in children(inner):
        key_tree, value_tree = children(member)
        key = _unwrap(children(key_tree)[0]) if key_tree.data == "object_elem_key" else key_tree
        if not isinstance(key, Tree) or key.data not in ("identifier", "string", "keyword"):
            return None
        attr_name = label_text(key)
        value = _unwrap(value_tree)
        optional, default = False, None
        if isinstance(value, Tree) and value.data == "function_call":
            ids = [k for k in children(value) if k.data == "identifier"]
            if len(ids) == 1 and name_of(ids[0]) == "optional":
                optional = True
                opt_args = next((children(k) for k in children(value) if k.data == "arguments"), [])
                if not 1 <= len(opt_args) <= 2:
                    return None
                value = opt_args[0]
                if len(opt_args) == 2:
                    default = evaluate(opt_args[1])
        attr_type = parse_type(value, evaluate)
        if optional and default is not None:
            default = convert(default, attr_type, f"the default of {attr_name}")
        attrs.append((attr_name, attr_type, optional, default))
    return TypeConstraint("object", attrs=tuple(attrs))


def convert(value: HclValue, type_: TypeConstraint | None, where: str) -> HclValue:
    """Terraform's conversion of a value to a type constraint: ``"true"`` to a bool, ``"3"``
    to a number, ``3`` to a string, collections element by element, objects to their
    attributes (absent optional ones get their default; others are dropped). A value that
    does not convert is an error Unknown."""
    if type_ is None or type_.kind == "any" or value is None or isinstance(value, Unknown):
        return value
    kind = type_.kind

    def fail(reason: str) -> Unknown:
        return Unknown(f"{where}: {reason}", error=True)

    if kind in ("string", "number", "bool"):
        converted = {"string": to_str, "number": to_num, "bool": to_bool}[kind](value)
        if isinstance(converted, Unknown):
            return fail(f"a {kind} is required ({converted.reason})")
        return converted
    if kind in ("list", "set"):
        if not isinstance(value, list):
            return fail(f"a {kind} is required, not {hcl_type_name(value)}")
        items = [convert(v, type_.elem, f"{where}[{i}]") for i, v in enumerate(value)]
        if kind == "set" and find_unknown(items) is None:
            unique: list[HclValue] = []
            for item in items:
                if not any(tf_equal(item, u) for u in unique):
                    unique.append(item)
            if all(isinstance(u, str) for u in unique):
                unique.sort()
            items = unique
        return items
    if kind == "tuple":
        if not isinstance(value, list) or len(value) != len(type_.items):
            return fail(f"a tuple of {len(type_.items)} elements is required")
        return [
            convert(v, t, f"{where}[{i}]")
            for i, (v, t) in enumerate(zip(value, type_.items, strict=True))
        ]
    if not isinstance(value, dict):
        return fail(
            f"an {'object' if kind == 'object' else 'map'} is required, not a {hcl_type_name(value)}"
        )
    if kind == "map":
        return {k: convert(v, type_.elem, f"{where}[{json.dumps(k)}]") for k, v in value.items()}
    out: dict[str, HclValue] = {}
    for name, attr_type, optional, default in type_.attrs:
        item = value.get(name)
        if item is None:
            if not optional and name not in value:
                return fail(f"attribute {name!r} is required")
            item = default  # optional(type, default): absent or null
        out[name] = convert(item, attr_type, f"{where}.{name}")
    return out


class Namespace(Lazy):
    """``var``, ``local``, ``data``, ``module`` and resource-type names: attribute lookups are
    delegated to a function."""

    def __init__(self, label: str, lookup: Callable[[str], HclValue]) -> None:
        self.label = label
        self.lookup = lookup

    def get(self, name: str) -> HclValue:
        return self.lookup(name)

    def __str__(self) -> str:
        return self.label
