"""The ``who-can --json`` document, written piece by piece.

Owns one thing: printing :meth:`~iamsim.analysis.who_can.WhoCanResult.to_dict` (with its
``schema_version`` first and the inputs' notes last, as :func:`iamsim.cli._common.echo_json`
does) byte for byte as ``json.dumps(document, indent=2, ensure_ascii=False)`` would, made
inert, without holding the whole document: ``who-can '*' '*'`` on a real export answers
hundreds of thousands of (principal, action) grants, over a hundred megabytes of JSON, and
building it as Python objects first took most of the command's time and memory.

Each principal's entry (and each slice of the blocked list) is made into a dictionary, written
by orjson (a C encoder whose two-space indentation, escapes and non-ASCII handling are those of
``json.dumps`` with ``ensure_ascii=False``) and indented to its depth. Where orjson could write
otherwise -- a float (``json`` writes ``1e+16``, orjson ``1e16``), an integer beyond 64 bits, a
lone surrogate -- the piece is written by ``json`` itself: any value taken from a policy's
conditions may be one, so an entry holding conditions is always written by ``json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import orjson

from iamsim.analysis.who_can import WhoCanEntry, WhoCanResult
from iamsim.report.inert import inert_json
from iamsim.report.schemas import versioned

_BLOCKED_SLICE = 2000
# What inert_json may change: it keeps printable ASCII and line breaks, tabs, carriage returns
# (whitespace between tokens) as they are, so a piece without any other character is inert
# already, and a scan in C spares a call per line break of a hundred-megabyte document.
_MAY_ESCAPE = re.compile(r"[^\x20-\x7e\n\r\t]")


def _indented(value: Any, depth: int, *, plain: bool = True) -> str:
    """``value`` as ``json.dumps(..., indent=2)`` writes it ``depth`` levels deep (its first
    line not indented: it follows a key or the indentation already written)."""
    text: str | None = None
    if plain:
        try:
            text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode("utf-8")
        except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits, a lone surrogate
            text = None
    if text is None:
        text = json.dumps(value, indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + "  " * depth) if depth else text


def _entry_is_plain(entry: WhoCanEntry) -> bool:
    """Whether the entry's document holds only strings, booleans, None and small integers
    (so orjson writes it as ``json`` does): no values taken from conditions."""
    return not any(grant.conditions or grant.unless for grant in entry.actions)


def _list(items: Iterator[str]) -> Iterator[str]:
    """A JSON list one level deep whose items are already written (each at depth 2)."""
    first = True
    for item in items:
        yield ("[\n    " if first else ",\n    ") + item
        first = False
    yield "[]" if first else "\n  ]"


def _principals(result: WhoCanResult) -> Iterator[str]:
    for entry in result.principals:
        yield _indented(entry.to_dict(shared=True), 2, plain=_entry_is_plain(entry))


def _blocked(result: WhoCanResult) -> Iterator[str]:
    blocked = result.blocked
    for start in range(0, len(blocked), _BLOCKED_SLICE):
        piece = [b.to_dict() for b in blocked[start : start + _BLOCKED_SLICE]]
        # the slice one level deep, its own brackets off: its items join the one list
        text = _indented(piece, 1, plain=not _has_float(piece))
        yield text[len("[\n    ") : -len("\n  ]")]


def _has_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, Mapping):
        return any(_has_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_float(v) for v in value)
    return False


def who_can_json_pieces(result: WhoCanResult, notes: list[str]) -> Iterator[str]:
    """The document's text in pieces (joined, the ``json.dumps`` text); ``notes``: the
    inputs' notes, added as ``input_notes`` when there are some."""
    streamed: dict[str, Callable[[WhoCanResult], Iterator[str]]] = {
        "principals": _principals,
        "blocked": _blocked,
    }
    # The small members from to_dict's own layout, the two long lists as placeholders.
    skeleton = versioned("who-can", result.document([], []))
    if notes and "input_notes" not in skeleton:
        skeleton["input_notes"] = notes
    yield "{"
    last = len(skeleton) - 1
    for number, (key, value) in enumerate(skeleton.items()):
        yield "\n  " + json.dumps(key, ensure_ascii=False) + ": "
        if key in streamed:
            yield from _list(streamed[key](result))
        else:
            yield _indented(value, 1, plain=not _has_float(value))
        if number < last:
            yield ","
    yield "\n}"


def echo_who_can_json(result: WhoCanResult, notes: list[str], echo: Callable[[str], None]) -> None:
    """Print the document through ``echo`` (text without a final line break), inertly, with
    a final line break."""
    for piece in who_can_json_pieces(result, notes):
        echo(inert_json(piece) if _MAY_ESCAPE.search(piece) else piece)
    echo("\n")
