"""Where a JSON pointer lands in an input's text: the line and column of the element.

Findings and errors are located by the file they came from and a JSON pointer (RFC 6901) into
the document; people and code-scanning tools want a line and a column. This module maps one to
the other, reading the text again (bounded like every input read) rather than keeping positions
in the loaders:

* JSON, and the JSON-like object expressions of Terraform (``jsonencode({...})``, heredocs
  holding JSON): a linear, forward-only scan that follows the pointer, skipping every sibling
  value by bracket matching (strings and comments respected), never parsing the whole document;
* YAML: PyYAML's node graph (:func:`yaml.compose` with the safe loader), whose nodes carry their
  start marks; aliases are shared nodes, so following a pointer never expands them;
* Terraform: sources are written ``file.tf:LINE (address.attribute)`` by the loader, LINE being
  the block's line; the attribute's line is found by a linear scan of that block, then the
  pointer is followed inside its value when the value is written as an object (otherwise the
  attribute's own line is the best place there is: a ``data.aws_iam_policy_document`` reference,
  a policy in a quoted string).

A pointer member lands on its key (``"Action": [...]``), an array element on the element itself.
Everything here is best effort: when the text cannot be read or the pointer does not match it,
the answer is None (or the nearest enclosing position that was found), never an exception, since
a location only decorates a finding that is already established.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from iamsim.errors import IamsimError
from iamsim.ingest.read_scope import read_regular_file


@dataclass(frozen=True, slots=True)
class Position:
    """A place in a text file: 1-based line and column (columns count characters)."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A finding's ``file`` split into the file path and, for Terraform, the block's line and the
    attribute holding the policy (``main.tf:24 (aws_iam_policy.x.policy)``)."""

    file: str
    line: int | None = None
    attribute: str | None = None


_TERRAFORM_SOURCE = re.compile(r"^(?P<file>.+?):(?P<line>\d+)(?: \((?P<address>[^()]*)\))?$")
_ADDRESS_ONLY = re.compile(r"^(?P<file>.+?) \((?P<address>[^()]*)\)$")


def parse_source(source: str) -> SourceRef:
    """Split ``file``, ``file:LINE`` or ``file:LINE (address.attribute)`` as the loaders write
    them; the attribute is the address's last part without an index (``policy``)."""
    match = _TERRAFORM_SOURCE.match(source) or _ADDRESS_ONLY.match(source)
    if match is None:
        return SourceRef(source)
    groups = match.groupdict()
    address = groups.get("address")
    attribute = None
    if address:
        attribute = re.sub(r"\[[^\]]*\]", "", address.rsplit(".", 1)[-1]) or None
    line = int(groups["line"]) if groups.get("line") else None
    return SourceRef(groups["file"], line, attribute)


def pointer_tokens(pointer: str) -> list[str] | None:
    """The unescaped tokens of a JSON pointer ("" is the whole document); None if malformed."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        return None
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _position(text: str, offset: int) -> Position:
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return Position(line, offset - start + 1)


# -- JSON and JSON-like object expressions --------------------------------------------------

_OPEN = {"{": "}", "[": "]", "(": ")"}
_CLOSE = set(_OPEN.values())
_BARE_KEY = re.compile(r"[A-Za-z0-9_\-.:$]+")
_CALL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\s*\(")


class _Scanner:
    """A forward-only reader of JSON and of HCL object and tuple expressions."""

    def __init__(self, text: str, pos: int = 0) -> None:
        self.text = text
        self.pos = pos

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_space(self) -> None:
        """Whitespace, newlines and HCL comments (``#``, ``//``, ``/* */``)."""
        text, n = self.text, len(self.text)
        while self.pos < n:
            c = text[self.pos]
            if c in " \t\r\n\ufeff":
                self.pos += 1
            elif c == "#" or text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = n if end < 0 else end + 1
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                self.pos = n if end < 0 else end + 2
            else:
                return

    def skip_string(self) -> None:
        """From an opening quote to just after its closing quote (backslash escapes kept)."""
        text, n = self.text, len(self.text)
        i = self.pos + 1
        while i < n:
            c = text[i]
            if c == "\\":
                i += 2
                continue
            if c == '"':
                self.pos = i + 1
                return
            if c == "\n":  # unterminated: stop at the line's end rather than read on
                break
            i += 1
        self.pos = min(i, n)

    def skip_value(self) -> None:
        """Past one value: a bracketed group, or a scalar up to a separator at depth 0."""
        text, n = self.text, len(self.text)
        depth = 0
        while self.pos < n:
            c = text[self.pos]
            if c == '"':
                self.skip_string()
                continue
            if c in _OPEN:
                depth += 1
            elif c in _CLOSE:
                if depth == 0:
                    return
                depth -= 1
                if depth == 0:
                    self.pos += 1
                    return
            elif depth == 0 and c in ",\n":
                return
            self.pos += 1

    def key(self) -> str | None:
        """An object key, quoted or bare; None when the text here is not one."""
        if self.peek() == '"':
            start = self.pos
            self.skip_string()
            raw = self.text[start + 1 : self.pos - 1]
            try:  # the standard decoder knows every JSON escape
                decoded: str = json.loads(f'"{raw}"')
                return decoded
            except ValueError:
                return raw
        match = _BARE_KEY.match(self.text, self.pos)
        if match is None:
            return None
        self.pos = match.end()
        return match.group()

    def enter(self) -> bool:
        """Step into a value written as ``jsonencode(...)``/``(...)`` or a heredoc of JSON, so
        that the scanner stands on the object or list inside; False when there is none."""
        self.skip_space()
        match = _CALL.match(self.text, self.pos)
        if match is not None:
            self.pos = match.end()
            self.skip_space()
        elif self.text.startswith("<<", self.pos):
            end = self.text.find("\n", self.pos)
            if end < 0:
                return False
            self.pos = end + 1
            self.skip_space()
        return self.peek() in "{["

    def member(self, token: str) -> tuple[int, int] | None:
        """Standing on ``{``: the offsets of the key ``token`` and of its value."""
        self.pos += 1
        while True:
            self.skip_space()
            while self.peek() == ",":
                self.pos += 1
                self.skip_space()
            if self.peek() in ("}", ""):
                return None
            key_at = self.pos
            name = self.key()
            if name is None:
                return None
            self.skip_space()
            if self.peek() not in (":", "="):
                return None
            self.pos += 1
            self.skip_space()
            if name == token:
                return key_at, self.pos
            self.skip_value()

    def element(self, index: int) -> int | None:
        """Standing on ``[``: the offset of element ``index``."""
        self.pos += 1
        seen = 0
        while True:
            self.skip_space()
            while self.peek() == ",":
                self.pos += 1
                self.skip_space()
            if self.peek() in ("]", ""):
                return None
            if seen == index:
                return self.pos
            self.skip_value()
            seen += 1


def _follow(text: str, start: int, tokens: list[str]) -> tuple[int, bool]:
    """Follow ``tokens`` from the value at ``start``; the offset reached and whether it is the
    element named by the whole pointer (else the deepest element found on the way)."""
    scanner = _Scanner(text, start)
    landed = start
    for token in tokens:
        scanner.skip_space()
        c = scanner.peek()
        if c == "{":
            found = scanner.member(token)
            if found is None:
                return landed, False
            landed, scanner.pos = found
        elif c == "[" and token.isdigit():
            at = scanner.element(int(token))
            if at is None:
                return landed, False
            landed = scanner.pos = at
        else:
            return landed, False
    return landed, True


def locate_json(text: str, pointer: str) -> Position | None:
    """The position of the element ``pointer`` names in the JSON ``text``."""
    tokens = pointer_tokens(pointer)
    if tokens is None:
        return None
    scanner = _Scanner(text)
    scanner.skip_space()
    offset, exact = _follow(text, scanner.pos, tokens)
    return _position(text, offset) if exact else None


# -- YAML ------------------------------------------------------------------------------------


def locate_yaml(text: str, pointer: str) -> Position | None:
    """The position of the element ``pointer`` names in the YAML ``text`` (first document)."""
    tokens = pointer_tokens(pointer)
    if tokens is None:
        return None
    import yaml  # only when a YAML file is located (start-up time)

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return None
    if node is None:
        return None
    mark = node.start_mark
    for token in tokens:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and str(key.value) == token:
                    mark, node = key.start_mark, value
                    break
            else:
                return None
        elif isinstance(node, yaml.SequenceNode) and token.isdigit():
            index = int(token)
            if index >= len(node.value):
                return None
            node = node.value[index]
            mark = node.start_mark
        else:
            return None
    return Position(mark.line + 1, mark.column + 1)


# -- Terraform -------------------------------------------------------------------------------


def locate_terraform(text: str, pointer: str, *, line: int, attribute: str | None) -> Position:
    """In a Terraform file, the element ``pointer`` names inside ``attribute`` of the block
    starting on ``line``: the element itself when the value is an object expression, else the
    attribute's line, else the block's."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return Position(max(line, 1), 1)
    block_at = sum(len(x) + 1 for x in lines[: line - 1])
    block = Position(line, len(lines[line - 1]) - len(lines[line - 1].lstrip()) + 1)
    brace = text.find("{", block_at)
    if attribute is None or brace < 0:
        return block
    scanner = _Scanner(text, brace)
    found = scanner.member(attribute)
    if found is None:
        return block
    key_at, value_at = found
    inner = _Scanner(text, value_at)
    tokens = pointer_tokens(pointer)
    if tokens and inner.enter():
        offset, exact = _follow(text, inner.pos, tokens)
        if exact:
            return _position(text, offset)
    return _position(text, key_at)


# -- files -----------------------------------------------------------------------------------


def locate(
    text: str, file: str, pointer: str, *, line: int | None = None, attribute: str | None = None
) -> Position | None:
    """Dispatch on the file's kind: Terraform (``.tf``), JSON (text starting like JSON, as the
    loaders decide), else YAML."""
    if file.endswith(".tf"):
        return locate_terraform(text, pointer, line=line or 1, attribute=attribute)
    if text.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
        return locate_json(text, pointer)
    return locate_yaml(text, pointer)


def locate_json_member(text: str, key: str, value: str) -> Position | None:
    """The first member ``"key": "value"`` of the JSON ``text`` (an export's ``"Arn": "..."``
    record of a principal); the search is for that exact literal pair, in linear time."""
    needle = re.compile(re.escape(json.dumps(key)) + r"\s*:\s*" + re.escape(json.dumps(value)))
    match = needle.search(text)
    return _position(text, match.start()) if match else None


def _read(path: str) -> str | None:
    try:
        return read_regular_file(Path(path), path).decode("utf-8-sig")
    except (IamsimError, OSError, UnicodeDecodeError):
        return None


def locate_entity_in_file(source: str, arn: str) -> tuple[SourceRef, Position | None]:
    """Where the entity ``arn`` is defined in the file ``source`` names: the line the loader
    recorded (a Terraform block), else, in a JSON export, its ``"Arn"`` member."""
    ref = parse_source(source)
    if ref.line is not None:
        return ref, Position(ref.line, 1)
    text = _read(ref.file)
    if text is None or not text.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
        return ref, None
    return ref, locate_json_member(text, "Arn", arn)


def locate_in_file(source: str, pointer: str) -> tuple[SourceRef, Position | None]:
    """Read the file ``source`` names (bounded like every input read) and locate ``pointer``
    in it. The file is one a loader already read for the finding; when it cannot be read again
    the position is None."""
    ref = parse_source(source)
    text = _read(ref.file)
    if text is None:
        return ref, None
    return ref, locate(text, ref.file, pointer, line=ref.line, attribute=ref.attribute)
