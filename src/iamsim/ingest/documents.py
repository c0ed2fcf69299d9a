"""Parsing input text as JSON or YAML, and walking the documents with located errors.

Owns the strict JSON and YAML readers (duplicate keys, nesting, YAML alias bombs, numbers and
dates kept as written), :func:`parse_text`, the :class:`Reader` that walks a parsed document
raising InputErrors located by JSON pointer, and :func:`close_match` for "did you mean" hints.
Reading the files themselves is :mod:`iamsim.ingest.files`.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from iamsim import limits
from iamsim.errors import InputError

# The loaders' error vocabulary is the policy parser's.
from iamsim.policy.jsondoc import json_type, pointer


class YamlLoader(yaml.SafeLoader):
    """Safe YAML, except that only plain decimal numbers become ints and dates stay text.

    YAML 1.1 reads ``011122223333`` as an octal number, which would silently change an
    account ID; here anything with a leading zero (or ``0x``, ``1:30``) stays a string.
    Unquoted dates and timestamps (``Version: 2012-10-17``, ``aws:CurrentTime:
    2025-06-30T23:59:59Z``) stay the strings written, as in JSON, which has no dates (and as
    CloudFormation reads them: it converts YAML templates to JSON); an explicit
    ``!!timestamp`` tag too.

    The composer also notes where each alias stands (``alias_marks``), so that a document
    whose aliases expand past ``max_yaml_nodes`` is refused naming the alias that crossed it.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        # (id of the parent node, position in its value list, 0 for a mapping key else 1)
        # -> where the alias standing there was written.
        self.alias_marks: dict[tuple[int, int, int], yaml.Mark] = {}

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if parent is not None and self.check_event(yaml.AliasEvent):
            slot = 0 if isinstance(parent, yaml.MappingNode) and index is None else 1
            where = (id(parent), len(parent.value), slot)
            self.alias_marks[where] = self.peek_event().start_mark  # type: ignore[no-untyped-call]
        node: yaml.Node = super().compose_node(parent, index)  # type: ignore[assignment]
        return node


_INT_TAG = "tag:yaml.org,2002:int"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"

YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT_TAG, _TIMESTAMP_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
YamlLoader.add_implicit_resolver(
    _INT_TAG, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


YamlLoader.add_constructor(_TIMESTAMP_TAG, _timestamp_as_text)


def _no_json_equivalent(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    # Every input is a JSON document (CloudFormation converts YAML templates to JSON too):
    # bytes and sets have no JSON form, and code downstream expects JSON values only.
    raise yaml.constructor.ConstructorError(
        None, None, f"{node.tag} values have no JSON equivalent", node.start_mark
    )


for _tag in ("tag:yaml.org,2002:binary", "tag:yaml.org,2002:set"):
    YamlLoader.add_constructor(_tag, _no_json_equivalent)


# Deeper documents are refused (``limits.max_nesting``): no input format nests anywhere near
# the default (a policy is about 6 levels deep, an authorization-details export 12, a plan's
# configuration a few per module), and the recursive code that walks documents must not run
# out of stack. MAX_NESTING is the default, for callers that want the number.
MAX_NESTING = limits.DEFAULT_LIMITS.max_nesting


def _too_deep() -> str:
    depth = limits.current().max_nesting
    return f"the document is nested too deeply (more than {depth} levels; limit max_nesting)"


class _DuplicateKeys(dict[str, Any]):
    """A JSON object that named a key twice (marked by the parser, reported with its path)."""

    duplicate: str = ""


def _object_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) == len(pairs):
        return out
    marked = _DuplicateKeys(out)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            marked.duplicate = key
            break
        seen.add(key)
    return marked


def _no_constant(name: str) -> Any:
    # Python reads NaN and Infinity; JSON (and AWS) do not.
    raise InputError(f"{name} is not valid JSON")


# A JSON string (possessive: no backtracking), or a bracket opening or closing a level.
_JSON_LEVELS = re.compile(r'"(?:[^"\\]++|\\.)*+"?|[\[{]|[\]}]')


def _check_json_nesting(text: str) -> None:
    """Refuse JSON nested deeper than ``limits.max_nesting`` before it is parsed.

    ``json.loads`` recurses once per level and would otherwise stop at the interpreter's
    recursion limit (or, with its C scanner, a deep stack) instead of at a located error. One
    linear pass over the brackets outside strings; malformed text is left to the parser.
    """
    max_depth = limits.current().max_nesting
    depth = 0
    for match in _JSON_LEVELS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                line = text.count("\n", 0, match.start()) + 1
                column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
                raise InputError(f"{_too_deep()} (line {line} column {column})")
        elif token in "]}":
            depth -= 1


def load_json(text: str) -> Any:
    """``json.loads``, strict about what JSON itself lets through.

    Syntax errors raise ``json.JSONDecodeError`` (callers word them); a key given twice in one
    object (JSON parsers keep the last, so ``"Effect": "Deny", ..., "Effect": "Allow"`` would
    silently allow), ``NaN``/``Infinity`` and nesting deeper than ``limits.max_nesting`` raise
    :class:`InputError`, located by the JSON pointer inside ``text`` where known (without a
    source: callers add it).
    """
    _check_json_nesting(text)
    try:
        doc = json.loads(text, object_pairs_hook=_object_pairs, parse_constant=_no_constant)
    except RecursionError:
        raise InputError(_too_deep()) from None
    # Check depth and duplicates without recursion, each value once (linear).
    max_depth = limits.current().max_nesting
    stack: list[tuple[Any, str, int]] = [(doc, "", 1)]
    while stack:
        value, path, depth = stack.pop()
        if depth > max_depth:
            raise InputError(_too_deep(), path=path)
        if isinstance(value, dict):
            if isinstance(value, _DuplicateKeys):
                raise InputError(
                    f"duplicate key {value.duplicate!r}", path=pointer(path, value.duplicate)
                )
            children = [(v, pointer(path, k)) for k, v in value.items()]
        elif isinstance(value, list):
            children = [(v, pointer(path, i)) for i, v in enumerate(value)]
        else:
            continue
        stack.extend(
            (child, where, depth + 1)
            for child, where in reversed(children)
            if isinstance(child, dict | list)
        )
    return doc


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _check_yaml_nodes(root: yaml.Node, alias_marks: Mapping[tuple[int, int, int], Any]) -> None:
    """Size, nesting depth, duplicate keys and self-referencing aliases of a composed document.

    Aliases make the node graph a DAG (or, for an alias inside its own anchor, a cycle), and
    everything after loading (the Python objects' users, policy parsing, rendering) sees the
    tree the aliases expand to, which can be exponentially larger than the text (nine levels
    of nine aliases are 387 million nodes in half a kilobyte). So the size that tree would
    have, and the height of every node, are computed once per node (memoised by identity, so
    this pass is linear in the composed graph) before any Python object is built, and a
    document expanding past ``limits.max_yaml_nodes`` nodes or nesting past
    ``limits.max_nesting`` is refused. A shared node's depth is checked where it is deepest.
    """
    current = limits.current()
    max_nodes, max_depth = current.max_yaml_nodes, current.max_nesting
    sizes: dict[int, int] = {}  # expanded node count of each collection node
    heights: dict[int, int] = {}
    open_nodes: set[int] = set()
    # (node, JSON pointer, depth, children done)
    stack: list[tuple[yaml.Node, str, int, bool]] = [(root, "", 0, False)]
    while stack:
        node, path, depth, done = stack.pop()
        if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            continue
        key = id(node)
        if done:
            open_nodes.discard(key)
            total, height = 1, 0
            for position, slot, child in _yaml_slots(node):
                total += sizes.get(id(child), 1)
                if total > max_nodes:
                    raise _too_many_nodes(node, position, slot, child, path, alias_marks)
                height = max(height, heights.get(id(child), 0))
            sizes[key] = total
            heights[key] = 1 + height
            continue
        if key in heights:
            if depth + heights[key] > max_depth:
                raise InputError(_too_deep(), path=path)
            continue
        if key in open_nodes:
            raise InputError("a YAML alias refers to a node that contains it", path=path)
        if depth >= max_depth:
            raise InputError(_too_deep(), path=path)
        open_nodes.add(key)
        stack.append((node, path, depth, True))
        if isinstance(node, yaml.MappingNode):
            seen: dict[tuple[str, str], yaml.Node] = {}
            children: list[tuple[yaml.Node, str]] = []
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE_TAG:
                    children.append((value_node, path))
                    continue
                if isinstance(key_node, yaml.ScalarNode):
                    token = str(key_node.value)
                    ident = (key_node.tag, token)
                    if ident in seen:
                        mark = key_node.start_mark
                        raise InputError(
                            f"duplicate key {token!r} (line {mark.line + 1} column "
                            f"{mark.column + 1}; first at line {seen[ident].start_mark.line + 1})",
                            path=pointer(path, token),
                        )
                    seen[ident] = key_node
                else:
                    # A complex key is walked too (it may hold aliases), under the value's path.
                    children.append((key_node, pointer(path, "?")))
                    token = "?"
                children.append((value_node, pointer(path, token)))
        else:
            children = [(child, pointer(path, i)) for i, child in enumerate(node.value)]
        stack.extend((child, where, depth + 1, False) for child, where in reversed(children))


def _yaml_slots(node: yaml.Node) -> Iterable[tuple[int, int, yaml.Node]]:
    """(position, 0 for a key or 1 for a value or item, child) for each child of ``node``."""
    if isinstance(node, yaml.MappingNode):
        for position, (key_node, value_node) in enumerate(node.value):
            yield position, 0, key_node
            yield position, 1, value_node
    elif isinstance(node, yaml.SequenceNode):
        for position, child in enumerate(node.value):
            yield position, 1, child


def _too_many_nodes(
    node: yaml.Node,
    position: int,
    slot: int,
    child: yaml.Node,
    path: str,
    alias_marks: Mapping[tuple[int, int, int], Any],
) -> InputError:
    """The error for the child of ``node`` whose expansion takes the document past the cap."""
    max_nodes = limits.current().max_yaml_nodes
    if isinstance(node, yaml.MappingNode):
        key_node = node.value[position][0]
        token = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
        where = path if key_node.tag == _MERGE_TAG else pointer(path, token)
    else:
        where = pointer(path, position)
    alias = alias_marks.get((id(node), position, slot))
    mark = alias if alias is not None else child.start_mark
    what = "the alias" if alias is not None else "the node"
    return InputError(
        f"the document expands to more than {max_nodes:,} YAML nodes once aliases are "
        f"followed ({what} at line {mark.line + 1} column {mark.column + 1} crosses the "
        f"limit max_yaml_nodes={max_nodes}; a YAML alias bomb?)",
        path=where,
    )


def _yaml_children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [value for _, value in node.value]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


_BOOL_TAG = "tag:yaml.org,2002:bool"
_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"


def _condition_booleans_as_text(root: yaml.Node) -> None:
    """Write the YAML Booleans of policy condition values as the text ``true``/``false``.

    ``Condition: {Bool: {aws:SecureTransport: false}}`` means the same to IAM either way (it
    compares condition values as text), but a Python ``False`` would be shown as ``False`` in
    messages and traces; as text it reads as written. Only the values of a ``Condition``
    mapping's operators (``Condition/<operator>/<key>``, or the items of a list there) change.
    """
    # Each node is visited once, and each Condition block rewritten once, however many
    # aliases share it.
    seen: set[int] = set()
    seen_blocks: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen or not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            continue
        seen.add(id(node))
        stack.extend(_yaml_children(node))
        if not isinstance(node, yaml.MappingNode):
            continue
        for key_node, block in node.value:
            if key_node.value != "Condition" or not isinstance(block, yaml.MappingNode):
                continue
            if id(block) in seen_blocks:
                continue
            seen_blocks.add(id(block))
            for _, keys in block.value:
                if not isinstance(keys, yaml.MappingNode):
                    continue
                for _, value in keys.value:
                    items = value.value if value.tag == _SEQ_TAG else [value]
                    for item in items:
                        if isinstance(item, yaml.ScalarNode) and item.tag == _BOOL_TAG:
                            truth = YamlLoader.bool_values.get(str(item.value).lower())
                            if truth is not None:
                                item.tag, item.value = _STR_TAG, "true" if truth else "false"


def load_yaml(text: str, loader: type[YamlLoader] = YamlLoader) -> Any:
    """``yaml.load`` with ``loader``, strict like :func:`load_json`.

    Syntax errors raise ``yaml.YAMLError``; a key given twice in one mapping (YAML loaders keep
    the last), nesting deeper than ``limits.max_nesting``, aliases expanding the document past
    ``limits.max_yaml_nodes`` nodes (checked before any Python object is built) and an alias
    inside its own anchor raise :class:`InputError` located by JSON pointer. Keys merged with
    ``<<`` may be overridden, as YAML intends. Booleans among policy condition values become the text ``true``/``false``
    (see :func:`_condition_booleans_as_text`).
    """
    parser = loader(text)
    try:
        try:
            node = parser.get_single_node()
        except RecursionError:
            raise InputError(_too_deep()) from None
        if node is None:
            return None
        _check_yaml_nodes(node, parser.alias_marks)
        _condition_booleans_as_text(node)
        return parser.construct_document(node)
    finally:
        parser.dispose()


def parse_text(text: str, source: str) -> Any:
    """Parse JSON (when the text starts like JSON, for exact positions) or YAML.

    Duplicate keys and documents nested too deeply are errors (see :func:`load_json`).
    """
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("{", "[")):
        try:
            return load_json(stripped)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", source=source
            ) from None
        except InputError as exc:
            raise exc.located(source=source) from None
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"invalid YAML{where}: {problem}", source=source) from None
    except InputError as exc:
        raise exc.located(source=source) from None


def close_match(name: str, known: Iterable[str], cutoff: float = 0.8) -> str | None:
    """The known name that ``name`` is probably a misspelling of (None when none is close).

    Case-insensitive equality, or difflib similarity of at least ``cutoff``
    (``PermissionBoundary`` for ``PermissionsBoundary``, ``Tag`` for ``Tags``).
    """
    lowered = {k.lower(): k for k in known}
    if name.lower() in lowered:
        return lowered[name.lower()]
    found = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[found[0]] if found else None


class Reader:
    """Typed access to a parsed document, raising located InputErrors."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, reason: str, path: str) -> InputError:
        return InputError(reason, path=path, source=self.source)

    def obj(self, value: Any, path: str, what: str = "an object") -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(f"expected {what}, found {json_type(value)}", path)
        return value

    def array(self, value: Any, path: str, what: str = "an array") -> list[Any]:
        if not isinstance(value, list):
            raise self.error(f"expected {what}, found {json_type(value)}", path)
        return value

    def string(self, value: Any, path: str, what: str = "a string") -> str:
        if not isinstance(value, str) or not value:
            found = "an empty string" if value == "" else json_type(value)
            raise self.error(f"expected {what}, found {found}", path)
        return value

    def opt_string(self, parent: Mapping[str, Any], key: str, path: str) -> str | None:
        value = parent.get(key)
        if value is None:
            return None
        return self.string(value, pointer(path, key))

    def req(self, parent: Mapping[str, Any], key: str, path: str) -> Any:
        if key not in parent or parent[key] is None:
            raise self.error(f"missing required field {key!r}", path)
        return parent[key]

    def req_string(self, parent: Mapping[str, Any], key: str, path: str) -> str:
        return self.string(self.req(parent, key, path), pointer(path, key))

    def account_id(self, value: Any, path: str) -> str:
        """A 12-digit account ID; YAML may have read it as a number."""
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**12:
            value = str(value).zfill(12)
        if not isinstance(value, str) or not (len(value) == 12 and value.isdigit()):
            raise self.error(f"expected a 12-digit account ID, found {value!r}", path)
        return value

    def unknown_keys(self, parent: Mapping[str, Any], allowed: set[str], path: str) -> None:
        extra = sorted(str(k) for k in parent if k not in allowed)
        if extra:
            raise self.error(
                f"unknown field {extra[0]!r} (expected one of: {', '.join(sorted(allowed))})",
                pointer(path, extra[0]),
            )

    def opt_array(self, parent: Mapping[str, Any], key: str, path: str) -> list[Any]:
        """An optional array field: absent or null is empty; anything else must be an array
        (``{}``, ``""`` or ``false`` are not an empty list)."""
        value = parent.get(key)
        if value is None:
            return []
        return self.array(value, pointer(path, key))

    def known_keys(self, parent: Mapping[str, Any], known: Iterable[str], path: str) -> list[str]:
        """Keys of ``parent`` outside ``known``, for formats that AWS extends over time.

        A key that looks like a misspelling of a known one (``PermissionBoundary``) is an
        error, since the value it carries would otherwise be silently dropped; the other
        unknown keys are returned for the caller to note.
        """
        known = set(known)
        extra = []
        for key in parent:
            if key in known:
                continue
            name = str(key)
            suggestion = close_match(name, known)
            if suggestion is not None:
                raise self.error(
                    f"unknown key {name!r} (did you mean {suggestion!r}?)", pointer(path, name)
                )
            extra.append(name)
        return extra

    def tags(self, value: Any, path: str) -> dict[str, str]:
        """Tags as ``{key: value}`` or as AWS's ``[{"Key": k, "Value": v}]``."""
        if value is None:
            return {}
        out: dict[str, str] = {}
        if isinstance(value, Mapping):
            for key, val in value.items():
                where = pointer(path, str(key))
                if not isinstance(key, str) or not key:
                    raise self.error("tag keys must be non-empty strings", where)
                if isinstance(val, bool) or not isinstance(val, str | int | float):
                    raise self.error(f"tag value must be a string, found {json_type(val)}", where)
                out[key] = str(val)
            return out
        for i, item in enumerate(self.array(value, path, "tags (an object or a Key/Value list)")):
            where = pointer(path, i)
            entry = self.obj(item, where, "a {Key, Value} object")
            key = self.req_string(entry, "Key", where)
            val = entry.get("Value", "")
            if not isinstance(val, str):
                raise self.error(
                    f"tag value must be a string, found {json_type(val)}", pointer(where, "Value")
                )
            out[key] = val
        return out
