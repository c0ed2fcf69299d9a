"""Decoding policy JSON as strictly as IAM does, and JSON-pointer helpers.

Owns the step from policy text (or an already-decoded mapping) to plain Python values:

* duplicate keys inside any JSON object are an error in IAM policies ("Individual elements must
  not contain multiple instances of the same key", grammar notes,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html). Python's
  ``json`` silently keeps the last one, so objects are decoded into :class:`JsonObject`, which
  remembers the keys that were repeated, and the parser reports them with a location;
* ``NaN``/``Infinity`` (accepted by Python, not by JSON) and numbers too large for a float are
  rejected, because they have no JSON rendering and AWS's JSON parser does not accept them;
* syntax errors carry line and column.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any


class JsonObject(dict[str, Any]):
    """A decoded JSON object that remembers which keys appeared more than once."""

    duplicates: tuple[str, ...] = ()


class JsonSyntaxError(ValueError):
    """The policy text is not JSON (or not JSON that AWS accepts)."""


def _object_hook(pairs: list[tuple[str, Any]]) -> JsonObject:
    obj = JsonObject()
    dups: list[str] = []
    for key, value in pairs:
        if key in obj and key not in dups:
            dups.append(key)
        obj[key] = value
    if dups:
        obj.duplicates = tuple(dups)
    return obj


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _parse_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"the number {text} is out of range")
    return value


def decode(document: str | bytes) -> Any:
    """Decode policy text; raise :class:`JsonSyntaxError` with line/column on bad input."""
    if isinstance(document, bytes):
        try:
            text = document.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonSyntaxError(f"the policy is not valid UTF-8 (byte {exc.start})") from exc
    else:
        text = document
    try:
        return json.loads(
            text,
            object_pairs_hook=_object_hook,
            parse_constant=_reject_constant,
            parse_float=_parse_float,
        )
    except json.JSONDecodeError as exc:
        raise JsonSyntaxError(
            f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc
    except ValueError as exc:  # from parse_constant / parse_float
        raise JsonSyntaxError(f"invalid JSON: {exc}") from exc


def pointer(base: str, *tokens: str | int) -> str:
    """Extend a JSON pointer (RFC 6901): ``~`` and ``/`` inside a token are escaped."""
    if len(tokens) == 1:
        # The parser extends a pointer once per element it visits: the common case, kept cheap.
        text = str(tokens[0])
        if "~" not in text and "/" not in text:
            return f"{base}/{text}"
    parts = [base]
    for token in tokens:
        text = str(token).replace("~", "~0").replace("/", "~1")
        parts.append("/" + text)
    return "".join(parts)


def is_object(value: Any) -> bool:
    return isinstance(value, Mapping)


def is_array(value: Any) -> bool:
    # Mapping input built in Python may use tuples where JSON has arrays.
    return isinstance(value, list | tuple)


def json_type(value: Any, *, article: bool = False) -> str:
    """The JSON type name of a decoded value, for error messages ("a list" with ``article``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        name = "boolean"
    elif isinstance(value, int | float):
        name = "number"
    elif isinstance(value, str):
        name = "string"
    elif is_array(value):
        name = "list" if article else "array"
    elif is_object(value):
        name = "mapping" if article else "object"
    else:
        name = type(value).__name__
    return f"a {name}" if article else name
