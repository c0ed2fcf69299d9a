"""Turning the policy documents found inside input files into parsed policies.

Inputs carry documents in several spellings: a JSON object, a JSON string, the URL-encoded
JSON string IAM APIs return, or (in our own formats) the path of a JSON file. Parse errors are
re-anchored at the document's place in the input file. Public: every loader, and features
that read policies embedded in inputs, share it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import orjson

from iamsim.errors import InputError
from iamsim.ingest.documents import load_json, parse_text
from iamsim.ingest.read_scope import ReadRefused, ReadScope, decode_text, read_regular_file
from iamsim.policy import parse_policy
from iamsim.policy.jsondoc import json_type
from iamsim.policy.model import Policy, PolicyType


def decode_document_string(text: str) -> Any | None:
    """The JSON value in ``text`` (plain or URL-encoded JSON), or None if it is neither.

    Raises InputError (located inside the document, without a source) for invalid JSON, a
    key given twice (``"Effect": "Deny", ..., "Effect": "Allow"``) and excessive nesting.
    """
    candidate = text.strip()
    if candidate.startswith("%7B") or candidate.startswith("%7b") or "%22" in candidate[:20]:
        candidate = unquote(candidate).strip()
    if not candidate.startswith("{"):
        return None
    try:
        return load_json(candidate)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"the policy document is not valid JSON (line {exc.lineno} column {exc.colno}: "
            f"{exc.msg})"
        ) from None


def load_policy(
    value: Any,
    policy_type: PolicyType,
    *,
    source: str,
    path: str,
    name: str | None = None,
    base_dir: Path | None = None,
    scope: ReadScope | None = None,
) -> Policy:
    """Parse the document ``value`` found at JSON pointer ``path`` of file ``source``.

    ``base_dir`` enables file references: a string that is not JSON is then read as a path
    relative to ``base_dir`` (and the policy's source becomes that file), which must be
    inside ``scope`` (see :mod:`iamsim.ingest.read_scope`).
    """
    document: Any = value
    doc_source, doc_prefix = source, path
    if isinstance(value, str):
        if not value.strip():
            raise InputError("the policy is empty", path=path, source=source)
        try:
            document = decode_document_string(value)
        except InputError as exc:
            raise exc.located(source=source, prefix=path) from None
        if document is None:
            if base_dir is None:
                raise InputError(
                    "expected a policy document (an object or a JSON string)",
                    path=path,
                    source=source,
                )
            file = Path(value) if Path(value).is_absolute() else base_dir / value
            # A path written in the input is read only inside the input's scope (its folder
            # and --allow-read paths): a regular file, bounded, never /proc or a device.
            reference = f"the policy file {value!r}"
            try:
                if scope is not None:
                    raw = scope.read_bytes(file, reference)
                else:
                    raw = read_regular_file(file, reference)
            except ReadRefused as exc:
                raise ReadRefused(exc.reason, path=path, source=source) from None
            except InputError as exc:
                cause = exc.reason.rpartition(": ")[2]  # the system's reason (no such file...)
                raise InputError(
                    f"cannot read policy file {str(file)!r}: {cause}", path=path, source=source
                ) from None
            text = decode_text(raw, str(file))
            doc_source, doc_prefix = str(file), ""
            document = parse_text(text, doc_source)
            name = name or file.stem
    if not isinstance(document, Mapping):
        raise InputError(
            f"expected a policy document, found {json_type(document)}",
            path=doc_prefix,
            source=doc_source,
        )
    key = _content_key(document, policy_type)
    if key is not None:
        found = _BY_CONTENT.get(key)
        if found is not None:
            # The same document parses to the same statements (their paths are relative to
            # the document): only the label differs.
            return dataclasses.replace(found, name=name, source=doc_source)
    try:
        policy = parse_policy(document, policy_type, name=name, source=doc_source)
    except InputError as exc:
        raise exc.located(source=doc_source, prefix=doc_prefix) from None
    if key is not None:
        if len(_BY_CONTENT) >= _BY_CONTENT_MAX:
            _BY_CONTENT.clear()  # bounded: a new account's documents rarely repeat the last's
        _BY_CONTENT[key] = policy
    return policy


# Parsed policies by content (canonical JSON and type), so a document repeated across
# principals (trust policies, templated inline policies) and accounts is parsed once per
# process. Only documents that parsed without error are kept.
_BY_CONTENT: dict[tuple[bytes, PolicyType], Policy] = {}
_BY_CONTENT_MAX = 4096  # about two accounts of bench/gen_org.py: ~10 MB held


def _content_key(
    document: Mapping[str, Any], policy_type: PolicyType
) -> tuple[bytes, PolicyType] | None:
    """The document's canonical JSON (sorted keys) with the type, or None when it holds
    values JSON cannot spell exactly (the parser then reads it every time)."""
    try:
        # Only plain JSON values: dates (YAML), subclasses and dataclasses raise rather than
        # be spelled like a string or a plain value.
        text = orjson.dumps(document, option=_EXACT)
    except TypeError:  # orjson.JSONEncodeError too (integers beyond 64 bits, surrogates)
        return None
    if b"null" in text:
        return None  # NaN and infinities are written null: leave any doubt to the parser
    return text, policy_type


_EXACT = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)
