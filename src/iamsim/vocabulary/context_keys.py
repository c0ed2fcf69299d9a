"""Context keys as users give them: which keys hold lists, and the one check of a user's context.

Scenario files (``iamsim eval``), expectations files (``iamsim test``), ``--context`` on the
command line and the library's front door all hand the request context through
:func:`check_context`, so a list for a single-valued key or a key spelled twice is refused the
same way everywhere. The command line's ``KEY=VALUE`` items are read by :func:`parse_context`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from iamsim.errors import InputError
from iamsim.policy.jsondoc import json_type, pointer
from iamsim.vocabulary.request import ContextScalar, ContextValue

# The global condition keys whose request-context value is a list (the multivalued keys, for
# which the set operators ForAnyValue/ForAllValues exist). Every other ``aws:`` key holds at
# most one value; a list given for one of them would be read as multivalued, where plain
# operators never match and negated ones (a Deny on StringNotEquals) silently stop applying.
# Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
# (aws:TagKeys, aws:PrincipalOrgPaths, aws:ResourceOrgPaths, aws:SourceOrgPaths,
# aws:VpceOrgPaths, aws:CalledVia and aws:PrincipalServiceNamesList are documented as
# multivalued; the packaged global_condition_keys.json agrees).
MULTIVALUED_GLOBAL_KEYS = frozenset(
    key.lower()
    for key in (
        "aws:TagKeys",
        "aws:PrincipalOrgPaths",
        "aws:ResourceOrgPaths",
        "aws:SourceOrgPaths",
        "aws:VpceOrgPaths",
        "aws:CalledVia",
        "aws:PrincipalServiceNamesList",
    )
)


# Keys the service reference types as single strings but that AWS documents as lists: the amr
# claim of a Cognito identity token ("one of the array members of the multi-value amr claim").
# https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html
_DOCUMENTED_MULTIVALUED_KEYS = frozenset({"cognito-identity.amazonaws.com:amr"})


def context_key_multivalued(key: str) -> bool | None:
    """Whether the request context holds a list for ``key``: True (multivalued), False
    (single-valued) or None (a key whose type iamsim does not know).

    ``aws:`` keys are multivalued only when listed in :data:`MULTIVALUED_GLOBAL_KEYS`. Other
    keys (``s3:prefix``, ``ec2:ResourceTag/team``, ``kms:EncryptionContextKeys``) follow the
    service reference's type: ``ArrayOf*`` types are multivalued, the others single-valued.
    """
    folded = key.lower()
    if folded.startswith("aws:"):
        return folded in MULTIVALUED_GLOBAL_KEYS
    if folded in _DOCUMENTED_MULTIVALUED_KEYS:
        return True
    from iamsim.catalog import service_reference  # the catalogue only for a service key

    key_type = service_reference().condition_key_type(key)
    if key_type is None:
        return None
    return key_type.startswith("ArrayOf")


def _context_scalar(value: Any) -> ContextScalar | None:
    """A context value as text travels (YAML dates back to ISO 8601), or None if not a scalar."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool):
        return value
    return None


def check_context(values: Any) -> dict[str, ContextValue]:
    """Check a request context given by the user and return it normalized.

    The one check shared by scenario files (``iamsim eval``), expectations files
    (``iamsim test``) and ``--context`` on the command line. ``values`` must be a mapping of
    condition keys (``prefix:name``) to a string, number or boolean, or a list of them; YAML
    dates become ISO 8601 text. Refused, each with an InputError whose ``path`` is the JSON
    pointer of the offending key (or list item) inside the mapping:

    * a list (of any length) for a single-valued key (``aws:RequestedRegion``, and a service
      key whose reference type is not ``ArrayOf*``); lists for keys of unknown type are kept;
    * two spellings of one key differing only in case (condition keys are case-insensitive,
      so only one of them could ever be used);
    * null, mappings, and lists holding anything but scalars.
    """
    if not isinstance(values, Mapping):
        raise InputError("context must be a mapping of condition keys to values")
    out: dict[str, ContextValue] = {}
    spelled: dict[str, str] = {}
    for key, raw in values.items():
        prefix, _, name = key.partition(":") if isinstance(key, str) else ("", "", "")
        if not prefix.strip() or not name.strip():
            raise InputError(
                f"{key!r} is not a condition key (expected prefix:name, e.g. aws:SourceIp)",
                path=pointer("", str(key)),
            )
        where = pointer("", key)
        folded = key.lower()
        if folded in spelled:
            raise InputError(
                f"{spelled[folded]} and {key} are the same condition key (names are "
                "case-insensitive); give it once",
                path=where,
            )
        spelled[folded] = key
        if raw is None:
            raise InputError(
                f"{key} has no value (null): give a string, number or boolean, or leave the "
                "key out",
                path=where,
            )
        if isinstance(raw, list | tuple):
            if context_key_multivalued(key) is False:
                raise InputError(f"{key} is single-valued: give one value, not a list", path=where)
            items: list[ContextScalar] = []
            for index, item in enumerate(raw):
                scalar = _context_scalar(item)
                if scalar is None:
                    raise InputError(
                        f"a list of values for {key} holds strings, numbers or booleans, "
                        f"not {json_type(item, article=True)}",
                        path=f"{where}/{index}",
                    )
                items.append(scalar)
            out[key] = items
            continue
        scalar = _context_scalar(raw)
        if scalar is None:
            raise InputError(
                f"the value of {key} must be a string, number or boolean (or a list of them "
                f"for a multivalued key), not {json_type(raw, article=True)}",
                path=where,
            )
        out[key] = scalar
    return out


# -- KEY=VALUE items (--context) ----------------------------------------------------------


_EMPTY_HINT = "write KEY='\"\"' for an empty string"


def parse_context_value(key: str, text: str) -> ContextValue:
    """The value of one ``KEY=VALUE`` item: a JSON array, a JSON string, a comma list for
    multivalued keys, else the text as given (see :func:`parse_context`)."""
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            decoded = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"--context {key}={text}: a value starting with '[' is a JSON array, and this "
                f"one is not valid JSON ({exc.msg} at column {exc.colno}); to pass the text "
                f"itself, write it as a JSON string: {key}='{json.dumps(text)}'"
            ) from None
        if not isinstance(decoded, list):  # pragma: no cover - "[" always decodes to a list
            raise InputError(f"--context {key}={text}: expected a JSON array")
        values = [v for v in decoded if isinstance(v, str | int | float | bool)]
        if len(values) != len(decoded):
            raise InputError(f"--context {key}: a list holds strings, numbers or booleans")
        return values
    if stripped.startswith('"'):
        try:
            decoded = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"--context {key}={text}: a value starting with '\"' is a JSON string, and "
                f"this one is not valid JSON ({exc.msg} at column {exc.colno})"
            ) from None
        if not isinstance(decoded, str):
            raise InputError(f"--context {key}={text}: expected one JSON string")
        return decoded
    if context_key_multivalued(key):
        return [part.strip() for part in text.split(",") if part.strip()]
    if not stripped:
        raise InputError(f"--context {key}=: the value is empty ({_EMPTY_HINT})")
    return text


def parse_context(items: Iterable[str]) -> dict[str, ContextValue]:
    """``KEY=VALUE`` items (``--context`` on the command line) to a context mapping.

    * ``KEY`` is a condition key such as ``aws:SourceIp`` (case-insensitive, it needs a ``:``);
      two spellings of one key (``aws:SourceIp`` and ``aws:sourceip``) are an error;
    * only multivalued keys take lists: ``aws:TagKeys``, ``aws:PrincipalOrgPaths``,
      ``aws:CalledVia``... (:data:`MULTIVALUED_GLOBAL_KEYS`) and the service keys of an
      ``ArrayOf*`` type. For them, repeating the key or separating values with commas makes a
      list (``aws:TagKeys=team,env``), and ``aws:TagKeys=`` is the key present with no values.
      Every other ``aws:`` key, and every service key the reference types otherwise, is
      single-valued: repeating it or giving a list is an error (a list would make plain
      operators never match, and so switch off a Deny on ``StringNotEquals``);
    * a value written as a JSON array is a list: ``s3:x=["a,b","c"]``; a value starting with
      ``[`` that is not valid JSON is an error;
    * a value written as a JSON string is that string: ``s3:prefix='""'`` for an empty one;
    * an empty value of a single-valued key is an error;
    * anything else is one string, commas included.

    The result passes :func:`check_context`, the same check as the context of scenario and
    expectations files. Errors are InputErrors whose message starts with ``--context``.
    """
    out: dict[str, ContextValue] = {}
    names: dict[str, str] = {}  # lower-cased key -> the spelling first used
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(f"--context {item!r}: expected KEY=VALUE, e.g. aws:SourceIp=10.0.0.1")
        if ":" not in key:
            raise InputError(
                f"--context {item!r}: {key!r} is not a condition key (expected prefix:name, "
                "e.g. aws:SourceIp or s3:prefix)"
            )
        folded = key.lower()
        first = names.get(folded)
        if first is not None and first != key:
            raise InputError(
                f"--context: {first} and {key} are the same condition key (names are "
                "case-insensitive); give it once"
            )
        parsed = parse_context_value(key, value)
        if first is None:
            names[folded] = key
            out[key] = parsed
            continue
        if context_key_multivalued(key) is False:
            raise InputError(
                f"--context: {key} is single-valued: give it once (repeat a key only for "
                "multivalued keys such as aws:TagKeys)"
            )
        previous = out[key]
        merged: list[ContextScalar] = (
            list(previous) if isinstance(previous, list | tuple) else [previous]
        )
        merged.extend(parsed if isinstance(parsed, list | tuple) else [parsed])
        out[key] = merged
    try:
        return check_context(out)
    except InputError as exc:
        raise InputError(f"--context: {exc.reason}") from None
