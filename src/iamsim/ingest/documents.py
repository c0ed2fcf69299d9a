"""Parsing input text as JSON or YAML, and walking the documents with located errors.

Owns the strict JSON reader (duplicate keys, nesting), :func:`parse_text` (JSON, or YAML through
:mod:`iamsim.ingest.yaml_documents`, imported only for YAML text), the :class:`Reader` that walks a parsed document
raising InputErrors located by JSON pointer, and :func:`close_match` for "did you mean" hints.
Reading the files themselves is :mod:`iamsim.ingest.files`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from iamsim import limits
from iamsim.errors import InputError

# The loaders' error vocabulary is the policy parser's.
from iamsim.policy.jsondoc import json_type, pointer

if TYPE_CHECKING:
    # Re-exported (see __getattr__ at the end): the YAML reader lives in yaml_documents.
    from iamsim.ingest.yaml_documents import YamlLoader as YamlLoader
    from iamsim.ingest.yaml_documents import load_yaml as load_yaml


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
    # Imported here: PyYAML only for YAML input (a JSON export starts without it).
    import yaml

    from iamsim.ingest.yaml_documents import load_yaml

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
    import difflib  # only for a misspelt name (start-up time)

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


def __getattr__(name: str) -> Any:
    # The YAML reader is imported on first use, so that JSON input never imports PyYAML.
    if name in ("YamlLoader", "load_yaml"):
        from iamsim.ingest import yaml_documents

        return getattr(yaml_documents, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
