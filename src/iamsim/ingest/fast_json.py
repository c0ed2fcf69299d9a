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

Writing the batch path's records is :func:`iamsim.report.inert.compact_json`.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from iamsim import limits
from iamsim.errors import InputError
from iamsim.ingest import parse_text
from iamsim.ingest.read_scope import decode_text

# The end of an object key: a closing quote, optional whitespace, the colon.
_KEY_END = re.compile(rb'"[ \t\r\n]*:')
_KEY_END_TEXT = re.compile(r'"[ \t\r\n]*:')
# Nineteen digits in a row: possibly an integer orjson would not keep exact.
_LONG_DIGITS = re.compile(rb"[0-9]{19}")
_LONG_DIGITS_TEXT = re.compile(r"[0-9]{19}")


def loads(text: str | bytes, source: str) -> Any:
    """The JSON document of ``text`` (InputError naming ``source`` and the location when the
    text is not JSON the project accepts). Only JSON: text that does not start like JSON (an
    object or an array) is refused, never read as YAML."""
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        return _located(text, source)
    # orjson reads an integer beyond 64 bits as a float: the located reader keeps it exact.
    if isinstance(text, bytes):
        if _LONG_DIGITS.search(text):
            return _located(text, source)
    elif _LONG_DIGITS_TEXT.search(text):
        return _located(text, source)
    keys_written = _keys_written(text)
    if _shape(document) != keys_written:
        return _located(text, source)
    return document


def _keys_written(text: str | bytes) -> int:
    """How many times ``"``, optional whitespace, ``:`` occurs in ``text`` (see the module).
    When no quote is followed by whitespace (compact JSON, JSON Lines as generators write
    them), that is the count of ``":``, which ``count`` finds much faster than the pattern."""
    if isinstance(text, bytes):
        if any(gap in text for gap in (b'" ', b'"\t', b'"\n', b'"\r')):
            # Counted, not listed: a list of every match would hold a string per key.
            return sum(1 for _ in _KEY_END.finditer(text))
        return text.count(b'":')
    if any(gap in text for gap in ('" ', '"\t', '"\n', '"\r')):
        return sum(1 for _ in _KEY_END_TEXT.finditer(text))
    return text.count('":')


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
