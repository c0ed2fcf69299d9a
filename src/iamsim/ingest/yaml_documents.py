"""The strict YAML reader of every input: PyYAML's safe loader, made as strict as the JSON one.

Owns :class:`YamlLoader` (only plain decimal numbers become ints, dates stay text, no binary or
set values) and :func:`load_yaml` (duplicate keys, nesting, alias bombs refused before any
Python object is built). Kept apart from :mod:`iamsim.ingest.documents`, which imports it only
when a text is YAML, so that JSON input never imports PyYAML (start-up time).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from iamsim import limits
from iamsim.errors import InputError
from iamsim.ingest.documents import _too_deep
from iamsim.policy.jsondoc import pointer


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
