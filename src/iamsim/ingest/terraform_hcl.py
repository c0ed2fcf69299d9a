"""Terraform HCL configurations (a directory of ``*.tf`` files, or one file) into the world
model.

This module owns the Terraform *language*: files are parsed by python-hcl2's grammar (a real
HCL parser; no text matching of HCL here) and the resulting syntax tree is evaluated the way
Terraform would before apply:

* variables (defaults, ``terraform.tfvars``, ``*.auto.tfvars``, values passed by the caller),
  locals, outputs, local modules (and remote ones already downloaded into
  ``.terraform/modules``), ``count``/``for_each`` instances and ``dynamic`` blocks;
* expressions: literals, string templates with ``${...}`` / ``%{...}`` (``$${`` and ``%%{``
  are literal), heredocs, operators, conditionals, ``for`` expressions, splats, indexing and
  the common built-in functions (``jsonencode``, ``file``, ``templatefile``, ``format``,
  ``merge``, ...);
* references between resources: attributes that are configured evaluate to their expression;
  the ones the provider computes (``arn``, ``id``, ...) come from
  :func:`~iamsim.ingest.terraform_common.computed_attributes`, so ``aws_iam_role.app.arn`` is
  ``arn:aws:iam::<account>:role/<path><name>``; ``data.aws_iam_policy_document.x.json`` is
  rendered as the provider renders it.

Which account and region each resource deploys to comes from its provider configuration
(``region``, ``allowed_account_ids``, ``assume_role.role_arn``, ``default_tags``), else from
the caller's ``account=``/``region=``, else from the documented placeholders. Anything that
cannot be computed offline is an :class:`~iamsim.ingest.terraform_common.Unknown` carrying the
reason (and file:line); what depends on it is reported, not guessed. Mapping the evaluated
resources onto the model is :mod:`iamsim.ingest.terraform_common`.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import math
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import hcl2
import re2
from lark import Token, Tree
from lark.exceptions import LarkError

from iamsim import limits
from iamsim.errors import InputError
from iamsim.ingest.documents import close_match, load_json
from iamsim.ingest.files import InputFile, read_text
from iamsim.ingest.input_format import InputFormat
from iamsim.ingest.read_scope import ReadRefused, ReadScope
from iamsim.ingest.terraform_common import (
    PLACEHOLDER_ACCOUNT,
    PLACEHOLDER_REGION,
    Env,
    TfResource,
    Unknown,
    Warnings,
    build_world,
    computed_attributes,
    find_unknown,
    known_arguments,
    partition_of_region,
    placeholder_alnum,
    placeholder_digits,
    placeholder_hex,
    placeholder_uuid,
    render_policy_document,
    tf_string,
)
from iamsim.model import World
from iamsim.vocabulary.arn import is_account_id

__all__ = ["FORMATS", "detect", "load", "load_terraform_dir", "read_terraform_dir"]

# -- detection ------------------------------------------------------------------------------------


def _tf_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.tf") if p.is_file())


def detect(source: InputFile | str | os.PathLike[str]) -> bool:
    """True for a directory holding ``*.tf`` files, or a single ``.tf`` file.

    ``source`` is an :class:`~iamsim.ingest.InputFile` (as the format registry passes it) or a
    path.
    """
    path = source.path if isinstance(source, InputFile) else Path(source)
    try:
        if path.is_dir():
            return bool(_tf_files(path))
        return path.is_file() and path.suffix == ".tf"
    except OSError:
        return False


def load(file: InputFile) -> World:
    """The format registry's entry point (see :func:`load_terraform_dir`)."""
    return load_terraform_dir(file.path, source=file.source, scope=file.scope)


FORMATS = (
    InputFormat(
        name="terraform",
        description="a Terraform configuration: a directory of .tf files, or one .tf file",
        detect=detect,
        load=load,
    ),
)


# -- syntax tree helpers --------------------------------------------------------------------------

_SKIP = ("new_line_or_comment",)


def _kids(tree: Tree[Any]) -> list[Any]:
    """Children that carry meaning: no punctuation tokens, no newlines or comments."""
    return [c for c in tree.children if isinstance(c, Tree) and c.data not in _SKIP]


def _line(tree: Any) -> int | None:
    meta = getattr(tree, "meta", None)
    return getattr(meta, "line", None) if meta is not None and not meta.empty else None


def _name_of(tree: Tree[Any]) -> str:
    """The text of an identifier / keyword / literal_value node used as a name."""
    token = tree.children[0]
    return str(token)


def _label_text(tree: Tree[Any]) -> str:
    if tree.data == "string":
        out = []
        for part in tree.children:
            if isinstance(part, Tree) and part.data == "string_part":
                inner = part.children[0]
                if isinstance(inner, Token):
                    out.append(_unescape(str(inner)))
        return "".join(out)
    return _name_of(tree)


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
    """Resolve the backslash escapes of an HCL quoted string."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch != "\\" or i + 1 >= len(text):
            out.append(ch)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt == "u" and i + 6 <= len(text):
            out.append(chr(int(text[i + 2 : i + 6], 16)))
            i += 6
        elif nxt == "U" and i + 10 <= len(text):
            out.append(chr(int(text[i + 2 : i + 10], 16)))
            i += 10
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _traversal(tree: Any) -> str | None:
    """``aws.west`` for the expression ``aws.west`` (a provider reference), else None."""
    if not isinstance(tree, Tree):
        return None
    if tree.data == "expr_term":
        kids = _kids(tree)
        return _traversal(kids[0]) if len(kids) == 1 else None
    if tree.data == "identifier":
        return _name_of(tree)
    if tree.data == "get_attr_expr_term":
        base, attr = _kids(tree)
        head = _traversal(base)
        name = _kids(attr)[0]
        return f"{head}.{_name_of(name)}" if head else None
    if tree.data == "index_expr_term":
        # aws_x.y["k"] / aws_x.y[0] in an import block's `to`: a literal key only.
        base, index = _kids(tree)
        head = _traversal(base)
        inner = _kids(index)[0] if index.data == "braces_index" else None
        kids = _kids(inner) if inner is not None and inner.data == "expr_term" else []
        if head is None or len(kids) != 1:
            return None
        if kids[0].data == "int_lit":
            return f"{head}[{kids[0].children[0]}]"
        if kids[0].data == "string":
            return f"{head}[{json.dumps(_label_text(kids[0]))}]"
    return None


@dataclass
class Block:
    """A block of a configuration file with its attributes (unevaluated) and nested blocks."""

    type: str
    labels: list[str]
    attrs: dict[str, Tree[Any]]
    blocks: list[Block]
    file: str
    line: int | None
    dir: Path

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


def _body(body: Tree[Any], file: str, directory: Path) -> tuple[dict[str, Tree[Any]], list[Block]]:
    attrs: dict[str, Tree[Any]] = {}
    blocks: list[Block] = []
    for item in _kids(body):
        if item.data == "attribute":
            name_tree, expr = _kids(item)
            name = _name_of(name_tree)
            if name in attrs:
                # Terraform: "Attribute redefined" (keeping the last would turn
                # effect = "Deny" ... effect = "Allow" into an Allow).
                raise InputError(
                    f"the argument {name!r} is set twice (first at line "
                    f"{_line(attrs[name]) or '?'})",
                    path=f"line {_line(item) or '?'}",
                    source=file,
                )
            attrs[name] = expr
        elif item.data == "block":
            parts = _kids(item)
            inner = parts[-1]
            block_type = _name_of(parts[0])
            labels = [_label_text(p) for p in parts[1:-1]]
            sub_attrs, sub_blocks = _body(inner, file, directory)
            blocks.append(
                Block(block_type, labels, sub_attrs, sub_blocks, file, _line(item), directory)
            )
    return attrs, blocks


def _parse_text(text: str, source: str) -> Tree[Any]:
    # The HCL parser is slow per token (and its memory is a few hundred bytes per input
    # character): bound the text before parsing, not the time after.
    cap = limits.current().max_hcl_chars
    if len(text) > cap:
        raise InputError(
            f"the HCL text has {len(text):,} characters, more than the limit max_hcl_chars="
            f"{cap:,} (raise it with --limit max_hcl_chars=N)",
            source=source,
        )
    try:
        return hcl2.parses_to_tree(text)
    except RecursionError:
        raise InputError("the file is nested too deeply", source=source) from None
    except LarkError as exc:
        line, column = getattr(exc, "line", None), getattr(exc, "column", None)
        where = f"line {line}, column {column}" if line else ""
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"invalid HCL: {reason}", path=where, source=source) from None


def parse_file(
    path: Path, source: str | None = None, scope: ReadScope | None = None
) -> list[Block]:
    """The top-level blocks of one ``.tf`` file; malformed HCL raises InputError. With
    ``scope``, the file must be inside it (a ``.tf`` symlink leaving the input is refused)."""
    label = source or str(path)
    text = read_text(path, label, scope)
    tree = _parse_text(text, label)
    body = next(c for c in tree.children if isinstance(c, Tree) and c.data == "body")
    attrs, blocks = _body(body, label, path.parent)
    if attrs:
        name = next(iter(attrs))
        raise InputError(
            f"unexpected top-level argument {name!r} (a .tf file holds blocks)",
            path=f"line {_line(attrs[name]) or '?'}",
            source=label,
        )
    return blocks


# -- values ------------------------------------------------------------------------------------------


class Lazy:
    """A value whose attributes are computed on access (a resource, a module, ``var``...)."""

    def get(self, name: str) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def materialize(self) -> Any:
        return Unknown(f"{self} cannot be used as a whole value here")


def _type_name(value: Any) -> str:
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


def _to_str(value: Any) -> Any:
    """Terraform's conversion of a primitive to a string (for templates and string functions)."""
    if isinstance(value, Unknown | str):
        return value
    text = tf_string(value)
    if text is not None:
        return text
    if value is None:
        return Unknown("a null value cannot be used in a string", error=True)
    return Unknown(f"a {_type_name(value)} cannot be used as a string", error=True)


_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def _to_num(value: Any) -> Any:
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
    return Unknown(f"a {_type_name(value)} is not a number", error=True)


def _to_bool(value: Any) -> Any:
    """Terraform's conversion to a bool: a bool, or the strings "true" and "false"."""
    if isinstance(value, Unknown | bool):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    return Unknown(f"a bool is required, not {_type_name(value)} {value!r}", error=True)


def _plain(value: Any) -> Any:
    """Resolve lazy objects inside a value (for jsonencode, for-each and the mapping)."""
    if isinstance(value, Lazy):
        return _plain(value.materialize())
    if isinstance(value, dict):
        _spend(len(value))
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        _spend(len(value))
        return [_plain(v) for v in value]
    return value


# -- limits -------------------------------------------------------------------------------------------


class _LimitError(Exception):
    """An input makes evaluation exceed one of :mod:`iamsim.limits` (reported as an InputError
    located where it happens: Terraform itself fails ``range()`` beyond 1,024 elements, and
    the other caps stand for a machine that would run out of time or memory)."""

    def __init__(self, what: str, limit: str) -> None:
        value = getattr(limits.current(), limit)
        super().__init__(
            f"{what} exceeds the limit {limit}={value:,} (raise it with --limit {limit}=N)"
        )


def _cap(size: int, limit: str, what: str) -> None:
    """Refuse a result of ``size`` (elements or characters) above the limit ``limit``,
    checked before the result is built."""
    if size > getattr(limits.current(), limit):
        raise _LimitError(f"{what} ({size:,})", limit)


class _Budget:
    """The evaluation steps one load has left (``max_evaluation_steps``)."""

    def __init__(self) -> None:
        self.left = limits.current().max_evaluation_steps

    def spend(self, steps: int) -> None:
        self.left -= steps
        if self.left < 0:
            raise _LimitError("evaluating the configuration", "max_evaluation_steps")


_BUDGET: ContextVar[_Budget | None] = ContextVar("iamsim_tf_budget", default=None)


def _spend(steps: int) -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.spend(steps)


def _arith(op: str, a: Any, b: Any) -> Any:
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


def _tf_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and bool(a == b)


# -- type constraints ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Type:
    """A variable's type constraint: ``any``, ``string``, ``number``, ``bool``, ``list``,
    ``set``, ``map`` (``elem``), ``object`` (``attrs``: name, type, optional, default) or
    ``tuple`` (``items``)."""

    kind: str
    elem: _Type | None = None
    attrs: tuple[tuple[str, _Type | None, bool, Any], ...] = ()
    items: tuple[_Type | None, ...] = ()


def _unwrap(tree: Any) -> Any:
    while isinstance(tree, Tree) and tree.data == "expr_term" and len(_kids(tree)) == 1:
        tree = _kids(tree)[0]
    return tree


def _parse_type(tree: Any, evaluate: Callable[[Tree[Any]], Any]) -> _Type | None:
    """The type constraint written in ``tree`` (a ``type = ...`` expression); None for one
    this loader does not read, whose values are then taken as given. ``evaluate`` computes
    the defaults of ``optional(type, default)`` attributes."""
    node = _unwrap(tree)
    if not isinstance(node, Tree):
        return None
    if node.data == "identifier":
        name = _name_of(node)
        return _Type(name) if name in ("any", "string", "number", "bool") else None
    if node.data != "function_call":
        return None
    names = [k for k in _kids(node) if k.data == "identifier"]
    args = next((_kids(k) for k in _kids(node) if k.data == "arguments"), [])
    if len(names) != 1 or len(args) != 1:
        return None
    name = _name_of(names[0])
    if name in ("list", "set", "map"):
        elem = _parse_type(args[0], evaluate)
        return _Type(name, elem=elem)
    inner = _unwrap(args[0])
    if name == "tuple" and isinstance(inner, Tree) and inner.data == "tuple":
        return _Type("tuple", items=tuple(_parse_type(k, evaluate) for k in _kids(inner)))
    if name != "object" or not isinstance(inner, Tree) or inner.data != "object":
        return None
    attrs: list[tuple[str, _Type | None, bool, Any]] = []
    for elem in _kids(inner):
        key_tree, value_tree = _kids(elem)
        key = _unwrap(_kids(key_tree)[0]) if key_tree.data == "object_elem_key" else key_tree
        if not isinstance(key, Tree) or key.data not in ("identifier", "string", "keyword"):
            return None
        attr_name = _label_text(key)
        value = _unwrap(value_tree)
        optional, default = False, None
        if isinstance(value, Tree) and value.data == "function_call":
            ids = [k for k in _kids(value) if k.data == "identifier"]
            if len(ids) == 1 and _name_of(ids[0]) == "optional":
                optional = True
                opt_args = next((_kids(k) for k in _kids(value) if k.data == "arguments"), [])
                if not 1 <= len(opt_args) <= 2:
                    return None
                value = opt_args[0]
                if len(opt_args) == 2:
                    default = evaluate(opt_args[1])
        attr_type = _parse_type(value, evaluate)
        if optional and default is not None:
            default = _convert(default, attr_type, f"the default of {attr_name}")
        attrs.append((attr_name, attr_type, optional, default))
    return _Type("object", attrs=tuple(attrs))


def _convert(value: Any, type_: _Type | None, where: str) -> Any:
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
        converted = {"string": _to_str, "number": _to_num, "bool": _to_bool}[kind](value)
        if isinstance(converted, Unknown):
            return fail(f"a {kind} is required ({converted.reason})")
        return converted
    if kind in ("list", "set"):
        if not isinstance(value, list):
            return fail(f"a {kind} is required, not {_type_name(value)}")
        items = [_convert(v, type_.elem, f"{where}[{i}]") for i, v in enumerate(value)]
        if kind == "set" and find_unknown(items) is None:
            unique: list[Any] = []
            for item in items:
                if not any(_tf_equal(item, u) for u in unique):
                    unique.append(item)
            if all(isinstance(u, str) for u in unique):
                unique.sort()
            items = unique
        return items
    if kind == "tuple":
        if not isinstance(value, list) or len(value) != len(type_.items):
            return fail(f"a tuple of {len(type_.items)} elements is required")
        return [
            _convert(v, t, f"{where}[{i}]")
            for i, (v, t) in enumerate(zip(value, type_.items, strict=True))
        ]
    if not isinstance(value, dict):
        return fail(
            f"an {'object' if kind == 'object' else 'map'} is required, not a {_type_name(value)}"
        )
    if kind == "map":
        return {k: _convert(v, type_.elem, f"{where}[{json.dumps(k)}]") for k, v in value.items()}
    out: dict[str, Any] = {}
    for name, attr_type, optional, default in type_.attrs:
        item = value.get(name)
        if item is None:
            if not optional and name not in value:
                return fail(f"attribute {name!r} is required")
            item = default  # optional(type, default): absent or null
        out[name] = _convert(item, attr_type, f"{where}.{name}")
    return out


# -- templates --------------------------------------------------------------------------------------


def _template_to_quoted(text: str) -> str:
    """Re-encode template text (heredoc body, template file) as a quoted HCL string, so that
    the HCL parser itself parses its interpolations and directives.

    Literal text is escaped for a quoted string; ``${...}`` / ``%{...}`` sequences are copied
    unchanged up to their matching brace (tracking nested braces and quoted strings inside
    them), because their content is an expression, not literal text.
    """
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith(("$${", "%%{"), i):
            out.append(text[i : i + 3])
            i += 3
            continue
        if text.startswith(("${", "%{"), i):
            j, depth, in_str = i + 2, 1, False
            while j < n and depth:
                ch = text[j]
                if in_str:
                    if ch == "\\":
                        j += 1
                    elif ch == '"':
                        in_str = False
                elif ch == '"':
                    in_str = True
                elif ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                j += 1
            out.append(text[i:j])
            i = j
            continue
        ch = text[i]
        out.append({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch, ch))
        i += 1
    return '"' + "".join(out) + '"'


def _heredoc_body(token: str, trim: bool) -> str:
    first_newline = token.index("\n")
    body = token[first_newline + 1 :].rstrip("\r\n")
    lines = body.split("\n")
    lines = lines[:-1]  # the closing marker
    if trim:
        indents = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip()]
        cut = min(indents) if indents else 0
        lines = [ln[cut:] for ln in lines]
    return "\n".join(lines) + ("\n" if lines else "")


_TEMPLATE_CACHE: dict[str, Tree[Any]] = {}


def _template_tree(text: str, source: str) -> Tree[Any]:
    tree = _TEMPLATE_CACHE.get(text)
    if tree is None:
        parsed = _parse_text(f"t = {_template_to_quoted(text)}\n", source)
        body = next(c for c in parsed.children if isinstance(c, Tree) and c.data == "body")
        attribute = next(c for c in _kids(body) if c.data == "attribute")
        tree = _kids(attribute)[1]
        _TEMPLATE_CACHE[text] = tree
    return tree


# -- the evaluator --------------------------------------------------------------------------------

_META = frozenset(
    {"count", "for_each", "provider", "depends_on", "lifecycle", "providers", "source", "version"}
)


@dataclass
class Ctx:
    """Where an expression is evaluated: its module, the names in scope, its file."""

    module: ModuleInstance
    scope: dict[str, Any] = field(default_factory=dict)
    file: str = ""

    def with_vars(self, **names: Any) -> Ctx:
        return Ctx(self.module, {**self.scope, **names}, self.file)


class Evaluator:
    """Evaluates expression trees. One per load (it holds the function table)."""

    def __init__(self, loader: _Loader) -> None:
        self.loader = loader

    def unknown(self, tree: Any, ctx: Ctx, reason: str, *, error: bool = False) -> Unknown:
        """An Unknown located at ``tree``; ``error`` for an expression that fails (see
        :class:`Unknown`), not one that is only known when Terraform runs."""
        line = _line(tree)
        where = f"{ctx.file}:{line}" if line and ctx.file else ctx.file
        return Unknown(f"{where}: {reason}" if where else reason, error=error)

    def ev(self, tree: Any, ctx: Ctx) -> Any:
        if isinstance(tree, Token):
            return self.unknown(None, ctx, f"unexpected token {tree!s}")
        method = getattr(self, f"e_{tree.data}", None)
        if method is None:
            return self.unknown(tree, ctx, f"the expression form {tree.data} is not supported")
        try:
            return method(tree, ctx)
        except _LimitError as exc:
            line = _line(tree)
            raise InputError(
                str(exc), path=f"line {line}" if line else "", source=ctx.file
            ) from None
        except RecursionError:
            # Evaluation recurses with the expression's nesting (and through references):
            # absurd depth is malformed input, reported where it happens, not a traceback.
            line = _line(tree)
            raise InputError(
                "the expression is nested too deeply to evaluate",
                path=f"line {line}" if line else "",
                source=ctx.file,
            ) from None

    # -- terms

    def e_expr_term(self, tree: Tree[Any], ctx: Ctx) -> Any:
        kids = _kids(tree)
        if len(kids) == 1:
            return self.ev(kids[0], ctx)
        return self.unknown(tree, ctx, "malformed expression")

    def e_int_lit(self, tree: Tree[Any], ctx: Ctx) -> Any:
        return int(str(tree.children[0]))

    def e_float_lit(self, tree: Tree[Any], ctx: Ctx) -> Any:
        value = float(str(tree.children[0]))
        return (
            int(value) if value.is_integer() and "e" not in str(tree.children[0]).lower() else value
        )

    def e_literal_value(self, tree: Tree[Any], ctx: Ctx) -> Any:
        return {"true": True, "false": False, "null": None}[str(tree.children[0])]

    def e_tuple(self, tree: Tree[Any], ctx: Ctx) -> Any:
        return [self.ev(k, ctx) for k in _kids(tree)]

    def e_object(self, tree: Tree[Any], ctx: Ctx) -> Any:
        out: dict[str, Any] = {}
        for elem in _kids(tree):
            key_tree, value_tree = _kids(elem)
            key_kids = _kids(key_tree)
            key_expr = key_kids[0]
            if key_expr.data == "keyword":
                key: Any = _name_of(key_expr)
            else:
                inner = _kids(key_expr)
                # A bare identifier as a key is the key's name, not a reference.
                if (
                    key_expr.data == "expr_term"
                    and len(inner) == 1
                    and inner[0].data == "identifier"
                ):
                    key = _name_of(inner[0])
                else:
                    key = _to_str(self.ev(key_expr, ctx))
            if isinstance(key, Unknown):
                return key
            out[key] = self.ev(value_tree, ctx)
        return out

    def e_string(self, tree: Tree[Any], ctx: Ctx) -> Any:
        parts = [c for c in tree.children if isinstance(c, Tree) and c.data == "string_part"]
        return self.template(parts, ctx)

    def e_template_string(self, tree: Tree[Any], ctx: Ctx) -> Any:
        text = str(tree.children[0])
        return _unescape(text[2:-2])

    def e_heredoc_template(self, tree: Tree[Any], ctx: Ctx) -> Any:
        body = _heredoc_body(str(tree.children[0]), trim=False)
        return self.ev(_template_tree(body, ctx.file), ctx)

    def e_heredoc_template_trim(self, tree: Tree[Any], ctx: Ctx) -> Any:
        body = _heredoc_body(str(tree.children[0]), trim=True)
        return self.ev(_template_tree(body, ctx.file), ctx)

    def template(self, parts: Sequence[Tree[Any]], ctx: Ctx) -> Any:
        """Evaluate string parts, including ``%{if}`` / ``%{for}`` directives."""
        items: list[Any] = []  # str literal | ("interp", tree) | (directive, tree)
        for part in parts:
            inner = part.children[0]
            if isinstance(inner, Token):
                text = str(inner)
                if inner.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                    items.append(text[1:])  # $${ -> ${ and %%{ -> %{
                else:
                    items.append(_unescape(text))
            else:
                items.append((inner.data, inner))
        pos, value = self._template_seq(items, 0, ctx, stop=())
        if pos != len(items):
            return self.unknown(parts[0] if parts else None, ctx, "unbalanced template directive")
        return value

    def _template_seq(
        self, items: list[Any], pos: int, ctx: Ctx, stop: tuple[str, ...]
    ) -> tuple[int, Any]:
        out: list[str] = []
        size = 0  # characters in out (a template's result is capped as it grows)
        unknown: Unknown | None = None
        strip_next = False
        while pos < len(items):
            item = items[pos]
            if isinstance(item, str):
                out.append(item.lstrip() if strip_next else item)
                strip_next = False
                pos += 1
                continue
            kind, tree = item
            if kind in stop:
                return pos, unknown or "".join(out)
            strips = [c for c in tree.children if isinstance(c, Token) and c.type == "STRIP_MARKER"]
            tokens = [c for c in tree.children if isinstance(c, Token)]
            if strips and tokens and tokens[1].type == "STRIP_MARKER" and out:
                out[-1] = out[-1].rstrip()
            strip_next = bool(strips) and tokens[-2].type == "STRIP_MARKER"
            if kind == "interpolation":
                value = _to_str(_plain(self.ev(_kids(tree)[0], ctx)))
                if isinstance(value, Unknown):
                    unknown = unknown or value
                else:
                    out.append(value)
                    size += len(value)
                    _cap(size, "max_string_chars", "the template's result")
                pos += 1
            elif kind == "template_if_start":
                cond = _to_bool(_plain(self.ev(_kids(tree)[0], ctx)))
                pos, then_value = self._template_seq(
                    items, pos + 1, ctx, ("template_else", "template_endif")
                )
                else_value: Any = ""
                if pos < len(items) and items[pos][0] == "template_else":
                    pos, else_value = self._template_seq(items, pos + 1, ctx, ("template_endif",))
                if pos >= len(items):
                    return pos, self.unknown(tree, ctx, "%{if} without %{endif}")
                pos += 1
                if isinstance(cond, Unknown):
                    unknown = unknown or cond
                else:
                    chosen = then_value if cond else else_value
                    if isinstance(chosen, Unknown):
                        unknown = unknown or chosen
                    else:
                        out.append(chosen)
            elif kind == "template_for_start":
                names = [_name_of(k) for k in _kids(tree) if k.data == "identifier"]
                coll_tree = next(k for k in _kids(tree) if k.data != "identifier")
                collection = _plain(self.ev(coll_tree, ctx))
                body_start = pos + 1
                end, _ = self._template_seq(items, body_start, ctx, ("template_endfor",))
                if end >= len(items):
                    return end, self.unknown(tree, ctx, "%{for} without %{endfor}")
                if isinstance(collection, Unknown):
                    unknown = unknown or collection
                else:
                    for key, val in self._iterate(collection):
                        _spend(1)
                        names_map = (
                            {names[0]: key, names[1]: val} if len(names) == 2 else {names[0]: val}
                        )
                        _, text = self._template_seq(
                            items, body_start, ctx.with_vars(**names_map), ("template_endfor",)
                        )
                        if isinstance(text, Unknown):
                            unknown = unknown or text
                        else:
                            out.append(text)
                            size += len(text)
                            _cap(size, "max_string_chars", "the template's result")
                pos = end + 1
            else:
                return pos, self.unknown(tree, ctx, f"unexpected {kind}")
        return pos, unknown or "".join(out)

    # -- names and traversal

    def e_identifier(self, tree: Tree[Any], ctx: Ctx) -> Any:
        name = _name_of(tree)
        if name in ctx.scope:
            return ctx.scope[name]
        module = ctx.module
        if name == "var":
            return _Namespace(f"{module.prefix}var", module.variable)
        if name == "local":
            return _Namespace(f"{module.prefix}local", module.local)
        if name == "data":
            return _Namespace(
                f"{module.prefix}data",
                lambda rtype: _Namespace(
                    f"data.{rtype}", lambda n: module.resource("data", rtype, n)
                ),
            )
        if name == "module":
            return _Namespace(f"{module.prefix}module", module.call)
        if name == "path":
            # As when Terraform runs in the root module's directory: path.module is relative
            # to it, and relative file names are resolved against it.
            root = self.loader.root_dir
            return {"module": os.path.relpath(module.dir, root), "root": ".", "cwd": str(root)}
        if name == "terraform":
            return _Namespace("terraform", lambda attr: self._terraform(attr, tree, ctx))
        if name in ("count", "each", "self"):
            return self.unknown(tree, ctx, f"{name} is not available here")
        return _Namespace(name, lambda n: module.resource("managed", name, n))

    def _terraform(self, attr: str, tree: Tree[Any], ctx: Ctx) -> Any:
        if attr != "workspace":
            return self.unknown(tree, ctx, f"terraform.{attr} is not known offline")
        if not self.loader.workspace_noted:
            self.loader.workspace_noted = True
            line = _line(tree)
            self.loader.warnings.add(
                f"{ctx.file}:{line}" if line and ctx.file else ctx.file,
                "",
                "terraform.workspace is read as 'default' (the workspace is chosen when "
                "Terraform runs; what depends on it is modeled for the default workspace)",
            )
        return "default"

    def _get_attr(self, value: Any, name: str, tree: Tree[Any], ctx: Ctx) -> Any:
        if isinstance(value, Unknown):
            return value
        if isinstance(value, Lazy):
            return value.get(name)
        if isinstance(value, dict):
            if name in value:
                return value[name]
            return self.unknown(tree, ctx, f"the object has no attribute {name!r}", error=True)
        if isinstance(value, list) and name.isdigit():  # legacy list.0 syntax
            return self._index(value, int(name), tree, ctx)
        return self.unknown(
            tree, ctx, f"a {_type_name(value)} has no attribute {name!r}", error=True
        )

    def _index(self, value: Any, key: Any, tree: Tree[Any], ctx: Ctx) -> Any:
        if isinstance(value, Unknown):
            return value
        if isinstance(key, Unknown):
            return key
        if isinstance(value, Lazy):
            value = value.materialize()
            if isinstance(value, Unknown):
                return value
        if isinstance(value, list):
            number = _to_num(key)
            if isinstance(number, Unknown) or not float(number).is_integer():
                return self.unknown(tree, ctx, f"invalid list index {key!r}", error=True)
            if not 0 <= int(number) < len(value):
                return self.unknown(tree, ctx, f"index {key!r} is out of range", error=True)
            return value[int(number)]
        if isinstance(value, dict):
            text = _to_str(key)
            if isinstance(text, Unknown) or text not in value:
                return self.unknown(tree, ctx, f"no element with key {key!r}", error=True)
            return value[text]
        return self.unknown(tree, ctx, f"a {_type_name(value)} cannot be indexed", error=True)

    def _apply_traversal(self, value: Any, ops: Sequence[Tree[Any]], ctx: Ctx) -> Any:
        for op in ops:
            if op.data == "get_attr":
                value = self._get_attr(value, _name_of(_kids(op)[0]), op, ctx)
            elif op.data == "braces_index":
                value = self._index(value, _plain(self.ev(_kids(op)[0], ctx)), op, ctx)
            elif op.data == "short_index":
                value = self._index(value, int(str(op.children[-1])), op, ctx)
        return value

    def e_get_attr_expr_term(self, tree: Tree[Any], ctx: Ctx) -> Any:
        base, op = _kids(tree)
        return self._apply_traversal(self.ev(base, ctx), [op], ctx)

    def e_index_expr_term(self, tree: Tree[Any], ctx: Ctx) -> Any:
        base, op = _kids(tree)
        return self._apply_traversal(self.ev(base, ctx), [op], ctx)

    def _splat(self, tree: Tree[Any], ctx: Ctx) -> Any:
        base, splat = _kids(tree)
        value = self.ev(base, ctx)
        if isinstance(value, Unknown):
            return value
        if isinstance(value, Lazy):
            value = value.materialize()
        if isinstance(value, dict):
            value = list(value.values())
        elif value is None:
            value = []
        elif not isinstance(value, list):
            value = [value]
        return [self._apply_traversal(item, _kids(splat), ctx) for item in value]

    e_attr_splat_expr_term = _splat
    e_full_splat_expr_term = _splat

    # -- operators

    def e_conditional(self, tree: Tree[Any], ctx: Ctx) -> Any:
        cond, then, other = _kids(tree)
        value = _to_bool(_plain(self.ev(cond, ctx)))  # "true"/"false" convert, as in Terraform
        if isinstance(value, Unknown):
            if value.error:
                return self.unknown(tree, ctx, f"the condition: {value.reason}", error=True)
            return value
        return self.ev(then if value else other, ctx)

    def e_unary_op(self, tree: Tree[Any], ctx: Ctx) -> Any:
        op = str(tree.children[0])
        value = self.ev(_kids(tree)[0], ctx)
        if isinstance(value, Unknown):
            return value
        if op == "!":
            flag = _to_bool(_plain(value))
            if isinstance(flag, Unknown):
                return self.unknown(tree, ctx, f"!: {flag.reason}", error=True)
            return not flag
        number = _to_num(value)
        return -number if not isinstance(number, Unknown) else number

    def e_binary_op(self, tree: Tree[Any], ctx: Ctx) -> Any:
        left_tree, term = _kids(tree)[:2]
        op_tree, right_tree = _kids(term)
        op = str(op_tree.children[0])
        left = self.ev(left_tree, ctx)
        if op in ("&&", "||") and left in ("true", "false"):
            left = left == "true"
        # && and || short-circuit on a decided left side.
        if isinstance(left, bool) and ((op == "&&" and not left) or (op == "||" and left)):
            return left
        right = self.ev(right_tree, ctx)
        left, right = _plain(left), _plain(right)
        if op in ("==", "!=") and (left is None or right is None):
            # Whether a (partly unknown) value is null is known.
            failed = next((x for x in (left, right) if isinstance(x, Unknown)), None)
        else:
            failed = _find_error([left, right]) or find_unknown([left, right])
        if failed is not None:
            return failed
        if op == "==":
            return _tf_equal(left, right)
        if op == "!=":
            return not _tf_equal(left, right)
        if op in ("&&", "||"):
            left, right = _to_bool(left), _to_bool(right)
            if not isinstance(left, bool) or not isinstance(right, bool):
                return self.unknown(tree, ctx, f"{op} needs bools", error=True)
            return left and right if op == "&&" else left or right
        a, b = _to_num(left), _to_num(right)
        if isinstance(a, Unknown):
            return a
        if isinstance(b, Unknown):
            return b
        try:
            result = _arith(op, a, b)
        except ZeroDivisionError:
            return self.unknown(tree, ctx, "division by zero", error=True)
        if isinstance(result, float) and result.is_integer() and op != "/":
            return int(result)
        return result

    # -- for expressions

    @staticmethod
    def _iterate(collection: Any) -> Iterator[tuple[Any, Any]]:
        if isinstance(collection, dict):
            for key in sorted(collection):
                yield key, collection[key]
        elif isinstance(collection, list):
            yield from enumerate(collection)

    def _for(self, tree: Tree[Any], ctx: Ctx, *, is_object: bool) -> Any:
        kids = _kids(tree)
        intro = kids[0]
        names = [_name_of(k) for k in _kids(intro) if k.data == "identifier"]
        coll_tree = next(k for k in _kids(intro) if k.data != "identifier")
        collection = _plain(self.ev(coll_tree, ctx))
        if isinstance(collection, Unknown):
            return collection
        if not isinstance(collection, dict | list):
            return self.unknown(
                tree, ctx, f"cannot iterate over a {_type_name(collection)}", error=True
            )
        cond_tree = kids[-1] if kids[-1].data == "for_cond" else None
        exprs = [k for k in kids[1:] if k is not cond_tree]
        grouping = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in tree.children)
        out_list: list[Any] = []
        out_obj: dict[str, Any] = {}
        for key, val in self._iterate(collection):
            _spend(1)
            names_map = {names[0]: key, names[1]: val} if len(names) == 2 else {names[0]: val}
            inner = ctx.with_vars(**names_map)
            if cond_tree is not None:
                keep = self.ev(_kids(cond_tree)[0], inner)
                if isinstance(keep, Unknown):
                    return keep
                if not keep:
                    continue
            if not is_object:
                out_list.append(self.ev(exprs[0], inner))
                continue
            k = _to_str(_plain(self.ev(exprs[0], inner)))
            if isinstance(k, Unknown):
                return k
            v = self.ev(exprs[1], inner)
            if grouping:
                out_obj.setdefault(k, []).append(v)
            elif k in out_obj:
                return self.unknown(
                    tree, ctx, f"duplicate key {k!r} in a for expression", error=True
                )
            else:
                out_obj[k] = v
        return out_obj if is_object else out_list

    def e_for_tuple_expr(self, tree: Tree[Any], ctx: Ctx) -> Any:
        return self._for(tree, ctx, is_object=False)

    def e_for_object_expr(self, tree: Tree[Any], ctx: Ctx) -> Any:
        return self._for(tree, ctx, is_object=True)

    # -- functions

    def e_function_call(self, tree: Tree[Any], ctx: Ctx) -> Any:
        kids = _kids(tree)
        names = [_name_of(k) for k in kids if k.data == "identifier"]
        name = names[-1] if len(names) == 1 else "::".join(names)
        arg_trees: list[Tree[Any]] = []
        expand = False
        for k in kids:
            if k.data == "arguments":
                arg_trees = _kids(k)
                expand = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in k.children)
        if name in ("try", "can"):
            return self._try(name, arg_trees, ctx, tree)
        func = _FUNCTIONS.get(name)
        if func is None:
            return self.unknown(tree, ctx, f"the function {name}() is not supported offline")
        args = [_plain(self.ev(a, ctx)) for a in arg_trees]
        if expand and args:
            last = args.pop()
            if isinstance(last, Unknown):
                return last
            if not isinstance(last, list):
                return self.unknown(tree, ctx, "... needs a list", error=True)
            args.extend(last)
        # A function of an unknown value is unknown (try() and can() are handled above); of
        # a failed expression, failed.
        unknown = _find_error(args) or find_unknown(args)
        if unknown is not None:
            return unknown
        try:
            return func(_Call(self, ctx, tree), *args)
        except _LimitError as exc:
            line = _line(tree)
            raise InputError(
                f"{name}(): {exc}", path=f"line {line}" if line else "", source=ctx.file
            ) from None
        except _FunctionError as exc:
            return self.unknown(tree, ctx, f"{name}(): {exc}", error=True)
        except _Unsupported as exc:
            return self.unknown(tree, ctx, f"{name}(): {exc} are not supported")
        except (TypeError, ValueError, KeyError, IndexError) as exc:
            return self.unknown(tree, ctx, f"{name}(): invalid arguments ({exc})")

    def _try(self, name: str, arg_trees: list[Tree[Any]], ctx: Ctx, tree: Tree[Any]) -> Any:
        # An expression that fails (an Unknown marked error: no regex match, a missing key)
        # makes can() false and try() move on; a value only known when Terraform runs does
        # neither (Terraform cannot tell yet either), so it stays unknown.
        if name == "can":
            if len(arg_trees) != 1:
                return self.unknown(tree, ctx, "can() takes one argument", error=True)
            value = _plain(self.ev(arg_trees[0], ctx))
            if _find_error(value) is not None:
                return False
            unknown = find_unknown(value)
            return unknown if unknown is not None else True
        last: Any = self.unknown(tree, ctx, "try() needs arguments", error=True)
        for arg in arg_trees:
            value = _plain(self.ev(arg, ctx))
            error = _find_error(value)
            if error is None:
                return value  # known, or unknown until Terraform runs
            last = error
        return last


def _find_error(value: Any) -> Unknown | None:
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
        found = _find_error(item)
        if found is not None:
            return found
    return None


@dataclass
class _Call:
    evaluator: Evaluator
    ctx: Ctx
    tree: Tree[Any]

    def path(self, text: str) -> Path:
        path = Path(text)
        return path if path.is_absolute() else self.evaluator.loader.root_dir / path


class _FunctionError(Exception):
    """The function fails for these arguments, as it would in Terraform (an error value)."""


class _Unsupported(Exception):
    """iamsim does not implement this use of the function (an unknown value, not an error)."""


def _need(cond: bool, message: str) -> None:
    if not cond:
        raise _FunctionError(message)


def _encoded_size(value: Any, cap: int) -> int:
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


def _jsonencode(call: _Call, value: Any) -> str:
    cap = limits.current().max_string_chars
    _cap(_encoded_size(value, cap), "max_string_chars", "the JSON text")
    # Terraform renders object attributes in lexical order, compactly.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _jsondecode(call: _Call, text: str) -> Any:
    try:
        return load_json(text)
    except json.JSONDecodeError as exc:
        raise _FunctionError(f"invalid JSON ({exc.msg}, line {exc.lineno})") from None
    except InputError as exc:
        # A key given twice (Terraform's jsondecode rejects it too) or absurd nesting is
        # malformed input, not something to leave unknown.
        line = _line(call.tree)
        where = f"{call.ctx.file}:{line}" if line and call.ctx.file else call.ctx.file
        raise InputError(f"jsondecode(): {exc.reason}", path=exc.path or "", source=where) from None


# -- file functions: every read goes through the input's ReadScope (see read_scope), so a
# path leaving the root module's tree, a symlink out of it, /proc or a device is never read:
# the value is unknown (not an error, so try() and can() do not pick a fallback in its place)
# with a note naming the call, and whatever needs it is unresolved.


def _read_file(call: _Call, fn: str, name: Any) -> bytes | Unknown:
    text = _str_arg(name)
    reference = f"{fn}({text!r})"
    try:
        return call.evaluator.loader.scope.read_bytes(call.path(text), reference)
    except ReadRefused as exc:
        return call.evaluator.unknown(call.tree, call.ctx, f"{exc.reason}; the value is unknown")
    except InputError as exc:
        return call.evaluator.unknown(call.tree, call.ctx, exc.reason)


def _utf8(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _FunctionError(f"the contents of {name!r} are not valid UTF-8") from None


def _file(call: _Call, name: Any) -> Any:
    data = _read_file(call, "file", name)
    return data if isinstance(data, Unknown) else _utf8(data, str(name))


def _filebase64(call: _Call, name: Any) -> Any:
    data = _read_file(call, "filebase64", name)
    return data if isinstance(data, Unknown) else base64.b64encode(data).decode("ascii")


def _file_digest(fn: str, algorithm: str, *, as_base64: bool) -> Callable[..., Any]:
    """``filemd5``, ``filesha256``, ``filebase64sha512``...: a digest of the file's bytes."""

    def func(call: _Call, name: Any) -> Any:
        data = _read_file(call, fn, name)
        if isinstance(data, Unknown):
            return data
        digest = hashlib.new(algorithm, data)
        return (
            base64.b64encode(digest.digest()).decode("ascii") if as_base64 else digest.hexdigest()
        )

    return func


def _fileexists(call: _Call, name: Any) -> Any:
    text = _str_arg(name)
    try:
        target = call.evaluator.loader.scope.resolve(call.path(text), f"fileexists({text!r})")
    except ReadRefused as exc:
        # Not false: whether the file exists outside the input is not ours to look at.
        return call.evaluator.unknown(call.tree, call.ctx, f"{exc.reason}; the value is unknown")
    if not os.path.lexists(target):
        return False
    if target.is_file():
        return True
    raise _FunctionError(f"{text!r} is not a regular file")


def _fileset(call: _Call, path: Any, pattern: Any) -> Any:
    """Terraform's ``fileset``: the files under ``path`` matching ``pattern`` (``*`` within a
    name, ``**`` any number of folders), relative to ``path``, listed inside the scope only."""
    base, glob = _str_arg(path), _str_arg(pattern)
    reference = f"fileset({base!r}, {glob!r})"
    scope = call.evaluator.loader.scope
    parts = glob.split("/")
    try:
        root = scope.resolve(call.path(base), reference)
        if glob.startswith("/") or ".." in parts:
            raise ReadRefused(f"{reference} refers to files outside the input")
    except ReadRefused as exc:
        return call.evaluator.unknown(call.tree, call.ctx, f"{exc.reason}; the value is unknown")
    if "{" in glob:
        raise _Unsupported("{a,b} alternatives in patterns")
    if not root.is_dir():
        return []
    cap = limits.current().max_collection_elements
    found: list[str] = []
    seen = 0
    # os.walk does not descend into symlinked folders; a matching symlink that leaves the
    # scope makes the whole set unknown rather than silently shorter.
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        seen += len(dirs) + len(files)
        if seen > cap:
            return call.evaluator.unknown(
                call.tree, call.ctx, f"{reference}: more than {cap} entries to list"
            )
        for name in files:
            full = Path(folder) / name
            rel = full.relative_to(root).as_posix()
            if not _glob_match(parts, rel.split("/")):
                continue
            if not scope.allows(full):
                return call.evaluator.unknown(
                    call.tree,
                    call.ctx,
                    f"{reference}: {rel!r} refers to a file outside the input (pass "
                    "--allow-read PATH to allow it); the value is unknown",
                )
            if full.is_file():
                found.append(rel)
    return sorted(found)


def _glob_match(pattern: list[str], parts: list[str]) -> bool:
    """Whether path ``parts`` match the glob segments ``pattern`` (``**`` any number of
    segments), in time linear in their product (no backtracking)."""

    def closure(states: set[int]) -> set[int]:
        out = set(states)
        for i in sorted(states):
            while i < len(pattern) and pattern[i] == "**":
                i += 1
                out.add(i)
        return out

    states = closure({0})
    for part in parts:
        following: set[int] = set()
        for i in states:
            if i >= len(pattern):
                continue
            if pattern[i] == "**":
                following.add(i)
            elif fnmatch.fnmatchcase(part, pattern[i]):
                following.add(i + 1)
        states = closure(following)
        if not states:
            return False
    return len(pattern) in states


def _templatefile(call: _Call, name: Any, variables: Any = None) -> Any:
    data = _read_file(call, "templatefile", name)
    if isinstance(data, Unknown):
        return data
    text = _utf8(data, str(name))
    _need(variables is None or isinstance(variables, dict), "the variables must be an object")
    tree = _template_tree(text, str(call.path(name)))
    inner = Ctx(call.ctx.module, dict(variables or {}), str(call.path(name)))
    return call.evaluator.ev(tree, inner)


# format() and formatlist(): Terraform's verbs (cty's function/stdlib/format.go), which follow
# Go's fmt for numbers (math/big's Int and Float formatting) and pad strings themselves.
_FORMAT_SPEC = re.compile(
    r"%(?P<flags>[-+# 0]*)(?:\[(?P<index>[1-9][0-9]*)\])?(?P<width>[1-9][0-9]*|\*)?"
    r"(?:\.(?P<prec>[0-9]*|\*))?(?P<verb>[A-Za-z])?"
)


@dataclass(frozen=True)
class _Verb:
    raw: str
    verb: str
    width: int | None
    prec: int | None
    minus: bool
    plus: bool
    space: bool
    zero: bool
    sharp: bool

    def pad(self, text: str) -> str:
        """cty's formatPadWidth (strings, %v): zeros or spaces, right with '-'."""
        if self.width is None or len(text) >= self.width:
            return text
        pad = ("0" if self.zero else " ") * (self.width - len(text))
        return text + pad if self.minus else pad + text


def _go_json(value: Any) -> str:
    """JSON as Go's encoding/json writes it for cty (%#v, %q): compact, keys sorted, numbers
    without exponent, and <, >, & escaped."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(tf_string(value))
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
            text = text.replace(ch, esc)
        return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    if isinstance(value, list):
        return "[" + ",".join(_go_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ",".join(f"{_go_json(str(k))}:{_go_json(value[k])}" for k in sorted(value)) + "}"
        )
    raise _FunctionError(f"cannot format a {_type_name(value)}")


def _decimal_digits(number: int | float) -> tuple[bool, str, int]:
    """(negative, digits, exp) with the value 0.digits x 10**exp and no leading or trailing
    zero digit (Go's math/big decimal); a float's digits are its shortest representation."""
    sign, digits, exponent = (
        Decimal(number) if isinstance(number, int) else Decimal(repr(number))
    ).as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits)).lstrip("0")
    if not text:
        return bool(sign), "", 0
    return bool(sign), text.rstrip("0"), len(text) + exponent


def _round_digits(mant: str, exp: int, n: int) -> tuple[str, int]:
    """Go's decimal.round: to ``n`` digits, a last digit 5 rounding half to even."""
    if n < 0 or n >= len(mant):
        return mant, exp
    digit = mant[n]
    up = digit > "5" or (
        digit == "5" and (n + 1 < len(mant) or (n > 0 and int(mant[n - 1]) % 2 == 1))
    )
    if not up:
        kept = mant[:n].rstrip("0")
        return kept, exp if kept else 0
    i = n
    while i > 0 and mant[i - 1] == "9":
        i -= 1
    if i == 0:
        return "1", exp + 1
    return mant[: i - 1] + chr(ord(mant[i - 1]) + 1), exp


def _fmt_e(mant: str, exp: int, prec: int, letter: str) -> str:
    out = mant[0] if mant else "0"
    if prec > 0:
        frac = mant[1 : prec + 1]
        out += "." + frac + "0" * (prec - len(frac))
    e = exp - 1 if mant else 0
    return f"{out}{letter}{'-' if e < 0 else '+'}{abs(e):02d}"


def _fmt_f(mant: str, exp: int, prec: int) -> str:
    out = (mant[:exp] + "0" * max(0, exp - len(mant))) if exp > 0 else "0"
    if prec > 0:
        out += "." + "".join(
            mant[exp + i] if 0 <= exp + i < len(mant) else "0" for i in range(prec)
        )
    return out


def _go_float(number: int | float, verb: str, prec: int | None) -> tuple[bool, str]:
    """math/big Float.Text: ``%e %E %f %g %G`` (precision None: the default, 6, or for %g
    the shortest representation). Returns (negative, digits without sign)."""
    neg, mant, exp = _decimal_digits(number)
    kind = verb.lower()
    shortest = prec is None and kind == "g"
    p = 6 if prec is None else prec
    if shortest:
        p = len(mant)
    elif kind == "e":
        mant, exp = _round_digits(mant, exp, 1 + p)
    elif kind == "f":
        mant, exp = _round_digits(mant, exp, exp + p)
    else:
        p = max(p, 1)
        mant, exp = _round_digits(mant, exp, p)
    letter = "E" if verb in "EG" else "e"
    if kind == "e":
        return neg, _fmt_e(mant, exp, p, letter)
    if kind == "f":
        return neg, _fmt_f(mant, exp, p)
    eprec = p
    if eprec > len(mant) and len(mant) >= exp:
        eprec = len(mant)
    if shortest:
        eprec = 6
    if exp - 1 < -4 or exp - 1 >= eprec:
        return neg, _fmt_e(mant, exp, min(p, len(mant)) - 1, letter)
    if p > exp:
        p = len(mant)
    return neg, _fmt_f(mant, exp, max(p - exp, 0))


def _format_number(v: _Verb, value: Any) -> str:
    number = _to_num(value)
    if isinstance(number, Unknown):
        raise _FunctionError(f"unsupported value for {v.raw!r}: {number.reason}")
    if v.verb in "bdoxX":
        if isinstance(number, float):
            _need(number.is_integer(), f"unsupported value for {v.raw!r}: an integer is required")
            number = int(number)
        # math/big Int.Format: [left pad][sign][prefix][zero pad][digits][right pad]
        digits = format(abs(number), v.verb)
        sign = "-" if number < 0 else "+" if v.plus else " " if v.space else ""
        prefix = {"b": "0b", "o": "0", "x": "0x", "X": "0X"}.get(v.verb, "") if v.sharp else ""
        zeros = 0
        if v.prec is not None:
            if len(digits) < v.prec:
                zeros = v.prec - len(digits)
            elif digits == "0" and v.prec == 0:
                return ""
        length = len(sign) + len(prefix) + zeros + len(digits)
        left = right = 0
        if v.width is not None and length < v.width:
            if v.minus:
                right = v.width - length
            elif v.zero and v.prec is None:
                zeros += v.width - length
            else:
                left = v.width - length
        return " " * left + sign + prefix + "0" * zeros + digits + " " * right
    neg, text = _go_float(number, v.verb, v.prec)
    # math/big Float.Format: sign, then zeros (flag 0) or spaces around.
    sign = "-" if neg else "+" if v.plus else " " if v.space else ""
    padding = max(0, (v.width or 0) - len(sign) - len(text))
    if v.zero and not v.minus:
        return sign + "0" * padding + text
    if v.minus:
        return sign + text + " " * padding
    return " " * padding + sign + text


def _format_one(v: _Verb, value: Any) -> str:
    if v.verb != "v" and value is None:
        raise _FunctionError(f"unsupported value for {v.raw!r}: null value cannot be formatted")
    if v.verb == "v":
        if not v.sharp and isinstance(value, str):
            return v.pad(value)
        if not v.sharp and isinstance(value, int | float) and not isinstance(value, bool):
            neg, text = _go_float(value, "g", None)
            return v.pad(("-" if neg else "") + text)
        return v.pad(_go_json(value))
    if v.verb == "t":
        flag = _to_bool(value)
        if isinstance(flag, Unknown):
            raise _FunctionError(f"unsupported value for {v.raw!r}: {flag.reason}")
        return "true" if flag else "false"
    if v.verb in "bdoxXeEfgG":
        return _format_number(v, value)
    if v.verb in "sq":
        text = _to_str(value)
        if isinstance(text, Unknown):
            raise _FunctionError(f"unsupported value for {v.raw!r}: {text.reason}")
        if v.prec is not None and v.prec > 0:
            text = text[: v.prec]
        return v.pad(text if v.verb == "s" else _go_json(text))
    raise _FunctionError(f"unsupported format verb %{v.verb} in {v.raw!r}")


def _format(call: _Call, fmt: Any, *args: Any) -> str:
    _need(isinstance(fmt, str), "the format must be a string")
    out: list[str] = []
    size = 0  # characters formatted so far
    pos, next_arg = 0, 1
    while pos < len(fmt):
        start = fmt.find("%", pos)
        if start < 0:
            out.append(fmt[pos:])
            break
        out.append(fmt[pos:start])
        if fmt.startswith("%%", start):
            out.append("%")
            pos = start + 2
            continue
        match = _FORMAT_SPEC.match(fmt, start)
        assert match is not None  # every part of the pattern is optional
        if match.group("verb") is None:
            raise _FunctionError(f"invalid format string starting at offset {start}")
        if "*" in (match.group("width"), match.group("prec")):
            raise _Unsupported(f"{match.group(0)!r}: widths and precisions from arguments")
        flags = match.group("flags")
        prec = match.group("prec")
        verb = _Verb(
            raw=match.group(0),
            verb=match.group("verb"),
            width=int(match.group("width")) if match.group("width") else None,
            prec=None if prec is None else int(prec or "0"),
            minus="-" in flags,
            plus="+" in flags,
            space=" " in flags,
            zero="0" in flags,
            sharp="#" in flags,
        )
        # A width or precision is a size to allocate: refuse an absurd one before padding.
        _cap(verb.width or 0, "max_string_chars", f"the width of {verb.raw!r}")
        _cap(verb.prec or 0, "max_string_chars", f"the precision of {verb.raw!r}")
        number = int(match.group("index")) if match.group("index") else next_arg
        _need(
            number <= len(args),
            f"not enough arguments for {verb.raw!r} at {start}: need index {number} but have "
            f"{len(args)} total",
        )
        out.append(_format_one(verb, args[number - 1]))
        size += len(out[-1])
        _cap(size, "max_string_chars", "the formatted string")
        next_arg = number + 1
        pos = match.end()
    return "".join(out)


def _formatlist(call: _Call, fmt: Any, *args: Any) -> list[str]:
    lengths = {len(a) for a in args if isinstance(a, list)}
    _need(len(lengths) <= 1, "the list arguments have different lengths")
    count = lengths.pop() if lengths else 1
    _cap(count, "max_collection_elements", "the list of strings")
    out: list[str] = []
    size = 0
    for i in range(count):
        out.append(_format(call, fmt, *(a[i] if isinstance(a, list) else a for a in args)))
        size += len(out[-1])
        _cap(size, "max_string_chars", "the formatted strings together")
    return out


def _replace(call: _Call, text: str, search: str, repl: str) -> str:
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        pattern = _regexp(search[1:-1])
        out: list[str] = []
        size, last = 0, 0
        for count, match in enumerate(_find_all(pattern, text), 1):
            # Each match costs the RE2 binding microseconds: their number is capped too.
            _cap(count, "max_collection_elements", "the matches of the pattern")
            out.append(text[last : match.start()])
            out.append(_expand(repl, match))
            size += len(out[-2]) + len(out[-1])
            _cap(size, "max_string_chars", "the result")
            last = match.end()
        out.append(text[last:])
        _cap(size + len(out[-1]), "max_string_chars", "the result")
        return "".join(out)
    if search:
        # The result's size is known before it is built.
        growth = text.count(search) * (len(repl) - len(search))
        _cap(len(text) + growth, "max_string_chars", "the result")
    else:
        _cap(len(text) + (len(text) + 1) * len(repl), "max_string_chars", "the result")
    return text.replace(search, repl)


def _tolist(call: _Call, value: Any) -> list[Any]:
    if isinstance(value, dict):
        raise _FunctionError("cannot convert an object to a list")
    return list(value)


def _set_key(value: Any) -> tuple[str, Any] | None:
    """A hashable key equal for values Terraform finds equal (a bool is not a number), or
    None for a collection (compared one by one)."""
    if value is None:
        return ("null", None)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", value)
    if isinstance(value, str):
        return ("string", value)
    return None


def _unique(items: list[Any]) -> list[Any]:
    """The first of each group of equal items, in order: linear for primitives (a quadratic
    scan of a long list would never finish), element by element for collections."""
    seen: set[tuple[str, Any]] = set()
    others: list[Any] = []
    unique: list[Any] = []
    for item in items:
        key = _set_key(item)
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        elif any(_tf_equal(item, u) for u in others):
            continue
        else:
            others.append(item)
        unique.append(item)
    return unique


def _member(collection: list[Any]) -> Callable[[Any], bool]:
    """A test of membership in ``collection`` (Terraform equality), linear to build."""
    keys = {_set_key(x) for x in collection}
    others = [x for x in collection if _set_key(x) is None]

    def test(item: Any) -> bool:
        key = _set_key(item)
        return key in keys if key is not None else any(_tf_equal(item, o) for o in others)

    return test


def _setintersection(call: _Call, first: list[Any], *rest: list[Any]) -> list[Any]:
    tests = [_member(s) for s in rest]
    return _toset(call, [x for x in first if all(test(x) for test in tests)])


def _setsubtract(call: _Call, a: list[Any], b: list[Any]) -> list[Any]:
    test = _member(b)
    return _toset(call, [x for x in a if not test(x)])


def _toset(call: _Call, value: Any) -> list[Any]:
    _need(isinstance(value, list), "toset() needs a list")
    unique = _unique(value)
    # Terraform orders a set of strings lexically.
    if all(isinstance(u, str) for u in unique):
        unique.sort()
    return unique


def _flatten(call: _Call, value: Any) -> list[Any]:
    out: list[Any] = []
    stack = [iter(value)]
    while stack:
        item = next(stack[-1], _END)
        if item is _END:
            stack.pop()
        elif isinstance(item, list):
            # A list holding the same list many times over is small; its flattening is not.
            _spend(len(item))
            stack.append(iter(item))
        else:
            out.append(item)
            _cap(len(out), "max_collection_elements", "the flattened list")
    return out


_END = object()


def _merge(call: _Call, *maps: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in maps:
        if m is None:
            continue
        _need(isinstance(m, dict), "merge() needs objects")
        out.update(m)
    return out


def _lookup(call: _Call, mapping: Any, key: Any, *default: Any) -> Any:
    _need(isinstance(mapping, dict), "lookup() needs an object")
    key = _str_arg(key)
    if key in mapping:
        return mapping[key]
    _need(bool(default), f"no key {key!r} and no default")
    return default[0]


def _element(call: _Call, items: list[Any], index: Any) -> Any:
    _need(isinstance(items, list) and bool(items), "element() needs a non-empty list")
    number = _num_arg(index)
    _need(float(number).is_integer() and number >= 0, f"invalid index {index!r}")
    return items[int(number) % len(items)]


def _coalesce(call: _Call, *values: Any) -> Any:
    for v in values:
        if v is not None and v != "":
            return v
    raise _FunctionError("no non-null, non-empty argument")


def _substr(call: _Call, text: Any, offset: Any, length: Any) -> str:
    string, start, count = _str_arg(text), int(_num_arg(offset)), int(_num_arg(length))
    if start < 0:
        start += len(string)
    return string[start:] if count < 0 else string[start : start + count]


def _tostring(call: _Call, value: Any) -> Any:
    if value is None:
        return None
    text = _to_str(value)
    if isinstance(text, Unknown):
        raise _FunctionError(text.reason)
    return text


def _tonumber(call: _Call, value: Any) -> Any:
    number = _to_num(value)
    if isinstance(number, Unknown):
        raise _FunctionError(number.reason)
    return number


def _tobool(call: _Call, value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    _need(value in ("true", "false"), f"{value!r} is not a bool")
    return bool(value == "true")


def _one(call: _Call, value: list[Any]) -> Any:
    _need(len(value) <= 1, "one() needs at most one element")
    return value[0] if value else None


def _index(call: _Call, items: Any, value: Any) -> int:
    _need(isinstance(items, list), "index() needs a list")
    for i, item in enumerate(items):
        if _tf_equal(item, value):
            return i
    raise _FunctionError("the item is not in the list")


# Regular expressions from inputs run on RE2, as in Terraform (Go's regexp is RE2): linear
# time in the text, memory capped by max_regex_memory, and RE2's syntax (no backreferences,
# no lookaround: Terraform rejects those patterns too).
_REGEXP_CACHE: dict[tuple[str, int], Any] = {}


def _regexp(pattern: str) -> Any:
    """The compiled RE2 pattern; an invalid one fails as Terraform's does."""
    max_mem = limits.current().max_regex_memory
    compiled = _REGEXP_CACHE.get((pattern, max_mem))
    if compiled is None:
        options = re2.Options()
        options.max_mem = max_mem
        options.log_errors = False
        try:
            compiled = re2.compile(pattern, options)
        except re2.error as exc:
            reason = exc.args[0] if exc.args else exc
            if isinstance(reason, bytes):
                reason = reason.decode("utf-8", "replace")
            raise _FunctionError(f"invalid regular expression: {reason}") from None
        if len(_REGEXP_CACHE) > 256:
            _REGEXP_CACHE.clear()
        _REGEXP_CACHE[(pattern, max_mem)] = compiled
    return compiled


def _find_all(pattern: Any, text: str) -> Iterator[Any]:
    """Successive non-overlapping matches as Go's FindAll gives them: an empty match right
    after the previous match is skipped."""
    previous_end = -1
    for match in pattern.finditer(text):
        if match.start() == match.end() == previous_end:
            continue
        previous_end = match.end()
        yield match


_GO_TEMPLATE = re.compile(r"\$(?:\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")


def _expand(template: str, match: Any) -> str:
    """Go's Regexp.Expand: ``$1``, ``${1}``, ``$name``, ``${name}`` (longest name; an
    unknown group is empty) and ``$$`` for a dollar."""

    def group(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group(1) or m.group(2)
        try:
            key: int | str = int(name) if name.isdigit() else name
            value = match.group(key)
        except (IndexError, KeyError, re2.error):
            return ""
        return value or ""

    if "$" not in template:
        return template
    return _GO_TEMPLATE.sub(group, template)


def _regex_result(pattern: Any, match: Any) -> Any:
    """cty's regex result: the match without capture groups, a map of named groups, or a
    list of unnamed ones (an unmatched group is null)."""
    if pattern.groupindex:
        return {name: match.group(name) for name in pattern.groupindex}
    if pattern.groups:
        return list(match.groups())
    return match.group(0)


def _checked_pattern(pattern: str) -> Any:
    compiled = _regexp(pattern)
    named = len(compiled.groupindex)
    _need(
        named in (0, compiled.groups),
        "invalid regular expression: cannot mix both named and unnamed capture groups",
    )
    return compiled


def _regex(call: _Call, pattern: Any, text: Any) -> Any:
    compiled = _checked_pattern(_str_arg(pattern))
    match = compiled.search(_str_arg(text))
    _need(match is not None, "pattern did not match any part of the given string")
    return _regex_result(compiled, match)


def _regexall(call: _Call, pattern: Any, text: Any) -> list[Any]:
    compiled = _checked_pattern(_str_arg(pattern))
    out: list[Any] = []
    for match in _find_all(compiled, _str_arg(text)):
        out.append(_regex_result(compiled, match))
        _cap(len(out), "max_collection_elements", "the list of matches")
    return out


def _range(call: _Call, *args: Any) -> list[Any]:
    """Terraform's range(): at most 1,024 elements (a limit of Terraform itself), counted
    before the list is built."""
    _need(1 <= len(args) <= 3, "range() takes one to three arguments")
    numbers = [_num_arg(a) for a in args]
    start, stop, step = 0, 0, 1
    if len(numbers) == 1:
        stop = numbers[0]
    else:
        start, stop = numbers[0], numbers[1]
        step = numbers[2] if len(numbers) == 3 else (1 if start <= stop else -1)
    _need(step != 0 or start == stop, "step must not be zero")
    if (step > 0 and start > stop) or (step < 0 and start < stop):
        raise _FunctionError("the step must move from start towards limit")
    count = 0 if start == stop else math.ceil((stop - start) / step)
    _cap(count, "max_range_elements", "the result")
    values: list[Any] = [start + i * step for i in range(count)]
    return [int(v) if isinstance(v, float) and v.is_integer() else v for v in values]


def _join(call: _Call, sep: Any, *lists: Any) -> str:
    separator = _str_arg(sep)
    parts = [_str_arg(x) for lst in lists for x in lst]
    # The size is known before the string is built (the parts may all be one long string).
    size = sum(len(p) for p in parts) + len(separator) * max(len(parts) - 1, 0)
    _cap(size, "max_string_chars", "the joined string")
    return separator.join(parts)


def _concat(call: _Call, *lists: Any) -> list[Any]:
    _cap(sum(len(lst) for lst in lists), "max_collection_elements", "the concatenated list")
    return [x for lst in lists for x in lst]


def _not_offline(what: str) -> Callable[..., Any]:
    def func(call: _Call, *args: Any) -> Any:
        return call.evaluator.unknown(
            call.tree, call.ctx, f"{what} is only known when Terraform runs"
        )

    return func


def _str_arg(value: Any) -> str:
    """A string argument: Terraform converts a bool or number to a string (lower(true))."""
    text = _to_str(value)
    if isinstance(text, Unknown):
        raise _FunctionError(f"a string is required, not {_type_name(value)}")
    return str(text)


def _num_arg(value: Any) -> Any:
    number = _to_num(value)
    if isinstance(number, Unknown):
        raise _FunctionError(number.reason)
    return number


def _str_fn(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A function of string parameters only."""

    def func(call: _Call, *args: Any) -> Any:
        return fn(*(_str_arg(a) for a in args))

    return func


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "jsonencode": _jsonencode,
    "jsondecode": _jsondecode,
    "file": _file,
    "templatefile": _templatefile,
    "fileexists": _fileexists,
    "fileset": _fileset,
    "filebase64": _filebase64,
    "filemd5": _file_digest("filemd5", "md5", as_base64=False),
    "filesha1": _file_digest("filesha1", "sha1", as_base64=False),
    "filesha256": _file_digest("filesha256", "sha256", as_base64=False),
    "filesha512": _file_digest("filesha512", "sha512", as_base64=False),
    "filebase64sha256": _file_digest("filebase64sha256", "sha256", as_base64=True),
    "filebase64sha512": _file_digest("filebase64sha512", "sha512", as_base64=True),
    "format": _format,
    "formatlist": _formatlist,
    "join": _join,
    "split": _str_fn(lambda sep, text: text.split(sep)),
    "concat": _concat,
    "merge": _merge,
    "lookup": _lookup,
    "element": _element,
    "length": lambda c, v: len(v),
    "lower": _str_fn(str.lower),
    "upper": _str_fn(str.upper),
    "title": _str_fn(str.title),
    "replace": lambda c, *a: _replace(c, *(_str_arg(x) for x in a)),
    "trimspace": _str_fn(str.strip),
    "trim": _str_fn(lambda text, chars: text.strip(chars)),
    "trimprefix": _str_fn(lambda text, p: text.removeprefix(p)),
    "trimsuffix": _str_fn(lambda text, s: text.removesuffix(s)),
    "chomp": _str_fn(lambda t: t.rstrip("\r\n")),
    "substr": _substr,
    "startswith": _str_fn(lambda text, p: text.startswith(p)),
    "endswith": _str_fn(lambda text, s: text.endswith(s)),
    "strcontains": _str_fn(lambda text, s: s in text),
    "coalesce": _coalesce,
    "coalescelist": lambda c, *lists: next((lst for lst in lists if lst), []),
    "compact": lambda c, items: [x for x in items if x not in (None, "")],
    "distinct": lambda c, items: _unique(items),
    "flatten": _flatten,
    "keys": lambda c, m: sorted(m),
    "values": lambda c, m: [m[k] for k in sorted(m)],
    "contains": lambda c, items, v: any(_tf_equal(x, v) for x in items),
    "index": _index,
    "tolist": _tolist,
    "toset": _toset,
    "tomap": lambda c, m: dict(m),
    "tostring": _tostring,
    "tonumber": _tonumber,
    "tobool": _tobool,
    "one": _one,
    "sort": lambda c, items: sorted(str(_to_str(x)) for x in items),
    "reverse": lambda c, items: list(reversed(items)),
    "slice": lambda c, items, a, b: items[int(_num_arg(a)) : int(_num_arg(b))],
    "zipmap": lambda c, ks, vs: dict(zip(ks, vs, strict=True)),
    "range": _range,
    "min": lambda c, *a: min(_num_arg(x) for x in a),
    "max": lambda c, *a: max(_num_arg(x) for x in a),
    "sum": lambda c, items: sum(items),
    "abs": lambda c, n: abs(_num_arg(n)),
    "ceil": lambda c, n: math.ceil(_num_arg(n)),
    "floor": lambda c, n: math.floor(_num_arg(n)),
    "alltrue": lambda c, items: all(x is True or x == "true" for x in items),
    "anytrue": lambda c, items: any(x is True or x == "true" for x in items),
    "setunion": lambda c, *sets: _toset(c, [x for s in sets for x in s]),
    "setintersection": _setintersection,
    "setsubtract": _setsubtract,
    "base64encode": lambda c, t: base64.b64encode(_str_arg(t).encode()).decode(),
    "base64decode": lambda c, t: base64.b64decode(t).decode(),
    "abspath": lambda c, p: str(c.path(p).resolve()),
    "dirname": lambda c, p: os.path.dirname(p),
    "basename": lambda c, p: os.path.basename(p),
    "regex": _regex,
    "regexall": _regexall,
    "timestamp": _not_offline("timestamp()"),
    "uuid": _not_offline("uuid()"),
    "bcrypt": _not_offline("bcrypt()"),
    "plantimestamp": _not_offline("plantimestamp()"),
}


class _Namespace(Lazy):
    """``var``, ``local``, ``data``, ``module`` and resource-type names: attribute lookups are
    delegated to a function."""

    def __init__(self, label: str, lookup: Callable[[str], Any]) -> None:
        self.label = label
        self.lookup = lookup

    def get(self, name: str) -> Any:
        return self.lookup(name)

    def __str__(self) -> str:
        return self.label


# -- modules, resources and instances ----------------------------------------------------------------


class Instance(Lazy):
    """One instance of a resource or data block (``count``/``for_each`` give several)."""

    def __init__(
        self,
        module: ModuleInstance,
        block: Block,
        mode: str,
        address: str,
        scope: dict[str, Any],
    ) -> None:
        self.module = module
        self.block = block
        self.mode = mode
        self.rtype = block.labels[0]
        self.address = address
        self.scope = scope
        self._cache: dict[str, Any] = {}
        self._env: Env | None = None

    def __str__(self) -> str:
        return self.address

    @property
    def ctx(self) -> Ctx:
        return Ctx(self.module, dict(self.scope), self.block.file)

    @property
    def env(self) -> Env:
        if self._env is None:
            self._env = self.module.env_for(self.block)
        return self._env

    def configured(self, name: str) -> bool:
        return (name in self.block.attrs and name not in _META) or any(
            _block_name(b) == name for b in self.block.blocks
        )

    def get(self, name: str) -> Any:
        if name in self._cache:
            value = self._cache[name]
            if value is _IN_PROGRESS:
                return Unknown(f"{self.block.where}: {self.address}.{name} refers to itself")
            return value
        self._cache[name] = _IN_PROGRESS
        try:
            value = self._compute(name)
        finally:
            self._cache.pop(name, None)
        self._cache[name] = value
        return value

    @property
    def imported_id(self) -> Any:
        """The ID an ``import`` block gives this instance (None when it is not imported)."""
        return self.module.loader.imports.get(self.address) if self.mode == "managed" else None

    def _compute(self, name: str) -> Any:
        loader = self.module.loader
        if name == "id" and self.imported_id is not None:
            return self.imported_id
        if name in self.block.attrs and name not in _META:
            return loader.evaluator.ev(self.block.attrs[name], self.ctx)
        if any(_block_name(b) == name for b in self.block.blocks):
            return self.module.nested(self.block.blocks, name, self.ctx)
        if (
            self.mode == "data"
            and self.rtype == "aws_iam_policy_document"
            and name in ("json", "minified_json")
        ):
            return self.policy_json(minified=name == "minified_json")
        if self.rtype.startswith("random_") and self.mode == "managed":
            return _random_attribute(self, name)
        computed = computed_attributes(
            self.rtype, self.address, _LazyValues(self), self.env, data=self.mode == "data"
        )
        if name in computed:
            if name == "unique_id":
                self._note_unique_id(computed[name])
            return computed[name]
        if name == "tags_all":
            tags = self.get("tags") if self.configured("tags") else {}
            if isinstance(tags, Unknown):
                return tags
            return {**self.env.default_tags, **(tags or {})}
        return Unknown(
            f"{self.block.where}: {self.address}.{name} is not set in the configuration and is "
            "known only after apply"
        )

    def policy_json(self, *, minified: bool) -> Any:
        values = self.values()
        try:
            text, notes = render_policy_document(values)
        except ValueError as exc:
            raise InputError(str(exc), path=self.address, source=self.block.where) from None
        for note in notes:
            self.module.loader.warnings.add(self.block.where, self.address, note)
        if minified and isinstance(text, str):
            return json.dumps(json.loads(text), separators=(",", ":"))
        return text

    def values(self) -> dict[str, Any]:
        """Every configured argument and nested block, evaluated."""
        out: dict[str, Any] = {}
        for name in self.block.attrs:
            if name not in _META:
                out[name] = _plain(self.get(name))
        for b in self.block.blocks:
            name = _block_name(b)
            if name not in out and name not in _META:
                out[name] = _plain(self.get(name))
        if self.imported_id is not None and "id" not in out:
            out["id"] = self.imported_id
        return out

    def materialize(self) -> Any:
        values = self.values()
        computed = computed_attributes(
            self.rtype, self.address, values, self.env, data=self.mode == "data"
        )
        if "unique_id" in computed and "unique_id" not in values:
            self._note_unique_id(computed["unique_id"])
        return {**computed, **values}

    def _note_unique_id(self, value: Any) -> None:
        """The placeholder unique ID of a user, group or role was read: it becomes the
        entity's ID, so that aws:userid matches what the policies compare it to."""
        if self.mode == "managed" and isinstance(value, str):
            self.module.loader.unique_ids[self.address] = value


_IN_PROGRESS = object()


def _block_name(block: Block) -> str:
    return block.labels[0] if block.type == "dynamic" and block.labels else block.type


class _LazyValues(Mapping[str, Any]):
    """An instance's configured values, evaluated when the provider rules read them."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance

    def __getitem__(self, key: str) -> Any:
        if key == "id" and self.instance.imported_id is not None:
            return self.instance.imported_id
        if not self.instance.configured(key):
            raise KeyError(key)
        return _plain(self.instance.get(key))

    def __iter__(self) -> Iterator[str]:
        return iter(k for k in self.instance.block.attrs if k not in _META)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _random_attribute(inst: Instance, name: str) -> Any:
    """Stable placeholders for the ``random`` provider's values, which exist only after apply."""
    seed = inst.address
    length_value = inst.get("length") if inst.configured("length") else 16
    length = int(length_value) if isinstance(length_value, int) else 16
    if inst.rtype == "random_id":
        size_value = inst.get("byte_length") if inst.configured("byte_length") else 8
        size = int(size_value) if isinstance(size_value, int) else 8
        hex_value = placeholder_hex(seed, size * 2)
        prefix = inst.get("prefix") if inst.configured("prefix") else ""
        raw = bytes.fromhex(hex_value)
        return {
            "hex": f"{prefix}{hex_value}",
            "dec": f"{prefix}{int(hex_value, 16)}",
            "b64_url": base64.urlsafe_b64encode(raw).decode().rstrip("="),
            "b64_std": base64.b64encode(raw).decode(),
            "id": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        }.get(name, Unknown(f"random_id has no attribute {name}"))
    if inst.rtype in ("random_string", "random_password"):
        upper = inst.get("upper") if inst.configured("upper") else True
        text = placeholder_alnum(seed, length, upper=False)
        if upper is not False:
            text = text[: length // 2] + text[length // 2 :].upper()
        return text if name in ("result", "id") else Unknown(f"{inst.rtype}.{name} is unknown")
    if inst.rtype == "random_uuid":
        return placeholder_uuid(seed) if name in ("result", "id") else Unknown("unknown attribute")
    if inst.rtype == "random_integer":
        low = inst.get("min") if inst.configured("min") else 0
        return low if name in ("result", "id") else Unknown("unknown attribute")
    if inst.rtype == "random_pet":
        prefix = inst.get("prefix") if inst.configured("prefix") else None
        sep = inst.get("separator") if inst.configured("separator") else "-"
        pet = f"placeholder{sep}{placeholder_digits(seed, 6)}"
        return (f"{prefix}{sep}{pet}" if prefix else pet) if name == "id" else Unknown("unknown")
    return Unknown(f"{inst.address}.{name} is chosen at apply time")


@dataclass
class _Provider:
    block: Block | None
    module: ModuleInstance
    _env: Env | None = None


class ModuleInstance:
    """One instance of a module: the root module, or a module call (per count/for_each key)."""

    def __init__(
        self,
        loader: _Loader,
        directory: Path,
        blocks: list[Block],
        prefix: str,
        inputs: Mapping[str, Callable[[], Any]],
        providers: dict[str, _Provider],
        key_path: str,
        parent: ModuleInstance | None = None,
    ) -> None:
        self.loader = loader
        self.parent = parent  # the calling module (None for the root module)
        self.dir = directory
        self.prefix = prefix  # "" or "module.a." or 'module.a["k"].'
        self.inputs = inputs
        self.key_path = key_path  # for .terraform/modules/modules.json ("a.b")
        self.variables: dict[str, Block] = {}
        self.locals: dict[str, tuple[Tree[Any], Block]] = {}
        self.outputs: dict[str, Block] = {}
        self.calls: dict[str, Block] = {}
        self.blocks: dict[tuple[str, str, str], Block] = {}
        self.providers = dict(providers)
        self._locals_cache: dict[str, Any] = {}
        self._resource_cache: dict[tuple[str, str, str], Any] = {}
        self._call_cache: dict[str, Any] = {}
        self._var_types: dict[str, _Type | None] = {}
        for block in blocks:
            self._add(block)

    def _add(self, block: Block) -> None:
        kind = block.type
        if kind == "variable" and len(block.labels) == 1:
            self.variables[block.labels[0]] = block
        elif kind == "locals":
            for name, expr in block.attrs.items():
                if name in self.locals:
                    raise InputError(
                        f"local.{name} is defined twice",
                        path=f"line {block.line}",
                        source=block.file,
                    )
                self.locals[name] = (expr, block)
        elif kind == "output" and len(block.labels) == 1:
            self.outputs[block.labels[0]] = block
        elif kind == "module" and len(block.labels) == 1:
            self.calls[block.labels[0]] = block
        elif kind in ("resource", "data"):
            if len(block.labels) != 2:
                raise InputError(
                    f"a {kind} block needs a type and a name",
                    path=f"line {block.line}",
                    source=block.file,
                )
            mode = "managed" if kind == "resource" else "data"
            self._check_arguments(block, mode)
            res_key = (mode, block.labels[0], block.labels[1])
            if res_key in self.blocks:
                raise InputError(
                    f"{kind} {block.labels[0]}.{block.labels[1]} is declared twice",
                    path=f"line {block.line}",
                    source=block.file,
                )
            self.blocks[res_key] = block
        elif kind == "provider" and len(block.labels) == 1:
            alias_tree = block.attrs.get("alias")
            alias = None
            if alias_tree is not None:
                value = self.loader.evaluator.ev(alias_tree, Ctx(self, {}, block.file))
                alias = value if isinstance(value, str) else None
            key = block.labels[0] + (f".{alias}" if alias else "")
            self.providers[key] = _Provider(block, self)

    def _check_arguments(
        self, block: Block, mode: str, nested: str | None = None, top: Block | None = None
    ) -> None:
        """Arguments and nested blocks of a mapped aws_iam_* block: a misspelling of a known
        one is an error (its value would be silently dropped), another unknown one a note."""
        top = top or block
        rtype = top.labels[0]
        known = known_arguments(mode, rtype, nested)
        if known is None:
            return
        address = f"{self.prefix}{'data.' if mode == 'data' else ''}{rtype}.{top.labels[1]}"
        names: list[tuple[str, int | None]] = [
            (name, _line(expr)) for name, expr in block.attrs.items()
        ]
        for sub in block.blocks:
            name = _block_name(sub)
            names.append((name, sub.line))
            contents = (
                [c for c in sub.blocks if c.type == "content"] if sub.type == "dynamic" else [sub]
            )
            for content in contents:
                self._check_arguments(content, mode, name, top)
        for name, line in names:
            if name in known:
                continue
            where = f"{block.file}:{line}" if line else block.file
            suggestion = close_match(name, known)
            if suggestion is not None:
                raise InputError(
                    f"unknown argument {name!r} (did you mean {suggestion!r}?)",
                    path=f"{address}.{name}",
                    source=where,
                )
            self.loader.warnings.add(
                where,
                address,
                f"{name!r} is not an argument of {rtype}{f' {nested}' if nested else ''} "
                "that iamsim knows; it is ignored",
            )

    def ctx(self, block: Block | None = None, scope: dict[str, Any] | None = None) -> Ctx:
        return Ctx(self, dict(scope or {}), block.file if block else "")

    # -- names

    def variable(self, name: str) -> Any:
        """The value of ``var.<name>``: the module call's argument (the root module: the
        caller's ``variables``, var files, tfvars), else the default; ``null`` gives the
        default when the variable has ``nullable = false``; the value is then converted to
        the variable's ``type``, as Terraform does."""
        block = self.variables.get(name)
        if block is None:
            if name in self.inputs:
                return self.inputs[name]()
            return Unknown(f"{self.prefix}var.{name} is not declared")
        ev, ctx = self.loader.evaluator, self.ctx(block)
        if name in self.inputs:
            value = self.inputs[name]()
        elif self.prefix == "" and name in self.loader.variable_values:
            value = self.loader.variable_values[name]
        elif "default" in block.attrs:
            value = _plain(ev.ev(block.attrs["default"], ctx))
        else:
            return Unknown(
                f"{block.where}: {self.prefix}var.{name} has no value (no default; pass it with "
                "variables=..., a terraform.tfvars file or var_files=...)"
            )
        if value is None and "nullable" in block.attrs:
            nullable = _to_bool(_plain(ev.ev(block.attrs["nullable"], ctx)))
            if nullable is False:
                if "default" not in block.attrs:
                    return Unknown(
                        f"{block.where}: {self.prefix}var.{name} is null, but it is not "
                        "nullable and has no default",
                        error=True,
                    )
                value = _plain(ev.ev(block.attrs["default"], ctx))
            elif isinstance(nullable, Unknown):
                return nullable
        if name not in self._var_types:
            type_tree = block.attrs.get("type")
            self._var_types[name] = (
                None
                if type_tree is None
                else _parse_type(type_tree, lambda tree: _plain(ev.ev(tree, ctx)))
            )
        return _convert(value, self._var_types[name], f"{block.where}: {self.prefix}var.{name}")

    def local(self, name: str) -> Any:
        if name in self._locals_cache:
            value = self._locals_cache[name]
            if value is _IN_PROGRESS:
                return Unknown(f"{self.prefix}local.{name} refers to itself")
            return value
        if name not in self.locals:
            return Unknown(f"{self.prefix}local.{name} is not defined")
        expr, block = self.locals[name]
        self._locals_cache[name] = _IN_PROGRESS
        try:
            value = self.loader.evaluator.ev(expr, self.ctx(block))
        finally:
            self._locals_cache.pop(name, None)
        self._locals_cache[name] = value
        return value

    def resource(self, mode: str, rtype: str, name: str) -> Any:
        key = (mode, rtype, name)
        if key in self._resource_cache:
            return self._resource_cache[key]
        block = self.blocks.get(key)
        label = f"{'data.' if mode == 'data' else ''}{rtype}.{name}"
        if block is None:
            return Unknown(f"{self.prefix}{label} is not declared")
        value: Any
        expansion = self.expand(block)
        if isinstance(expansion, Unknown):
            value = expansion
        elif expansion is None:
            value = Instance(self, block, mode, f"{self.prefix}{label}", {})
        else:
            kind, keys = expansion
            instances = {
                k: Instance(self, block, mode, f"{self.prefix}{label}{_index_text(k)}", scope)
                for k, scope in keys
            }
            value = list(instances.values()) if kind == "count" else instances
        self._resource_cache[key] = value
        return value

    def expand(self, block: Block) -> Any:
        """None for a single instance; ("count"|"for_each", [(key, scope)]) for several."""
        ctx = self.ctx(block)
        if "count" in block.attrs:
            count = _plain(self.loader.evaluator.ev(block.attrs["count"], ctx))
            if isinstance(count, Unknown):
                return count
            number = _to_num(count)
            if isinstance(number, Unknown) or isinstance(count, bool):
                raise InputError(
                    f"count must be a number, not {count!r}",
                    path=f"line {block.line}",
                    source=block.file,
                )
            if int(number) > limits.current().max_instances:
                raise InputError(
                    f"count = {int(number):,} exceeds the limit max_instances="
                    f"{limits.current().max_instances:,} (raise it with --limit max_instances=N)",
                    path=f"line {block.line}",
                    source=block.file,
                )
            return ("count", [(i, {"count": {"index": i}}) for i in range(int(number))])
        if "for_each" in block.attrs:
            each = _plain(self.loader.evaluator.ev(block.attrs["for_each"], ctx))
            if isinstance(each, Unknown):
                return each
            if isinstance(each, dict):
                items = [(k, {"each": {"key": k, "value": each[k]}}) for k in sorted(each)]
            elif isinstance(each, list):
                keys = [_to_str(v) for v in each]
                bad = next((k for k in keys if isinstance(k, Unknown)), None)
                if bad is not None:
                    return bad
                items = [(k, {"each": {"key": k, "value": k}}) for k in sorted(set(keys))]
            else:
                raise InputError(
                    f"for_each must be a map or a set, not {_type_name(each)}",
                    path=f"line {block.line}",
                    source=block.file,
                )
            if len(items) > limits.current().max_instances:
                raise InputError(
                    f"for_each with {len(items):,} elements exceeds the limit max_instances="
                    f"{limits.current().max_instances:,} (raise it with --limit max_instances=N)",
                    path=f"line {block.line}",
                    source=block.file,
                )
            return ("for_each", items)
        return None

    def call(self, name: str) -> Any:
        if name in self._call_cache:
            return self._call_cache[name]
        block = self.calls.get(name)
        if block is None:
            return Unknown(f"{self.prefix}module.{name} is not declared")
        value = self.loader.module_call(self, name, block)
        self._call_cache[name] = value
        return value

    def output(self, name: str) -> Any:
        block = self.outputs.get(name)
        if block is None or "value" not in block.attrs:
            return Unknown(f"{self.prefix.rstrip('.')} has no output {name!r}")
        return self.loader.evaluator.ev(block.attrs["value"], self.ctx(block))

    def nested(self, blocks: list[Block], name: str, ctx: Ctx) -> Any:
        """The nested blocks called ``name`` as a list of evaluated objects (dynamic expanded)."""
        out: list[Any] = []
        for b in blocks:
            if _block_name(b) != name:
                continue
            if b.type != "dynamic":
                out.append(self.block_values(b, ctx))
                continue
            each = (
                _plain(self.loader.evaluator.ev(b.attrs["for_each"], ctx))
                if "for_each" in b.attrs
                else []
            )
            if isinstance(each, Unknown):
                out.append(each)
                continue
            iterator = name
            if "iterator" in b.attrs:
                iterator = _traversal(b.attrs["iterator"]) or name
            content = next((c for c in b.blocks if c.type == "content"), None)
            if content is None:
                raise InputError(
                    f"dynamic {name!r} has no content block", path=f"line {b.line}", source=b.file
                )
            items = self.loader.evaluator._iterate(each) if isinstance(each, dict | list) else []
            for key, val in items:
                inner = ctx.with_vars(**{iterator: {"key": key, "value": val}})
                out.append(self.block_values(content, inner))
        return out

    def block_values(self, block: Block, ctx: Ctx) -> dict[str, Any]:
        out: dict[str, Any] = {}
        inner = Ctx(ctx.module, ctx.scope, block.file)
        for name, expr in block.attrs.items():
            out[name] = _plain(self.loader.evaluator.ev(expr, inner))
        for b in block.blocks:
            name = _block_name(b)
            if name not in out:
                out[name] = self.nested(block.blocks, name, inner)
        return out

    # -- providers

    def env_for(self, block: Block) -> Env:
        key = "aws"
        if "provider" in block.attrs:
            key = _traversal(block.attrs["provider"]) or "aws"
        provider = self.providers.get(key) or self.providers.get("aws")
        if provider is None:
            return self.loader.default_env(None)
        if provider._env is None:
            provider._env = self.loader.provider_env(provider)
        return provider._env


def _index_text(key: Any) -> str:
    return f"[{key}]" if isinstance(key, int) else f"[{json.dumps(key)}]"


# -- the loader ---------------------------------------------------------------------------------------


class _Loader:
    def __init__(
        self,
        root: Path,
        source: str,
        warnings: Warnings,
        *,
        account: str | None,
        region: str | None,
        partition: str | None,
        variables: Mapping[str, Any],
        var_files: Sequence[str | os.PathLike[str]],
        scope: ReadScope | None = None,
    ) -> None:
        self.root_path = root
        self.root_dir = root if root.is_dir() else root.parent
        self.source = source
        self.warnings = warnings
        self.account, self.region, self.partition = account, region, partition
        self.evaluator = Evaluator(self)
        self.variable_values: dict[str, Any] = {}
        self.modules: list[ModuleInstance] = []
        self.imports: dict[str, Any] = {}
        self.workspace_noted = False
        # address -> the placeholder unique_id that an expression of the input read
        self.unique_ids: dict[str, str] = {}
        self._var_files = list(var_files)
        # What the configuration may read (file(), templatefile(), module sources...): the
        # root module's tree and --allow-read paths; var files were named by the caller.
        self.scope = (scope or ReadScope.for_input(root)).widened(self._var_files)
        self._variables = dict(variables)
        self._modules_json: dict[str, str] | None = None

    # -- files

    def label(self, path: Path) -> str:
        """How a file is named in messages: relative to the input as given."""
        try:
            rel = path.relative_to(self.root_dir)
        except ValueError:
            return str(path)
        base = self.source if self.root_path.is_dir() else str(Path(self.source).parent)
        return str(Path(base) / rel)

    def read_dir(self, directory: Path, only: Path | None = None) -> list[Block]:
        files = [only] if only is not None else _tf_files(directory)
        blocks: list[Block] = []
        if only is None:
            for extra in sorted(directory.glob("*.tf.json")):
                self.warnings.add(
                    self.label(extra),
                    "",
                    "Terraform JSON syntax (.tf.json) is not supported; this file is ignored",
                )
        for path in files:
            if path.name == "override.tf" or path.name.endswith("_override.tf"):
                self.warnings.add(
                    self.label(path),
                    "",
                    "override files are not merged into the configuration; this file is ignored",
                )
                continue
            blocks.extend(parse_file(path, self.label(path), self.scope))
        return blocks

    def read_tfvars(self, path: Path) -> dict[str, Any]:
        label = self.label(path)
        text = read_text(path, label, self.scope)
        if path.name.endswith(".json"):
            try:
                data = load_json(text)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"invalid JSON: {exc.msg}",
                    path=f"line {exc.lineno}, column {exc.colno}",
                    source=label,
                ) from None
            except InputError as exc:
                raise exc.located(source=label) from None
            if not isinstance(data, dict):
                raise InputError("a .tfvars.json file holds an object", source=label)
            return data
        tree = _parse_text(text, label)
        body = next(c for c in tree.children if isinstance(c, Tree) and c.data == "body")
        attrs, blocks = _body(body, label, path.parent)
        if blocks:
            raise InputError(
                "a .tfvars file holds only assignments", path=f"line {blocks[0].line}", source=label
            )
        values: dict[str, Any] = {}
        empty = ModuleInstance(self, path.parent, [], "", {}, {}, "")
        for name, expr in attrs.items():
            value = _plain(self.evaluator.ev(expr, Ctx(empty, {}, label)))
            if find_unknown(value) is not None:
                raise InputError(
                    f"{name}: a .tfvars value must be a constant",
                    path=f"line {_line(expr)}",
                    source=label,
                )
            values[name] = value
        return values

    def collect_variables(self) -> None:
        # Terraform's precedence: terraform.tfvars, then *.auto.tfvars in lexical order, then
        # explicit var files, then values given directly.
        files: list[Path] = []
        for name in ("terraform.tfvars", "terraform.tfvars.json"):
            if (self.root_dir / name).is_file():
                files.append(self.root_dir / name)
        files.extend(self.scope.files(self.root_dir, "*.auto.tfvars"))
        files.extend(self.scope.files(self.root_dir, "*.auto.tfvars.json"))
        files.extend(Path(f) for f in self._var_files)
        for path in files:
            self.variable_values.update(self.read_tfvars(path))
        self.variable_values.update(self._variables)

    def collect_imports(self, root: ModuleInstance, blocks: list[Block]) -> None:
        """``import { to = ADDRESS, id = ID }`` blocks of the root module: the real ID of a
        resource that already exists (an organization account, a KMS key), used instead of a
        placeholder."""
        for block in blocks:
            if block.type != "import":
                continue
            target = _traversal(block.attrs["to"]) if "to" in block.attrs else None
            if target is None or "for_each" in block.attrs or "id" not in block.attrs:
                self.warnings.add(
                    block.where,
                    "import",
                    "only import blocks with a literal `to` "
                    "address, an `id` and no for_each are read; this one is ignored",
                )
                continue
            value = _plain(self.evaluator.ev(block.attrs["id"], root.ctx(block)))
            if isinstance(value, Unknown):
                self.warnings.add(
                    block.where, target, f"the imported ID is unknown ({value.reason})"
                )
                continue
            self.imports[target] = _to_str(value)

    # -- environments

    def default_env(self, region: str | None) -> Env:
        account = self.account
        region = region or self.region
        return Env(
            account=account or PLACEHOLDER_ACCOUNT,
            partition=self.partition or partition_of_region(region),
            region=region or PLACEHOLDER_REGION,
            account_is_placeholder=account is None,
            region_is_placeholder=region is None,
        )

    def provider_env(self, provider: _Provider) -> Env:
        block = provider.block
        if block is None:
            return self.default_env(None)
        ctx = provider.module.ctx(block)
        ev = self.evaluator

        def text(tree: Tree[Any] | None, what: str) -> str | None:
            if tree is None:
                return None
            value = _plain(ev.ev(tree, ctx))
            if isinstance(value, Unknown):
                self.warnings.add(
                    block.where,
                    f"provider.{block.labels[0]}",
                    f"{what} is unknown ({value.reason})",
                )
                return None
            return value if isinstance(value, str) else None

        region = text(block.attrs.get("region"), "region") or self.region
        account = None
        allowed = block.attrs.get("allowed_account_ids")
        if allowed is not None:
            ids = _plain(ev.ev(allowed, ctx))
            if isinstance(ids, list) and len(ids) == 1 and is_account_id(str(ids[0])):
                account = str(ids[0])
        for sub in block.blocks:
            if sub.type == "assume_role" and account is None:
                role_arn = text(sub.attrs.get("role_arn"), "assume_role.role_arn")
                if role_arn and role_arn.count(":") >= 5 and is_account_id(role_arn.split(":")[4]):
                    account = role_arn.split(":")[4]
        tags: dict[str, Any] = {}
        for sub in block.blocks:
            if sub.type == "default_tags" and "tags" in sub.attrs:
                value = _plain(ev.ev(sub.attrs["tags"], ctx))
                if isinstance(value, dict):
                    tags = value
        account = account or self.account
        return Env(
            account=account or PLACEHOLDER_ACCOUNT,
            partition=self.partition or partition_of_region(region),
            region=region or PLACEHOLDER_REGION,
            default_tags=tags,
            account_is_placeholder=account is None,
            region_is_placeholder=region is None,
        )

    # -- modules

    def modules_json(self) -> dict[str, str]:
        if self._modules_json is None:
            self._modules_json = {}
            manifest = self.root_dir / ".terraform" / "modules" / "modules.json"
            if manifest.is_file():
                try:
                    data = load_json(read_text(manifest, self.label(manifest), self.scope))
                    for entry in data.get("Modules", []):
                        if entry.get("Key") and entry.get("Dir"):
                            self._modules_json[entry["Key"]] = entry["Dir"]
                except (OSError, json.JSONDecodeError, InputError, AttributeError):
                    pass
        return self._modules_json

    def module_call(self, parent: ModuleInstance, name: str, block: Block) -> Any:
        ctx = parent.ctx(block)
        source_value = (
            _plain(self.evaluator.ev(block.attrs["source"], ctx))
            if "source" in block.attrs
            else None
        )
        address = f"{parent.prefix}module.{name}"
        if not isinstance(source_value, str):
            raise InputError(
                "a module block needs a source string", path=f"line {block.line}", source=block.file
            )
        key_path = f"{parent.key_path}.{name}" if parent.key_path else name
        if source_value.startswith(("./", "../")):
            directory = (parent.dir / source_value).resolve()
        elif key_path in self.modules_json():
            directory = (self.root_dir / self.modules_json()[key_path]).resolve()
        else:
            directory = None
        if directory is not None and not self.scope.allows(directory):
            # A module outside the root module's tree (``../shared``, or a manifest entry
            # pointing anywhere) is not read: its resources stay unknown, said in a note.
            self.warnings.add(
                block.where,
                address,
                f"module source {source_value!r} is outside the input; the module is not "
                "loaded (pass --allow-read PATH to allow it)",
            )
            return Unknown(f"{block.where}: {address} ({source_value}) is outside the input")
        if directory is None:
            self.warnings.add(
                block.where,
                address,
                f"module source {source_value!r} is not a "
                "local path and is not downloaded (.terraform/modules); the module "
                "is not loaded",
            )
            return Unknown(f"{block.where}: {address} ({source_value}) is not loaded")
        if not directory.is_dir():
            raise InputError(
                f"module directory {source_value!r} does not exist",
                path=f"line {block.line}",
                source=block.file,
            )
        ancestor: ModuleInstance | None = parent
        while ancestor is not None:
            # A module that (directly or through others) calls itself would be expanded
            # forever; Terraform refuses it too.
            if ancestor.dir.resolve() == directory:
                caller = ancestor.prefix.rstrip(".") or "the root module"
                raise InputError(
                    f"module recursion: {address} loads {source_value!r}, which is the "
                    f"directory of {caller}",
                    path=f"line {block.line}",
                    source=block.file,
                )
            ancestor = ancestor.parent
        blocks = self.read_dir(directory)
        providers = {k: v for k, v in parent.providers.items() if k == "aws" or "." not in k}
        if "providers" in block.attrs:
            mapping = block.attrs["providers"]
            for elem in _kids(_kids(mapping)[0]) if mapping.data == "expr_term" else []:
                key_tree, value_tree = _kids(elem)
                child_key = _traversal(_kids(key_tree)[0]) or ""
                parent_key = _traversal(value_tree) or ""
                if parent_key in parent.providers:
                    providers[child_key] = parent.providers[parent_key]
        expansion = parent.expand(block)
        if isinstance(expansion, Unknown):
            self.warnings.add(
                block.where,
                address,
                f"count/for_each is unknown ({expansion.reason}); the module is not loaded",
            )
            return expansion
        keys: list[tuple[Any, dict[str, Any]]] = [(None, {})] if expansion is None else expansion[1]
        instances: dict[Any, ModuleInstance] = {}
        for key, scope in keys:
            prefix = f"{address}{'' if key is None else _index_text(key)}."

            def thunk(expr: Tree[Any], scope: dict[str, Any] = scope) -> Callable[[], Any]:
                return lambda: _plain(self.evaluator.ev(expr, parent.ctx(block, scope)))

            inputs = {k: thunk(v) for k, v in block.attrs.items() if k not in _META}
            child = ModuleInstance(
                self, directory, blocks, prefix, inputs, providers, key_path, parent
            )
            for k in inputs:
                if k not in child.variables:
                    raise InputError(
                        f"module {name!r} has no variable {k!r}",
                        path=f"line {block.line}",
                        source=block.file,
                    )
            self.modules.append(child)
            instances[key] = child
        outputs = {k: _Namespace(f"module.{name}", m.output) for k, m in instances.items()}
        if expansion is None:
            return outputs[None]
        return list(outputs.values()) if expansion[0] == "count" else outputs


# -- entry points -----------------------------------------------------------------------------------


def _instances(module: ModuleInstance, warnings: Warnings) -> Iterator[tuple[Instance, str | None]]:
    """The instances of the module's resources, each with None, or, for a managed resource
    whose count/for_each is unknown, one stand-in instance (``count.index``/``each``
    unknown) and the reason: it may or may not exist (see ``_Mapper.uncertain``)."""
    for (mode, rtype, name), block in module.blocks.items():
        value = module.resource(mode, rtype, name)
        label = f"{module.prefix}{'data.' if mode == 'data' else ''}{rtype}.{name}"
        if isinstance(value, Unknown):
            warnings.add(
                block.where,
                label,
                f"count/for_each is unknown ({value.reason}); no instance of it is modeled",
            )
            if mode == "managed":
                unknown = Unknown(f"{block.where}: the count/for_each of {label} is unknown")
                scope: dict[str, Any] = (
                    {"count": {"index": unknown}}
                    if "count" in block.attrs
                    else {"each": {"key": unknown, "value": unknown}}
                )
                yield Instance(module, block, mode, label, scope), value.reason
            continue
        if isinstance(value, Instance):
            yield value, None
        elif isinstance(value, list):
            yield from ((inst, None) for inst in value)
        else:
            yield from ((inst, None) for inst in value.values())


def read_terraform_dir(
    path: str | os.PathLike[str],
    *,
    account: str | None = None,
    region: str | None = None,
    partition: str | None = None,
    variables: Mapping[str, Any] | None = None,
    var_files: Sequence[str | os.PathLike[str]] = (),
    source: str | None = None,
    scope: ReadScope | None = None,
) -> tuple[World, Warnings]:
    """Load a configuration and also return the structured warnings (also in ``World.notes``).

    ``scope`` is what the configuration may read (default: the root module's folder, see
    :mod:`iamsim.ingest.read_scope`)."""
    label = source if source is not None else str(path)
    token = _BUDGET.set(_Budget())
    try:
        return _read_terraform_dir(
            path,
            label,
            account=account,
            region=region,
            partition=partition,
            variables=variables,
            var_files=var_files,
            scope=scope,
        )
    except _LimitError as exc:  # raised outside any located expression
        raise InputError(str(exc), source=label) from None
    finally:
        _BUDGET.reset(token)


def _read_terraform_dir(
    path: str | os.PathLike[str],
    label: str,
    *,
    account: str | None,
    region: str | None,
    partition: str | None,
    variables: Mapping[str, Any] | None,
    var_files: Sequence[str | os.PathLike[str]],
    scope: ReadScope | None,
) -> tuple[World, Warnings]:
    root = Path(path)
    if not root.exists():
        raise InputError("no such file or directory", source=label)
    if root.is_dir() and not _tf_files(root):
        raise InputError("the directory holds no .tf files", source=label)
    if account is not None and not is_account_id(account):
        raise InputError(f"account must be a 12-digit account ID, not {account!r}", source=label)
    warnings = Warnings()
    loader = _Loader(
        root,
        label,
        warnings,
        account=account,
        region=region,
        partition=partition,
        variables=variables or {},
        var_files=var_files,
        scope=scope,
    )
    blocks = loader.read_dir(
        root if root.is_dir() else root.parent, None if root.is_dir() else root
    )
    loader.collect_variables()
    root_module = ModuleInstance(loader, loader.root_dir, blocks, "", {}, {}, "")
    loader.modules.append(root_module)
    loader.collect_imports(root_module, blocks)
    # Load every module call (recursively), so their resources are collected.
    pending = [root_module]
    while pending:
        module = pending.pop(0)
        for call_name in module.calls:
            before = len(loader.modules)
            module.call(call_name)
            pending.extend(loader.modules[before:])
    evaluated: list[tuple[Instance, dict[str, Any], str | None]] = []
    random_used = False
    for module in loader.modules:
        for inst, uncertain in _instances(module, warnings):
            if inst.rtype.startswith("random_"):
                random_used = True
            evaluated.append((inst, inst.values(), uncertain))
    resources: list[TfResource] = []
    for inst, values, uncertain in evaluated:
        # Every expression is evaluated by now: a principal whose unique_id was read gets it
        # as its ID (see Instance._note_unique_id).
        unique_id = loader.unique_ids.get(inst.address) if uncertain is None else None
        if unique_id is not None and "unique_id" not in values:
            values = {**values, "unique_id": unique_id}
        resources.append(
            TfResource(
                address=inst.address,
                type=inst.rtype,
                name=inst.block.labels[1],
                values=values,
                env=inst.env,
                source=inst.block.where,
                mode=inst.mode,
                uncertain=uncertain,
            )
        )
    notes: list[str] = []
    if any(r.env.account_is_placeholder for r in resources if r.mode == "managed"):
        notes.append(
            f"{label}: the configuration does not say which account it deploys to; the "
            f"placeholder account {PLACEHOLDER_ACCOUNT} is used (pass account=... to set it)"
        )
    if any(r.env.region_is_placeholder for r in resources if r.mode == "managed"):
        notes.append(
            f"{label}: no provider region is configured; the placeholder region "
            f"{PLACEHOLDER_REGION} is used in regional ARNs (pass region=... to set it)"
        )
    if random_used:
        notes.append(
            f"{label}: values of the random provider are chosen at apply time; stable "
            "placeholders stand in for them"
        )
    world = build_world(resources, warnings, label=label, notes=notes)
    return world, warnings


def load_terraform_dir(
    path: str | os.PathLike[str],
    *,
    account: str | None = None,
    region: str | None = None,
    partition: str | None = None,
    variables: Mapping[str, Any] | None = None,
    var_files: Sequence[str | os.PathLike[str]] = (),
    source: str | None = None,
    scope: ReadScope | None = None,
) -> World:
    """The world a Terraform configuration (a directory of ``.tf`` files, or one ``.tf`` file)
    would create.

    ``variables`` and ``var_files`` give root-module variables (after ``terraform.tfvars`` and
    ``*.auto.tfvars``, which are read as Terraform reads them). ``account``/``region``/
    ``partition`` apply to resources whose provider configuration does not say. Unresolvable
    parts are left out and reported in ``World.notes``; malformed HCL raises
    :class:`~iamsim.errors.InputError` naming the file, line and column.
    """
    world, _ = read_terraform_dir(
        path,
        account=account,
        region=region,
        partition=partition,
        variables=variables,
        var_files=var_files,
        source=source,
        scope=scope,
    )
    return world
