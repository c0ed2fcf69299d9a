"""Terraform syntax: files parsed by python-hcl2's grammar into blocks.

This module owns reading the syntax tree (a real HCL parser; no text matching of HCL here):
tree helpers, :class:`Block` (a block's attributes and nested blocks, with its file and line),
:func:`parse_file`, and string templates and heredocs.
"""

from __future__ import annotations

import functools
import io
import json
from dataclasses import dataclass
from pathlib import Path

from hcl2.parser import parser as hcl2_parser
from lark import Lark, Token, Tree
from lark.exceptions import LarkError

from iamsim import limits
from iamsim.errors import InputError
from iamsim.ingest.files import read_text
from iamsim.ingest.read_scope import ReadScope

# -- syntax tree helpers --------------------------------------------------------------------------

_SKIP = ("new_line_or_comment",)


def children(tree: Tree[Token]) -> list[Tree[Token]]:
    """Children that carry meaning: no punctuation tokens, no newlines or comments."""
    return [c for c in tree.children if isinstance(c, Tree) and c.data not in _SKIP]


def line_of(tree: object) -> int | None:
    """The line a node starts on: its first token's (the parser does not propagate positions
    to every node, which costs half the parse time; only reported nodes need one)."""
    if isinstance(tree, Token):
        return tree.line
    if not isinstance(tree, Tree):
        return None
    stack: list[object] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Token):
            if node.line is not None:
                return node.line
        elif isinstance(node, Tree):
            stack.extend(reversed(node.children))
    return None


def name_of(tree: Tree[Token]) -> str:
    """The text of an identifier / keyword / literal_value node used as a name."""
    token = tree.children[0]
    return str(token)


def label_text(tree: Tree[Token]) -> str:
    if tree.data == "string":
        out = []
        for part in tree.children:
            if isinstance(part, Tree) and part.data == "string_part":
                inner = part.children[0]
                if isinstance(inner, Token):
                    out.append(unescape(str(inner)))
        return "".join(out)
    return name_of(tree)


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def unescape(text: str) -> str:
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


def traversal(tree: object) -> str | None:
    """``aws.west`` for the expression ``aws.west`` (a provider reference), else None."""
    if not isinstance(tree, Tree):
        return None
    if tree.data == "expr_term":
        kids = children(tree)
        return traversal(kids[0]) if len(kids) == 1 else None
    if tree.data == "identifier":
        return name_of(tree)
    if tree.data == "get_attr_expr_term":
        base, attr = children(tree)
        head = traversal(base)
        name = children(attr)[0]
        return f"{head}.{name_of(name)}" if head else None
    if tree.data == "index_expr_term":
        # aws_x.y["k"] / aws_x.y[0] in an import block's `to`: a literal key only.
        base, index = children(tree)
        head = traversal(base)
        inner = children(index)[0] if index.data == "braces_index" else None
        kids = children(inner) if inner is not None and inner.data == "expr_term" else []
        if head is None or len(kids) != 1:
            return None
        if kids[0].data == "int_lit":
            return f"{head}[{kids[0].children[0]}]"
        if kids[0].data == "string":
            return f"{head}[{json.dumps(label_text(kids[0]))}]"
    return None


@dataclass
class Block:
    """A block of a configuration file with its attributes (unevaluated) and nested blocks."""

    type: str
    labels: list[str]
    attrs: dict[str, Tree[Token]]
    blocks: list[Block]
    file: str
    line: int | None
    dir: Path

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


def block_body(
    body: Tree[Token], file: str, directory: Path
) -> tuple[dict[str, Tree[Token]], list[Block]]:
    attrs: dict[str, Tree[Token]] = {}
    blocks: list[Block] = []
    for item in children(body):
        if item.data == "attribute":
            name_tree, expr = children(item)
            name = name_of(name_tree)
            if name in attrs:
                # Terraform: "Attribute redefined" (keeping the last would turn
                # effect = "Deny" ... effect = "Allow" into an Allow).
                raise InputError(
                    f"the argument {name!r} is set twice (first at line "
                    f"{line_of(attrs[name]) or '?'})",
                    path=f"line {line_of(item) or '?'}",
                    source=file,
                )
            attrs[name] = expr
        elif item.data == "block":
            parts = children(item)
            inner = parts[-1]
            block_type = name_of(parts[0])
            labels = [label_text(p) for p in parts[1:-1]]
            sub_attrs, sub_blocks = block_body(inner, file, directory)
            blocks.append(
                Block(block_type, labels, sub_attrs, sub_blocks, file, line_of(item), directory)
            )
    return attrs, blocks


@functools.cache
def _parser() -> Lark:
    """python-hcl2's LALR parser (its grammar, post-lexer and cached tables) without
    ``propagate_positions``: filling every node's position is half the parse time, and
    :func:`line_of` finds a node's line from its first token instead. Built from the
    serialised tables in memory (no grammar compilation, no file written)."""
    buffer = io.BytesIO()
    hcl2_parser().save(buffer, exclude_options={"propagate_positions"})
    buffer.seek(0)
    return Lark.load(buffer)


def parse_hcl_text(text: str, source: str) -> Tree[Token]:
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
        # "\n" as hcl2.parses_to_tree adds it: the grammar needs a final newline.
        return _parser().parse(text + "\n")
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
    tree = parse_hcl_text(text, label)
    body = next(c for c in tree.children if isinstance(c, Tree) and c.data == "body")
    attrs, blocks = block_body(body, label, path.parent)
    if attrs:
        name = next(iter(attrs))
        raise InputError(
            f"unexpected top-level argument {name!r} (a .tf file holds blocks)",
            path=f"line {line_of(attrs[name]) or '?'}",
            source=label,
        )
    return blocks


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


def heredoc_body(token: str, trim: bool) -> str:
    first_newline = token.index("\n")
    body = token[first_newline + 1 :].rstrip("\r\n")
    lines = body.split("\n")
    lines = lines[:-1]  # the closing marker
    if trim:
        indents = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip()]
        cut = min(indents) if indents else 0
        lines = [ln[cut:] for ln in lines]
    return "\n".join(lines) + ("\n" if lines else "")


_TEMPLATE_CACHE: dict[str, Tree[Token]] = {}


def template_tree(text: str, source: str) -> Tree[Token]:
    tree = _TEMPLATE_CACHE.get(text)
    if tree is None:
        parsed = parse_hcl_text(f"t = {_template_to_quoted(text)}\n", source)
        body = next(c for c in parsed.children if isinstance(c, Tree) and c.data == "body")
        attribute = next(c for c in children(body) if c.data == "attribute")
        tree = children(attribute)[1]
        _TEMPLATE_CACHE[text] = tree
    return tree
