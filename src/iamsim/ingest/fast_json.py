"""Reading JSON fast (scenario files, JSON Lines, account exports), with located errors kept.

Reading: :func:`loads` parses with orjson (a C parser, several times faster than ``json`` with
the duplicate-key hook that the located reader of :mod:`iamsim.ingest.documents` needs) and
then proves, without building a single location, that the text has nothing that reader would
refuse: no key given twice in an object, no nesting deeper than ``limits.max_nesting``. Any
doubt -- orjson refusing the text (syntax, ``NaN``, invalid UTF-8), nineteen digits in a row
(an integer orjson would read as a float), a possible duplicate, a deep document -- re-parses the text with the located reader, which
either raises the located :class:`~iamsim.errors.InputError` (``invalid JSON at line 3 column
1``, ``duplicate key 'Effect'`` at its JSON pointer) or returns the document. So the fast path
never accepts what the located one refuses, and errors read exactly as before.

Duplicate keys without locations: every member of an object is written ``"key"`` followed by
optional whitespace and ``:``, and outside members that sequence can only occur inside a
string (escaped as ``\\"``). So the count of ``"\\s*:`` in the text is at least the number of
members written, which is at least the number of keys the parsed objects hold (orjson keeps
the last of duplicates). When the count equals the number of keys held, no key was dropped:
no duplicates. When it does not (a duplicate, or just a string holding ``\\":``), the located
reader decides.

The number of keys held is counted in C when it can be: ``orjson.dumps`` of the document,
whose ``":`` are counted the same way (:func:`_all_keys_held` says when that is exact);
otherwise by a walk over the document.

Writing the batch path's records is :func:`iamsim.report.inert.compact_json`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from iamsim import limits
from iamsim.errors import InputError
from iamsim.ingest.documents import parse_text
from iamsim.ingest.read_scope import decode_text

# JSON's whitespace, deleted before counting the ends of object keys (see _keys_written).
_JSON_SPACE = b" \t\r\n"
# Nineteen digits in a row: possibly an integer orjson would not keep exact. Found by mapping
# every digit to "0" (bytes.translate, in C) and looking for nineteen "0"s: a pattern search
# for [0-9]{19} cost more than parsing the line.
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"0" * 9)
_NINETEEN_ZEROS = b"0" * 19


def loads(text: str | bytes, source: str) -> Any:
    """The JSON document of ``text`` (InputError naming ``source`` and the location when the
    text is not JSON the project accepts). Only JSON: text that does not start like JSON (an
    object or an array) is refused, never read as YAML."""
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        return _located(text, source)
    data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    # Both proofs read one copy of the text made in one pass in C: every digit written "0"
    # and JSON whitespace deleted (see _keys_written). Digits apart can meet there ("1 2"
    # inside a string): a doubt more, settled by the located reader, never a refusal.
    squeezed = data.translate(_DIGITS_AS_ZERO, _JSON_SPACE)
    # orjson reads an integer beyond 64 bits as a float: the located reader keeps it exact.
    if _NINETEEN_ZEROS in squeezed:
        return _located(text, source)
    if not _all_keys_held(document, data, squeezed.count(b'":')):
        return _located(text, source)
    return document


def _all_keys_held(document: Any, text: str | bytes, written: int | None = None) -> bool:
    """Whether ``document`` (orjson's reading of ``text``) holds every key ``text`` writes and
    nests no deeper than ``limits.max_nesting`` (see the module): False means "let the located
    reader decide", never "refused".

    The quick proof, in C: when ``text`` opens no more containers (``{`` or ``[`` anywhere,
    strings included) than the nesting limit, it cannot nest deeper; and when it holds no
    ``\\u`` escape, ``orjson.dumps(document)`` (compact) writes ``":`` exactly once per key held
    plus once per ``":`` inside a string, while ``text`` writes ``"``, whitespace, ``:`` once per
    member written plus at least once per ``":`` inside a string (without ``\\u`` a quote in a
    string can only be written ``\\"`` and a colon only ``:``). Members written >= keys held, so
    the two counts are equal only when no key was dropped. Otherwise, the level-by-level walk
    (:func:`_shape`)."""
    data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    if written is None:
        written = _keys_written(data)
    opened = data.count(b"{") + data.count(b"[")
    # One-byte searches (memchr) first: most lines hold no backslash at all.
    escaped = b"\\" in data and b"\\u" in data
    if opened <= limits.current().max_nesting and not escaped:
        try:
            return orjson.dumps(document).count(b'":') == written
        except orjson.JSONEncodeError:  # not expected from orjson's own reading: walk instead
            pass
    return _shape(document) == written


def _keys_written(text: str | bytes) -> int:
    """How many times ``"``, optional whitespace, ``:`` occurs in ``text`` (see the module):
    the count of ``":`` once every JSON whitespace byte is deleted (each such occurrence becomes
    one ``":``, and every ``":`` of the stripped text was one), two passes in C where a
    pattern search cost more than the parse."""
    data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    return data.translate(None, _JSON_SPACE).count(b'":')


def _shape(document: Any) -> int:
    """The number of keys held by the objects of ``document``, or -1 when it nests deeper than
    ``limits.max_nesting`` (level by level, no locations, no recursion)."""
    max_depth = limits.current().max_nesting
    keys = 0
    level: list[Any] = [document] if type(document) in (dict, list) else []
    depth = 1
    while level:
        if depth > max_depth:
            return -1
        below: list[Any] = []
        for value in level:
            # orjson makes exactly dict and list: type() is the cheap test.
            children = value.values() if type(value) is dict else value
            if type(value) is dict:
                keys += len(value)
            for child in children:
                kind = type(child)
                if kind is dict or kind is list:
                    below.append(child)
        level = below
        depth += 1
    return keys


def _located(text: str | bytes, source: str) -> Any:
    """The located reader's answer for ``text``: its error, or the document it accepts."""
    if isinstance(text, bytes):
        text = decode_text(text, source)
    if not text.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
        raise InputError("not JSON: expected a JSON object", source=source)
    return parse_text(text, source)


class SharedMember:
    """JSON objects read one line at a time whose ``member`` (a scenario's ``policies``) often
    recurs byte for byte: that member's value is decoded once per distinct text and the same
    object handed out again, the rest of the line decoded every time.

    :meth:`loads` returns a document equal to what :func:`loads` returns for the line (its
    top-level members in the order of ``fields``), and raises what it raises; only the
    decoding is shared. msgspec decodes the line as an object of exactly the members
    ``fields`` (in C; a member outside them is a doubt), the member's value kept as raw text,
    which keys a bounded LRU of values decoded by orjson. The proofs are :func:`loads`'s over
    the whole line -- no nineteen digits in a row, no ``\\u`` escape, nesting within the
    limit, and ``"``-``:`` written exactly as often as the decoded document holds keys (plus
    ``":`` in the shared value's strings) -- with the shared value's count and depth taken
    once, when it was decoded. The ``":`` counts of the parts add up to the whole's
    because the member's text starts with ``{`` or ``[`` and ends with ``}`` or ``]`` (no
    ``"`` and ``:`` pair spans a boundary). Any doubt, any line msgspec or orjson refuses,
    goes to :func:`loads`, whose located reader decides and words the error.

    The shared value is one object for every line that carries the text: callers must not
    change it (scenarios never do: their policies are parsed, not edited).
    """

    def __init__(self, member: str, fields: Iterable[str], limit: int = 256) -> None:
        import msgspec  # the JSON Lines batch reader only

        self._member = member
        self._fields = tuple(dict.fromkeys([*fields, member]))
        self._limit = limit
        # raw text -> (decoded value, its keys held plus the ``":`` inside its strings)
        self._known: dict[bytes, tuple[Any, int]] = {}
        line = msgspec.defstruct(
            "Line",
            [
                (name, msgspec.Raw if name == member else Any, msgspec.UNSET)
                for name in self._fields
            ],
            forbid_unknown_fields=True,
        )
        self._decoder = msgspec.json.Decoder(line)
        self._unset = msgspec.UNSET
        # ValidationError (an unknown member, a number out of range) is a DecodeError.
        self._refused = msgspec.DecodeError

    def loads(self, line: bytes, source: str) -> Any:
        """The JSON document of the line ``line`` (see the class)."""
        if b"\\u" in line:
            return loads(line, source)
        try:
            parts = self._decoder.decode(line)
        except self._refused:
            return loads(line, source)
        squeezed = line.translate(_DIGITS_AS_ZERO, _JSON_SPACE)
        if _NINETEEN_ZEROS in squeezed:
            return loads(line, source)
        unset, member = self._unset, self._member
        document: dict[str, Any] = {}
        raw = unset
        for name in self._fields:
            value = getattr(parts, name)
            if value is not unset:
                if name == member:
                    raw = value
                else:
                    document[name] = value
        # The rest's keys counted by the walk (no ``":`` in its strings: one there is a doubt
        # more, settled by loads), which also bounds its nesting.
        held = _shape(document)
        if held < 0:
            return loads(line, source)
        if raw is not unset:
            text = bytes(raw)
            known = self._known.get(text)
            if known is None:
                try:
                    value = orjson.loads(text)
                except orjson.JSONDecodeError:
                    return loads(line, source)
                # A container within the nesting limit one level down (else no count): no more
                # containers opened than that, or else the walk says.
                if type(value) not in (dict, list) or (
                    text.count(b"{") + text.count(b"[") >= limits.current().max_nesting
                    and _shape([value]) < 0
                ):
                    return loads(line, source)
                known = (value, orjson.dumps(value).count(b'":'))
                if len(self._known) >= self._limit:
                    self._known.clear()
                self._known[text] = known
            document[member] = known[0]
            held += 1 + known[1]  # the member's own key, then what its value holds
        if held != squeezed.count(b'":'):
            return loads(line, source)
        return document
