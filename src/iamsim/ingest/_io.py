"""Reading input files and walking their JSON/YAML trees with located errors.

Every loader reads through here so that a malformed file always becomes an InputError naming
the file and the JSON pointer of the offending value, never a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from iamsim.errors import InputError


class _YamlLoader(yaml.SafeLoader):
    """Safe YAML, except that only plain decimal numbers become ints.

    YAML 1.1 reads ``011122223333`` as an octal number, which would silently change an
    account ID; here anything with a leading zero (or ``0x``, ``1:30``) stays a string.
    """


_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:int"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)


def parse_text(text: str, source: str) -> Any:
    """Parse JSON (when the text starts like JSON, for exact positions) or YAML."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", source=source
            ) from None
    try:
        return yaml.load(text, Loader=_YamlLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"invalid YAML{where}: {problem}", source=source) from None


class InputFile:
    """One input path as the loaders see it: its text and parsed document, read lazily.

    ``document`` is None when the content is neither JSON nor YAML (a Terraform file, say);
    ``document_error`` then says why. Directories have no text.
    """

    def __init__(self, path: Path | str, source: str | None = None) -> None:
        self.path = Path(path)
        self.source = source if source is not None else str(path)

    @property
    def is_dir(self) -> bool:
        return self.path.is_dir()

    @cached_property
    def text(self) -> str:
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            raise InputError(
                f"cannot read file: {exc.strerror or exc}", source=self.source
            ) from None
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError("file is not UTF-8 text", source=self.source) from None

    @cached_property
    def _parsed(self) -> tuple[Any, InputError | None]:
        if self.is_dir:
            return None, InputError("is a directory", source=self.source)
        try:
            return parse_text(self.text, self.source), None
        except InputError as exc:
            return None, exc

    @property
    def document(self) -> Any:
        return self._parsed[0]

    @property
    def document_error(self) -> InputError | None:
        return self._parsed[1]


def pointer(base: str, *tokens: str | int) -> str:
    """Extend JSON pointer ``base`` with ``tokens`` (escaping ``~`` and ``/``)."""
    out = base
    for token in tokens:
        out += "/" + str(token).replace("~", "~0").replace("/", "~1")
    return out


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


class Reader:
    """Typed access to a parsed document, raising located InputErrors."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, reason: str, path: str) -> InputError:
        return InputError(reason, path=path, source=self.source)

    def obj(self, value: Any, path: str, what: str = "an object") -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(f"expected {what}, found {type_name(value)}", path)
        return value

    def array(self, value: Any, path: str, what: str = "an array") -> list[Any]:
        if not isinstance(value, list):
            raise self.error(f"expected {what}, found {type_name(value)}", path)
        return value

    def string(self, value: Any, path: str, what: str = "a string") -> str:
        if not isinstance(value, str) or not value:
            found = "an empty string" if value == "" else type_name(value)
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
                    raise self.error(f"tag value must be a string, found {type_name(val)}", where)
                out[key] = str(val)
            return out
        for i, item in enumerate(self.array(value, path, "tags (an object or a Key/Value list)")):
            where = pointer(path, i)
            entry = self.obj(item, where, "a {Key, Value} object")
            key = self.req_string(entry, "Key", where)
            val = entry.get("Value", "")
            if not isinstance(val, str):
                raise self.error(
                    f"tag value must be a string, found {type_name(val)}", pointer(where, "Value")
                )
            out[key] = val
        return out
