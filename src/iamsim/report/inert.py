"""Making input text inert for a terminal: the one owner of how iamsim prints hostile text.

Every name, Sid, tag value, condition value and message iamsim prints may come from an input
someone else wrote. Printed raw, such text can act on the reviewer's terminal instead of being
read: an ANSI escape sequence recolours or erases lines, a right-to-left override (U+202E)
reverses what follows, a NUL or a carriage return hides text, a zero-width character makes two
different names look the same, and rich console markup (``[red]``, ``[link=...]``, ``[/]``)
restyles the output or makes rich raise. This module turns all of that into visible text:

* :func:`inert` escapes every character a reader cannot see as itself: C0 and C1 control
  characters (NUL, ESC, CR, DEL...), Unicode format characters (the bidi embeddings, overrides
  and isolates U+202A-U+202E and U+2066-U+2069, the marks U+200E/U+200F/U+061C, zero-width
  spaces and joiners, the BOM, soft hyphen...), the line and paragraph separators
  U+2028/U+2029 and lone surrogates, as ``\\x1b``, ``\\u202e``, ``\\U000e0041``. Backslashes
  are left as they are (policy text uses them; a literal ``\\x1b`` in an input reads the same
  as an escaped ESC, which hides nothing).
* :func:`inert_json` does the same for JSON text, with JSON's own ``\\u`` escapes, so that the
  document still decodes to exactly the same values (``json.dumps`` escapes C0 controls, but
  not DEL, C1 controls or the bidi characters).
* :func:`echo` is how the command line prints text: everything passes through :func:`inert`
  (line breaks kept, since the report itself is made of lines).
* :class:`InertConsole` (in :mod:`iamsim.report.inert_console`, importable from here) is the
  rich console for reports: console markup, emoji codes and
  highlighting are off, so ``[red]`` is printed as ``[red]``; every string rendered is made
  inert, and every segment written is checked again, so a renderer that forgets is still
  safe. Styles are given with :class:`rich.text.Text` objects, never with markup.

The text renderers build their reports as lists of lines and join them with
:func:`inert_lines`, and the rich ones make each input value one line with :func:`styled` or
:func:`inert`: a line break inside a value is escaped too, so a Sid holding a newline cannot
forge a line of its own.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    # Re-exported (see __getattr__ below).
    from iamsim.report.inert_console import InertConsole as InertConsole
    from iamsim.report.inert_console import styled as styled

# Control (Cc), format (Cf: bidi controls, zero-width characters, soft hyphen, BOM...),
# surrogate (Cs: a lone one cannot even be encoded), line and paragraph separators (Zl, Zp).
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# Printable ASCII is always shown as itself; anything else is looked at one by one.
_SUSPECT = re.compile(r"[^\x20-\x7e]")


def _hidden(char: str) -> bool:
    return unicodedata.category(char) in _HIDDEN_CATEGORIES


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _escape_all(match: re.Match[str]) -> str:
    char = match.group()
    return _escape(char) if _hidden(char) else char


def _escape_but_newlines(match: re.Match[str]) -> str:
    char = match.group()
    return _escape(char) if char != "\n" and _hidden(char) else char


def inert(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every invisible or terminal-controlling character written as an escape.

    Line breaks are escaped too unless ``keep_newlines`` (for whole reports, whose lines are
    the renderer's own).
    """
    return _SUSPECT.sub(_escape_but_newlines if keep_newlines else _escape_all, text)


def inert_lines(lines: Iterable[str]) -> str:
    """A text report from its lines, each made inert (a line break inside one is escaped, so
    input text cannot forge a line of its own), joined with line breaks."""
    return "\n".join(inert(line) for line in lines)


def inert_value(value: Any) -> str:
    """Any value as one inert line of text (``str(value)``, then :func:`inert`)."""
    return inert(value if isinstance(value, str) else str(value))


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    # Whitespace between tokens stays: inside a string json.dumps has escaped it already.
    if char in "\n\r\t" or not _hidden(char):
        return char
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    # JSON spells characters outside the BMP as a surrogate pair.
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def compact_json(value: Any) -> str:
    """Compact JSON text of ``value`` (orjson's encoding, non-ASCII written as itself), inert
    (safe to print on a terminal): the batch path's records."""
    import orjson  # the batch writers only

    return inert_json(orjson.dumps(value).decode("utf-8"))


def compact_json_bytes(value: Any) -> bytes:
    """:func:`compact_json` as UTF-8 bytes, for writers of binary streams. Most records are
    printable ASCII already (orjson writes every control character below 0x20 as an escape),
    and those are returned as orjson wrote them, without a pattern pass, a decode and an encode;
    the others go through :func:`compact_json`'s escaping."""
    import orjson  # the batch writers only

    data = orjson.dumps(value)
    if data.isascii() and b"\x7f" not in data:
        return data
    return inert_json(data.decode("utf-8")).encode("utf-8")


def inert_json(text: str) -> str:
    """JSON text with the characters :func:`inert` escapes written as JSON ``\\u`` escapes.

    Valid on any ``json.dumps`` output: outside strings, JSON text is printable ASCII and the
    whitespace between tokens (kept), so every character replaced is inside a string, where
    the escape decodes back to the very same character: the values are unchanged.
    """
    return _SUSPECT.sub(_json_escape, text)


def dumps(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` (non-ASCII kept readable, as before) made inert by :func:`inert_json`."""
    kwargs.setdefault("ensure_ascii", False)
    return inert_json(json.dumps(value, **kwargs))


def echo(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print a text report (or one line of it) inertly: the command line's only text printer."""
    click.echo(inert(message, keep_newlines=True), err=err, nl=nl)


def echo_json_text(text: str, *, err: bool = False) -> None:
    """Print text already made by :func:`dumps` (or any JSON text), checked by :func:`inert_json`."""
    click.echo(inert_json(text), err=err)


def __getattr__(name: str) -> Any:
    # The rich half (InertConsole, styled) is imported on first use: a command that prints
    # plain text (``check``) starts without rich, which costs a fifth of its start-up.
    if name in ("InertConsole", "styled"):
        from iamsim.report import inert_console

        return getattr(inert_console, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
